import * as fs from 'node:fs';
import * as path from 'node:path';
import { l10n } from '../l10n';
import type { JournalRecord, PendingRecord, StoreRecord } from './capability';

/**
 * Appends records as JSON lines. Each call is one write(2) on a file opened with O_APPEND, so once it returns the
 * record survives the death of this process; `sync()` makes it survive a power cut too.
 */
export class JournalWriter {
  private fd: number | undefined;

  constructor(readonly file: string) {}

  /**
   * With `afterTornLine`, first ends a line another writer left unfinished (killed mid-write), so that line is
   * reported and skipped on its own instead of swallowing this record. Only safe when no one else is writing.
   */
  append(records: readonly StoreRecord[], options: { afterTornLine?: boolean } = {}): void {
    if (records.length === 0) return;
    if (this.fd === undefined) {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = fs.openSync(this.file, 'a+');
    }
    let text = options.afterTornLine && !endsWithNewline(this.fd) ? '\n' : '';
    for (const r of records) text += JSON.stringify(r) + '\n';
    fs.writeSync(this.fd, text);
  }

  sync(): void {
    if (this.fd !== undefined) fs.fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function endsWithNewline(fd: number): boolean {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

export interface JournalProblem {
  journal: string;
  line: number;
  message: string;
}

export interface TailChunk {
  records: PendingRecord[];
  problems: JournalProblem[];
  /** Byte offset and line count just past the last complete line of this chunk. */
  offset: number;
  line: number;
}

const CHUNK_BYTES = 16 * 1024 * 1024;

/**
 * Reads the complete lines of `file` from `offset` on, in chunks so a large tail never sits in memory whole. A last
 * line without its newline is a writer still writing, or one killed mid-line: it is left for later, never an error.
 * `overrides` are forced onto every record (a run's log can only speak about that run).
 */
export function* readJournalTail(
  file: string,
  name: string,
  offset: number,
  line: number,
  overrides?: Readonly<Record<string, unknown>>,
): Generator<TailChunk> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    const size = fs.fstatSync(fd).size;
    let carry = Buffer.alloc(0);
    let position = offset;
    while (position < size) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - position));
      const read = fs.readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) break;
      position += read;
      const bytes = carry.length ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read);
      const end = bytes.lastIndexOf(0x0a);
      if (end === -1) {
        carry = bytes;
        continue;
      }
      carry = Buffer.from(bytes.subarray(end + 1));
      const chunk: TailChunk = { records: [], problems: [], offset: position - carry.length, line };
      for (const text of bytes.toString('utf8', 0, end).split('\n')) {
        chunk.line++;
        const parsed = parseLine(text);
        if (typeof parsed === 'string') {
          if (parsed) chunk.problems.push({ journal: name, line: chunk.line, message: parsed });
          continue;
        }
        chunk.records.push({ record: overrides ? { ...parsed, ...overrides } : parsed, source: { journal: name, line: chunk.line } });
      }
      line = chunk.line;
      yield chunk;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** A record, or why the line is not one ('' for a blank line, which is no mistake). */
function parseLine(text: string): JournalRecord | string {
  if (text.trim() === '') return '';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return l10n.t('not a JSON line ({0})', (err as Error).message);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return l10n.t('not a JSON object');
  if (typeof (value as JournalRecord).type !== 'string') return l10n.t('no "type" field');
  return value as JournalRecord;
}
