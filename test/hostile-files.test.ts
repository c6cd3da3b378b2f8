// Every read of a file a user names is bounded (src/rules/bounded-read.ts): /dev/zero, a FIFO with
// no writer and a file over the limit end at once with a message, in each reader of the library.
// An integration test: it makes FIFOs with mkfifo, and runs each read that could hang or fill
// memory in a child node killed at a deadline (test/support/isolated.ts).
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdk8s';
import { CredentialValue, RegistrySecret } from '../src';
import { runIsolated } from './support/isolated';
import { SourceReader, StreamPart } from '../src/cli/manifest-stream';

/** a child that blocked or filled memory is killed at this; the jest timeout is above it */
const DEADLINE_MS = 5_000;
const TEST_TIMEOUT_MS = 15_000;
const MIB = 1024 * 1024;

let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-hostile-'));
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

/** readRegularFile in a child node, so that a hang or a memory blow-up ends there */
function readIsolated(file: string, what: string, maxBytes: number) {
  return runIsolated(`
    const { readRegularFile } = load('rules/bounded-read');
    const bytes = readRegularFile(args[0], args[1], args[2]);
    return bytes.length;`, [file, what, maxBytes], DEADLINE_MS);
}

/** ImageLock.fromFile in a child node that is killed at the deadline, so that a hang or a memory blow-up fails the test only */
function lockFromFileIsolated(file: string) {
  return runIsolated('load(\'constructs/image-lock\').ImageLock.fromFile(args[0]);', [file], 5_000);
}

async function readAll(reader: SourceReader): Promise<StreamPart[]> {
  const parts: StreamPart[] = [];
  for await (const part of reader.documents()) {
    parts.push(part);
  }
  return parts;
}

describe('readRegularFile', () => {
  test('/dev/zero is refused at once as a character device, without reading it', () => {
    // GIVEN /dev/zero, which never ends
    // WHEN it is read, in a child that is killed if it hangs or fills memory
    const run = readIsolated('/dev/zero', '--ca-file', MIB);
    // THEN the child returns in time with an error naming the argument, the path and the kind of file
    expect(run.signal).toBeNull();
    expect(run.error).toBe('--ca-file "/dev/zero" is not a regular file (it is a character device)');
    expect(run.elapsedMs).toBeLessThan(DEADLINE_MS);
  }, TEST_TIMEOUT_MS);

  test('a FIFO with no writer is refused at once instead of waiting for one', () => {
    // GIVEN a FIFO that nothing writes to
    const fifo = path.join(work, 'lock.fifo');
    execFileSync('mkfifo', [fifo]);
    // WHEN it is read, in a child that is killed if the open blocks
    const run = readIsolated(fifo, '--lock', MIB);
    // THEN the child returns in time, saying it is a FIFO
    expect(run.signal).toBeNull();
    expect(run.error).toBe(`--lock ${JSON.stringify(fifo)} is not a regular file (it is a FIFO)`);
  }, TEST_TIMEOUT_MS);

  test('a sparse file larger than the limit is refused by its size, naming the limit', () => {
    // GIVEN a sparse file one byte over 4 MiB (no disk used, and reading it would take the whole file into memory)
    const file = path.join(work, 'sparse.json');
    execFileSync('truncate', ['-s', String(4 * MIB + 1), file]);
    // WHEN it is read with a 4 MiB limit, in a child that is killed if it hangs
    const run = readIsolated(file, 'ImageLock.fromFile', 4 * MIB);
    // THEN the error says the limit
    expect(run.signal).toBeNull();
    expect(run.error).toBe(`ImageLock.fromFile ${JSON.stringify(file)} is larger than 4 MiB, the most read from it`);
  }, TEST_TIMEOUT_MS);
});

