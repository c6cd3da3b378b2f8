// The pull secrets that the External Secrets Operator writes: an ExternalSecret (and ECR's generator).
import { ApiObject } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import {
  EcrRegistrySecretProps, ExternalRegistrySecretOptions, ExternalRegistrySecretProps, ExternalSecretRemoteRef,
  ExternalSecretsApiVersion, SecretStoreKind,
} from './external-secret-props';
import {
  dockerConfigTemplate, ECR_GENERATOR_API_VERSION, ECR_TOKEN_LIFE_SECONDS, EXTERNAL_SECRET_API_VERSIONS, goDuration, TemplateEntry,
} from '../rules/external-secret';
import { checkArray, checkObject, checkString, checkStringArray, invalid, pathOf } from '../rules/input';
import { KubeletKeyring } from '../rules/kubelet-keyring';
import { serverKeyProblem } from '../rules/server-key';

/** an ECR private registry host: the pattern of the kubelet's ECR credential provider */
const ECR_HOST = /^\d{12}\.dkr[.-]ecr(-fips)?\.([a-z0-9-]+)\.(amazonaws\.com(\.cn)?|sc2s\.sgov\.gov|c2s\.ic\.gov|cloud\.adc-e\.uk|csp\.hci\.ic\.gov)$/;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const DEFAULT_SERVER = 'https://index.docker.io/v1/';

/**
 * A pull secret that the External Secrets Operator writes from an ExternalSecret: the manifests
 * hold references, never a credential.
 * @internal
 */
export class ExternalRegistrySecret extends Construct implements kplus.ISecret {
  /** an ExternalSecret reading `props.secretStoreRef` */
  public static fromStore(scope: Construct, id: string, props: ExternalRegistrySecretProps): ExternalRegistrySecret {
    const where = pathOf(scope, id);
    checkObject(where, 'props', props);
    checkOptions(where, props);
    checkObject(where, 'secretStoreRef', props.secretStoreRef);
    checkName(where, 'secretStoreRef.name', props.secretStoreRef.name);
    const kinds = Object.values(SecretStoreKind) as string[];
    if (props.secretStoreRef.kind !== undefined && !kinds.includes(props.secretStoreRef.kind)) {
      invalid(where, 'secretStoreRef.kind', props.secretStoreRef.kind, `one of ${kinds.join(', ')}`);
    }
    if ((props.registries === undefined) === (props.dockerConfigJson === undefined)) {
      throw new Error(`${where}: give either registries or dockerConfigJson`);
    }
    const data: any[] = [];
    let template: string;
    let servers: string[];
    if (props.registries !== undefined) {
      checkArray(where, 'registries', props.registries, 'registries with the remote references of their credentials');
      if (props.registries.length === 0) {
        throw new Error(`${where}: registries is empty; give at least one registry`);
      }
      const entries: TemplateEntry[] = [];
      props.registries.forEach((registry, i) => {
        const at = `registries[${i}]`;
        checkObject(where, at, registry);
        const server = checkServer(where, `${at}.server`, registry.server ?? DEFAULT_SERVER, entries.map(e => e.server));
        const ref = (field: string, value: ExternalSecretRemoteRef | undefined) => {
          checkRemoteRef(where, `${at}.${field}`, value);
          data.push({ secretKey: `${field}${i}`, remoteRef: remoteRef(value!) });
          return `${field}${i}`;
        };
        if (registry.auth !== undefined) {
          if (registry.username !== undefined || registry.password !== undefined) {
            throw new Error(`${where}: ${at} gives auth and username or password; give auth alone, or username and password`);
          }
          entries.push({ server, auth: ref('auth', registry.auth) });
        } else {
          if (registry.username === undefined || registry.password === undefined) {
            throw new Error(`${where}: ${at} needs username and password (or auth): where each is in the store`);
          }
          entries.push({ server, username: ref('username', registry.username), password: ref('password', registry.password) });
        }
      });
      template = dockerConfigTemplate(entries);
      servers = entries.map(e => e.server);
    } else {
      checkRemoteRef(where, 'dockerConfigJson', props.dockerConfigJson);
      checkStringArray(where, 'servers', props.servers, 'the servers of the docker config in the store, e.g. ["registry.gitlab.com"]');
      if (props.servers!.length === 0) {
        throw new Error(`${where}: servers is empty; list the registries the docker config in the store holds credentials for`);
      }
      servers = [];
      props.servers!.forEach((server, i) => servers.push(checkServer(where, `servers[${i}]`, server, servers)));
      data.push({ secretKey: 'dockerconfigjson', remoteRef: remoteRef(props.dockerConfigJson!) });
      template = '{{ .dockerconfigjson }}';
    }
    const store = { kind: props.secretStoreRef.kind ?? SecretStoreKind.SECRET_STORE, name: props.secretStoreRef.name };
    return new ExternalRegistrySecret(scope, id, props, servers, template, { secretStoreRef: store, data });
  }

