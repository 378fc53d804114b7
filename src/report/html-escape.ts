/** Escaping for the HTML report: text and attributes, JSON in a script block, CSP hashes. */
import { createHash } from 'node:crypto';
import { neutralise } from './common.js';

// ---------------------------------------------------------------------------------------------
// Escaping.

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Report text as HTML text or attribute value: visible escapes for unsafe characters, then entities. */
export function text(s: string): string {
  return neutralise(s, true).replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}
export const attr = text;

/** JSON that cannot end its `<script>` block or be read as anything but JSON by the HTML parser. */
export function safeJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function sha256(s: string): string {
  return `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
}
