import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export interface AppendLogOptions {
  /** The active file is rotated once it holds this many bytes. */
  maxBytes: number;
  /** Files kept, the active one included; the oldest rotated file goes first. */
  maxFiles: number;
  /** fsync every batch: survives a power cut, not only a crash of the server, at the cost of throughput. */
  fsync: boolean;
}

/**
 * An append-only JSON-lines file with group commit: the lines appended during one turn of the event loop go out
 * together in one write at the end of the turn, so many concurrent requests cost one system call instead of one
 * each. A line's promise settles once the line is in the file, which is when the server may answer its request: a
 * `kill -9` then loses no answered request, since the kernel already holds the bytes. The write is synchronous: a
 * few kilobytes into the page cache take microseconds, less than a round trip through libuv's thread pool.
 *
 * Files: `<name>.jsonl` (active), `<name>.<n>.jsonl` (rotated, n increasing).
 */
export class AppendLog {
  private fd: number | undefined;
  private size = 0;
  private pending: string[] = [];
  private waiters: ((err?: unknown) => void)[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(readonly dir: string, readonly name: string, private readonly options: AppendLogOptions) {}

  get activeFile(): string {
    return path.join(this.dir, `${this.name}.jsonl`);
  }

  /** `line` must be one JSON text without a newline. */
  append(line: string): Promise<void> {
    return new Promise((resolve, reject) => this.write(line, (err) => (err === undefined ? resolve() : reject(err))));
  }

  /** As append(), with a callback: the server's hot path spares a promise per line. */
  write(line: string, done: (err?: unknown) => void): void {
    this.pending.push(line);
    this.waiters.push(done);
    this.scheduled ??= setImmediate(() => this.commit());
  }

  /**
   * Writes what is pending now rather than at the end of the turn: work that itself runs at the end of a turn (the
   * server's batches of predictions) would otherwise wait a whole turn more for its lines to reach the file.
   */
  commit(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    if (this.pending.length === 0) return;
    const lines = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    try {
      const fd = this.open();
      const bytes = Buffer.from(lines.join('\n') + '\n', 'utf8');
      let written = 0;
      while (written < bytes.length) written += fs.writeSync(fd, bytes, written, bytes.length - written);
      if (this.options.fsync) fs.fdatasyncSync(fd);
      this.size += bytes.length;
      if (this.size >= this.options.maxBytes) this.rotate();
    } catch (err) {
      for (const done of waiters) done(err);
      return;
    }
    for (const done of waiters) done();
  }

  /** Writes what is pending, then closes the file. */
  close(): Promise<void> {
    this.commit();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    return Promise.resolve();
  }

  private open(): number {
    if (this.fd === undefined) {
      fs.mkdirSync(this.dir, { recursive: true });
      this.fd = fs.openSync(this.activeFile, 'a');
      this.size = fs.fstatSync(this.fd).size;
    }
    return this.fd;
  }

  private rotate(): void {
    fs.closeSync(this.fd!);
    this.fd = undefined;
    const rotated = rotatedFiles(this.dir, this.name);
    const next = (rotated.at(-1)?.index ?? 0) + 1;
    fs.renameSync(this.activeFile, path.join(this.dir, `${this.name}.${next}.jsonl`));
    const keep = Math.max(0, this.options.maxFiles - 1);
    const all = [...rotated, { index: next }];
    for (const old of all.slice(0, Math.max(0, all.length - keep))) fs.rmSync(path.join(this.dir, `${this.name}.${old.index}.jsonl`), { force: true });
  }
}

/** The rotated files of a log, oldest first. */
export function rotatedFiles(dir: string, name: string): { index: number; file: string }[] {
  if (!fs.existsSync(dir)) return [];
  const pattern = new RegExp(`^${name}\\.(\\d+)\\.jsonl$`);
  return fs
    .readdirSync(dir)
    .map((f) => ({ match: pattern.exec(f), f }))
    .filter((x) => x.match)
    .map((x) => ({ index: Number(x.match![1]), file: path.join(dir, x.f) }))
    .sort((a, b) => a.index - b.index);
}

/** Every file of a log in the order its lines were written: the rotated ones, then the active one. */
export function logFiles(dir: string, name: string): string[] {
  const active = path.join(dir, `${name}.jsonl`);
  return [...rotatedFiles(dir, name).map((r) => r.file), ...(fs.existsSync(active) ? [active] : [])];
}

/** The lines of a file, read in chunks: memory stays at one chunk and one line whatever the file's size. */
export async function* fileLines(file: string, signal?: AbortSignal): AsyncGenerator<string> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const chunk = Buffer.alloc(1 << 20);
    // A chunk can end inside a multi-byte character: the decoder keeps its first bytes for the next chunk.
    const decoder = new StringDecoder('utf8');
    let rest = '';
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const text = rest + decoder.write(chunk.subarray(0, bytesRead));
      const lines = text.split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line) yield line;
    }
    // A last line without its newline is a write cut short: it was never acknowledged, so it is not a record.
  } finally {
    await handle.close();
  }
}
