import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inspect } from 'util';
import { Testing } from 'cdk8s';
import * as k from 'cdk8s-plus-27/lib/imports/k8s';
import { ImageLock, PolicyMode, PrivateImageDeployment, PrivateImagePod, PrivateRegistryPolicy, RegistrySecret } from '../src';
import { formatImageLock, imageDigests, lockKey, parseImageLock, pinImage } from '../src/rules/lock-file';
import { ParsedImage } from '../src/rules/parsed-image';

const D1 = 'sha256:' + '1'.repeat(64);
const D2 = 'sha256:' + '2'.repeat(64);
const REGISTRY = 'registry.gitlab.com';

describe('the lock rules', () => {
  test.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['index.docker.io/library/nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['registry.gitlab.com/team/app:v1', 'registry.gitlab.com/team/app:v1'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['nginx@' + D1, undefined],
    ['nginx:1.25@' + D1, undefined],
  ])('lockKey(%s) is %s', (image, key) => {
    expect(lockKey(ParsedImage.parse(image))).toBe(key);
  });

  test.each([
    ['nginx:1.25', 'nginx:1.25@' + D1, 'IfNotPresent'],
    // the implied tag is written, so the default policy stays Always
    ['nginx', 'nginx:latest@' + D1, 'Always'],
    ['nginx:latest', 'nginx:latest@' + D1, 'Always'],
    ['localhost:5000/app', 'localhost:5000/app:latest@' + D1, 'Always'],
  ])('pinImage(%s) is %s, whose default pull policy is %s', (image, pinned, policy) => {
    // GIVEN an image WHEN it is pinned THEN the tag stays and Kubernetes' default policy is the unpinned one's
    expect(pinImage(image, ParsedImage.parse(image), D1)).toBe(pinned);
    expect(ParsedImage.parse(pinned).defaultPullPolicy).toBe(policy);
    expect(ParsedImage.parse(pinned).defaultPullPolicy).toBe(ParsedImage.parse(image).defaultPullPolicy);
  });

  test('a lock file round-trips, sorted, whatever order it was written in', () => {
    // GIVEN digests in no order
    const digests = new Map([['registry.gitlab.com/team/b:v1', D2], ['docker.io/library/nginx:1.25', D1]]);

    // WHEN written and read again
    const text = formatImageLock(digests);

    // THEN the file is sorted, versioned, and reads back the same
    expect(text).toBe(`{\n  "lockVersion": 1,\n  "images": {\n    "docker.io/library/nginx:1.25": "${D1}",\n    "registry.gitlab.com/team/b:v1": "${D2}"\n  }\n}\n`);
    expect(parseImageLock(text, 'images.lock.json')).toEqual(new Map([...digests].reverse()));
  });

  test.each([
    ['not json', /^images\.lock\.json is not JSON; expected an image lock written by "cdk8s-private-registry check --pull --lock images\.lock\.json"$/],
    ['[]', /is not an image lock of version 1/],
    ['{"lockVersion": 2, "images": {}}', /is not an image lock of version 1/],
    ['{"lockVersion": 1}', /is not an image lock of version 1/],
    ['{"lockVersion": 1, "images": {"Bad:Ref": "' + D1 + '"}}', /^images\.lock\.json: invalid image reference "Bad:Ref"/],
    ['{"lockVersion": 1, "images": {"nginx@' + D1 + '": "' + D1 + '"}}', /image "nginx@sha256:1+" has a digest already; lock images by tag, e\.g\. "docker\.io\/library\/nginx:1\.0"$/],
    ['{"lockVersion": 1, "images": {"nginx:1": "sha256:abc"}}', /the digest of "nginx:1" is "sha256:abc"; expected "sha256:" and 64 lowercase hex digits/],
    ['{"lockVersion": 1, "images": {"nginx:1": 5}}', /the digest of "nginx:1" is 5/],
    ['{"lockVersion": 1, "images": {"nginx": "' + D1 + '", "docker.io/library/nginx:latest": "' + D2 + '"}}', /: "nginx" and "docker\.io\/library\/nginx:latest" are both docker\.io\/library\/nginx:latest, with two digests \(sha256:1+ and sha256:2+\); keep one$/],
  ])('a malformed lock is refused: %s', (text, message) => {
    expect(() => parseImageLock(text, 'images.lock.json')).toThrow(message);
  });

  test('two spellings of one image with one digest are one entry', () => {
    expect(imageDigests({ 'nginx': D1, 'docker.io/library/nginx:latest': D1 }, 'x')).toEqual(new Map([['docker.io/library/nginx:latest', D1]]));
  });
});

