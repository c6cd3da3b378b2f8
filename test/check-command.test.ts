import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const BIN = path.join(__dirname, '..', 'bin', 'cdk8s-private-registry.js');
const FIXTURES = path.join(__dirname, 'fixtures', 'check');
const TIMEOUT = 30_000;

/** runs the real bin script in the fixture directory */
function check(args: string[], input?: string) {
  const result = spawnSync(process.execPath, [BIN, 'check', ...args], { cwd: FIXTURES, input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const GITLAB_FIX = 'name in imagePullSecrets a docker-registry secret whose server is "registry.gitlab.com", defined in the same manifests '
  + 'or declared with --existing-secret NAME=registry.gitlab.com';

describe('cdk8s-private-registry check', () => {
  test('a report longer than the pieces it is written in comes out whole, one line per violation', () => {
    // GIVEN 3,000 containers without an imagePullPolicy: about 400 KB of report, written 64 KiB at a time
    const containers = Array.from({ length: 3000 }, (_, i) => `    - {name: c${i}, image: docker.io/library/nginx:1.${i}}`).join('\n');
    const input = `apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n${containers}\n`;

    // WHEN checked from standard input
    const { status, stdout } = check(['--public-registry', 'docker.io', '-'], input);

    // THEN every violation has its line, in order, after the object's, and the count comes last
    const lines = stdout.split('\n');
    expect(status).toBe(1);
    expect(stdout.length).toBeGreaterThan(4 * 64 * 1024);
    expect(lines[0]).toBe('Pod/big in <stdin>');
    expect(lines.slice(1, 3001).map(l => l.match(/container "(c\d+)"/)?.[1])).toEqual(Array.from({ length: 3000 }, (_, i) => `c${i}`));
    expect(lines.slice(3001)).toEqual(['', '3000 violations in 1 object; 1 pod spec checked', '']);
  }, TIMEOUT);

  test('reports a Helm-style Deployment missing its pull secret', () => {
    // WHEN
    const { status, stdout, stderr } = check(['helm-deployment.yaml']);

    // THEN
    expect(status).toBe(1);
    expect(stderr).toBe('');
    expect(stdout).toBe([
      'Deployment/web-chart in helm-deployment.yaml',
      '  helm-deployment.yaml:52 [pull-secret-coverage] container "chart" image "registry.gitlab.com/team/web:1.16.0": no pull secret covers '
        + 'registry "registry.gitlab.com" (the pod names no pull secret and serviceAccount "web-chart" gives none); '
        + `${GITLAB_FIX}; if "registry.gitlab.com" is public, declare it with --public-registry registry.gitlab.com, or list only your private registries with --private-registry`,
      '',
      '1 violation in 1 object; 1 pod spec checked',
      '',
    ].join('\n'));
  }, TIMEOUT);

  test('passes the Deployment once its registry is not private, or is public', () => {
    // WHEN
    const existing = check(['--existing-secret', 'gitlab=registry.gitlab.com', 'helm-deployment.yaml']);
    const notPrivate = check(['--private-registry', 'ghcr.io', 'helm-deployment.yaml']);
    const isPublic = check(['--public-registry', 'registry.gitlab.com', 'helm-deployment.yaml']);

    // THEN: the ServiceAccount names no secret; declaring one the pod does not name does not help
    expect(existing.status).toBe(1);
    expect(existing.stdout).toContain('[pull-secret-coverage]');
    expect(notPrivate.status).toBe(0);
    expect(notPrivate.stdout).toBe('no violations: 1 pod spec checked\n');
    expect(isPublic.status).toBe(0);
  }, TIMEOUT);

  test('reports a pod in another namespace than its pull secret', () => {
    // WHEN
    const { status, stdout } = check(['wrong-namespace.yaml']);

    // THEN
    expect(status).toBe(1);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe('Pod/team-b/api in wrong-namespace.yaml');
    expect(lines[1]).toBe('  wrong-namespace.yaml:18 [pull-secret-namespace] pull secret "gitlab" is in namespace "team-a" but the pod is in namespace "team-b": '
      + 'imagePullSecrets resolve only in the pod\'s own namespace; put the secret and the pod in the same namespace');
    expect(lines[2]).toMatch(/^ {2}wrong-namespace\.yaml:20 \[pull-secret-coverage\] .*\(imagePullSecrets gives "gitlab", which is in namespace "team-a"\)/);
  }, TIMEOUT);

  test('reports a :latest image with no imagePullPolicy, and the tag itself with --disallow-latest', () => {
    // WHEN
    const plain = check(['latest-no-policy.yaml']);
    const strict = check(['--disallow-latest', 'latest-no-policy.yaml']);

    // THEN
    const policy = '  latest-no-policy.yaml:18 [image-pull-policy] container "imagesecretcontainer" image "registry.gitlab.com/onurbolatoglu/images:latest" '
      + 'has no explicit imagePullPolicy; set it (Kubernetes would default to Always)';
    expect(plain.status).toBe(1);
    expect(plain.stdout).toBe(`Pod/imagesecrettest2 in latest-no-policy.yaml\n${policy}\n\n1 violation in 1 object; 1 pod spec checked\n`);
    expect(strict.status).toBe(1);
    expect(strict.stdout.split('\n').slice(1, 3)).toEqual([
      policy,
      '  latest-no-policy.yaml:18 [disallow-latest] container "imagesecretcontainer" image "registry.gitlab.com/onurbolatoglu/images:latest" '
        + 'uses the tag "latest"; pin a version tag or a digest',
    ]);
  }, TIMEOUT);

  test('passes manifests that are right, and groups violations of several files by object', () => {
    // WHEN
    const passing = check(['passing.yaml']);
    const several = check(['passing.yaml', 'wrong-namespace.yaml', 'helm-deployment.yaml']);

    // THEN
    expect(passing.status).toBe(0);
    expect(passing.stdout).toBe('no violations: 2 pod specs checked\n');
    expect(several.status).toBe(1);
    expect(several.stdout.split('\n').filter(l => !l.startsWith('  '))).toEqual([
      'Pod/team-b/api in wrong-namespace.yaml',
      'Deployment/web-chart in helm-deployment.yaml',
      '',
      '3 violations in 2 objects; 4 pod specs checked',
      '',
    ]);
  }, TIMEOUT);

  test('reads standard input for "-", and a secret after the pods that name it', () => {
    // GIVEN: the passing manifests with their Secret, the first document, moved to the end
    const [secret, ...rest] = fs.readFileSync(path.join(FIXTURES, 'passing.yaml'), 'utf8').split(/^---\n/m);

    // WHEN
    const { status, stdout } = check(['-'], fs.readFileSync(path.join(FIXTURES, 'helm-deployment.yaml'), 'utf8'));
    const late = check(['-'], [...rest, secret].join('---\n'));

    // THEN
    expect(status).toBe(1);
    expect(stdout).toMatch(/^Deployment\/web-chart in <stdin>\n {2}<stdin>:52 \[pull-secret-coverage\] /);
    expect(secret).toContain('kind: Secret');
    expect(late.stdout).toBe('no violations: 2 pod specs checked\n');
    expect(late.status).toBe(0);
  }, TIMEOUT);

  test('reads a kubectl List in JSON, and prints null for a namespace the object does not have', () => {
    // GIVEN
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'quay.io/org/app:v1' }] } }],
    };

    // WHEN
    const { status, stdout } = check(['--format', 'json', '-'], JSON.stringify(list));

    // THEN
    expect(status).toBe(1);
    const entries = JSON.parse(stdout);
    expect(entries.map((v: any) => [v.object, v.path, v.line, v.rule])).toEqual([
      ['Pod/p', 'spec.containers[0]', 1, 'image-pull-policy'],
      ['Pod/p', 'spec.containers[0]', 1, 'pull-secret-coverage'],
    ]);
    expect(entries[0]).toMatchObject({ kind: 'Pod', namespace: null, name: 'p', container: 'c', column: null });
  }, TIMEOUT);

  test('prints a JSON array for CI tools with --format json', () => {
    // WHEN
    const failing = check(['--format', 'json', 'wrong-namespace.yaml']);
    const passing = check(['--format=json', 'passing.yaml']);

    // THEN
    expect(failing.status).toBe(1);
    const violations = JSON.parse(failing.stdout);
    expect(violations).toHaveLength(2);
    expect(violations[0]).toEqual({
      file: 'wrong-namespace.yaml',
      line: 18,
      column: null,
      object: 'Pod/team-b/api',
      kind: 'Pod',
      namespace: 'team-b',
      name: 'api',
      container: null,
      path: 'spec.imagePullSecrets',
      rule: 'pull-secret-namespace',
      message: 'pull secret "gitlab" is in namespace "team-a" but the pod is in namespace "team-b": imagePullSecrets resolve only in the pod\'s own namespace',
      fix: 'put the secret and the pod in the same namespace',
    });
    expect(violations[1]).toMatchObject({ container: 'api', line: 20, path: 'spec.containers[0]', rule: 'pull-secret-coverage' });
    expect(passing.status).toBe(0);
    expect(JSON.parse(passing.stdout)).toEqual([]);
  }, TIMEOUT);

  test('reports malformed YAML with its file and line, without a stack trace, and still checks what can be read', () => {
    // GIVEN: a Pod that is fine, then a malformed document
    const input = fs.readFileSync(path.join(FIXTURES, 'latest-no-policy.yaml'), 'utf8') + '---\nkind: Pod\nmetadata:\n  name: [a\n';

    // WHEN
    const files = check(['passing.yaml', 'malformed.yaml']);
    const stdin = check(['-'], input);

    // THEN
    expect(files.status).toBe(3);
    expect(files.stdout).toBe('no violations in what could be read: 2 pod specs checked; 1 input could not be read (see the errors)\n');
    expect(files.stderr).toMatch(/^cdk8s-private-registry: error: malformed\.yaml:9:\d+: \S.*\n$/);
    expect(files.stderr).not.toMatch(/\n\s+at /);
    expect(stdin.status).toBe(3);
    expect(stdin.stdout).toMatch(/^Pod\/imagesecrettest2 in <stdin>\n {2}<stdin>:18 \[image-pull-policy\] /);
    expect(stdin.stderr).toMatch(/^cdk8s-private-registry: error: <stdin>:24:1: the document is not valid YAML: unexpected end of the stream within a flow collection\n$/);
  }, TIMEOUT);

  test('checks every readable file when one cannot be read, and lists the unreadable one in JSON', () => {
    // WHEN
    const text = check(['passing.yaml', 'missing.yaml', 'wrong-namespace.yaml']);
    const json = check(['--format', 'json', 'missing.yaml', 'wrong-namespace.yaml']);

    // THEN
    expect(text.status).toBe(3);
    expect(text.stderr).toBe('cdk8s-private-registry: error: cannot read missing.yaml: no such file\n');
    expect(text.stdout).toMatch(/^Pod\/team-b\/api in wrong-namespace\.yaml\n/);
    expect(text.stdout).toMatch(/\n2 violations in 1 object; 3 pod specs checked; 1 input could not be read \(see the errors\)\n$/);
    expect(json.status).toBe(3);
    const entries = JSON.parse(json.stdout);
    expect(entries[0]).toEqual({
      file: 'missing.yaml',
      line: null,
      column: null,
      object: null,
      kind: null,
      namespace: null,
      name: null,
      container: null,
      path: null,
      rule: 'unreadable-input',
      message: 'no such file',
      fix: null,
    });
    expect(entries.slice(1).map((e: any) => e.rule)).toEqual(['pull-secret-namespace', 'pull-secret-coverage']);
  }, TIMEOUT);

  test('escapes control characters in names, so that no escape sequence reaches the terminal and no summary line is forged', () => {
    // GIVEN
    const input = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: "\\e[31mred"\n  namespace: "x\\n\\nno violations: 1 pod spec checked"\n'
      + 'spec:\n  containers:\n    - name: "\\u202eapp"\n      image: nginx:1.25\n';

    // WHEN
    const { status, stdout } = check(['-'], input);

    // THEN
    expect(status).toBe(1);
    expect(stdout).not.toMatch(/[\x1b\u202e]/);
    expect(stdout.split('\n')[0]).toBe('Pod/x\\x0a\\x0ano violations: 1 pod spec checked/\\x1b[31mred in <stdin>');
    expect(stdout).toContain('container "\\u202eapp"');
    expect(stdout.split('\n').filter(line => line.startsWith('no violations'))).toEqual([]);
  }, TIMEOUT);

  test('checks the manifest files of a directory, not its subdirectories, and prints its version', () => {
    // WHEN
    const dir = check(['--private-registry', 'registry.gitlab.com', 'dir']);
    const empty = check(['dir/nested/empty']);
    const version = check(['--version']);

    // THEN
    expect(dir.status).toBe(1);
    expect(dir.stdout.split('\n').filter(l => !l.startsWith('  '))).toEqual([
      'Pod/apps/from-yml in dir/b.yml',
      '',
      '1 violation in 1 object; 3 pod specs checked',
      '',
    ]);
    expect(empty.status).toBe(3);
    expect(empty.stderr).toBe('cdk8s-private-registry: error: cannot read dir/nested/empty: the directory has no *.yaml, *.yml, *.json file (subdirectories are not read)\n');
    expect(version.status).toBe(0);
    expect(version.stdout).toBe(`${JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')).version}\n`);
  }, TIMEOUT);

  test.each([
    [[], /^cdk8s-private-registry: error: no FILE given; give one or more files or directories, or "-" for standard input\n$/],
    [['--platform', 'linux/arm64', 'a.yaml'], /^cdk8s-private-registry: error: --platform works only with --pull; add --pull to ask the registries\n$/],
    [['--pull', '--platform', 'linux/amd64,arm64', 'a.yaml'],
      /^cdk8s-private-registry: error: --platform: platform "arm64" is not a platform; expected OS\/ARCH\[\/VARIANT\], e.g. linux\/amd64, linux\/arm64 or linux\/arm\/v7\n$/],
    [['--bogus', 'a.yaml'], /^cdk8s-private-registry: error: unknown option "--bogus"; expected one of --format, --private-registry, --public-registry, --existing-secret, --disallow-latest, --require-digest, --image-credential-provider-config, --image-credential-provider-bin-dir, --pull, --lock, --concurrency, --timeout, --ca-file, --insecure-registry, --platform, --help, --version, or "--" before a file whose name starts with "-"; run "cdk8s-private-registry check --help"\n$/],
    [['passing.yaml', '--format'], /error: --format needs a value; run/],
    [['--require-digest=yes', 'passing.yaml'], /error: --require-digest takes no value; received "--require-digest=yes"; run/],
    [['--format', 'xml', 'passing.yaml'], /--format "xml" is not supported; expected text or json\n$/],
    [['--existing-secret', 'regcred', 'passing.yaml'], /--existing-secret "regcred" is malformed; expected \[NAMESPACE\/\]NAME=SERVER\[,SERVER\.\.\.\]/],
    [['--private-registry', 'https://ghcr.io:x', 'passing.yaml'], /--private-registry: "https:\/\/ghcr\.io:x" is not a registry server/],
    [['-', '-'], /"-" is given more than once/],
  ])('exits 2 on usage errors: %j', (args, message) => {
    // WHEN
    const { status, stdout, stderr } = check(args, '');

    // THEN
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
  }, TIMEOUT);

  test('ends at once with exit status 3 on /dev/zero, a FIFO in a directory, and /dev/zero as standard input', () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'check-fifo-'));
    spawnSync('mkfifo', [path.join(dir, 'waiting.yaml')]);
    const zero = fs.openSync('/dev/zero', 'r');

    try {
      // WHEN
      const device = check(['/dev/zero']);
      const fifo = check([dir]);
      const stdin = spawnSync(process.execPath, [BIN, 'check', '-'], { stdio: [zero, 'pipe', 'pipe'], encoding: 'utf8', timeout: 20_000 });

      // THEN
      expect([device.status, device.stderr]).toEqual([3, expect.stringContaining('cannot read /dev/zero: is not a regular file (it is a character device)')]);
      expect([fifo.status, fifo.stderr]).toEqual([3, expect.stringContaining('waiting.yaml: is not a regular file (it is a FIFO)')]);
      expect([stdin.status, stdin.stderr]).toEqual([3, expect.stringContaining('cannot read <stdin>: is a character device, not a file, a pipe or a terminal')]);
    } finally {
      fs.closeSync(zero);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, TIMEOUT);

  test('refuses an empty input with exit status 3, as it usually means the command before the pipe failed', () => {
    // WHEN
    const { status, stderr } = check(['-'], '');

    // THEN
    expect(status).toBe(3);
    expect(stderr).toBe('cdk8s-private-registry: error: no Kubernetes object in <stdin>\n');
  }, TIMEOUT);

  test('documents the default for private registries in --help', () => {
    // WHEN
    const { status, stdout } = check(['--help']);

    // THEN
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Usage: cdk8s-private-registry check \[options\] FILE\|DIR\.\.\./);
    expect(stdout).toContain('Default: every registry not given with --public-registry.');
    expect(stdout).toContain('pull-secret-coverage   every image from a private registry is covered by a pull secret of its pod');
  }, TIMEOUT);
});

