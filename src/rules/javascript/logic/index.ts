import type { AnyRule } from '../../define-rule.js';
import prototypePollutionMerge from './prototype-pollution-merge.js';
import redosNestedQuantifier from './redos-nested-quantifier.js';
import secretLogged from './secret-logged.js';

/** JavaScript/TypeScript program logic: regex complexity, prototype pollution, secrets in logs. */
export const javascriptLogicRules: AnyRule[] = [redosNestedQuantifier, prototypePollutionMerge, secretLogged];
