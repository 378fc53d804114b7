import type { AnyRule } from '../../define-rule.js';
import prototypePollutionMerge from './prototype-pollution-merge.js';
import redosNestedQuantifier from './redos-nested-quantifier.js';
import secretLogged from './secret-logged.js';
import swallowedVerificationError from './swallowed-verification-error.js';

/** JavaScript/TypeScript program logic: regex complexity, prototype pollution, secrets in logs, swallowed verification errors. */
export const javascriptLogicRules: AnyRule[] = [redosNestedQuantifier, prototypePollutionMerge, secretLogged, swallowedVerificationError];
