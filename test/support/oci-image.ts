import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as path from 'path';
import { gzipSync } from 'zlib';

/** A content descriptor of the OCI image spec. */
export interface OciDescriptor {
  readonly mediaType: string;
  /** `sha256:<hex>` of the blob's bytes. */
  readonly digest: string;
  readonly size: number;
}

/** What `writeOciLayout` wrote. */
export interface OciImage {
  /** The layout directory, for `skopeo copy oci:DIR:TAG`. */
  readonly dir: string;
  /** The tag under `org.opencontainers.image.ref.name` in `index.json`. */
  readonly tag: string;
  readonly manifest: OciDescriptor;
  readonly config: OciDescriptor;
  readonly layer: OciDescriptor;
  /** `sha256:<hex>` of the uncompressed layer tar (the config's `rootfs.diff_ids`). */
  readonly diffId: string;
}

const BLOCK = 512;

function sha256(bytes: Buffer): string {
  return 'sha256:' + createHash('sha256').update(bytes).digest('hex');
}

/** Writes `value` as a NUL-terminated, zero-padded octal number into a tar header field. */
function octal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(value.toString(8).padStart(length - 1, '0') + '\0', offset, length, 'ascii');
}

/**
 * A POSIX ustar archive that holds one regular file, built byte by byte so the layer (and so
 * every digest) is the same on every run: mode 0644, owner 0:0, mtime 0.
 */
export function tarOneFile(name: string, content: Buffer): Buffer {
  if (Buffer.byteLength(name) > 100) {
    throw new Error(`tar entry name ${JSON.stringify(name)} is longer than 100 bytes`);
  }
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, 'utf8');
  octal(header, 100, 8, 0o644); // mode
  octal(header, 108, 8, 0); // uid
  octal(header, 116, 8, 0); // gid
  octal(header, 124, 12, content.length); // size
  octal(header, 136, 12, 0); // mtime
  header.write('0', 156, 1, 'ascii'); // typeflag: regular file
  header.write('ustar\0', 257, 6, 'ascii'); // magic
  header.write('00', 263, 2, 'ascii'); // version
  header.write('root', 265, 32, 'ascii'); // uname
  header.write('root', 297, 32, 'ascii'); // gname
  // the checksum is the byte sum of the header with its own field read as eight spaces
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const byte of header) {
    sum += byte;
  }
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');

  const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK);
  const endOfArchive = Buffer.alloc(2 * BLOCK);
  return Buffer.concat([header, content, padding, endOfArchive]);
}

function writeBlob(dir: string, mediaType: string, bytes: Buffer): OciDescriptor {
  const digest = sha256(bytes);
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes);
  return { mediaType, digest, size: bytes.length };
}

/**
 * Writes a minimal OCI image layout (image-spec v1.0) to `dir`: one gzipped layer with one small
 * file, an image config, an image manifest, `index.json` naming the manifest `tag`, and `oci-layout`.
 * Nothing is fetched; the image has no runnable content, which a registry does not need.
 */
export function writeOciLayout(dir: string, tag: string): OciImage {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });

  const tar = tarOneFile('hello.txt', Buffer.from('hello from cdk8s-private-registry\n', 'utf8'));
  const diffId = sha256(tar);
  const layer = writeBlob(dir, 'application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(tar));

  const config = writeBlob(dir, 'application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Cmd: ['/hello.txt'] },
    rootfs: { type: 'layers', diff_ids: [diffId] },
  }), 'utf8'));

  const manifest = writeBlob(dir, 'application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config,
    layers: [layer],
  }), 'utf8'));

  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));

  return { dir, tag, manifest, config, layer, diffId };
}

/** How `pushImage` reaches the registry. */
export interface PushOptions {
  /** Basic credentials for the registry, or for its token realm when it answers with a Bearer challenge. */
  readonly username?: string;
  readonly password?: string;
  /** A PEM file of the CA that the registry's (and the realm's) HTTPS certificate must chain to. */
  readonly caFile?: string;
  /** Manifest PUTs in flight at once. @default 16 */
  readonly concurrency?: number;
}

