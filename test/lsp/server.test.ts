// `secreview lsp` driven by a real client over stdio (vscode-languageserver-protocol): diagnostics
// at exact ranges, hover, code actions applied and re-analysed, cross-file flows after a save.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeAction,
  type Diagnostic,
  type Hover,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));

const PING = 'import subprocess\n\ndef ping(host):\n    subprocess.call("ping " + host, shell=True)\n';
const WEB = [
  'from flask import Flask, request',
  'from tools import run',
  '',
  'app = Flask(__name__)',
  '',
  "@app.route('/run')",
  'def handler():',
  "    return run(request.args['cmd'])",
  '',
].join('\n');
const TOOLS = 'import os\n\n\ndef run(command):\n    return os.system(command)\n';

interface Session {
  child: ChildProcessWithoutNullStreams;
  connection: ProtocolConnection;
  /** Resolves with the next diagnostics published for `uri` that satisfy `accept`. */
  diagnostics(uri: string, accept?: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]>;
  stderr: () => string;
}

let session: Session | undefined;

afterEach(async () => {
  if (!session) return;
  const { child, connection } = session;
  session = undefined;
  if (child.exitCode === null) child.kill();
  connection.dispose();
});

async function start(root: string): Promise<Session> {
  const child = spawn(process.execPath, [BIN, 'lsp', '--stdio'], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting: { uri: string; accept: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    for (const w of [...waiting]) {
      if (w.uri === p.uri && w.accept(p.diagnostics)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    capabilities: {},
    initializationOptions: { cache: false, debounceMs: 50 },
  });
  await connection.sendNotification('initialized', {});
  return {
    child,
    connection,
    stderr: () => err,
    diagnostics: (uri, accept = () => true) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching diagnostics for ${uri}; server stderr: ${err}`)), 60_000);
        waiting.push({ uri, accept, resolve: (d) => (clearTimeout(timer), resolve(d)) });
      }),
  };
}

function open(s: Session, uri: string, text: string): Promise<void> {
  return s.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
}

function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = text.split('\n');
  // Applied from the last to the first so earlier positions stay valid.
  for (const e of [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character)) {
    const before = lines.slice(0, e.range.start.line).join('\n').length + (e.range.start.line > 0 ? 1 : 0) + e.range.start.character;
    const after = lines.slice(0, e.range.end.line).join('\n').length + (e.range.end.line > 0 ? 1 : 0) + e.range.end.character;
    const joined = lines.join('\n');
    const next = joined.slice(0, before) + e.newText + joined.slice(after);
    lines.splice(0, lines.length, ...next.split('\n'));
  }
  return lines.join('\n');
}

describe('secreview lsp', () => {
  it('publishes diagnostics at exact ranges, explains them on hover, and suppresses through a code action', { timeout: 120_000 }, async () => {
    const root = tempTree({ 'ping.py': PING });
    session = await start(root);
    const uri = pathToFileURL(join(root, 'ping.py')).href;
    const first = session.diagnostics(uri, (d) => d.length > 0);
    await open(session, uri, PING);
    const diagnostics = await first;

    const shell = diagnostics.find((d) => d.code === 'python/subprocess-shell-injection');
    expect(shell, JSON.stringify(diagnostics)).toBeDefined();
    // The command argument `"ping " + host`: line 4, columns 21-35 (1-based, end exclusive) in the file.
    expect(shell!.range).toEqual({ start: { line: 3, character: 20 }, end: { line: 3, character: 34 } });
    expect(shell!.source).toBe('secreview');
    expect(shell!.message).toContain('CWE-78');
    expect(shell!.codeDescription?.href).toBe('https://cwe.mitre.org/data/definitions/78.html');

    const hover = (await session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 10 } })) as Hover;
    const value = (hover.contents as { value: string }).value;
    expect(value).toContain('python/subprocess-shell-injection');
    expect(value).toContain('CWE-78');
    expect(value).toContain('pillar CWE-707');
    expect(value).toContain('**Fix:**');
    const nothing = await session.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 0 } });
    expect(nothing).toBeNull();

    const actions = (await session.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: shell!.range,
      context: { diagnostics: [shell!] },
    })) as CodeAction[];
    const suppress = actions.find((a) => a.title.includes('suppress python/subprocess-shell-injection'));
    expect(suppress, JSON.stringify(actions)).toBeDefined();
    const edits = suppress!.edit!.changes![uri]!;
    const suppressed = applyEdits(PING, edits);
    expect(suppressed.split('\n')[3]).toBe('    subprocess.call("ping " + host, shell=True)  # secreview: ignore[python/subprocess-shell-injection] <reason>');

    // With the placeholder left in, the finding stays and the comment is flagged.
    const placeholder = session.diagnostics(uri, (d) => d.some((x) => x.code === 'suppression-error'));
    await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: suppressed }] });
    const flagged = await placeholder;
    expect(flagged.find((d) => d.code === 'suppression-error')!.message).toContain('placeholder');
    expect(flagged.find((d) => d.code === 'suppression-error')!.range.start.line).toBe(3);

    // With a reason written, the finding is silenced.
    const reasoned = suppressed.replace('<reason>', 'host is checked against the inventory upstream');
    const quiet = session.diagnostics(uri, (d) => !d.some((x) => x.code === 'suppression-error'));
    await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: reasoned }] });
    expect((await quiet).filter((d) => d.code === 'python/subprocess-shell-injection')).toEqual([]);

    await session.connection.sendRequest('shutdown');
    const exited = new Promise<number | null>((resolve) => session!.child.on('exit', (code) => resolve(code)));
    await session.connection.sendNotification('exit');
    expect(await exited).toBe(0);
  });

  it('shows a flow that crosses files in the saved workspace, with the path as related locations', { timeout: 120_000 }, async () => {
    const root = tempTree({ 'web.py': WEB, 'tools.py': TOOLS });
    session = await start(root);
    const uri = pathToFileURL(join(root, 'tools.py')).href;
    const published = session.diagnostics(uri, (d) => d.some((x) => x.code === 'python/os-command-injection' || String(x.code).includes('command')));
    await open(session, uri, TOOLS);
    const diagnostics = await published;
    const traced = diagnostics.find((d) => (d.relatedInformation ?? []).some((r) => r.location.uri.endsWith('/web.py')));
    expect(traced, JSON.stringify(diagnostics, null, 1)).toBeDefined();
    expect(traced!.range.start.line).toBe(4);
    const source = traced!.relatedInformation!.find((r) => r.location.uri.endsWith('/web.py'))!;
    expect(source.location.range.start.line).toBe(7);
  });

  it('an unsaved edit is analysed from the buffer; a save rescans the workspace from disk', { timeout: 120_000 }, async () => {
    const root = tempTree({ 'web.py': WEB, 'tools.py': TOOLS });
    session = await start(root);
    const uri = pathToFileURL(join(root, 'tools.py')).href;
    const isTraced = (d: Diagnostic[]): boolean => d.some((x) => (x.relatedInformation ?? []).some((r) => r.location.uri.endsWith('/web.py')));
    const first = session.diagnostics(uri, isTraced);
    await open(session, uri, TOOLS);
    await first;

    // The buffer now runs a fixed command: its own text has nothing to report.
    const fixed = TOOLS.replace('os.system(command)', 'os.system("uptime")');
    const cleared = session.diagnostics(uri, (d) => d.length === 0);
    await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: fixed }] });
    await cleared;

    // Saved back to the vulnerable text: the workspace scan from disk shows the cross-file flow again.
    writeFileSync(join(root, 'tools.py'), TOOLS);
    const back = session.diagnostics(uri, isTraced);
    await session.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text: TOOLS }] });
    await session.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
    expect(isTraced(await back)).toBe(true);
  });
});
