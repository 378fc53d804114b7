/** What the Python pattern rules know of a value within one function: text, bindings, parts, origins, command lines. */
export * from './node-text.js';
export * from './bindings.js';
export * from './value-parts.js';
export * from './origins.js';
export * from './command-lines.js';
export * from './own-files.js';
