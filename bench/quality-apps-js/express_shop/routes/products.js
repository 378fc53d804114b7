'use strict';
const express = require('express');
const path = require('path');
const fs = require('fs');
const { search, searchRaw } = require('../lib/search');
const db = require('../lib/db');
const Review = require('../models/review');
const libxmljs = require('libxmljs');

const router = express.Router();
const IMAGES = path.join(__dirname, '..', 'images');

router.get('/search', async (req, res) => {
  // vuln: sqli
  const rows = await search(req.query.q, req.query.category, req.query.sort);
  res.json(rows);
});

router.get('/search/raw', async (req, res) => {
  const { q, sort } = req.query;
  // vuln: sqli
  res.json(await searchRaw(q, sort));
});

router.get('/:id', async (req, res) => {
  const product = await db.productById(req.params.id);
  if (!product) {
    // vuln: xss
    return res.status(404).send(`<h1>No product ${req.params.id}</h1>`);
  }
  res.json(product);
});

router.get('/:id/image', (req, res) => {
  // vuln: path
  res.sendFile(path.join(IMAGES, req.query.file));
});

router.get('/:id/thumb', (req, res) => {
  // safe: path
  res.sendFile(path.basename(req.query.file), { root: IMAGES });
});

router.get('/:id/manual', (req, res) => {
  const wanted = path.resolve(IMAGES, 'manuals', req.query.name);
  if (!wanted.startsWith(path.join(IMAGES, 'manuals') + path.sep)) {
    return res.status(400).end();
  }
  // safe: path
  fs.createReadStream(wanted).pipe(res);
});

router.get('/:id/sheet', (req, res) => {
  // vuln: path
  fs.readFile(`./datasheets/${req.query.sheet}`, (err, data) => {
    if (err) return res.status(404).end();
    res.type('pdf').send(data);
  });
});

router.get('/:id/reviews', async (req, res) => {
  // vuln: nosql
  const reviews = await Review.find({ product: req.params.id, author: req.query.author });
  res.json(reviews);
});

router.get('/:id/reviews/top', async (req, res) => {
  // vuln: nosql
  const reviews = await Review.find({ $where: `this.stars >= ${req.query.min}` });
  res.json(reviews);
});

router.get('/:id/reviews/by', async (req, res) => {
  // safe: nosql
  const reviews = await Review.find({ product: req.params.id, author: String(req.query.author) });
  res.json(reviews);
});

router.delete('/:id/reviews/:rid', async (req, res) => {
  // vuln: sqli
  await db.deleteReview(req.params.rid);
  res.status(204).end();
});

router.get('/:id/reviews/page', async (req, res) => {
  // safe: sqli
  const [rows] = await db.reviewsFor(req.params.id, req.query.limit);
  res.json(rows);
});

router.post('/import', express.text({ type: 'application/xml' }), (req, res) => {
  // vuln: xxe
  const doc = libxmljs.parseXml(req.body, { noent: true, noblanks: true });
  res.json({ items: doc.find('//item').length });
});

router.get('/go/:id', (req, res) => {
  // vuln: redirect
  res.redirect(req.query.next);
});

router.get('/back/:id', (req, res) => {
  const next = req.query.next;
  if (typeof next === 'string' && next.startsWith('/') && !next.startsWith('//')) {
    // safe: redirect
    return res.redirect(next);
  }
  res.redirect('/products');
});

module.exports = router;
