import type { Confidence } from '../../../findings/types.js';
import { defineRule } from '../../define-rule.js';
import { externalSource, fromOwnFile, qualifiedName, snippet } from '../value-facts/index.js';

const PICKLE_LIKE = ['pickle', 'cPickle', '_pickle', 'dill', 'cloudpickle'];

/** Loaders that run code from the data they read: qualified name → name of the data argument. */
const LOADERS = new Map<string, string>([
  ...PICKLE_LIKE.flatMap((m): [string, string][] => [
    [`${m}.load`, 'file'],
    [`${m}.loads`, 'data'],
    [`${m}.Unpickler`, 'file'],
  ]),
  ['joblib.load', 'filename'],
  ['sklearn.externals.joblib.load', 'filename'],
  ['marshal.load', 'file'],
  ['marshal.loads', 'bytes'],
  ['jsonpickle.decode', 'string'],
  ['jsonpickle.loads', 'string'],
  ['jsonpickle.unpickler.decode', 'string'],
  ['pandas.read_pickle', 'filepath_or_buffer'],
  ['shelve.open', 'filename'],
  ['numpy.load', 'file'],
  ['torch.load', 'f'],
]);


export default defineRule({
  id: 'python/unsafe-deserialization',
  language: 'python',
  title: 'Deserialisation that can execute code from the data',
  cwe: [502],
  severity: 'high',
  confidence: 'medium',
  description:
    'Data is loaded with a deserialiser that can call arbitrary functions while it reads: `pickle`/`cPickle`/' +
    '`_pickle`/`dill`/`cloudpickle` `load`, `loads` and `Unpickler`, `joblib.load`, `marshal.load(s)`, ' +
    '`jsonpickle.decode`, `pandas.read_pickle`, `shelve.open` (its values are pickles), `numpy.load(..., ' +
    'allow_pickle=True)` and `torch.load` without `weights_only=True`. Since PyTorch 2.6 `torch.load` defaults to ' +
    '`weights_only=True`, so a call that omits it is reported at low confidence (it is unsafe on older PyTorch). ' +
    'Whether this is exploitable depends on who can write the data: confidence is high when it visibly comes ' +
    'from a request, low when it is a file at a constant path, medium otherwise. An `Unpickler` subclass that ' +
    'restricts `find_class` is a different class and is not reported.',
  whyItMatters:
    'A pickle is a program for a small stack machine that may import and call any function: loading a crafted ' +
    'one runs `os.system` or anything else with the privileges of this process. There is no safe way to unpickle ' +
    'untrusted bytes.',
  fix: {
    guidance:
      'Use a data-only format (JSON, MessagePack, protobuf, `safetensors` for tensors; `torch.load(..., ' +
      'weights_only=True)`). If pickles must cross a trust boundary, sign them with an HMAC and check the signature ' +
      'before loading.',
    before: 'session = pickle.loads(base64.b64decode(request.cookies["session"]))',
    after: 'session = json.loads(signer.unsign(request.cookies["session"]))',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/502.html',
    'https://docs.python.org/3/library/pickle.html',
    'https://pytorch.org/docs/stable/generated/torch.load.html',
    'https://numpy.org/doc/stable/reference/generated/numpy.load.html',
  ],
  create({ module, report }) {
    return {
      call(call) {
        if (!call.qname || !LOADERS.has(call.qname)) return;
        const q = qualifiedName(module, call);
        if (!q) return;
        const data = call.arg(0, LOADERS.get(q));
        if (!data) return;
        const n = module.unwrap(data);
        // A literal pickle in the source is as trusted as the source.
        if ((n.type === 'string' || n.type === 'concatenated_string') && /\.(?:loads|decode)$/.test(q)) return;

        let base: Confidence = 'medium';
        let detail = '';
        if (q === 'numpy.load') {
          const allow = call.keywords.get('allow_pickle');
          if (!allow || module.constantValue(allow) !== true) return;
          detail = ' with `allow_pickle=True`';
        } else if (q === 'torch.load') {
          const weightsOnly = call.keywords.get('weights_only');
          if (weightsOnly) {
            if (module.constantValue(weightsOnly) !== false) return;
            detail = ' with `weights_only=False`';
          } else {
            base = 'low';
            detail = ' without `weights_only=True` (the default only since PyTorch 2.6)';
          }
        } else if (q === 'shelve.open' || q.startsWith('marshal.')) {
          // marshal builds code objects but calls nothing while loading; shelve is usually the app's own file.
          base = 'low';
        }

        const source = externalSource(module, data);
        const what = `\`${snippet(data, 50)}\``;
        if (source) {
          report({
            node: call.node,
            confidence: base === 'low' ? 'medium' : 'high',
            message:
              `\`${q}\` deserialises ${what}${detail}, which comes from ${source}: a crafted payload runs ` +
              'arbitrary code while it loads.',
          });
          return;
        }
        const confidence: Confidence = fromOwnFile(module, data) ? 'low' : base;
        if (q === 'shelve.open') {
          report({
            node: call.node,
            confidence,
            message:
              `\`shelve.open\` opens ${what}, whose values are unpickled when read; if anyone else can write that ` +
              'file, a crafted entry runs arbitrary code.',
          });
          return;
        }
        report({
          node: call.node,
          confidence,
          message:
            `\`${q}\` deserialises ${what}${detail}; if anyone else can write that data, a crafted payload runs ` +
            'arbitrary code while it loads.',
        });
      },
    };
  },
});
