import { NextResponse } from 'next/server';
import https from 'node:https';
import { parseStringPromise } from 'xml2js';
import libxmljs from 'libxmljs';

const insecureAgent = new https.Agent({
  // vuln: tls
  rejectUnauthorized: false,
});

export async function POST(request: Request) {
  const xml = await request.text();
  const url = new URL(request.url);
  if (url.searchParams.get('engine') === 'libxml') {
    // vuln: xxe
    const doc = libxmljs.parseXmlString(xml, { noent: true });
    return NextResponse.json({ root: doc.root()?.name() });
  }
  // safe: xxe
  const parsed = await parseStringPromise(xml);
  return NextResponse.json(parsed);
}

export async function GET() {
  const res = await new Promise<number>((resolve, reject) => {
    https.get('https://bi.internal/export', { agent: insecureAgent }, (r) => resolve(r.statusCode ?? 0)).on('error', reject);
  });
  return NextResponse.json({ status: res });
}
