/**
 * Languages the LLM second opinion reviews although secreview has no static front end for them:
 * recognised by file extension. Files of these languages are discovered (with .gitignore,
 * excludes, size limits and the binary check) only under `--llm`; without it they are not scanned.
 * This module is small on purpose: the CLI reads it to explain a scan that found nothing to analyse.
 */
import { frontEndForPath } from '../frontend/registry.js';

/** Extension (lower case, with the dot) → language name as the prompt says it. */
export const LLM_ONLY_LANGUAGES: Readonly<Record<string, string>> = Object.freeze({
  '.c': 'C',
  '.h': 'C',
  '.cc': 'C++',
  '.cpp': 'C++',
  '.cxx': 'C++',
  '.c++': 'C++',
  '.hh': 'C++',
  '.hpp': 'C++',
  '.hxx': 'C++',
  '.go': 'Go',
  '.java': 'Java',
  '.kt': 'Kotlin',
  '.scala': 'Scala',
  '.rs': 'Rust',
  '.sh': 'shell',
  '.bash': 'shell',
  '.zsh': 'shell',
  '.js': 'JavaScript',
  '.mjs': 'JavaScript',
  '.cjs': 'JavaScript',
  '.jsx': 'JavaScript',
  '.ts': 'TypeScript',
  '.mts': 'TypeScript',
  '.cts': 'TypeScript',
  '.tsx': 'TypeScript',
  '.rb': 'Ruby',
  '.php': 'PHP',
  '.cs': 'C#',
  '.swift': 'Swift',
  '.pl': 'Perl',
  '.pm': 'Perl',
  '.lua': 'Lua',
});

/** The extensions above, for discovery. */
export const llmOnlyExtensions: readonly string[] = Object.keys(LLM_ONLY_LANGUAGES);

/** The language of a file only the LLM can review, or undefined (a static front end claims it, or unknown). */
export function llmOnlyLanguageOf(path: string): string | undefined {
  if (frontEndForPath(path)) return undefined;
  const lower = path.toLowerCase();
  const dot = lower.lastIndexOf('.');
  if (dot < 0 || dot < lower.lastIndexOf('/')) return undefined;
  return LLM_ONLY_LANGUAGES[lower.slice(dot)];
}

/**
 * The language name the prompt gives a file a static front end reads, when it is not Python
 * (the prompt's default): `JavaScript` for `.js`, `TypeScript` for `.ts`/`.tsx`.
 */
export function frontEndLanguageOf(path: string): string | undefined {
  const fe = frontEndForPath(path);
  if (!fe || fe.language === 'python') return undefined;
  const lower = path.toLowerCase();
  return LLM_ONLY_LANGUAGES[lower.slice(lower.lastIndexOf('.'))];
}
