import type { Node } from '../../../parse/tree-sitter.js';
import type { Confidence } from '../../../findings/types.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { oneLine, walk } from './app-context.js';

/**
 * Checks whose outcome the following code relies on for safety:
 * - `permission`: `os.access()` approves the path, then it is used (the classic hole);
 * - `not-link`: the path was found not to be a symlink, then it is written or chmod/chown'ed;
 * - `absent`: the path was found not to exist, then it is created/written ("don't clobber").
 * `os.path.isdir` and the positive outcomes of existence checks carry no such intent, and a
 * race on a read or a removal only makes the call fail, so those are not reported.
 */
const CHECKS: ReadonlyMap<string, 'access' | 'link' | 'exists'> = new Map([
  ['os.access', 'access'],
  ['os.path.islink', 'link'],
  ['os.path.exists', 'exists'],
  ['os.path.lexists', 'exists'],
  ['os.path.isfile', 'exists'],
]);

type UseKind = 'write' | 'metadata' | 'read' | 'delete';

const PATH_FIRST_USES: ReadonlyMap<string, UseKind> = new Map([
  ['os.remove', 'delete'],
  ['os.unlink', 'delete'],
  ['os.rmdir', 'delete'],
  ['os.chmod', 'metadata'],
  ['os.chown', 'metadata'],
  ['os.truncate', 'write'],
]);
const SHUTIL_COPIES = new Set(['shutil.copy', 'shutil.copy2', 'shutil.copyfile', 'shutil.copytree']);
const MOVES = new Set(['shutil.move', 'shutil.rmtree', 'os.rename', 'os.replace', 'os.renames']);
const OPENS = new Set(['open', 'io.open', 'codecs.open', 'os.open']);
const EXITS = new Set(['return_statement', 'raise_statement', 'continue_statement', 'break_statement']);
/** Uses further than this many statements after an early exit are weaker evidence. */
const NEAR = 3;

interface Use {
  call: PyCall;
  kind: UseKind;
  far: boolean;
}

export default defineRule({
  id: 'python/toctou-file-check',
  language: 'python',
  title: 'File checked, then used by path (TOCTOU race)',
  cwe: [367],
  severity: 'medium',
  confidence: 'medium',
  description:
    'A function decides on a path with a check (`os.access`, `os.path.islink`, `os.path.exists`/`isfile`) in an ' +
    '`if`, and then, in the branch where the check passed or after an early exit, acts on the same path by name: ' +
    'opens it after `os.access` approved it, writes or chmods it after finding it is not a symlink, or creates it ' +
    'after finding it does not exist. The file the check saw and the file the operation reaches can differ.',
  whyItMatters:
    'Between the check and the use another local process can create, replace or symlink the path. In a privileged ' +
    'program or a shared directory this redirects a write, chmod or chown to a file of the attacker\'s choosing ' +
    '(the classic `os.access()` then `open()` hole, or a symlink planted after a "does not exist yet" check).',
  fix: {
    guidance:
      'Drop the check and let the operation decide atomically, handling the error: create with `open(path, "x")` ' +
      'or `os.open(path, os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW)`; work on an open descriptor (`os.fchmod`, ' +
      '`os.fchown`, `os.fstat`) instead of the name; never use `os.access()` as a security check (drop privileges ' +
      'instead).',
    before: "if not os.path.exists(path):\n    with open(path, 'w') as f:\n        f.write(data)",
    after: "try:\n    with open(path, 'x') as f:\n        f.write(data)\nexcept FileExistsError:\n    ...",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/367.html',
    'https://docs.python.org/3/library/os.html#os.access',
  ],
  create({ module, report }) {
    // One finding per `if` and path: `if not islink(p) and not exists(p)` guards one race.
    const reported = new Set<string>();
    return {
      call(call) {
        const check = call.qname !== undefined ? CHECKS.get(call.qname) : undefined;
        if (!check) return;
        const path = call.arg(0, 'path');
        if (!path || call.hasStarArgs) return;
        const guard = guardOf(call.node);
        if (!guard) return;
        const key = pathKey(module, path);
        // The regions where the check came out the way that matters for this kind of check.
        const wanted = check === 'access';
        const regions = guardedRegions(guard.statement).filter((r) =>
          r.kind === 'then' ? guard.impliedInThen === wanted : guard.impliedOutside === wanted,
        );
        const use = worstUse(module, regions, key, check);
        if (!use) return;
        const id = `${guard.statement.id}:${key}`;
        if (reported.has(id)) return;
        reported.add(id);
        let confidence: Confidence = check === 'access' ? 'high' : 'medium';
        if (use.far) confidence = check === 'access' ? 'medium' : 'low';
        const meaning =
          check === 'access'
            ? 'approves the path'
            : check === 'link'
              ? 'finds the path is not a symlink'
              : 'finds no file at the path';
        report({
          node: call.node,
          confidence,
          message:
            `\`${oneLine(module.text(call.node))}\` ${meaning}, then \`${module.text(use.call.callee)}\` on line ` +
            `${use.call.node.startPosition.row + 1} acts on it by name; another process can swap the path in between.`,
        });
      },
    };
  },
});

