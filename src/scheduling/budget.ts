/**
 * A per-file time budget. Long phases (parse, rule walk, data-flow model) check it between
 * steps and throw `BudgetExceeded`, which the scan turns into a `skipped` diagnostic.
 */
export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
  constructor(
    readonly phase: string,
    readonly limitMs: number,
  ) {
    super(`analysis exceeded the ${formatSeconds(limitMs)} time budget during ${phase}`);
  }
}

export class Budget {
  private readonly deadline: number;
  constructor(readonly limitMs: number) {
    this.deadline = limitMs > 0 && Number.isFinite(limitMs) ? performance.now() + limitMs : Infinity;
  }

  /** No limit. */
  static readonly none = new Budget(Infinity);

  expired(): boolean {
    return this.deadline !== Infinity && performance.now() > this.deadline;
  }

  check(phase: string): void {
    if (this.expired()) throw new BudgetExceeded(phase, this.limitMs);
  }
}

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(s < 1 ? 3 : 1)} s`;
}

/** "5MiB", "512k", "10 MB", "1048576" → bytes; undefined when not a size. */
export function parseSize(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text > 0 ? Math.floor(text) : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)(i?b?)\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const binary = m[3]!.toLowerCase().startsWith('i') || m[3] === '';
  const base = binary ? 1024 : 1000;
  const power = unit === 'k' ? 1 : unit === 'm' ? 2 : unit === 'g' ? 3 : 0;
  const bytes = Math.floor(Number(m[1]) * base ** power);
  return bytes > 0 ? bytes : undefined;
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1).replace(/\.0$/, '')} KiB`;
  return `${bytes} bytes`;
}
