import { NextResponse } from 'next/server';
import { parseStringPromise } from 'xml2js';
import crypto from 'node:crypto';

export async function POST(request: Request) {
  const raw = await request.text();
  try {
    const doc = await parseStringPromise(raw);
    // vuln: code-injection
    const handler = eval(doc.event.handler[0]);
    return NextResponse.json({ ok: true, result: handler?.name });
  } catch (err) {
    // vuln: error-exposure
    return NextResponse.json({ error: String(err), stack: (err as Error).stack }, { status: 500 });
  }
}

export async function PUT(request: Request) {
  const raw = await request.text();
  const expected = request.headers.get('x-signature') ?? '';
  const actual = crypto.createHmac('sha256', process.env.WEBHOOK_KEY ?? '').update(raw).digest('hex');
  if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(actual))) {
    // safe: error-exposure
    return NextResponse.json({ error: 'invalid signature' }, { status: 401 });
  }
  // vuln: prototype-pollution
  const settings = Object.assign({}, JSON.parse(raw));
  return NextResponse.json(settings);
}