describe('ImageLock', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-lock-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('fromFile reads what check --pull --lock writes', () => {
    // GIVEN a lock file
    const file = path.join(dir, 'images.lock.json');
    fs.writeFileSync(file, formatImageLock(new Map([['registry.gitlab.com/team/app:v1', D1]])));

    // WHEN it is read
    const lock = ImageLock.fromFile(file);

    // THEN it pins that image, in any spelling, and leaves the others
    expect(lock.images).toEqual(['registry.gitlab.com/team/app:v1']);
    expect(lock.digestOf('registry.gitlab.com/team/app:v1')).toBe(D1);
    expect(lock.pin('registry.gitlab.com/team/app:v1')).toBe(`registry.gitlab.com/team/app:v1@${D1}`);
    expect(lock.pin('registry.gitlab.com/team/app:v2')).toBe('registry.gitlab.com/team/app:v2');
    expect(lock.pin(`registry.gitlab.com/team/app:v1@${D2}`)).toBe(`registry.gitlab.com/team/app:v1@${D2}`);
    expect(lock.digestOf(`registry.gitlab.com/team/app:v1@${D2}`)).toBeUndefined();
  });

  test.each([
    [() => ImageLock.fromFile('/nonexistent/images.lock.json'), /^ImageLock\.fromFile: file "\/nonexistent\/images\.lock\.json" does not exist; to make the first lock, synth once without imageLock, then run "cdk8s-private-registry check --pull --lock \/nonexistent\/images\.lock\.json" on that output$/],
    [() => ImageLock.fromFile(undefined as any), /^ImageLock\.fromFile: file is undefined; expected a non-empty string$/],
    [() => ImageLock.fromFile(os.tmpdir()), /^ImageLock\.fromFile: file ".+" is not a regular file \(it is a directory\); give the path of a lock file that check --pull --lock wrote$/],
    [() => ImageLock.fromDigests(null as any), /^ImageLock\.fromDigests: digests is null; expected an object$/],
    [() => ImageLock.fromDigests({ nginx: 'latest' }), /^ImageLock\.fromDigests: the digest of "nginx" is "latest"/],
    [() => ImageLock.fromDigests({}).pin(5 as any), /^ImageLock\.pin: image is a number; expected an image reference string$/],
    [() => ImageLock.fromDigests({}).digestOf('team/App'), /^ImageLock\.digestOf: invalid image reference "team\/App"/],
    // JavaScript callers
    [() => ImageLock.fromDigests(new Map([['nginx', D1]]) as any), /^ImageLock\.fromDigests: digests is an object; expected a plain object from image to digest, e\.g\. .*; not a Map$/],
    [() => new (ImageLock as any)(), /^ImageLock: make a lock with ImageLock\.fromFile\(file\) or ImageLock\.fromDigests\(\{\.\.\.\}\), not with new$/],
    [() => Object.create(ImageLock.prototype).pin('nginx'), /^ImageLock: this object was not made by ImageLock\.fromFile or ImageLock\.fromDigests$/],
  ])('bad input is refused with what to do: %#', (call, message) => {
    expect(call).toThrow(message);
  });

});

describe('an ImageLock printed', () => {
  test('shows the images and digests it holds, which are no secret', () => {
    // GIVEN a lock WHEN printed THEN its entries show, normalized
    const lock = ImageLock.fromDigests({ 'nginx:1.25': D1 });
    expect(inspect(lock)).toBe(`ImageLock { 'docker.io/library/nginx:1.25': '${D1}' }`);
    expect(JSON.parse(JSON.stringify(lock))).toEqual({ images: { 'docker.io/library/nginx:1.25': D1 } });
  });
});

