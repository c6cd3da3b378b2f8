// What the checks read of an ApiObject, without rendering it when rendering changes nothing they read.
import { ApiObject, Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-27';
import { IConstruct } from 'constructs';
import { propsOf, rendersAsConstructed, rootOf } from './cdk8s-hooks';
import { CONTAINER_LISTS, podSpecOf, podSpecPath } from '../rules/pod-spec';

// read once: the modules export them through getters
const ABSTRACT_POD = kplus.AbstractPod;
const LAZY = Lazy;

/**
 * The object as the checks read it. Validation comes before serialization, so rendering the whole
 * object here would render it twice per synth. When nothing can change the fields the checks read
 * between the object's props and its JSON (no JSON patch, no custom resolver, plain values), its
 * props are read directly, Lazy values produced; otherwise cdk8s renders it.
 * @param copy whether the caller changes the pod spec it gets: then what of it is the user's own
 * objects (the pod spec of L1 props, its containers and the objects that hold it) is copied
 * @param scheduling whether the checks read where the pod may run (nodeSelector, affinity, os),
 * which the model of a cdk8s-plus pod does not give: then such a pod is rendered
 */
export function manifestForCheck(obj: ApiObject, render: (obj: ApiObject) => any, root: IConstruct = rootOf(obj), copy = false,
  scheduling = false): any {
  const props = propsOf(obj);
  if (rendersAsConstructed(obj, root) && isPlain(props)) {
    const manifest: any = { kind: obj.kind, metadata: { name: obj.name, namespace: obj.metadata.namespace } };
    const owner = obj.node.scope;
    if (owner instanceof ABSTRACT_POD && obj.node.id === RESOURCE_ID) {
      if (scheduling) {
        return render(obj);
      }
      const model = withPodSpec(manifest, podSpecOfModel(owner));
      // a container whose image is a token is rendered, as cdk8s-plus renders it
      return readsPlainly(model) ? model : render(obj);
    }
    // the one field that holds what the checks read: the pod spec's first key, or a ServiceAccount's list
    const key = obj.kind === 'ServiceAccount' ? 'imagePullSecrets' : podSpecPath(manifest)?.[0];
    if (key !== undefined && key in props) {
      const value = props[key];
      manifest[key] = value instanceof LAZY ? value.produce() : value;
    }
    if (readsPlainly(manifest)) {
      return copy && key === podSpecPath(manifest)?.[0] ? withPodSpec(manifest, ownCopy(podSpecOf(manifest))) : manifest;
    }
  }
  return render(obj);
}

/**
 * The fields the checks read of a cdk8s-plus pod or workload, from its model: what its `_toPodSpec`
 * writes for them, without building the rest of the spec (resources, probes, volumes)
 */
function podSpecOfModel(pod: kplus.AbstractPod): any {
  const initContainers = pod.initContainers;
  return {
    serviceAccountName: pod.serviceAccount?.name,
    containers: pod.containers.map(containerOfModel),
    initContainers: initContainers.length === 0 ? undefined : initContainers.map(containerOfModel),
    imagePullSecrets: pod.dockerRegistryAuth ? [{ name: pod.dockerRegistryAuth.name }] : undefined,
  };
}

function containerOfModel(c: kplus.Container): any {
  return { name: c.name, image: c.image, imagePullPolicy: c.imagePullPolicy };
}

/** `manifest` with `podSpec` where its kind keeps it, in copies of the objects above it */
function withPodSpec(manifest: any, podSpec: any): any {
  const path = podSpecPath(manifest)!;
  let node = manifest;
  for (let i = 0; i < path.length - 1; i++) {
    node = node[path[i]] = { ...node[path[i]] };
  }
  node[path[path.length - 1]] = podSpec;
  return manifest;
}

/** the pod spec and its containers, copied one level deep: all that wiring changes */
function ownCopy(podSpec: any): any {
  const copy = { ...podSpec };
  for (let l = 0; l < CONTAINER_LISTS.length; l++) {
    const containers = copy[CONTAINER_LISTS[l]];
    if (Array.isArray(containers)) {
      copy[CONTAINER_LISTS[l]] = containers.map(copyContainer);
    }
  }
  return copy;
}

function copyContainer(c: unknown): unknown {
  return typeof c === 'object' && c !== null && !Array.isArray(c) ? { ...c } : c;
}

/** the id cdk8s-plus gives the ApiObject of each of its resources */
const RESOURCE_ID = 'Resource';

/** whether `value` is plain data: an object literal that is no implicit token (one with a `resolve` method, which cdk8s replaces by its result) */
export function isPlain(value: unknown): value is { [key: string]: any } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && typeof (value as any).resolve !== 'function';
}

/** whether every field the checks read is plain data already, so no resolver would change it */
function readsPlainly(manifest: any): boolean {
  const podSpec = podSpecOf(manifest);
  if (manifest.kind === 'ServiceAccount') {
    return manifest.imagePullSecrets === undefined || Array.isArray(manifest.imagePullSecrets);
  }
  if (!isPlain(podSpec)) {
    return false;
  }
  if (!isText(podSpec.serviceAccountName) || !isText(podSpec.serviceAccount)) {
    return false;
  }
  const secrets = podSpec.imagePullSecrets;
  if (secrets !== undefined && !(Array.isArray(secrets) && secrets.every(isPlainSecretRef))) {
    return false;
  }
  for (const list of CHECKED_LISTS) {
    const containers = podSpec[list];
    if (containers !== undefined && !(Array.isArray(containers) && containers.every(isPlainContainer))) {
      return false;
    }
  }
  return true;
}

/** the container lists the checks read: the ones the kubelet starts, and those the API server refuses */
const CHECKED_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];

function isText(v: unknown): boolean {
  return v === undefined || v === null || typeof v === 'string';
}

function isPlainSecretRef(s: any): boolean {
  return s === null || (isPlain(s) && isText(s.name));
}

function isPlainContainer(c: any): boolean {
  return c === null || (isPlain(c) && isText(c.image) && isText(c.imagePullPolicy) && isText(c.name));
}
