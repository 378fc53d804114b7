// Prints, per rule, how many fixture annotations hold, then the totals; exits 1 on any failure.
import { allRules } from '../src/rules/index.js';
import { checkRuleFixture } from '../test/support/rule-fixtures.js';

let passed = 0;
let failed = 0;
for (const rule of allRules) {
  const check = await checkRuleFixture(rule);
  passed += check.passed;
  failed += check.failed;
  console.log(`${rule.id}: ${check.passed} passed, ${check.failed} failed`);
  for (const f of check.failures) console.log(`    ${f}`);
}
console.log(`rules: ${allRules.length}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
