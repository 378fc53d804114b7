/** secreview's library API. */
export { scan, UsageError } from './api/scan.js';
export type { ScanOptions, ScanResult } from './api/scan.js';
export { scanChange } from './diff/review.js';
export type { ChangeScanOptions, ChangeScanResult } from './diff/review.js';
export { GitError } from './diff/git.js';
export { BaselineError, compareWithBaseline, createBaseline, readBaseline, writeBaseline } from './baseline/baseline.js';
export type { BaselineFile } from './baseline/baseline.js';
export { allRules, findRule } from './rules/index.js';
export { defineRule } from './rules/define-rule.js';
export type { AnyRule, RuleDefinition, RuleContext, RuleMeta, PythonVisitors } from './rules/define-rule.js';
export { ruleSummary } from './rules/catalogue-info.js';
export { ConfigError } from './config/config.js';
export { getCwe, pillarOf, isMappable, catalogueVersion } from './cwe/catalogue.js';
export { getReporter, reporterNames } from './report/index.js';
export * from './findings/types.js';
export { VERSION } from './version.js';
