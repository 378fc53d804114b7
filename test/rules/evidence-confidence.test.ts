import { describe, expect, it } from 'vitest';
import { scan } from '../../src/api/scan.js';
import { findRule } from '../../src/rules/index.js';

/** Pattern rules only (the taint engine has its own confidence), every confidence shown. */
async function found(ruleId: string, lines: string[]): Promise<[number, string][]> {
  const report = await scan({
    paths: ['-'], stdin: { text: `${lines.join('\n')}\n`, filename: 'agent.py' }, rules: [findRule(ruleId)!], config: false, severity: 'low', confidence: 'low',
  });
  return report.findings.map((f) => [f.location.startLine, f.confidence]);
}

describe('weak hashes: confidence from what the digest protects', () => {
  it('is low when nothing says the digest protects anything (a device name from a port id)', async () => {
    expect(
      await found('python/weak-hash', [
        'import base64, hashlib',
        'def get_tunnel_hash(ip_address, hashlen):',
        '    sha1 = hashlib.sha1(ip_address.encode())',
        '    return base64.b32encode(sha1.digest())[:hashlen]',
        'def port_name(port_id):',
        '    return "qvo" + hashlib.md5(port_id.encode()).hexdigest()[:11]',
      ]),
    ).toEqual([[3, 'low'], [6, 'low']]);
  });

  it('stays high for passwords, tokens and signatures', async () => {
    expect(
      await found('python/weak-hash', [
        'import hashlib',
        'def store(password):',
        '    return hashlib.md5(password.encode()).hexdigest()',
        'def sign(body):',
        '    signature = hashlib.sha1(body).hexdigest()',
        '    return signature',
      ]),
    ).toEqual([[3, 'high'], [5, 'high']]);
  });
});

describe('commands built from the program\'s own configuration', () => {
  it('are low confidence: oslo.config options set by the deployer', async () => {
    const lines = [
      'import os, subprocess',
      'from oslo_config import cfg',
      'CONF = cfg.CONF',
      'def run(name):',
      '    subprocess.call("ls " + CONF.state_path, shell=True)',
      '    os.system("rm -rf " + cfg.CONF.lock_path)',
      '    subprocess.call("ls " + name, shell=True)',
      '    os.system("rm -rf " + name)',
    ];
    expect(await found('python/subprocess-shell-injection', lines)).toEqual([[5, 'low'], [7, 'high']]);
    expect(await found('python/os-command-injection', lines)).toEqual([[6, 'low'], [8, 'high']]);
  });

  it('and in SQL, like attributes', async () => {
    expect(
      await found('python/sql-injection-format', [
        'from oslo_config import cfg',
        'CONF = cfg.CONF',
        'def q(cursor, name):',
        '    cursor.execute("SELECT * FROM %s" % CONF.database.table)',
        '    cursor.execute("SELECT * FROM t WHERE n = \'%s\'" % name)',
      ]),
    ).toEqual([[4, 'low'], [5, 'medium']]);
  });
});

describe('migration DDL through a PL/pgSQL helper', () => {
  it('is DDL like a bare CREATE TABLE: low confidence', async () => {
    expect(
      await found('python/sql-injection-format', [
        'from alembic import op',
        'def create_table_if_not_exist_psql(table_name, values):',
        '    op.execute("SELECT execute($$CREATE TABLE %(name)s %(columns)s $$) "',
        '               "WHERE NOT table_exist(%(name)r);" %',
        '               {"name": table_name, "columns": values})',
        'def select(name):',
        '    op.execute("SELECT count(*) FROM t WHERE n = \'%s\'" % name)',
      ]),
    ).toEqual([[3, 'low'], [7, 'medium']]);
  });
});

describe('dangerous calls fed a literal are not reported', () => {
  it('pickle, yaml and XML parsers', async () => {
    const lines = [
      'import pickle, yaml',
      'import xml.etree.ElementTree as ET',
      'def f(blob, text):',
      '    pickle.loads(b"\\x80\\x04K\\x01.")',
      '    yaml.load("a: 1")',
      '    ET.fromstring("<a/>")',
      '    pickle.loads(blob)',
      '    yaml.load(text)',
    ];
    expect(await found('python/unsafe-deserialization', lines)).toEqual([[7, 'medium']]);
    expect((await found('python/yaml-unsafe-load', lines)).map(([l]) => l)).toEqual([8]);
    expect(await found('python/xml-external-entities', lines)).toEqual([]);
  });
});

