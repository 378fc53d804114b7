import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { mkstempFix } from './mkstemp-fix.js';

/** Functions that return a temporary file *name* for the caller to create later. */
const NAME_ONLY = new Set(['tempfile.mktemp', 'os.tempnam', 'os.tmpnam']);

const OPEN_FUNCTIONS = new Set(['open', 'io.open', 'codecs.open']);

/** Directories every local user can create entries in. */
const SHARED_TEMP = /^\/(tmp|var\/tmp|dev\/shm)\/[^/]/;

export default defineRule({
  id: 'python/insecure-temp-file',
  language: 'python',
  title: 'Temporary file with a predictable name',
  cwe: [377],
  severity: 'medium',
  confidence: 'high',
  description:
    'A temporary file is created in a way another local user can anticipate: `tempfile.mktemp()` (or `os.tempnam`/' +
    '`os.tmpnam`) returns a name without creating the file, and a fixed path under `/tmp`, `/var/tmp` or `/dev/shm` ' +
    'opened for writing is known in advance.',
  whyItMatters:
    'Between choosing the name and opening it, or simply before the program runs, another user can create that ' +
    'path as a symbolic link to a file the program may write (its own data, or a system file when running as ' +
    'root), or pre-create it to read or tamper with what the program writes.',
  fix: {
    guidance:
      'Let `tempfile` create the file atomically with an unpredictable name and private permissions: ' +
      '`tempfile.NamedTemporaryFile()`, `tempfile.mkstemp()` or a file inside `tempfile.mkdtemp()`/' +
      '`TemporaryDirectory()`. If a fixed name is required, keep it in a directory only this user can write.',
    before: "with open('/tmp/report.csv', 'w') as out:\n    out.write(data)",
    after: "with tempfile.NamedTemporaryFile('w', suffix='.csv', delete=False) as out:\n    out.write(data)",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/377.html',
    'https://docs.python.org/3/library/tempfile.html#tempfile.mktemp',
  ],
  create({ module, report }) {
    return {
      call(call) {
        if (call.qname !== undefined && NAME_ONLY.has(call.qname)) {
          report({
            node: call.node,
            message: `\`${call.qname}()\` only picks a name; another process can create that path (e.g. as a symlink) before this one opens it.`,
            autofix: mkstempFix(module, call),
          });
          return;
        }
        if (call.qname !== undefined && OPEN_FUNCTIONS.has(call.qname)) {
          const path = call.arg(0, call.qname === 'codecs.open' ? 'filename' : 'file');
          const mode = call.arg(1, 'mode');
          if (!path || !opensForWriting(module, mode)) return;
          const fixed = sharedTempPath(module, path);
          if (fixed) reportFixed(call, fixed, mode);
          return;
        }
        // pathlib.Path('/tmp/x').write_text(...) / .open('w')
        if (call.receiver && (call.method === 'write_text' || call.method === 'write_bytes' || call.method === 'open')) {
          const receiver = module.unwrap(call.receiver);
          if (receiver.type !== 'call') return;
          const ctor = module.call(receiver);
          if (ctor.qname !== 'pathlib.Path' && ctor.qname !== 'pathlib.PosixPath') return;
          const path = ctor.positional.length === 1 ? ctor.positional[0] : undefined;
          if (!path) return;
          const mode = call.method === 'open' ? call.arg(0, 'mode') : undefined;
          if (call.method === 'open' && !opensForWriting(module, mode)) return;
          const fixed = sharedTempPath(module, path);
          if (fixed) reportFixed(call, fixed, mode);
        }
      },
    };

    function reportFixed(call: PyCall, path: string, mode: Node | undefined): void {
      report({
        node: call.node,
        confidence: 'medium',
        message:
          `\`${module.text(call.callee)}\` writes to the fixed path \`${path}\`${mode ? ` (mode ${module.text(mode)})` : ''} ` +
          'in a world-writable directory, where another user can plant a symlink or a file of their own first.',
      });
    }
  },
});

/** Mode with w, a or + (but not x: exclusive creation fails on an existing path). */
function opensForWriting(module: PythonModule, mode: Node | undefined): boolean {
  if (!mode) return false;
  const v = module.constantValue(mode);
  return typeof v === 'string' && /[wa+]/.test(v) && !v.includes('x');
}

/** A constant path under a shared temp directory: a literal, or `os.path.join('/tmp', 'name')`. */
function sharedTempPath(module: PythonModule, node: Node): string | undefined {
  const n = module.unwrap(node);
  const v = module.constantValue(n);
  if (typeof v === 'string') return SHARED_TEMP.test(v) ? v : undefined;
  if (n.type !== 'call') return undefined;
  const join = module.call(n);
  if (join.qname !== 'os.path.join' && join.qname !== 'posixpath.join') return undefined;
  if (join.hasStarArgs || join.positional.length < 2) return undefined;
  const parts: string[] = [];
  for (const p of join.positional) {
    const s = module.constantValue(p);
    if (typeof s !== 'string') return undefined;
    parts.push(s);
  }
  // A later absolute part would restart the path; keep it simple and require relative parts.
  if (parts.slice(1).some((p) => p.startsWith('/'))) return undefined;
  const joined = parts.reduce((acc, p) => (acc.endsWith('/') ? acc + p : `${acc}/${p}`));
  return SHARED_TEMP.test(joined) ? joined : undefined;
}
