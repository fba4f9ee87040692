import * as fs from 'node:fs';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';
import { READ_SIZE } from '../storage';

/** Reads a JSON lines file in 1 MiB reads, one object per line; blank lines are skipped. */
export function readJsonLines(file: string, onValue: (key: string, value: unknown) => void, onRow: () => void, onBytes?: (n: number) => void): void {
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(READ_SIZE);
    let pending = '';
    let line = 0;
    const handle = (text: string) => {
      line++;
      if (text.trim() === '') return;
      let row: unknown;
      try {
        row = JSON.parse(text);
      } catch {
        throw new MlopsError(l10n.t('{0}:{1}: not a JSON object.', file, line), l10n.t('JSON lines files hold one JSON object per line.'), 'MALFORMED_JSONL');
      }
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new MlopsError(l10n.t('{0}:{1}: not a JSON object.', file, line), l10n.t('JSON lines files hold one JSON object per line.'), 'MALFORMED_JSONL');
      }
      for (const [key, value] of Object.entries(row)) onValue(key, value);
      onRow();
    };
    const decoder = new TextDecoder('utf-8');
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, READ_SIZE, null);
      onBytes?.(n);
      const text = pending + decoder.decode(buffer.subarray(0, n), { stream: n > 0 });
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      for (const l of lines) handle(l);
      if (n === 0) break;
    }
    handle(pending);
  } finally {
    fs.closeSync(fd);
  }
}

