// Where a value goes that makes it a secret whatever its variable is called: a cookie, the
// session, or a link or message that carries a token or code. Used by python/insecure-random.
import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { isSecretName, nameWords } from './secret-context.js';

export interface SecretSink {
  /** For the message: "the cookie `sid`", "the session key `otp`", "a reset link". */
  what: string;
  /** The key or cookie name says what the value is for (`sid`, `otp`): certain. */
  named: 'secret' | 'other' | 'unnamed';
}

/** Calls through which the value passes unchanged in kind (text or number of the same secret). */
const TRANSFORMS = new Set(['str', 'int', 'hex', 'format', 'repr', 'bytes', 'abs', 'join', 'encode', 'zfill', 'rjust', 'ljust', 'upper', 'lower']);
/** Cookie and session keys that are a secret or carry an identity. */
const SECRET_KEY_WORDS = new Set(['sid', 'session', 'sess', 'auth', 'remember', 'csrf', 'xsrf', 'token', 'login', 'otp', 'code', 'nonce', 'key', 'secret', 'captcha', 'pin', 'verification', 'reset']);
/** Keys that show a non-secret use: A/B buckets, preferences. */
const PLAIN_KEY_WORDS = new Set(['bucket', 'variant', 'experiment', 'ab', 'theme', 'color', 'colour', 'lang', 'language', 'locale', 'tip', 'banner', 'seed', 'sample', 'order']);
/** Text around the value that makes it part of a link or message carrying a token or code. */
const LINK_TEXT = /[?&](?:token|code|key|otp|nonce|sig|t|k)=|\/(?:reset|verify|confirm|activate|invite|magic)(?:[-_/]|\b)|\b(?:one[- ]time|otp|verification code|reset code|security code|login code|your code)\b/i;

function keyKind(name: string | undefined): SecretSink['named'] {
  if (name === undefined) return 'unnamed';
  const words = nameWords(name);
  if (words.some((w) => PLAIN_KEY_WORDS.has(w))) return 'other';
  return isSecretName(name) || words.some((w) => SECRET_KEY_WORDS.has(w)) ? 'secret' : 'other';
}

function constantKey(module: PythonModule, node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  const v = module.constantValue(node);
  return typeof v === 'string' ? v : undefined;
}

/** The last part of a dotted receiver: `request.session` → `session`. */
function lastName(module: PythonModule, node: Node): string | undefined {
  return module.dottedName(node)?.split('.').pop();
}

/**
 * Follow `expr` outwards through conversions, formatting and concatenation to where it is stored
 * or sent; through one plain local variable (`code = randint(...)` then `session['otp'] = code`).
 */
export function secretSinkOf(module: PythonModule, expr: Node, depth = 0): SecretSink | undefined {
  let child = expr;
  for (let p = expr.parent; p; child = p, p = p.parent) {
    switch (p.type) {
      case 'parenthesized_expression':
      case 'generator_expression':
      case 'list_comprehension':
      case 'for_in_clause':
      case 'conditional_expression':
      case 'list':
      case 'tuple':
        continue;
      case 'interpolation': {
        const text = p.parent?.text ?? '';
        if (LINK_TEXT.test(text)) return { what: 'a link or message carrying it as a token or code', named: 'secret' };
        continue;
      }
      case 'string':
        continue;
      case 'binary_operator': {
        const other = p.childForFieldName('left')?.id === child.id ? p.childForFieldName('right') : p.childForFieldName('left');
        if (other && module.isStringLiteral(other) && LINK_TEXT.test(other.text)) {
          return { what: 'a link or message carrying it as a token or code', named: 'secret' };
        }
        continue;
      }
      case 'keyword_argument':
        continue;
      case 'argument_list': {
        const call = p.parent?.type === 'call' ? module.call(p.parent) : undefined;
        if (!call) return undefined;
        if ((call.method === 'set_cookie' || call.method === 'set_signed_cookie') && call.receiver) {
          const key = call.arg(0, 'key');
          const valueArg = call.arg(1, 'value');
          if (!valueArg || (valueArg.id !== child.id && valueArg.id !== child.childForFieldName?.('value')?.id)) return undefined;
          const name = constantKey(module, key);
          return { what: name ? `the cookie \`${name}\`` : 'a cookie', named: keyKind(name) };
        }
        const callee = call.method ?? (call.callee.type === 'identifier' ? call.callee.text : undefined);
        if (callee && TRANSFORMS.has(callee)) {
          // "...{}...".format(value): the template is the receiver.
          if (call.method === 'format' && call.receiver && module.isStringLiteral(call.receiver) && LINK_TEXT.test(call.receiver.text)) {
            return { what: 'a link or message carrying it as a token or code', named: 'secret' };
          }
          child = p;
          p = p.parent!;
          continue;
        }
        return undefined;
      }
      case 'call': {
        // The value is the receiver of a method (`str(x).zfill(6)` → climbing from the attribute).
        continue;
      }
      case 'attribute': {
        const attr = p.childForFieldName('attribute')?.text;
        if (attr && TRANSFORMS.has(attr) && p.parent?.type === 'call') continue;
        return undefined;
      }
      case 'assignment': {
        if (p.childForFieldName('right')?.id !== child.id) return undefined;
        const left = p.childForFieldName('left');
        if (!left) return undefined;
        if (left.type === 'subscript') {
          const target = left.childForFieldName('value');
          const container = target ? lastName(module, target) : undefined;
          const name = constantKey(module, left.childForFieldName('subscript'));
          if (container === 'session') return { what: name ? `the session key \`${name}\`` : 'the session', named: keyKind(name) };
          if (container === 'cookies') return { what: name ? `the cookie \`${name}\`` : 'a cookie', named: keyKind(name) };
          return undefined;
        }
        if (left.type === 'identifier' && depth === 0) return throughVariable(module, left, p);
        return undefined;
      }
      default:
        return undefined;
    }
  }
  return undefined;
}

/** Uses of a local variable after its assignment, in the same function. */
function throughVariable(module: PythonModule, variable: Node, assignment: Node): SecretSink | undefined {
  const scope = module.enclosingFunction(assignment);
  if (!scope) return undefined;
  let best: SecretSink | undefined;
  for (const id of scope.descendantsOfType('identifier')) {
    if (id.text !== variable.text || id.startIndex <= assignment.endIndex) continue;
    const sink = secretSinkOf(module, id, 1);
    if (sink && (!best || (best.named !== 'secret' && sink.named === 'secret'))) best = sink;
  }
  return best;
}
