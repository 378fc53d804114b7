// Worker entry used when secreview runs from its TypeScript sources (tests, benchmarks under
// tsx): a new thread does not inherit the parent's loader, so register tsx here first.
import { register } from 'tsx/esm/api';

register();
const { default: runFileJob, writeCacheEntries, findConcurrencyIssues } = await import('./file-worker.ts');
export default runFileJob;
export { writeCacheEntries, findConcurrencyIssues };
