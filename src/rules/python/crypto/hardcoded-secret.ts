import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { keyArguments } from './secret-arguments.js';
import { isSecretName, isTestPath, nameWords, shannonEntropy, targetName, valueUse } from './secret-context.js';

/** Credential formats with a recognisable prefix and shape: a match is a credential whatever the variable is called. */
const KNOWN_FORMATS: { label: string; pattern: RegExp; minEntropy: number }[] = [
  { label: 'an AWS access key id', pattern: /(?<![A-Z0-9])AKIA[0-9A-Z]{16}(?![A-Z0-9])/, minEntropy: 3.0 },
  { label: 'a GitHub token', pattern: /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])/, minEntropy: 3.5 },
  { label: 'a GitHub fine-grained token', pattern: /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9])/, minEntropy: 3.5 },
  { label: 'a Slack token', pattern: /(?<![A-Za-z0-9])xox[baprs]-\d{6,}-[0-9A-Za-z-]{10,}/, minEntropy: 3.0 },
  {
    label: 'a Slack webhook URL',
    pattern: /https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]{6,}\/B[A-Z0-9]{6,}\/[A-Za-z0-9]{20,}/,
    minEntropy: 3.5,
  },
  { label: 'a Stripe live secret key', pattern: /(?<![A-Za-z0-9])[rs]k_live_[0-9A-Za-z]{24,}(?![A-Za-z0-9])/, minEntropy: 3.5 },
  { label: 'a Google API key', pattern: /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/, minEntropy: 3.5 },
  {
    // A header alone is how code *detects* PEM; only a header followed by key material is a key.
    label: 'a PEM private key',
    pattern:
      /-----BEGIN (?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP) )?PRIVATE KEY(?: BLOCK)?-----(?:\\[nr]|\s|["'])+(?:[\w-]+: [^\n\\]*(?:\\[nr]|\s)+)*[A-Za-z0-9+/=]{40}/,
    minEntropy: 0,
  },
];

/** A literal piece every KNOWN_FORMATS pattern needs: one scan rules them all out for most strings. */
const FORMAT_HINT = /AKIA|gh[pousr]_|github_pat_|xox[baprs]-|hooks\.slack\.com|k_live_|AIza|-----BEGIN /;

/**
 * Minimum Shannon entropy (bits/char) for a literal stored under a credential name. Per-character entropy
 * cannot exceed log2(length), so a flat 3.0 would reject every 8-character password with one repeated
 * character (`S3cr3tP@ss` measures 2.92); 0.85·log2(length), capped at 3.0, accepts human-made passwords with
 * digits or symbols (`Summer2024!` 3.10, `hunter22` 2.75 ≥ 2.55) and rejects repetitive fillers (`rootroot` 1.5,
 * `secretsecret` 2.25). Words and identifiers (`keystone`, `X-API-Key`) are excluded by shape before this test.
 */
function entropyThreshold(length: number): number {
  return Math.min(3.0, 0.85 * Math.log2(length));
}
const MIN_LENGTH = 8;

