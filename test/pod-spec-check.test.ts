import { PullSecretInfo, objectRef, podSpecOf, podSpecPath } from '../src/rules/pod-spec';
import { checkPodSpec, completePodSpec, PodSpecContext, PodSpecRule, PodSpecRules, podSpecViolations } from '../src/rules/pod-spec-check';

const GITLAB: PullSecretInfo = { name: 'gitlab', servers: ['registry.gitlab.com'] };

function rules(overrides: Partial<PodSpecRules> = {}): PodSpecRules {
  return { required: [], candidates: [], known: [], wire: false, publicRegistries: [], disallowLatest: false, requireDigest: false, ...overrides };
}

function context(namespace?: string, secrets: PullSecretInfo[] = [], accounts: { [name: string]: string[] } = {}): PodSpecContext {
  return {
    namespace,
    secrets: name => secrets.filter(s => s.name === name),
    serviceAccount: name => accounts[name],
  };
}

function podSpec(image: string, extra: any = {}): any {
  return { containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }], ...extra };
}

describe('podSpecOf', () => {
  test.each([
    ['Pod', { spec: { containers: [] } }, ['spec']],
    ['PodTemplate', { template: { spec: { containers: [] } } }, ['template', 'spec']],
    ['Deployment', { spec: { template: { spec: { containers: [] } } } }, ['spec', 'template', 'spec']],
    ['StatefulSet', { spec: { template: { spec: { containers: [] } } } }, ['spec', 'template', 'spec']],
    ['DaemonSet', { spec: { template: { spec: { containers: [] } } } }, ['spec', 'template', 'spec']],
    ['ReplicaSet', { spec: { template: { spec: { containers: [] } } } }, ['spec', 'template', 'spec']],
    ['ReplicationController', { spec: { template: { spec: { containers: [] } } } }, ['spec', 'template', 'spec']],
    ['Job', { spec: { template: { spec: { containers: [] } } } }, ['spec', 'template', 'spec']],
    ['CronJob', { spec: { jobTemplate: { spec: { template: { spec: { containers: [] } } } } } }, ['spec', 'jobTemplate', 'spec', 'template', 'spec']],
  ])('finds the pod spec of a %s', (kind, body, path) => {
    // GIVEN
    const manifest: any = { kind, ...body };

    // WHEN
    const found = podSpecOf(manifest);

    // THEN
    expect(podSpecPath(manifest)).toEqual(path);
    expect(found).toEqual({ containers: [] });
    expect(found).toBe(path.reduce((node: any, key) => node[key], manifest));
  });

  test('finds nothing in kinds that run no pods, or in a manifest without the spec', () => {
    expect(podSpecOf({ kind: 'ConfigMap', spec: {} })).toBeUndefined();
    expect(podSpecOf({ kind: 'constructor' })).toBeUndefined();
    expect(podSpecPath({ kind: 'toString' })).toBeUndefined();
    expect(podSpecOf({ kind: 'Deployment' })).toBeUndefined();
    expect(podSpecOf(undefined)).toBeUndefined();
  });
});

describe('objectRef', () => {
  test('names an object as kind/namespace/name, or kind/name without a namespace', () => {
    expect(objectRef({ kind: 'Deployment', metadata: { name: 'web', namespace: 'apps' } })).toBe('Deployment/apps/web');
    expect(objectRef({ kind: 'Pod', metadata: { name: 'web' } })).toBe('Pod/web');
  });
});

