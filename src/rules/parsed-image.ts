// Image reference grammar and Docker normalization, as the kubelet applies them.
//
// This file is a pure rule file: it imports only server-key's redaction.
//
// It mirrors `reference.ParseNormalizedNamed` from github.com/distribution/reference
// (digests validated like github.com/opencontainers/go-digest) and
// Kubernetes' `SetDefaults_Container` for the default imagePullPolicy.
//
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path
//   domain    := host [ ":" port ]          host: DNS name, IPv4, or "[" IPv6 "]"
//   path      := component ( "/" component )*
//   component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag       := [\w][\w.-]{0,127}
//   digest    := algorithm ":" hex         (sha256: 64, sha384: 96, sha512: 128 lowercase hex digits)

import { redactUserinfo } from './server-key';

/** Docker Hub's canonical domain. */
const DEFAULT_DOMAIN = 'docker.io';
/** Docker Hub's legacy domain, normalized to DEFAULT_DOMAIN. */
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** Namespace of Docker Hub's official images. */
const OFFICIAL_REPO_PREFIX = 'library/';
/** Maximum length of the path (the repository name without the domain). */
const MAX_PATH_LENGTH = 255;

/** One DNS label: letters and digits, with '-' allowed inside. */
const DOMAIN_LABEL = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?';
/** host[:port] where host is a DNS name / IPv4 address or a bracketed IPv6 address (no zone). */
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT_PATTERN = '[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*';
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const PATH_COMPONENT_RE = new RegExp(`^${PATH_COMPONENT}$`);
/** components joined by '/', tested at once */
const PATH_RE = new RegExp(`^${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_PATTERN = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const TAG_RE = /^\w[\w.-]{0,127}$/;
/** The digest syntax the reference grammar accepts before go-digest validates it. */
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
/** A bare image id, which ParseNormalizedNamed refuses as a name. */
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const LOWER_HEX_RE = /^[a-f0-9]+$/;
const UPPERCASE_RE = /[A-Z]/;
/** Characters that make a first path segment a domain (uppercase counts too). */
const DOMAIN_HINT_RE = /[.:A-Z]/;
/** Algorithms go-digest accepts (with the hashes the kubelet links in), and their hex lengths. */
const DIGEST_HEX_LENGTHS: ReadonlyMap<string, number> = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

const POLICY_ALWAYS = 'Always';
const POLICY_IF_NOT_PRESENT = 'IfNotPresent';

/** SetDefaults_Container: no tag and no digest means the tag `latest` */
function pullPolicyFor(tag: string | undefined, digest: string | undefined): string {
  return tag === 'latest' || (tag === undefined && digest === undefined) ? POLICY_ALWAYS : POLICY_IF_NOT_PRESENT;
}

/**
 * A registry host after a user name or password: `localhost`, a dotted name or an IPv6 address in
 * brackets, with an optional port, or any name with a port
 */
const USERINFO_HOST_RE = /^(?:(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+|\[[0-9A-Fa-f:.]+\])(?::\d+)?|[A-Za-z0-9-]+:\d+)$/;

/**
 * Whether `image` is written with a user name or password, as a URL would be
 * (`user:password@registry.example.com/app:1`): an "@" before the first "/" (or after a scheme)
 * that is followed by a registry and path rather than by a digest. The kubelet refuses it; no
 * message may repeat it.
 */
function hasUserinfo(image: string): boolean {
  const start = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(image)?.[0].length ?? 0;
  const slash = image.indexOf('/', start);
  const at = image.lastIndexOf('@', slash < 0 ? image.length : slash);
  if (at < start) {
    return false;
  }
  // what follows the "@" up to the path is a registry host, as Go's url.Parse would read it
  const host = image.slice(at + 1, slash < 0 ? image.length : slash);
  return at > start && USERINFO_HOST_RE.test(host) && (start > 0 || slash >= 0 || !host.includes(':'));
}

/** refuses `image` as the kubelet would, saying why */
function refuse(image: string, detail: string): never {
  throw new Error(`invalid image reference ${JSON.stringify(image)}: ${detail}`);
}

/**
 * A container image reference, parsed and normalized the way the kubelet does it.
 *
 * The rules are those of `reference.ParseNormalizedNamed` in
 * github.com/distribution/reference: `nginx` means `docker.io/library/nginx`,
 * `index.docker.io` means `docker.io`, and the first path segment names a
 * registry only if it contains `.` or `:`, is `localhost`, or has an uppercase letter.
 * For example, `ParsedImage.parse('nginx:1.25')` has registry `docker.io`,
 * repository `library/nginx`, tag `1.25` and default pull policy `IfNotPresent`.
 *
 * @see https://kubernetes.io/docs/concepts/containers/images/#image-names
 */
export class ParsedImage {
  /**
   * Parses and normalizes an image reference the way the kubelet does.
   *
   * @param image the `image` field of a container, e.g. `nginx:1.25` or
   * `registry.gitlab.com/group/app@sha256:...`
   * @returns the normalized reference
   * @throws Error on anything the kubelet would refuse (`InvalidImageName`); the
   * message says which part is wrong and what is expected
   */
  public static parse(image: string): ParsedImage {
    if (typeof image !== 'string') {
      throw new Error(`invalid image reference ${String(image)}: expected a string`);
    }
    if (image === '') {
      refuse(image, 'must not be empty: expected [registry/]repository[:tag][@digest], e.g. "nginx:1.25"');
    }
    if (image.trim() !== image) {
      refuse(image, 'must not have leading or trailing whitespace');
    }
    if (hasUserinfo(image)) {
      throw new Error(`invalid image reference ${JSON.stringify(redactUserinfo(image))}: must not carry a user name or password before "@": `
        + 'expected [registry/]repository[:tag][@digest], with credentials only in a pull secret');
    }
    if (IDENTIFIER_RE.test(image)) {
      refuse(image, 'cannot specify 64-byte hexadecimal strings: this is an image id, expected a repository name such as "nginx" or a digest reference such as "nginx@sha256:<hex>"');
    }
    const scheme = image.indexOf('://');
    if (scheme >= 0) {
      refuse(image, `must not contain a URL scheme (${JSON.stringify(image.slice(0, scheme + 3))}): expected registry[:port]/repository`);
    }

    // Split the domain off the way splitDockerDomain does: on the first '/'.
    let domain = DEFAULT_DOMAIN;
    let remainder = image;
    const slash = image.indexOf('/');
    if (slash >= 0) {
      const first = image.slice(0, slash);
      if (first === LEGACY_DEFAULT_DOMAIN) {
        remainder = image.slice(slash + 1);
      } else if (isDomainCandidate(first)) {
        domain = first;
        remainder = image.slice(slash + 1);
      }
    }

    // The remainder is path[:tag][@digest]; neither ':' nor '@' can occur in a path or tag.
    let nameAndTag = remainder;
    let digest: string | undefined;
    const at = remainder.indexOf('@');
    if (at >= 0) {
      nameAndTag = remainder.slice(0, at);
      digest = remainder.slice(at + 1);
    }
    let path = nameAndTag;
    let tag: string | undefined;
    const colon = nameAndTag.indexOf(':');
    if (colon >= 0) {
      path = nameAndTag.slice(0, colon);
      tag = nameAndTag.slice(colon + 1);
    }

    // Domain.
    let lengthCounted = '';
    if (domain !== DEFAULT_DOMAIN && !DOMAIN_RE.test(domain)) {
      if (PATH_COMPONENT_RE.test(domain)) {
        // Upstream quirk: a first segment such as 'foo_bar.com' is not a valid domain, but
        // the whole name still matches as a path, so upstream keeps it with an empty
        // domain and Name() 'foo_bar.com/...'. We keep that name; the registry is
        // the first segment, which is where a pull would go.
        lengthCounted = domain + '/';
      } else {
        refuse(image, `registry ${JSON.stringify(domain)} must be a DNS name or IPv4 address (labels of letters, digits and inner '-', joined by '.') `
          + 'or an IPv6 address in brackets, optionally followed by a numeric :port');
      }
    }

    // Path.
    if (path === '') {
      refuse(image, 'repository name must not be empty: expected [registry/]repository[:tag][@digest]');
    }
    if (UPPERCASE_RE.test(path)) {
      refuse(image, `repository name ${JSON.stringify(path)} must be lowercase`);
    }
    if (!PATH_RE.test(path)) {
      const component = path.split('/').find(c => !PATH_COMPONENT_RE.test(c));
      refuse(image, `repository name ${JSON.stringify(path)} has an invalid component ${JSON.stringify(component)}: `
        + `each '/'-separated component must match ${PATH_COMPONENT_PATTERN}`);
    }
    let implied = '';
    if (domain === DEFAULT_DOMAIN && path.indexOf('/') < 0) {
      path = OFFICIAL_REPO_PREFIX + path;
      implied = ` (including the implied ${JSON.stringify(OFFICIAL_REPO_PREFIX)} prefix)`;
    }
    const pathLength = lengthCounted.length + path.length;
    if (pathLength > MAX_PATH_LENGTH) {
      refuse(image, `repository name must not be more than ${MAX_PATH_LENGTH} characters, not counting the registry, got ${pathLength}${implied}`);
    }

    // Tag.
    if (tag !== undefined && !TAG_RE.test(tag)) {
      refuse(image, `tag ${JSON.stringify(tag)} must match ${TAG_PATTERN}`);
    }

    // Digest, validated like go-digest's Digest.Validate.
    if (digest !== undefined) {
      if (!DIGEST_RE.test(digest)) {
        refuse(image, `invalid digest ${JSON.stringify(digest)}: expected algorithm:hex with at least 32 hex digits, e.g. "sha256:" followed by 64 lowercase hex digits`);
      }
      const sep = digest.indexOf(':');
      const algorithm = digest.slice(0, sep);
      const hex = digest.slice(sep + 1);
      const expectedLength = DIGEST_HEX_LENGTHS.get(algorithm);
      if (expectedLength === undefined) {
        if (UPPERCASE_RE.test(algorithm)) {
          refuse(image, `invalid digest ${JSON.stringify(digest)}: algorithm ${JSON.stringify(algorithm)} must be lowercase (sha256, sha384 or sha512)`);
        }
        refuse(image, `unsupported digest algorithm ${JSON.stringify(algorithm)}: expected sha256, sha384 or sha512`);
      }
      if (hex.length !== expectedLength) {
        refuse(image, `invalid digest ${JSON.stringify(digest)}: expected ${expectedLength} hex digits after "${algorithm}:", got ${hex.length}`);
      }
      if (!LOWER_HEX_RE.test(hex)) {
        refuse(image, `invalid digest ${JSON.stringify(digest)}: hex digits must be lowercase`);
      }
    }

    return new ParsedImage(domain, path, tag, digest);
  }

  /**
   * The normalized registry domain, with its port if any.
   *
   * Docker Hub is always `docker.io` (also when written `index.docker.io` or left out).
   * The case of the domain is kept as written. For example `docker.io`,
   * `registry.gitlab.com`, `localhost:5000` or `[::1]:5000`.
   */
  public readonly registry: string;

  /**
   * The repository path within the registry, without tag or digest.
   *
   * Docker Hub images with a one-segment path get the `library/` prefix,
   * so `nginx` has the repository `library/nginx`.
   */
  public readonly repository: string;

  /**
   * The tag, if the reference has one.
   *
   * @default - no tag
   */
  public readonly tag?: string;

  /**
   * The digest (`algorithm:hex`, e.g. `sha256:...`), if the reference has one.
   *
   * @default - no digest
   */
  public readonly digest?: string;

  /**
   * The normalized name, `registry/repository`, without tag or digest.
   *
   * This is the name the kubelet matches the servers of pull secrets against,
   * e.g. `docker.io/library/nginx`.
   */
  public readonly name: string;

  /**
   * The `imagePullPolicy` Kubernetes picks when a container leaves it out
   * (`SetDefaults_Container`).
   *
   * `Always` when the tag is `latest`, or when there is neither tag nor digest
   * (the tag then defaults to `latest`); `IfNotPresent` otherwise. With a digest
   * and no tag it is `IfNotPresent`; with both a tag and a digest the tag decides.
   *
   * @see https://kubernetes.io/docs/concepts/containers/images/#imagepullpolicy-defaulting
   */
  public readonly defaultPullPolicy: string;

  private constructor(registry: string, repository: string, tag?: string, digest?: string) {
    this.registry = registry;
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
    this.name = `${registry}/${repository}`;
    this.defaultPullPolicy = pullPolicyFor(tag, digest);
  }

  /**
   * The fully normalized reference, `registry/repository[:tag][@digest]`.
   *
   * For example `docker.io/library/nginx:1.25`. Parsing it again gives an equal reference.
   */
  public toString(): string {
    return withTagAndDigest(this.name, this.tag, this.digest);
  }

  /**
   * The short ("familiar") form Docker prints: `docker.io/` and, for a
   * one-segment official image, `library/` are left out.
   *
   * Parsing it again gives an equal reference. Unlike Docker, `docker.io/` is
   * kept when the short form would be read as naming another registry
   * (e.g. `docker.io/foo.bar/app`), and `library/` is kept when the short form
   * would be a bare 64-character hex string (which reads as an image id).
   *
   * For example `nginx:1.25`, `user/app` or `registry.gitlab.com/a/b:tag`.
   */
  public toFamiliarString(): string {
    let name = this.name;
    if (this.registry === DEFAULT_DOMAIN) {
      let path = this.repository;
      if (path.startsWith(OFFICIAL_REPO_PREFIX) && path.indexOf('/', OFFICIAL_REPO_PREFIX.length) < 0) {
        path = path.slice(OFFICIAL_REPO_PREFIX.length);
      }
      const slash = path.indexOf('/');
      if (slash < 0 || !isDomainCandidate(path.slice(0, slash))) {
        name = path;
      }
    }
    if (this.tag === undefined && this.digest === undefined && IDENTIFIER_RE.test(name)) {
      // A bare 64-hex name would be read as an image id and refused.
      name = OFFICIAL_REPO_PREFIX + name;
    }
    return withTagAndDigest(name, this.tag, this.digest);
  }
}

/** Whether the first '/'-separated segment of an image names a registry. */
function isDomainCandidate(segment: string): boolean {
  return segment === 'localhost' || DOMAIN_HINT_RE.test(segment);
}

function withTagAndDigest(name: string, tag: string | undefined, digest: string | undefined): string {
  let result = name;
  if (tag !== undefined) {
    result += ':' + tag;
  }
  if (digest !== undefined) {
    result += '@' + digest;
  }
  return result;
}
