import { cdk8s, javascript } from 'projen';

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
  // js-yaml reads values fast; yaml gives the line of a violation (src/tools/manifest-check.ts)
  bundledDeps: ['yaml@^2.8.0', 'js-yaml@^4.3.2'],
  // one command name; projen would also list every executable under bin/ by its file name
  bin: { 'cdk8s-private-registry': 'bin/cdk8s-private-registry.js' },
  autoDetectBin: false,
  // kubernetes-models 4.3.1 carries the Kubernetes 1.27.1 API schema as plain JSON schema (test/support/k8s-schema.ts);
  // 4.4 ships it only as precompiled validators, and 4.5 moved past 1.27
  devDeps: ['@types/node@^20', '@types/js-yaml@^4.0.9', 'cdk8s-cli@^2.207.60', 'cdk8s-plus-33@2.5.57', 'fast-check@^4.10.2', 'kubernetes-models@4.3.1', 'pretty-format@^30', 'ts-node@^10.9.2'],

  // `dist/` belongs to `cdk8s synth`; the npm tarball goes elsewhere so neither overwrites the other
  artifactsDirectory: 'pkg',

  github: false,
  release: false,
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      // every Testing.synth output is checked against the Kubernetes 1.27 schema
      setupFilesAfterEnv: ['<rootDir>/test/support/validate-synth.ts'],
      // our own snapshots hold no credential either
      snapshotSerializers: ['<rootDir>/src/tools/snapshot-serializer.ts'],
    },
  },
});

project.addTask('bench', {
  description: 'time and peak memory of synth, ours against hand-wired cdk8s-plus (see bench/bench.ts)',
  exec: 'node -r ts-node/register/transpile-only bench/bench.ts',
});
project.eslint?.addLintPattern('bench');

// the tests run kubectl, a registry, skopeo and htpasswd for real: install them, or stop with the command to run
project.testTask.prependExec('bash test/support/system-tools.sh');
// `npm ci` transpiles src/ into validation/load.js's cache, so the first `npx cdk8s synth` loads no TypeScript either
project.setScript('prepare', 'node validation/load.js');

project.gitignore.exclude('dist/', 'pkg/');
// the seed app is this repository's example, not part of the library; `pkg` is spelled as jsii-pacmak
// spells its outdir, or `npx projen package` appends it again
project.npmignore?.exclude('/dist/', 'pkg', '/bench/', '/cdk8s.yaml', '/.ci/', '/lib/main.js', '/lib/main.d.ts');

project.synth();
