import type { CalleeRef, CallSite } from './facts.js';
import type { ConcurrencyProgram } from './program.js';

/**
 * Which functions of the program may block, and so let another green thread run (under
 * `eventlet.monkey_patch()` a green thread switches only where it blocks): a function blocks when
 * its body makes a call the front end knows may block and the program cannot resolve (I/O, RPC,
 * a subprocess, a sleep, a lock, an unknown library), when it calls a function of the program that
 * blocks, or when a call it makes resolves to nothing or only by the method's name (an unknown
 * callee is assumed to block).
 * Calls the front end marked pure (builtins, container and string methods, logging) never block.
 * A coroutine counts as blocking (its caller's event loop may switch at any `await`).
 * Recursion is resolved to the least fixed point: a cycle blocks only if something in it does.
 */
export class BlockingSummary {
  private blocking?: Set<string>;

  constructor(
    private readonly program: ConcurrencyProgram,
    /** Locks each function's callers hold for it. */
    private readonly inherited: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  ) {}

  /**
   * Whether code holding `lock` may block while function `id` runs with it held: the function's
   * own section holding it, or (a lock its callers hold for it) the callers' sections holding it,
   * which include the call of this function.
   */
  heldMayBlock(id: string, lock: string, seen = new Set<string>()): boolean {
    if (seen.has(id)) return false;
    seen.add(id);
    const fn = this.program.functions.get(id);
    if (!fn) return true;
    const own = fn.locks.includes(lock) || fn.calls.some((c) => c.locks.includes(lock)) || fn.accesses.some((a) => a.locks.includes(lock)) || (fn.blocks ?? []).some((b) => b.locks.includes(lock));
    if (own && this.regionMayBlock(id, lock)) return true;
    if (fn.locks.includes(lock)) return false;
    let viaCallers = false;
    for (const { from, edge } of this.program.callers.get(id) ?? []) {
      if (!edge.locks.includes(lock) && !this.inherited.get(from)?.has(lock)) continue;
      viaCallers = true;
      if (this.heldMayBlock(from, lock, seen)) return true;
    }
    // Held for it, but by no caller the program shows: assume the worst.
    return !own && !viaCallers && !!this.inherited.get(id)?.has(lock);
  }

  /** Whether function `id` may block (a function the program does not have is assumed to). */
  mayBlock(id: string): boolean {
    if (!this.program.functions.has(id)) return true;
    return this.computed().has(id);
  }

  /**
   * Whether calling `ref` from function `near` may block: a call that resolves to nothing, or only
   * by the method's name (the receiver may be a client of another library), is assumed to.
   */
  callMayBlock(ref: CalleeRef, near: string): boolean {
    const { targets, weak } = this.program.resolve(ref, near);
    return weak || targets.length === 0 || targets.some((t) => this.mayBlock(t));
  }

  /**
   * Whether the part of function `id` that holds `lock` may block: its calls made holding it, or
   * all of them when the lock is the function's own for the whole body (a lock decorator).
   */
  regionMayBlock(id: string, lock: string): boolean {
    const fn = this.program.functions.get(id);
    if (!fn || fn.async) return true;
    const whole = fn.locks.includes(lock);
    if ((fn.blocks ?? []).some((b) => whole || b.locks.includes(lock))) return true;
    return fn.calls.some((c) => (whole || c.locks.includes(lock)) && this.siteMayBlock(c, id));
  }

  private siteMayBlock(c: CallSite, near: string): boolean {
    return !c.pure && this.callMayBlock(c.callee, near);
  }

  /** The blocking functions: those that block themselves, then their callers, to a fixed point. */
  private computed(): Set<string> {
    if (this.blocking) return this.blocking;
    const blocking = new Set<string>();
    const callers = new Map<string, string[]>();
    const queue: string[] = [];
    for (const [id, fn] of this.program.functions) {
      let own = fn.async || (fn.blocks ?? []).length > 0;
      for (const c of fn.calls) {
        if (own) break;
        if (c.pure) continue;
        const { targets, weak } = this.program.resolve(c.callee, id);
        if (weak || targets.length === 0) own = true;
        for (const t of targets) {
          if (!this.program.functions.has(t)) own = true;
          const list = callers.get(t);
          if (list) list.push(id);
          else callers.set(t, [id]);
        }
      }
      if (own) {
        blocking.add(id);
        queue.push(id);
      }
    }
    for (let i = 0; i < queue.length; i++) {
      for (const caller of callers.get(queue[i]!) ?? []) {
        if (blocking.has(caller)) continue;
        blocking.add(caller);
        queue.push(caller);
      }
    }
    this.blocking = blocking;
    return blocking;
  }
}
