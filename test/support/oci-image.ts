import { createHash } from 'crypto';
import * as fs from 'fs';
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
