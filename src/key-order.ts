// cdk8s's key order for keys the wiring adds after cdk8s has rendered an object.
import { isPlain } from './manifest-for-check';
import { CONTAINER_LISTS } from './rules/pod-spec-check';

/**
 * cdk8s sorts the keys of every object it renders (unless CDK8S_DISABLE_SORT is set); a key the
 * wiring added after its sort is put in its place.
 */
export function keepKeyOrder(obj: any, keyCountBefore: number, first: string[] = []): void {
  if (!process.env.CDK8S_DISABLE_SORT && Object.keys(obj).length !== keyCountBefore) {
    sortKeys(obj, first);
  }
}

/** the containers of a pod spec that lack `key` */
export function containersWithout(podSpec: any, key: string): any[] {
  const found: any[] = [];
  for (let l = 0; l < CONTAINER_LISTS.length; l++) {
    const containers = podSpec[CONTAINER_LISTS[l]];
    for (let i = 0; Array.isArray(containers) && i < containers.length; i++) {
      if (isPlain(containers[i]) && !(key in containers[i])) {
        found.push(containers[i]);
      }
    }
  }
  return found;
}

function sortKeys(obj: any, first: string[]): void {
  const keys = Object.keys(obj);
  const sorted = [...first.filter(k => k in obj), ...keys.filter(k => !first.includes(k)).sort()];
  if (sorted.every((k, i) => k === keys[i])) {
    return;
  }
  const entries = sorted.map(k => [k, obj[k]] as const);
  for (const k of keys) {
    delete obj[k];
  }
  for (const [k, v] of entries) {
    obj[k] = v;
  }
}
