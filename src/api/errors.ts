/** A request `scan()` cannot carry out as given (bad arguments); the CLI exits 2 with its message. */
export class UsageError extends Error {
  override name = 'UsageError';
}
