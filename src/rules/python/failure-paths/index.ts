import type { AnyRule } from '../../define-rule.js';
import broadExceptionFallback from './broad-exception-fallback.js';
import resourceLeakOnError from './resource-leak-on-error.js';
import stateCommittedBeforeSuccess from './state-committed-before-success.js';

/** Failure-path review (issue #14): what a function leaves behind, or falls back to, when a step raises. */
export const failurePathRules: AnyRule[] = [broadExceptionFallback, resourceLeakOnError, stateCommittedBeforeSuccess];
