/** Calls whose literal secret argument the auth rules report (the generic secret rule leaves them alone). */
export const SIGNING_SECRET_CALLS: ReadonlySet<string> = new Set([
  'jsonwebtoken.sign', 'jsonwebtoken.verify', 'express-session', 'cookie-session', 'cookie-parser', 'express-jwt', 'express-jwt.expressjwt',
  'koa-session', '@fastify/cookie', '@fastify/session', 'iron-session.getIronSession',
]);
