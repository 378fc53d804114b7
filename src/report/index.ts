/**
 * Reporter registry. Each reporter turns a finished Report into one string (ending in a newline);
 * reporters never read files, the clock or the environment, so equal reports give equal bytes.
 */
import type { Report } from '../findings/types.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { markdownReporter } from './markdown.js';
import { sarifReporter } from './sarif.js';
import { textReporter } from './text.js';
import { githubReviewReporter } from './github-review.js';
import { gerritReporter } from './gerrit.js';
import { conciseReporter } from './concise.js';

export interface ReportOptions {
  /** ANSI colours (text reporter only); off means the output holds no escape codes at all. */
  color: boolean;
  /**
   * Reserved for findings rejected by a later triage stage. The Report type carries no rejected
   * findings yet, so no reporter shows anything for it today.
   */
  showRejected?: boolean;
  /** Text reporter: more stats in the header, rule references and fingerprints per finding. */
  verbose?: boolean;
  /** Markdown reporter: the most characters the comment may have (default COMMENT_LIMIT, GitHub's). */
  maxLength?: number;
  /** HTML reporter: scanned source text by report path, to show the code around each finding (else the snippet). */
  sources?: Readonly<Record<string, string>>;
}

export interface Reporter {
  name: string;
  /** Conventional file extension, with the dot. */
  extension: string;
  render(report: Report, options: ReportOptions): string;
}

export type ReporterName = 'text' | 'concise' | 'json' | 'sarif' | 'markdown' | 'html' | 'github-review' | 'gerrit';

export const reporters: Record<ReporterName, Reporter> = {
  text: textReporter,
  concise: conciseReporter,
  json: jsonReporter,
  sarif: sarifReporter,
  markdown: markdownReporter,
  html: htmlReporter,
  'github-review': githubReviewReporter,
  gerrit: gerritReporter,
};

export const reporterNames: string[] = Object.keys(reporters);

export function getReporter(name: string): Reporter | undefined {
  return Object.prototype.hasOwnProperty.call(reporters, name) ? reporters[name as ReporterName] : undefined;
}

export { renderText } from './text.js';
export { renderConcise } from './concise.js';
export { toJsonReport, type JsonReport } from './json.js';
export { toSarif } from './sarif.js';
export { renderMarkdown } from './markdown.js';
export { toGitHubReview, type GitHubReview } from './github-review.js';
export { toGerritRobotComments, type GerritRobotComment } from './gerrit.js';
