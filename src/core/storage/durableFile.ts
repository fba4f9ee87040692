import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFailure } from './fileErrors';

/** A name beside `file` that no other writer picks, so two processes never write the same temporary. */
export function temporaryNameBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Opens a new temporary beside `file` to write to; a failure names `file`, the path the user gave. */
export function openTemporaryBeside(file: string): { fd: number; tmp: string } {
  const tmp = temporaryNameBeside(file);
  try {
    return { fd: fs.openSync(tmp, 'wx'), tmp };
  } catch (err) {
    throw writeFailure(err, file);
  }
}

/**
 * Writes `file` so that a crash leaves either the old contents or the new ones, never a torn mix: the bytes go to
 * a temporary beside it, are fsynced, renamed over it, and the folder is fsynced so the rename itself survives.
 */
export function writeFileDurably(file: string, data: string | Uint8Array): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw writeFailure(err, file);
  }
  const { fd, tmp } = openTemporaryBeside(file);
  try {
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw writeFailure(err, file);
  }
  syncFolder(path.dirname(file));
}

/** Makes a rename into `dir` durable. Some platforms cannot open folders; there the rename is as durable as it gets. */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Windows refuses to fsync a directory handle; NTFS journals renames itself.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
