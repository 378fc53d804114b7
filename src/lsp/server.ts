/**
 * `secreview lsp`: a language server over stdio. Diagnostics on open, on change (debounced, from
 * the buffer's text alone) and on save (the whole workspace, so cross-file flows show, served by
 * the incremental cache); hover with the explanation and data-flow path; code actions for the
 * rule's mechanical fix and for a suppression comment.
 *
 * Saved buffers show the workspace scan's findings; a buffer with unsaved edits shows the
 * findings of its own text until it is saved (flows that cross files need the files on disk).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  DiagnosticSeverity,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
  type InitializeParams,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { defaultCacheDir } from '../cache/scan-cache.js';
import type { Diagnostic as ScanDiagnostic, Finding } from '../findings/types.js';
import { VERSION } from '../version.js';
import { Analyser, type FileResults } from './analyser.js';
import { codeActionsFor, hoverText, SOURCE, toDiagnostic, type DiagnosticData } from './convert.js';

/** Settings a client may pass as `initializationOptions`. */
export interface ServerSettings {
  /** Use the incremental cache (default true). */
  cache?: boolean;
  cacheDir?: string;
  /** Show every finding in test code. */
  includeTests?: boolean;
  /** Milliseconds of quiet after an edit before the buffer is re-analysed (default 400). */
  debounceMs?: number;
}

/** Scan diagnostics worth showing in the editor (a suppression that silences nothing, a parse error). */
const SHOWN_KINDS = new Set(['suppression-error', 'unused-suppression', 'unqualified-suppression', 'parse-error', 'decode-error', 'skipped']);

interface OpenFile {
  /** Path relative to the workspace root. */
  path: string;
  /** Edited since it was opened or last saved. */
  dirty: boolean;
  /** What is shown now, and which analysis produced it. */
  shown: FileResults;
  timer?: NodeJS.Timeout;
}

