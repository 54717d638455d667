// pip.installed with real pip, offline: a virtualenv (bin_env) and wheels in a local directory
// (find_links + no_index, as Salt passes them). The dry run lists exactly the distributions the
// real run installs (a dependency too), with versions; a second run changes nothing; a version
// change is an update; requirements files work; a missing distribution fails naming it; Debian's
// system Python (PEP 668) is refused by the plan unless --break-system-packages is asked for.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../../engine/host/local.js';
import { installed } from '../../../modules/pip/installed.js';
import { lookupFunction } from '../../../modules/index.js';
import { checkApply, plan } from '../../support/checkapply.js';

const dir = mkdtempSync(join(tmpdir(), 'brine-pip-'));
const venv = join(dir, 'venv');
const wheels = join(dir, 'wheels');
const host = new LocalHost();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A pure-Python wheel written by hand (no setuptools/wheel needed, no index reachable). */
function wheel(name: string, version: string, requires: string[] = []): void {
  const py =
    `
import base64, hashlib, sys, zipfile
name, ver, out = sys.argv[1], sys.argv[2], sys.argv[3]
reqs = sys.argv[4:]
di = f"{name}-{ver}.dist-info"
files = {
  f"{name}/__init__.py": f"VERSION = {ver!r}\\n",
  f"{di}/METADATA": "Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n%s" % (name, ver, "".join("Requires-Dist: ` +
    `%s\\n" % r for r in reqs)),
  f"{di}/WHEEL": "Wheel-Version: 1.0\\nGenerator: brine-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n",
}
def h(b):
  return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
rec = "".join(f"{p},{h(c.encode())},{len(c.encode())}\\n" for p, c in files.items()) + f"{di}/RECORD,,\\n"
with zipfile.ZipFile(f"{out}/{name}-{ver}-py3-none-any.whl", "w") as z:
  for p, c in files.items(): z.writestr(p, c)
  z.writestr(f"{di}/RECORD", rec)
`;
  execFileSync('python3', ['-c', py, name, version, wheels, ...requires]);
}

const venvPy = () => join(venv, 'bin', 'python');
const versionOf = (mod: string) => {
  try {
    return execFileSync(venvPy(), ['-c', `import ${mod}; print(${mod}.VERSION)`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
};

beforeAll(() => {
  mkdirSync(wheels);
  wheel('brinedep', '1.0');
  wheel('brinedemo', '1.0', ['brinedep>=1.0']);
  wheel('brinedemo', '2.0', ['brinedep>=1.0']);
  wheel('brineextra', '0.3');
  execFileSync('python3', ['-m', 'venv', venv]);
}, 120_000);

const base = { bin_env: venv, no_index: true, find_links: wheels };

describe('pip.installed (offline, a virtualenv)', () => {
  it('is registered', () => expect(lookupFunction('pip', 'installed')).toBe(installed));

  it('dry run lists the distribution and its dependency; the run installs exactly that; then nothing', async () => {
    const args = { ...base, name: 'brinedemo==1.0' };
    const planned = await plan(host, installed, args);
    expect(planned).toEqual([
      { op: 'create', target: 'brinedemo', kind: 'dist', before: null, after: '1.0' },
      { op: 'create', target: 'brinedep', kind: 'dist', before: null, after: '1.0' },
    ]);
    expect(versionOf('brinedemo')).toBeNull();
    const r = await checkApply(host, installed, args);
    expect(r.planned).toEqual(planned);
    expect(r.replanned).toEqual([]);
    expect(versionOf('brinedemo')).toBe('1.0');
    expect(versionOf('brinedep')).toBe('1.0');
  });

  it('a newer version is an update; bin_env may name the venv python', async () => {
    const args = { ...base, bin_env: venvPy(), name: 'brinedemo==2.0' };
    const r = await checkApply(host, installed, args);
    expect(r.planned).toEqual([{ op: 'update', target: 'brinedemo', kind: 'dist', before: '1.0', after: '2.0' }]);
    expect(r.replanned).toEqual([]);
    expect(versionOf('brinedemo')).toBe('2.0');
  });

  it('pkgs and a requirements file on the target', async () => {
    const req = join(dir, 'requirements.txt');
    writeFileSync(req, 'brineextra==0.3\nbrinedemo>=2.0\n');
    const args = { ...base, name: 'reqs', requirements: req };
    const r = await checkApply(host, installed, args);
    expect(r.planned).toEqual([{ op: 'create', target: 'brineextra', kind: 'dist', before: null, after: '0.3' }]);
    expect(r.replanned).toEqual([]);
    expect(await plan(host, installed, { ...base, name: 'x', pkgs: ['brinedemo', 'brineextra'] })).toEqual([]);
  });

  it('a distribution the links do not have fails the dry run naming it', async () => {
    await expect(plan(host, installed, { ...base, name: 'brinemissing' })).rejects.toThrow(
      /pip install --dry-run \(brinemissing\).*No matching distribution found for brinemissing/,
    );
  });

  it("Debian's system python3 (PEP 668) is refused by the plan, naming the state", async () => {
    expect(existsSync('/usr/lib/python3.11/EXTERNALLY-MANAGED')).toBe(true);
    const args = { no_index: true, find_links: wheels, name: 'brineextra', bin_env: '/usr/bin/python3' };
    await expect(plan(host, installed, args)).rejects.toThrow(
      'brineextra: /usr/bin/python3 is externally managed (PEP 668): set bin_env to a virtualenv, or extra_args: ' +
        '[--break-system-packages]',
    );
    // asked for, the plan goes through (dry run only: the system Python is left alone)
    const ok = await plan(host, installed, { ...args, extra_args: ['--break-system-packages'] });
    expect(ok).toEqual([{ op: 'create', target: 'brineextra', kind: 'dist', before: null, after: '0.3' }]);
  });
});
