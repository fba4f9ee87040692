import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';

/** Lowercase hex SHA-256 of bytes or text held in memory. */
export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Files are read in 1 MiB pieces: large enough for the hash to run at full speed, small enough to keep memory flat. */
export const READ_SIZE = 1 << 20;

/** Bytes written between early flushes to disk. */
const FLUSH_EVERY = 64 * READ_SIZE;

export interface HashedFile {
  sha256: string;
  size: number;
}

/** The SHA-256 of a file, streamed. */
export function hashFile(file: string, onBytes?: (n: number) => void): HashedFile {
  const fd = fs.openSync(file, 'r');
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    let size = 0;
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, READ_SIZE, null);
      if (n === 0) break;
      hash.update(n === READ_SIZE ? buffer : buffer.subarray(0, n));
      size += n;
      onBytes?.(n);
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    fs.closeSync(fd);
  }
}

/** Buffers in the copy pipeline: one being hashed, one being read ahead, the rest being written. */
const PIPELINE_DEPTH = 4;

/**
 * Copies `source` to `target` (a new file), hashing the very bytes it writes, and fsyncs the copy. Reading once
 * serves both the hash and the copy, and since the hash is of what was written, a source that changes meanwhile
 * can never yield a copy whose name (chosen from this hash) lies about its contents. Reads ahead and writes run
 * on libuv's thread pool while this thread hashes, so the copy costs little more than the hash on two cores.
 */
export async function copyHashing(source: string, target: string, onBytes?: (n: number) => void): Promise<HashedFile> {
  const input = await fsp.open(source, 'r');
  let output: fsp.FileHandle | undefined;
  const writes: (Promise<void> | undefined)[] = new Array(PIPELINE_DEPTH);
  let flushing: Promise<void> | undefined;
  try {
    output = await fsp.open(target, 'wx', 0o644);
    const out = output;
    const buffers = Array.from({ length: PIPELINE_DEPTH }, () => Buffer.allocUnsafe(READ_SIZE));
    const hash = createHash('sha256');
    let size = 0;
    let unflushed = 0;
    let slot = 0;
    let reading = input.read(buffers[0], 0, READ_SIZE, null);
    for (;;) {
      const { bytesRead } = await reading;
      if (bytesRead === 0) break;
      const piece = buffers[slot].subarray(0, bytesRead);
      const next = (slot + 1) % PIPELINE_DEPTH;
      await writes[next];
      reading = input.read(buffers[next], 0, READ_SIZE, null);
      hash.update(piece);
      writes[slot] = writeAll(out, piece, size);
      size += bytesRead;
      unflushed += bytesRead;
      onBytes?.(bytesRead);
      // Flushing as we go, in the background, keeps the final fsync short and dirty pages few.
      if (unflushed >= FLUSH_EVERY && !flushing) {
        unflushed = 0;
        flushing = out.datasync().finally(() => (flushing = undefined));
      }
      slot = next;
    }
    await Promise.all(writes);
    await flushing;
    await out.sync();
    return { sha256: hash.digest('hex'), size };
  } finally {
    await Promise.allSettled(writes);
    await input.close();
    await output?.close();
  }
}

async function writeAll(handle: fsp.FileHandle, piece: Buffer, position: number): Promise<void> {
  for (let done = 0; done < piece.length; ) done += (await handle.write(piece, done, piece.length - done, position + done)).bytesWritten;
}

/**
 * Where the file system can share blocks (btrfs, XFS, APFS), a clone costs nothing and is independent of the
 * original, so it is cloned and the clone is hashed. Elsewhere (ext4, NTFS) it is copied while hashing.
 */
export async function cloneOrCopyHashing(source: string, target: string, onBytes?: (n: number) => void): Promise<HashedFile> {
  try {
    fs.copyFileSync(source, target, fs.constants.COPYFILE_FICLONE_FORCE | fs.constants.COPYFILE_EXCL);
  } catch {
    fs.rmSync(target, { force: true });
    return copyHashing(source, target, onBytes);
  }
  const hashed = hashFile(target, onBytes);
  const fd = fs.openSync(target, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return hashed;
}
