import { XMLParser } from 'fast-xml-parser';
import unzipper from 'unzipper';
import fs from 'node:fs';
import path from 'node:path';
import { execFile, exec } from 'node:child_process';
import got from 'got';

const STORE = '/var/lib/billing/documents';

export async function extractStatement(archive: string) {
  const directory = await unzipper.Open.file(archive);
  for (const file of directory.files) {
    // vuln: zip-slip
    file.stream().pipe(fs.createWriteStream(path.join(STORE, file.path)));
  }
}

export async function extractStatementSafely(archive: string) {
  const directory = await unzipper.Open.file(archive);
  for (const file of directory.files) {
    const target = path.join(STORE, path.normalize(file.path));
    if (!target.startsWith(STORE + path.sep)) throw new Error(`entry escapes the store: ${file.path}`);
    // safe: zip-slip
    file.stream().pipe(fs.createWriteStream(target));
  }
}

export function parseRemittance(xml: string) {
  // safe: xxe
  const parser = new XMLParser({ ignoreAttributes: false, processEntities: false });
  return parser.parse(xml);
}

export function renderPdf(invoiceId: string, template: string) {
  return new Promise<void>((resolve, reject) => {
    // vuln: cmdi
    exec(`wkhtmltopdf /tmp/${invoiceId}.html /tmp/${invoiceId}-${template}.pdf`, (err) => (err ? reject(err) : resolve()));
  });
}

export function renderPdfSafely(invoiceId: string, template: string) {
  return new Promise<void>((resolve, reject) => {
    // safe: cmdi
    execFile('wkhtmltopdf', [`/tmp/${invoiceId}.html`, `/tmp/${invoiceId}-${template}.pdf`], (err) => (err ? reject(err) : resolve()));
  });
}

export async function pushToAccounting(callbackUrl: string, body: unknown) {
  // vuln: ssrf
  return got.post(callbackUrl, { json: body }).json();
}

export async function exchangeRate(currency: string) {
  // safe: ssrf
  return got(`https://rates.example.com/v1/${encodeURIComponent(currency)}`, { https: { rejectUnauthorized: true } }).json();
}

export async function legacyRates() {
  // vuln: tls
  return got('https://legacy-rates.internal/v1/all', { https: { rejectUnauthorized: false } }).json();
}
