// The shared check behind cookie-without-secure and cookie-without-httponly.
import type { Confidence } from '../../../findings/types.js';
import type { PythonModule } from '../../../frontend/python/index.js';
import type { PythonVisitors, RuleReport } from '../../define-rule.js';
import type { ConfigSetting } from './app-context.js';
import {
  configAssignment,
  configUpdateSettings,
  isFalsyConstant,
  isProductionSetting,
  isSensitiveCookieName,
  isTestOrDevContext,
  oneLine,
  setCookieCall,
} from './app-context.js';

export interface CookieFlagOptions {
  flag: 'secure' | 'httponly';
  /** Settings that turn the flag off when assigned a falsy constant. */
  settings: ReadonlySet<string>;
  /** What the missing flag exposes, for the message. */
  consequence: string;
  /** Cookie names exempt from the check (e.g. CSRF cookies meant to be read by scripts). */
  exempt?: (name: string) => boolean;
}

export function cookieFlagVisitors(
  module: PythonModule,
  report: (r: RuleReport) => void,
  options: CookieFlagOptions,
): PythonVisitors {
  const { flag, settings, consequence } = options;

  const checkSetting = (setting: ConfigSetting): void => {
    if (!settings.has(setting.name) || !isFalsyConstant(module, setting.value)) return;
    if (!isProductionSetting(module, setting, false)) return;
    report({
      node: setting.node,
      confidence: 'high',
      message: `\`${oneLine(module.text(setting.node))}\` turns the \`${flag === 'secure' ? 'Secure' : 'HttpOnly'}\` attribute off for ${cookieOf(setting.name)}; ${consequence}.`,
    });
  };

  return {
    call(call) {
      for (const setting of configUpdateSettings(module, call)) checkSetting(setting);

      const cookie = setCookieCall(module, call);
      if (!cookie || isTestOrDevContext(module, call.node)) return;
      if (cookie.name !== undefined && options.exempt?.(cookie.name)) return;
      const shownName = cookie.name !== undefined ? `'${cookie.name}'` : oneLine(module.text(cookie.key), 40);
      const sensitive = cookie.name === undefined ? undefined : isSensitiveCookieName(cookie.name);
      const value = cookie.flag(flag);
      if (value) {
        if (!isFalsyConstant(module, value)) return;
        report({
          node: value.parent?.type === 'keyword_argument' ? value.parent : value,
          confidence: sensitive === false ? 'medium' : 'high',
          message: `\`${module.text(call.callee)}\` sets cookie \`${shownName}\` with \`${flag}=${module.text(value)}\`; ${consequence}.`,
        });
        return;
      }
      const confidence: Confidence = sensitive === true ? 'high' : sensitive === false ? 'low' : 'medium';
      report({
        node: call.node,
        confidence,
        message: `\`${module.text(call.callee)}\` sets cookie \`${shownName}\` without \`${flag}=True\`; ${consequence}.`,
      });
    },
    nodes: {
      assignment(node) {
        const setting = configAssignment(module, node);
        if (setting) checkSetting(setting);
      },
    },
  };
}

function cookieOf(setting: string): string {
  if (setting.startsWith('SESSION_')) return 'the session cookie';
  if (setting.startsWith('CSRF_')) return 'the CSRF token cookie';
  if (setting.startsWith('REMEMBER_')) return 'the remember-me cookie';
  return 'these cookies';
}
