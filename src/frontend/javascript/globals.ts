/**
 * Names JavaScript code uses without importing them (ECMAScript, Node and browser globals)
 * that the models speak of: they resolve to themselves (`eval` is `eval`, `document.write` is
 * `document.write`) unless the file declares its own at the top level.
 */
export const JS_GLOBALS: ReadonlySet<string> = new Set([
  // ECMAScript
  'eval', 'Function', 'Number', 'parseInt', 'parseFloat', 'Boolean', 'String', 'JSON', 'Object', 'Array',
  'Math', 'Date', 'RegExp', 'Promise', 'encodeURIComponent', 'encodeURI', 'decodeURIComponent', 'decodeURI',
  'escape', 'unescape', 'isNaN', 'Symbol', 'BigInt',
  // timers and fetch (Node and browsers)
  'setTimeout', 'setInterval', 'setImmediate', 'fetch', 'URL', 'URLSearchParams', 'structuredClone',
  // Node
  'process', 'Buffer', 'require', 'module', 'exports', '__dirname', '__filename', 'global', 'globalThis',
  // browsers
  'window', 'document', 'location', 'history', 'navigator', 'localStorage', 'sessionStorage', 'self',
  'top', 'parent', 'opener', 'XMLHttpRequest', 'WebSocket', 'DOMParser', 'alert',
]);