describe('cdk8s-private-registry check: no user name or password in a flag or an image', () => {
  const PASSWORD = 'Sentinel-Userinfo-Password-5e2a';

  test.each([
    ['--private-registry', ['--private-registry', `https://u:${PASSWORD}@registry.gitlab.com`], '--private-registry "https://<redacted>@registry.gitlab.com" carries a user name or password before "@"; expected host[:port][/path], e.g. registry.gitlab.com, with credentials only in a pull secret'],
    ['--public-registry', ['--public-registry', `u:${PASSWORD}@docker.io`], '--public-registry "<redacted>@docker.io" carries a user name or password before "@"; expected host[:port][/path], e.g. registry.gitlab.com, with credentials only in a pull secret'],
    ['--existing-secret', ['--existing-secret', `gitlab=ghcr.io,u:${PASSWORD}@registry.gitlab.com`], '--existing-secret gitlab=ghcr.io,<redacted>@registry.gitlab.com "<redacted>@registry.gitlab.com" carries a user name or password before "@"; expected host[:port][/path], e.g. registry.gitlab.com, with credentials only in a pull secret'],
    ['--existing-secret without a name', ['--existing-secret', `u:${PASSWORD}@registry.gitlab.com`], '--existing-secret "<redacted>@registry.gitlab.com" is malformed; expected [NAMESPACE/]NAME=SERVER[,SERVER...], e.g. regcred=registry.gitlab.com'],
    ['--insecure-registry', ['--pull', '--insecure-registry', `https://u:${PASSWORD}@127.0.0.1:5000`], '--insecure-registry "https://<redacted>@127.0.0.1:5000" carries a user name or password before "@"; expected HOST[:PORT], e.g. 127.0.0.1:5000, with credentials only in a pull secret'],
  ])('%s with a user name and password is a usage error that never repeats them', (_flag, args, message) => {
    // GIVEN a flag whose server is written with a user name and password
    // WHEN check runs with it
    const { status, stdout, stderr } = check([...args, 'helm-deployment.yaml']);
    // THEN it stops with a usage error that names the flag, with the userinfo redacted
    expect(status).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`cdk8s-private-registry: error: ${message}\n`);
    expect(stderr).not.toContain(PASSWORD);
  }, TIMEOUT);

  test('an image written with a user name and password is an image-reference violation that does not repeat them', () => {
    // GIVEN a pod whose image is written as a URL with userinfo
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n'
      + `  - {name: c, image: "u:${PASSWORD}@registry.example.com/app:1", imagePullPolicy: Always}\n`;
    // WHEN check reads it, as text and as JSON
    const text = check(['-'], yaml);
    const json = check(['--format', 'json', '-'], yaml);
    // THEN it is refused with the userinfo redacted, and the password is in neither output
    expect(text.status).toBe(1);
    expect(text.stdout).toContain('[image-reference] container "c": invalid image reference "<redacted>@registry.example.com/app:1": '
      + 'must not carry a user name or password before "@"');
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ rule: 'image-reference' });
    for (const output of [text.stdout, text.stderr, json.stdout, json.stderr]) {
      expect(output).not.toContain(PASSWORD);
    }
  }, TIMEOUT);
});

