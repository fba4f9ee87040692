import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProjectPaths } from '../workspace';
import { writeFileDurably } from '../storage';

/** What identifies a file's contents without reading them: if all three are unchanged, so is the file. */
export interface FileStat {
  size: number;
  /** Nanoseconds, as text: a double cannot hold them exactly. */
  mtimeNs: string;
  ino: string;
}

export function statOf(file: string): FileStat {
  const s = fs.statSync(file, { bigint: true });
  return { size: Number(s.size), mtimeNs: s.mtimeNs.toString(), ino: s.ino.toString() };
}

type Entry = [size: number, mtimeNs: string, ino: string, sha256: string];

/**
 * Remembers the hash of every file snapshotted, by project-relative path, with the stat it had when it was read,
 * so an unchanged file is never hashed twice. Machine-local (inodes mean nothing elsewhere): it lives in .mlops/,
 * which git ignores. A lost or damaged cache only costs a rehash.
 */
export class StatCache {
  private entries: Record<string, Entry> = {};
  private dirty = false;

  private constructor(private readonly file: string) {}

  static open(paths: ProjectPaths): StatCache {
    const cache = new StatCache(path.join(paths.state, 'data-stat-cache.json'));
    try {
      const parsed = JSON.parse(fs.readFileSync(cache.file, 'utf8')) as { schema?: number; entries?: Record<string, Entry> };
      if (parsed.schema === 1 && parsed.entries) cache.entries = parsed.entries;
    } catch {
      // absent or unreadable: start empty, files are hashed again
    }
    return cache;
  }

  /** The remembered hash if the file still has the stat it had when hashed. */
  lookup(relative: string, stat: FileStat): string | undefined {
    const e = this.entries[relative];
    return e && e[0] === stat.size && e[1] === stat.mtimeNs && e[2] === stat.ino ? e[3] : undefined;
  }

  remember(relative: string, stat: FileStat, sha256: string): void {
    const e = this.entries[relative];
    if (e && e[0] === stat.size && e[1] === stat.mtimeNs && e[2] === stat.ino && e[3] === sha256) return;
    this.entries[relative] = [stat.size, stat.mtimeNs, stat.ino, sha256];
    this.dirty = true;
  }

  save(): void {
    if (!this.dirty) return;
    writeFileDurably(this.file, JSON.stringify({ schema: 1, entries: this.entries }));
    this.dirty = false;
  }
}