describe('swallowed exceptions: confidence from what the guarded code does', () => {
  it('is high around security steps, medium for other work, low around tidy-up and data reads', async () => {
    expect(
      await found('python/exception-swallowed', [
        'import os, shutil',
        'def apply(iptables_manager, rules):',
        '    try:',
        '        iptables_manager.apply(rules)',
        '    except Exception:',
        '        pass',
        'def load(name):',
        '    try:',
        '        __import__(name)',
        '    except Exception:',
        '        pass',
        'def stop(self):',
        '    try:',
        '        self.rpcserver.stop()',
        '        self.rpcserver.wait()',
        '    except Exception:',
        '        pass',
        'def revert(inst_base, inst_base_resize):',
        '    try:',
        '        if os.path.exists(inst_base_resize):',
        '            shutil.rmtree(inst_base, ignore_errors=True)',
        '            os.rename(inst_base_resize, inst_base)',
        '    except Exception:',
        '        pass',
        'def parse(attachment):',
        '    req_ip = None',
        '    try:',
        '        req_ip = attachment["fixed_ips"][0]["ip_address"]',
        '    except Exception:',
        '        pass',
        '    return req_ip',
      ]),
    ).toEqual([[5, 'high'], [10, 'medium'], [16, 'low'], [23, 'low'], [29, 'low']]);
  });
});

describe('swallowed exceptions: a default kept when the try fails', () => {
  it('is low when the try only replaces a default set before it and read after it (nova _is_path_shared_with)', async () => {
    expect(
      await found('python/exception-swallowed', [
        'import os',
        'def is_shared(remotefs, dest, path, local):',
        '    shared = (dest == local)',
        '    if not shared:',
        '        try:',
        '            remotefs.create_file(dest, path)',
        '            if os.path.exists(path):',
        '                shared = True',
        '        except Exception:',
        '            pass',
        '    return shared',
        'def probe(remotefs, dest, path):',
        '    shared = False',
        '    try:',
        '        remotefs.create_file(dest, path)',
        '        shared = True',
        '    except Exception:',
        '        pass',
        '    return shared',
      ]),
    ).toEqual([[9, 'low'], [17, 'low']]);
  });

  it('stays medium without a default before the try, or when nothing reads the value after it, and high around security steps', async () => {
    expect(
      await found('python/exception-swallowed', [
        'def no_default(remotefs, dest, path):',
        '    try:',
        '        remotefs.create_file(dest, path)',
        '        shared = True',
        '    except Exception:',
        '        pass',
        '    return False',
        'def unread(remotefs, dest, path):',
        '    done = False',
        '    try:',
        '        remotefs.create_file(dest, path)',
        '        done = True',
        '    except Exception:',
        '        pass',
        '    return None',
        'def firewall(iptables_manager, rules):',
        '    applied = False',
        '    try:',
        '        iptables_manager.apply(rules)',
        '        applied = True',
        '    except Exception:',
        '        pass',
        '    return applied',
      ]),
    ).toEqual([[5, 'medium'], [13, 'medium'], [21, 'high']]);
  });
});

describe('JWT decoded without verification', () => {
  it('is low confidence when the same function verifies the token afterwards (reading the issuer first)', async () => {
    expect(
      await found('python/jwt-verification-disabled', [
        'import jwt',
        'def by_issuer(token, keys):',
        '    unverified = jwt.decode(token, options={"verify_signature": False})',
        '    return jwt.decode(token, keys[unverified["iss"]], algorithms=["RS256"])',
        'def user(token):',
        '    return jwt.decode(token, options={"verify_signature": False})["sub"]',
      ]),
    ).toEqual([[3, 'low'], [6, 'high']]);
  });
});