describe('cdk8s-private-registry check: standard input that is not plain UTF-8', () => {
  /** runs check on `input` as standard input, with a temporary directory of its own */
  function checkStdin(input: Buffer) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'check-stdin-'));
    try {
      const result = spawnSync(process.execPath, [BIN, 'check', '-'], { cwd: FIXTURES, input, encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, left: fs.readdirSync(tmp) };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  const pod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: app, image: docker.io/library/nginx:1.25}]\n';

  test('a byte that is not UTF-8 after the first chunk is U+FFFD, as kubectl reads it, and no copy of the input is left', () => {
    // GIVEN more than a pipe's 64 KiB of plain text, then a byte that is not UTF-8
    const config = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  a: "${'x'.repeat(100_000)}"\n  b: "`;
    const input = Buffer.concat([Buffer.from(config), Buffer.from([0xff]), Buffer.from(`"\n---\n${pod}`)]);

    // WHEN checked from standard input
    const { status, stdout, stderr, left } = checkStdin(input);

    // THEN the pod is checked, nothing is unreadable, and the temporary copy is gone
    expect(stderr).toBe('');
    expect([status, stdout.split('\n')[0]]).toEqual([1, 'Pod/web in <stdin>']);
    expect(left).toEqual([]);
  }, TIMEOUT);

  test('input with a byte order mark leaves no copy of itself behind', () => {
    // GIVEN a UTF-8 byte order mark before the pod
    const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pod)]);

    // WHEN checked from standard input
    const { status, stdout, left } = checkStdin(input);

    // THEN checked, and the temporary copy, which may hold secrets, is gone
    expect([status, stdout.split('\n')[0]]).toEqual([1, 'Pod/web in <stdin>']);
    expect(left).toEqual([]);
  }, TIMEOUT);
});