describe('pinning at synth', () => {
  const lock = () => ImageLock.fromDigests({ [`${REGISTRY}/team/app:v1`]: D1, [`${REGISTRY}/team/tool`]: D2 });

  test('a pod pins every locked image and keeps the pull policy of its tag', () => {
    // GIVEN a pod with a locked tag, a locked untagged image, an unlocked one and a pinned one
    const chart = Testing.chart();
    const regcred = RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: [REGISTRY] });
    new PrivateImagePod(chart, 'pod', {
      registrySecrets: [regcred],
      imageLock: lock(),
      containers: [
        { name: 'app', image: `${REGISTRY}/team/app:v1` },
        { name: 'tool', image: `${REGISTRY}/team/tool` },
        { name: 'other', image: `${REGISTRY}/team/other:v3` },
        { name: 'pinned', image: `${REGISTRY}/team/app:v1@${D2}` },
      ],
    });

    // WHEN it is synthesized
    const [pod] = Testing.synth(chart);

    // THEN the locked ones are pinned, the others unchanged, and the policies follow the tags
    expect(pod.spec.containers.map((c: any) => [c.image, c.imagePullPolicy])).toEqual([
      [`${REGISTRY}/team/app:v1@${D1}`, 'IfNotPresent'],
      [`${REGISTRY}/team/tool:latest@${D2}`, 'Always'],
      [`${REGISTRY}/team/other:v3`, 'IfNotPresent'],
      [`${REGISTRY}/team/app:v1@${D2}`, 'IfNotPresent'],
    ]);
    expect(pod.spec.containers.map((c: any) => ({ image: c.image, imagePullPolicy: c.imagePullPolicy }))).toMatchSnapshot();
  });

  test('requireLock refuses an image that is neither locked nor pinned, naming it', () => {
    // GIVEN a workload with an unlocked image and requireLock
    const chart = Testing.chart();
    const regcred = RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: [REGISTRY] });
    new PrivateImageDeployment(chart, 'web', {
      registrySecrets: [regcred],
      imageLock: lock(),
      requireLock: true,
      containers: [{ name: 'app', image: `${REGISTRY}/team/app:v2` }, { name: 'pinned', image: `${REGISTRY}/team/x@${D1}` }],
    });

    // WHEN it is synthesized THEN the unlocked one is refused, with the command that locks it
    expect(() => Testing.synth(chart)).toThrow(`[test/web] container "app" image "${REGISTRY}/team/app:v2" is not in the image lock (as ${REGISTRY}/team/app:v2); `
      + 'lock it: synth without requireLock (e.g. requireLock: process.env.UPDATE_IMAGE_LOCK !== \'1\'), run '
      + '"cdk8s-private-registry check --pull --lock FILE" on that output, and synth again; or pin it with @sha256:<digest>');
  });

  test('requireLock without a lock, or a lock that is not an ImageLock, is refused at once', () => {
    // GIVEN a chart WHEN a pod is given requireLock alone, or a plain object as the lock
    const chart = Testing.chart();
    const regcred = RegistrySecret.fromSecretName(chart, 'regcred', 'regcred', { servers: [REGISTRY] });
    const image = { image: `${REGISTRY}/team/app:v1` };

    // THEN each is refused, and the pod is not left in the tree
    expect(() => new PrivateImagePod(chart, 'a', { registrySecrets: [regcred], requireLock: true, containers: [image] }))
      .toThrow('test/a: requireLock is true but there is no imageLock; give imageLock: ImageLock.fromFile(\'images.lock.json\')');
    expect(() => new PrivateImagePod(chart, 'b', { registrySecrets: [regcred], imageLock: { images: [] } as any, containers: [image] }))
      .toThrow('test/b: imageLock is an object; expected an ImageLock, e.g. ImageLock.fromFile(\'images.lock.json\')');
    expect(() => new PrivateRegistryPolicy(chart, 'c', { requireLock: 'yes' as any })).toThrow('test/c: requireLock is a string; expected true, false or nothing');
    expect(chart.node.tryFindChild('a')).toBeUndefined();
  });

  test('a WIRE policy pins the L1 pods of its scope; a VERIFY one refuses them until they are pinned', () => {
    // GIVEN the same L1 pod under a WIRE policy and under a VERIFY one, each with the lock
    const make = (mode: PolicyMode) => {
      const chart = Testing.chart();
      new PrivateRegistryPolicy(chart, 'policy', { mode, publicRegistries: [REGISTRY], imageLock: lock() });
      new k.KubePod(chart, 'pod', { spec: { containers: [{ name: 'app', image: `${REGISTRY}/team/app:v1`, imagePullPolicy: 'IfNotPresent' }] } });
      return chart;
    };

    // WHEN each is synthesized
    const [wired] = Testing.synth(make(PolicyMode.WIRE));

    // THEN WIRE pinned it and VERIFY says how to write it
    expect(wired.spec.containers[0].image).toBe(`${REGISTRY}/team/app:v1@${D1}`);
    expect(() => Testing.synth(make(PolicyMode.VERIFY))).toThrow(`container "app" image "${REGISTRY}/team/app:v1" is in the image lock as ${D1} but is not pinned; `
      + `write it as ${REGISTRY}/team/app:v1@${D1}`);
  });

  test('toJson reflects the lock of the tree at that moment: a policy added later pins too', () => {
    // GIVEN an L1 pod rendered before any policy
    const chart = Testing.chart();
    const pod = new k.KubePod(chart, 'pod', { spec: { containers: [{ name: 'app', image: `${REGISTRY}/team/app:v1`, imagePullPolicy: 'IfNotPresent' }] } });
    expect(pod.toJson().spec.containers[0].image).toBe(`${REGISTRY}/team/app:v1`);

    // WHEN a WIRE policy with the lock is added to its chart
    new PrivateRegistryPolicy(chart, 'policy', { publicRegistries: [REGISTRY], imageLock: lock() });

    // THEN the next render is pinned
    expect(pod.toJson().spec.containers[0].image).toBe(`${REGISTRY}/team/app:v1@${D1}`);
  });
});