describe('hard-coded credentials that are short or made of words', () => {
  it('are medium with digits or symbols, low as a bare word or an environment fallback', async () => {
    expect(
      await found('python/hardcoded-secret', [
        'import os',
        'DB_PASSWORD = "admin123"',
        'DB_PASSWORD = "postgres"',
        'DB_PASSWORD = os.environ.get("DB_PASSWORD", "dev123")',
        'DB_PASSWORD = "changeme"',
      ]),
    ).toEqual([[2, 'medium'], [3, 'low'], [4, 'low']]);
  });
});

describe('CSRF exemptions: only on views that can change something', () => {
  it('is medium on a writing view, low on one that hands the request on, absent on a read-only one', async () => {
    expect(
      await found('python/csrf-protection-disabled', [
        'from django.views.decorators.csrf import csrf_exempt',
        '@csrf_exempt',
        'def update(request):',
        '    request.user.save()',
        '@csrf_exempt',
        'def entry(request):',
        '    return handle(request)',
        '@csrf_exempt',
        'def listing(request):',
        '    return render(request, "list.html", {})',
      ]),
    ).toEqual([[2, 'medium'], [5, 'low']]);
  });
});

describe('requests without a timeout in command-line scripts', () => {
  it('are low confidence in a __main__ module or an argparse tool, high in a service module', async () => {
    const call = ['import requests', 'def fetch(url):', '    return requests.get(url)'];
    expect(await found('python/request-without-timeout', call)).toEqual([[3, 'high']]);
    expect(await found('python/request-without-timeout', [...call, 'if __name__ == "__main__":', '    fetch("https://x.example")'])).toEqual([[3, 'low']]);
    expect(await found('python/request-without-timeout', ['import argparse', ...call])).toEqual([[4, 'low']]);
  });

  it('are low confidence in a file under scripts/ or bin/', async () => {
    for (const filename of ['tools/scripts/fetch.py', 'bin/fetch.py']) {
      const report = await scan({
        paths: ['-'], stdin: { text: 'import requests\nrequests.get("https://x.example")\n', filename },
        rules: [findRule('python/request-without-timeout')!], config: false, severity: 'low', confidence: 'low',
      });
      expect(report.findings.map((f) => [f.location.startLine, f.confidence])).toEqual([[2, 'low']]);
    }
  });
});

describe('fast hashes of passwords', () => {
  it('are high when a password-named value is hashed, medium when only the result or the function is named so', async () => {
    expect(
      await found('python/fast-password-hash', [
        'import hashlib',
        'def store(user, password):',
        '    user.digest = hashlib.sha256(password.encode()).hexdigest()',
        'def hash_password(raw):',
        '    return hashlib.sha256(raw.encode()).hexdigest()',
        'def port_name(port_id):',
        '    return hashlib.sha256(port_id.encode()).hexdigest()[:11]',
      ]),
    ).toEqual([[3, 'high'], [5, 'medium']]);
  });
});

describe("data read from the program's own files", () => {
  it('is low confidence for pickle and yaml when the path is a constant or built from configuration', async () => {
    const lines = [
      'import os, pickle, yaml',
      'from oslo_config import cfg',
      'CONF = cfg.CONF',
      'def f(path):',
      '    yaml.load(open(CONF.policy_file))',
      '    pickle.loads(open(os.path.join(CONF.state_path, "x.pkl"), "rb").read())',
      '    yaml.load(open(path))',
      '    pickle.loads(open(path, "rb").read())',
    ];
    expect(await found('python/yaml-unsafe-load', lines)).toEqual([[5, 'low'], [7, 'medium']]);
    expect(await found('python/unsafe-deserialization', lines)).toEqual([[6, 'low'], [8, 'medium']]);
  });
});

describe('archives at a fixed or configured path', () => {
  it('are low confidence; an archive from a parameter stays medium', async () => {
    expect(
      await found('python/archive-path-traversal', [
        'import os, tarfile',
        'from oslo_config import cfg',
        'def f(upload):',
        '    tarfile.open(os.path.join(cfg.CONF.image_dir, "base.tar")).extractall("/srv/out")',
        '    tarfile.open(upload).extractall("/srv/out")',
      ]),
    ).toEqual([[4, 'low'], [5, 'medium']]);
  });
});
