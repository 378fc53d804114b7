import { describe, expect, it } from 'vitest';
import { allRules } from '../../src/rules/index.js';
import { checkRuleFixture } from '../support/rule-fixtures.js';

describe('rule fixtures: every ruleid line is found, every ok line is not, nothing else is', () => {
  for (const rule of allRules) {
    it(rule.id, async () => {
      const check = await checkRuleFixture(rule);
      expect(check.failures).toEqual([]);
      expect(check.positives).toBeGreaterThan(0);
      expect(check.negatives).toBeGreaterThan(0);
    });
  }
});
