import type { PyCall } from '../../../frontend/python/index.js';
import { defineRule } from '../../define-rule.js';
import { replaceNode } from '../../autofix.js';
import { ensureImport, usedOtherThanAsModule } from '../python-edits.js';
import { secretSinkOf } from './random-sinks.js';
import { describeCallee, functionName, isSecretName, nameWords, targetName, valueUse } from './secret-context.js';

/** Module-level functions of `random`, all backed by the shared Mersenne Twister instance. */
const RANDOM_FUNCTIONS = new Set([
  'random', 'randint', 'randrange', 'choice', 'choices', 'sample', 'getrandbits', 'shuffle', 'uniform', 'randbytes',
  'triangular', 'gauss', 'normalvariate',
].map((f) => `random.${f}`));

/**
 * `random.<f>(x)` → `secrets.<g>(x)`: the same argument, the same kind of result, drawn from the
 * operating system's generator. `randbytes(n)` and `token_bytes(n)` both return `n` bytes.
 */
const SECRETS_EQUIVALENT = new Map([
  ['choice', 'choice'],
  ['getrandbits', 'randbits'],
  ['randbytes', 'token_bytes'],
]);

/** Uses that show the number is for timing, load spreading or simulation. */
const NON_SECRET_USE_WORDS = new Set([
  'sleep', 'delay', 'jitter', 'backoff', 'wait', 'timeout', 'interval', 'retry', 'retries', 'port', 'sample', 'sampling',
  'shuffle', 'color', 'colour', 'weight', 'weights', 'probability', 'prob', 'noise', 'seed',
]);
/** Enclosing functions whose randomness is not a secret: MIME boundaries, temp names, tests and demos. */
const NON_SECRET_FUNCTION_WORDS = new Set([
  'boundary', 'delimiter', 'tmp', 'temp', 'tempfile', 'test', 'tests', 'mock', 'fake', 'dummy', 'sample', 'demo',
  'jitter', 'backoff', 'retry', 'sleep', 'shuffle', 'color', 'colour', 'simulate', 'simulation', 'benchmark', 'fuzz',
]);
/** Arguments that show the choice is over words of a vocabulary (NLP data augmentation), not secrets. */
const VOCABULARY_WORDS = new Set(['vocab', 'vocabulary', 'tokenizer', 'word', 'words', 'corpus', 'sentence', 'sentences']);