interface Guard {
  statement: Node;
  /** In the `then` branch, the check returned `true` (true), `false` (false), or unknown (undefined). */
  impliedInThen: boolean | undefined;
  /** In `else` / after an exiting `then`, the check returned this, or unknown. */
  impliedOutside: boolean | undefined;
}

/**
 * The `if`/`elif` whose condition contains the check, and what each branch implies about the
 * check's result: `not` flips it, `and` fixes it only in `then`, `or` only outside.
 */
function guardOf(node: Node): Guard | undefined {
  let negated = false;
  let viaAnd = false;
  let viaOr = false;
  let child = node;
  for (let p = node.parent; p; child = p, p = p.parent) {
    switch (p.type) {
      case 'parenthesized_expression':
        continue;
      case 'not_operator':
        if (viaAnd || viaOr) return undefined;
        negated = !negated;
        continue;
      case 'boolean_operator': {
        // A `not` below the operator is fine; one above it (`not (a or b)`) gives up, at not_operator.
        const op = p.childForFieldName('operator')?.text;
        if (op === 'and') viaAnd = true;
        else if (op === 'or') viaOr = true;
        else return undefined;
        if (viaAnd && viaOr) return undefined;
        continue;
      }
      case 'if_statement':
      case 'elif_clause': {
        if (p.childForFieldName('condition')?.id !== child.id) return undefined;
        const value = !negated;
        return {
          statement: p,
          impliedInThen: viaOr ? undefined : value,
          impliedOutside: viaAnd ? undefined : !value,
        };
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

function pathKey(module: PythonModule, node: Node): string {
  return module.unwrap(node).text.replace(/\s+/g, '');
}

interface Region {
  node: Node;
  kind: 'then' | 'outside';
  far: boolean;
}

/** The `then` branch, the `else` branch, and the statements after an `if` whose `then` always exits. */
function guardedRegions(guard: Node): Region[] {
  const regions: Region[] = [];
  const consequence = guard.childForFieldName('consequence');
  if (consequence) regions.push({ node: consequence, kind: 'then', far: false });
  if (guard.type !== 'if_statement') return regions;
  const alternatives = guard.childrenForFieldName('alternative').filter((a): a is Node => !!a);
  for (const alt of alternatives) {
    if (alt.type === 'else_clause' && alternatives.length === 1) {
      const body = alt.childForFieldName('body');
      if (body) regions.push({ node: body, kind: 'outside', far: false });
    }
  }
  const last = consequence?.namedChildren.filter((c) => c && c.type !== 'comment').pop();
  if (last && EXITS.has(last.type) && alternatives.length === 0) {
    let distance = 0;
    for (let s = guard.nextNamedSibling; s; s = s.nextNamedSibling) {
      if (s.type === 'comment') continue;
      distance++;
      regions.push({ node: s, kind: 'outside', far: distance > NEAR });
    }
  }
  return regions;
}

const RANK: Readonly<Record<UseKind, number>> = { write: 3, metadata: 2, read: 1, delete: 1 };

/** The most dangerous relevant use of the checked path in the regions (the first among equals). */
function worstUse(module: PythonModule, regions: Region[], key: string, check: 'access' | 'link' | 'exists'): Use | undefined {
  let found: Use | undefined;
  for (const region of regions) {
    walk(
      region.node,
      (n) => {
        if (n.type !== 'call') return;
        const call = module.call(n);
        const kind = useKind(module, call, key);
        if (!kind || !relevant(check, kind)) return;
        const better = !found || RANK[kind] > RANK[found.kind] || (RANK[kind] === RANK[found.kind] && found.far && !region.far);
        if (better) found = { call, kind, far: region.far };
      },
      true,
    );
  }
  return found;
}

function relevant(check: 'access' | 'link' | 'exists', kind: UseKind): boolean {
  if (check === 'access') return true;
  if (check === 'link') return kind === 'write' || kind === 'metadata';
  return kind === 'write';
}

function useKind(module: PythonModule, call: PyCall, key: string): UseKind | undefined {
  const q = call.qname;
  if (q === undefined) return undefined;
  const first = call.positional[0];
  if (OPENS.has(q)) {
    if (!first || pathKey(module, first) !== key) return undefined;
    if (q === 'os.open') return 'write';
    const mode = call.arg(1, 'mode');
    const m = mode ? module.constantValue(mode) : 'r';
    // Exclusive creation ('x') is the safe form; an unknown mode is not evidence of a write.
    if (typeof m !== 'string' || m.includes('x')) return 'read';
    return /[wa+]/.test(m) ? 'write' : 'read';
  }
  const kind = PATH_FIRST_USES.get(q);
  if (kind) return first && pathKey(module, first) === key ? kind : undefined;
  const index = call.positional.findIndex((a) => pathKey(module, a) === key);
  if (index < 0) return undefined;
  // Copies follow a symlink planted at the destination; reading the source is a lesser race.
  if (SHUTIL_COPIES.has(q)) return index === 0 ? 'read' : 'write';
  // Renames and removals act on the name itself (a symlink is moved or removed, not followed).
  if (MOVES.has(q)) return 'delete';
  if (q === 'shutil.chown' && index === 0) return 'metadata';
  return undefined;
}
