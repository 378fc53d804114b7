import type { AnyRule } from '../../define-rule.js';
import childProcessShell from './child-process-shell.js';
import evalDynamicCode from './eval-dynamic-code.js';
import vmDynamicCode from './vm-dynamic-code.js';

/** JavaScript/TypeScript code and command execution from strings built at run time. */
export const javascriptCodeRules: AnyRule[] = [evalDynamicCode, vmDynamicCode, childProcessShell];
