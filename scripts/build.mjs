// Bundles the three faces with esbuild: the extension and the CLI for Node, each webview for the browser.
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const dist = path.join(root, 'dist');

/** Files the bundles read at run time, copied next to them. */
function copyAssets() {
  fs.mkdirSync(path.join(dist, 'sample'), { recursive: true });
  fs.copyFileSync(path.join(root, 'node_modules/vega-datasets/data/weather.csv'), path.join(dist, 'sample/weather.csv'));
  fs.copyFileSync(path.join(root, 'node_modules/sql.js/dist/sql-wasm.wasm'), path.join(dist, 'sql-wasm.wasm'));
  // The patched loader the store requires at run time (src/core/store/sqlJs.ts), beside the bundles.
  fs.copyFileSync(path.join(root, 'vendor/sql.js/sql-wasm.js'), path.join(dist, 'sql-wasm.js'));
}

const node = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
};

const webviewDir = path.join(root, 'webview');
const webviews = fs.existsSync(webviewDir)
  ? fs.readdirSync(webviewDir).filter((d) => fs.existsSync(path.join(webviewDir, d, 'main.ts')))
  : [];

const builds = [
  {
    ...node,
    entryPoints: { extension: 'src/extension/extension.ts' },
    external: ['vscode'],
    outdir: dist,
    banner: { js: 'var __mlopsLoadStart = performance.now();' },
  },
  {
    ...node,
    entryPoints: { cli: 'src/cli/main.ts' },
    outdir: dist,
    banner: { js: '#!/usr/bin/env node' },
  },
  { ...node, entryPoints: { hyparquet: 'scripts/hyparquet-entry.mjs' }, outdir: dist },
  ...(fs.existsSync(path.join(root, 'src/core/workers'))
    ? [{ ...node, entryPoints: Object.fromEntries(fs.readdirSync(path.join(root, 'src/core/workers'))
        .filter((f) => f.endsWith('.worker.ts'))
        .map((f) => [f.replace(/\.ts$/, ''), `src/core/workers/${f}`])), outdir: dist }]
    : []),
  ...webviews.map((name) => ({
    bundle: true,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    sourcemap: production ? false : 'linked',
    minify: production,
    logLevel: 'warning',
    entryPoints: { [name]: `webview/${name}/main.ts` },
    outdir: path.join(dist, 'webview'),
    loader: { '.css': 'css' },
  })),
];

process.chdir(root);
copyAssets();
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('watching for changes');
} else {
  const started = Date.now();
  await Promise.all(builds.map((options) => esbuild.build(options)));
  fs.chmodSync(path.join(dist, 'cli.js'), 0o755);
  console.log(`built ${builds.length} bundles in ${Date.now() - started} ms`);
}
