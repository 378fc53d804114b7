/** Runs at most `concurrency` async tasks at once, in the order they were queued. */
export function createLimiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  // A queue read by index: `shift()` on a scan's 100,000 queued files would be quadratic.
  let queue: (() => void)[] = [];
  let head = 0;
  const next = (): void => {
    if (active >= concurrency || head >= queue.length) return;
    const start = queue[head++]!;
    if (head === queue.length) {
      queue = [];
      head = 0;
    }
    active++;
    start();
  };
  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolvePromise, reject) => {
      queue.push(() => {
        task()
          .then(resolvePromise, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}
