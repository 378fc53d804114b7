import type { Node } from '../../../parse/tree-sitter.js';
import type { JavaScriptModule } from '../../../frontend/javascript/module.js';
import { defineRule } from '../../define-rule.js';
import { argsOf, calleeName, constantValue, objectLiteral, property } from '../syntax.js';

/** fs functions and the position of their mode argument (number) or options object (`{ mode }`). */
const MODE_AT: Record<string, { arg: number; options?: boolean }> = {
  chmod: { arg: 1 }, chmodSync: { arg: 1 }, fchmod: { arg: 1 }, fchmodSync: { arg: 1 }, lchmod: { arg: 1 }, lchmodSync: { arg: 1 },
  mkdir: { arg: 1, options: true }, mkdirSync: { arg: 1, options: true },
  open: { arg: 2 }, openSync: { arg: 2 },
  writeFile: { arg: 2, options: true }, writeFileSync: { arg: 2, options: true }, appendFile: { arg: 2, options: true }, appendFileSync: { arg: 2, options: true },
  createWriteStream: { arg: 1, options: true },
};

function modeOf(module: JavaScriptModule, node: Node | undefined): number | undefined {
  if (!node) return undefined;
  const v = constantValue(module, node);
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^0?[0-7]{3,4}$/.test(v)) return parseInt(v, 8);
  return undefined;
}

export default defineRule({
  id: 'javascript/permissive-file-mode',
  language: 'javascript',
  title: 'File or directory made writable by every user (mode 0o777, 0o666…)',
  cwe: [732],
  severity: 'medium',
  confidence: 'high',
  description:
    '`fs.chmod`, `mkdir`, `open`, `writeFile`, `appendFile` and `createWriteStream` (callback, Sync and `fs/promises` forms) ' +
    'with a constant mode that lets any user of the machine write (the "other" write bit, 0o002: 0o777, 0o666, 0o772…). Modes ' +
    'such as 0o755 or 0o600 are not reported.',
  whyItMatters:
    'Any local account or compromised service replaces the file: configuration, scripts that are later run, uploaded files ' +
    'that are later served.',
  fix: { guidance: 'Use the narrowest mode that works: 0o600/0o700 for private files, 0o644/0o755 for shared read-only ones.', before: "fs.writeFileSync(configPath, data, { mode: 0o666 });", after: "fs.writeFileSync(configPath, data, { mode: 0o600 });" },
  references: ['https://nodejs.org/api/fs.html#file-modes', 'https://cwe.mitre.org/data/definitions/732.html'],
  create({ module, report }) {
    return {
      nodes: {
        call_expression(call: Node) {
          const name = calleeName(module, call);
          if (!name || !/^fs(?:\.promises|-extra)?\.|^fs\.promises\./.test(name)) return;
          const fn = name.slice(name.lastIndexOf('.') + 1);
          const at = MODE_AT[fn];
          if (!at) return;
          const arg = argsOf(call)[at.arg];
          const mode = modeOf(module, arg) ?? (at.options ? modeOf(module, property(objectLiteral(module, arg), 'mode')) : undefined);
          if (mode !== undefined && (mode & 0o002) !== 0) report({ node: call, message: `\`${fn}\` with mode 0o${mode.toString(8)} lets every user write.` });
        },
      },
    };
  },
});
