import type { AnyRule } from '../../define-rule.js';
import hardcodedSecret from './hardcoded-secret.js';
import timingUnsafeComparison from './timing-unsafe-comparison.js';
import tlsEnvDisabled from './tls-env-disabled.js';
import tlsVerificationDisabled from './tls-verification-disabled.js';
import deprecatedCreateCipher from './deprecated-create-cipher.js';
import insecureRandom from './insecure-random.js';
import staticIv from './static-iv.js';
import weakCipher from './weak-cipher.js';
import weakHash from './weak-hash.js';
import weakKeySize from './weak-key-size.js';
import weakPasswordHashCost from './weak-password-hash-cost.js';
import weakTlsProtocol from './weak-tls-protocol.js';

/** JavaScript/TypeScript cryptography: predictable randomness, broken primitives, weak parameters. */
export const javascriptCryptoRules: AnyRule[] = [
  insecureRandom, weakHash, weakCipher, deprecatedCreateCipher, staticIv, weakKeySize, weakTlsProtocol, weakPasswordHashCost,
  hardcodedSecret, tlsVerificationDisabled, tlsEnvDisabled, timingUnsafeComparison,
];
