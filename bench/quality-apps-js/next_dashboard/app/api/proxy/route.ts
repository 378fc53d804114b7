import { NextRequest, NextResponse } from 'next/server';

const ALLOWED_HOSTS = new Set(['api.github.com', 'status.example.com']);

export async function GET(request: NextRequest) {
  const target = request.nextUrl.searchParams.get('url') ?? '';
  // vuln: ssrf
  const upstream = await fetch(target, { headers: { accept: 'application/json' } });
  return new NextResponse(upstream.body, { status: upstream.status });
}

export async function POST(request: NextRequest) {
  const { url } = await request.json();
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' || !ALLOWED_HOSTS.has(parsed.hostname)) {
    return NextResponse.json({ error: 'host not allowed' }, { status: 400 });
  }
  // safe: ssrf
  const upstream = await fetch(parsed.toString());
  return NextResponse.json(await upstream.json());
}
