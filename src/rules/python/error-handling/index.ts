import type { AnyRule } from '../../define-rule.js';
import assertUsedForSecurity from './assert-used-for-security.js';
import bareExcept from './bare-except.js';
import exceptionSwallowed from './exception-swallowed.js';
import isLiteralComparison from './is-literal-comparison.js';
import osSetuidOrder from './os-setuid-order.js';
import regexCatastrophicBacktracking from './regex-catastrophic-backtracking.js';
import returnInFinally from './return-in-finally.js';
import uncheckedSecurityCommand from './unchecked-security-command.js';

export const errorHandlingRules: AnyRule[] = [
  assertUsedForSecurity,
  bareExcept,
  exceptionSwallowed,
  isLiteralComparison,
  osSetuidOrder,
  regexCatastrophicBacktracking,
  returnInFinally,
  uncheckedSecurityCommand,
];
