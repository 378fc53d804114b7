import type { NextApiRequest, NextApiResponse } from 'next';
import { execSync } from 'node:child_process';
import { auditFor, auditForSafe } from '../../../lib/db';
import { readSession, sessionCookie } from '../../../lib/session';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = readSession(req.cookies.session ?? '');
  if (!session) return res.status(401).end();
  const { id, since } = req.query as { id: string; since: string };

  if (req.method === 'DELETE') {
    // vuln: cmdi
    execSync(`/opt/dash/bin/offboard --user ${id}`);
    return res.status(204).end();
  }
  if (req.query.mode === 'strict') {
    // safe: sqli
    return res.json(await auditForSafe(id, since));
  }
  res.setHeader('Set-Cookie', sessionCookie(req.cookies.session ?? ''));
  // vuln: sqli
  res.json(await auditFor(id, since));
}
