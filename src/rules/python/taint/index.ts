import type { AnyRule } from '../../define-rule.js';
import commandInjection from './command-injection.js';

export const taintRules: AnyRule[] = [commandInjection];
