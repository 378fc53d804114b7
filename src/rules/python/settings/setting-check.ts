// The shared check behind the settings rules: a module-level assignment in a production Django
// settings module whose constant value a settings model marks as one defect.
import type { Node } from '../../../parse/tree-sitter.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import type { PythonVisitors, RuleReport } from '../../define-rule.js';
import { configAssignment, isProductionSetting, oneLine } from '../web-files/app-context.js';
import type { SettingDefect, SettingModel } from './models.js';
import { settingModels } from './models.js';

/** Elements of a list or tuple literal (or of a module constant bound to one), else undefined. */
function sequenceElements(module: PythonModule, node: Node, depth = 0): Node[] | undefined {
  const n = module.unwrap(node);
  if (n.type === 'list' || n.type === 'tuple') return n.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  if (n.type === 'identifier' && depth < 5) {
    const bound = module.moduleConstants.get(n.text);
    return bound && bound.id !== n.id ? sequenceElements(module, bound, depth + 1) : undefined;
  }
  return undefined;
}

/** The offending constant when `value` fails the model's test, else undefined. */
export function offendingValue(module: PythonModule, model: SettingModel, value: Node): { node: Node; shown: string } | undefined {
  const { test } = model;
  if (test.kind === 'equals') {
    const v = module.constantValue(value);
    if (v === undefined || !test.values.includes(v)) return undefined;
    return { node: value, shown: module.text(value) };
  }
  const elements = sequenceElements(module, value);
  if (!elements || elements.length === 0) return undefined;
  const candidates = test.kind === 'first-in' ? elements.slice(0, 1) : elements;
  for (const e of candidates) {
    const v = module.constantValue(e);
    if (typeof v === 'string' && test.values.includes(v)) return { node: e, shown: module.text(e) };
  }
  return undefined;
}

/** The offending entry is visible in the quoted assignment: inside the value and within the 80 characters shown. */
function shownInline(module: PythonModule, assignment: Node, value: Node, entry: Node): boolean {
  if (entry.id === value.id) return true;
  const inside = entry.startIndex >= value.startIndex && entry.endIndex <= value.endIndex;
  return inside && module.text(assignment).replace(/\s+/g, ' ').length <= 80;
}

/** Visitors reporting every assignment the settings models mark as `defect`. */
export function settingVisitors(module: PythonModule, report: (r: RuleReport) => void, defect: SettingDefect): PythonVisitors {
  const models = settingModels().filter((m) => m.defect === defect);
  return {
    nodes: {
      assignment(node) {
        const setting = configAssignment(module, node);
        if (!setting || setting.kind !== 'module') return;
        const model = models.find((m) => m.name === setting.name);
        if (!model || !isProductionSetting(module, setting, true)) return;
        const bad = offendingValue(module, model, setting.value);
        if (!bad) return;
        report({
          node: setting.node,
          message:
            `\`${oneLine(module.text(setting.node), 80)}\`` +
            (shownInline(module, setting.node, setting.value, bad.node) ? '' : ` (entry \`${oneLine(bad.shown, 70)}\`)`) +
            ` ${model.says}.`,
        });
      },
    },
  };
}
