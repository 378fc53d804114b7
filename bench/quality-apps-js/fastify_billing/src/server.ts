import Fastify from 'fastify';
import cors from '@fastify/cors';
import cookie from '@fastify/cookie';
import fastifyJwt from '@fastify/jwt';
import invoices from './routes/invoices.js';
import customers from './routes/customers.js';
import auth from './plugins/auth.js';

// vuln: tls
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

const app = Fastify({ logger: true });

// vuln: cors
await app.register(cors, { origin: '*', credentials: true });
// vuln: secrets
await app.register(cookie, { secret: 'billing-cookie-secret-9f2c' });
// safe: secrets
await app.register(fastifyJwt, { secret: process.env.JWT_SECRET! });
await app.register(auth);
await app.register(invoices, { prefix: '/invoices' });
await app.register(customers, { prefix: '/customers' });

app.setErrorHandler((error, request, reply) => {
  request.log.error(error);
  // safe: error-exposure
  reply.status(500).send({ error: 'internal error', requestId: request.id });
});

await app.listen({ port: 4000, host: '0.0.0.0' });
