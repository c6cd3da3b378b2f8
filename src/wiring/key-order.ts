// cdk8s's key order for keys the wiring adds after cdk8s has rendered an object.
import { isPlain } from './manifest-for-check';
import { CONTAINER_LISTS } from '../rules/pod-spec';

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
  const sorted = first.length === 0 ? keys.slice().sort() : [...first.filter(k => k in obj), ...keys.filter(k => !first.includes(k)).sort()];
  let from = 0;
  while (from < keys.length && keys[from] === sorted[from]) {
    from++;
  }
  // the keys from the first one out of place are put back in order; taken out last first, so
  // that the object keeps its fast shape
  const values: unknown[] = [];
  for (let i = from; i < sorted.length; i++) {
    values.push(obj[sorted[i]]);
  }
  for (let i = keys.length - 1; i >= from; i--) {
    delete obj[keys[i]];
  }
  for (let i = from; i < sorted.length; i++) {
    obj[sorted[i]] = values[i - from];
  }
}
