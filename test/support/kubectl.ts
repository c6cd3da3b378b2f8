import { execFileSync } from 'child_process';

/** The flags of `kubectl create secret docker-registry`. */
export interface KubectlDockerRegistryArgs {
  /** `--docker-server`; left out when undefined, so kubectl uses `https://index.docker.io/v1/`. */
  readonly server?: string;
  /** `--docker-username`. */
  readonly username: string;
  /** `--docker-password`. */
  readonly password: string;
  /** `--docker-email`; left out when undefined. */
  readonly email?: string;
}

export const KUBECTL_NOT_FOUND = 'kubectl not found: install it with apt-get install -y kubernetes-client';

/**
 * The base64 text kubectl puts under `data[".dockerconfigjson"]` for these flags.
 *
 * Runs `kubectl create secret docker-registry ... --dry-run=client -o json`, which needs no
 * cluster. kubectl is started with an argument array, never through a shell. Throws when
 * kubectl is missing or refuses the flags.
 */
export function kubectlDockerConfigJsonBase64(args: KubectlDockerRegistryArgs): string {
  const secret = kubectlCreateSecret('test-secret', args);
  const data = secret.data?.['.dockerconfigjson'];
  if (secret.type !== 'kubernetes.io/dockerconfigjson' || data === undefined) {
    throw new Error(`kubectl printed an unexpected secret: ${JSON.stringify(secret)}`);
  }
  return data;
}

/** The name `kubectl create secret docker-registry NAME --append-hash` gives for these flags. */
export function kubectlAppendHashName(name: string, args: KubectlDockerRegistryArgs): string {
  return kubectlCreateSecret(name, args, ['--append-hash']).metadata.name;
}

function kubectlCreateSecret(name: string, args: KubectlDockerRegistryArgs, extra: string[] = []): any {
  const argv = ['docker-registry', name, ...extra];
  if (args.server !== undefined) {
    argv.push(`--docker-server=${args.server}`);
  }
  argv.push(`--docker-username=${args.username}`, `--docker-password=${args.password}`);
  if (args.email !== undefined) {
    argv.push(`--docker-email=${args.email}`);
  }
  return kubectlCreate(argv);
}

/**
 * The Secret `kubectl create secret generic NAME --type=kubernetes.io/dockerconfigjson
 * --from-file=.dockerconfigjson=FILE` makes: the file's bytes, as they are, under `data`.
 *
 * @param options.appendHash add `--append-hash`, for the name kubectl gives
 */
export function kubectlDockerConfigSecretFromFile(name: string, file: string, options: { appendHash?: boolean } = {}): any {
  return kubectlCreate(['generic', name, '--type=kubernetes.io/dockerconfigjson', `--from-file=.dockerconfigjson=${file}`,
    ...options.appendHash ? ['--append-hash'] : []]);
}

/** `kubectl create secret ARGV --dry-run=client -o json`, parsed */
function kubectlCreate(argv: string[]): any {
  const run = kubectl(['create', 'secret', ...argv, '--dry-run=client', '-o', 'json']);
  if ('stderr' in run) {
    throw new Error(`kubectl create secret ${argv[0]} failed: ${run.stderr}`);
  }
  return JSON.parse(run.stdout);
}

/** kubectl's output, or what it printed when it failed; throws when kubectl is missing */
function kubectl(args: string[]): { stdout: string } | { stderr: string } {
  try {
    return {
      stdout: execFileSync('kubectl', args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        // no kubeconfig is needed without a cluster; keep a user's cluster out of the test
        env: { ...process.env, KUBECONFIG: '/dev/null' },
      }),
    };
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') {
      throw new Error(KUBECTL_NOT_FOUND);
    }
    return { stderr: err.stderr ?? err.message };
  }
}

/** The decoded `.dockerconfigjson` text kubectl writes for these flags (see `kubectlDockerConfigJsonBase64`). */
export function kubectlDockerConfigJson(args: KubectlDockerRegistryArgs): string {
  return Buffer.from(kubectlDockerConfigJsonBase64(args), 'base64').toString('utf8');
}

/**
 * The objects `kubectl apply -f FILE` would create from a file, read the way apply reads it,
 * without a cluster: `kubectl annotate --local -f FILE -o json` runs the same reader and list
 * flattening, then prints each object (with its added annotation taken out again). An error when
 * kubectl refuses the file.
 */
export function kubectlReadObjects(file: string): { objects: any[] } | { error: string } {
  const run = kubectl(['annotate', '--local', '-f', file, 'kubectl-oracle=read', '-o', 'json']);
  if ('stderr' in run) {
    // no object in the file is no error to apply: it creates nothing
    return /no objects passed to annotate/.test(run.stderr) ? { objects: [] } : { error: run.stderr.trim() };
  }
  const out = run.stdout;
  // one object after another, each printed from a line's start
  const objects: any[] = JSON.parse(`[${out.trim().replace(/\n}\n\{/g, '\n},\n{')}]`);
  for (const object of objects) {
    delete object.metadata.annotations['kubectl-oracle'];
    if (Object.keys(object.metadata.annotations).length === 0) {
      delete object.metadata.annotations;
    }
  }
  return { objects };
}

/** The minor version of the kubectl client, e.g. 32 */
export function kubectlClientMinor(): number {
  const run = kubectl(['version', '--client', '-o', 'json']);
  if ('stderr' in run) {
    throw new Error(`kubectl version failed: ${run.stderr}`);
  }
  return Number(JSON.parse(run.stdout).clientVersion.minor.replace(/\D/g, ''));
}
