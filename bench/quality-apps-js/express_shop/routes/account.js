'use strict';
const express = require('express');
const crypto = require('crypto');
const jwt = require('jsonwebtoken');

const router = express.Router();
// vuln: secrets
const JWT_SECRET = 'a8f5f167f44f4964e6c998dee827110c';
const SIGNING_KEY = process.env.JWT_SIGNING_KEY;

router.post('/reset', (req, res) => {
  // vuln: randomness
  const token = Math.random().toString(36).slice(2);
  res.cookie('reset', token);
  res.json({ sent: true });
});

router.post('/reset-safe', (req, res) => {
  // safe: randomness
  const token = crypto.randomBytes(32).toString('hex');
  // safe: cookie
  res.cookie('reset', token, { httpOnly: true, secure: true, sameSite: 'strict' });
  res.json({ sent: true });
});

router.post('/login', (req, res) => {
  // vuln: jwt
  const token = jwt.sign({ sub: req.body.user }, JWT_SECRET, { algorithm: 'none' });
  // vuln: cookie
  res.cookie('auth', token, { httpOnly: false });
  res.json({ ok: true });
});

router.get('/me', (req, res) => {
  // vuln: jwt
  const claims = jwt.decode(req.cookies.auth);
  res.json(claims);
});

router.get('/me-verified', (req, res) => {
  // safe: jwt
  const claims = jwt.verify(req.cookies.auth, SIGNING_KEY, { algorithms: ['HS256'] });
  res.json(claims);
});

router.get('/me-loose', (req, res) => {
  // vuln: jwt
  const claims = jwt.verify(req.cookies.auth, SIGNING_KEY, { algorithms: ['HS256', 'none'] });
  res.json(claims);
});

router.post('/password', (req, res) => {
  // vuln: weak-crypto
  const hash = crypto.createHash('sha1').update(req.body.password).digest('hex');
  res.json({ hash });
});

router.post('/password-safe', (req, res) => {
  const salt = crypto.randomBytes(16);
  // safe: weak-crypto
  const hash = crypto.scryptSync(req.body.password, salt, 64).toString('hex');
  res.json({ hash, salt: salt.toString('hex') });
});

router.post('/card', (req, res) => {
  const key = crypto.scryptSync(process.env.CARD_KEY, 'salt', 24);
  // vuln: weak-crypto
  const cipher = crypto.createCipheriv('des-ede3-cbc', key, Buffer.alloc(8));
  res.send(cipher.update(req.body.pan, 'utf8', 'hex') + cipher.final('hex'));
});

router.get('/greet', (req, res) => {
  // vuln: xss
  res.send('<p>Welcome back, ' + req.query.name + '</p>');
});

router.get('/greet-safe', (req, res) => {
  const name = String(req.query.name).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // safe: xss
  res.send('<p>Welcome back, ' + name + '</p>');
});

router.get('/avatar', async (req, res) => {
  // vuln: ssrf
  const upstream = await fetch(req.query.url);
  res.type(upstream.headers.get('content-type') || 'image/png').send(Buffer.from(await upstream.arrayBuffer()));
});

module.exports = router;
