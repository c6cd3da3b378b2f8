import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The PEM files `makeCertificates` wrote. */
export interface TestCertificates {
  /** The CA's certificate: what a client trusts (`--ca-file`, skopeo's `--cert-dir` as `ca.crt`). */
  readonly caFile: string;
  /** The server's certificate, signed by the CA, for 127.0.0.1 and localhost. */
  readonly certFile: string;
  /** The server's private key (PKCS#8, EC P-256). */
  readonly keyFile: string;
}

/** A certificate and its key, self-signed. */
export interface SelfSignedCertificate {
  readonly certFile: string;
  readonly keyFile: string;
}

// One config for every certificate: `-config` keeps the machine's openssl.cnf (and its default
// extensions) out, and each command picks its section with `-extensions`.
const OPENSSL_CONFIG = [
  '[req]',
  'distinguished_name = dn',
  'prompt = no',
  '[dn]',
  'CN = unused',
  '[ca]',
  'basicConstraints = critical,CA:TRUE',
  // digitalSignature too: the token issuer signs JWTs with a self-signed certificate of this kind
  'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
  'subjectKeyIdentifier = hash',
  '[server]',
  'basicConstraints = critical,CA:FALSE',
  'keyUsage = critical,digitalSignature',
  'extendedKeyUsage = serverAuth',
  // Go (the registry, skopeo) ignores the CN and checks only the subjectAltName
  'subjectAltName = IP:127.0.0.1,DNS:localhost',
  '',
].join('\n');

/** Runs `openssl` with an argument array (no shell), throwing its stderr when it fails. */
function openssl(args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8', timeout: 10_000 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error('openssl not found: install it with apt-get install -y openssl');
  }
  if (result.status !== 0) {
    throw new Error(`openssl ${args[0]} failed (exit ${result.status ?? result.signal}): ${result.stderr.trim()}`);
  }
}

function configFile(dir: string): string {
  const file = path.join(dir, 'openssl.cnf');
  fs.writeFileSync(file, OPENSSL_CONFIG);
  return file;
}

/**
 * `openssl req -x509` for a new EC P-256 key (fast to make, and what both Go and Node accept), valid for
 * two days, with the extensions of `section`; signed by `signer` when given, else self-signed.
 */
function certificate(dir: string, name: string, commonName: string, section: 'ca' | 'server', signer?: SelfSignedCertificate): SelfSignedCertificate {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  openssl([
    'req', '-x509', '-config', configFile(dir), '-extensions', section,
    '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-noenc',
    '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', `/CN=${commonName}`,
    ...(signer ? ['-CA', signer.certFile, '-CAkey', signer.keyFile] : []),
  ]);
  return { certFile, keyFile };
}

/**
 * Writes into `dir` (which the caller creates and removes) a test CA and a server certificate signed by
 * it for `IP:127.0.0.1` and `DNS:localhost`, so a registry on 127.0.0.1 serves HTTPS that a client
 * verifies with the CA alone, as it would a private registry's in-house CA.
 */
export function makeCertificates(dir: string): TestCertificates {
  const ca = certificate(dir, 'ca', 'cdk8s-private-registry test CA', 'ca');
  const server = certificate(dir, 'server', 'localhost', 'server', ca);
  return { caFile: ca.certFile, certFile: server.certFile, keyFile: server.keyFile };
}

/**
 * Writes into `dir` a self-signed CA certificate and its EC P-256 key named `name.crt` and `name.key`:
 * the token issuer's signing certificate, which is also the registry's whole `rootcertbundle`.
 */
export function makeSelfSignedCertificate(dir: string, name: string, commonName: string): SelfSignedCertificate {
  return certificate(dir, name, commonName, 'ca');
}
