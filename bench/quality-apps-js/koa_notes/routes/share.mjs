import Router from '@koa/router';
import crypto from 'node:crypto';
import { fetchPreview, fetchFromCdn } from '../services/importer.mjs';

const router = new Router({ prefix: '/share' });
const defaults = { theme: 'light', expiresIn: 7 };

function deepAssign(target, source) {
  for (const key in source) {
    if (typeof source[key] === 'object' && source[key] !== null) {
      target[key] = target[key] || {};
      deepAssign(target[key], source[key]);
    } else {
      // vuln: prototype-pollution
      target[key] = source[key];
    }
  }
  return target;
}

function safeAssign(target, source) {
  for (const key of Object.keys(source)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    // safe: prototype-pollution
    target[key] = source[key];
  }
  return target;
}

router.post('/', async (ctx) => {
  // vuln: prototype-pollution
  const options = deepAssign({}, ctx.request.body);
  // vuln: randomness
  const slug = Math.floor(Math.random() * 1e12).toString(36);
  ctx.cookies.set('share_owner', slug, {
    signed: true,
    // vuln: cookie
    httpOnly: false,
  });
  ctx.body = { slug, options: { ...defaults, ...options } };
});

router.post('/safe', async (ctx) => {
  const options = safeAssign(Object.create(null), ctx.request.body);
  // safe: randomness
  const slug = crypto.randomUUID();
  // safe: cookie
  ctx.cookies.set('share_owner', slug, { signed: true, httpOnly: true, secure: true, sameSite: 'lax' });
  ctx.body = { slug, options };
});

router.get('/preview', async (ctx) => {
  // vuln: ssrf
  ctx.body = await fetchPreview(ctx.query.url);
});

router.get('/asset/:id', async (ctx) => {
  // safe: ssrf
  ctx.body = await fetchFromCdn(ctx.params.id);
});

router.get('/sig', async (ctx) => {
  // vuln: weak-crypto
  const sig = crypto.createHmac('md5', process.env.SHARE_KEY).update(ctx.query.slug).digest('hex');
  ctx.body = { sig };
});

router.get('/sig-safe', async (ctx) => {
  // safe: weak-crypto
  const sig = crypto.createHmac('sha256', process.env.SHARE_KEY).update(ctx.query.slug).digest('hex');
  ctx.body = { sig };
});

router.get('/legacy', async (ctx) => {
  // vuln: weak-crypto
  const cipher = crypto.createCipheriv('aes-128-ecb', Buffer.from(process.env.SHARE_KEY, 'hex'), null);
  ctx.body = cipher.update(ctx.query.slug, 'utf8', 'base64') + cipher.final('base64');
});

export default router;
