// The layers of src/core, bottom first: a folder may import the folders below it, only through their index.ts,
// and never one above it. docs/DEVELOPING.md draws the same order.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The base: files at the root of src/core and l10n/, which every layer may import. They import only each other. */
const BASE = 'base';
const LAYERS = [
  'storage', 'workspace', 'train', 'store', 'data', 'tracking', 'features', 'registry', 'models', 'automl', 'serve',
  'monitor', 'retrain', 'metadata', 'workers',
];

/** The layer a file of src/core belongs to: its folder, or the base for the files at the root and l10n/. */
function layerOf(file, coreDir) {
  const rel = path.relative(coreDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const parts = rel.split(path.sep);
  // An import names a file without its extension and a folder by its name: `./errors` is a file, `../storage` a folder.
  const baseFile = parts.length === 1 && (parts[0].endsWith('.ts') || fs.existsSync(path.join(coreDir, `${parts[0]}.ts`)));
  if (baseFile || parts[0] === 'l10n') return { name: BASE, rank: -1 };
  const rank = LAYERS.indexOf(parts[0]);
  return { name: parts[0], rank, depth: parts.length };
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'src/core folders import lower layers only, and only through their index.ts' },
    schema: [],
    messages: {
      upward: '{{from}} must not import {{to}}: {{to}} is a higher layer (order: base < {{order}}).',
      deep: 'Import {{to}} through its index ("{{index}}"), not its file "{{spec}}".',
      unknown: 'src/core/{{to}} is not in the layer order of eslint-rules/core-layers.cjs: add it there and to docs/DEVELOPING.md.',
      workers: 'Worker entry points (src/core/workers) are started by file name, never imported.',
    },
  },
  create(context) {
    const file = context.filename ?? context.getFilename();
    const coreDir = path.join(context.cwd ?? context.getCwd(), 'src', 'core');
    const from = layerOf(file, coreDir);
    if (!from) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const target = path.resolve(path.dirname(file), spec);
      const to = layerOf(target, coreDir);
      if (!to || to.name === from.name) return;
      if (to.name === BASE) return;
      if (from.name === BASE) return context.report({ node, messageId: 'upward', data: { from: 'the base', to: to.name, order: LAYERS.join(' < ') } });
      if (to.rank < 0) return context.report({ node, messageId: 'unknown', data: { to: to.name } });
      if (from.rank < 0) return context.report({ node, messageId: 'unknown', data: { to: from.name } });
      if (to.name === 'workers') return context.report({ node, messageId: 'workers' });
      if (to.rank > from.rank) return context.report({ node, messageId: 'upward', data: { from: from.name, to: to.name, order: LAYERS.join(' < ') } });
      if (to.depth > 1) {
        const index = path.relative(path.dirname(file), path.join(coreDir, to.name)) || '.';
        return context.report({ node, messageId: 'deep', data: { to: to.name, spec, index: index.startsWith('.') ? index : `./${index}` } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
    };
  },
};

module.exports = { rules: { 'core-layers': rule }, LAYERS };
