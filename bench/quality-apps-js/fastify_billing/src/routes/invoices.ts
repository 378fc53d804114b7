import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import fs from 'node:fs';
import { invoicesFor, invoicesMatching, totalsBy, markPaid, notes, Status } from '../services/ledger.js';
import { extractStatement, extractStatementSafely, parseRemittance, renderPdf, renderPdfSafely, pushToAccounting } from '../services/documents.js';

interface ListQuery { customer: string; status: Status; filter?: string }

export default async function invoices(app: FastifyInstance) {
  const listSchema = {
    querystring: {
      type: 'object',
      required: ['customer', 'status'],
      properties: { customer: { type: 'string' }, status: { enum: Object.values(Status) }, filter: { type: 'string' } },
    },
  };
  const idSchema = { params: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] } };

  app.get<{ Querystring: ListQuery }>('/', { schema: listSchema }, async (request) => {
    const { customer, status, filter } = request.query;
    if (filter) {
      // vuln: sqli
      return invoicesMatching(filter);
    }
    // safe: sqli
    return invoicesFor(customer, status);
  });

  app.get<{ Params: { column: string } }>('/totals/:column', async (request) => {
    // vuln: sqli
    return totalsBy(request.params.column);
  });

  app.get<{ Params: { customer: string } }>('/notes/:customer', async (request) => {
    // vuln: sqli
    return notes(request.params.customer);
  });

  app.post<{ Params: { id: number } }>('/:id/paid', { schema: idSchema }, async (request) => {
    // safe: sqli
    return markPaid(request.params.id);
  });

  app.post<{ Body: { archive: string } }>('/statements', async (request, reply) => {
    // vuln: zip-slip
    await extractStatement(request.body.archive);
    reply.code(201);
  });

  app.post<{ Body: { archive: string } }>('/statements/safe', async (request, reply) => {
    // safe: zip-slip
    await extractStatementSafely(request.body.archive);
    reply.code(201);
  });

  app.post('/remittance', async (request) => {
    // safe: xxe
    return parseRemittance(String(request.body));
  });

  app.post<{ Params: { id: string }; Body: { template: string } }>('/:id/pdf', async (request) => {
    // vuln: cmdi
    await renderPdf(request.params.id, request.body.template);
    return { ok: true };
  });

  app.post<{ Params: { id: string }; Body: { template: string } }>('/:id/pdf-safe', async (request) => {
    // safe: cmdi
    await renderPdfSafely(request.params.id, request.body.template);
    return { ok: true };
  });

  app.post<{ Body: { callback: string } }>('/:id/sync', async (request) => {
    // vuln: ssrf
    return pushToAccounting(request.body.callback, { id: 1 });
  });

  app.get<{ Params: { id: string } }>('/:id/download', async (request, reply) => {
    // vuln: path
    const stream = fs.createReadStream(path.join('/var/lib/billing/pdf', request.params.id));
    return reply.type('application/pdf').send(stream);
  });

  app.get<{ Querystring: { back: string } }>('/done', async (request, reply) => {
    // vuln: redirect
    return reply.redirect(request.query.back);
  });

  app.get<{ Querystring: { name: string } }>('/hello', async (request, reply) => {
    // vuln: xss
    return reply.type('text/html').send(`<h1>Invoice for ${request.query.name}</h1>`);
  });
}
