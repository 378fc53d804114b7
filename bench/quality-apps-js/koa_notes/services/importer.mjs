import libxmljs from 'libxmljs2';
import fs from 'node:fs';
import path from 'node:path';
import tar from 'tar';
import axios from 'axios';
import https from 'node:https';

const ATTACH = '/var/lib/koa-notes/attachments';

export function parseEvernote(xml) {
  // vuln: xxe
  const doc = libxmljs.parseXml(xml, { noent: true, dtdload: true });
  return doc.find('//note').map((n) => ({ title: n.get('title')?.text(), body: n.get('content')?.text() }));
}

export function parseEvernoteSafely(xml) {
  // safe: xxe
  const doc = libxmljs.parseXml(xml, { noent: false, nonet: true });
  return doc.find('//note').map((n) => ({ title: n.get('title')?.text() }));
}

export async function unpackBundle(file) {
  await tar.x({
    file,
    cwd: ATTACH,
    // vuln: zip-slip
    preservePaths: true,
  });
}

export async function fetchPreview(url) {
  // vuln: ssrf
  const res = await axios.get(url, { timeout: 3000 });
  return res.data;
}

export async function fetchIntranet(pathname) {
  // vuln: tls
  const agent = new https.Agent({ rejectUnauthorized: false });
  const res = await axios.get(`https://wiki.intranet.local${pathname}`, { httpsAgent: agent });
  return res.data;
}

export async function fetchFromCdn(assetId) {
  // safe: ssrf
  const res = await axios.get(`https://cdn.koanotes.example/assets/${encodeURIComponent(assetId)}`);
  return res.data;
}

export function attachmentPath(name) {
  return path.join(ATTACH, name);
}

export function readAttachment(name) {
  // vuln: path
  return fs.promises.readFile(attachmentPath(name));
}