describe('checkPodSpec in verify mode', () => {
  test('reports a missing imagePullPolicy with the value Kubernetes would pick, and changes nothing', () => {
    // GIVEN
    const spec = { imagePullSecrets: [{ name: 'gitlab' }], containers: [{ name: 'app', image: 'registry.gitlab.com/team/app:v1' }] };
    const before = structuredClone(spec);

    // WHEN
    const violations = checkPodSpec(spec, rules({ known: [GITLAB] }), context());

    // THEN
    expect(violations).toEqual([
      'container "app" image "registry.gitlab.com/team/app:v1" has no explicit imagePullPolicy; set it (Kubernetes would default to IfNotPresent)',
    ]);
    expect(spec).toEqual(before);
  });

  test('gives each violation its rule, its place in the pod spec, its container and its fix', () => {
    // GIVEN
    const spec = {
      initContainers: [{ name: 'init', image: 'ghcr.io/org/init:latest' }],
      containers: [{ name: 'app', image: 'registry.gitlab.com/team/app:v1', imagePullPolicy: 'Always' }],
    };

    // WHEN
    const violations = podSpecViolations(spec, rules({ disallowLatest: true }), context());

    // THEN
    expect(violations.map(v => [v.rule, v.path, v.container])).toEqual([
      [PodSpecRule.IMAGE_PULL_POLICY, ['initContainers', 0], 'init'],
      [PodSpecRule.DISALLOW_LATEST, ['initContainers', 0], 'init'],
      [PodSpecRule.PULL_SECRET_COVERAGE, ['initContainers', 0], 'init'],
      [PodSpecRule.PULL_SECRET_COVERAGE, ['containers', 0], 'app'],
    ]);
    const coverage = violations[3];
    expect(coverage.registry).toBe('registry.gitlab.com');
    expect(coverage.message).toBe('container "app" image "registry.gitlab.com/team/app:v1": no pull secret covers registry "registry.gitlab.com" '
      + '(the pod names no pull secret and serviceAccount "default" gives none)');
    expect(coverage.fix).toMatch(/^add a RegistrySecret whose server is "registry\.gitlab\.com"/);
    expect(violations[0].message).toMatch(/^init container "init" image/);
  });

  test('names the rule of images that do not parse and of containers without an image', () => {
    // GIVEN
    const spec = { containers: [{ name: 'bad', image: 'Registry.gitlab.com/Team/App' }, { name: 'none' }] };

    // WHEN
    const violations = podSpecViolations(spec, rules(), context());

    // THEN
    expect(violations.map(v => v.rule)).toEqual([PodSpecRule.IMAGE_REFERENCE, PodSpecRule.IMAGE_REFERENCE]);
    expect(violations[0].message).toMatch(/^container "bad": invalid image reference "Registry\.gitlab\.com\/Team\/App"/);
    expect(violations[1].message).toBe('container "none" has no image');
    expect(violations[1].path).toEqual(['containers', 1]);
  });

  test('refuses a pull secret from another namespace and says so in the coverage message', () => {
    // GIVEN
    const spec = podSpec('registry.gitlab.com/team/app:v1', { imagePullSecrets: [{ name: 'gitlab' }] });

    // WHEN
    const violations = podSpecViolations(spec, rules(), context('team-b', [{ ...GITLAB, namespace: 'team-a' }]));

    // THEN
    expect(violations.map(v => [v.rule, v.path])).toEqual([
      [PodSpecRule.PULL_SECRET_NAMESPACE, ['imagePullSecrets']],
      [PodSpecRule.PULL_SECRET_COVERAGE, ['containers', 0]],
    ]);
    expect(violations[0].message).toBe('pull secret "gitlab" is in namespace "team-a" but the pod is in namespace "team-b": '
      + 'imagePullSecrets resolve only in the pod\'s own namespace');
    expect(violations[1].message).toContain('(imagePullSecrets gives "gitlab", which is in namespace "team-a")');
  });

  test('falls back to the ServiceAccount\'s pull secrets when the pod names none', () => {
    // GIVEN
    const spec = podSpec('registry.gitlab.com/team/app:v1', { serviceAccountName: 'builder' });

    // WHEN
    const violations = checkPodSpec(spec, rules(), context('apps', [{ ...GITLAB, namespace: 'apps' }], { builder: ['gitlab'] }));

    // THEN
    expect(violations).toEqual([]);
  });

  test('says which pull secrets it could not read, and how to declare them', () => {
    // GIVEN
    const spec = podSpec('registry.gitlab.com/team/app:v1', { imagePullSecrets: [{ name: 'regcred' }] });

    // WHEN
    const [violation] = podSpecViolations(spec, rules(), context());

    // THEN
    expect(violation.message).toContain('(imagePullSecrets gives "regcred", whose servers are unknown)');
    expect(violation.fix).toContain('if "regcred" is an existing secret for it, declare it with RegistrySecret.fromSecretName');
  });

  test('requires the secrets of the rules, by name', () => {
    // WHEN
    const violations = podSpecViolations(podSpec('nginx:1.25'), rules({ required: [GITLAB], publicRegistries: ['docker.io'] }), context());

    // THEN
    expect(violations).toEqual([{
      rule: PodSpecRule.REQUIRED_PULL_SECRET,
      message: 'imagePullSecrets does not name "gitlab"',
      fix: 'add {name: "gitlab"} to the pod spec',
      path: ['imagePullSecrets'],
    }]);
  });

  test('requires a digest when asked to', () => {
    // WHEN
    const violations = podSpecViolations(podSpec('nginx:1.25'), rules({ requireDigest: true, publicRegistries: ['docker.io'] }), context());

    // THEN
    expect(violations.map(v => `${v.message}; ${v.fix}`)).toEqual([
      'container "app" image "nginx:1.25" has no digest; pin it as nginx:1.25@sha256:<digest>',
    ]);
  });
});

