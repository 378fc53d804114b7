import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import type { Finding } from '../../src/findings/types.js';
import { findRule } from '../../src/rules/index.js';
import type { AnyRule } from '../../src/rules/define-rule.js';
import { tempTree } from '../support/tmp.js';

const rule = (id: string): AnyRule => {
  const r = findRule(id);
  if (!r) throw new Error(`no rule ${id}`);
  return r;
};

async function scanTree(files: Record<string, string>, rules: readonly AnyRule[]): Promise<Finding[]> {
  const cwd = tempTree(files);
  const report = await scan({ paths: Object.keys(files).sort(), cwd, rules, config: false, severity: 'low', confidence: 'low' });
  expect(report.diagnostics).toEqual([]);
  return report.findings;
}

const lines = (findings: Finding[]): string[] => findings.map((f) => `${f.ruleId} ${f.location.path}:${f.location.startLine}`).sort();

describe('taint-based defects beyond injection', () => {
  it('reports mass assignment and allocation from request data, not from a parameter nobody scanned passes', async () => {
    const findings = await scanTree(
      {
        'lib.py': ['from models import User', 'def build(data, n):', '    buf = bytearray(n)', '    return User(**data), buf', '', 'def make(data):', '    return User(**data)', ''].join('\n'),
        'app.py': [
          'from flask import Flask, request',
          'from lib import build',
          'app = Flask(__name__)',
          '@app.route("/x", methods=["POST"])',
          'def x():',
          '    return str(build(request.json, int(request.args["n"])))',
          '',
        ].join('\n'),
      },
      [rule('python/mass-assignment'), rule('python/uncontrolled-allocation')],
    );
    // `make` is called by nobody: its parameter flow is not reported; `build` gets request data.
    expect(lines(findings)).toEqual(['python/mass-assignment lib.py:4', 'python/uncontrolled-allocation lib.py:3']);
  });

  it('reports exception detail only where it reaches a response, and request data echoed there not at all', async () => {
    const findings = await scanTree(
      {
        'app.py': [
          'import logging',
          'from flask import Flask, jsonify, request',
          'app = Flask(__name__)',
          'log = logging.getLogger(__name__)',
          '@app.route("/x")',
          'def x():',
          '    try:',
          '        value = int(request.args["v"])',
          '    except ValueError as e:',
          '        log.warning("bad value %s", e)',
          '        return jsonify(error=str(e), given=request.args["v"])',
          '    return jsonify(value=request.args["v"])',
          '',
        ].join('\n'),
      },
      [rule('python/error-detail-exposure'), rule('python/log-injection')],
    );
    expect(lines(findings)).toEqual(['python/error-detail-exposure app.py:11']);
    expect(findings[0]!.trace?.[0]?.expression).toBe('e');
  });
});
