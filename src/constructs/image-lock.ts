import { inspect } from 'util';
import { BoundedReadError, BoundedReadFailure, readRegularFile } from '../rules/bounded-read';
import { checkBoolean, checkObject, checkString, invalid } from '../rules/input';
import { imageDigests, lockKey, parseImageLock, pinImage } from '../rules/lock-file';
import { ParsedImage } from '../rules/parsed-image';

/** the most a lock file may hold: about 100,000 images */
const MAX_LOCK_FILE_BYTES = 16 * 1024 * 1024;

/** each lock's digests by `lockKey`, off the object: jsii declares no such member, and printouts go through inspect and toJSON below */
const DIGESTS = new WeakMap<ImageLock, ReadonlyMap<string, string>>();

/**
 * The digest each image tag resolved to, as `cdk8s-private-registry check --pull --lock FILE`
 * wrote it, so that synth pins images without asking a registry.
 *
 * Give it to a pod or workload (`imageLock`) or to a `PrivateRegistryPolicy`: each image they
 * wire that the lock holds is written `repository:tag@sha256:...`. The tag stays, so the default
 * pull policy stays what Kubernetes picks for it; an image that has a digest already is never
 * changed. Synth itself never opens a connection.
 *
 * @example
 * new PrivateImagePod(chart, 'app', {
 *   registrySecrets: [regcred],
 *   imageLock: ImageLock.fromFile('images.lock.json'),
 *   requireLock: true,
 *   containers: [{ image: 'registry.gitlab.com/team/app:1.4.2' }],
 * });
 */
export class ImageLock {
  /**
   * Reads a lock file written by `cdk8s-private-registry check --pull --lock FILE`: a regular file
   * of at most 16 MiB.
   *
   * @param file the path of the lock, relative to the working directory (where `cdk8s synth` runs)
   */
  public static fromFile(file: string): ImageLock {
    checkString('ImageLock.fromFile', 'file', file);
    let text: string;
    try {
      text = readRegularFile(file, 'ImageLock.fromFile: file', MAX_LOCK_FILE_BYTES).toString('utf8');
    } catch (e: any) {
      throw new Error(`${e.message}; ` + (e instanceof BoundedReadError && e.failure === BoundedReadFailure.MISSING
        ? `to make the first lock, synth once without imageLock, then run "cdk8s-private-registry check --pull --lock ${file}" on that output`
        : 'give the path of a lock file that check --pull --lock wrote'));
    }
    return new ImageLock(parseImageLock(text, file));
  }

  /**
   * A lock from digests given in code.
   *
   * @param digests each image, by tag, and its digest, e.g.
   * `{ 'registry.gitlab.com/team/app:1.4.2': 'sha256:...' }`; `nginx` and
   * `docker.io/library/nginx:latest` name the same image
   */
  public static fromDigests(digests: { [image: string]: string }): ImageLock {
    checkObject('ImageLock.fromDigests', 'digests', digests);
    const proto = Object.getPrototypeOf(digests);
    if (proto !== Object.prototype && proto !== null) {
      // a Map has no own properties: it would make an empty lock
      invalid('ImageLock.fromDigests', 'digests', digests, 'a plain object from image to digest, e.g. { \'nginx:1.25\': \'sha256:...\' }; not a Map');
    }
    return new ImageLock(imageDigests(digests, 'ImageLock.fromDigests'));
  }

  private constructor(digests: ReadonlyMap<string, string>) {
    // JavaScript can call a private constructor
    if (!(digests instanceof Map)) {
      throw new Error('ImageLock: make a lock with ImageLock.fromFile(file) or ImageLock.fromDigests({...}), not with new');
    }
    DIGESTS.set(this, digests);
  }

  /**
   * The images the lock holds, normalized and sorted, e.g. `docker.io/library/nginx:1.25`.
   */
  public get images(): string[] {
    return [...lockDigests(this).keys()].sort();
  }

  /**
   * The digest the lock holds for `image`.
   *
   * @param image an image reference, e.g. `nginx:1.25`
   * @returns the digest, or undefined when the lock does not hold the image or the image has a digest already
   */
  public digestOf(image: string): string | undefined {
    const key = lockKey(parse(image, 'digestOf'));
    return key === undefined ? undefined : lockDigests(this).get(key);
  }

  /**
   * `image` pinned to the digest the lock holds for it, or unchanged when the lock does not hold
   * it or it has a digest already.
   *
   * @param image an image reference, e.g. `nginx:1.25`, which becomes `nginx:1.25@sha256:...`
   */
  public pin(image: string): string {
    const ref = parse(image, 'pin');
    const key = lockKey(ref);
    const digest = key === undefined ? undefined : lockDigests(this).get(key);
    return digest === undefined ? image : pinImage(image, ref, digest);
  }
}

function parse(image: unknown, method: string): ParsedImage {
  if (typeof image !== 'string') {
    invalid(`ImageLock.${method}`, 'image', image, 'an image reference string');
  }
  try {
    return ParsedImage.parse(image);
  } catch (e: any) {
    throw new Error(`ImageLock.${method}: ${e.message}`);
  }
}

/**
 * The digests of `lock` by `lockKey`, for the wiring.
 * @internal
 */
export function lockDigests(lock: ImageLock): ReadonlyMap<string, string> {
  const digests = DIGESTS.get(lock);
  if (!digests) {
    throw new Error('ImageLock: this object was not made by ImageLock.fromFile or ImageLock.fromDigests');
  }
  return digests;
}

// printers show what the lock holds: digests are no secret
Object.assign(ImageLock.prototype, {
  [inspect.custom](this: ImageLock) { return `ImageLock ${inspect(Object.fromEntries(lockDigests(this)), { breakLength: Infinity })}`; },
  toJSON(this: ImageLock) { return { images: Object.fromEntries(lockDigests(this)) }; },
});

/**
 * Checks the lock props of a construct: `imageLock` is an ImageLock, and `requireLock` has one.
 * @internal
 */
export function checkImageLock(where: string, props: { readonly imageLock?: unknown; readonly requireLock?: unknown }): void {
  if (props.imageLock !== undefined && !(typeof props.imageLock === 'object' && props.imageLock !== null && DIGESTS.has(props.imageLock as ImageLock))) {
    invalid(where, 'imageLock', props.imageLock, 'an ImageLock, e.g. ImageLock.fromFile(\'images.lock.json\')');
  }
  checkBoolean(where, 'requireLock', props.requireLock);
  if (props.requireLock && props.imageLock === undefined) {
    throw new Error(`${where}: requireLock is true but there is no imageLock; give imageLock: ImageLock.fromFile('images.lock.json')`);
  }
}
