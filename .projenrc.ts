import { cdk8s, javascript } from 'projen';

// Tests by audience, one command for all: `npm test` runs both jest projects, `npx projen test:unit` only the first.
// unit: in process; no network, no system tool (kubectl, docker-registry, skopeo, htpasswd, openssl, mkfifo), no
// packing, no cdk8s-cli, no child process.
// integration: these files; every other test/*.test.ts is a unit test.
const INTEGRATION_TESTS = [
  'docker-config', 'kubectl-oracle', 'registry-secret-kubectl', 'secret-hash', // byte for byte against kubectl
  'external-secret-template', // ESO's template engine (Go and sprig, built offline) against kubectl
  'registry-client', 'registry-e2e', 'registry-harness', 'pull-check', 'platform-pull', 'node-pull', // registries on 127.0.0.1, skopeo, openssl
  'plugin-install', // npm pack, installed into a cdk8s app, then cdk8s synth
  'seed-run', 'validation-plugin-synth', // cdk8s synth through the CLI; the README's example compiled and run
  'check-command', 'node-credentials-cli', 'load', // our CLI and the no-compile loader, run as node processes
  'kplus33-typecheck', // the TypeScript compiler over both cdk8s-plus libraries' declarations: 8 s of CPU
  'hostile-files', // FIFOs made with mkfifo; reads that could hang or fill memory, in a child node
  'system-tools', // the harness's own step that installs the tools above
  'cdk8s-versions', // the guarantees in node processes that load the oldest and the newest cdk8s of the peer range
];
// what each project needs of jest; coverage and the reporters are global, and stay at the top
const TEST_PROJECT = {
  transform: { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'test/tsconfig.json' }] },
  // node's, with the Kubernetes 1.27 schema compiled once per jest process, not once per test file
  testEnvironment: '<rootDir>/test/support/schema-environment.ts',
  // every Testing.synth output is checked against the Kubernetes 1.27 schema
  setupFilesAfterEnv: ['<rootDir>/test/support/validate-synth.ts'],
  // our own snapshots hold no credential either
  snapshotSerializers: ['<rootDir>/src/testing/snapshot-serializer.ts'],
  clearMocks: true,
  coveragePathIgnorePatterns: ['/node_modules/'],
};
const integrationPaths = INTEGRATION_TESTS.map(name => `<rootDir>/test/${name}.test.ts`);

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-private-registry',
  description: 'cdk8s constructs that make a private-registry image pull impossible to wire wrong',
  author: 'cdk8s-private-registry maintainers',
  authorAddress: 'maintainers@cdk8s-private-registry.invalid',
  repositoryUrl: 'https://github.com/cdk8s-private-registry/cdk8s-private-registry.git',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  packageManager: javascript.NodePackageManager.NPM,
  keywords: ['cdk8s', 'kubernetes', 'imagePullSecrets', 'imagePullPolicy', 'private-registry', 'dockerconfigjson'],

  // see ../shared/reference/toolchain.md: TypeScript 7 and jsii 6 do not work here
  typescriptVersion: '~5.9.3',
  jsiiVersion: '~5.9.0',
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.8.1',
  peerDeps: ['cdk8s-plus-27@^2.9.5'],
  // the `check` command and the validation plugin read YAML; jsii libraries bundle runtime deps.
  // js-yaml reads values fast; yaml gives the line of a violation (src/cli/manifest-check.ts)
  bundledDeps: ['yaml@^2.8.0', 'js-yaml@^4.3.2'],
  // one command name; projen would also list every executable under bin/ by its file name
  bin: { 'cdk8s-private-registry': 'bin/cdk8s-private-registry.js' },
  autoDetectBin: false,
  // cdk8s-newest: the newest cdk8s of the peer range, beside the pinned oldest; test/cdk8s-versions.test.ts runs the guarantees on both.
  // kubernetes-models 4.3.1 carries the Kubernetes 1.27.1 API schema as plain JSON schema (test/support/k8s-schema.ts);
  // 4.4 ships it only as precompiled validators, and 4.5 moved past 1.27
  devDeps: ['cdk8s-newest@npm:cdk8s@^2.70.106', '@types/node@^20', '@types/js-yaml@^4.0.9', 'cdk8s-cli@^2.207.60', 'cdk8s-plus-33@2.5.57', 'fast-check@^4.10.2', 'jest-environment-node@^30.5.2', 'kubernetes-models@4.3.1', 'pretty-format@^30', 'ts-node@^10.9.2'],

  // `dist/` belongs to `cdk8s synth`; the npm tarball goes elsewhere so neither overwrites the other
  artifactsDirectory: 'pkg',

  github: false,
  release: false,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      projects: [
        {
          ...TEST_PROJECT,
          displayName: 'unit',
          testMatch: ['<rootDir>/test/**/*.test.ts'],
          testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION_TESTS.map(name => `/test/${name}\\.test\\.ts$`)],
        },
        { ...TEST_PROJECT, displayName: 'integration', testMatch: integrationPaths },
      ],
    },
  },
});

project.addTask('test:unit', {
  description: 'the contributor\'s loop: the unit tests only, with no system tool, registry, packing or cdk8s-cli',
  // coverage (npm test keeps it) doubles the CPU time of these tests; jest's default of one worker
  // fewer than the cores runs them one file at a time on 2 cores
  exec: 'jest --selectProjects unit --coverage=false --passWithNoTests --ci --maxWorkers=100%',
  // property tests try a quarter of their cases (test/support/property-runs.ts); npm test tries all
  env: { PROPERTY_RUNS_SCALE: '0.25' },
  receiveArgs: true,
});

project.addTask('bench', {
  description: 'time and peak memory of synth, ours against hand-wired cdk8s-plus (see bench/bench.ts)',
  exec: 'node -r ts-node/register/transpile-only bench/bench.ts',
});
project.eslint?.addLintPattern('bench');

// ts-jest only transpiles (isolatedModules in test/tsconfig.json): a type error in a test fails here
project.testTask.prependExec('tsc --noEmit -p test/tsconfig.json');
// the tests run kubectl, a registry, skopeo and htpasswd for real: install them, or stop with the command to run
project.testTask.prependExec('bash test/support/system-tools.sh');
// `npm ci` transpiles src/ into validation/load.js's cache, so the first `npx cdk8s synth` loads no TypeScript either
project.setScript('prepare', 'node validation/load.js');

project.gitignore.exclude('dist/', 'pkg/');
// the seed app is this repository's example, not part of the library; `pkg` is spelled as jsii-pacmak
// spells its outdir, or `npx projen package` appends it again
project.npmignore?.exclude('/dist/', 'pkg', '/bench/', '/cdk8s.yaml', '/.ci/', '/lib/main.js', '/lib/main.d.ts');

project.synth();
