// Name tests shared by the JavaScript crypto and secrets rules.
import { nameWords } from '../syntax.js';

/** Words that say a value is, or protects, a secret or an authenticator. */
const SECURITY_WORDS = new Set([
  'password', 'passwd', 'pwd', 'passphrase', 'token', 'secret', 'signature', 'sign', 'signed', 'auth', 'authenticate',
  'hmac', 'credential', 'credentials', 'otp', 'nonce', 'salt', 'apikey', 'csrf', 'xsrf', 'session', 'sid', 'verify',
  'integrity', 'pin', 'captcha', 'totp', 'hotp', 'jwt', 'bearer', 'login', 'reset', 'invite', 'verification', 'cookie',
]);
/** Words that show a non-security use: naming or indexing things. */
const BENIGN_WORDS = new Set([
  'cache', 'etag', 'checksum', 'fingerprint', 'dedup', 'shard', 'bucket', 'partition', 'gravatar', 'color', 'colour',
  'avatar', 'filename', 'file', 'slug', 'memo', 'hashring', 'uuid', 'guid', 'sample', 'jitter', 'retry', 'delay',
  'backoff', 'shuffle', 'animation', 'position', 'offset', 'index', 'chart', 'test', 'mock', 'debug', 'css', 'class',
]);
/** The `key` of `apiKey`, `secretKey`, `privateKey`… but not of a React or cache key. */
const KEY_QUALIFIERS = new Set(['api', 'secret', 'private', 'access', 'signing', 'encryption', 'session', 'auth', 'master', 'client']);

function securityWord(words: string[], i: number): boolean {
  const w = words[i]!;
  if (SECURITY_WORDS.has(w)) return true;
  return w === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!);
}

/** Whether the names around a value say it protects something, only names something, or neither. */
export function classifyNames(names: readonly string[]): 'security' | 'benign' | 'unknown' {
  let security = false;
  let benign = false;
  for (const n of names) {
    const words = nameWords(n);
    words.forEach((w, i) => {
      if (securityWord(words, i)) security = true;
      if (BENIGN_WORDS.has(w)) benign = true;
    });
  }
  if (security && !benign) return 'security';
  if (benign && !security) return 'benign';
  return 'unknown';
}

/** Last words that make a name a credential: `dbPassword`, `API_KEY`, `clientSecret`, `authToken`. */
const CREDENTIAL_LAST = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'apikey', 'credentials']);

/** Whether a variable or property name denotes a credential by its last word (`passwordLabel` does not). */
export function isCredentialName(name: string): boolean {
  const words = nameWords(name);
  const last = words[words.length - 1];
  if (!last) return false;
  if (CREDENTIAL_LAST.has(last)) return true;
  return last === 'key' && words.length > 1 && KEY_QUALIFIERS.has(words[words.length - 2]!);
}
