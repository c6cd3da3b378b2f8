// `check --pull` judges what a node would pull: a manifest for every platform a pod may run on,
// no schema 1, no artifact. Against a real registry (Debian's docker-registry) holding real
// multi-platform OCI indexes pushed by `skopeo copy --all`, and test servers for what that
// registry will not store (schema 1) or for counting requests.
import { spawn, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { CredentialValue, ImageLock, PrivateImagePod, RegistrySecret } from '../src';
import { OciIndexImage, OciImage, pushImage, writeHelmChartLayout, writeOciIndexLayout, writeOciLayout } from './support/oci-image';
import { requireTools, RunningRegistry, skopeo, startRegistry } from './support/registry';
import { judgeContent } from '../src/cli/pull-check';
import { PrivateRegistryValidation } from '../src/cli/validation-plugin';

const BIN = path.join(__dirname, '..', 'bin', 'cdk8s-private-registry.js');
const USER = { username: 'puller', password: 'Sentinel-Platform-Password-5c1e' };
const SETUP_TIMEOUT = 120_000;
const TIMEOUT = 60_000;

let work: string;
let registry: RunningRegistry;
let multi: OciIndexImage;
let single: OciImage;

/** `skopeo copy --all` of a layout's tag into the registry, as a pipeline pushes a multi-platform image */
function copyAll(layout: { dir: string; tag: string }, repository: string): void {
  const result = skopeo(work, ['copy', '--all', '--dest-tls-verify=false', '--dest-creds', `${USER.username}:${USER.password}`,
    `oci:${layout.dir}:${layout.tag}`, `docker://${registry.host}/${repository}`]);
  if (result.status !== 0) {
    throw new Error(`skopeo copy --all failed: ${result.stderr}`);
  }
}

beforeAll(async () => {
  requireTools();
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-platform-'));
  registry = await startRegistry({ auth: 'htpasswd', users: [USER] });
  multi = writeOciIndexLayout(path.join(work, 'multi'), 'v1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }]);
  copyAll(multi, 'team/web:1.4');
  copyAll(writeOciIndexLayout(path.join(work, 'arm'), 'v1', [{ os: 'linux', architecture: 'arm', variant: 'v6' },
    { os: 'linux', architecture: 'arm', variant: 'v7' }]), 'team/arm:both');
  copyAll(writeOciIndexLayout(path.join(work, 'armv7'), 'v1', [{ os: 'linux', architecture: 'arm', variant: 'v7' }]), 'team/arm:v7');
  copyAll(writeOciIndexLayout(path.join(work, 'bare'), 'v1', [{ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm64' }],
    { platformInIndex: false }), 'team/bare:1');
  single = writeOciLayout(path.join(work, 'single'), 'v1');
  await pushImage(single, registry.url, 'team/amd64', ['1.0'], USER);
  await pushImage(writeHelmChartLayout(path.join(work, 'chart'), '0.1.0'), registry.url, 'team/chart', ['0.1.0'], USER);
}, SETUP_TIMEOUT);

afterAll(async () => {
  await registry?.stop();
  if (work) {
    fs.rmSync(work, { recursive: true, force: true });
  }
}, SETUP_TIMEOUT);

let files = 0;

/** a pull secret for `host` and one Pod per entry: `[name, image, spec fields]` */
function manifests(host: string, pods: Array<[string, string, object?]>): string {
  const auth = Buffer.from(`${USER.username}:${USER.password}`).toString('base64');
  const config = Buffer.from(JSON.stringify({ auths: { [host]: { auth } } })).toString('base64');
  const docs = [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': config } },
    ...pods.map(([name, image, spec]) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { imagePullSecrets: [{ name: 'regcred' }], containers: [{ name: 'main', image, imagePullPolicy: 'IfNotPresent' }], ...spec },
    }))];
  const file = path.join(work, `pods-${++files}.yaml`);
  fs.writeFileSync(file, docs.map(d => JSON.stringify(d)).join('\n---\n'));
  return file;
}

/** the constructs' pull secret for the test registry */
function regcred(chart: Chart): RegistrySecret {
  return new RegistrySecret(chart, 'regcred', {
    metadata: { name: 'regcred' },
    appendHash: false,
    server: registry.host,
    username: CredentialValue.fromString(USER.username),
    password: CredentialValue.fromString(USER.password),
  });
}

function checkPull(args: string[]) {
  const result = spawnSync(process.execPath, [BIN, 'check', '--pull', ...args], { encoding: 'utf8', timeout: TIMEOUT });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function pulls(args: string[]): { status: number | null; entries: any[] } {
  const { status, stdout } = checkPull(['--format', 'json', '--insecure-registry', registry.host, ...args]);
  return { status, entries: JSON.parse(stdout).filter((e: any) => e.rule === 'image-pull') };
}

const ARM64 = { nodeSelector: { 'kubernetes.io/arch': 'arm64' } };
const BOTH = {
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64', 'arm64'] }] }],
      },
    },
  },
};

