import type { AnyRule } from '../../define-rule.js';
import codeInjection from './code-injection.js';
import commandInjection from './command-injection.js';
import nosqlInjection from './nosql-injection.js';
import openRedirect from './open-redirect.js';
import pathTraversal from './path-traversal.js';
import sqlInjection from './sql-injection.js';
import ssrf from './ssrf.js';
import xss from './xss.js';

/** JavaScript/TypeScript taint rules: one per sink kind, found by the taint engine over the JavaScript program. */
export const javascriptTaintRules: AnyRule[] = [codeInjection, commandInjection, nosqlInjection, openRedirect, pathTraversal, sqlInjection, ssrf, xss];
