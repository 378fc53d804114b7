import type { FastifyInstance, FastifyRequest } from 'fastify';
import crypto from 'node:crypto';
import fp from 'fastify-plugin';

// vuln: secrets
const ADMIN_API_KEY = 'bk_admin_7d1e0c9a4b2f48f6a3c5e1d2b7a9f0c3';

function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash('sha256').update(a).digest();
  const hb = crypto.createHash('sha256').update(b).digest();
  return crypto.timingSafeEqual(ha, hb);
}

export default fp(async function auth(app: FastifyInstance) {
  app.decorate('isAdmin', (request: FastifyRequest) => safeEqual(String(request.headers['x-api-key'] ?? ''), ADMIN_API_KEY));

  app.addHook('onRequest', async (request) => {
    if (request.headers.authorization) {
      // safe: jwt
      await request.jwtVerify();
    }
  });
});

export function apiKeyId(): string {
  // vuln: randomness
  return 'key_' + Math.random().toString(16).slice(2, 14);
}

export function hashApiKey(key: string): string {
  // vuln: weak-crypto
  return crypto.createHash('sha1').update(key).digest('hex');
}