describe('privateRegistries', () => {
  test('without them, every image not in publicRegistries needs a pull secret', () => {
    // WHEN
    const violations = podSpecViolations(podSpec('nginx:1.25'), rules(), context());

    // THEN
    expect(violations.map(v => v.registry)).toEqual(['docker.io']);
  });

  test('with them, only images they match by the kubelet\'s rules need a pull secret', () => {
    // GIVEN
    const spec = {
      containers: [
        { name: 'hub', image: 'nginx:1.25', imagePullPolicy: 'IfNotPresent' },
        { name: 'team', image: 'registry.gitlab.com/team/app:v1', imagePullPolicy: 'IfNotPresent' },
        { name: 'other', image: 'registry.gitlab.com/other/app:v1', imagePullPolicy: 'IfNotPresent' },
        { name: 'mirror', image: 'eu.mirror.example.com/app:v1', imagePullPolicy: 'IfNotPresent' },
        { name: 'deeper', image: 'a.eu.mirror.example.com/app:v1', imagePullPolicy: 'IfNotPresent' },
      ],
    };

    // WHEN
    const violations = podSpecViolations(spec, rules({ privateRegistries: ['registry.gitlab.com/team', '*.mirror.example.com'] }), context());

    // THEN
    expect(violations.map(v => v.container)).toEqual(['team', 'mirror']);
    expect(violations.every(v => v.rule === PodSpecRule.PULL_SECRET_COVERAGE)).toBe(true);
  });

  test('a registry both private and public needs no pull secret', () => {
    // WHEN
    const violations = checkPodSpec(podSpec('ghcr.io/org/app:v1'), rules({ privateRegistries: ['ghcr.io'], publicRegistries: ['ghcr.io'] }), context());

    // THEN
    expect(violations).toEqual([]);
  });

  test('in wire mode, a candidate is added only for images from a private registry', () => {
    // GIVEN
    const spec = {
      containers: [
        { name: 'hub', image: 'nginx:1.25' },
        { name: 'team', image: 'registry.gitlab.com/team/app:v1' },
      ],
    };
    const hub: PullSecretInfo = { name: 'hub', servers: ['docker.io'] };

    // WHEN
    const violations = checkPodSpec(spec, rules({ wire: true, candidates: [hub, GITLAB], privateRegistries: ['registry.gitlab.com'] }), context());

    // THEN
    expect(violations).toEqual([]);
    expect((spec as any).imagePullSecrets).toEqual([{ name: 'gitlab' }]);
    expect(spec.containers.map((c: any) => c.imagePullPolicy)).toEqual(['IfNotPresent', 'IfNotPresent']);
  });
});

