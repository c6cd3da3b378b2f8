import * as crypto from 'crypto';
import { DockerConfigJson } from './docker-config';

/**
 * What `kubectl create secret --append-hash` hashes.
 * @internal
 */
export interface HashedSecretContent {
  /** the name before the hash */
  readonly name: string;
  readonly type: string;
  /** the `data` values, base64 */
  readonly data: { readonly [key: string]: string };
  /** counted only when set, as kustomize counts it */
  readonly immutable?: boolean;
}

// kubectl avoids hashes that read as words or numbers
const HASH_ALPHABET: { readonly [hex: string]: string } = { 0: 'g', 1: 'h', 3: 'k', a: 'm', e: 't' };

/**
 * The ten characters `kubectl create secret --append-hash` appends to a name (kubectl's
 * `SecretHash`): the SHA-256 of the Go JSON of `{data, immutable, kind, name, type}` (keys
 * sorted), cut to ten hex digits, with `0 1 3 a e` written `g h k m t`.
 * @internal
 */
export function kubectlSecretHash(secret: HashedSecretContent): string {
  const json = DockerConfigJson.goJsonString;
  const keys = Object.keys(secret.data).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const fields = [`"data":{${keys.map(key => `${json(key)}:${json(secret.data[key])}`).join(',')}}`];
  if (secret.immutable !== undefined) {
    fields.push(`"immutable":${secret.immutable}`);
  }
  fields.push('"kind":"Secret"', `"name":${json(secret.name)}`, `"type":${json(secret.type)}`);
  const hex = crypto.createHash('sha256').update(`{${fields.join(',')}}`).digest('hex').slice(0, 10);
  return hex.replace(/[013ae]/g, c => HASH_ALPHABET[c]);
}
