// A cdk8s app as today's `cdk8s init typescript-app` makes it: on cdk8s-plus-33. The library is
// typed on cdk8s-plus-27; a kplus-33 app reaches it through interfaces (ISecret) and through the
// ApiObjects it renders, so this file type-checks with no cast. test/kplus33.test.ts runs tsc on it
// and synthesizes its charts. Run it as an app: `node -r ts-node/register test/kplus33/app.ts`.
import { App, Chart, ChartProps, Cron } from 'cdk8s';
import * as kplus27 from 'cdk8s-plus-27';
import * as kplus from 'cdk8s-plus-33';
import { Construct } from 'constructs';
import { CredentialValue, PolicyMode, PrivateImageDeployment, PrivateImagePod, PrivateImagePull, PrivateRegistryPolicy, RegistrySecret } from '../../src';

export const REGISTRY = 'registry.example.com';

/** the app's registry secret; its credentials are read from the pipeline when the manifests are written */
function regcred(scope: Construct): RegistrySecret {
  return new RegistrySecret(scope, 'regcred', {
    metadata: { name: 'regcred' },
    server: REGISTRY,
    username: CredentialValue.fromEnvironment('REGISTRY_USERNAME'),
    password: CredentialValue.fromEnvironment('REGISTRY_PASSWORD'),
  });
}

/** WIRE: kplus-33 workloads, and kplus-33's own L1 classes, get the pull fields they lack. */
export class WiredChart extends Chart {
  constructor(scope: Construct, id: string, props?: ChartProps) {
    super(scope, id, props);
    new PrivateRegistryPolicy(this, 'pull-policy', { mode: PolicyMode.WIRE, registrySecrets: [regcred(this)] });
    new kplus.Deployment(this, 'web', { containers: [{ image: `${REGISTRY}/team/web:v1.4.2` }] });
    new kplus.Job(this, 'migrate', { containers: [{ image: `${REGISTRY}/team/migrate:v7` }] });
    new kplus.Pod(this, 'toolbox', { containers: [{ image: `${REGISTRY}/team/toolbox` }] });
    new kplus.k8s.KubeDeployment(this, 'l1', {
      spec: {
        selector: { matchLabels: { app: 'l1' } },
        template: { metadata: { labels: { app: 'l1' } }, spec: { containers: [{ name: 'app', image: `${REGISTRY}/team/l1:v2` }] } },
      },
    });
  }
}

export interface VerifiedChartProps extends ChartProps {
  /**
   * The image of the Pod `toolbox`, which names no pull secret.
   * @default - busybox from docker.io, a public registry
   */
  readonly toolboxImage?: string;
}

/** VERIFY: changes nothing, refuses at synth a pod that would fail a private pull. */
export class VerifiedChart extends Chart {
  constructor(scope: Construct, id: string, props: VerifiedChartProps = {}) {
    super(scope, id, props);
    const secret = regcred(this);
    new PrivateRegistryPolicy(this, 'pull-policy', { mode: PolicyMode.VERIFY, registrySecrets: [secret], publicRegistries: ['docker.io'] });
    // a cdk8s-plus habit: a RegistrySecret is a kplus-33 ISecret too
    new kplus.Deployment(this, 'web', { dockerRegistryAuth: secret, containers: [{ image: `${REGISTRY}/team/web:v1.4.2` }] });
    // the mixin wires the Job: the innermost rule over an object decides
    new kplus.Job(this, 'migrate', { containers: [{ image: `${REGISTRY}/team/migrate:v7` }] })
      .with(new PrivateImagePull({ registrySecrets: [secret] }));
    new kplus.Pod(this, 'toolbox', { containers: [{ image: props.toolboxImage ?? 'docker.io/library/busybox:1.36' }] });
  }
}

