// One way to read a file a user named: only a regular file, never more than a stated limit, and
// never waiting. `/dev/zero` would otherwise fill memory, and a FIFO would block until a writer came.
import { closeSync, constants, fstatSync, openSync, readSync, Stats } from 'fs';

const MIB = 1024 * 1024;
/** what one read asks the system for after the first, which is sized by the file */
const CHUNK_BYTES = 64 * 1024;

/** why a file was not read */
export enum BoundedReadFailure {
  /** nothing exists at the path (ENOENT, or ENOTDIR for a path through a file) */
  MISSING = 'missing',
  /** a directory, FIFO, socket or device */
  NOT_REGULAR = 'not-regular',
  /** more bytes than the limit */
  TOO_LARGE = 'too-large',
  /** the system refused to open or read it (permissions, I/O) */
  UNREADABLE = 'unreadable',
}

/** a file that {@link readRegularFile} refused; its message names the argument, the path and the reason */
export class BoundedReadError extends Error {
  constructor(
    message: string,
    /** why the file was not read */
    public readonly failure: BoundedReadFailure,
    /** the system's error code, e.g. `EACCES`, when the system refused */
    public readonly code?: string,
  ) {
    super(message);
    this.name = 'BoundedReadError';
  }
}

/**
 * The bytes of the regular file at `path`, at most `maxBytes` of them.
 *
 * The file is opened with `O_NONBLOCK`, so a FIFO with no writer does not wait, then checked with
 * `fstat` on that descriptor (no race with a rename), and at most `maxBytes + 1` bytes are read, so a
 * device or a file that grows while it is read ends at the limit.
 *
 * @param path the file, as the user gave it
 * @param what the argument that named it, for the error, e.g. `--ca-file` or `ImageLock.fromFile`
 * @param maxBytes the most bytes accepted
 * @throws BoundedReadError naming `what`, the path and the reason
 */
export function readRegularFile(path: string, what: string, maxBytes: number): Buffer {
  const name = `${what} ${JSON.stringify(path)}`;
  let fd: number;
  try {
    // eslint-disable-next-line no-bitwise
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e: any) {
    throw systemError(name, e);
  }
  try {
    let stats: Stats;
    try {
      stats = fstatSync(fd);
    } catch (e: any) {
      throw systemError(name, e);
    }
    if (!stats.isFile()) {
      throw new BoundedReadError(`${name} is not a regular file (it is ${kindOf(stats)})`, BoundedReadFailure.NOT_REGULAR);
    }
    const tooLarge = () => new BoundedReadError(
      `${name} is larger than ${formatBytes(maxBytes)}, the most read from it`, BoundedReadFailure.TOO_LARGE);
    if (stats.size > maxBytes) {
      throw tooLarge();
    }
    // the size is a hint only: the file may grow while it is read, so read until the end or the limit
    const chunks: Buffer[] = [];
    let total = 0;
    let next = stats.size + 1;
    while (total <= maxBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(next, maxBytes + 1 - total));
      let read: number;
      try {
        read = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e: any) {
        throw systemError(name, e);
      }
      if (read === 0) {
        break;
      }
      chunks.push(read === chunk.length ? chunk : chunk.subarray(0, read));
      total += read;
      next = CHUNK_BYTES;
    }
    if (total > maxBytes) {
      throw tooLarge();
    }
    return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  } finally {
    closeSync(fd);
  }
}

/** `bytes` as a limit is said, e.g. `4 MiB`, `512 KiB` or `100 bytes` */
export function formatBytes(bytes: number): string {
  if (bytes >= MIB && bytes % MIB === 0) {
    return `${bytes / MIB} MiB`;
  }
  if (bytes >= 1024 && bytes % 1024 === 0) {
    return `${bytes / 1024} KiB`;
  }
  return `${bytes} byte${bytes === 1 ? '' : 's'}`;
}

function systemError(name: string, e: any): BoundedReadError {
  const code: string | undefined = typeof e?.code === 'string' ? e.code : undefined;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new BoundedReadError(`${name} does not exist`, BoundedReadFailure.MISSING, code);
  }
  if (code === 'ENXIO') {
    // what open says of a socket
    return new BoundedReadError(`${name} is not a regular file (it is a socket or a device with nothing behind it)`, BoundedReadFailure.NOT_REGULAR, code);
  }
  if (code === 'EISDIR') {
    return new BoundedReadError(`${name} is not a regular file (it is a directory)`, BoundedReadFailure.NOT_REGULAR, code);
  }
  const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code ?? 'read error';
  return new BoundedReadError(`${name} cannot be read (${reason})`, BoundedReadFailure.UNREADABLE, code);
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) {
    return 'a directory';
  }
  if (stats.isFIFO()) {
    return 'a FIFO';
  }
  if (stats.isSocket()) {
    return 'a socket';
  }
  if (stats.isCharacterDevice()) {
    return 'a character device';
  }
  if (stats.isBlockDevice()) {
    return 'a block device';
  }
  return 'neither a file nor a directory';
}