/** Words that, with digits and punctuation stripped, are defaults and placeholders rather than chosen secrets. */
const PLACEHOLDER_WORDS = new Set([
  'password', 'passwd', 'pass', 'secret', 'admin', 'root', 'guest', 'user', 'test', 'demo', 'token', 'apikey',
  'key', 'changeme', 'default', 'none', 'null', 'empty', 'qwerty', 'letmein',
]);
const PLACEHOLDER_MARKERS = [
  'changeme', 'change_me', 'change-me', 'changethis', 'placeholder', 'example', 'dummy', 'fake', 'sample', 'test',
  'your_', 'your-', 'yourpassword', 'yoursecret', 'redacted', 'replace', 'insert', 'todo', 'fixme', 'xxx', 'notset',
  'not_set', 'not-set', 'secret_here', 'key_here',
];
const TEMPLATE = /<[^>]*>|\$\{[^}]*\}|%\([^)]*\)[sdr]|\{[^}]*\}|\*{3,}|\.{3}|^\$[A-Za-z_]\w*$/;
const PATH = /^(?:\/|~\/|\.\.?\/|[A-Za-z]:\\)|\.(?:pem|key|crt|cer|txt|json|ya?ml|ini|cfg|conf|p12|pfx|jks|gpg|asc|env)$/i;
const URL = /^[a-z][a-z0-9+.-]*:\/\//i;
const ENV_NAME = /^[A-Z][A-Z0-9_]*$/;
/** Regular expressions (a lexer's `string_token = r'[^\W\d]\w*'`): character classes, groups, quantified wildcards. */
const REGEX = /\\[wdsbWDSB]|\(\?[:=!<P]|\[\^|\.\*|\.\+|\[[a-z]-[a-z]/;
/** Password hash formats (Django, crypt, bcrypt, argon2): verifiers, not credentials. */
const PASSWORD_HASH = /^(?:pbkdf2_sha\d+\$|bcrypt(?:_sha256)?\$|argon2\$|\$2[abxy]\$|\$argon2|\$[156]\$|sha1\$|md5\$|!)/;
/** Letters and separators only, each part lower, Capitalised or UPPER: names, words, header names. */
function isWordLike(v: string): boolean {
  return /^[A-Za-z]+(?:[-_.: ][A-Za-z]+)*$/.test(v) && v.split(/[-_.: ]/).every((p) => /^(?:[a-z]+|[A-Z][a-z]*|[A-Z]+)$/.test(p));
}

const CREDENTIAL_WORDS = new Set(['password', 'passwd', 'pwd', 'passphrase', 'secret', 'token', 'apikey', 'credential', 'credentials']);
const CREDENTIAL_KEY_QUALIFIERS = new Set(['api', 'secret', 'private', 'access', 'signing', 'sign', 'encryption', 'master', 'hmac', 'auth', 'aes', 'jwt']);
/** Public halves and non-secret identifiers that share the vocabulary. */
const PUBLIC_WORDS = new Set(['public', 'publishable', 'pub', 'csrf', 'xsrf', 'id']);

/** Trailing words that still name the credential itself (`password_plain`, `token_value`). */
const VALUE_TAILS = new Set(['value', 'str', 'string', 'plain', 'plaintext', 'raw', 'b64', 'base64', 'hex', 'bytes']);

/**
 * A name under which a literal is a credential: `password`, `DB_PASSWD`, `api_key`, `SECRET_KEY`, `auth_token`.
 * The credential word must be the head (last word, before value-ish tails): `password_salt` is a salt.
 */
function isCredentialName(name: string): boolean {
  if (!isSecretName(name)) return false;
  const words = nameWords(name);
  if (words.some((w) => PUBLIC_WORDS.has(w))) return false;
  let i = words.length - 1;
  while (i > 0 && VALUE_TAILS.has(words[i]!)) i--;
  const head = words[i]!;
  if (CREDENTIAL_WORDS.has(head)) return true;
  return head === 'key' && words.slice(0, i).some((w) => CREDENTIAL_KEY_QUALIFIERS.has(w));
}

/** `Authorization: Bearer <token>` written out: the credential part, when it is a plausible real one. */
function authorizationCredential(v: string): string | undefined {
  const m = /^(?:Bearer|Token|Basic|Bot|token)\s+(\S+)$/.exec(v);
  if (!m || notASecret(m[1]!) || m[1]!.length < 16) return undefined;
  return m[1];
}
const AUTHORIZATION_NAME = /^(?:proxy[-_])?authori[sz]ation(?:[-_]header)?$|^auth[-_]header$/i;

/** Why a literal is not a plausible chosen secret, or undefined when it is one. */
function notASecret(v: string): string | undefined {
  if (v.length < MIN_LENGTH) return 'short';
  if (/\s/.test(v)) return 'prose';
  const lower = v.toLowerCase();
  if (PLACEHOLDER_WORDS.has(lower.replace(/[^a-z]/g, ''))) return 'default';
  if (PLACEHOLDER_MARKERS.some((m) => lower.includes(m))) return 'placeholder';
  if (TEMPLATE.test(v)) return 'template';
  if (URL.test(v)) return 'url';
  if (PATH.test(v)) return 'path';
  if (ENV_NAME.test(v)) return 'env-name';
  if (PASSWORD_HASH.test(v)) return 'hash';
  if (isWordLike(v)) return 'word';
  if (REGEX.test(v)) return 'regex';
  if (shannonEntropy(v) < entropyThreshold([...v].length)) return 'low-entropy';
  return undefined;
}

/** Bare words that stand for "no value" rather than for a chosen password. */
const NO_VALUE_WORDS = new Set([
  'none', 'null', 'nil', 'empty', 'default', 'true', 'false', 'undefined', 'unset', 'unknown', 'missing', 'n/a', 'tbd',
  // flags and authentication scheme names compared or stored next to credentials
  'yes', 'no', 'on', 'off', 'enabled', 'disabled', 'bearer', 'basic', 'digest', 'token', 'oauth', 'oauth2', 'apikey',
]);

/**
 * A human-chosen credential that the entropy test rejects: short (`hunter2`), a default word with
 * digits (`admin123`, `password1`), a pass phrase (`my super secret key`), or a bare word
 * (`postgres`, `dev`; low confidence). Explicit placeholders (`changeme`, `<password>`, `xxx`,
 * `your-key-here`), templates, paths, URLs, env-var names, hashes, prompts and labels are not.
 */
function weakCredential(v: string): 'medium' | 'low' | undefined {
  if (v.trim().length < 3) return undefined;
  const lower = v.toLowerCase();
  if (NO_VALUE_WORDS.has(lower)) return undefined;
  if (PLACEHOLDER_MARKERS.some((m) => lower.includes(m))) return undefined;
  if (TEMPLATE.test(v) || URL.test(v) || PATH.test(v) || ENV_NAME.test(v) || PASSWORD_HASH.test(v) || REGEX.test(v)) return undefined;
  if (/\s/.test(v)) {
    // A pass phrase, not a prompt, label or message ("Enter your password:", "Invalid token").
    const words = v.trim().split(/\s+/);
    if (words.length > 8 || /[:?.!]$/.test(v.trim()) || /^[A-Z][a-z]+\s/.test(v.trim()) || /[%{}]/.test(v)) return undefined;
    return 'medium';
  }
  if (/[^A-Za-z]/.test(v)) return 'medium';
  return 'low';
}

/**
 * The value spells its own name in another case (`CHANGE_PASSWORD = 'changePassword'`,
 * `RESET_TOKEN = 'reset-token'`): an action, field or event name, not a credential.
 */
function namesItself(name: string, value: string): boolean {
  const letters = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const bare = /`([^`]+)`/.exec(name)?.[1] ?? name;
  return letters(value) === letters(bare.slice(bare.lastIndexOf('.') + 1));
}

/** `user_password = 'Password'`: the value is the credential word of its name, a label or field name. */
function namesItsHead(name: string, value: string): boolean {
  const bare = /`([^`]+)`/.exec(name)?.[1] ?? name;
  const words = nameWords(bare);
  const head = words[words.length - 1];
  return head !== undefined && value.toLowerCase() === head;
}

const LOCAL_HOST = /^(?:localhost|127\.\d+\.\d+\.\d+|\[?::1\]?|0\.0\.0\.0|[\w.-]+\.(?:local|localhost|test|example|invalid)|example\.(?:com|org|net))$/i;

/** `scheme://user:password@host`: the password part, when it is a plausible real one on a real host. */
function urlCredential(v: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^\s:@/]+):([^\s@/]+)@([^\s/:?#]+)/i.exec(v);
  if (!m) return undefined;
  const [, user, password, host] = m as unknown as [string, string, string, string];
  if (password === user || LOCAL_HOST.test(host) || notASecret(password)) return undefined;
  return password;
}

/** Show enough of a secret to find it, never the secret itself. */
function redact(v: string): string {
  return v.length <= 8 ? `${v.slice(0, 2)}…` : `${v.slice(0, 4)}…`;
}

/** A string node's value: decoded for str literals, raw for bytes, undefined for f-strings with fields. */
function literalValue(module: PythonModule, node: Node): string | undefined {
  const v = module.constantValue(node);
  if (typeof v === 'string') return v;
  const parts = node.type === 'concatenated_string' ? node.namedChildren : [node];
  let out = '';
  for (const part of parts) {
    if (!part || part.type !== 'string') return undefined;
    if (part.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
    for (const c of part.namedChildren) if (c?.type === 'string_content') out += c.text;
  }
  return out;
}

/** Where a literal shorter than MIN_LENGTH can still be a credential: bound to a name, a key argument, a comparison. */
const SHORT_LITERAL_PLACES = new Set(['assignment', 'keyword_argument', 'default_parameter', 'typed_default_parameter', 'pair', 'argument_list', 'comparison_operator']);

const ENV_LOOKUPS = new Set(['os.environ.get', 'os.getenv', 'os.environ.setdefault']);

export default defineRule({
  id: 'python/hardcoded-secret',
  language: 'python',
  title: 'Hard-coded credential in source',
  cwe: [798, 259, 321],
  severity: 'high',
  confidence: 'medium',
  // A string in a real key or token format is a leaked credential in a test file too; a password literal
  // under a credential name in test code is a fixture value (those occurrences say `inTests: false`).
  inTests: true,
  description:
    'A credential is written into the source: a string in a well-known token or key format (AWS access key id, ' +
    'GitHub, Slack, Stripe live and Google API keys, PEM private keys), or a random-looking literal stored under a ' +
    'credential name (`password`, `api_key`, `SECRET_KEY`, `auth_token`, `client_secret`...) as a variable, ' +
    'attribute, keyword argument, dict entry, parameter default or environment-variable fallback, or a password ' +
    'inside a connection URL. Under a credential name, a guessable human-chosen value is reported too: short ' +
    '(`hunter2`), a default word with digits (`admin123`), or a pass phrase (`my super secret key`), at medium ' +
    'confidence; a bare word (`postgres`) or an environment-variable fallback at low confidence. Also reported: a ' +
    'literal passed as the key of a signing call listed in `models/python/secrets/key-arguments.yml` ' +
    "(`jwt.encode(payload, 'secret')`, `hmac.new(b'key', ...)`), and a credential compared with a literal " +
    "(`if password == 'letmein42':`, `hmac.compare_digest(token, '...')`) unless the branch only rejects (raises or " +
    "returns False/None). Explicit placeholders (`changeme`, `<password>`, `your-key-here`, `xxx`), empty strings, " +
    'templates, paths, URLs, env-var names, prompts and labels (`Enter your password:`) are ignored. In test code only the well-known formats are shown by default (a real key there is still a leak); ' +
    'credential-named literals there are test fixtures and are shown with `--include-tests`.',
  whyItMatters:
    'Source code is copied to laptops, CI logs, forks, wheels and container images, and stays in version history ' +
    'after the line is deleted. Anyone with read access gets the account, the API quota or the ability to forge ' +
    'sessions (a leaked Django `SECRET_KEY` signs arbitrary cookies), and rotating the secret requires a release.',
  fix: {
    guidance:
      'Revoke and rotate the exposed credential, then read it at run time from the environment or a secret store ' +
      '(Vault, AWS Secrets Manager, Kubernetes secrets), failing fast when it is missing.',
    before: "SECRET_KEY = 'k3#v9!x0qz@2m$8wr^t1y&u4'",
    after: "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/798.html',
    'https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html',
    'https://docs.djangoproject.com/en/stable/ref/settings/#secret-key',
  ],
  create({ module, report }) {
    // Credential-named literals in test code are usually fixture values: low confidence there (and not
    // shown in test code by default). A string in a real key format keeps its confidence anywhere.
    const inTests = isTestPath(module.path);
    const confidence = (c: 'high' | 'medium'): 'high' | 'medium' | 'low' => (inTests ? 'low' : c);

    /** `{'Authorization': '...'}`, `authorization='...'`, `auth_header = '...'`: the header name. */
    function headerName(node: Node): string | undefined {
      const p = node.parent;
      let name: string | undefined;
      if (p?.type === 'pair' && p.childForFieldName('value')?.id === node.id) {
        const k = p.childForFieldName('key');
        const v = k ? module.constantValue(k) : undefined;
        name = typeof v === 'string' ? v : undefined;
      } else if (p?.type === 'assignment' && p.childForFieldName('right')?.id === node.id) {
        const left = p.childForFieldName('left');
        name = left ? targetName(module, left) : undefined;
      } else if (p?.type === 'keyword_argument' && p.childForFieldName('value')?.id === node.id) {
        name = p.childForFieldName('name')?.text;
      }
      return name && AUTHORIZATION_NAME.test(name) ? name : undefined;
    }

    /** How a literal is bound to a credential-like name (`\`password\``), if it is. */
    function boundName(node: Node): string | undefined {
      const p = node.parent;
      if (!p) return undefined;
      switch (p.type) {
        case 'assignment': {
          if (p.childForFieldName('right')?.id !== node.id) return undefined;
          const left = p.childForFieldName('left');
          const name = left ? targetName(module, left) : undefined;
          return name && isCredentialName(name) ? `\`${name}\`` : undefined;
        }
        case 'keyword_argument':
        case 'default_parameter':
        case 'typed_default_parameter': {
          if (p.childForFieldName('value')?.id !== node.id) return undefined;
          const name = p.childForFieldName('name')?.text;
          return name && isCredentialName(name) ? `\`${name}\`` : undefined;
        }
        case 'pair': {
          if (p.childForFieldName('value')?.id !== node.id) return undefined;
          const key = p.childForFieldName('key');
          const k = key ? module.constantValue(key) : undefined;
          return typeof k === 'string' && isCredentialName(k) ? `\`${k}\`` : undefined;
        }
        case 'argument_list': {
          // os.environ.get('DB_PASSWORD', '<fallback>')
          const call = p.parent?.type === 'call' ? module.call(p.parent) : undefined;
          if (!call?.qname || !ENV_LOOKUPS.has(call.qname) || call.positional[1]?.id !== node.id) return undefined;
          const envName = call.positional[0] ? module.constantValue(call.positional[0]) : undefined;
          const name = typeof envName === 'string' && isCredentialName(envName) ? envName : valueUse(module, call.node).bound.find(isCredentialName);
          return name ? `the fallback for \`${name}\`` : undefined;
        }
        default:
          return undefined;
      }
    }

    /** `jwt.encode(payload, '<here>')`, `hmac.new(key=b'<here>')`: the call, when the literal is its key argument. */
    function keyArgumentCall(node: Node): string | undefined {
      const p = node.parent;
      let callNode: Node | null | undefined;
      let matches: (k: { position: number | undefined; keyword: string | undefined }, call: ReturnType<typeof module.call>) => boolean;
      if (p?.type === 'argument_list') {
        callNode = p.parent;
        matches = (k, call) => k.position !== undefined && !call.hasStarArgs && call.positional[k.position]?.id === node.id;
      } else if (p?.type === 'keyword_argument' && p.childForFieldName('value')?.id === node.id) {
        callNode = p.parent?.parent;
        const kw = p.childForFieldName('name')?.text;
        matches = (k) => k.keyword !== undefined && k.keyword === kw;
      } else return undefined;
      if (callNode?.type !== 'call') return undefined;
      const call = module.call(callNode);
      const model = call.qname ? keyArguments().get(call.qname) : undefined;
      return model && matches(model, call) ? call.qname : undefined;
    }

    /**
     * `password == '<here>'`, `'<here>' != token`, `hmac.compare_digest(api_key, '<here>')`: the credential's
     * name, when a credential is compared with the literal. An equality that only rejects (its branch raises or
     * returns False/None: a deny list of known-bad passwords) is not a built-in credential.
     */
    function comparedCredential(node: Node): string | undefined {
      const p = node.parent;
      if (!p) return undefined;
      let other: Node | undefined;
      if (p.type === 'comparison_operator') {
        const operands = p.namedChildren.filter((c): c is Node => !!c);
        const ops = p.children.filter((c) => c && !c.isNamed).map((c) => c!.text);
        if (operands.length !== 2 || ops.length !== 1 || (ops[0] !== '==' && ops[0] !== '!=')) return undefined;
        other = operands.find((c) => c.id !== node.id);
        if (ops[0] === '==' && onlyRejects(p)) return undefined;
      } else if (p.type === 'argument_list' && p.parent?.type === 'call') {
        const call = module.call(p.parent);
        if (call.qname !== 'hmac.compare_digest' && call.qname !== 'secrets.compare_digest') return undefined;
        if (call.positional.length !== 2) return undefined;
        other = call.positional.find((c) => c.id !== node.id);
      }
      if (!other) return undefined;
      // request.POST.get('password'), form.get('api_token')
      const o = module.unwrap(other);
      const getKey = o.type === 'call' && module.call(o).method === 'get' ? module.call(o).positional[0] : undefined;
      const key = getKey ? module.constantValue(getKey) : undefined;
      const name = typeof key === 'string' ? key : targetName(module, other);
      return name && isCredentialName(name) && !module.isStringLiteral(other) ? name : undefined;
    }

    /** `if <comparison>:` whose body starts by raising or returning False/None. */
    function onlyRejects(comparison: Node): boolean {
      let c = comparison;
      while (c.parent?.type === 'boolean_operator' || c.parent?.type === 'parenthesized_expression') c = c.parent;
      const ifNode = c.parent;
      if ((ifNode?.type !== 'if_statement' && ifNode?.type !== 'elif_clause') || ifNode.childForFieldName('condition')?.id !== c.id) return false;
      const first = ifNode.childForFieldName('consequence')?.namedChildren.find((s) => s && s.type !== 'comment');
      if (!first) return false;
      if (first.type === 'raise_statement') return true;
      if (first.type === 'return_statement') {
        const v = first.namedChildren[0];
        return !v || v.type === 'false' || v.type === 'none';
      }
      return false;
    }

    function check(node: Node): void {
      // Raw text: the formats never contain escapes, and bytes/f-strings still show them.
      const raw = node.text;
      if (FORMAT_HINT.test(raw)) for (const format of KNOWN_FORMATS) {
        const m = format.pattern.exec(raw);
        if (!m || /EXAMPLE/i.test(m[0]) || shannonEntropy(m[0]) < format.minEntropy) continue;
        report({
          node,
          message: `String literal contains ${format.label}${format.minEntropy > 0 ? ` (\`${redact(m[0])}\`)` : ''}; revoke it and load it from the environment or a secret store.`,
          confidence: 'high',
        });
        return;
      }

      const value = literalValue(module, node);
      if (value === undefined) return;
      if (value.length >= MIN_LENGTH) {
        const header = headerName(node);
        const credential = header ? authorizationCredential(value) : undefined;
        if (header && credential) {
          report({
            node,
            inTests: false,
            message: `\`${header}\` carries a hard-coded credential (\`${value.slice(0, value.length - credential.length)}${redact(credential)}\`); load the token from the environment or a secret store.`,
            confidence: confidence('medium'),
          });
          return;
        }
      }
      let strongCache: boolean | undefined;
      const isStrong = (): boolean => (strongCache ??= value.length >= MIN_LENGTH && !notASecret(value));
      const name = boundName(node);
      if (name) {
        if (namesItself(name, value) || namesItsHead(name, value)) return;
        const strong = isStrong();
        const weak = strong ? undefined : weakCredential(value);
        if (!strong && !weak) return;
        // A weak fallback of an environment lookup is usually a development default.
        const fallback = name.startsWith('the fallback');
        report({
          node,
          inTests: false,
          message: strong
            ? `${name[0]!.toUpperCase()}${name.slice(1)} is a hard-coded literal (\`${redact(value)}\`, ${value.length} chars); credentials belong in the environment or a secret store.`
            : `${name[0]!.toUpperCase()}${name.slice(1)} is a hard-coded, guessable literal (\`${redact(value)}\`, ${value.length} chars); credentials belong in the environment or a secret store.`,
          confidence: strong ? confidence('medium') : inTests || fallback ? 'low' : weak!,
        });
        return;
      }
      const keyCall = keyArgumentCall(node);
      if (keyCall) {
        const strong = isStrong();
        if (!strong && !weakCredential(value)) return;
        report({
          node,
          inTests: false,
          message: `\`${keyCall}\` is given a hard-coded key (\`${redact(value)}\`); anyone with the source can sign or verify what it protects.`,
          confidence: confidence(strong ? 'high' : 'medium'),
        });
        return;
      }
      const compared = comparedCredential(node);
      if (compared) {
        if (!isStrong() && !weakCredential(value)) return;
        report({
          node,
          inTests: false,
          message: `\`${compared}\` is checked against a hard-coded literal (\`${redact(value)}\`): a built-in credential anyone with the source can use.`,
          confidence: confidence('medium'),
        });
        return;
      }
      if (value.length < MIN_LENGTH) return;
      const password = urlCredential(value);
      if (password) {
        report({
          node,
          inTests: false,
          message: `Connection URL embeds a password for user \`${value.slice(value.indexOf('//') + 2, value.indexOf(':', value.indexOf('//')))}\`; load it from the environment or a secret store.`,
          confidence: confidence('medium'),
        });
      }
    }

    return {
      nodes: {
        string(node) {
          // Quotes included, anything shorter than 5 characters holds no 3-character credential.
          const size = node.endIndex - node.startIndex;
          if (size < 5) return;
          const parent = node.parent?.type;
          if (parent === 'concatenated_string') return;
          // Shorter than a random-looking secret: only where a name, a key parameter or a comparison can make it one.
          if (size < MIN_LENGTH + 2 && (parent === undefined || !SHORT_LITERAL_PLACES.has(parent))) return;
          check(node);
        },
        concatenated_string(node) {
          if (node.endIndex - node.startIndex < 5) return;
          check(node);
        },
      },
    };
  },
});
