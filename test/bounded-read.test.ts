import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BoundedReadError, BoundedReadFailure, formatBytes, readRegularFile } from '../src/rules/bounded-read';

// FIFOs, /dev/zero and files over the limit, read in a child node: test/hostile-files.test.ts
const TEST_TIMEOUT_MS = 15_000;
const MIB = 1024 * 1024;

let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-pr-bounded-'));
});

afterAll(() => {
  fs.rmSync(work, { recursive: true, force: true });
});

describe('readRegularFile', () => {
  test('a regular file is read whole, up to and including the limit', () => {
    // GIVEN a file of exactly the limit
    const file = path.join(work, 'exact.pem');
    fs.writeFileSync(file, 'x'.repeat(1024));
    // WHEN it is read with that limit
    const bytes = readRegularFile(file, '--ca-file', 1024);
    // THEN every byte is returned
    expect(bytes.toString()).toBe('x'.repeat(1024));
  });

  test('an empty file is an empty buffer', () => {
    // GIVEN an empty file WHEN it is read THEN no bytes come back, and no error
    const file = path.join(work, 'empty');
    fs.writeFileSync(file, '');
    expect(readRegularFile(file, 'what', 10).length).toBe(0);
  });

  test('a huge sparse file is refused as fast as a small one', () => {
    // GIVEN a sparse file of 64 GiB
    const file = path.join(work, 'huge');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 64 * 1024 * MIB);
    // WHEN it is read THEN it is refused by its size, in the same process, with nothing read
    expect(() => readRegularFile(file, '--ca-file', MIB)).toThrow(/is larger than 1 MiB, the most read from it$/);
  }, TEST_TIMEOUT_MS);

  (process.platform === 'linux' ? test : test.skip)('a file whose size says 0 is still read only up to the limit', () => {
    // GIVEN /proc/self/status: a regular file whose fstat size is 0, though it holds about a KiB
    // WHEN it is read with a limit of 16 bytes, and with one of 1 MiB
    // THEN the limit holds though the size said less, and under the limit every byte is read
    expect(() => readRegularFile('/proc/self/status', 'what', 16)).toThrow('what "/proc/self/status" is larger than 16 bytes, the most read from it');
    expect(readRegularFile('/proc/self/status', 'what', MIB).toString()).toMatch(/^Name:/);
  });

  test('a missing file, a directory and an unreadable file each say why', () => {
    // GIVEN a path with nothing at it, a directory, and a file without read permission
    const missing = path.join(work, 'nothing-here');
    const locked = path.join(work, 'locked');
    fs.writeFileSync(locked, 'x');
    fs.chmodSync(locked, 0o000);
    // WHEN each is read THEN each error names the argument, the path and the reason, with its failure
    expect(failureOf(missing)).toEqual([BoundedReadFailure.MISSING, `--ca-file ${JSON.stringify(missing)} does not exist`]);
    expect(failureOf(work)).toEqual([BoundedReadFailure.NOT_REGULAR,
      `--ca-file ${JSON.stringify(work)} is not a regular file (it is a directory)`]);
    if (process.getuid?.() !== 0) {
      // root reads it anyway
      expect(failureOf(locked)).toEqual([BoundedReadFailure.UNREADABLE, `--ca-file ${JSON.stringify(locked)} cannot be read (permission denied)`]);
    }
  });

  test.each([
    [4 * MIB, '4 MiB'],
    [512 * 1024, '512 KiB'],
    [1000, '1000 bytes'],
    [1, '1 byte'],
  ])('a limit of %d bytes is said as %s', (bytes, said) => {
    expect(formatBytes(bytes)).toBe(said);
  });
});

function failureOf(file: string): [BoundedReadFailure, string] {
  try {
    readRegularFile(file, '--ca-file', MIB);
  } catch (e) {
    expect(e).toBeInstanceOf(BoundedReadError);
    return [(e as BoundedReadError).failure, (e as Error).message];
  }
  throw new Error(`${file} was read`);
}
