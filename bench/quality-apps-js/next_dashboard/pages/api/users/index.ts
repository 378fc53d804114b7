import type { NextApiRequest, NextApiResponse } from 'next';
import { usersInTeam, usersInTeamSafe, auditFor, auditForSafe } from '../../../lib/db';
import { readSession, sessionCookie } from '../../../lib/session';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const team = req.query.team as string;
  if (req.query.safe) {
    // safe: sqli
    return res.json(await usersInTeamSafe(team));
  }
  // vuln: sqli
  const users = await usersInTeam(team);
  res.json(users);
}
