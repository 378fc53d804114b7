'use strict';
const db = require('./db');

const SORTABLE = new Set(['name', 'price', 'created_at']);

function buildFilter(term, category) {
  const parts = [`name LIKE '%${term}%'`];
  if (category) parts.push(`category = '${category}'`);
  return parts.join(' AND ');
}

async function search(term, category, sort) {
  const order = SORTABLE.has(sort) ? sort : 'name';
  return db.findProducts(buildFilter(term, category), order);
}

async function searchRaw(term, sort) {
  return db.findProducts(`name LIKE '%${term}%'`, sort);
}

module.exports = { search, searchRaw };