describe('check --pull: the platforms a pod may run on', () => {
  test('an amd64+arm64 index passes a pod pinned to arm64; an amd64-only image fails it, naming both sides', () => {
    // GIVEN two pods pinned to arm64 by nodeSelector: one of the multi-platform image, one of an amd64-only image
    const web = `${registry.host}/team/web:1.4`;
    const amd64 = `${registry.host}/team/amd64:1.0`;
    const file = manifests(registry.host, [['web', web, ARM64], ['old', amd64, ARM64]]);

    // WHEN the registry is asked
    const { status, stdout } = checkPull(['--insecure-registry', registry.host, file]);

    // THEN the index is ok, at its own digest, and the single manifest is not pullable on arm64
    expect(status).toBe(1);
    expect(stdout).toContain(`${web}: ok ${multi.index.digest}`);
    expect(stdout).toContain(`${amd64}: not pullable (platform): ${amd64} has no linux/arm64 manifest (it offers linux/amd64); `
      + 'the pod may run on linux/arm64 (nodeSelector kubernetes.io/arch)');
    // AND the report says which platforms applied
    expect(stdout).toContain('platform linux/amd64 (the default: no --platform given), or those a pod names');
  }, TIMEOUT);

  test('an In [amd64, arm64] affinity needs both', () => {
    // GIVEN pods that may run on either architecture
    const file = manifests(registry.host, [['web', `${registry.host}/team/web:1.4`, BOTH], ['old', `${registry.host}/team/amd64:1.0`, BOTH]]);

    // WHEN asked
    const { status, entries } = pulls([file]);

    // THEN the index offers both; the amd64-only image lacks arm64, and the reason names the affinity
    expect(status).toBe(1);
    expect(entries.map(e => [e.pull.status, e.pull.cause])).toEqual([['ok', null], ['unpullable', 'platform']]);
    expect(entries[1].pull.platforms.map((p: any) => [p.platform, p.why])).toEqual([
      ['linux/amd64', 'required node affinity kubernetes.io/arch In [amd64, arm64]'],
      ['linux/arm64', 'required node affinity kubernetes.io/arch In [amd64, arm64]'],
    ]);
    expect(entries[1].message).toContain('has no linux/arm64 manifest (it offers linux/amd64); the pod may run on linux/arm64 '
      + '(required node affinity kubernetes.io/arch In [amd64, arm64])');
  }, TIMEOUT);

  test('--platform with two pools needs both for an unconstrained pod; without it, the default amd64 passes', () => {
    // GIVEN unconstrained pods
    const file = manifests(registry.host, [['web', `${registry.host}/team/web:1.4`], ['old', `${registry.host}/team/amd64:1.0`]]);

    // WHEN asked with two node pools, and with none
    const pools = pulls(['--platform', 'linux/amd64,linux/arm64', file]);
    const fallback = pulls([file]);

    // THEN with the pools the amd64-only image fails for arm64, named by --platform; by default both pass
    expect(pools.status).toBe(1);
    expect(pools.entries.map(e => e.pull.status)).toEqual(['ok', 'unpullable']);
    expect(pools.entries[1].message).toContain('the pod may run on linux/arm64 (--platform)');
    expect(fallback.status).toBe(0);
    expect(fallback.entries[1].pull.platforms).toEqual([{ platform: 'linux/amd64', why: 'the default linux/amd64: no --platform given', object: 'Pod/old' }]);
  }, TIMEOUT);

  test('arm variants as containerd matches them: arm/v7 takes v7 or v6, arm/v6 does not take v7', () => {
    // GIVEN an index of arm/v6 and arm/v7, and one of arm/v7 alone
    const file = manifests(registry.host, [['both', `${registry.host}/team/arm:both`], ['v7', `${registry.host}/team/arm:v7`]]);

    // WHEN asked for arm/v7 nodes, and for arm/v6 nodes
    const v7 = pulls(['--platform', 'linux/arm/v7', file]);
    const v6 = pulls(['--platform', 'linux/arm/v6', file]);

    // THEN arm/v7 nodes pull both; arm/v6 nodes pull v6 from the first and nothing from the second
    expect(v7.entries.map(e => e.pull.status)).toEqual(['ok', 'ok']);
    expect(v6.entries.map(e => e.pull.status)).toEqual(['ok', 'unpullable']);
    expect(v6.entries[1].message).toContain('has no linux/arm/v6 manifest (it offers linux/arm/v7)');
  }, TIMEOUT);

  test('an index that names no platforms is judged by each child\'s config', () => {
    const file = manifests(registry.host, [['bare', `${registry.host}/team/bare:1`]]);
    expect(pulls(['--platform', 'linux/amd64,linux/arm64', file]).entries[0].pull.status).toBe('ok');
    const riscv = pulls(['--platform', 'linux/riscv64', file]);
    expect(riscv.entries[0].message).toContain('has no linux/riscv64 manifest (it offers linux/amd64, linux/arm64)');
  }, TIMEOUT);

  test('a Helm chart is not a container image, and says what it is', () => {
    const chart = `${registry.host}/team/chart:0.1.0`;
    const { status, entries } = pulls([manifests(registry.host, [['chart', chart]])]);
    expect(status).toBe(1);
    expect(entries[0].pull).toMatchObject({ status: 'unpullable', cause: 'artifact' });
    expect(entries[0].message).toBe(`not pullable (artifact): ${chart} is not a container image: `
      + 'it is an OCI artifact of type application/vnd.cncf.helm.config.v1+json (a Helm chart)');
    expect(entries[0].fix).toMatch(/^reference a container image/);
  }, TIMEOUT);

  test('the lock round trip on a multi-platform image keeps the index digest and ends pinned and ok', () => {
    // GIVEN the constructs' pod of the multi-platform image, not pinned yet
    const image = `${registry.host}/team/web:1.4`;
    const synth = (imageLock?: ImageLock) => {
      const app = new App({ outdir: path.join(work, `out-${++files}`) });
      const chart = new Chart(app, 'apps');
      const secret = regcred(chart);
      new PrivateImagePod(chart, 'web', { registrySecrets: [secret], imageLock, containers: [{ image }] });
      const file = path.join(work, `lock-${files}.yaml`);
      fs.writeFileSync(file, app.synthYaml());
      return file;
    };
    const lock = path.join(work, 'images.lock.json');
    const pools = ['--insecure-registry', registry.host, '--platform', 'linux/amd64,linux/arm64'];

    // WHEN the lock is made for both pools, and the app synthesized with it
    const made = checkPull([...pools, '--lock', lock, synth()]);
    const pinned = synth(ImageLock.fromFile(lock));
    const again = checkPull([...pools, pinned]);

    // THEN the lock holds the index's digest, the output is pinned to it, and still ok
    expect(made.status).toBe(0);
    expect(JSON.parse(fs.readFileSync(lock, 'utf8')).images).toEqual({ [`${image}`]: multi.index.digest });
    expect(fs.readFileSync(pinned, 'utf8')).toContain(`image: ${image}@${multi.index.digest}`);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain(`${image}@${multi.index.digest}: ok ${multi.index.digest}`);
  }, TIMEOUT);

  test('the validation plugin takes the same platforms setting', async () => {
    // GIVEN an unconstrained pod of the amd64-only image, and the plugin with two node pools
    const file = manifests(registry.host, [['old', `${registry.host}/team/amd64:1.0`]]);
    const run = async (props: object) => {
      const report: { violations: any[]; status?: string } = { violations: [] };
      await new PrivateRegistryValidation({ pull: true, insecureRegistries: [registry.host], ...props }).validate({
        manifests: [file],
        report: { addViolation: v => report.violations.push(v), submit: status => { report.status = status; } },
        logger: { log: () => undefined },
      });
      return report;
    };

    // WHEN it validates with the pools, and without
    const pools = await run({ platforms: ['linux/amd64', 'linux/arm64'] });
    const fallback = await run({});

    // THEN with the pools the synth fails, naming the missing platform; by default it passes
    expect(pools.status).toBe('failure');
    expect(pools.violations[0].violatingResources[0].locations[0]).toContain('has no linux/arm64 manifest (it offers linux/amd64); '
      + 'the pod may run on linux/arm64 (platforms)');
    expect(fallback.status).toBe('success');
  }, TIMEOUT);

  test('the constructs\' platforms reach check --pull through the objects, and win over --platform', () => {
    // GIVEN the constructs' pods, one per image, on a cluster the app says has an arm64 pool
    const app = new App({ outdir: path.join(work, `out-${++files}`) });
    const chart = new Chart(app, 'apps');
    const secret = regcred(chart);
    const platforms = ['linux/amd64', 'linux/arm64'];
    new PrivateImagePod(chart, 'web', { registrySecrets: [secret], platforms, containers: [{ image: `${registry.host}/team/web:1.4` }] });
    new PrivateImagePod(chart, 'old', { registrySecrets: [secret], platforms, containers: [{ image: `${registry.host}/team/amd64:1.0` }] });
    const file = path.join(work, `platforms-${files}.yaml`);
    fs.writeFileSync(file, app.synthYaml());

    // WHEN checked with no --platform, and with one pool only
    const plain = pulls([file]);
    const narrower = pulls(['--platform', 'linux/amd64', file]);

    // THEN both need arm64 too, named by the annotation the constructs wrote, which the header names
    expect(checkPull(['--insecure-registry', registry.host, file]).stdout)
      .toContain('platform linux/amd64 (the default: no --platform given), or those a pod names; '
        + 'an object annotated cdk8s-private-registry/platforms, those it names):');
    for (const run of [plain, narrower]) {
      expect(run.status).toBe(1);
      expect(run.entries.map(e => e.pull.status)).toEqual(['ok', 'unpullable']);
      expect(run.entries[1].message).toContain('has no linux/arm64 manifest (it offers linux/amd64); '
        + 'the pod may run on linux/arm64 (the annotation cdk8s-private-registry/platforms)');
    }
  }, TIMEOUT);

  test('--lock is not written when an image fails a platform', () => {
    const lock = path.join(work, 'never.lock.json');
    const file = manifests(registry.host, [['old', `${registry.host}/team/amd64:1.0`, ARM64]]);
    const { status, stderr } = checkPull(['--insecure-registry', registry.host, '--lock', lock, file]);
    expect(status).toBe(1);
    expect(stderr).toContain('not written: not every image is ok');
    expect(fs.existsSync(lock)).toBe(false);
  }, TIMEOUT);
});

