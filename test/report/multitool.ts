/**
 * Runs Microsoft's SARIF Multitool (devDependency @microsoft/sarif-multitool), the validator GitHub
 * and Azure DevOps are built around. Throws, with a clear message, if the binary is missing or
 * cannot run: a validator that did not run must not look like a pass.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGES = fileURLToPath(new URL('../../node_modules/@microsoft/', import.meta.url));

function multitoolPath(): string {
  const byPlatform: Record<string, string> = {
    linux: 'sarif-multitool-linux/Sarif.Multitool',
    darwin: 'sarif-multitool-darwin/Sarif.Multitool',
    win32: 'sarif-multitool-win32/Sarif.Multitool.exe',
  };
  const relative = byPlatform[process.platform];
  if (!relative) throw new Error(`SARIF Multitool: no binary for platform ${process.platform}`);
  const path = join(PACKAGES, relative);
  if (!existsSync(path)) {
    throw new Error(`SARIF Multitool binary not found at ${path}; run \`npm ci\` (devDependency @microsoft/sarif-multitool 5.7.0)`);
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`SARIF Multitool at ${path} is not executable by this user (check its file mode)`);
  }
  return path;
}

export interface ToolRun {
  status: number | null;
  output: string;
}

export function runMultitool(args: string[]): ToolRun {
  const bin = multitoolPath();
  const res = spawnSync(bin, args, {
    encoding: 'utf8',
    timeout: 120_000,
    // ICU may be missing in slim containers; the multitool needs no culture data.
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  if (res.error) throw new Error(`SARIF Multitool could not be started (${bin} ${args.join(' ')}): ${res.error.message}`);
  return { status: res.status, output: `${res.stdout ?? ''}${res.stderr ?? ''}` };
}