export default defineRule({
  id: 'python/insecure-random',
  language: 'python',
  title: 'Secret generated with the non-cryptographic `random` module',
  cwe: [338],
  severity: 'high',
  confidence: 'high',
  description:
    'A value from the `random` module (Mersenne Twister) becomes a token, password, key, salt, nonce or one-time ' +
    'code. The rule reports a `random` call when its result is stored under, returned as, or passed into ' +
    'something named as a secret; when it reaches a cookie (`set_cookie`, `response.cookies[...]`), the session ' +
    "(`session[...] =`, `request.session[...] =`) or a link or message carrying a token or code (`'/reset?token=' + " +
    "x`, `f'Your code is {code}'`), directly or through a local variable of any name (high confidence for a " +
    'secret-like cookie or session key, medium for a computed one, none for a preference such as `theme`); or, with less confidence, when ' +
    'it sits in a function named as a secret. Random numbers for jitter, sampling or tests are left alone.',
  whyItMatters:
    'Mersenne Twister is not a cryptographic generator: after observing 624 32-bit outputs (for example other ' +
    'tokens the application handed out) an attacker reconstructs its state and predicts every future and past ' +
    'value, so password-reset links, session ids and API keys become guessable.',
  fix: {
    guidance:
      'Use the `secrets` module (`secrets.token_urlsafe()`, `secrets.token_hex()`, `secrets.choice()`, ' +
      '`secrets.randbelow()`) or `random.SystemRandom()`, which draw from the operating system CSPRNG.',
    before: "token = ''.join(random.choice(ALPHABET) for _ in range(32))",
    after: 'token = secrets.token_urlsafe(32)',
  },
  references: [
    'https://docs.python.org/3/library/random.html',
    'https://docs.python.org/3/library/secrets.html',
    'https://cwe.mitre.org/data/definitions/338.html',
  ],
  create({ module, report }) {
    const hasWord = (names: readonly string[], words: ReadonlySet<string>): boolean =>
      names.some((n) => nameWords(n).some((w) => words.has(w)));

    /**
     * `try: from secrets import randbits / except ImportError: from random import getrandbits as randbits`:
     * the import map keeps one binding per name, so look for a `secrets` binding of the same local name.
     */
    function alsoImportedFromSecrets(call: PyCall): boolean {
      const callee = module.unwrap(call.callee);
      const local = callee.type === 'identifier' ? callee.text : callee.type === 'attribute' ? module.unwrap(callee.childForFieldName('object') ?? callee).text : undefined;
      if (!local) return false;
      for (const statement of module.root.descendantsOfType(['import_from_statement', 'import_statement'])) {
        const from = statement.childForFieldName('module_name')?.text;
        for (const child of statement.namedChildren) {
          if (!child || child.id === statement.childForFieldName('module_name')?.id) continue;
          const name = child.type === 'aliased_import' ? child.childForFieldName('name')?.text : child.text;
          const bound = child.type === 'aliased_import' ? child.childForFieldName('alias')?.text : child.text;
          if (bound !== local) continue;
          if (from === 'secrets' || (statement.type === 'import_statement' && name === 'secrets')) return true;
        }
      }
      return false;
    }

    /**
     * The `secrets` call for `random.choice(seq)`, `random.getrandbits(k)` or `random.randbytes(n)`
     * spelled through the module name `random` itself, with one positional argument (keyword names
     * differ: `randbytes(n=)` vs `token_bytes(nbytes=)`), and `import secrets` added when missing.
     */
    function secretsFix(call: PyCall) {
      const callee = module.unwrap(call.callee);
      if (callee.type !== 'attribute') return undefined;
      const object = callee.childForFieldName('object');
      const replacement = SECRETS_EQUIVALENT.get(callee.childForFieldName('attribute')?.text ?? '');
      if (!replacement || object?.type !== 'identifier' || object.text !== 'random') return undefined;
      if (module.imports.get('random') !== 'random' || usedOtherThanAsModule(module, 'random')) return undefined;
      if (call.positional.length !== 1 || call.keywords.size > 0 || call.hasStarArgs || call.hasStarKwargs) return undefined;
      const imported = ensureImport(module, 'secrets');
      if (imported === undefined) return undefined;
      const edits = [replaceNode(callee, `secrets.${replacement}`)];
      if (imported) edits.unshift(imported);
      return { description: `Call secrets.${replacement}, which draws from the operating system's CSPRNG`, edits };
    }

    return {
      call(call) {
        if (!call.qname || !RANDOM_FUNCTIONS.has(call.qname)) return;

        const fn = functionName(module.enclosingFunction(call.node));
        if (fn && hasWord([fn], NON_SECRET_FUNCTION_WORDS)) return;
        if (alsoImportedFromSecrets(call)) return;

        const argumentNames: string[] = [];
        for (const a of [...call.positional, ...call.keywords.values()]) {
          for (const id of [a, ...a.descendantsOfType('identifier')]) if (id.type === 'identifier') argumentNames.push(id.text);
        }
        if (hasWord(argumentNames, VOCABULARY_WORDS)) return;

        const use = valueUse(module, call.node);
        const bound = [...use.bound];
        // random.shuffle(password_chars) returns None; it randomises its argument in place.
        if (call.qname === 'random.shuffle' && call.positional[0]) {
          const t = targetName(module, call.positional[0]);
          if (t) bound.push(t);
        }
        const described = describeCallee(module, call);
        const stored = bound.find(isSecretName);
        const passed = use.passedTo.find(isSecretName);
        const returned = use.returnedFrom && isSecretName(use.returnedFrom) ? use.returnedFrom : undefined;
        const evidence = stored
          ? `ends up in \`${stored}\``
          : passed
            ? `is passed to \`${passed}()\``
            : returned
              ? `is returned by \`${returned}()\``
              : undefined;
        if (evidence) {
          report({
            node: call.node,
            message: `${described} ${evidence}; \`random\` is predictable, so this secret can be guessed.`,
            autofix: secretsFix(call),
          });
          return;
        }
        // Stored in a cookie or the session, or sent in a link or code message, whatever it is called.
        const sink = secretSinkOf(module, call.node);
        if (sink && sink.named !== 'other') {
          report({
            node: call.node,
            confidence: sink.named === 'secret' ? 'high' : 'medium',
            message: `${described} ends up in ${sink.what}; \`random\` is predictable, so the value can be guessed.`,
            autofix: secretsFix(call),
          });
          return;
        }
        if (hasWord([...bound, ...use.passedTo], NON_SECRET_USE_WORDS)) return;
        // A named non-secret (`length = random.randint(12, 16)`) keeps the function-name evidence from applying.
        if (bound.some((b) => !isSecretName(b) && /(?:^|_)(?:len|length|count|num|size|n|i|idx|index|delay|timeout)$/i.test(b))) return;
        if (fn && isSecretName(fn)) {
          report({
            node: call.node,
            message: `${described} is used inside \`${fn}()\`; \`random\` is predictable, so what it generates can be guessed.`,
            confidence: 'medium',
            autofix: secretsFix(call),
          });
        }
      },
    };
  },
});
