import type { Node } from '../../../parse/tree-sitter.js';
import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import { bindingsOf, externalSource, pieceName, qualifiedName, routeInfo, scopeOf, snippet, valueFacts } from '../value-facts/index.js';
import type { RouteInfo } from '../value-facts/index.js';

/** Responses that read a file from a path: name → keyword of the path argument. */
const FILE_SENDERS = new Map<string, string>([
  ['flask.send_file', 'path_or_file'],
  ['flask.helpers.send_file', 'path_or_file'],
  ['werkzeug.utils.send_file', 'path_or_file'],
  ['starlette.responses.FileResponse', 'path'],
  ['fastapi.responses.FileResponse', 'path'],
]);
/** Calls that reduce a name to one safe path component or join it safely. */
const PATH_SANITIZERS = new Set([
  'werkzeug.utils.secure_filename', 'werkzeug.secure_filename', 'os.path.basename',
  'werkzeug.utils.safe_join', 'werkzeug.security.safe_join', 'flask.safe_join', 'flask.helpers.safe_join',
]);
/** Evidence that the handler checks the final path itself. */
const PATH_CHECKS = new Set(['os.path.commonpath', 'os.path.commonprefix', 'os.path.realpath', 'os.path.abspath', 'os.path.normpath']);
const PATH_CHECK_METHODS = new Set(['is_relative_to', 'relative_to', 'resolve']);
interface Grade {
  confidence: Confidence;
  direct: boolean;
  why: string;
}

/** Route converters whose values cannot spell a path. */
const INERT_CONVERTERS = new Set(['int', 'float', 'uuid']);

export default defineRule({
  id: 'python/send-file-path-traversal',
  language: 'python',
  title: 'Web handler sends a file from a path the client controls',
  cwe: [22, 73],
  severity: 'high',
  confidence: 'high',
  description:
    'A Flask/Werkzeug `send_file` or a Starlette/FastAPI `FileResponse` in a route handler (a function decorated ' +
    'with `@app.route`, `@bp.get`, `@router.post`...) reads a path that comes from the request or is built from ' +
    'it with `os.path.join`, `pathlib` `/`, formatting or concatenation, and the handler does not check where the ' +
    'path ends up. High confidence when the value comes from `request.*` or from a `<path:...>`/`{name:path}` ' +
    'route parameter (those accept `/`); low confidence for a plain `<name>` parameter (Werkzeug\'s default ' +
    'converter rejects `/`, so it matters mainly on Windows or behind `%2F`-decoding proxies) and for values of ' +
    'unknown origin spliced into the path. `send_from_directory(directory, name)` is the safe API (it rejects ' +
    'paths escaping `directory`) and is not reported; neither are names passed through `secure_filename()`, ' +
    '`os.path.basename()` or `safe_join()`.',
  whyItMatters:
    'With `../` sequences or an absolute path the client downloads any file the server can read: source code, ' +
    '`.env` files with secrets, SSH keys, `/etc/passwd`.',
  fix: {
    guidance:
      'Serve user-named files with `flask.send_from_directory(BASE_DIR, name)` (or `werkzeug.security.safe_join`), ' +
      'or resolve the path and check it is inside the base directory before sending it.',
    before: '@app.route("/files/<path:name>")\ndef download(name):\n    return send_file(os.path.join(BASE_DIR, name))',
    after: '@app.route("/files/<path:name>")\ndef download(name):\n    return send_from_directory(BASE_DIR, name)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/22.html',
    'https://flask.palletsprojects.com/en/stable/api/#flask.send_from_directory',
    'https://werkzeug.palletsprojects.com/en/stable/utils/#werkzeug.security.safe_join',
    'https://owasp.org/www-community/attacks/Path_Traversal',
  ],
  create({ module, report }) {
    function checksPath(fn: Node): boolean {
      const stack: Node[] = [fn];
      while (stack.length) {
        const n = stack.pop()!;
        if (n.type === 'call') {
          const c = module.call(n);
          if ((c.qname && PATH_CHECKS.has(c.qname)) || (c.method && PATH_CHECK_METHODS.has(c.method))) return true;
        } else if (n.type === 'string' && /^\.\.[/\\]?$/.test(module.stringLiteral(n) ?? '')) {
          return true;
        }
        for (const c of n.namedChildren) if (c) stack.push(c);
      }
      return false;
    }

    /** How a piece of the path reaches the handler, or undefined when it cannot spell a path. */
    /** `direct`: the piece is client data by itself, so even an unmodified path is worth reporting. */
    function grade(part: Node, route: RouteInfo, handler: Node): Grade | undefined {
      const n = module.unwrap(part);
      if (n.type === 'identifier') {
        const bindings = bindingsOf(module, n);
        const param = bindings.find((b) => b.kind === 'param');
        if (param && scopeOf(param.node).id === handler.id && route.params.has(n.text)) {
          const converter = route.params.get(n.text)!;
          if (INERT_CONVERTERS.has(converter)) return undefined;
          if (converter === 'path') {
            return { confidence: 'high', direct: true, why: `the \`path\` route parameter ${pieceName(n)}, which may contain \`../\`` };
          }
          return {
            confidence: 'low',
            direct: true,
            why: `the route parameter ${pieceName(n)} (its \`${converter}\` converter rejects \`/\`, but \`..\` and \`\\\` on Windows still get through)`,
          };
        }
      }
      const source = externalSource(module, n);
      if (source) return { confidence: 'high', direct: true, why: `${pieceName(n)}, which comes from ${source}` };
      return { confidence: 'low', direct: false, why: `${pieceName(n)}, whose origin is not visible here` };
    }

    return {
      call(call) {
        if (!call.qname || !FILE_SENDERS.has(call.qname)) return;
        const q = qualifiedName(module, call);
        if (!q) return;
        const path = call.arg(0, FILE_SENDERS.get(q)) ?? call.keywords.get('filename_or_fp');
        if (!path) return;
        const handler = module.enclosingFunction(call.node);
        const route = handler ? routeInfo(module, handler) : undefined;
        if (!handler || !route) return;
        const facts = valueFacts(module, path, { sanitizers: PATH_SANITIZERS });
        if (facts.parts.length === 0) return;
        const graded = facts.parts.map((p) => grade(p, route, handler)).filter((g): g is Grade => !!g);
        // A bare value must come from the client; a built path is worth a note whatever it holds.
        const best = graded.find((g) => g.confidence === 'high') ?? (facts.built ? graded[0] : graded.find((g) => g.direct));
        if (!best) return;
        if (checksPath(handler)) return;
        report({
          node: path,
          confidence: best.confidence,
          message:
            `\`${q}\` sends the file at \`${snippet(path, 50)}\`, built from ${best.why}; a \`../\` or absolute ` +
            'path there reads any file the server can read.',
        });
      },
    };
  },
});
