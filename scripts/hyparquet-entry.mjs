// hyparquet, its decompressors and its writer are ES modules only. The build bundles them into one CommonJS file,
// dist/hyparquet.js, which src/core/data/parquet.ts loads at run time: Node 20's require() of an ES module aborts
// the process now and then (a race in its loader), and the tsc-compiled tests would otherwise require() them.
export * from 'hyparquet';
export { compressors } from 'hyparquet-compressors';
export { parquetWriteBuffer } from 'hyparquet-writer';
