/** Runs the built CLI (bin/secreview.js) for the LLM tests, without blocking this process (fake servers live here). */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds of the run. */
  ms: number;
}

/**
 * Only the given LLM variables reach the CLI (none of this machine's SECREVIEW_LLM_* / OPENAI_*),
 * and an empty user settings folder unless XDG_CONFIG_HOME is given.
 */
export function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  const started = Date.now();
  return new Promise((done) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SECREVIEW_LLM_|OPENAI_|XDG_CONFIG_HOME$)/.test(k)));
    const vars = { ...clean, NO_COLOR: '1', CI: 'true', XDG_CONFIG_HOME: tempTree({}), ...env };
    execFile(process.execPath, [BIN, ...args], { cwd, env: vars, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      done({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr, ms: Date.now() - started });
    });
  });
}