describe('check --pull against a test server: schema 1, and what is read', () => {
  /** a registry without auth serving `answer(path)`; counts each request by method and path */
  async function serve(answer: (url: string) => { type?: string; body: string } | undefined) {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const found = req.url === '/v2/' ? { body: '{}' } : answer(req.url!);
      if (!found) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, found.type ? { 'content-type': found.type } : {}).end(found.body);
    });
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { host, seen, close: () => { server.closeAllConnections(); server.close(); } };
  }

  test('a schema-1 manifest, signed or not, is its own finding naming containerd 2', async () => {
    // GIVEN a registry holding only schema-1 manifests, as old pushes left them
    const server = await serve(url => url.endsWith('/signed') ? { type: 'application/vnd.docker.distribution.manifest.v1+prettyjws', body: '{"schemaVersion":1,"signatures":[]}' }
      : url.endsWith('/plain') ? { type: 'application/vnd.docker.distribution.manifest.v1+json', body: '{"schemaVersion":1}' } : undefined);
    try {
      const file = manifests(server.host, [['a', `${server.host}/old/app:signed`], ['b', `${server.host}/old/app:plain`]]);
      // WHEN asked
      const { status, stdout } = await checkPullAsync(server.host, file);
      // THEN each is not pullable, naming its type and containerd 2
      expect(status).toBe(1);
      expect(stdout).toContain(`${server.host}/old/app:signed: not pullable (schema1): ${server.host}/old/app:signed is a signed Docker schema 1 manifest `
        + '(application/vnd.docker.distribution.manifest.v1+prettyjws), which containerd 2.0 and later no longer pull');
      expect(stdout).toContain(`${server.host}/old/app:plain is a Docker schema 1 manifest (application/vnd.docker.distribution.manifest.v1+json)`);
    } finally {
      server.close();
    }
  }, TIMEOUT);

  test('a manifest asked by digest must have that digest, as containerd checks what it fetched', async () => {
    // GIVEN a registry that serves other content under a digest
    const body = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] });
    const server = await serve(url => url.includes('/manifests/sha256:') ? { type: 'application/vnd.oci.image.index.v1+json', body } : undefined);
    try {
      const wrong = 'sha256:' + '0'.repeat(64);
      const { status, stdout } = await checkPullAsync(server.host, manifests(server.host, [['p', `${server.host}/team/app@${wrong}`]]));
      // THEN it is an error naming the digest
      expect(status).toBe(1);
      expect(stdout).toContain(`error: the registry served manifest ${wrong} with other content than its digest`);
    } finally {
      server.close();
    }
  }, TIMEOUT);

  test('one read of an index serves every pod and platform; a config is read only where the index names no platform', async () => {
    // GIVEN an index with platforms (tag "named") and one without (tag "bare"), whose children are read from their configs
    const config = (architecture: string) => JSON.stringify({ os: 'linux', architecture, rootfs: { type: 'layers', diff_ids: [] } });
    const digestOf = (text: string) => 'sha256:' + createHash('sha256').update(text).digest('hex');
    const configs = ['amd64', 'arm64'].map(config);
    const children = configs.map(c => JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digestOf(c), size: c.length },
      layers: [],
    }));
    const index = (named: boolean) => JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: children.map((m, i) => ({
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: digestOf(m),
        size: m.length,
        ...(named ? { platform: { os: 'linux', architecture: ['amd64', 'arm64'][i] } } : {}),
      })),
    });
    const blobs = new Map([...configs, ...children].map(text => [digestOf(text), text]));
    const server = await serve(url => {
      const last = url.split('/').pop()!;
      if (last === 'named' || last === 'bare') {
        return { type: 'application/vnd.oci.image.index.v1+json', body: index(last === 'named') };
      }
      const blob = blobs.get(last);
      return blob ? { type: url.includes('/manifests/') ? 'application/vnd.oci.image.manifest.v1+json' : 'application/octet-stream', body: blob } : undefined;
    });
    try {
      // WHEN three pods on both architectures use each image
      const pods: Array<[string, string, object?]> = [];
      for (const tag of ['named', 'bare']) {
        pods.push([`${tag}-arm`, `${server.host}/team/app:${tag}`, ARM64], [`${tag}-amd`, `${server.host}/team/app:${tag}`],
          [`${tag}-both`, `${server.host}/team/app:${tag}`, BOTH]);
      }
      const { status } = await checkPullAsync(server.host, manifests(server.host, pods));

      // THEN each index is read once; the named one needs nothing more; the bare one's children and configs are read once each
      expect(status).toBe(0);
      const gets = server.seen.filter(s => s !== 'GET /v2/');
      expect(gets.filter(s => s.endsWith('/named'))).toEqual(['GET /v2/team/app/manifests/named']);
      expect(gets.filter(s => s.endsWith('/bare'))).toEqual(['GET /v2/team/app/manifests/bare']);
      expect(gets.filter(s => !s.endsWith('/named') && !s.endsWith('/bare')).sort()).toEqual([
        ...children.map(m => `GET /v2/team/app/manifests/${digestOf(m)}`),
        ...configs.map(c => `GET /v2/team/app/blobs/${digestOf(c)}`),
      ].sort());
    } finally {
      server.close();
    }
  }, TIMEOUT);
});

