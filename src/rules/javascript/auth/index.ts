import type { AnyRule } from '../../define-rule.js';
import jwtHardcodedSecret from './jwt-hardcoded-secret.js';
import jwtIgnoreExpiration from './jwt-ignore-expiration.js';
import jwtNoneAlgorithm from './jwt-none-algorithm.js';
import sessionSecretHardcoded from './session-secret-hardcoded.js';

/** JavaScript/TypeScript authentication: JWT verification weakened, signing secrets in the code. */
export const javascriptAuthRules: AnyRule[] = [jwtHardcodedSecret, jwtNoneAlgorithm, jwtIgnoreExpiration, sessionSecretHardcoded];
