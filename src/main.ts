// The seed app: the tutorial's `regcred` secret and `imagesecrettest2` pod, for `cdk8s synth`.
import { App, Chart, ChartProps } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { CredentialValue, IRegistrySecret, PrivateImagePod, RegistryCredentials, RegistrySecret } from './index';

const SECRET_NAME = 'regcred';
const SEED_SERVER = 'registry.gitlab.com';
const CREDENTIAL_VARIABLES = ['REGISTRY_SERVER', 'REGISTRY_USERNAME', 'REGISTRY_PASSWORD'];

/**
 * Props for `SeedChart`.
 */
export interface SeedChartProps extends ChartProps {
  /**
   * Credentials for the `regcred` secret.
   *
   * @default - no secret is emitted; the pod names an existing `regcred`
   */
  readonly credentials?: RegistryCredentials;
}

/**
 * The tutorial's `imagesecrettest2` pod and, given credentials, its `regcred` secret.
 */
export class SeedChart extends Chart {
  constructor(scope: Construct, id: string, props: SeedChartProps = {}) {
    super(scope, id, props);
    const regcred: IRegistrySecret = props.credentials
      ? new RegistrySecret(this, 'regcred', { metadata: { name: SECRET_NAME }, ...props.credentials })
      : RegistrySecret.fromSecretName(this, 'regcred', SECRET_NAME, { servers: [SEED_SERVER] });

    new PrivateImagePod(this, 'imagesecrettest2', {
      metadata: { name: 'imagesecrettest2', labels: { app: 'imagesecret' } },
      registrySecrets: [regcred],
      // the seed's nginx runs as root with a writable filesystem, as in the tutorial's YAML
      securityContext: { ensureNonRoot: false },
      containers: [{
        name: 'imagesecretcontainer',
        image: 'registry.gitlab.com/onurbolatoglu/images:nginx',
        imagePullPolicy: kplus.ImagePullPolicy.ALWAYS,
        ports: [{ number: 80 }],
        securityContext: { ensureNonRoot: false, readOnlyRootFilesystem: false },
        resources: {},
      }],
    });
  }
}

/**
 * Reads the pipeline's REGISTRY_* variables: all three required ones, or none.
 */
export function credentialsFromEnvironment(env: NodeJS.ProcessEnv): RegistryCredentials | undefined {
  const missing = CREDENTIAL_VARIABLES.filter(name => !env[name]);
  if (missing.length === CREDENTIAL_VARIABLES.length) {
    return undefined;
  }
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} not set; set all of ${CREDENTIAL_VARIABLES.join(', ')} to emit the secret, or none to use an existing "${SECRET_NAME}"`);
  }
  return {
    server: env.REGISTRY_SERVER,
    username: CredentialValue.fromString(env.REGISTRY_USERNAME!),
    password: CredentialValue.fromString(env.REGISTRY_PASSWORD!),
    email: env.REGISTRY_EMAIL ? CredentialValue.fromString(env.REGISTRY_EMAIL) : undefined,
  };
}

if (require.main === module) {
  const credentials = credentialsFromEnvironment(process.env);
  if (!credentials) {
    process.stderr.write('REGISTRY_SERVER, REGISTRY_USERNAME and REGISTRY_PASSWORD are not set: emitting only the pod, '
      + `which names the existing secret "${SECRET_NAME}" (kubectl create secret docker-registry ${SECRET_NAME} --docker-server=${SEED_SERVER} ...)\n`);
  }
  const app = new App();
  new SeedChart(app, 'seed', { credentials });
  app.synth();
}
