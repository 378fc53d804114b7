import type { AnyRule } from '../../define-rule.js';
import javascriptUrl from './javascript-url.js';
import postmessageAnyTarget from './postmessage-any-target.js';
import postmessageNoOriginCheck from './postmessage-no-origin-check.js';
import reactDangerousHtml from './react-dangerous-html.js';
import tokenInWebStorage from './token-in-web-storage.js';

/** JavaScript/TypeScript in the browser: cross-window messages, HTML and URLs built from values, web storage. */
export const javascriptBrowserRules: AnyRule[] = [postmessageNoOriginCheck, postmessageAnyTarget, reactDangerousHtml, javascriptUrl, tokenInWebStorage];
