import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SCRIPT = path.join(__dirname, 'support', 'system-tools.sh');
const TOOLS = ['kubectl', 'docker-registry', 'skopeo', 'htpasswd', 'openssl'];
// hidden as well, so that no test can reach the real ones: each test brings its own fakes
const HIDDEN = [...TOOLS, 'go', 'apt-get', 'sudo'];
/** where a fake machine's Debian Go sources are, under its folder of fakes, and the file sprig's package installs */
const SPRIG = path.join('gocode', 'src', 'github.com', 'Masterminds', 'sprig');

let tmp: string;
/** symlinks to everything on this machine's PATH but HIDDEN */
let hiddenPath: string;
const BASH = spawnSync('bash', ['-c', 'command -v bash'], { encoding: 'utf8' }).stdout.trim();

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'system-tools-'));
  hiddenPath = path.join(tmp, 'path');
  fs.mkdirSync(hiddenPath);
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(d => fs.existsSync(d))) {
    for (const name of fs.readdirSync(dir)) {
      const link = path.join(hiddenPath, name);
      if (!HIDDEN.includes(name) && !fs.existsSync(link)) {
        fs.symlinkSync(path.join(dir, name), link);
      }
    }
  }
  fs.writeFileSync(path.join(tmp, 'debian'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n');
  fs.writeFileSync(path.join(tmp, 'ubuntu'), 'NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n');
  fs.writeFileSync(path.join(tmp, 'fedora'), 'NAME="Fedora Linux"\nID=fedora\n');
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** an executable shell script named name in dir */
function fake(dir: string, name: string, body: string): void {
  fs.writeFileSync(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
}

// records its calls; `install` puts a stub of each package's tool next to itself, as apt would on PATH
const APT_GET = [
  'echo "apt-get $*" >> "$(dirname "$0")/calls.log"',
  '[ "$1" = install ] || exit 0',
  'shift 2',
  'for package in "$@"; do',
  '  case "$package" in kubernetes-client) tool=kubectl;; apache2-utils) tool=htpasswd;; golang-go) tool=go;; *) tool=$package;; esac',
  `  [ "$package" = golang-github-masterminds-sprig-dev ] && mkdir -p "$(dirname "$0")/${SPRIG}" && continue`,
  '  printf "#!/bin/sh\\n" > "$(dirname "$0")/$tool" && chmod +x "$(dirname "$0")/$tool"',
  'done',
].join('\n');
const PASSWORDLESS_SUDO = 'echo "sudo $*" >> "$(dirname "$0")/calls.log"\n[ "$1" = -n ] && shift\nexec "$@"';

interface Machine {
  /** the tools already installed */
  readonly present: string[];
  readonly osRelease: 'debian' | 'ubuntu' | 'fedora';
  readonly uid: number;
  /** the body of a fake sudo, if there is one */
  readonly sudo?: string;
  /** the body of the fake apt-get */
  readonly aptGet?: string;
  /** whether Go and sprig's sources are installed; default true */
  readonly go?: boolean;
}

/** runs the step on a machine made of the hidden PATH and a folder of fakes in front of it */
function runStep(machine: Machine) {
  const fakes = fs.mkdtempSync(path.join(tmp, 'fakes-'));
  machine.present.forEach(tool => fake(fakes, tool, 'exit 0'));
  if (machine.go !== false) {
    fake(fakes, 'go', 'exit 0');
    fs.mkdirSync(path.join(fakes, SPRIG), { recursive: true });
  }
  fake(fakes, 'apt-get', machine.aptGet ?? APT_GET);
  if (machine.sudo !== undefined) {
    fake(fakes, 'sudo', machine.sudo);
  }
  const result = spawnSync(BASH, [SCRIPT], {
    encoding: 'utf8',
    env: {
      PATH: `${fakes}${path.delimiter}${hiddenPath}`,
      SYSTEM_TOOLS_OS_RELEASE: path.join(tmp, machine.osRelease),
      SYSTEM_TOOLS_UID: String(machine.uid),
      SYSTEM_TOOLS_GOCODE: path.join(fakes, 'gocode'),
    },
  });
  const log = path.join(fakes, 'calls.log');
  const calls = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : [];
  const installed = TOOLS.filter(tool => fs.existsSync(path.join(fakes, tool)));
  const go = fs.existsSync(path.join(fakes, 'go')) && fs.existsSync(path.join(fakes, SPRIG));
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls, installed, go };
}

describe('the system tools step before jest (test/support/system-tools.sh)', () => {
  test('the PATH it runs on hides the real tools', () => {
    // WHEN
    const result = spawnSync(BASH, ['-c', `command -v ${HIDDEN.join(' ')}`], { env: { PATH: hiddenPath }, encoding: 'utf8' });

    // THEN
    expect(result.stdout).toBe('');
  });

  test('does nothing when every tool is present', () => {
    // WHEN
    const result = runStep({ present: TOOLS, osRelease: 'debian', uid: 0 });

    // THEN
    expect(result).toEqual({ status: 0, stdout: '', stderr: '', calls: [], installed: TOOLS, go: true });
  });

  test('installs Go and sprig\'s sources, which the ESO template oracle is built with', () => {
    // WHEN
    const result = runStep({ present: TOOLS, osRelease: 'debian', uid: 0, go: false });

    // THEN
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('installing golang-go golang-github-masterminds-sprig-dev with apt-get: the tests need go, github.com/Masterminds/sprig\n');
    expect(result.calls).toEqual(['apt-get update', 'apt-get install -y golang-go golang-github-masterminds-sprig-dev']);
    expect(result.go).toBe(true);
  });

  test('as root on Debian installs only the missing tools with apt, in one printed line', () => {
    // WHEN
    const result = runStep({ present: ['kubectl', 'openssl'], osRelease: 'debian', uid: 0 });

    // THEN
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('installing docker-registry skopeo apache2-utils with apt-get: the tests need docker-registry, skopeo, htpasswd\n');
    expect(result.stderr).toBe('');
    expect(result.calls).toEqual(['apt-get update', 'apt-get install -y docker-registry skopeo apache2-utils']);
    expect(result.installed).toEqual(TOOLS);
  });

  test('with passwordless sudo on Ubuntu installs kubectl from kubernetes-client through sudo', () => {
    // WHEN
    const result = runStep({ present: ['docker-registry', 'skopeo', 'htpasswd', 'openssl'], osRelease: 'ubuntu', uid: 1000, sudo: PASSWORDLESS_SUDO });

    // THEN
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('installing kubernetes-client with apt-get: the tests need kubectl\n');
    expect(result.calls).toEqual([
      'sudo -n true',
      'sudo env DEBIAN_FRONTEND=noninteractive apt-get update',
      'apt-get update',
      'sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y kubernetes-client',
      'apt-get install -y kubernetes-client',
    ]);
    expect(result.installed).toEqual(TOOLS);
  });

  test.each([
    ['no sudo', undefined],
    ['a sudo that asks for a password', 'echo "sudo $*" >> "$(dirname "$0")/calls.log"\necho "sudo: a password is required" >&2\nexit 1'],
  ])('as a user with %s on Debian stops before jest with the exact command to run', (_, sudo) => {
    // WHEN
    const result = runStep({ present: ['kubectl', 'openssl'], osRelease: 'debian', uid: 1000, sudo });

    // THEN
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe([
      'the tests need docker-registry, skopeo, htpasswd, which are not installed; run this, then npm test again:',
      '  sudo apt-get update && sudo apt-get install -y docker-registry skopeo apache2-utils',
      '',
    ].join('\n'));
    expect(result.calls.filter(call => call.startsWith('apt-get'))).toEqual([]);
    expect(result.installed).toEqual(['kubectl', 'openssl']);
  });

  test('off Debian and Ubuntu, even as root, stops before jest and names the packages to install', () => {
    // WHEN
    const result = runStep({ present: [], osRelease: 'fedora', uid: 0 });

    // THEN
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe([
      'the tests need kubectl, docker-registry, skopeo, htpasswd, openssl, which are not installed, and this is not Debian or Ubuntu; '
        + 'install them with your package manager (these are the Debian packages), then run npm test again:',
      '  apt-get update && apt-get install -y kubernetes-client docker-registry skopeo apache2-utils openssl',
      '',
    ].join('\n'));
    expect(result.calls).toEqual([]);
  });

  test('when apt-get fails, shows its output and stops before jest with the command', () => {
    // WHEN
    const result = runStep({ present: ['kubectl', 'htpasswd', 'openssl'], osRelease: 'debian', uid: 0, aptGet: '[ "$1" = update ] && exit 0\necho "E: Unable to locate package skopeo" >&2\nexit 100' });

    // THEN
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('installing docker-registry skopeo with apt-get: the tests need docker-registry, skopeo\n');
    expect(result.stderr).toBe([
      'E: Unable to locate package skopeo',
      'the tests need docker-registry, skopeo, which apt-get could not install (its output is above); fix that, then run this and npm test again:',
      '  apt-get update && apt-get install -y docker-registry skopeo',
      '',
    ].join('\n'));
  });

  test('when apt-get succeeds but a tool is still not on PATH, stops before jest', () => {
    // WHEN
    const result = runStep({ present: ['kubectl', 'docker-registry', 'htpasswd', 'openssl'], osRelease: 'debian', uid: 0, aptGet: 'exit 0' });

    // THEN
    expect(result.status).toBe(1);
    expect(result.stderr).toBe([
      'the tests need skopeo, which apt-get installed, but skopeo is still not on PATH; fix PATH, or run this and npm test again:',
      '  apt-get update && apt-get install -y skopeo',
      '',
    ].join('\n'));
  });
});
