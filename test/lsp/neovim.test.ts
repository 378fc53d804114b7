// A headless Neovim (Debian's package, which .ci/run installs) runs `secreview lsp` through its
// built-in LSP client and sees the diagnostics at the finding's exact place.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
const SCRIPT = fileURLToPath(new URL('./neovim/diagnostics.lua', import.meta.url));
const PING = 'import subprocess\n\ndef ping(host):\n    subprocess.call("ping " + host, shell=True)\n';

describe('secreview lsp in Neovim', () => {
  it('a headless Neovim shows the diagnostic at the argument of the shell call', { timeout: 120_000 }, () => {
    const version = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
    expect(version.status, 'Neovim is not installed (apt-get install neovim; .ci/run does it)').toBe(0);
    const root = tempTree({ 'ping.py': PING });
    const out = join(root, 'diagnostics.json');
    const r = spawnSync('nvim', ['--headless', '--clean', '-n', '-i', 'NONE', 'ping.py', '-c', `luafile ${SCRIPT}`], {
      cwd: root,
      encoding: 'utf8',
      timeout: 100_000,
      env: { ...process.env, SECREVIEW_NVIM_OUT: out, SECREVIEW_NODE: process.execPath, SECREVIEW_BIN: BIN },
    });
    expect(r.status, r.stderr).toBe(0);
    const seen = JSON.parse(readFileSync(out, 'utf8')) as { ok: boolean; diagnostics: { lnum: number; col: number; end_col: number; code: string; source: string }[] };
    expect(seen.ok).toBe(true);
    expect(seen.diagnostics).toEqual([
      expect.objectContaining({ lnum: 3, col: 20, end_col: 34, code: 'python/subprocess-shell-injection', source: 'secreview' }),
    ]);
  });
});