/** The status, headers and body of one HTTP exchange. */
interface Exchange {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Where and how to connect: a keep-alive agent (none for a one-off request), and the CA for HTTPS. */
interface Connection {
  readonly agent?: http.Agent;
  readonly ca?: Buffer;
}

function exchange(url: URL, method: string, headers: http.OutgoingHttpHeaders, body: Buffer | undefined, connection: Connection): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const options: https.RequestOptions = { method, headers: { ...headers, 'Content-Length': body?.length ?? 0 }, ...connection, timeout: 10_000 };
    const request = (url.protocol === 'https:' ? https : http).request(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.once('timeout', () => request.destroy(new Error(`${method} ${url.origin}${url.pathname} timed out after 10 s`)));
    request.once('error', reject);
    request.end(body);
  });
}

/** The parameters of a `Bearer realm="...",service="...",scope="..."` challenge. */
function bearerChallenge(header: string | undefined): { [param: string]: string } | undefined {
  if (!header || !/^Bearer\s/i.test(header)) {
    return undefined;
  }
  const params: { [param: string]: string } = {};
  for (const [, name, value] of header.matchAll(/(\w+)="([^"]*)"/g)) {
    params[name] = value;
  }
  return params;
}

/**
 * Pushes `image` (from `writeOciLayout`) into `repository` of the registry at `url` under every tag of
 * `tags`: its two blobs once, by monolithic upload (`POST /v2/<name>/blobs/uploads/`, then
 * `PUT <location>?digest=`), then the manifest once per tag, `concurrency` at a time over keep-alive
 * connections. Far faster than a skopeo run per tag, for the benchmark's hundreds of tags.
 * Authenticates with Basic credentials, or, when the registry answers with a Bearer challenge, with a
 * token for `repository:<name>:pull,push` fetched from the challenge's realm with those credentials.
 */
export async function pushImage(image: OciImage, url: string, repository: string, tags: string[], options: PushOptions = {}): Promise<void> {
  const ca = options.caFile ? fs.readFileSync(options.caFile) : undefined;
  const concurrency = options.concurrency ?? 16;
  const agent = url.startsWith('https:')
    ? new https.Agent({ keepAlive: true, maxSockets: concurrency, ca })
    : new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const basic = options.username !== undefined
    ? 'Basic ' + Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')
    : undefined;
  let authorization = basic;

  /** Trades the credentials for a token at the challenge's realm; the token is never printed. */
  const fetchToken = async (challenge: { [param: string]: string }) => {
    const realm = new URL(challenge.realm);
    realm.searchParams.set('service', challenge.service ?? '');
    realm.searchParams.set('scope', `repository:${repository}:pull,push`);
    const answer = await exchange(realm, 'GET', basic ? { Authorization: basic } : {}, undefined, { ca });
    if (answer.status !== 200) {
      throw new Error(`token realm ${realm.origin}${realm.pathname} answered ${answer.status}, expected 200: check the credentials given to pushImage`);
    }
    const { token, access_token: accessToken } = JSON.parse(answer.body.toString('utf8'));
    authorization = `Bearer ${token ?? accessToken}`;
  };

  /** One request to the registry; a Bearer challenge is answered once, and the request sent again. */
  const send = async (method: string, target: URL, expected: number, headers: http.OutgoingHttpHeaders = {}, body?: Buffer) => {
    let answer = await exchange(target, method, { ...headers, ...(authorization ? { Authorization: authorization } : {}) }, body, { agent, ca });
    const challenge = answer.status === 401 ? bearerChallenge(answer.headers['www-authenticate']) : undefined;
    if (challenge) {
      await fetchToken(challenge);
      answer = await exchange(target, method, { ...headers, Authorization: authorization }, body, { agent, ca });
    }
    if (answer.status !== expected) {
      throw new Error(`pushImage: ${method} ${target.pathname} on ${target.origin} answered ${answer.status}, expected ${expected}: `
        + answer.body.toString('utf8').slice(0, 500));
    }
    return answer;
  };

  try {
    for (const blob of [image.config, image.layer]) {
      const started = await send('POST', new URL(`/v2/${repository}/blobs/uploads/`, url), 202);
      const location = new URL(started.headers.location ?? '', url);
      location.searchParams.set('digest', blob.digest);
      await send('PUT', location, 201, { 'Content-Type': 'application/octet-stream' }, blobBytes(image.dir, blob));
    }
    const manifest = blobBytes(image.dir, image.manifest);
    const queue = [...tags];
    const worker = async () => {
      for (let tag = queue.shift(); tag !== undefined; tag = queue.shift()) {
        await send('PUT', new URL(`/v2/${repository}/manifests/${tag}`, url), 201, { 'Content-Type': image.manifest.mediaType }, manifest);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, tags.length) }, worker));
  } finally {
    agent.destroy();
  }
}

