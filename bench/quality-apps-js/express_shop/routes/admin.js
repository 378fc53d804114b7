'use strict';
const express = require('express');
const path = require('path');
const fs = require('fs');
const vm = require('vm');
const { execSync, spawn } = require('child_process');
const AdmZip = require('adm-zip');
const _ = require('lodash');
const mailer = require('../lib/mailer');

const router = express.Router();
const THEMES = path.join(__dirname, '..', 'themes');
const settings = { currency: 'EUR', taxRate: 0.2 };

router.post('/backup', (req, res) => {
  // vuln: cmdi
  const out = execSync('tar czf /backups/' + req.body.name + '.tgz /srv/shop/data');
  res.send(out.toString());
});

router.post('/convert', (req, res) => {
  // vuln: cmdi
  const child = spawn('convert', [req.body.src, 'out.png'], { shell: true });
  child.on('close', (code) => res.json({ code }));
});

router.post('/resize', (req, res) => {
  const width = parseInt(req.body.width, 10);
  // safe: cmdi
  const child = spawn('convert', ['-resize', `${width}x`, 'in.png', 'out.png']);
  child.on('close', (code) => res.json({ code }));
});

router.post('/pricing-rule', (req, res) => {
  const price = Number(req.body.price);
  // vuln: code-injection
  const result = eval(`(function (price) { return ${req.body.formula}; })`)(price);
  res.json({ result });
});

router.post('/report', (req, res) => {
  const sandbox = { orders: [], total: 0 };
  // vuln: code-injection
  vm.runInNewContext(req.body.script, sandbox, { timeout: 500 });
  res.json(sandbox.total);
});

router.post('/discount', (req, res) => {
  // vuln: code-injection
  const apply = new Function('order', req.body.discountCode);
  res.json(apply({ total: 100 }));
});

router.post('/settings', (req, res) => {
  // vuln: prototype-pollution
  _.merge(settings, req.body);
  res.json(settings);
});

router.post('/settings/:section', (req, res) => {
  const section = settings[req.params.section] || {};
  for (const key of Object.keys(req.body)) {
    // vuln: prototype-pollution
    section[key] = req.body[key];
  }
  // vuln: prototype-pollution
  settings[req.params.section] = section;
  res.json(settings);
});

router.post('/settings-safe', (req, res) => {
  const allowed = ['currency', 'taxRate'];
  for (const key of allowed) {
    // safe: prototype-pollution
    if (key in req.body) settings[key] = req.body[key];
  }
  res.json(settings);
});

router.post('/themes', (req, res) => {
  const zip = new AdmZip(req.body.archivePath);
  for (const entry of zip.getEntries()) {
    // vuln: zip-slip
    fs.writeFileSync(path.join(THEMES, entry.entryName), entry.getData());
  }
  res.status(201).end();
});

router.post('/themes-safe', (req, res) => {
  const zip = new AdmZip(req.body.archivePath);
  for (const entry of zip.getEntries()) {
    const target = path.resolve(THEMES, entry.entryName);
    if (!target.startsWith(THEMES + path.sep)) continue;
    // safe: zip-slip
    fs.writeFileSync(target, entry.getData());
  }
  res.status(201).end();
});

router.post('/receipt', (req, res) => {
  // vuln: cmdi
  mailer.sendReceipt(req.body.email, req.body.orderId);
  res.status(202).end();
});

router.post('/receipt-safe', (req, res) => {
  // safe: cmdi
  mailer.sendReceiptSafely(req.body.email, req.body.orderId);
  res.status(202).end();
});

router.get('/validate-sku', (req, res) => {
  // vuln: redos
  const pattern = new RegExp('^' + req.query.prefix + '-[0-9]+$');
  res.json({ ok: pattern.test(req.query.sku) });
});

router.get('/validate-email', (req, res) => {
  // vuln: redos
  const ok = /^([a-zA-Z0-9]+)*@example\.com$/.test(req.query.email);
  res.json({ ok });
});

router.get('/validate-code', (req, res) => {
  // safe: redos
  const ok = /^[A-Z]{3}-[0-9]{4}$/.test(req.query.code);
  res.json({ ok });
});

router.get('/debug', (req, res) => {
  try {
    JSON.parse(req.query.payload);
    res.send('ok');
  } catch (err) {
    // vuln: error-exposure
    res.status(400).json({ error: err.message, stack: err.stack });
  }
});

module.exports = router;
