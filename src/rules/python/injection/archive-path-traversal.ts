import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall } from '../../../frontend/python/index.js';
import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import {
  bindingsOf, externalSource, fromOwnFile, isConstant, isOwnPath, qualifiedName, singleAssignment, snippet, stringTemplate, valueFacts,
} from '../value-facts/index.js';

const TAR_OPENERS = new Set([
  'tarfile.open',
  'tarfile.TarFile',
  'tarfile.TarFile.open',
  'tarfile.TarFile.taropen',
  'tarfile.TarFile.gzopen',
  'tarfile.TarFile.bz2open',
  'tarfile.TarFile.xzopen',
  'tarfile.TarFile.zstopen',
]);
/** Path checks whose presence in the function means member names are being validated. */
const PATH_CHECKS = new Set([
  'os.path.commonpath', 'os.path.commonprefix', 'os.path.realpath', 'os.path.abspath', 'os.path.normpath',
  'posixpath.normpath', 'tarfile.data_filter', 'tarfile.tar_filter',
]);
const PATH_CHECK_METHODS = new Set(['is_relative_to', 'relative_to', 'resolve']);
const NAME_SANITIZERS = new Set(['os.path.basename', 'werkzeug.utils.secure_filename', 'werkzeug.secure_filename']);
const OPENERS = new Set(['open', 'io.open', 'builtins.open', 'codecs.open']);
const TAR_FORMATS = new Set(['tar', 'gztar', 'bztar', 'xztar', 'zstdtar']);

