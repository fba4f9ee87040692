import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import initSqlJs, { type SqlJsStatic } from 'sql.js';

let loading: Promise<SqlJsStatic> | undefined;

/** sql.js compiles its WebAssembly once per process; every store shares the module. */
export function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= initSqlJs({ wasmBinary: toArrayBuffer(fs.readFileSync(wasmPath())) });
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
