import type { AnyRule } from '../../define-rule.js';
import subprocessShellInjection from './subprocess-shell-injection.js';

export const injectionRules: AnyRule[] = [subprocessShellInjection];
