import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The folder MLOps Workbench is installed in (the extension folder, or the npm package for the CLI): the one
 * whose package.json is ours. Bundled and unbundled code sit at different depths below it, so search upwards.
 */
export function installRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'mlops-workbench') return dir;
      } catch {
        // an unreadable package.json is not ours; keep looking
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`MLOps Workbench's package.json was not found above ${from}`);
    dir = parent;
  }
}

export const installPaths = (root = installRoot()) => ({
  root,
  sample: path.join(root, 'dist', 'sample'),
  l10n: path.join(root, 'l10n'),
  schema: path.join(root, 'schemas', 'mlops.schema.json'),
  python: path.join(root, 'python'),
});

export function installedVersion(root = installRoot()): string {
  return (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
}
