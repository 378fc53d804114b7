import type { HandlerModel, ModelSet, SinkKind, SinkModel, SourceModel } from './models.js';
import type { TaintSemantics } from './language.js';

/**
 * The models indexed for the interpreter's questions: which sinks, sanitiser, source and
 * pass-through summary apply to a call by qualified name or by method name, which source a
 * read of a qualified name is, the library class a call returns; the request handlers' decorators
 * (the language's semantics match them). Sources rooted at a parameter are parameter-sources.ts's.
 */
export class ModelIndex {
  private readonly sinksByName = new Map<string, SinkModel[]>();
  private readonly sinksByMethod = new Map<string, SinkModel[]>();
  private readonly callSources = new Map<string, SourceModel>();
  private readonly methodCallSources = new Map<string, SourceModel>();
  private readonly accessSources: SourceModel[] = [];
  private readonly sanitizersByName = new Map<string, ReadonlySet<SinkKind> | 'all'>();
  private readonly sanitizersByMethod = new Map<string, ReadonlySet<SinkKind> | 'all'>();
  private readonly summariesByName = new Map<string, (number | string)[]>();
  private readonly summariesByMethod = new Map<string, (number | string)[]>();
  /** The decorators that make a function a request handler (the language's semantics match them). */
  readonly handlers: readonly HandlerModel[];
  /** Library classes some model names a member of (`requests.Session` for `requests.Session.get`). */
  private readonly typeNames = new Set<string>();
  /** Calls returning an instance of a library class. */
  private readonly factories = new Map<string, string>();

  /** `semantics`: of the models' language, whose naming conventions decide which model names are class members. */
  constructor(models: ModelSet, semantics: TaintSemantics) {
    const push = <T>(map: Map<string, T[]>, key: string, v: T): void => {
      const list = map.get(key);
      if (list) list.push(v);
      else map.set(key, [v]);
    };
    for (const s of models.sinks) {
      if (s.name) push(this.sinksByName, s.name, s);
      if (s.method) push(this.sinksByMethod, s.method, s);
    }
    for (const s of models.sources) {
      // Sources rooted at a parameter are ParameterSources'.
      if (s.parameter) continue;
      if (s.on === 'call') {
        if (s.name) this.callSources.set(s.name, s);
        if (s.method) this.methodCallSources.set(s.method, s);
      } else if (s.name) this.accessSources.push(s);
    }
    for (const s of models.sanitizers) {
      const kinds = s.kinds === 'all' ? 'all' : new Set(s.kinds);
      if (s.name) this.sanitizersByName.set(s.name, kinds);
      if (s.method) this.sanitizersByMethod.set(s.method, kinds);
    }
    for (const s of models.summaries) {
      if (s.name) this.summariesByName.set(s.name, s.from);
      if (s.method) this.summariesByMethod.set(s.method, s.from);
    }
    this.handlers = models.handlers;
    for (const list of [models.sinks, models.sources, models.sanitizers, models.summaries]) {
      for (const entry of list) {
        // `pkg.Class.method`: a member of a library class.
        const cls = entry.name ? semantics.modelMemberClass(entry.name) : undefined;
        if (cls) this.typeNames.add(cls);
      }
    }
    for (const t of models.types) {
      this.factories.set(t.name, t.returns);
      this.typeNames.add(t.returns);
    }
  }

  /** The library class a call's result is an instance of: a modelled class, or a factory's. */
  resultType(q: string | undefined): string | undefined {
    if (!q) return undefined;
    return this.modelsNamed(q).type;
  }

  accessSource(q: string): SourceModel | undefined {
    let found = this.accessSourceCache.get(q);
    if (found === undefined) {
      found = null;
      for (const s of this.accessSources) {
        const n = s.name!;
        if (q === n || q.startsWith(`${n}.`)) {
          found = s;
          break;
        }
      }
      this.accessSourceCache.set(q, found);
    }
    return found ?? undefined;
  }

  private readonly accessSourceCache = new Map<string, SourceModel | null>();

  // Lookups by qualified name first; `method` (a model for a method on any receiver) is
  // passed only when the call may be such a method call (see FunctionAnalysis.methodOf).
  callSource(q: string | undefined, method: string | undefined): SourceModel | undefined {
    return (q ? this.modelsNamed(q).source : undefined) ?? (method ? this.modelsOfMethod(method).source : undefined);
  }

  sinksFor(q: string | undefined, method: string | undefined): readonly SinkModel[] {
    if (q) {
      const byName = this.modelsNamed(q).sinks;
      if (byName) return byName;
    }
    return method ? this.modelsOfMethod(method).sinks ?? NO_SINKS : NO_SINKS;
  }

  sanitizerFor(q: string | undefined, method: string | undefined): ReadonlySet<SinkKind> | 'all' | undefined {
    if (q) {
      const s = this.modelsNamed(q).sanitizer;
      if (s) return s;
    }
    return method ? this.modelsOfMethod(method).sanitizer : undefined;
  }

  passThroughFor(q: string | undefined, method: string | undefined): (number | string)[] | undefined {
    if (q) {
      const s = this.modelsNamed(q).passThrough;
      if (s) return s;
    }
    return method ? this.modelsOfMethod(method).passThrough : undefined;
  }

  /** Every model for a qualified name, looked up once per name (a call asks for each kind). */
  private modelsNamed(q: string): NameModels {
    // A call asks for several kinds in a row: the last answer is kept at hand.
    if (q === this.lastName) return this.lastNameModels!;
    let found = this.nameModels.get(q);
    if (!found) {
      found = {
        sinks: this.sinksByName.get(q),
        sanitizer: this.sanitizersByName.get(q),
        source: this.callSources.get(q),
        passThrough: this.summariesByName.get(q),
        type: this.factories.get(q) ?? (this.typeNames.has(q) ? q : undefined),
      };
      this.nameModels.set(q, found);
    }
    this.lastName = q;
    this.lastNameModels = found;
    return found;
  }

  private lastName: string | undefined;
  private lastNameModels: NameModels | undefined;
  private lastMethod: string | undefined;
  private lastMethodModels: NameModels | undefined;

  private modelsOfMethod(method: string): NameModels {
    if (method === this.lastMethod) return this.lastMethodModels!;
    let found = this.methodModels.get(method);
    if (!found) {
      found = {
        sinks: this.sinksByMethod.get(method),
        sanitizer: this.sanitizersByMethod.get(method),
        source: this.methodCallSources.get(method),
        passThrough: this.summariesByMethod.get(method),
        type: undefined,
      };
      this.methodModels.set(method, found);
    }
    this.lastMethod = method;
    this.lastMethodModels = found;
    return found;
  }

  private readonly nameModels = new Map<string, NameModels>();
  private readonly methodModels = new Map<string, NameModels>();
}

/** The models for one qualified name or one method name. */
interface NameModels {
  sinks: SinkModel[] | undefined;
  sanitizer: ReadonlySet<SinkKind> | 'all' | undefined;
  source: SourceModel | undefined;
  passThrough: (number | string)[] | undefined;
  /** For a qualified name: the library class of the call's result. */
  type: string | undefined;
}

const NO_SINKS: readonly SinkModel[] = [];
