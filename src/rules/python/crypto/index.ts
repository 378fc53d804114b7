import type { AnyRule } from '../../define-rule.js';
import hardcodedSecret from './hardcoded-secret.js';
import insecureRandom from './insecure-random.js';
import insecureTransport from './insecure-transport.js';
import timingUnsafeComparison from './timing-unsafe-comparison.js';
import tlsVerificationDisabled from './tls-verification-disabled.js';
import weakCipher from './weak-cipher.js';
import weakHash from './weak-hash.js';
import weakKeySize from './weak-key-size.js';
import weakTlsProtocol from './weak-tls-protocol.js';
import jwtVerificationDisabled from './jwt-verification-disabled.js';
import fastPasswordHash from './fast-password-hash.js';

/** Cryptography, TLS and secrets: broken primitives, disabled verification, predictable or exposed secrets. */
export const cryptoRules: AnyRule[] = [
  tlsVerificationDisabled,
  weakHash,
  weakCipher,
  weakTlsProtocol,
  weakKeySize,
  insecureRandom,
  hardcodedSecret,
  timingUnsafeComparison,
  insecureTransport,
  jwtVerificationDisabled,
  fastPasswordHash,
];
