// Makes vendor/sql.js/sql-wasm.js: sql.js's loader with one function added, which gives the metadata store the
// database file that sql.js keeps in memory, without copying it.
//
// sql.js holds a database as a file in Emscripten's in-memory file system, which it does not expose. Its only way
// out is Database.export(), which makes a second full copy; its only way in copies the bytes it is given. For a
// 100 MB store that is 200 MB more at every fold and at every open. This adds one function to the module,
// `mlopsDatabaseFile(db)`, whose bytes() is a view of that file and whose adopt(buffer, used) makes a buffer the
// file. It is written against the exact minified build below (B is the file system's lookupPath; a file node keeps
// its bytes in Ua and its length in Wa, as MEMFS's write shows), so any other sql.js is refused, not guessed at.
//
// The result is committed and pinned by its sha256 in src/core/store/sqlJs.ts; node_modules is never rewritten.
// Run this only to check the committed file or to port the patch to a new sql.js:
//   node scripts/patch-sql-js.mjs [project folder, by default this one]
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const VERSION = '1.16.0';
export const ORIGINAL_SHA256 = '9b96118841c6edfdf53c6f388c1419d1f473cf469df6a6fc2864b386d60bdb5e';
const ANCHOR = 'k.Database=g};';
const ADDITION =
  'k.Database=g;k.mlopsDatabaseFile=function(d){var n=B("/"+d.filename).node;return{' +
  'bytes:function(){return n.Ua?n.Ua.subarray(0,n.Wa):new Uint8Array(0)},' +
  'adopt:function(b,u){n.Ua=b;n.Wa=u}}}};';

/** The patched loader's text, from the sql.js installed under `root`; refuses any build but the one it was written for. */
export function patchedSqlJs(root) {
  const dir = path.join(root, 'node_modules', 'sql.js');
  const text = fs.readFileSync(path.join(dir, 'dist', 'sql-wasm.js'), 'utf8');
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  const sha = createHash('sha256').update(text).digest('hex');
  if (version !== VERSION || sha !== ORIGINAL_SHA256) {
    throw new Error(
      `node_modules/sql.js is ${version}, but scripts/patch-sql-js.mjs was written for sql.js ${VERSION} ` +
        `(sha256 ${ORIGINAL_SHA256.slice(0, 12)}… of dist/sql-wasm.js, found ${sha.slice(0, 12)}…). ` +
        'Run npm ci to install the version in package-lock.json, or port the patch to the new build.',
    );
  }
  return text.replace(ANCHOR, ADDITION);
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const root = process.argv[2] ?? path.dirname(path.dirname(new URL(import.meta.url).pathname));
  try {
    const text = patchedSqlJs(root);
    const target = path.join(root, 'vendor', 'sql.js', 'sql-wasm.js');
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Written beside and renamed, so an interrupted run never leaves half a module.
    fs.writeFileSync(`${target}.tmp`, text);
    fs.renameSync(`${target}.tmp`, target);
    console.log(`wrote ${path.relative(root, target)}, sha256 ${createHash('sha256').update(text).digest('hex')}`);
  } catch (err) {
    console.error(`patch-sql-js: ${err.message}`);
    process.exit(1);
  }
}
