import type { AnyRule } from '../../define-rule.js';
import archivePathTraversal from './archive-path-traversal.js';
import commandArgumentInjection from './command-argument-injection.js';
import dynamicImport from './dynamic-import.js';
import evalInjection from './eval-injection.js';
import hiddenCodeEncoding from './hidden-code-encoding.js';
import jinja2AutoescapeDisabled from './jinja2-autoescape-disabled.js';
import markupUnescaped from './markup-unescaped.js';
import osCommandInjection from './os-command-injection.js';
import sendFilePathTraversal from './send-file-path-traversal.js';
import sqlInjectionFormat from './sql-injection-format.js';
import subprocessShellInjection from './subprocess-shell-injection.js';
import unsafeDeserialization from './unsafe-deserialization.js';
import xmlExternalEntities from './xml-external-entities.js';
import yamlUnsafeLoad from './yaml-unsafe-load.js';

export const injectionRules: AnyRule[] = [
  archivePathTraversal,
  commandArgumentInjection,
  dynamicImport,
  evalInjection,
  hiddenCodeEncoding,
  jinja2AutoescapeDisabled,
  markupUnescaped,
  osCommandInjection,
  sendFilePathTraversal,
  sqlInjectionFormat,
  subprocessShellInjection,
  unsafeDeserialization,
  xmlExternalEntities,
  yamlUnsafeLoad,
];
