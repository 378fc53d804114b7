import type { Node } from '../../../parse/tree-sitter.js';
import type { PyCall, PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { singleAssignment } from '../value-facts/index.js';
import { callsIn, scopeOf, truncate } from './secret-context.js';

/** Decoders that verify the signature unless told not to: PyJWT (1.x and 2.x) and python-jose. */
const DECODERS = new Set([
  'jwt.decode', 'jwt.decode_complete', 'jwt.api_jwt.decode', 'jwt.api_jwt.decode_complete', 'jwt.api_jws.decode',
  'jwt.api_jws.decode_complete', 'jwt.PyJWT.decode', 'jose.jwt.decode', 'jose.jws.verify',
]);
/** Constructors taking the list of accepted algorithms: authlib's JsonWebToken/JsonWebSignature, PyJWT's PyJWT/PyJWS. */
const ALGORITHM_LISTS: Record<string, number> = {
  'authlib.jose.JsonWebToken': 0,
  'authlib.jose.JsonWebSignature': 0,
  'authlib.jose.rfc7519.JsonWebToken': 0,
};

/** The dictionary an `options=` argument is: a literal, or a local name assigned one once. */
function dictionaryOf(module: PythonModule, node: Node): Node | undefined {
  const n = module.unwrap(node);
  if (n.type === 'dictionary') return n;
  if (n.type === 'call' && module.call(n).qname === 'dict') return n;
  if (n.type === 'identifier') {
    const v = singleAssignment(module, n);
    return v ? dictionaryOf(module, v) : undefined;
  }
  return undefined;
}

/** `{'verify_signature': False}` or `dict(verify_signature=False)`: the entry that switches verification off. */
function verificationOff(module: PythonModule, options: Node): Node | undefined {
  const dict = dictionaryOf(module, options);
  if (!dict) return undefined;
  if (dict.type === 'call') {
    const v = module.call(dict).keywords.get('verify_signature');
    return v && module.constantValue(v) === false ? (v.parent ?? v) : undefined;
  }
  for (const pair of dict.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const k = pair.childForFieldName('key');
    const v = pair.childForFieldName('value');
    if (k && v && module.constantValue(k) === 'verify_signature' && module.constantValue(v) === false) return pair;
  }
  return undefined;
}

/** An algorithm list (literal, or a constant name) that accepts `none`. */
function acceptsNone(module: PythonModule, node: Node, depth = 0): boolean {
  const n = module.unwrap(node);
  const single = module.constantValue(n);
  if (typeof single === 'string') return single.toLowerCase() === 'none';
  if (n.type === 'list' || n.type === 'tuple' || n.type === 'set') {
    return n.namedChildren.some((c) => {
      const v = c ? module.constantValue(c) : undefined;
      return typeof v === 'string' && v.toLowerCase() === 'none';
    });
  }
  if (n.type === 'identifier' && depth < 3) {
    const v = module.moduleConstants.get(n.text) ?? singleAssignment(module, n);
    return !!v && v.id !== n.id && acceptsNone(module, v, depth + 1);
  }
  return false;
}

export default defineRule({
  id: 'python/jwt-verification-disabled',
  language: 'python',
  title: 'JWT decoded without verifying its signature',
  cwe: [347],
  severity: 'high',
  confidence: 'high',
  description:
    'A JSON Web Token is decoded with its signature check switched off: PyJWT or python-jose `decode(..., ' +
    "options={'verify_signature': False})` (a literal or a local dict), PyJWT 1.x `decode(..., verify=False)`, or " +
    "an accepted-algorithm list holding `'none'` (`algorithms=['none']`, authlib `JsonWebToken(['none'])`). When " +
    'the same function later decodes the token again with verification (reading the unverified header or issuer ' +
    'to pick the key), the finding is low confidence. Switching off only expiry or audience checks is not reported.',
  whyItMatters:
    'The claims of an unverified token are whatever the client wrote: anyone can mint a token naming another user, ' +
    "an admin role or a foreign tenant, and with `alg: none` accepted a token needs no signature at all.",
  fix: {
    guidance:
      'Decode with the verification key and an explicit list of the algorithms you issue ' +
      "(`jwt.decode(token, key, algorithms=['RS256'])`); to read the header before choosing the key use " +
      '`jwt.get_unverified_header()` and then verify.',
    before: "claims = jwt.decode(token, options={'verify_signature': False})",
    after: "claims = jwt.decode(token, public_key, algorithms=['RS256'], audience='api')",
  },
  references: [
    'https://pyjwt.readthedocs.io/en/stable/usage.html#reading-the-claimset-without-validation',
    'https://cwe.mitre.org/data/definitions/347.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html',
  ],
  create({ module, report }) {
    const isDecoder = (call: PyCall): boolean => call.qname !== undefined && DECODERS.has(call.qname);

    /** Why this decoder call does not verify, and where to point, or undefined. */
    function unverified(call: PyCall): { node: Node; why: string } | undefined {
      const options = call.keywords.get('options');
      const off = options ? verificationOff(module, options) : undefined;
      if (off) return { node: call.node, why: `\`${truncate(module.text(off), 40)}\` switches the signature check off` };
      const verify = call.keywords.get('verify');
      if (verify && module.constantValue(verify) === false) return { node: call.node, why: '`verify=False` (PyJWT 1.x) skips the signature check' };
      const algorithms = call.keywords.get('algorithms') ?? call.keywords.get('algorithm');
      if (algorithms && acceptsNone(module, algorithms)) return { node: call.node, why: "`'none'` is among the accepted algorithms (an unsigned token passes)" };
      return undefined;
    }

    /** Another decoder call in the same function that does verify: the unverified one only peeks. */
    function verifiedLater(call: PyCall): boolean {
      const scope = scopeOf(module, call.node);
      if (scope.type === 'module') return false;
      return callsIn(module, scope).some((c) => c.node.id !== call.node.id && c.node.startIndex > call.node.startIndex && isDecoder(c) && !unverified(c));
    }

    return {
      call(call) {
        if (!call.qname) return;
        const listIndex = ALGORITHM_LISTS[call.qname];
        if (listIndex !== undefined) {
          const algorithms = call.arg(listIndex, 'algorithms');
          if (algorithms && acceptsNone(module, algorithms)) {
            report({ node: call.node, message: `\`${truncate(module.text(call.callee), 40)}\` accepts the \`none\` algorithm: tokens without a signature are taken as valid.` });
          }
          return;
        }
        if (!DECODERS.has(call.qname)) return;
        const found = unverified(call);
        if (!found) return;
        const peek = verifiedLater(call);
        report({
          node: found.node,
          confidence: peek ? 'low' : 'high',
          message: peek
            ? `\`${call.qname}\`: ${found.why}; a later decode in this function verifies, so this one may only read the header or issuer; make sure its claims are not trusted.`
            : `\`${call.qname}\`: ${found.why}, so its claims are whatever the client wrote.`,
        });
      },
    };
  },
});
