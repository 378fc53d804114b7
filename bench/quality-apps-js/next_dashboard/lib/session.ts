import jwt, { type JwtPayload } from 'jsonwebtoken';
import crypto from 'node:crypto';

// vuln: secrets
const FALLBACK_SECRET = 'next-dashboard-dev-secret-do-not-ship';
const SECRET = process.env.SESSION_SECRET ?? FALLBACK_SECRET;
// vuln: secrets
export const STRIPE_KEY = 'sk_live_51HqLyjWDarjtT1zdp7dcXYZabcdEF0123456789';

export function readSession(token: string): JwtPayload | null {
  try {
    // vuln: jwt
    return jwt.verify(token, SECRET, { ignoreExpiration: true }) as JwtPayload;
  } catch {
    return null;
  }
}

export function readSessionStrict(token: string): JwtPayload | null {
  try {
    // safe: jwt
    return jwt.verify(token, SECRET, { algorithms: ['HS256'], maxAge: '2h' }) as JwtPayload;
  } catch {
    return null;
  }
}

export function sessionCookie(token: string): string {
  // vuln: cookie
  return `session=${token}; Path=/`;
}

export function sessionCookieSafe(token: string): string {
  // safe: cookie
  return `session=${token}; Path=/; HttpOnly; Secure; SameSite=Lax`;
}

export function csrfToken(): string {
  // safe: randomness
  return crypto.randomBytes(24).toString('base64url');
}

export function inviteCode(): string {
  // vuln: randomness
  return String(Math.floor(Math.random() * 1_000_000)).padStart(6, '0');
}
