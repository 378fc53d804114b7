import type { Node } from '../../../parse/tree-sitter.js';
import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import {
  howBuilt, isConstant, isShadowedLocally, lineOf, pieceList, qualifiedName, singleAssignment, snippet, sourceChannel, strongestOrigin, valueFacts,
} from '../value-facts/index.js';

/** Builtins that run (or, for compile, prepare to run) a string as Python: name → source keyword. */
const EVALUATORS = new Map<string, string | undefined>([
  ['eval', undefined],
  ['exec', undefined],
  ['compile', 'source'],
  ['builtins.eval', undefined],
  ['builtins.exec', undefined],
  ['builtins.compile', 'source'],
  ['__builtin__.eval', undefined],
  ['__builtin__.execfile', undefined],
  ['__builtin__.compile', 'source'],
]);

export default defineRule({
  id: 'python/eval-injection',
  language: 'python',
  title: 'Code built from data evaluated with eval/exec',
  cwe: [95],
  severity: 'high',
  confidence: 'medium',
  description:
    'The builtin `eval`, `exec` or `compile` (or Python 2 `execfile`) receives a value that is not a constant, so ' +
    'whatever that value holds runs as Python code in this process. Restricting `globals`/`__builtins__` is not a ' +
    'sandbox: object introspection (`().__class__.__mro__...`) reaches everything again. `ast.literal_eval` and ' +
    'methods that happen to be called `eval` (`model.eval()`) are not reported. `exec(compile(...))` is reported ' +
    'once, at the `compile`; `compile(..., ast.PyCF_ONLY_AST)` only parses and is not reported. Confidence is high ' +
    'when the code visibly comes from a request, medium when it comes from `sys.argv`, `input()` or the environment ' +
    '(often the operator\'s own hook), and low otherwise: generating code from internal values (namedtuple and ' +
    'dataclass style) is common and usually safe, so such findings are hidden by default.',
  whyItMatters:
    'Evaluating attacker-influenced text is remote code execution: the code can read files and secrets, open ' +
    'sockets and run commands with the privileges of the service.',
  fix: {
    guidance:
      'Parse data instead of evaluating it: `ast.literal_eval` for Python literals, `json.loads` for JSON, or an ' +
      'explicit mapping from allowed names to functions for dispatch.',
    before: 'value = eval(request.args["value"])',
    after: 'value = ast.literal_eval(request.args["value"])',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/95.html',
    'https://docs.python.org/3/library/functions.html#eval',
    'https://docs.python.org/3/library/ast.html#ast.literal_eval',
  ],
  create({ module, report }) {
    return {
      call(call) {
        // A resolved name outside EVALUATORS is nothing to report, shadowed or not.
        if (call.qname && !EVALUATORS.has(call.qname)) return;
        let name = qualifiedName(module, call);
        if (!name) {
          if (call.qname) return; // shadowed
          // Python 2 `execfile` is not a Python 3 builtin, so it does not resolve.
          const callee = module.unwrap(call.callee);
          if (callee.type !== 'identifier' || callee.text !== 'execfile') return;
          if (module.moduleDefinitions.has('execfile') || isShadowedLocally(module, callee)) return;
          name = 'execfile';
        } else {
          if (!EVALUATORS.has(name)) return;
          name = name.replace(/^(?:builtins|__builtin__)\./, '');
        }
        const source = call.arg(0, EVALUATORS.get(name) ?? (name === 'execfile' ? 'filename' : undefined));
        if (!source || isConstant(module, source)) return;
        if (name === 'compile' && onlyParses(call.arg(3, 'flags'))) return;
        if ((name === 'eval' || name === 'exec') && isCodeObject(source)) return;

        const facts = valueFacts(module, source);
        if (facts.parts.length === 0) return;
        const origin = strongestOrigin(module, facts.parts);
        if (!origin) return;
        const shown = `\`${snippet(source)}\``;
        const where = facts.via.length ? ` (assigned on line ${lineOf(facts.via[0]!)})` : '';
        const verb =
          name === 'compile' ? 'compiles' : name === 'execfile' ? 'runs the Python file named by' : 'runs';
        const asCode = name === 'execfile' ? '' : ' as Python code';
        let confidence: Confidence;
        let message: string;
        if (origin.kind === 'external') {
          // Code from the environment or argv is often the operator's own (PYTHONSTARTUP-style hooks).
          confidence = sourceChannel(origin.source ?? '') === 'request' ? 'high' : 'medium';
          message =
            `\`${name}\` ${verb} ${shown}${where}${asCode}, and \`${snippet(facts.built ? origin.node : source, 40)}\` comes from ` +
            `${origin.source}: whoever controls it runs arbitrary code in this process.`;
        } else if (facts.built && origin.kind !== 'attribute' && origin.kind !== 'config') {
          // Code generation from internal values (namedtuple/dataclass style) is common and usually safe.
          confidence = 'low';
          message =
            `\`${name}\` ${verb} code built by ${howBuilt(module, facts.via[0] ?? source)} from ` +
            `${pieceList(facts.parts)}${where}; a quote or newline in those values adds arbitrary Python code.`;
        } else {
          confidence = 'low';
          message =
            `\`${name}\` ${verb} ${shown}${asCode}; if it can come from an untrusted caller, that caller ` +
            'runs arbitrary code in this process.';
        }
        report({ node: source, message, confidence });
      },
    };

    function onlyParses(flags: Node | undefined): boolean {
      return !!flags && (/PyCF_ONLY_AST/.test(flags.text) || module.constantValue(flags) === 1024);
    }

    /** `exec(code)` where `code = compile(...)`: the compile call is the one reported. */
    function isCodeObject(node: Node): boolean {
      const n = module.unwrap(node);
      const value = n.type === 'identifier' ? singleAssignment(module, n) : n;
      if (!value || value.type !== 'call') return false;
      const q = module.call(value).qname;
      return q === 'compile' || q === 'builtins.compile';
    }
  },
});
