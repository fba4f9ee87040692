import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { syncFolder } from './durableFile';
import { hashFile, sha256 } from './hashing';

/** How digests are written wherever a person or another tool reads them: `sha256:<64 hex>`. */
export const DIGEST_PREFIX = 'sha256:';
const HEX = /^[0-9a-f]{64}$/;

export function toDigest(hex: string): string {
  return DIGEST_PREFIX + hex;
}

export function hexOf(digest: string): string {
  const hex = digest.startsWith(DIGEST_PREFIX) ? digest.slice(DIGEST_PREFIX.length) : digest;
  if (!HEX.test(hex)) throw new MlopsError(l10n.t('"{0}" is not a SHA-256 digest.', digest), l10n.t('A digest is `sha256:` followed by 64 hexadecimal digits.'));
  return hex;
}

/**
 * The content-addressed store of .mlops/cache (or a remote with the same layout): an object's path is its SHA-256,
 * `ab/cdef...`. Objects are written under a temporary name in `tmp/`, on the same file system, and renamed to
 * their final name only once complete and fsynced, so an interrupted write never leaves a wrong object behind.
 * Objects are read-only: a program that opens one to write by mistake fails instead of corrupting it.
 */
export class ObjectCache {
  constructor(readonly dir: string) {}

  pathOf(hex: string): string {
    return path.join(this.dir, hex.slice(0, 2), hex.slice(2));
  }

  has(hex: string): boolean {
    return fs.existsSync(this.pathOf(hex));
  }

  /** A fresh temporary path inside the cache, for a writer that does not know the hash yet. */
  temporaryPath(): string {
    const dir = path.join(this.dir, 'tmp');
    fs.mkdirSync(dir, { recursive: true });
    return path.join(dir, `${process.pid}-${randomBytes(8).toString('hex')}`);
  }

  /** Gives a complete, fsynced temporary file its final name. A second copy of an existing object is dropped. */
  /** Returns whether the object is new to the cache (false: it was there, and the temporary is dropped). */
  adopt(temporary: string, hex: string): boolean {
    const final = this.pathOf(hex);
    if (fs.existsSync(final)) {
      fs.rmSync(temporary, { force: true });
      return false;
    }
    fs.chmodSync(temporary, 0o444);
    fs.mkdirSync(path.dirname(final), { recursive: true });
    fs.renameSync(temporary, final);
    syncFolder(path.dirname(final));
    return true;
  }

  /** Stores small contents (manifests, profiles) and returns their hash. */
  putBytes(data: string | Uint8Array): string {
    const hex = sha256(data);
    if (this.has(hex)) return hex;
    const tmp = this.temporaryPath();
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    this.adopt(tmp, hex);
    return hex;
  }

  /** Reads a small object and checks it against its name. */
  readVerified(hex: string): Buffer {
    const file = this.pathOf(hex);
    if (!fs.existsSync(file)) throw missingObject(hex, this.dir);
    const data = fs.readFileSync(file);
    if (sha256(data) !== hex) throw corruptObject(file);
    return data;
  }

  /** Whether the object's bytes still match its name. */
  verify(hex: string): boolean {
    return hashFile(this.pathOf(hex)).sha256 === hex;
  }

  /** Every object's hash. Leftover temporaries are not objects. */
  *list(): Generator<string> {
    if (!fs.existsSync(this.dir)) return;
    for (const prefix of fs.readdirSync(this.dir)) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      for (const rest of fs.readdirSync(path.join(this.dir, prefix))) {
        if (HEX.test(prefix + rest)) yield prefix + rest;
      }
    }
  }

  remove(hex: string): void {
    fs.rmSync(this.pathOf(hex), { force: true });
  }
}

export function missingObject(hex: string, cacheDir: string): MlopsError {
  return new MlopsError(
    l10n.t('Object {0} is not in the cache {1}.', toDigest(hex), cacheDir),
    l10n.t('Run `mlops pull` to fetch it from the remote, or snapshot the data again.'),
    'MISSING_OBJECT',
  );
}

export function corruptObject(file: string): MlopsError {
  return new MlopsError(
    l10n.t('The cache object {0} is corrupted: its contents no longer match its hash.', file),
    l10n.t('Delete it, then run `mlops pull` to fetch a good copy from the remote, or snapshot the original data again.'),
    'CORRUPT_OBJECT',
  );
}
