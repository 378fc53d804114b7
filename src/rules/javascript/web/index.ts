import type { AnyRule } from '../../define-rule.js';
import cookieSamesiteNone from './cookie-samesite-none.js';
import cookieWithoutHttponly from './cookie-without-httponly.js';
import cookieWithoutSecure from './cookie-without-secure.js';
import corsCredentialsAnyOrigin from './cors-credentials-any-origin.js';
import stackTraceInResponse from './stack-trace-in-response.js';

/** JavaScript/TypeScript web servers: cookie flags, CORS, error details in responses. */
export const javascriptWebRules: AnyRule[] = [cookieWithoutSecure, cookieWithoutHttponly, cookieSamesiteNone, corsCredentialsAnyOrigin, stackTraceInResponse];
