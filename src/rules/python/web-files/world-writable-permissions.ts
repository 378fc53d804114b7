import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { sameNode, walk } from './app-context.js';

/** POSIX permission bits as `stat` defines them. */
const STAT_BITS: Readonly<Record<string, number>> = {
  S_ISUID: 0o4000,
  S_ISGID: 0o2000,
  S_ISVTX: 0o1000,
  S_IRWXU: 0o700,
  S_IRUSR: 0o400,
  S_IWUSR: 0o200,
  S_IXUSR: 0o100,
  S_IREAD: 0o400,
  S_IWRITE: 0o200,
  S_IEXEC: 0o100,
  S_IRWXG: 0o070,
  S_IRGRP: 0o040,
  S_IWGRP: 0o020,
  S_IXGRP: 0o010,
  S_IRWXO: 0o007,
  S_IROTH: 0o004,
  S_IWOTH: 0o002,
  S_IXOTH: 0o001,
};
const OTHER_WRITE = 0o002;

/** Calls that set a mode as given (no umask involved): qname → mode argument index. */
const CHMOD_CALLS: ReadonlyMap<string, number> = new Map([
  ['os.chmod', 1],
  ['os.fchmod', 1],
  ['os.lchmod', 1],
]);

export default defineRule({
  id: 'python/world-writable-permissions',
  language: 'python',
  title: 'File permissions let any user write',
  cwe: [732],
  severity: 'high',
  confidence: 'high',
  description:
    'A file or directory is given a mode that grants write permission to every user (`o+w`, e.g. `0o777`, `0o666`, ' +
    '`stat.S_IWOTH`) with `os.chmod`, `os.fchmod` or `Path.chmod`, or the process umask is set so that new files ' +
    'are created world-writable (`os.umask(0)`). Creation modes of `os.mkdir`, `os.makedirs` and `os.open` are not ' +
    'reported: the umask still applies to them, and 0o777 is their default.',
  whyItMatters:
    'Any local user or compromised service can then replace the file: rewrite a script or configuration that a ' +
    'privileged process later runs or trusts, plant content in a served directory, or delete data.',
  fix: {
    guidance:
      'Grant the least access that works: `0o600`/`0o640` for files, `0o700`/`0o750` for directories, and share ' +
      'through a group rather than with everyone. Keep a restrictive umask such as `0o022` or `0o077`.',
    before: 'os.chmod(socket_path, 0o777)',
    after: 'os.chmod(socket_path, 0o660)  # owner and service group only',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/732.html',
    'https://docs.python.org/3/library/os.html#os.chmod',
    'https://docs.python.org/3/library/stat.html#stat.S_IWOTH',
  ],
  create({ module, report }) {
    const checkMode = (call: PyCall, mode: Node): void => {
      const value = foldMode(module, mode);
      const text = module.text(mode).replace(/\s+/g, ' ');
      const target = call.qname !== undefined ? call.positional[0] : call.positional.length === 2 ? call.positional[0] : call.receiver;
      const on = target && !sameNode(target, mode) ? ` on \`${module.text(target)}\`` : '';
      if (value !== undefined) {
        if ((value & OTHER_WRITE) === 0) return;
        const sticky = (value & 0o1000) !== 0;
        const octal = `0o${value.toString(8)}`;
        const shown = text === octal ? `\`${text}\`` : `\`${text}\` (${octal})`;
        report({
          node: call.node,
          // A sticky world-writable directory (like /tmp) is sometimes the intent.
          confidence: sticky ? 'medium' : 'high',
          message: `\`${module.text(call.callee)}\` sets mode ${shown}${on}, which lets every user write to it.`,
        });
        return;
      }
      const added = addedOtherWrite(module, mode);
      if (added) {
        report({
          node: call.node,
          message: `\`${module.text(call.callee)}\` adds \`${module.text(added)}\` to the mode${on}, which lets every user write to it.`,
        });
      }
    };

    return {
      call(call) {
        if (call.hasStarArgs || call.hasStarKwargs) return;
        if (call.qname !== undefined) {
          const index = CHMOD_CALLS.get(call.qname);
          if (index !== undefined) {
            const mode = call.arg(index, 'mode');
            if (mode) checkMode(call, mode);
            return;
          }
          if (call.qname === 'os.umask') {
            checkUmask(call.node, call.arg(0, 'mask'));
          }
          return;
        }
        // Path.chmod(mode), and SFTP clients' chmod(path, mode): the mode is the last argument.
        if (call.method === 'chmod' && call.positional.length + call.keywords.size <= 2) {
          const mode = call.keywords.get('mode') ?? call.positional[call.positional.length - 1];
          if (mode) checkMode(call, mode);
        }
      },
    };

    function checkUmask(node: Node, mask: Node | undefined): void {
      if (!mask) return;
      const value = foldMode(module, mask);
      if (value === undefined || (value & OTHER_WRITE) !== 0) return;
      if (isUmaskProbe(module, node)) return;
      report({
        node,
        confidence: value === 0 ? 'high' : 'medium',
        message: `\`${module.text(node)}\` leaves the write bit for others unmasked, so files and directories this process creates afterwards can be world-writable.`,
      });
    }
  },
});