  /** ESO's ECRAuthorizationToken generator, and an ExternalSecret that writes its token as a pull secret */
  public static fromEcr(scope: Construct, id: string, props: EcrRegistrySecretProps): ExternalRegistrySecret {
    const where = pathOf(scope, id);
    checkObject(where, 'props', props);
    checkOptions(where, props);
    checkString(where, 'server', props.server);
    const host = ECR_HOST.exec(props.server);
    if (host === null) {
      throw new Error(`${where}: server ${JSON.stringify(props.server)} is not an ECR registry host; give ACCOUNT.dkr.ecr.REGION.amazonaws.com`);
    }
    checkString(where, 'region', props.region, true);
    checkString(where, 'role', props.role, true);
    checkString(where, 'serviceAccountName', props.serviceAccountName, true);
    checkObject(where, 'credentialsSecret', props.credentialsSecret, true);
    if (props.serviceAccountName !== undefined && props.credentialsSecret !== undefined) {
      throw new Error(`${where}: give serviceAccountName or credentialsSecret, not both: the generator authenticates one way`);
    }
    const refresh = props.refreshInterval?.toSeconds() ?? 3600;
    if (refresh <= 0 || refresh >= ECR_TOKEN_LIFE_SECONDS) {
      throw new Error(`${where}: refreshInterval is ${goDuration(refresh)}; an ECR token lives 12 hours, so refresh it more often, e.g. Duration.hours(1)`);
    }
    const auth: any = {};
    if (props.serviceAccountName !== undefined) {
      checkName(where, 'serviceAccountName', props.serviceAccountName);
      auth.jwt = { serviceAccountRef: { name: props.serviceAccountName } };
    }
    if (props.credentialsSecret !== undefined) {
      const c = props.credentialsSecret;
      checkName(where, 'credentialsSecret.name', c.name);
      checkString(where, 'credentialsSecret.accessKeyIdKey', c.accessKeyIdKey);
      checkString(where, 'credentialsSecret.secretAccessKeyKey', c.secretAccessKeyKey);
      checkString(where, 'credentialsSecret.sessionTokenKey', c.sessionTokenKey, true);
      auth.secretRef = {
        accessKeyIDSecretRef: { name: c.name, key: c.accessKeyIdKey },
        secretAccessKeySecretRef: { name: c.name, key: c.secretAccessKeyKey },
        sessionTokenSecretRef: c.sessionTokenKey === undefined ? undefined : { name: c.name, key: c.sessionTokenKey },
      };
    }
    const template = dockerConfigTemplate([{ server: props.server, username: 'username', password: 'password' }]);
    const secret = new ExternalRegistrySecret(scope, id, props, [props.server], template, {});
    const generator = new ApiObject(secret, 'Generator', {
      apiVersion: ECR_GENERATOR_API_VERSION,
      kind: 'ECRAuthorizationToken',
      metadata: { name: secret.name, namespace: props.metadata?.namespace },
      spec: {
        region: props.region ?? host[2],
        role: props.role,
        auth: Object.keys(auth).length > 0 ? auth : undefined,
      },
    });
    // the generator's keys: username, password, proxy_endpoint, expires_at (generators/v1/ecr/ecr.go)
    secret.spec.dataFrom = [{ sourceRef: { generatorRef: { apiVersion: ECR_GENERATOR_API_VERSION, kind: 'ECRAuthorizationToken', name: generator.name } } }];
    return secret;
  }

  public readonly resourceType = 'secrets';
  /** the servers the written Secret covers, known at synth */
  public readonly servers: string[];
  /** the Secret's name: the ExternalSecret's */
  public readonly name: string;
  private readonly resource: ApiObject;
  private readonly spec: any;