/** The mixin on kplus-33 workloads, one at a time or on a whole scope. */
export class MixinChart extends Chart {
  constructor(scope: Construct, id: string, props?: ChartProps) {
    super(scope, id, props);
    const secret = regcred(this);
    // a cdk8s-plus habit: its servers are read from its data
    const ghcr = new kplus.DockerConfigSecret(this, 'ghcr', {
      metadata: { name: 'ghcr' },
      data: { auths: { 'ghcr.io': { auth: Buffer.from(`${process.env.GHCR_USERNAME}:${process.env.GHCR_TOKEN}`).toString('base64') } } },
    });
    new kplus.Deployment(this, 'web', {
      containers: [{ image: `${REGISTRY}/team/web:v1.4.2` }, { name: 'proxy', image: 'ghcr.io/team/proxy:v2' }],
    }).with(new PrivateImagePull({ registrySecrets: [secret, ghcr] }));

    // every Pod and pod template under `batch`, with a secret created out of band
    const batch = new Construct(this, 'batch');
    new kplus.Job(batch, 'migrate', { containers: [{ image: `${REGISTRY}/team/migrate:v7` }] });
    new kplus.CronJob(batch, 'report', { schedule: Cron.daily(), containers: [{ image: `${REGISTRY}/team/report:v1` }] });
    batch.with(new PrivateImagePull({ registrySecrets: [RegistrySecret.fromSecretName(this, 'ci-pull', 'ci-pull', { servers: [REGISTRY] })] }));
  }
}

/**
 * `PrivateImagePod` and the `PrivateImage*` workloads are cdk8s-plus-27 classes: the objects that go
 * into them come from cdk8s-plus-27, the library's peer dependency, installed with it.
 */
export class PrivatePodChart extends Chart {
  constructor(scope: Construct, id: string, props?: ChartProps) {
    super(scope, id, props);
    const cache = kplus27.Volume.fromEmptyDir(this, 'cache', 'cache');
    new PrivateImagePod(this, 'app', {
      registrySecrets: [regcred(this)],
      // an interface: a kplus-33 ServiceAccount is a kplus-27 IServiceAccount
      serviceAccount: new kplus.ServiceAccount(this, 'runner', { metadata: { name: 'runner' } }),
      volumes: [cache],
      containers: [{
        image: `${REGISTRY}/team/app:v3`,
        readiness: kplus27.Probe.fromTcpSocket({ port: 8080 }),
        volumeMounts: [{ path: '/cache', volume: cache }],
      }],
    });
  }
}

/**
 * What tsc refuses: kplus-33 objects with private state of their own, inside kplus-27 classes.
 * Each directive names the class tsc finds on its next line; the test reads them. Never called.
 */
export function kplus33ObjectsInPrivateImageWorkloads(scope: Construct, secret: RegistrySecret): void {
  const cache = kplus.Volume.fromEmptyDir(scope, 'cache', 'cache');
  const pod = new PrivateImagePod(scope, 'app', {
    registrySecrets: [secret],
    // @ts-expect-error cdk8s-plus-33 Volume
    volumes: [cache],
    containers: [{
      image: `${REGISTRY}/team/app:v3`,
      // @ts-expect-error cdk8s-plus-33 Probe
      readiness: kplus.Probe.fromTcpSocket({ port: 8080 }),
      // @ts-expect-error cdk8s-plus-33 EnvFrom
      envFrom: [kplus.Env.fromSecret(secret)],
    }],
  });
  // @ts-expect-error cdk8s-plus-33 Volume
  pod.addVolume(cache);
  // @ts-expect-error cdk8s-plus-27 LabelSelector
  new kplus.Service(scope, 'web', { selector: new PrivateImageDeployment(scope, 'web-pods', { registrySecrets: [secret] }) });
}

/** A kplus-33 reference by name, whose servers no synth can know: refused at construction. */
export function pullWithKplusSecretFromSecretName(scope: Construct): PrivateImagePull {
  return new PrivateImagePull({ registrySecrets: [kplus.Secret.fromSecretName(scope, 'regcred-ref', 'regcred')] });
}

if (require.main === module) {
  const app = new App();
  new WiredChart(app, 'wired');
  new VerifiedChart(app, 'verified');
  new MixinChart(app, 'mixin');
  new PrivatePodChart(app, 'private-pod');
  app.synth();
}
