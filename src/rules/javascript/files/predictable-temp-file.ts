import type { Node } from '../../../parse/tree-sitter.js';
import type { JavaScriptModule } from '../../../frontend/javascript/module.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, isConstant, unwrap } from '../syntax.js';

const WRITERS = new Set(['writeFile', 'writeFileSync', 'appendFile', 'appendFileSync', 'createWriteStream', 'open', 'openSync']);
const TMP = /^\/(?:var\/)?tmp\//;
/** Values that look unique but are guessable. */
const GUESSABLE = new Set(['Date.now', 'process.pid', 'Math.random']);

/** Whether a path is in the shared temporary directory under a guessable name. */
function predictableTmp(module: JavaScriptModule, node: Node): boolean {
  const n = unwrap(node);
  const v = constantValue(module, n);
  if (typeof v === 'string') return TMP.test(v);
  const guessable = (p: Node): boolean => {
    const u = unwrap(p);
    if (isConstant(module, u)) return true;
    if (u.type === 'call_expression') {
      const q = calleeName(module, u);
      return !!q && GUESSABLE.has(q) && argsOf(u).length === 0;
    }
    if (u.type === 'binary_expression' && u.childForFieldName('operator')?.text === '+') return guessable(u.childForFieldName('left')!) && guessable(u.childForFieldName('right')!);
    if (u.type === 'template_string') return u.namedChildren.every((c) => c.type !== 'template_substitution' || (c.namedChildren[0] !== undefined && guessable(c.namedChildren[0])));
    return u.type === 'member_expression' && GUESSABLE.has(u.text);
  };
  if (n.type === 'call_expression') {
    const q = calleeName(module, n);
    if (q !== 'path.join' && q !== 'path.resolve') return false;
    const [first, ...rest] = argsOf(n);
    if (!first || rest.length === 0) return false;
    const f = unwrap(first);
    const base = f.type === 'call_expression' && calleeName(module, f) === 'os.tmpdir';
    return base && rest.every(guessable);
  }
  if (n.type === 'template_string') {
    const subs = n.namedChildren.filter((c) => c.type === 'template_substitution').map((c) => c.namedChildren[0]!).filter(Boolean);
    const first = subs[0];
    const startsTmp = (n.namedChildren[0]?.type === 'template_substitution' && first && unwrap(first).type === 'call_expression' && calleeName(module, unwrap(first)) === 'os.tmpdir') || TMP.test(n.namedChildren.map((c) => (c.type === 'template_substitution' ? '\u0000' : c.text)).join(''));
    return !!startsTmp && subs.every((s) => (unwrap(s).type === 'call_expression' && calleeName(module, unwrap(s)) === 'os.tmpdir') || guessable(s));
  }
  return false;
}

export default defineRule({
  id: 'javascript/predictable-temp-file',
  language: 'javascript',
  title: 'File written in the shared temp directory under a guessable name',
  cwe: [377],
  severity: 'medium',
  confidence: 'medium',
  description:
    'Reports `fs` writes (`writeFile`, `appendFile`, `createWriteStream`, `open`, Sync and promise forms) to a path in `/tmp` ' +
    '(a literal, a template, or `path.join(os.tmpdir(), …)`) whose name is constant or made only of `Date.now()`, ' +
    '`process.pid` or `Math.random()`. Names from `fs.mkdtemp` or `crypto.randomUUID()` are not reported.',
  whyItMatters:
    'Another local user creates the file or a symlink of that name first: the program then writes into a file they control ' +
    'or overwrites one of its own, or reads back data they planted.',
  fix: { guidance: 'Create a private directory with `fs.mkdtempSync(path.join(os.tmpdir(), "app-"))` and write inside it, or open with the `wx` flag.', before: "fs.writeFileSync(path.join(os.tmpdir(), 'upload.json'), data);", after: "const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-'));\nfs.writeFileSync(path.join(dir, 'upload.json'), data);" },
  references: ['https://nodejs.org/api/fs.html#fsmkdtempsyncprefix-options', 'https://cwe.mitre.org/data/definitions/377.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (!name || !/^fs(?:-extra)?(?:\.promises)?\./.test(name)) return;
          const fn = name.slice(name.lastIndexOf('.') + 1);
          if (!WRITERS.has(fn)) return;
          const target = argsOf(call)[0];
          if (target && predictableTmp(module, target)) report({ node: call, message: `\`${fn}\` writes a guessable path in the shared temp directory.` });
        },
      },
    };
  },
});
