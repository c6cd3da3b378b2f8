// The image lock: the digest each tag resolved to when `check --pull --lock` asked the registry,
// so that synth can pin images offline. Imports nothing from cdk8s.
import { ParsedImage } from './parsed-image';

/** the format's version, in the file as `lockVersion` */
const LOCK_VERSION = 1;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The key of an image in a lock: its normalized name and tag, `latest` when it has none, e.g.
 * `docker.io/library/nginx:1.25`; undefined for an image that has a digest already, which a lock
 * never changes.
 * @internal
 */
export function lockKey(ref: ParsedImage): string | undefined {
  return ref.digest === undefined ? `${ref.name}:${ref.tag ?? 'latest'}` : undefined;
}

/**
 * The lock entry an image gives when its registry is asked: its normalized name and tag
 * (`latest` when it has neither tag nor digest), whether or not it is pinned already; undefined
 * for an image pinned without a tag.
 * @internal
 */
export function askedLockKey(ref: ParsedImage): string | undefined {
  return ref.tag !== undefined || ref.digest === undefined ? `${ref.name}:${ref.tag ?? 'latest'}` : undefined;
}

/**
 * `image` pinned to `digest`, keeping the tag it had, or `latest` that it meant, so that the
 * default pull policy stays what it was (Kubernetes decides it by the tag).
 * @internal
 */
export function pinImage(image: string, ref: ParsedImage, digest: string): string {
  return `${image}${ref.tag === undefined ? ':latest' : ''}@${digest}`;
}

/**
 * Reads a lock file's text: `{"lockVersion": 1, "images": {"<name>:<tag>": "sha256:..."}}`.
 * @param source names the file in errors
 * @returns the digests by `lockKey`
 * @internal
 */
export function parseImageLock(text: string, source: string): Map<string, string> {
  let value: any;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${source} is not JSON; expected an image lock written by "cdk8s-private-registry check --pull --lock ${source}"`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value.lockVersion !== LOCK_VERSION
    || typeof value.images !== 'object' || value.images === null || Array.isArray(value.images)) {
    throw new Error(`${source} is not an image lock of version ${LOCK_VERSION}: expected {"lockVersion": ${LOCK_VERSION}, "images": {...}}; `
      + `write it again with "cdk8s-private-registry check --pull --lock ${source}"`);
  }
  return imageDigests(value.images, source);
}

/**
 * Checks digests by image, as a lock holds them or as a caller gives them, and keys them by
 * `lockKey`, so that `nginx` and `docker.io/library/nginx:latest` are one entry.
 * @internal
 */
export function imageDigests(images: { [image: string]: unknown }, source: string): Map<string, string> {
  const digests = new Map<string, string>();
  const spellings = new Map<string, string>();
  for (const [image, digest] of Object.entries(images)) {
    let ref: ParsedImage;
    try {
      ref = ParsedImage.parse(image);
    } catch (e: any) {
      throw new Error(`${source}: ${e.message}`);
    }
    const key = lockKey(ref);
    if (key === undefined) {
      throw new Error(`${source}: image ${JSON.stringify(image)} has a digest already; lock images by tag, e.g. "${ref.name}:${ref.tag ?? '1.0'}"`);
    }
    if (typeof digest !== 'string' || !DIGEST.test(digest)) {
      throw new Error(`${source}: the digest of ${JSON.stringify(image)} is ${JSON.stringify(digest)}; expected "sha256:" and 64 lowercase hex digits`);
    }
    const other = digests.get(key);
    if (other !== undefined && other !== digest) {
      throw new Error(`${source}: ${JSON.stringify(spellings.get(key))} and ${JSON.stringify(image)} are both ${key}, with two digests `
        + `(${other} and ${digest}); keep one`);
    }
    digests.set(key, digest);
    spellings.set(key, image);
  }
  return digests;
}

/**
 * A lock file's text for `digests` (by `lockKey`): sorted, so the same images give the same bytes.
 * @internal
 */
export function formatImageLock(digests: ReadonlyMap<string, string>): string {
  const images = Object.fromEntries([...digests.keys()].sort().map(key => [key, digests.get(key)]));
  return JSON.stringify({ lockVersion: LOCK_VERSION, images }, null, 2) + '\n';
}