describe('CredentialValue', () => {
  test('fromFile and fromDockerConfigFile refuse a FIFO or /dev/zero at once, by name, instead of blocking or filling memory', () => {
    // GIVEN
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cred-'));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);

    // WHEN / THEN
    expect(() => CredentialValue.fromFile(fifo).resolve()).toThrow(/^CredentialValue.fromFile: file ".*fifo" is not a regular file \(it is a FIFO\)/);
    expect(() => CredentialValue.fromFile('/dev/zero').resolve()).toThrow(/^CredentialValue.fromFile: file "\/dev\/zero" is not a regular file \(it is a character device\)/);
    expect(() => RegistrySecret.fromDockerConfigFile(Testing.chart(), 'x', '/dev/zero')).toThrow(/^test\/x: docker config file "\/dev\/zero" is not a regular file/);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 5_000);
});

describe('ImageLock', () => {
  test('fromFile refuses /dev/zero at once instead of reading it until memory runs out', () => {
    // GIVEN /dev/zero WHEN it is given as the lock file
    const run = lockFromFileIsolated('/dev/zero');
    // THEN the child ends in time with one line that says what it is
    expect(run.signal).toBeNull();
    expect(run.error).toBe('ImageLock.fromFile: file "/dev/zero" is not a regular file (it is a character device); '
      + 'give the path of a lock file that check --pull --lock wrote');
  }, 15_000);

  test('fromFile refuses a FIFO at once instead of waiting for a writer', () => {
    // GIVEN a FIFO that nothing writes to
    const fifo = path.join(work, 'image-lock.fifo');
    execFileSync('mkfifo', [fifo]);
    // WHEN it is given as the lock file THEN the child ends in time, saying it is a FIFO
    const run = lockFromFileIsolated(fifo);
    expect(run.signal).toBeNull();
    expect(run.error).toMatch(/^ImageLock\.fromFile: file ".*lock\.fifo" is not a regular file \(it is a FIFO\)/);
  }, 15_000);

  test('fromFile refuses a lock larger than 16 MiB, naming the limit', () => {
    // GIVEN a sparse file one byte over 16 MiB
    const file = path.join(work, 'huge.lock.json');
    execFileSync('truncate', ['-s', String(16 * 1024 * 1024 + 1), file]);
    // WHEN it is given as the lock file THEN it is refused by its size
    const run = lockFromFileIsolated(file);
    expect(run.signal).toBeNull();
    expect(run.error).toMatch(/^ImageLock\.fromFile: file ".*huge\.lock\.json" is larger than 16 MiB, the most read from it; /);
  }, 15_000);
});

describe('SourceReader', () => {
  test('refuses a FIFO at once, naming what it is, without waiting for a writer', async () => {
    // GIVEN
    const fifo = path.join(work, 'manifests.yaml');
    execFileSync('mkfifo', [fifo]);
    const reader = new SourceReader({ name: fifo, path: fifo });

    // WHEN / THEN
    await expect(readAll(reader)).rejects.toThrow(/^is not a regular file \(it is a FIFO\); give a manifest file, a directory of them, or "-" for standard input$/);
    reader.close();
  }, 5_000);
});

describe('PrivateRegistryValidation caFiles: hostile files end at once', () => {
  /** the plugin made in a child node killed at 5 s, so that a hang or a memory blow-up fails only this test */
  const construct = (caFiles: string[]) =>
    runIsolated('new (load(\'cli/validation-plugin\').PrivateRegistryValidation)({ pull: true, caFiles: args[0] });', [caFiles], 5_000);

  test('/dev/zero is refused as not a regular file instead of read until memory runs out', () => {
    // GIVEN caFiles: [/dev/zero] WHEN the plugin is made THEN it ends at once with one line naming the property
    const run = construct(['/dev/zero']);
    expect(run.signal).toBeNull();
    expect(run.error).toBe('PrivateRegistryValidation properties: caFiles[0] "/dev/zero" is not a regular file (it is a character device)');
  }, 15_000);

  test('a FIFO is refused instead of waiting for a writer', () => {
    // GIVEN a FIFO nothing writes to
    const fifo = path.join(work, 'ca.fifo');
    spawnSync('mkfifo', [fifo]);
    // WHEN it is given in caFiles THEN the plugin is refused at once, saying it is a FIFO
    const run = construct([fifo]);
    expect(run.signal).toBeNull();
    expect(run.error).toBe(`PrivateRegistryValidation properties: caFiles[0] ${JSON.stringify(fifo)} is not a regular file (it is a FIFO)`);
  }, 15_000);
});
