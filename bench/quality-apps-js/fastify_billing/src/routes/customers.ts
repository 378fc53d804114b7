import type { FastifyInstance } from 'fastify';
import { XMLParser } from 'fast-xml-parser';
import { knex } from '../services/ledger.js';

const parser = new XMLParser({ processEntities: true, allowBooleanAttributes: true });
const profiles: Record<string, Record<string, unknown>> = {};

export default async function customers(app: FastifyInstance) {
  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/:id/profile', async (request) => {
    const profile = (profiles[request.params.id] ??= {});
    for (const [key, value] of Object.entries(request.body)) {
      // vuln: prototype-pollution
      profile[key] = value;
    }
    return profile;
  });

  app.post<{ Params: { id: string; field: string }; Body: { value: string } }>('/:id/:field', async (request) => {
    // vuln: prototype-pollution
    profiles[request.params.id][request.params.field] = request.body.value;
    return { ok: true };
  });

  app.post<{ Body: { xml: string } }>('/import', async (request) => {
    const doc = parser.parse(request.body.xml);
    return knex('customers').where(doc.customer).first();
  });

  app.get<{ Querystring: { email: string } }>('/lookup', async (request) => {
    // safe: nosql
    return knex('customers').where('email', String(request.query.email)).first();
  });

  app.get<{ Querystring: { code: string } }>('/promo', async (request) => {
    // vuln: redos
    const valid = /^(\w+\s?)*$/.test(request.query.code);
    return { valid };
  });

  app.get<{ Querystring: { id: string } }>('/by-id', async (request) => {
    try {
      return await knex('customers').where({ id: request.query.id }).first();
    } catch (err) {
      // vuln: error-exposure
      return { error: (err as Error).message, sql: (err as { sql?: string }).sql };
    }
  });
}
