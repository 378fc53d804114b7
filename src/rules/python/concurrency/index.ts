import type { AnyRule } from '../../define-rule.js';
import checkThenActRace from './check-then-act-race.js';
import inconsistentLocking from './inconsistent-locking.js';
import lockNotReleased from './lock-not-released.js';

/** Concurrency rules: the first two are found by the whole-program concurrency analysis, the last per file. */
export const concurrencyRules: AnyRule[] = [checkThenActRace, inconsistentLocking, lockNotReleased];