export function startLanguageServer(connection: Connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout)): void {
  const documents = new TextDocuments(TextDocument);
  const open = new Map<string, OpenFile>();
  let analyser: Analyser | undefined;
  let settings: ServerSettings = {};
  let workspace: Map<string, FileResults> | undefined;
  let workspaceRun: Promise<void> | undefined;
  let workspaceAgain = false;

  const log = (message: string): void => connection.console.log(`secreview: ${message}`);

  connection.onInitialize((params: InitializeParams) => {
    settings = (params.initializationOptions as ServerSettings | undefined) ?? {};
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    const root = folder ? fileURLToPath(folder) : process.cwd();
    analyser = new Analyser({
      root,
      jobs: Math.max(1, availableParallelism()),
      includeTests: settings.includeTests,
      ...(settings.cache === false ? {} : { cacheDir: settings.cacheDir ?? defaultCacheDir() }),
    });
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: ['quickfix'] },
      },
      serverInfo: { name: 'secreview', version: VERSION },
    };
  });

  const publish = (uri: string): void => {
    const file = open.get(uri);
    if (!file) return;
    const diagnostics: Diagnostic[] = file.shown.findings.map((f) => toDiagnostic(f, analyser!.options.root));
    const lines = documents.get(uri)?.getText().split('\n') ?? [];
    for (const d of file.shown.diagnostics) if (SHOWN_KINDS.has(d.kind)) diagnostics.push(scanDiagnostic(d, lines));
    void connection.sendDiagnostics({ uri, diagnostics });
  };

  /** Scan the workspace from disk (one run at a time; a request during a run asks for one more). */
  const refreshWorkspace = (): Promise<void> => {
    if (workspaceRun) {
      workspaceAgain = true;
      return workspaceRun;
    }
    workspaceRun = (async () => {
      do {
        workspaceAgain = false;
        try {
          workspace = await analyser!.workspace();
        } catch (error) {
          connection.window.showErrorMessage(`secreview: ${(error as Error).message}`);
          return;
        }
        for (const [uri, file] of open) {
          if (file.dirty) continue;
          file.shown = workspace.get(file.path) ?? { findings: [], diagnostics: [] };
          publish(uri);
        }
      } while (workspaceAgain);
    })().finally(() => {
      workspaceRun = undefined;
    });
    return workspaceRun;
  };

  const analyseBuffer = async (uri: string): Promise<void> => {
    const file = open.get(uri);
    const document = documents.get(uri);
    if (!file || !document) return;
    const version = document.version;
    try {
      const results = await analyser!.document(file.path, document.getText());
      // Still the text we analysed, and not saved (and rescanned from disk) meanwhile.
      if (documents.get(uri)?.version === version && open.get(uri) === file && file.dirty) {
        file.shown = results;
        publish(uri);
      }
    } catch (error) {
      log(`${file.path}: ${(error as Error).message}`);
    }
  };

  documents.onDidOpen(({ document }) => {
    const path = document.uri.startsWith('file:') ? analyser!.relativePath(fileURLToPath(document.uri)) : undefined;
    if (path === undefined) {
      log(`not in the workspace, not analysed: ${document.uri}`);
      return;
    }
    let onDisk: string | undefined;
    try {
      onDisk = readFileSync(fileURLToPath(document.uri), 'utf8');
    } catch {
      onDisk = undefined;
    }
    const file: OpenFile = { path, dirty: onDisk !== document.getText(), shown: { findings: [], diagnostics: [] } };
    open.set(document.uri, file);
    if (file.dirty) void analyseBuffer(document.uri);
    else if (workspace && !workspaceRun) {
      file.shown = workspace.get(path) ?? { findings: [], diagnostics: [] };
      publish(document.uri);
    } else void refreshWorkspace();
  });

  documents.onDidChangeContent(({ document }) => {
    const file = open.get(document.uri);
    if (!file || document.version === 1) return; // version 1: the open itself
    file.dirty = true;
    clearTimeout(file.timer);
    file.timer = setTimeout(() => void analyseBuffer(document.uri), settings.debounceMs ?? 400);
  });

  documents.onDidSave(({ document }) => {
    const file = open.get(document.uri);
    if (!file) return;
    clearTimeout(file.timer);
    file.dirty = false;
    void refreshWorkspace();
  });

  documents.onDidClose(({ document }) => {
    const file = open.get(document.uri);
    if (file) clearTimeout(file.timer);
    open.delete(document.uri);
    void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
  });

  const findingsAt = (uri: string, line: number): Finding[] =>
    (open.get(uri)?.shown.findings ?? []).filter((f) => f.location.startLine - 1 <= line && line <= f.location.endLine - 1);

  connection.onHover(({ textDocument, position }) => {
    const found = findingsAt(textDocument.uri, position.line);
    if (found.length === 0) return null;
    return { contents: { kind: 'markdown', value: found.map(hoverText).join('\n\n---\n\n') } };
  });

  connection.onCodeAction(({ textDocument, context }) => {
    const file = open.get(textDocument.uri);
    const document = documents.get(textDocument.uri);
    if (!file || !document) return [];
    const lines = document.getText().split('\n').map((l) => l.replace(/\r$/, ''));
    const actions = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== SOURCE) continue;
      const fingerprint = (diagnostic.data as DiagnosticData | undefined)?.fingerprint;
      const finding = file.shown.findings.find((f) => f.fingerprint === fingerprint);
      if (finding) actions.push(...codeActionsFor(finding, textDocument.uri, diagnostic, lines));
    }
    return actions;
  });

  documents.listen(connection);
  connection.listen();
}

/** A scan diagnostic about a file, over its whole line. */
function scanDiagnostic(d: ScanDiagnostic, lines: readonly string[]): Diagnostic {
  const line = Math.max(0, (d.line ?? 1) - 1);
  const length = (lines[line] ?? '').replace(/\r$/, '').length;
  return {
    range: { start: { line, character: 0 }, end: { line, character: length } },
    severity: d.level === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: SOURCE,
    code: d.kind,
    message: d.message,
  };
}
