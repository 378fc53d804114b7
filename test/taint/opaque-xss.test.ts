// An HTML response built from what an opaque call returns (a command's output, a parser's result)
// is weak evidence of XSS: two confidence levels down, so hidden at default settings; the same
// response built from the request value itself stays at the rule's confidence.
import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { tempTree } from '../support/tmp.js';

const APP = [
  'import subprocess',
  'from flask import Flask, request',
  '',
  'app = Flask(__name__)',
  '',
  "@app.route('/ping')",
  'def ping():',
  "    host = request.args.get('host', '')",
  "    return subprocess.check_output(['ping', '-c', '1', '--', host])",
  '',
  "@app.route('/echo')",
  'def echo():',
  "    return '<p>' + request.args.get('msg', '') + '</p>'",
  '',
].join('\n');

describe('XSS through an opaque call', () => {
  it('is low confidence (hidden by default); a direct echo is not', async () => {
    const dir = tempTree({ 'app.py': APP });
    const all = await scan({ paths: ['.'], cwd: dir, config: false, select: ['python/xss'], severity: 'low', confidence: 'low' });
    expect(all.findings.map((f) => [f.location.startLine, f.confidence])).toEqual([
      [9, 'low'],
      [13, 'high'],
    ]);
    const shown = await scan({ paths: ['.'], cwd: dir, config: false, select: ['python/xss'] });
    expect(shown.findings.map((f) => f.location.startLine)).toEqual([13]);
  });
});
