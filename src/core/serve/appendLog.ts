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
 * An append-only JSON-lines file with group commit: lines appended while a write is under way wait and go out
 * together in the next single write, so many concurrent requests cost one system call instead of one each. A
 * line's promise settles once the line is in the file, which is when the server may answer its request: a `kill -9`
 * then loses no answered request, since the kernel already holds the bytes.
 *
 * Files: `<name>.jsonl` (active), `<name>.<n>.jsonl` (rotated, n increasing).
 */
export class AppendLog {
  private handle: fs.promises.FileHandle | undefined;
  private size = 0;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (err: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;

  constructor(readonly dir: string, readonly name: string, private readonly options: AppendLogOptions) {}

  get activeFile(): string {
    return path.join(this.dir, `${this.name}.jsonl`);
  }

  /** `line` must be one JSON text without a newline. */
  append(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push(line + '\n');
      this.waiters.push({ resolve, reject });
      this.writing ??= this.drain().finally(() => (this.writing = undefined));
    });
  }

  /** Waits for every appended line to be written, then closes the file. */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async drain(): Promise<void> {
    while (this.pending.length) {
      const lines = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        const handle = await this.open();
        const bytes = Buffer.from(lines.join(''), 'utf8');
        let written = 0;
        while (written < bytes.length) written += (await handle.write(bytes, written, bytes.length - written)).bytesWritten;
        if (this.options.fsync) await handle.datasync();
        this.size += bytes.length;
        for (const w of waiters) w.resolve();
        if (this.size >= this.options.maxBytes) await this.rotate();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
  }

  private async open(): Promise<fs.promises.FileHandle> {
    if (!this.handle) {
      await fs.promises.mkdir(this.dir, { recursive: true });
      this.handle = await fs.promises.open(this.activeFile, 'a');
      this.size = (await this.handle.stat()).size;
    }
    return this.handle;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    const rotated = rotatedFiles(this.dir, this.name);
    const next = (rotated.at(-1)?.index ?? 0) + 1;
    await fs.promises.rename(this.activeFile, path.join(this.dir, `${this.name}.${next}.jsonl`));
    const keep = Math.max(0, this.options.maxFiles - 1);
    const all = [...rotated, { index: next }];
    for (const old of all.slice(0, Math.max(0, all.length - keep))) await fs.promises.rm(path.join(this.dir, `${this.name}.${old.index}.jsonl`), { force: true });
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