describe('checkPodSpec on malformed pod specs', () => {
  test('a container that is null or has no name is named by its list, without a crash', () => {
    // GIVEN
    const spec = { containers: [null, { image: 'registry.gitlab.com/a/b:v1', imagePullPolicy: 'IfNotPresent' }] };

    // WHEN
    const violations = checkPodSpec(spec, {
      required: [], candidates: [], known: [], wire: false, publicRegistries: ['registry.gitlab.com'], disallowLatest: false, requireDigest: false,
    }, { namespace: undefined, secrets: () => [], serviceAccount: () => undefined });

    // THEN
    expect(violations).toEqual(['container without a name has no image; set its image']);
  });
});

describe('pull secrets the kubelet cannot read', () => {
  const BROKEN: PullSecretInfo = { name: 'broken', invalid: '".dockerconfigjson": entry "ghcr.io" has an "auth" that is not base64 of "user:password" (it decodes to no ":")' };

  test('are reported for every pod that names one, even when all its images are public', () => {
    // GIVEN
    const spec = podSpec('nginx:1.25', { imagePullSecrets: [{ name: 'broken' }, { name: 'gitlab' }] });

    // WHEN
    const violations = podSpecViolations(spec, rules({ publicRegistries: ['docker.io'] }), context(undefined, [BROKEN, GITLAB]));

    // THEN
    expect(violations).toEqual([{
      rule: PodSpecRule.PULL_SECRET_INVALID,
      message: `pull secret "broken" cannot be read by the kubelet (${BROKEN.invalid}), so every image pull of the pod fails`,
      fix: 'fix the secret, e.g. recreate it with kubectl create secret docker-registry',
      path: ['imagePullSecrets'],
    }]);
  });

  test('are reported through the ServiceAccount, once, and replace the coverage violations', () => {
    // GIVEN
    const spec = {
      serviceAccountName: 'builder',
      containers: [
        { name: 'a', image: 'ghcr.io/org/a:v1', imagePullPolicy: 'Always' },
        { name: 'b', image: 'ghcr.io/org/b:v1', imagePullPolicy: 'Always' },
      ],
    };

    // WHEN
    const violations = podSpecViolations(spec, rules(), context('apps', [{ ...BROKEN, namespace: 'apps' }], { builder: ['broken'] }));

    // THEN
    expect(violations.map(v => v.rule)).toEqual([PodSpecRule.PULL_SECRET_INVALID]);
  });

  test('a same-named readable secret of the pod\'s namespace is the one the pod gets', () => {
    // GIVEN
    const spec = podSpec('registry.gitlab.com/team/app:v1', { imagePullSecrets: [{ name: 'gitlab' }] });
    const secrets = [{ ...GITLAB, namespace: 'team-a', servers: undefined, invalid: 'x' }, { ...GITLAB, namespace: 'team-b' }];

    // WHEN
    const violations = podSpecViolations(spec, rules(), context('team-b', secrets));

    // THEN
    expect(violations).toEqual([]);
  });
});

describe('imagePullSecrets and the ServiceAccount, as the API server reads them', () => {
  const HUB: PullSecretInfo = { name: 'hub', namespace: 'apps', servers: ['docker.io'] };

  test.each([
    ['[null]', [null]],
    ['[{}]', [{}]],
    ['[{name: ""}]', [{ name: '' }]],
  ])('a pod with imagePullSecrets %s has an entry, so the account\'s secrets are not copied in and the pull is anonymous', (_name, list) => {
    // GIVEN
    const spec = podSpec('nginx:1.25', { imagePullSecrets: list, serviceAccountName: 'builder' });

    // WHEN
    const violations = podSpecViolations(spec, rules(), context('apps', [HUB], { builder: ['hub'] }));

    // THEN
    expect(violations.map(v => v.message)).toEqual(['container "app" image "nginx:1.25": no pull secret covers registry "docker.io" (the pod names no pull secret)']);
  });

  test.each([
    ['"" falls back to serviceAccount', { serviceAccountName: '', serviceAccount: 'builder' }, true],
    ['null falls back to serviceAccount', { serviceAccountName: null, serviceAccount: 'builder' }, true],
    ['serviceAccountName wins over serviceAccount', { serviceAccountName: 'other', serviceAccount: 'builder' }, false],
    ['"" and "" fall back to default', { serviceAccountName: '', serviceAccount: '' }, 'default'],
  ])('serviceAccountName %s', (_name, names, covered) => {
    // GIVEN
    const spec = podSpec('nginx:1.25', names);

    // WHEN
    const violations = podSpecViolations(spec, rules(), context('apps', [HUB], { builder: ['hub'], default: covered === 'default' ? ['hub'] : [] }));

    // THEN
    expect(violations.length === 0).toBe(covered !== false);
  });

  test('in wire mode, a pod with [{}] gets the candidate, not the account\'s secrets', () => {
    // GIVEN
    const spec: any = podSpec('nginx:1.25', { imagePullSecrets: [{}], serviceAccountName: 'builder' });

    // WHEN
    const violations = checkPodSpec(spec, rules({ wire: true, candidates: [HUB] }), context('apps', [GITLAB], { builder: ['gitlab'] }));

    // THEN
    expect(violations).toEqual([]);
    expect(spec.imagePullSecrets).toEqual([{ name: 'hub' }]);
  });
});

