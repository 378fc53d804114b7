import { defineRule } from '../../define-rule.js';

export default defineRule({
  id: 'python/path-traversal',
  language: 'python',
  title: 'Untrusted data chooses a file system path',
  cwe: [22],
  severity: 'high',
  confidence: 'high',
  taint: { kind: 'path-injection', supersedes: ['python/send-file-path-traversal'] },
  description:
    'Data from outside the program becomes (part of) a path that is opened, sent, listed, created, moved or deleted: ' +
    '`open`, `os.remove`, `shutil` functions, `pathlib.Path` methods, `flask.send_file`, the directory of ' +
    '`send_from_directory`, Starlette `FileResponse`. `os.path.join` does not contain it: `../` climbs out of the ' +
    'base directory, and an absolute part replaces the base altogether.',
  whyItMatters:
    'An attacker reads files the service can read (configuration, keys, `/etc/passwd`, source code), overwrites ' +
    'or deletes files it can write, and may plant code that runs later.',
  fix: {
    guidance:
      'Reduce a file name to a safe one with `werkzeug.utils.secure_filename` or `os.path.basename`, or serve files ' +
      'with `send_from_directory`/`safe_join`. For paths with directories, resolve them (`os.path.realpath`) and ' +
      'check that the result is inside the base directory before using it.',
    before: 'name = request.args["file"]\nreturn send_file(os.path.join(UPLOADS, name))',
    after: 'name = request.args["file"]\nreturn send_from_directory(UPLOADS, secure_filename(name))',
  },
  references: [
    'https://cwe.mitre.org/data/definitions/22.html',
    'https://owasp.org/www-community/attacks/Path_Traversal',
    'https://werkzeug.palletsprojects.com/en/stable/utils/#werkzeug.utils.secure_filename',
  ],
  create: () => ({}),
});
