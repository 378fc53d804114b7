import type { NextApiRequest, NextApiResponse } from 'next';
import fs from 'node:fs';
import path from 'node:path';

const AVATARS = path.join(process.cwd(), 'uploads', 'avatars');

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  const name = String(req.query.name);
  if (req.query.v === '2') {
    // safe: path
    const file = path.join(AVATARS, path.basename(name));
    return res.send(fs.readFileSync(file));
  }
  // vuln: path
  res.send(fs.readFileSync(path.join(AVATARS, name)));
}