describe('ephemeralContainers', () => {
  test('are refused, once, and their images are not checked', () => {
    // GIVEN
    const spec = podSpec('nginx:1.25', { ephemeralContainers: [{ name: 'debug', image: 'Bad Image' }, { name: 'debug2', image: 'busybox' }] });

    // WHEN
    const violations = podSpecViolations(spec, rules({ publicRegistries: ['docker.io'] }), context());

    // THEN
    expect(violations).toEqual([{
      rule: PodSpecRule.EPHEMERAL_CONTAINERS,
      message: 'the pod spec has ephemeralContainers, which the API server refuses when a pod is created and in every pod template',
      fix: 'remove them; add one to a running pod with kubectl debug',
      path: ['ephemeralContainers'],
    }]);
  });

  test.each([[[]], [null]])('%j is no ephemeral container', (ephemeral) => {
    expect(podSpecViolations(podSpec('nginx:1.25', { ephemeralContainers: ephemeral }), rules({ publicRegistries: ['docker.io'] }), context())).toEqual([]);
  });
});

describe('secrets are told apart by namespace and name', () => {
  test('a required secret of another namespace is not the same-named one the pod names', () => {
    // GIVEN
    const spec = podSpec('registry.gitlab.com/team/app:v1', { imagePullSecrets: [{ name: 'gitlab' }] });

    // WHEN
    const violations = podSpecViolations(spec, rules({ required: [{ ...GITLAB, namespace: 'team-a' }] }), context('team-b', [{ name: 'gitlab', namespace: 'team-b', servers: ['ghcr.io'] }]));

    // THEN
    expect(violations.map(v => v.rule)).toEqual([PodSpecRule.PULL_SECRET_NAMESPACE, PodSpecRule.PULL_SECRET_COVERAGE]);
    expect(violations[1].message).toContain('(imagePullSecrets gives "gitlab" for [ghcr.io])');
  });

  test('in wire mode, a required secret of another namespace is not added by name', () => {
    // GIVEN
    const spec: any = podSpec('nginx:1.25');

    // WHEN
    const violations = checkPodSpec(spec, rules({ wire: true, required: [{ ...GITLAB, namespace: 'team-a' }], publicRegistries: ['docker.io'] }), context('team-b'));

    // THEN
    expect(violations).toEqual(['pull secret "gitlab" is in namespace "team-a" but the pod is in namespace "team-b": '
      + 'imagePullSecrets resolve only in the pod\'s own namespace; put the secret and the pod in the same namespace']);
    expect(spec.imagePullSecrets).toBeUndefined();
  });

  test('a secret the rules know in another namespace does not hide the manifests\' one in the pod\'s', () => {
    // GIVEN
    const spec = podSpec('registry.gitlab.com/team/app:v1', { imagePullSecrets: [{ name: 'gitlab' }] });

    // WHEN
    const violations = podSpecViolations(spec, rules({ known: [{ ...GITLAB, namespace: 'team-a' }] }), context('team-b', [{ ...GITLAB, namespace: 'team-b' }]));

    // THEN
    expect(violations).toEqual([]);
  });

  test('messages show a server key without its user name and password', () => {
    // GIVEN
    const spec = podSpec('quay.io/org/app:v1', { imagePullSecrets: [{ name: 'odd' }] });

    // WHEN
    const [violation] = podSpecViolations(spec, rules(), context(undefined, [{ name: 'odd', servers: ['https://u5er:s3cr3t@ghcr.io'] }]));

    // THEN
    expect(violation.message).toContain('(imagePullSecrets gives "odd" for [https://<redacted>@ghcr.io])');
  });
});

