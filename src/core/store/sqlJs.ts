import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import { MlopsError } from '../errors';
import { installRoot } from '../install';
import { l10n } from '../l10n';
import { sha256 } from '../storage';

/** sha256 of vendor/sql.js/sql-wasm.js, the loader of sql.js 1.16.0 with the patch of scripts/patch-sql-js.mjs. */
export const PATCHED_SQLJS_SHA256 = 'c4d86314ce34894228b1d79e8c9f13250eb128a282c2b8efabcda52b8f4eb207';

/**
 * The in-memory file that holds a database, as the patched loader exposes it: reading and handing over its
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

/**
 * sql.js compiles its WebAssembly once per process; every store shares the module. The loader is the committed,
 * patched copy (never node_modules' own, which npm leaves as it installed it), checked against its pinned sha256.
 */
export function loadSqlJs(): Promise<SqlJs> {
  loading ??= Promise.resolve().then(() => {
    const loader = patchedLoaderPath();
    if (sha256Of(loader) !== PATCHED_SQLJS_SHA256) {
      throw new MlopsError(
        l10n.t('{0} is not the patched sql.js the metadata store needs.', loader),
        l10n.t('Reinstall MLOps Workbench; in a clone, restore the file with git checkout vendor/sql.js.'),
        'SQLJS_UNPATCHED',
      );
    }
    const initSqlJs = createRequire(__filename)(loader) as (config: { wasmBinary: ArrayBuffer }) => Promise<SqlJs>;
    return initSqlJs({ wasmBinary: toArrayBuffer(fs.readFileSync(wasmPath())) });
  });
  return loading;
}

/** The bundles have the loader copied beside them by the build; code compiled by tsc finds it in the repository. */
function patchedLoaderPath(): string {
  const besideBundle = path.join(__dirname, 'sql-wasm.js');
  return fs.existsSync(besideBundle) ? besideBundle : path.join(installRoot(), 'vendor', 'sql.js', 'sql-wasm.js');
}

function sha256Of(file: string): string {
  return sha256(fs.readFileSync(file));
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
