import type { NextApiRequest, NextApiResponse } from 'next';
import crypto from 'node:crypto';
import { prisma } from '../../lib/db';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const { email, password, next } = req.body;
  // vuln: nosql
  const user = await prisma.user.findFirst({ where: { email, password } });
  if (!user) {
    // vuln: xss
    return res.status(401).send(`<p>Unknown account ${email}</p>`);
  }
  // vuln: weak-crypto
  const digest = crypto.createHash('md5').update(password + user.salt).digest('hex');
  if (digest !== user.passwordHash) return res.status(401).end();
  // vuln: redirect
  res.redirect(302, next);
}
