// A jest snapshot serializer: `snapshotSerializers: ['cdk8s-private-registry/lib/tools/snapshot-serializer']`.
// It shows a docker config Secret as its servers and usernames, so snapshots can be committed
// without credentials. It only changes what jest prints, never what `cdk8s synth` writes.
// Deliberately not re-exported from index.ts: jest's plugin shape is not a jsii API.
import * as YAML from 'yaml';

const DOCKER_KEYS: { [type: string]: string } = {
  'kubernetes.io/dockerconfigjson': '.dockerconfigjson',
  'kubernetes.io/dockercfg': '.dockercfg',
};
const REDACTED = '<redacted>';
// a docker config key with its value on the same line: still encoded, not yet redacted
const ENCODED_IN_TEXT = /\.docker(?:configjson|cfg)["']?[ \t]*:[ \t]*[^\s]/;

type Printer = (value: unknown, ...rest: any[]) => string;

/** whether jest should print `value` with this serializer */
export function test(value: unknown): boolean {
  if (typeof value === 'string') {
    return ENCODED_IN_TEXT.test(value);
  }
  const key = dockerKey(value);
  return key !== undefined && [(value as any).data?.[key], (value as any).stringData?.[key]].some(v => typeof v === 'string');
}

/** prints `value` with its credentials redacted */
export function serialize(value: any, config: unknown, indentation: string, depth: number, refs: unknown, printer: Printer): string {
  if (typeof value === 'string') {
    return printer(redactYaml(value), config, indentation, depth, refs);
  }
  return printer(redactSecret(value), config, indentation, depth, refs);
}

/** YAML text (e.g. `app.synthYaml()`) with every docker config Secret redacted */
function redactYaml(text: string): string {
  const docs = YAML.parseAllDocuments(text);
  if (docs.some(d => d.errors.length > 0)) {
    return `${REDACTED} (YAML with a docker config Secret that does not parse)`;
  }
  return docs.map(d => YAML.stringify(test(d.toJS()) ? redactSecret(d.toJS()) : d.toJS())).join('---\n');
}

function redactSecret(value: any): any {
  const key = dockerKey(value)!;
  const redacted = { ...value };
  if (typeof value.data?.[key] === 'string') {
    redacted.data = { ...value.data, [key]: redactConfig(Buffer.from(value.data[key], 'base64').toString('utf8')) };
  }
  if (typeof value.stringData?.[key] === 'string') {
    redacted.stringData = { ...value.stringData, [key]: redactConfig(value.stringData[key]) };
  }
  return redacted;
}

function dockerKey(value: any): string | undefined {
  return value !== null && typeof value === 'object' && value.kind === 'Secret' ? DOCKER_KEYS[value.type] : undefined;
}

function redactConfig(text: string): unknown {
  let config: any;
  try {
    config = JSON.parse(text);
  } catch {
    return `${REDACTED} (not JSON)`;
  }
  const auths = config?.auths ?? config;
  if (typeof auths !== 'object' || auths === null) {
    return REDACTED;
  }
  const servers: { [server: string]: unknown } = {};
  for (const [server, entry] of Object.entries<any>(auths)) {
    servers[server] = {
      ...entry?.username !== undefined && { username: entry.username },
      ...entry?.password !== undefined && { password: REDACTED },
      ...entry?.email !== undefined && { email: entry.email },
      ...entry?.auth !== undefined && { auth: REDACTED },
    };
  }
  return config?.auths ? { auths: servers } : servers;
}
