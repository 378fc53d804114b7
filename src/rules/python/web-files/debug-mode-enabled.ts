import type { Node } from '../../../parse/tree-sitter.js';
import { defineRule } from '../../define-rule.js';
import { replaceNode, type NodeEdit } from '../../autofix.js';
import type { ConfigSetting } from './app-context.js';
import {
  configAssignment,
  configUpdateSettings,
  inMainGuard,
  isProductionSetting,
  isTestOrDevContext,
  isTrueConstant,
  looksLikeFlaskApp,
} from './app-context.js';

const CONFIG_CLASS = /(Config|Settings|Configuration)$/;

export default defineRule({
  id: 'python/debug-mode-enabled',
  language: 'python',
  title: 'Web framework debug mode enabled',
  cwe: [489],
  severity: 'medium',
  confidence: 'high',
  description:
    'The application turns on its framework debug mode in code: Flask `app.run(debug=True)`, `app.debug = True` or ' +
    "`app.config['DEBUG'] = True`, Werkzeug `run_simple(..., use_debugger=True)` or " +
    '`DebuggedApplication(app, evalex=True)`, Django `DEBUG = True` in a settings module, or aiohttp ' +
    '`web.Application(debug=True)` and `aiohttp_debugtoolbar.setup(app)`.',
  whyItMatters:
    'The Werkzeug interactive debugger runs arbitrary Python typed into the browser on any error page (the PIN is a ' +
    'weak barrier), so a reachable debug server is remote code execution. Django and Flask debug modes also show ' +
    'stack traces, local variables, settings and SQL to anyone who triggers an error.',
  fix: {
    guidance:
      'Keep debug off in code and enable it only from the environment of a developer machine (for example ' +
      '`FLASK_DEBUG=1` or a `DEBUG` environment variable defaulting to false); never ship a settings file with ' +
      '`DEBUG = True`.',
    before: "app.run(host='0.0.0.0', debug=True)",
    after: "app.run(debug=os.environ.get('FLASK_DEBUG') == '1')",
  },
  references: [
    'https://cwe.mitre.org/data/definitions/489.html',
    'https://flask.palletsprojects.com/en/stable/debugging/',
    'https://werkzeug.palletsprojects.com/en/stable/debug/',
    'https://docs.djangoproject.com/en/stable/ref/settings/#debug',
  ],
  create({ module, report }) {
    const reportDebugger = (node: Node, what: string, autofix?: { description: string; edits: NodeEdit[] }): void => {
      if (isTestOrDevContext(module, node)) return;
      const guarded = inMainGuard(node);
      report({
        node,
        severity: 'high',
        confidence: guarded ? 'medium' : 'high',
        message:
          `${what} starts the Werkzeug interactive debugger, which executes Python sent from the browser` +
          (guarded ? ' (here under `__main__`, but the code ships with debugging on).' : '.'),
        autofix,
      });
    };

    const checkSetting = (setting: ConfigSetting): void => {
      if (setting.name !== 'DEBUG' || !isTrueConstant(module, setting.value)) return;
      if (setting.kind === 'class') {
        const cls = setting.node.parent?.parent?.parent;
        const className = cls?.childForFieldName('name')?.text ?? '';
        if (!CONFIG_CLASS.test(className)) return;
      }
      if (!isProductionSetting(module, setting, true)) return;
      const where =
        setting.kind === 'module'
          ? 'in this Django settings module'
          : setting.kind === 'class'
            ? 'in this configuration class'
            : 'in the Flask configuration';
      report({
        node: setting.node,
        message: `\`${module.text(setting.node)}\` turns debug mode on ${where}: errors show stack traces, local variables and settings.`,
      });
    };

    // Flask/Dash/Sanic apps and Flask-SocketIO's `socketio.run(app, debug=True)`.
    const isAppLike = (receiver: Node): boolean =>
      looksLikeFlaskApp(module, receiver) || /^_*(socketio|sio)$/i.test(module.dottedName(receiver)?.split('.').pop() ?? '');

    return {
      call(call) {
        for (const setting of configUpdateSettings(module, call)) checkSetting(setting);

        if ((call.method === 'run' || call.method === 'run_server') && call.receiver && isAppLike(call.receiver)) {
          for (const kw of ['debug', 'use_debugger'] as const) {
            const value = call.keywords.get(kw);
            if (value && isTrueConstant(module, value)) {
              // Only the literal `True` is turned off: a name (`DEBUG`) may be meant elsewhere too.
              const autofix = value.type === 'true' ? { description: `Turn the debugger off (${kw}=False)`, edits: [replaceNode(value, 'False')] } : undefined;
              reportDebugger(value.parent ?? value, `\`${module.text(call.callee)}(${kw}=${module.text(value)})\``, autofix);
              return;
            }
          }
          return;
        }
        if (call.qname === 'werkzeug.serving.run_simple' || call.qname === 'werkzeug.run_simple') {
          const value = call.arg(4, 'use_debugger');
          if (value && isTrueConstant(module, value)) reportDebugger(value, '`run_simple(..., use_debugger=True)`');
          return;
        }
        // aiohttp: web.Application(debug=True) and the aiohttp-debugtoolbar middleware.
        if (call.qname === 'aiohttp.web.Application' || call.qname === 'aiohttp.web_app.Application') {
          const value = call.keywords.get('debug');
          if (value && isTrueConstant(module, value) && !isTestOrDevContext(module, call.node)) {
            report({
              node: value.parent ?? value,
              confidence: inMainGuard(call.node) ? 'medium' : 'high',
              message: '`web.Application(debug=True)` runs aiohttp in debug mode: asyncio debug checks and detailed errors in a deployed server.',
            });
          }
          return;
        }
        if (call.qname === 'aiohttp_debugtoolbar.setup') {
          if (isTestOrDevContext(module, call.node)) return;
          report({
            node: call.node,
            severity: 'high',
            confidence: inMainGuard(call.node) ? 'medium' : 'high',
            message: '`aiohttp_debugtoolbar.setup(...)` installs the debug toolbar, which shows requests, settings and tracebacks to whoever can reach it.',
          });
          return;
        }
        if (call.qname === 'werkzeug.debug.DebuggedApplication' || call.qname === 'werkzeug.DebuggedApplication') {
          const value = call.arg(1, 'evalex');
          if (value && isTrueConstant(module, value)) reportDebugger(value, '`DebuggedApplication(..., evalex=True)`');
        }
      },
      nodes: {
        assignment(node) {
          const setting = configAssignment(module, node);
          if (setting) {
            checkSetting(setting);
            return;
          }
          // app.debug = True
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left?.type !== 'attribute' || !right || left.childForFieldName('attribute')?.text !== 'debug') return;
          const object = left.childForFieldName('object');
          if (!object || !looksLikeFlaskApp(module, object) || !isTrueConstant(module, right)) return;
          if (isTestOrDevContext(module, node)) return;
          report({
            node,
            message: `\`${module.text(node)}\` turns Flask debug mode on: errors show stack traces, and \`app.run()\` starts the interactive debugger.`,
          });
        },
      },
    };
  },
});
