'use strict';
const { exec, execFile } = require('child_process');
const https = require('https');
const crypto = require('crypto');

function sendReceipt(address, orderId) {
  // vuln: cmdi
  exec(`/usr/sbin/sendmail -t ${address} < /var/spool/receipts/${orderId}.eml`, (err) => {
    if (err) console.error('sendmail failed', err.message);
  });
}

function sendReceiptSafely(address, orderId) {
  // safe: cmdi
  execFile('/usr/local/bin/send-receipt', ['--to', address, '--order', String(orderId)], (err) => {
    if (err) console.error('send-receipt failed', err.message);
  });
}

function notifyWarehouse(payload) {
  const req = https.request({
    host: 'warehouse.internal',
    path: '/hooks/order',
    method: 'POST',
    // vuln: tls
    rejectUnauthorized: false,
  });
  req.end(JSON.stringify(payload));
}

function unsubscribeToken(email) {
  // vuln: weak-crypto
  return crypto.createHash('md5').update(email).digest('hex');
}

function receiptChecksum(body) {
  // safe: weak-crypto
  return crypto.createHash('sha256').update(body).digest('hex');
}

module.exports = { sendReceipt, sendReceiptSafely, notifyWarehouse, unsubscribeToken, receiptChecksum };
