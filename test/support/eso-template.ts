// ESO's template engine for tests: a small Go program (eso-template-oracle/main.go) that renders a
// template as the operator does, with Go's text/template and sprig, built here offline from
// Debian's packages (golang-go, golang-github-masterminds-sprig-dev; test/support/system-tools.sh
// installs them) and kept, by the hash of its source and of `go version`, in the system's temp dir.
import { execFileSync, spawnSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const SOURCE = path.join(__dirname, 'eso-template-oracle', 'main.go');
/** where Debian's golang packages put their sources: a GOPATH */
const DEBIAN_GOPATH = '/usr/share/gocode';
const SPRIG = path.join(DEBIAN_GOPATH, 'src', 'github.com', 'Masterminds', 'sprig');
const MISSING = 'the ESO template oracle needs Go and sprig: apt-get install -y golang-go golang-github-masterminds-sprig-dev';

let built: string | undefined;

/** the oracle's binary, built on first use */
function oracle(): string {
  if (built !== undefined) {
    return built;
  }
  const version = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (version.status !== 0 || !fs.existsSync(path.join(SPRIG, 'functions.go'))) {
    throw new Error(MISSING);
  }
  const source = fs.readFileSync(SOURCE);
  const hash = createHash('sha256').update(source).update(version.stdout).digest('hex').slice(0, 16);
  const dir = path.join(os.tmpdir(), `cdk8s-private-registry-eso-oracle-${hash}`);
  const binary = path.join(dir, 'eso-template');
  if (!fs.existsSync(binary)) {
    // a GOPATH of our own in front of Debian's: the oracle, and the /v3 import paths of sprig and
    // semver, which Debian installs without the suffix (GOPATH mode knows no modules)
    const gopath = fs.mkdtempSync(path.join(os.tmpdir(), 'eso-oracle-gopath-'));
    try {
      const link = (target: string, at: string) => {
        fs.mkdirSync(path.dirname(path.join(gopath, at)), { recursive: true });
        fs.symlinkSync(target, path.join(gopath, at));
      };
      link(SPRIG, 'src/github.com/Masterminds/sprig/v3');
      link(path.join(DEBIAN_GOPATH, 'src', 'github.com', 'Masterminds', 'semver'), 'src/github.com/Masterminds/semver/v3');
      fs.mkdirSync(path.join(gopath, 'src', 'esotemplate'));
      fs.copyFileSync(SOURCE, path.join(gopath, 'src', 'esotemplate', 'main.go'));
      fs.mkdirSync(dir, { recursive: true });
      const partial = `${binary}.${process.pid}`;
      execFileSync('go', ['build', '-o', partial, 'esotemplate'], {
        env: {
          ...process.env,
          GO111MODULE: 'off',
          GOPATH: `${gopath}${path.delimiter}${DEBIAN_GOPATH}`,
          GOFLAGS: '',
          GOPROXY: 'off',
          GOCACHE: path.join(dir, 'cache'),
          GOTOOLCHAIN: 'local',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 180_000,
      });
      // whole or not at all, when two test processes build at once
      fs.renameSync(partial, binary);
    } finally {
      fs.rmSync(gopath, { recursive: true, force: true });
    }
  }
  built = binary;
  return binary;
}

/** What ESO's template engine writes for `template` over `data`; throws with Go's error. */
export function renderEsoTemplate(template: string, data: { [key: string]: string }): Buffer {
  const result = spawnSync(oracle(), [], { input: JSON.stringify({ template, data }), timeout: 30_000 });
  if (result.status !== 0) {
    throw new Error(`the template fails in ESO's engine: ${result.stderr.toString('utf8').trim()}`);
  }
  return result.stdout;
}
