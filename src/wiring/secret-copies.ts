// Copies of a RegistrySecret into other namespaces: each namespace whose pods or ServiceAccounts
// name it (copyToPodNamespaces), and those listed (copyToNamespaces). Nothing is kept between
// synths: each time cdk8s renders the secret's chart, the copies are read from the tree as it is
// then, and written after the secret, with the same name and bytes and their own namespace.
import { ApiObject, Chart, YamlOutputType } from 'cdk8s';
import { IConstruct } from 'constructs';
import { addValidation, rootOf } from './cdk8s-hooks';
import { keepKeyOrder } from './key-order';
import { copiesOf, registrySecretInfo } from './pull-secrets';
import { PullWiring } from './pull-wiring';
import { SynthRequest } from './synth-request';
import { TreeIndex } from './tree-index';
import { kubectlObjects } from '../rules/kubectl-objects';
import { isListKind } from '../rules/manifest-index';
import { namedSecrets, namespaceOf, podSpecOf, runsPods } from '../rules/pod-spec';

/** A RegistrySecret as the copies see it. */
interface CopiedSecret extends IConstruct {
  readonly name: string;
  readonly namespace?: string;
  readonly servers: string[];
}

/**
 * Makes cdk8s write the copies `secret` asks for, and refuse at synth a copy that would land on
 * another secret of the same name.
 */
export function enableCopies(secret: CopiedSecret): void {
  PullWiring.install(withCopies);
  addValidation<SynthRequest>(secret, { validate: request => copyProblems(secret, request) });
}

/**
 * The namespaces `secret` is copied into, in order: no namespace first, then by name; never its
 * own. Read from the tree as it is now.
 */
export function copyNamespaces(secret: CopiedSecret, request: SynthRequest | undefined): Array<string | undefined> {
  const copies = copiesOf(secret);
  if (copies === undefined) {
    return [];
  }
  const info = registrySecretInfo(secret);
  const found = new Set<string | undefined>(copies.namespaces);
  if (copies.toPods) {
    namingNamespaces(secret, request).get(info.name)?.forEach(namespace => found.add(namespace));
  }
  found.delete(info.namespace);
  return [...found].sort(byNamespace);
}

function byNamespace(a: string | undefined, b: string | undefined): number {
  return a === b ? 0 : a === undefined ? -1 : b === undefined ? 1 : a < b ? -1 : 1;
}

/** what keeps the copies of `secret` from being written: another secret of its name where one would land */
function copyProblems(secret: CopiedSecret, request: SynthRequest | undefined): string[] {
  const namespaces = copyNamespaces(secret, request);
  if (namespaces.length === 0) {
    return [];
  }
  const problems: string[] = [];
  const root: any = rootOf(secret);
  if (root.yamlOutputType === YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE) {
    problems.push(`the copies of pull secret "${secret.name}" cannot be written with yamlOutputType FOLDER_PER_CHART_FILE_PER_RESOURCE, `
      + 'which cdk8s writes one object at a time; use another yamlOutputType, or one RegistrySecret per namespace');
  }
  const name = registrySecretInfo(secret).name;
  const index = TreeIndex.of(secret, request);
  for (const namespace of namespaces) {
    const others = (index.holders?.(name, namespace) ?? []).filter(path => path !== secret.node.path);
    for (const other of others) {
      const where = namespace === undefined ? 'without a namespace' : `in namespace "${namespace}"`;
      problems.push(`a copy of pull secret "${name}" would be written ${where}, where ${other} has a Secret "${name}" too: `
        + `kubectl apply would replace one with the other; give ${secret.node.path} or ${other} another name`
        + (namespace !== undefined && copiesOf(secret)?.namespaces.includes(namespace) ? `, or drop "${namespace}" from copyToNamespaces` : ''));
    }
  }
  return problems;
}

/** `objects`, the JSON cdk8s rendered for `chart`, with the copies of its secrets after each secret */
function withCopies(chart: IConstruct, objects: any[], request: SynthRequest): any[] {
  const secrets: CopiedSecret[] = [];
  findCopied(chart, chart, secrets);
  for (const secret of secrets) {
    const namespaces = copyNamespaces(secret, request);
    if (namespaces.length === 0) {
      continue;
    }
    const info = registrySecretInfo(secret);
    const at = objects.findIndex(o => o?.kind === 'Secret' && o.metadata?.name === info.name && namespaceOf(o) === info.namespace);
    if (at >= 0) {
      objects.splice(at + 1, 0, ...namespaces.map(namespace => copyInto(objects[at], namespace)));
    }
  }
  return objects;
}

/** the secrets with copies under `c` whose closest chart is `chart`, as cdk8s writes a chart's objects */
function findCopied(c: IConstruct, chart: IConstruct, found: CopiedSecret[]): void {
  if (c !== chart && Chart.isChart(c)) {
    return;
  }
  if (copiesOf(c) !== undefined && ApiObject.isApiObject(c.node.tryFindChild('Resource')) && Array.isArray((c as any).servers)) {
    found.push(c as CopiedSecret);
  }
  for (const child of c.node.children) {
    findCopied(child, chart, found);
  }
}

/** the secret's JSON with another namespace, in cdk8s's key order */
function copyInto(secret: any, namespace: string | undefined): any {
  const copy = JSON.parse(JSON.stringify(secret));
  const count = Object.keys(copy.metadata).length;
  if (namespace === undefined) {
    delete copy.metadata.namespace;
  } else {
    copy.metadata.namespace = namespace;
    keepKeyOrder(copy.metadata, count);
  }
  return copy;
}

/**
 * The namespaces whose pods or ServiceAccounts name each pull secret, by name: read from the JSON
 * of every object of `c`'s app, as wired, once per synth request.
 */
function namingNamespaces(c: IConstruct, request: SynthRequest | undefined): ReadonlyMap<string, ReadonlySet<string | undefined>> {
  const root = rootOf(c);
  if (request?.namingNamespaces !== undefined) {
    return request.namingNamespaces;
  }
  const found = new Map<string, Set<string | undefined>>();
  visit(root, found);
  if (request !== undefined) {
    request.namingNamespaces = found;
  }
  return found;
}

function visit(c: IConstruct, found: Map<string, Set<string | undefined>>): void {
  if (ApiObject.isApiObject(c) && (c.kind === 'ServiceAccount' || runsPods(c.kind) || isListKind(c.kind))) {
    let json: any;
    try {
      json = c.toJson();
    } catch {
      // the object's own validation reports why it cannot be rendered
      json = undefined;
    }
    const listed = isListKind(json?.kind) ? kubectlObjects(json) : undefined;
    const manifests = listed === undefined ? [json] : 'error' in listed ? [] : listed.objects.map(o => o.manifest);
    for (const manifest of manifests) {
      const names = manifest?.kind === 'ServiceAccount' ? namedSecrets(manifest.imagePullSecrets) : namedSecrets(podSpecOf(manifest)?.imagePullSecrets);
      for (const name of names) {
        let namespaces = found.get(name);
        if (namespaces === undefined) {
          namespaces = new Set();
          found.set(name, namespaces);
        }
        namespaces.add(namespaceOf(manifest));
      }
    }
  }
  for (const child of c.node.children) {
    visit(child, found);
  }
}