  private constructor(scope: Construct, id: string, options: ExternalRegistrySecretOptions, servers: string[], template: string, source: object) {
    super(scope, id);
    this.servers = servers;
    const metadata = options.metadata ?? {};
    const templateMetadata = metadata.labels === undefined && metadata.annotations === undefined
      ? undefined : { labels: metadata.labels, annotations: metadata.annotations };
    this.spec = {
      refreshInterval: goDuration(options.refreshInterval?.toSeconds() ?? 3600),
      ...source,
    };
    this.resource = new ApiObject(this, 'Resource', {
      apiVersion: options.apiVersion ?? ExternalSecretsApiVersion.V1,
      kind: 'ExternalSecret',
      metadata,
      spec: this.spec,
    });
    this.name = this.resource.name;
    this.spec.target = {
      name: this.name,
      template: { type: 'kubernetes.io/dockerconfigjson', engineVersion: 'v2', metadata: templateMetadata, data: { '.dockerconfigjson': template } },
    };
  }

  /** The namespace of the ExternalSecret and of the Secret it makes. */
  public get namespace(): string | undefined {
    return this.resource.metadata.namespace;
  }

  public get apiVersion() { return 'v1'; }
  public get apiGroup() { return ''; }
  public get kind() { return 'Secret'; }
  public get resourceName() { return this.name; }

  public envValue(key: string, options?: kplus.EnvValueFromSecretOptions): kplus.EnvValue {
    return kplus.EnvValue.fromSecretValue({ secret: this, key }, options);
  }

  public toString(): string {
    return `RegistrySecret.fromExternalSecret(${this.node.path}, ${this.name}, servers: ${this.servers.join(', ')})`;
  }
}

function checkOptions(where: string, options: ExternalRegistrySecretOptions): void {
  checkObject(where, 'metadata', options.metadata, true);
  if (options.metadata?.name !== undefined) {
    checkName(where, 'metadata.name', options.metadata.name);
  }
  if (options.refreshInterval !== undefined && typeof (options.refreshInterval as any)?.toSeconds !== 'function') {
    invalid(where, 'refreshInterval', options.refreshInterval, 'a Duration, e.g. Duration.hours(1)');
  }
  if (options.refreshInterval !== undefined && !Number.isInteger(options.refreshInterval.toSeconds())) {
    throw new Error(`${where}: refreshInterval must be whole seconds`);
  }
  if (options.apiVersion !== undefined && !EXTERNAL_SECRET_API_VERSIONS.includes(options.apiVersion)) {
    throw new Error(`${where}: apiVersion ${typeof options.apiVersion === 'string' ? JSON.stringify(options.apiVersion) : 'is not a string'} `
      + `is not an ExternalSecret version this library knows; use one of ${EXTERNAL_SECRET_API_VERSIONS.join(', ')}`);
  }
}

function checkName(where: string, property: string, name: unknown): void {
  checkString(where, property, name);
  if (!DNS_SUBDOMAIN.test(name as string) || (name as string).length > 253) {
    throw new Error(`${where}: ${property} ${JSON.stringify(name)} is not a Kubernetes name; use lowercase letters, digits, "-" and "."`);
  }
}

function checkRemoteRef(where: string, property: string, ref: unknown): void {
  checkObject(where, property, ref);
  const r = ref as ExternalSecretRemoteRef;
  checkString(where, `${property}.key`, r.key);
  checkString(where, `${property}.property`, r.property, true);
  checkString(where, `${property}.version`, r.version, true);
}

function remoteRef(ref: ExternalSecretRemoteRef): object {
  return { key: ref.key, property: ref.property, version: ref.version };
}

function checkServer(where: string, property: string, server: unknown, earlier: string[]): string {
  checkString(where, property, server);
  const problem = serverKeyProblem(server);
  if (problem !== undefined) {
    throw new Error(`${where}: ${problem}`);
  }
  if ((server as string).includes('{{') || (server as string).includes('}}')) {
    throw new Error(`${where}: ${property} ${JSON.stringify(server)} holds a template delimiter, which ESO's template would run; give the registry host`);
  }
  const key = KubeletKeyring.keyOf(server as string);
  const same = earlier.find(s => KubeletKeyring.keyOf(s) === key);
  if (same !== undefined) {
    throw new Error(`${where}: server ${JSON.stringify(server)} is given twice${same === server ? '' : ` (as ${JSON.stringify(same)}, which the kubelet reads as the same key)`}`);
  }
  return server as string;
}
