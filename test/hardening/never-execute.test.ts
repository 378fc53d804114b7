/**
 * secreview reads scanned code; it never imports, runs or builds it. Every file here writes a
 * marker when Python imports or runs it (checked against python3 itself when available), and the
 * marker must never appear after any kind of scan. The source check then makes sure nothing in
 * src/ evaluates code, loads modules by computed path, or starts any program other than git.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { tempTree } from '../support/tmp.js';

const BIN = fileURLToPath(new URL('../../bin/secreview.js', import.meta.url));
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, input: 'import conftest\n', encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const marker = (dir: string, name: string): string => join(dir, `MARKER-${name}`);
const writer = (name: string): string => `import os\nopen(os.path.join(os.path.dirname(os.path.abspath(__file__)), "MARKER-${name}"), "w").write("ran")\n`;

function trap(): string {
  return tempTree({
    'conftest.py': writer('conftest'),
    'setup.py': `${writer('setup')}from setuptools import setup\nsetup(name="trap")\n`,
    'pkg/__init__.py': writer('init').replace('os.path.dirname(os.path.abspath(__file__))', 'os.path.dirname(os.path.dirname(os.path.abspath(__file__)))'),
    'pkg/__main__.py': writer('main').replace('os.path.dirname(os.path.abspath(__file__))', 'os.path.dirname(os.path.dirname(os.path.abspath(__file__)))'),
    'backend.py': `${writer('backend')}def build_wheel(*a, **k):\n    return ""\n`,
    'pyproject.toml': '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n\n[tool.secreview]\nseverity = "low"\n',
    'sitecustomize.py': writer('sitecustomize'),
    'usercustomize.py': writer('usercustomize'),
    'trap.pth': 'import os; open("MARKER-pth", "w").write("ran")\n',
    'app.py': 'import subprocess\nimport pkg\n\ndef ping(host):\n    subprocess.call("ping " + host, shell=True)\n',
  });
}

function markers(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith('MARKER-'));
}

describe('never executes scanned code', () => {
  it('the trap files do run under Python (so the check below means something)', () => {
    const python = spawnSync('python3', ['--version']);
    if (python.error || python.status !== 0) return; // no Python here: the trap is still scanned below
    const dir = trap();
    spawnSync('python3', ['-c', 'import conftest, pkg, setup'], { cwd: dir, env: { ...process.env, PYTHONPATH: dir } });
    expect(existsSync(marker(dir, 'conftest'))).toBe(true);
    expect(existsSync(marker(dir, 'init'))).toBe(true);
    expect(existsSync(marker(dir, 'setup'))).toBe(true);
  });

  it('scanning the trap in every mode never creates a marker', () => {
    const dir = trap();
    const results = [
      run(['scan', '.', '--format', 'json'], dir), // pyproject.toml settings (read as data, never built)
      run(['scan', '.', '--no-config', '--format', 'sarif'], dir),
      run(['scan', '-', '--stdin-filename', 'conftest.py'], dir),
      run(['scan', 'pkg', 'setup.py', 'conftest.py', '--format', 'html'], dir),
      run(['diff', '--help'], dir),
    ];
    expect(results[0]!.code).toBe(1);
    expect(JSON.parse(results[0]!.stdout).findings.length).toBeGreaterThan(0);
    // Settings-file tricks: a YAML tag asking to construct Python objects, and "models" that are Python files.
    const yamlTrick = trap();
    rmSync(join(yamlTrick, 'pyproject.toml'));
    writeFileSync(join(yamlTrick, '.secreview.yml'), 'severity: !!python/object/apply:os.system ["touch MARKER-yaml"]\n');
    const yamlRun = run(['scan', '.'], yamlTrick);
    expect(yamlRun.code).toBe(2);
    expect(yamlRun.stderr).toContain('.secreview.yml');
    const modelTrick = trap();
    writeFileSync(join(modelTrick, 'evil.yml'), 'models: [conftest.py, setup.py]\n');
    const modelRun = run(['scan', '.', '--config', 'evil.yml'], modelTrick);
    expect(modelRun.code).toBe(2);
    expect(modelRun.stderr).toMatch(/conftest\.py|setup\.py/);
    for (const d of [dir, yamlTrick, modelTrick]) expect(markers(d)).toEqual([]);
  });
});

describe('the source never evaluates or runs code', () => {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.endsWith('.ts')) files.push(join(dir, e.name));
    }
  };
  walk(SRC);

  it('has no eval, new Function, vm, require, computed import(), and spawns only git', () => {
    const problems: string[] = [];
    for (const file of files) {
      const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
      // Names imported from child_process in this file (RegExp#exec and the like are not programs).
      const processFns = new Set<string>();
      for (const st of sf.statements) {
        if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && /child_process$/.test(st.moduleSpecifier.text)) {
          const bindings = st.importClause?.namedBindings;
          if (bindings && ts.isNamedImports(bindings)) for (const el of bindings.elements) processFns.add(el.name.text);
          else problems.push(`${file.slice(SRC.length)}: child_process imported as a namespace`);
        }
      }
      const where = (n: ts.Node): string => `${file.slice(SRC.length)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
      const visit = (n: ts.Node): void => {
        if (ts.isCallExpression(n)) {
          const callee = n.expression;
          if (ts.isIdentifier(callee) && (callee.text === 'eval' || callee.text === 'require' || callee.text === 'Function')) problems.push(`${where(n)}: ${callee.text}(...)`);
          if (callee.kind === ts.SyntaxKind.ImportKeyword && !(n.arguments[0] && ts.isStringLiteral(n.arguments[0]) && n.arguments[0].text.startsWith('.'))) {
            problems.push(`${where(n)}: import() of a computed or package path`);
          }
          if (ts.isIdentifier(callee) && processFns.has(callee.text)) {
            const name = callee.text;
            const program = n.arguments[0];
            if (!(program && ts.isStringLiteral(program) && program.text === 'git')) problems.push(`${where(n)}: ${name} of something other than git`);
          }
        }
        if (ts.isNewExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'Function') problems.push(`${where(n)}: new Function`);
        if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && /^(node:)?(vm|worker_threads|module)$/.test(n.moduleSpecifier.text)) {
          const allowed = n.moduleSpecifier.text.endsWith('module') && file.endsWith(join('parse', 'tree-sitter.ts')); // createRequire to locate the grammar .wasm
          if (!allowed) problems.push(`${where(n)}: imports ${n.moduleSpecifier.text}`);
        }
        if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier) && /child_process$/.test(n.moduleSpecifier.text) && !file.endsWith(join('diff', 'git.ts'))) {
          problems.push(`${where(n)}: child_process outside diff/git.ts`);
        }
        ts.forEachChild(n, visit);
      };
      visit(sf);
    }
    expect(problems).toEqual([]);
  });
});
