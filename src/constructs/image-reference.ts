import * as kplus from 'cdk8s-plus-27';
import { ParsedImage as Parsed } from '../rules/parsed-image';

/**
 * A container image reference, parsed and normalized the way the kubelet does it.
 *
 * The rules are those of `reference.ParseNormalizedNamed` in github.com/distribution/reference:
 * `nginx` means `docker.io/library/nginx`, `index.docker.io` means `docker.io`, and the first
 * path segment names a registry only if it contains `.` or `:`, is `localhost`, or has an
 * uppercase letter. For example, `ImageReference.parse('nginx:1.25')` has registry `docker.io`,
 * repository `library/nginx`, tag `1.25` and default pull policy `IfNotPresent`.
 *
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
 */
export class ImageReference {
  /**
   * Parses and normalizes an image reference the way the kubelet does.
   *
   * @param image the `image` field of a container, e.g. `nginx:1.25` or
   * `registry.gitlab.com/group/app@sha256:...`
   * @throws Error on anything the kubelet would refuse (`InvalidImageName`); the message says
   * which part is wrong and what is expected
   */
  public static parse(image: string): ImageReference {
    return new ImageReference(Parsed.parse(image));
  }

  /**
   * The normalized registry domain, with its port if any: `docker.io` for Docker Hub (also when
   * written `index.docker.io` or left out), e.g. `registry.gitlab.com` or `localhost:5000`.
   */
  public readonly registry: string;

  /**
   * The repository path within the registry, without tag or digest: `library/nginx` for `nginx`.
   */
  public readonly repository: string;

  /**
   * The tag, if the reference has one.
   *
   * @default - no tag
   */
  public readonly tag?: string;

  /**
   * The digest (`algorithm:hex`), if the reference has one.
   *
   * @default - no digest
   */
  public readonly digest?: string;

  /**
   * The normalized name, `registry/repository`, which the kubelet matches pull secrets against,
   * e.g. `docker.io/library/nginx`.
   */
  public readonly name: string;

  /**
   * The `imagePullPolicy` Kubernetes picks when a container leaves it out: `Always` for the tag
   * `latest` or no tag and no digest, `IfNotPresent` otherwise.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#imagepullpolicy-defaulting
   */
  public readonly defaultPullPolicy: kplus.ImagePullPolicy;

  private readonly parsed: Parsed;

  private constructor(parsed: Parsed) {
    this.parsed = parsed;
    this.registry = parsed.registry;
    this.repository = parsed.repository;
    this.tag = parsed.tag;
    this.digest = parsed.digest;
    this.name = parsed.name;
    this.defaultPullPolicy = parsed.defaultPullPolicy as kplus.ImagePullPolicy;
  }

  /**
   * The fully normalized reference, `registry/repository[:tag][@digest]`.
   */
  public toString(): string {
    return this.parsed.toString();
  }

  /**
   * The short form Docker prints, e.g. `nginx:1.25` or `registry.gitlab.com/a/b:tag`.
   */
  public toFamiliarString(): string {
    return this.parsed.toFamiliarString();
  }
}
