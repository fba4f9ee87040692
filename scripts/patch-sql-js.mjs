// Gives the metadata store the database file that sql.js keeps in memory, without copying it.
//
// sql.js holds a database as a file in Emscripten's in-memory file system, which it does not expose. Its only way
// out is Database.export(), which makes a second full copy; its only way in copies the bytes it is given. For a
// 100 MB store that is 200 MB more at every fold and at every open. This adds one function to the module,
// `mlopsDatabaseFile(db)`, whose bytes() is a view of that file and whose adopt(buffer, used) makes a buffer the
// file. It is written against the exact minified build below (B is the file system's lookupPath; a file node keeps
// its bytes in Ua and its length in Wa, as MEMFS's write shows), so any other sql.js is refused, not guessed at.
//
// Runs as npm's postinstall and again before every build and test (scripts/prepare.mjs); patching twice is a no-op.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const VERSION = '1.16.0';
const ORIGINAL_SHA256 = '9b96118841c6edfdf53c6f388c1419d1f473cf469df6a6fc2864b386d60bdb5e';
const ANCHOR = 'k.Database=g};';
const ADDITION =
  'k.Database=g;k.mlopsDatabaseFile=function(d){var n=B("/"+d.filename).node;return{' +
  'bytes:function(){return n.Ua?n.Ua.subarray(0,n.Wa):new Uint8Array(0)},' +
  'adopt:function(b,u){n.Ua=b;n.Wa=u}}}};';

export function patchSqlJs(root) {
  const dir = path.join(root, 'node_modules', 'sql.js');
  const file = path.join(dir, 'dist', 'sql-wasm.js');
  const text = fs.readFileSync(file, 'utf8');
  if (text.includes('k.mlopsDatabaseFile=')) return;
  const version = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).version;
  const sha = createHash('sha256').update(text).digest('hex');
  if (version !== VERSION || sha !== ORIGINAL_SHA256) {
    throw new Error(
      `node_modules/sql.js is ${version}, but scripts/patch-sql-js.mjs was written for sql.js ${VERSION} ` +
        `(sha256 ${ORIGINAL_SHA256.slice(0, 12)}… of dist/sql-wasm.js, found ${sha.slice(0, 12)}…). ` +
        'Run npm ci to install the version in package-lock.json, or port the patch to the new build.',
    );
  }
  // Written beside and renamed, so an interrupted install never leaves half a module.
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text.replace(ANCHOR, ADDITION));
  fs.renameSync(tmp, file);
}

// node scripts/patch-sql-js.mjs [project folder, by default this one]
if (process.argv[1] === new URL(import.meta.url).pathname) {
  try {
    patchSqlJs(process.argv[2] ?? path.dirname(path.dirname(new URL(import.meta.url).pathname)));
  } catch (err) {
    console.error(`patch-sql-js: ${err.message}`);
    process.exit(1);
  }
}
