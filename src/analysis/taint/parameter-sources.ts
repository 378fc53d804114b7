import type { ClassIR, FunctionIR } from './ir.js';
import type { SinkModel, SourceModel } from './models.js';
import type { Program } from './program.js';

/**
 * Sources rooted at a parameter (`request.GET` in a view taking `request`, optionally only in
 * methods of classes deriving from a `within` class): which of them can apply in a function,
 * answered once per function and, for `within`, once per class.
 */
export class ParameterSources {
  private readonly parameterSources: SourceModel[] = [];
  /** The parameter names parameter sources are rooted at. */
  private readonly parameterSourceNames = new Set<string>();

  /** Sinks restricted to methods of some classes (`within`), answered with the sources' `within`. */
  private readonly withinSinks: SinkModel[];

  constructor(
    sources: readonly SourceModel[],
    sinks: readonly SinkModel[],
    private readonly program: Program,
    private readonly classOfMethod: ReadonlyMap<FunctionIR, ClassIR>,
    /** Whether a method has a receiver parameter (parameter 0), by its language's rules. */
    private readonly hasReceiver: (fn: FunctionIR) => boolean,
  ) {
    this.withinSinks = sinks.filter((s) => s.within);
    for (const s of sources) {
      if (!s.parameter) continue;
      this.parameterSources.push(s);
      this.parameterSourceNames.add(s.parameter);
    }
  }

  /** Whether the class derives from each `within` source's classes, in model order. */
  withinAnswer(cls: ClassIR): string {
    let answer = '';
    for (const s of this.parameterSources) if (s.within) answer += this.within(cls, s) ? '1' : '0';
    for (const s of this.withinSinks) answer += this.within(cls, s) ? '1' : '0';
    return answer;
  }

  mayHaveParameterSources(fn: FunctionIR): boolean {
    return fn.params.some((p) => this.parameterSourceNames.has(p.name));
  }

  /** The parameter sources that can apply in `fn` (it has the parameter, its class qualifies), in model order. */
  parameterSourcesFor(fn: FunctionIR, on: 'access' | 'call'): readonly SourceModel[] {
    const cache = on === 'access' ? this.accessParameterSources : this.callParameterSources;
    let list = cache.get(fn);
    if (!list && !this.mayHaveParameterSources(fn)) {
      list = NONE;
      cache.set(fn, list);
    }
    if (!list) {
      const found: SourceModel[] = [];
      for (const s of this.parameterSources) {
        if (s.on !== on) continue;
        const param = s.parameter!;
        if (!hasParam(fn, param)) continue;
        if (s.within) {
          const cls = this.classOfMethod.get(fn);
          if (!cls || !this.hasReceiver(fn) || fn.params[0]?.name !== param || !this.within(cls, s)) continue;
        }
        found.push(s);
      }
      list = found.length > 0 ? found : NONE;
      cache.set(fn, list);
    }
    return list;
  }


  /** Whether the class derives from one of the classes a source or sink is `within` (asked for each method, answered per class). */
  within(cls: ClassIR, s: SourceModel | SinkModel): boolean {
    let answers = this.withinAnswers.get(cls);
    if (!answers) {
      answers = new Map();
      this.withinAnswers.set(cls, answers);
    }
    let answer = answers.get(s);
    if (answer === undefined) {
      const bases = typeof s.within === 'string' ? [s.within] : s.within!;
      answer = bases.some((b) => this.program.derivesFrom(cls, b));
      answers.set(s, answer);
    }
    return answer;
  }

  private readonly withinAnswers = new Map<ClassIR, Map<SourceModel | SinkModel, boolean>>();
  private readonly accessParameterSources = new Map<FunctionIR, readonly SourceModel[]>();
  private readonly callParameterSources = new Map<FunctionIR, readonly SourceModel[]>();
}

const NONE: readonly never[] = [];

function hasParam(fn: FunctionIR, name: string): boolean {
  for (const p of fn.params) if (p.name === name) return true;
  return false;
}