/** `check --pull` in a child process that leaves this one's event loop free: the test servers run here */
function checkPullAsync(host: string, file: string): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'check', '--pull', '--insecure-registry', host, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout += chunk);
    child.once('error', reject);
    child.once('close', status => resolve({ status, stdout }));
  });
}

describe('judgeContent: the finding, from what the registry served', () => {
  const DIGEST = 'sha256:' + 'a'.repeat(64);
  const question = (fields: object) => ({ image: 'r.example.com/team/web:1.4', objects: [{ object: 'Pod/a' }], platforms: [], ...fields }) as any;
  const ok = (content: object) => ({ status: 'ok', digest: DIGEST, content }) as any;
  const index = { format: 'oci-index', mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] };

  test('each pod that lacks its platform is named when several use the image; attestation entries are not offered', () => {
    // GIVEN two pods, on arm64 and on arm/v7, and an index of amd64 plus a buildx attestation
    const q = question({
      objects: [{ object: 'Pod/a' }, { object: 'Pod/b' }],
      platforms: [
        { platform: { os: 'linux', architecture: 'arm64' }, why: 'nodeSelector kubernetes.io/arch', object: 'Pod/a' },
        { platform: { os: 'linux', architecture: 'arm', variant: 'v7' }, why: '--platform', object: 'Pod/b' },
        { platform: { os: 'linux', architecture: 'amd64' }, why: '--platform', object: 'Pod/b' },
      ],
    });
    const offered = [{ platform: { os: 'linux', architecture: 'amd64' }, digest: DIGEST }, { platform: { os: 'unknown', architecture: 'unknown' }, digest: DIGEST }];

    // WHEN judged
    const result = judgeContent(q, ok({ manifest: index, offered }));

    // THEN both missing platforms are named, each with its pod and reason
    expect(result).toEqual({
      status: 'unpullable',
      cause: 'platform',
      digest: DIGEST,
      reason: 'r.example.com/team/web:1.4 has no linux/arm64 or linux/arm/v7 manifest (it offers linux/amd64); '
        + 'Pod/a may run on linux/arm64 (nodeSelector kubernetes.io/arch), Pod/b may run on linux/arm/v7 (--platform)',
    });
  });

  test('a pod that may run nowhere, and a manifest that does not read, are findings too; anything else passes through', () => {
    const none = judgeContent(question({ unschedulable: 'Pod/a: the pod may run on no platform' }), ok({ manifest: index, offered: [] }));
    expect(none).toMatchObject({ status: 'unpullable', cause: 'platform', reason: 'Pod/a: the pod may run on no platform' });
    const invalid = judgeContent(question({}), ok({ manifest: { format: 'unknown', mediaType: 'text/html', invalid: 'the registry served "text/html"' }, offered: [] }));
    expect(invalid).toEqual({ status: 'error', reason: 'r.example.com/team/web:1.4: the registry served "text/html"' });
    const refused = { status: 'unauthorized', tried: [], reason: 'no' } as any;
    expect(judgeContent(question({}), refused)).toBe(refused);
  });
});