export default defineRule({
  id: 'python/archive-path-traversal',
  language: 'python',
  title: 'Archive extracted without checking member paths',
  cwe: [22],
  severity: 'high',
  confidence: 'medium',
  description:
    'Files are written where an archive\'s member names say, without confining them to the target directory ' +
    '("zip slip", CVE-2007-4559 for tarfile). Reported: `TarFile.extractall()`/`extract()` on a `tarfile.open(...)` ' +
    'object without `filter="data"` (or `"tar"`) and without a `members=` selection, in a function that does ' +
    'not check member paths itself (`os.path.commonpath`/`realpath`/`normpath`, `Path.resolve`/`is_relative_to`); ' +
    '`shutil.unpack_archive` of a tar archive without `filter=`; and hand-written extraction loops that ' +
    '`open(os.path.join(dest, member.filename), "wb")` for zip or tar members without such a check. Before ' +
    'Python 3.14, tarfile follows `../`, absolute names, and symlink/hardlink members by default (3.12 and 3.13 ' +
    'only warn); 3.14 defaults to the `data` filter. `zipfile.ZipFile.extractall()` and `extract()` are not ' +
    'reported: CPython strips `..` and drive/absolute parts from zip member names.',
  whyItMatters:
    'A crafted archive writes files anywhere the process may write: overwriting code, `~/.ssh/authorized_keys`, ' +
    'cron jobs or configuration, which usually ends in code execution.',
  fix: {
    guidance:
      'Pass `filter="data"` to `extractall`/`extract`/`shutil.unpack_archive` (Python 3.12+, backported to ' +
      'security releases of 3.8 to 3.11). When extracting by hand, resolve the target path and check that it stays ' +
      'inside the destination (`os.path.commonpath([dest, target]) == dest`).',
    before: 'with tarfile.open(upload) as tar:\n    tar.extractall(dest)',
    after: 'with tarfile.open(upload) as tar:\n    tar.extractall(dest, filter="data")',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/22.html',
    'https://docs.python.org/3/library/tarfile.html#tarfile-extraction-filter',
    'https://peps.python.org/pep-0706/',
    'https://docs.python.org/3/library/shutil.html#shutil.unpack_archive',
  ],
  create({ module, report }) {
    // A file that sets `TarFile.extraction_filter` has chosen a policy for every extraction.
    const globalFilter = module.source.includes('.extraction_filter') && /\.extraction_filter\s*=/.test(module.source);

    /** The opener call a TarFile receiver comes from, if visible. */
    function tarOpener(node: Node, depth = 0): Node | undefined {
      if (depth > 4) return undefined;
      const n = module.unwrap(node);
      if (n.type === 'call') return module.call(n).qname && TAR_OPENERS.has(module.call(n).qname!) ? n : undefined;
      if (n.type !== 'identifier') return undefined;
      const bindings = bindingsOf(module, n);
      const b = bindings[0];
      if (bindings.length !== 1 || !b || !b.value || (b.kind !== 'assign' && b.kind !== 'with')) return undefined;
      return tarOpener(b.value, depth + 1);
    }

    /** `filter=` present: safe unless it is `fully_trusted`. */
    function filterState(call: PyCall): 'none' | 'safe' | 'trusted' {
      const f = call.keywords.get('filter');
      if (!f) return call.hasStarKwargs ? 'safe' : 'none';
      const v = module.constantValue(f);
      return v === 'fully_trusted' || module.resolve(f) === 'tarfile.fully_trusted_filter' ? 'trusted' : 'safe';
    }

    /** Evidence of member-path validation inside `root`: path checks, `..` tests, a raise, a `safe_*` helper. */
    function checksPaths(root: Node): boolean {
      const stack: Node[] = [root];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === 'raise_statement') return true;
        if (n.type === 'call') {
          const c = module.call(n);
          if ((c.qname && PATH_CHECKS.has(c.qname)) || (c.method && PATH_CHECK_METHODS.has(c.method))) return true;
          const name = c.method ?? (module.unwrap(c.callee).type === 'identifier' ? c.callee.text : '');
          if (/within|safe|valid|check|travers|saniti/i.test(name)) return true;
        } else if ((n.type === 'attribute' || n.type === 'identifier') && PATH_CHECKS.has(module.resolve(n) ?? '')) {
          return true;
        } else if (n.type === 'string' && /^\.\.[/\\]?$/.test(module.stringLiteral(n) ?? '')) {
          return true;
        }
        for (const c of n.namedChildren) if (c) stack.push(c);
      }
      return false;
    }

    /** A loop in `fn` over the tar's members (`getmembers()`, `getnames()`, the TarFile) that validates them. */
    function validatesMembers(fn: Node | undefined, tar: Node): boolean {
      const tarName = module.unwrap(tar).type === 'identifier' ? tar.text : undefined;
      const stack: Node[] = [fn ?? module.root];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === 'for_statement' || n.type === 'for_in_clause') {
          const it = n.childForFieldName('right');
          const u = it ? module.unwrap(it) : undefined;
          const overMembers =
            !!u && ((u.type === 'call' && ['getmembers', 'getnames'].includes(module.call(u).method ?? '')) ||
              (u.type === 'identifier' && u.text === tarName));
          const body = n.type === 'for_statement' ? n.childForFieldName('body') : n.parent;
          if (overMembers && body && checksPaths(body)) return true;
        }
        for (const c of n.namedChildren) if (c) stack.push(c);
      }
      return false;
    }

    function confidenceFor(archive: Node | undefined): { confidence: Confidence; from: string } {
      const source = archive ? externalSource(module, archive) : undefined;
      if (source) return { confidence: 'high', from: ` (the archive comes from ${source})` };
      // An archive at a constant or configured path is the program's own file: low confidence.
      const n = archive ? module.unwrap(archive) : undefined;
      const path = n?.type === 'call' ? (module.call(n).arg(0, 'name') ?? module.call(n).arg(0, 'fileobj')) : n;
      if (path && (isOwnPath(module, path) || fromOwnFile(module, path))) return { confidence: 'low', from: ' (a file at a fixed or configured path)' };
      return { confidence: 'medium', from: '' };
    }

    function checkTar(call: PyCall): void {
      if (!call.receiver || (call.method !== 'extractall' && call.method !== 'extract')) return;
      const opener = tarOpener(call.receiver);
      if (!opener) return;
      const state = filterState(call);
      if (state === 'safe' || (state === 'none' && globalFilter)) return;
      if (state === 'none' && validatesMembers(module.enclosingFunction(call.node), call.receiver)) return;
      if (call.method === 'extractall') {
        const members = call.arg(1, 'members');
        if (members && !isAllMembers(members)) return;
      } else {
        const member = call.arg(0, 'member');
        if (!member || isConstant(module, member)) return;
      }
      const { confidence, from } = confidenceFor(opener);
      const how = state === 'trusted' ? 'with the `fully_trusted` filter' : 'without `filter="data"`';
      report({
        node: call.node,
        confidence,
        message:
          `\`${snippet(call.node, 60)}\` extracts a tar archive ${how}${from}: member names like \`../../x\` or ` +
          `\`/etc/x\` and link members write outside the target directory${state === 'trusted' ? '' : ' (before Python 3.14)'}.`,
      });
    }

    function isAllMembers(node: Node): boolean {
      const n = module.unwrap(node);
      return n.type === 'call' && module.call(n).method === 'getmembers' && module.call(n).positional.length === 0;
    }

    function checkUnpackArchive(call: PyCall): void {
      const state = filterState(call);
      if (state === 'safe') return;
      const filename = call.arg(0, 'filename');
      if (!filename) return;
      const format = call.arg(2, 'format');
      const formatValue = format ? module.constantValue(format) : undefined;
      if (format && (typeof formatValue !== 'string' || !TAR_FORMATS.has(formatValue))) return;
      const template = stringTemplate(module, filename) ?? '';
      if (!format && /\.zip$/i.test(template)) return;
      const tarName = typeof formatValue === 'string' || /\.(?:tar|tgz|tbz2?|txz|tar\.\w+)$/i.test(template);
      const { confidence, from } = confidenceFor(filename);
      report({
        node: call.node,
        confidence: from ? confidence : tarName ? 'medium' : 'low',
        message:
          `\`shutil.unpack_archive\` unpacks \`${snippet(filename, 40)}\`${from} without \`filter="data"\`; ` +
          `${tarName ? 'its' : 'if it is a tar archive, its'} member names like \`../../x\` and link members write outside ` +
          'the target directory (before Python 3.14).',
      });
    }

    /** `open(os.path.join(dest, member.filename), "wb")` inside a loop over archive members. */
    function checkManualWrite(call: PyCall): void {
      const mode = call.arg(1, 'mode');
      const modeValue = mode ? module.constantValue(mode) : undefined;
      if (typeof modeValue !== 'string' || !/[wxa]/.test(modeValue)) return;
      const path = call.arg(0, 'file');
      if (!path) return;
      const facts = valueFacts(module, path, { sanitizers: NAME_SANITIZERS });
      if (!facts.built) return;
      const member = facts.parts.find(isMemberName);
      if (!member) return;
      const loop = memberLoop(member);
      if (!loop || checksPaths(loop)) return;
      report({
        node: call.node,
        message:
          `\`${snippet(call.node, 60)}\` writes to a path joined from the archive member name \`${snippet(member, 40)}\` ` +
          'without checking it stays in the destination: names like `../../x` or absolute paths write anywhere.',
      });
    }

    /** `m.filename`/`m.name` for `m` from `infolist()`/`getmembers()`, or `n` from `namelist()`/`getnames()`. */
    function isMemberName(part: Node): boolean {
      const n = module.unwrap(part);
      if (n.type === 'attribute') {
        const attr = n.childForFieldName('attribute')?.text;
        const object = n.childForFieldName('object');
        if (!object || module.unwrap(object).type !== 'identifier') return false;
        if (attr === 'filename') return iteratesOver(object, ['infolist']);
        if (attr === 'name') return iteratesOver(object, ['getmembers']) || iteratesTar(object);
        return false;
      }
      if (n.type === 'identifier') return iteratesOver(n, ['namelist', 'getnames']);
      return false;
    }

    /** The `for` statement (or comprehension) that binds the member variable in `part`. */
    function memberLoop(part: Node): Node | undefined {
      const n = module.unwrap(part);
      const id = n.type === 'attribute' ? n.childForFieldName('object') : n;
      if (!id) return undefined;
      const b = bindingsOf(module, module.unwrap(id))[0];
      for (let p: Node | null = b?.node ?? null; p; p = p.parent) {
        if (p.type === 'for_statement') return p;
        if (p.type === 'for_in_clause') return p.parent ?? undefined;
      }
      return undefined;
    }

    function loopSource(identifier: Node): Node | undefined {
      const bindings = bindingsOf(module, module.unwrap(identifier));
      const b = bindings[0];
      if (bindings.length !== 1 || !b || !b.value || (b.kind !== 'for' && b.kind !== 'comprehension')) return undefined;
      let it = module.unwrap(b.value);
      if (it.type === 'identifier') it = singleAssignment(module, it) ?? it;
      return it;
    }

    function iteratesOver(identifier: Node, methods: string[]): boolean {
      const it = loopSource(identifier);
      if (!it || it.type !== 'call') return false;
      const m = module.call(it).method;
      return !!m && methods.includes(m);
    }

    function iteratesTar(identifier: Node): boolean {
      const it = loopSource(identifier);
      return !!it && !!tarOpener(it);
    }

    return {
      call(call) {
        // Whether the root name is shadowed matters only for these names; it costs a scope walk.
        const raw = call.qname;
        const q = raw === 'shutil.unpack_archive' || (raw && OPENERS.has(raw)) ? qualifiedName(module, call) : undefined;
        if (q === 'shutil.unpack_archive') {
          checkUnpackArchive(call);
          return;
        }
        if (q && OPENERS.has(q)) {
          checkManualWrite(call);
          return;
        }
        checkTar(call);
      },
    };
  },
});