/** Fold a mode expression: integers, `stat.S_I*` names, `|`, `+`, `&`, `^`, `~`. */
function foldMode(module: PythonModule, node: Node, depth = 0): number | undefined {
  if (depth > 20) return undefined;
  const n = module.unwrap(node);
  if (n.type === 'identifier' || n.type === 'attribute') {
    const q = module.resolve(n);
    if (q?.startsWith('stat.')) {
      const bit = STAT_BITS[q.slice(5)];
      if (bit !== undefined) return bit;
    }
  }
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    const a = l ? foldMode(module, l, depth + 1) : undefined;
    const b = r ? foldMode(module, r, depth + 1) : undefined;
    if (a === undefined || b === undefined) return undefined;
    switch (op) {
      case '|': return a | b;
      case '+': return a + b;
      case '&': return a & b;
      case '^': return a ^ b;
      case '-': return a - b;
      default: return undefined;
    }
  }
  if (n.type === 'unary_operator' && n.childForFieldName('operator')?.text === '~') {
    const arg = n.childForFieldName('argument');
    const v = arg ? foldMode(module, arg, depth + 1) : undefined;
    return v === undefined ? undefined : ~v & 0o7777;
  }
  const v = module.constantValue(n);
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}

/**
 * In a mode that cannot be folded (`st.st_mode | stat.S_IWOTH`), a `stat.S_IWOTH` or
 * `stat.S_IRWXO` reached from the top only through `|` or `+` is added, not masked out.
 */
function addedOtherWrite(module: PythonModule, mode: Node): Node | undefined {
  let found: Node | undefined;
  walk(mode, (n) => {
    if (found) return false;
    const inner = module.unwrap(n);
    if (inner.type === 'binary_operator') {
      const op = inner.childForFieldName('operator')?.text;
      if (op !== '|' && op !== '+') return false;
      return;
    }
    if (n.type === 'parenthesized_expression') return;
    const q = module.resolve(inner);
    if (q === 'stat.S_IWOTH' || q === 'stat.S_IRWXO') found = inner;
    return false;
  });
  return found;
}

/**
 * `old = os.umask(0); os.umask(old)` only reads the current umask: the first call's result
 * is assigned and later passed back to `os.umask` in the same scope.
 */
function isUmaskProbe(module: PythonModule, umaskCall: Node): boolean {
  const assignment = umaskCall.parent;
  if (assignment?.type !== 'assignment' || assignment.childForFieldName('right')?.id !== umaskCall.id) return false;
  const target = assignment.childForFieldName('left');
  if (target?.type !== 'identifier') return false;
  const scope = module.enclosingFunction(umaskCall) ?? module.root;
  let restored = false;
  walk(
    scope,
    (n) => {
      if (restored) return false;
      if (n.type !== 'call' || n.startIndex <= umaskCall.startIndex) return;
      const c = module.call(n);
      if (c.qname === 'os.umask' && c.positional[0] && module.unwrap(c.positional[0]).text === target.text) restored = true;
    },
    true,
  );
  return restored;
}
