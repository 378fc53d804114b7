import { readFileSync, statSync } from 'node:fs';
import type { Diagnostic } from '../../findings/types.js';
import type { DiscoveredFile } from '../../discover/discover.js';
import { TemplateIndex } from './lookup.js';

export interface LoadedTemplates {
  index: TemplateIndex;
  /** Relative path → text, for snippets. */
  texts: Map<string, string>;
  /** Files that could not be read as UTF-8 text, or over the size limit (warnings: the scan goes on). */
  diagnostics: Diagnostic[];
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Read the template files discovery found. One that is too large, unreadable or not UTF-8 is
 * left out with a diagnostic naming the file and the cause; it never stops the scan.
 */
export function loadTemplates(files: readonly DiscoveredFile[], maxFileSize: number): LoadedTemplates {
  const texts = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  for (const file of files) {
    try {
      const size = statSync(file.absPath).size;
      if (size > maxFileSize) {
        diagnostics.push({ kind: 'skipped', level: 'warning', path: file.path, message: `template not read: file is ${size} bytes, over the --max-file-size limit` });
        continue;
      }
      const bytes = readFileSync(file.absPath);
      // Binary files under templates/ (images, fonts) are not templates: skipped quietly.
      if (bytes.includes(0)) continue;
      texts.set(file.path, utf8.decode(bytes));
    } catch (error) {
      const cause = error instanceof TypeError ? 'not UTF-8 text' : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
      diagnostics.push({ kind: 'read-error', level: 'warning', path: file.path, message: `template not read: ${cause}` });
    }
  }
  return { index: new TemplateIndex(texts), texts, diagnostics };
}
