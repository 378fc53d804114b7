import type { AnyRule } from '../../define-rule.js';
import bindAllInterfaces from './bind-all-interfaces.js';
import cookieWithoutHttponly from './cookie-without-httponly.js';
import cookieWithoutSecure from './cookie-without-secure.js';
import csrfProtectionDisabled from './csrf-protection-disabled.js';
import debugModeEnabled from './debug-mode-enabled.js';
import insecureTempFile from './insecure-temp-file.js';
import requestWithoutTimeout from './request-without-timeout.js';
import resourceNotClosed from './resource-not-closed.js';
import secretInLog from './secret-in-log.js';
import toctouFileCheck from './toctou-file-check.js';
import worldWritablePermissions from './world-writable-permissions.js';

export const webFileRules: AnyRule[] = [
  bindAllInterfaces,
  cookieWithoutHttponly,
  cookieWithoutSecure,
  csrfProtectionDisabled,
  debugModeEnabled,
  insecureTempFile,
  requestWithoutTimeout,
  resourceNotClosed,
  secretInLog,
  toctouFileCheck,
  worldWritablePermissions,
];
