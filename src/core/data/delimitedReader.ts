import * as fs from 'node:fs';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { READ_SIZE } from '../storage';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
export const COMMA = 0x2c;
export const TAB = 0x09;

/**
 * Receives cells without a string being made for each: the consumer decides which bytes deserve one (a number is
 * parsed straight from the bytes). `start`..`end` excludes the quotes; `escapedQuotes` says a "" is inside.
 */
export interface CellSink {
  cell(buffer: Buffer, start: number, end: number, escapedQuotes: boolean): void;
  endRecord(): void;
}

/** The text of a cell as a person would read it: UTF-8, with "" turned back into ". */
export function cellText(buffer: Buffer, start: number, end: number, escapedQuotes: boolean): string {
  const text = buffer.toString('utf8', start, end);
  return escapedQuotes ? text.replace(/""/g, '"') : text;
}

/** A part of a file: from byte `start` (a record's first byte) to `end` (exclusive; the end of the file if absent). */
export interface ByteRange {
  start: number;
  end?: number;
}

/**
 * Reads CSV or TSV (RFC 4180: quoted cells with "" for a quote and line breaks inside, LF or CRLF line ends) in
 * 1 MiB reads. Bytes are scanned directly; a cell cut by the end of a read is carried into the next one.
 */
export function readDelimitedFile(file: string, delimiter: number, sink: CellSink, onBytes?: (n: number) => void, range: ByteRange = { start: 0 }): void {
  const fd = fs.openSync(file, 'r');
  try {
    let work = Buffer.allocUnsafe(2 * READ_SIZE);
    let carried = 0;
    let consumed = range.start;
    let position = range.start;
    const state = { cellsInRecord: 0 };
    for (;;) {
      if (work.length - carried < READ_SIZE) {
        const bigger = Buffer.allocUnsafe(carried + 2 * READ_SIZE);
        work.copy(bigger, 0, 0, carried);
        work = bigger;
      }
      const wanted = range.end === undefined ? READ_SIZE : Math.min(READ_SIZE, range.end - position);
      const n = wanted > 0 ? fs.readSync(fd, work, carried, wanted, position) : 0;
      position += n;
      onBytes?.(n);
      const length = carried + n;
      const eof = n === 0;
      const view = work.subarray(0, length);
      const stop = parseCells(view, delimiter, sink, state, eof, consumed);
      if (eof) return;
      consumed += stop;
      // The unfinished cell moves to the front; everything before it has been delivered.
      view.copy(work, 0, stop, length);
      carried = length - stop;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The first record of a file (its header), or undefined if the first 1 MiB holds no complete record; and the
 * offset just after it.
 */
export function readFirstRecord(file: string, delimiter: number): { cells: string[]; end: number } | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    const n = fs.readSync(fd, buffer, 0, READ_SIZE, 0);
    const cells: string[] = [];
    let lastStop = 0;
    let end: number | undefined;
    const first: CellSink = {
      cell: (b, start, stop, escaped) => {
        if (end !== undefined) return;
        cells.push(cellText(b, start, stop, escaped));
        lastStop = stop;
      },
      // The record ends at the first line feed after its last cell (past a closing quote or a CR).
      endRecord: () => {
        if (end === undefined) end = buffer.indexOf(0x0a, lastStop) + 1;
      },
    };
    try {
      parseCells(buffer.subarray(0, n), delimiter, first, { cellsInRecord: 0 }, false, 0);
    } catch {
      return undefined;
    }
    return end ? { cells, end } : undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** Delivers every complete cell of `buffer` and returns where the first incomplete one starts. */
function parseCells(buffer: Buffer, delimiter: number, sink: CellSink, state: { cellsInRecord: number }, eof: boolean, offset: number): number {
  const end = buffer.length;
  let i = 0;
  while (i < end) {
    const cellStart = i;
    let contentEnd: number;
    let escaped = false;
    let k: number;
    if (buffer[i] === QUOTE) {
      let from = i + 1;
      for (;;) {
        const q = buffer.indexOf(QUOTE, from);
        if (q === -1 || (q + 1 >= end && !eof)) {
          if (eof) throw malformed(offset + cellStart, l10n.t('a quoted cell is never closed'));
          return cellStart;
        }
        if (q + 1 < end && buffer[q + 1] === QUOTE) {
          escaped = true;
          from = q + 2;
          continue;
        }
        contentEnd = q;
        break;
      }
      k = contentEnd + 1;
      if (k < end && buffer[k] === CR) k++;
      if (k >= end && !eof) return cellStart;
      if (k < end && buffer[k] !== delimiter && buffer[k] !== LF) throw malformed(offset + k, l10n.t('text follows a closing quote'));
      sink.cell(buffer, cellStart + 1, contentEnd, escaped);
    } else {
      k = i;
      while (k < end) {
        const b = buffer[k];
        if (b === delimiter || b === LF) break;
        k++;
      }
      if (k >= end && !eof) return cellStart;
      contentEnd = k;
      if (contentEnd > cellStart && buffer[contentEnd - 1] === CR && (k >= end || buffer[k] === LF)) contentEnd--;
      sink.cell(buffer, cellStart, contentEnd, false);
    }
    state.cellsInRecord++;
    if (k >= end || buffer[k] === LF) {
      sink.endRecord();
      state.cellsInRecord = 0;
    }
    i = k + 1;
  }
  // A record that ends with a delimiter and then the end of the file still has its last, empty cell.
  if (eof && state.cellsInRecord > 0) {
    sink.cell(buffer, end, end, false);
    sink.endRecord();
    state.cellsInRecord = 0;
  }
  return i;
}

function malformed(byte: number, what: string): MlopsError {
  return new MlopsError(l10n.t('Malformed CSV near byte {0}: {1}.', byte, what), l10n.t('Fix the file (quotes must be doubled inside a quoted cell), then snapshot it again.'), 'MALFORMED_CSV');
}