function blobBytes(dir: string, blob: OciDescriptor): Buffer {
  return fs.readFileSync(path.join(dir, 'blobs', 'sha256', blob.digest.slice('sha256:'.length)));
}

/** A platform of an image index entry, as in the OCI image spec. */
export interface OciPlatform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** What `writeOciIndexLayout` wrote. */
export interface OciIndexImage {
  readonly dir: string;
  readonly tag: string;
  readonly index: OciDescriptor;
  /** one image manifest per platform, in the order given */
  readonly manifests: OciDescriptor[];
  /** each manifest's config */
  readonly configs: OciDescriptor[];
  /** the one layer all share */
  readonly layer: OciDescriptor;
}

/**
 * Writes an OCI image layout whose `tag` names an image index (a multi-platform image, as
 * `docker buildx build --platform ... --output type=oci` writes one): one image per platform, each
 * with its own config (`os`, `architecture`, `variant`) over the same layer. With
 * `platformInIndex: false` the index's entries carry no `platform`, so a client must read each
 * config. For `skopeo copy --all oci:DIR:TAG docker://...`.
 */
export function writeOciIndexLayout(dir: string, tag: string, platforms: OciPlatform[], options: { platformInIndex?: boolean } = {}): OciIndexImage {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const tar = tarOneFile('hello.txt', Buffer.from('hello from cdk8s-private-registry\n', 'utf8'));
  const diffId = sha256(tar);
  const layer = writeBlob(dir, 'application/vnd.oci.image.layer.v1.tar+gzip', gzipSync(tar));
  const configs: OciDescriptor[] = [];
  const manifests = platforms.map(platform => {
    const config = writeBlob(dir, 'application/vnd.oci.image.config.v1+json', Buffer.from(JSON.stringify({
      ...platform,
      config: { Cmd: ['/hello.txt'] },
      rootfs: { type: 'layers', diff_ids: [diffId] },
    }), 'utf8'));
    configs.push(config);
    return writeBlob(dir, 'application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config,
      layers: [layer],
    }), 'utf8'));
  });
  const index = writeBlob(dir, 'application/vnd.oci.image.index.v1+json', Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: manifests.map((m, i) => ({ ...m, ...(options.platformInIndex === false ? {} : { platform: platforms[i] }) })),
  }), 'utf8'));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ ...index, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return { dir, tag, index, manifests, configs, layer };
}

/**
 * Pushes an index from `writeOciIndexLayout` under every tag of `tags`: each platform's image
 * once, by digest, then the index once per tag. For the benchmark's hundreds of tags, where a
 * `skopeo copy --all` per tag would take minutes.
 */
export async function pushIndex(image: OciIndexImage, url: string, repository: string, tags: string[], options: PushOptions = {}): Promise<void> {
  for (const [i, manifest] of image.manifests.entries()) {
    await pushImage({ dir: image.dir, tag: manifest.digest, manifest, config: image.configs[i], layer: image.layer, diffId: '' },
      url, repository, [manifest.digest], options);
  }
  await pushImage({ dir: image.dir, tag: image.tag, manifest: image.index, config: image.configs[0], layer: image.layer, diffId: '' },
    url, repository, tags, options);
}

/**
 * Writes an OCI layout whose `tag` names a Helm chart as `helm push` stores one: an image manifest
 * whose config is `application/vnd.cncf.helm.config.v1+json` and whose layer is the chart.
 * Shaped as `OciImage`, so `pushImage` pushes it.
 */
export function writeHelmChartLayout(dir: string, tag: string): OciImage {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const tar = tarOneFile('chart/Chart.yaml', Buffer.from('apiVersion: v2\nname: chart\nversion: 0.1.0\n', 'utf8'));
  const layer = writeBlob(dir, 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', gzipSync(tar));
  const config = writeBlob(dir, 'application/vnd.cncf.helm.config.v1+json', Buffer.from(JSON.stringify({
    apiVersion: 'v2', name: 'chart', version: '0.1.0',
  }), 'utf8'));
  const manifest = writeBlob(dir, 'application/vnd.oci.image.manifest.v1+json', Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config,
    layers: [layer],
  }), 'utf8'));
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': tag } }],
  }));
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return { dir, tag, manifest, config, layer, diffId: sha256(tar) };
}
