'use strict';
const mysql = require('mysql2/promise');

const pool = mysql.createPool({
  host: process.env.DB_HOST || 'localhost',
  user: 'shop',
  // vuln: secrets
  password: 'Sh0pP4ss!prod',
  database: 'shop',
});

async function findProducts(whereClause, order) {
  // vuln: sqli
  const [rows] = await pool.query(`SELECT id, name, price FROM products WHERE ${whereClause} ORDER BY ${order}`);
  return rows;
}

async function productById(id) {
  // safe: sqli
  const [rows] = await pool.execute('SELECT * FROM products WHERE id = ?', [id]);
  return rows[0];
}

async function deleteReview(reviewId) {
  // vuln: sqli
  return pool.query('DELETE FROM reviews WHERE id = ' + reviewId);
}

async function reviewsFor(productId, limit) {
  // safe: sqli
  return pool.query('SELECT * FROM reviews WHERE product_id = ? LIMIT ?', [productId, Number(limit)]);
}

module.exports = { pool, findProducts, productById, deleteReview, reviewsFor };
