import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';

interface LockOwner {
  pid: number;
  host: string;
  time: string;
  nonce: string;
}

export interface LockOptions {
  /** How long to wait for a live holder before giving up. */
  timeoutMs?: number;
  /** A lock from another host cannot be checked by pid; past this age it is taken as abandoned. */
  foreignStaleMs?: number;
}

/**
 * The single-writer lock of the metadata store: a file created with O_EXCL that names its holder. A holder that
 * died (kill -9, crash) leaves it behind, so a waiter checks the pid and takes over a dead holder's lock.
 * Returns the function that releases it.
 */
export async function acquireLock(file: string, options: LockOptions = {}): Promise<() => void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const foreignStaleMs = options.foreignStaleMs ?? 10 * 60_000;
  const started = Date.now();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const me: LockOwner = { pid: process.pid, host: os.hostname(), time: new Date().toISOString(), nonce: randomBytes(8).toString('hex') };
  for (let attempt = 0; ; attempt++) {
    if (tryCreate(file, me)) return () => release(file, me.nonce);
    const holder = readOwner(file);
    if (holder === 'missing') continue;
    if (isAbandoned(file, holder, foreignStaleMs)) {
      breakLock(file, holder);
      continue;
    }
    if (Date.now() - started > timeoutMs) {
      const who = holder === 'unreadable' ? '?' : l10n.t('process {0} on {1} since {2}', holder.pid, holder.host, holder.time);
      throw new MlopsError(
        l10n.t('The metadata store is busy: {0} holds {1}.', who, file),
        l10n.t('Wait for that process to finish. If it is gone, delete {0}.', file),
        'STORE_LOCKED',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(100, 2 + attempt * 5)));
  }
}

function tryCreate(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeSync(fd, JSON.stringify(owner));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function readOwner(file: string): LockOwner | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw err;
  }
  try {
    const owner = JSON.parse(text) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.nonce === 'string' ? owner : 'unreadable';
  } catch {
    // Created but not yet written, or its writer died between the two.
    return 'unreadable';
  }
}

function isAbandoned(file: string, holder: LockOwner | 'unreadable', foreignStaleMs: number): boolean {
  if (holder === 'unreadable') {
    // A writer fills the file right after creating it; empty for seconds means it died in between.
    try {
      return Date.now() - fs.statSync(file).mtimeMs > 5_000;
    } catch {
      return false;
    }
  }
  if (holder.host !== os.hostname()) return Date.now() - Date.parse(holder.time) > foreignStaleMs;
  return !isProcessAlive(holder.pid);
}

/** Whether a process of this machine is running; EPERM means it is, under another user. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Several waiters may find the same dead holder. Renaming is atomic, so exactly one of them moves the lock aside;
 * it then checks it moved the dead holder's lock and not a fresh one created meanwhile, and puts a fresh one back.
 */
function breakLock(file: string, holder: LockOwner | 'unreadable'): void {
  const aside = `${file}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readOwner(aside);
  const wasTheDeadOne = holder === 'unreadable' ? moved === 'unreadable' : typeof moved === 'object' && moved.nonce === holder.nonce;
  if (!wasTheDeadOne) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // Someone took the free lock in between; the one we moved lost it, which its release will notice.
    }
  }
  fs.rmSync(aside, { force: true });
}

function release(file: string, nonce: string): void {
  const owner = readOwner(file);
  if (typeof owner === 'object' && owner.nonce === nonce) fs.rmSync(file, { force: true });
}
