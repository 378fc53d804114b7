import { NextResponse } from 'next/server';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';

const REPORTS = '/srv/dashboard/reports';

export async function GET(request: Request, { params }: { params: { id: string } }) {
  const format = new URL(request.url).searchParams.get('format') ?? 'pdf';
  // vuln: path
  const data = await fs.readFile(path.join(REPORTS, `${params.id}.${format}`));
  return new NextResponse(data);
}

export async function POST(request: Request, { params }: { params: { id: string } }) {
  const body = await request.json();
  // vuln: cmdi
  const out = spawnSync('sh', ['-c', `render-report ${params.id} --title "${body.title}"`]);
  return NextResponse.json({ status: out.status });
}

export async function PUT(request: Request, { params }: { params: { id: string } }) {
  const body = await request.json();
  // safe: cmdi
  const out = spawnSync('render-report', [params.id, '--title', String(body.title)]);
  return NextResponse.json({ status: out.status });
}

export async function DELETE(_request: Request, { params }: { params: { id: string } }) {
  const id = Number.parseInt(params.id, 10);
  if (!Number.isInteger(id)) return NextResponse.json({ error: 'bad id' }, { status: 400 });
  // safe: path
  await fs.rm(path.join(REPORTS, `${id}.pdf`));
  return new NextResponse(null, { status: 204 });
}