describe('the image lock', () => {
  const D = 'sha256:' + 'd'.repeat(64);
  const lock = new Map([['registry.gitlab.com/team/app:v1', D], ['docker.io/library/nginx:latest', D]]);

  test('in wire mode a locked image is pinned before its pull policy is set, init containers too', () => {
    // GIVEN containers without a policy, one untagged
    const spec = {
      initContainers: [{ name: 'init', image: 'nginx' }],
      containers: [{ name: 'app', image: 'registry.gitlab.com/team/app:v1' }, { name: 'other', image: 'registry.gitlab.com/team/other:v1' }],
    };

    // WHEN completed in wire mode with the lock (a render)
    const wired = rules({ wire: true, lock, publicRegistries: ['registry.gitlab.com', 'docker.io'] });
    completePodSpec(spec, wired, context());

    // THEN the locked ones are pinned with their tag, the policy follows it, and nothing is left to report
    expect(checkPodSpec(spec, wired, context())).toEqual([]);
    expect(spec.initContainers).toEqual([{ name: 'init', image: `nginx:latest@${D}`, imagePullPolicy: 'Always' }]);
    expect(spec.containers).toEqual([
      { name: 'app', image: `registry.gitlab.com/team/app:v1@${D}`, imagePullPolicy: 'IfNotPresent' },
      { name: 'other', image: 'registry.gitlab.com/team/other:v1', imagePullPolicy: 'IfNotPresent' },
    ]);
  });

  test('outside wire mode a locked image that is not pinned is a violation, and nothing changes', () => {
    // GIVEN a locked image WHEN verified
    const spec = podSpec('registry.gitlab.com/team/app:v1');
    const found = podSpecViolations(spec, rules({ lock, publicRegistries: ['registry.gitlab.com'] }), context());

    // THEN the rule says what to write
    expect(found.map(({ rule, message, fix, path, container }) => ({ rule, message, fix, path, container }))).toEqual([{
      rule: PodSpecRule.IMAGE_LOCK,
      message: 'container "app" image "registry.gitlab.com/team/app:v1" is in the image lock as ' + D + ' but is not pinned',
      fix: `write it as registry.gitlab.com/team/app:v1@${D}`,
      path: ['containers', 0],
      container: 'app',
    }]);
    expect(spec.containers[0].image).toBe('registry.gitlab.com/team/app:v1');
  });

  test('requireLock refuses an image neither locked nor pinned; a pinned one passes, whatever its digest', () => {
    // GIVEN an unlocked image and a pinned one that the lock holds at another digest
    const other = 'sha256:' + 'e'.repeat(64);
    const spec = {
      containers: [
        { name: 'a', image: 'registry.gitlab.com/team/b:v1', imagePullPolicy: 'IfNotPresent' },
        { name: 'c', image: `registry.gitlab.com/team/app:v1@${other}`, imagePullPolicy: 'IfNotPresent' },
      ],
    };

    // WHEN checked in wire mode with requireLock
    const found = podSpecViolations(spec, rules({ wire: true, lock, requireLock: true, publicRegistries: ['registry.gitlab.com'] }), context());

    // THEN only the unlocked one is refused; the pinned one is never changed
    expect(found.map(v => [v.rule, v.container])).toEqual([[PodSpecRule.IMAGE_LOCK, 'a']]);
    expect(found[0].message).toBe('container "a" image "registry.gitlab.com/team/b:v1" is not in the image lock (as registry.gitlab.com/team/b:v1)');
    expect(spec.containers[1].image).toBe(`registry.gitlab.com/team/app:v1@${other}`);
  });
});
