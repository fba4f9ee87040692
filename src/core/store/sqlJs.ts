import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import initSqlJs, { type Database, type SqlJsStatic } from 'sql.js';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';

/**
 * The in-memory file that holds a database, as scripts/patch-sql-js.mjs exposes it: reading and handing over its
 * bytes without the full copies that export() and the Database constructor make.
 */
export interface DatabaseFile {
  /** The file's bytes, not a copy: valid until the next statement writes to the database. */
  bytes(): Uint8Array;
  /** Makes `buffer` the file, its first `used` bytes the content; the rest is room to grow without reallocating. */
  adopt(buffer: Uint8Array, used: number): void;
}

export type SqlJs = SqlJsStatic & { mlopsDatabaseFile(db: Database): DatabaseFile };

let loading: Promise<SqlJs> | undefined;

/** sql.js compiles its WebAssembly once per process; every store shares the module. */
export function loadSqlJs(): Promise<SqlJs> {
  loading ??= initSqlJs({ wasmBinary: toArrayBuffer(fs.readFileSync(wasmPath())) }).then((sql) => {
    const patched = sql as Partial<SqlJs> & SqlJsStatic;
    if (typeof patched.mlopsDatabaseFile !== 'function') {
      throw new MlopsError(
        l10n.t('The installed sql.js lacks the patch the metadata store needs.'),
        l10n.t('Run npm ci in the extension folder (without --ignore-scripts), or node scripts/patch-sql-js.mjs.'),
        'SQLJS_UNPATCHED',
      );
    }
    return patched as SqlJs;
  });
  return loading;
}

/**
 * The bundles (dist/cli.js, dist/extension.js, workers) find the wasm copied beside them by the build; code compiled
 * by tsc to out/ finds it in node_modules.
 */
function wasmPath(): string {
  const besideBundle = path.join(__dirname, 'sql-wasm.wasm');
  // createRequire: resolved when run, not by esbuild, which has no file to bundle for a .wasm path.
  return fs.existsSync(besideBundle) ? besideBundle : createRequire(__filename).resolve('sql.js/dist/sql-wasm.wasm');
}

function toArrayBuffer(bytes: Buffer): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
