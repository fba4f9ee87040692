import * as fs from 'node:fs';
import * as path from 'node:path';
import { installPaths } from '../../../src/core/install';

/** The generator and transforms of scripts/drift-references.py, step for step, so the samples are the same doubles. */
class Xorshift32 {
  private x: number;
  constructor(seed: number) {
    this.x = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.x;
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    this.x = x;
    return x;
  }
  uniform(): number {
    const a = this.next() >>> 5;
    const b = this.next() >>> 6;
    return (a * 67108864 + b + 1) / 9007199254740992;
  }
}

export interface NumericSpec {
  kind: 'irwinhall' | 'pareto' | 'ties' | 'binary' | 'constant';
  n: number;
  seed: number;
  scale?: number;
  shift?: number;
  levels?: number;
  probability?: number;
}

export interface CategoricalSpec {
  n: number;
  seed: number;
  categories: string[];
  weights: number[];
}

export function numericSample(spec: NumericSpec): Float64Array {
  const g = new Xorshift32(spec.seed);
  const scale = spec.scale ?? 1;
  const shift = spec.shift ?? 0;
  const out = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) {
    let v: number;
    if (spec.kind === 'irwinhall') v = g.uniform() + g.uniform() + g.uniform() + g.uniform() - 2;
    else if (spec.kind === 'pareto') v = 1 / g.uniform() - 1;
    else if (spec.kind === 'ties') v = Math.floor(g.uniform() * spec.levels!);
    else if (spec.kind === 'binary') v = g.uniform() < spec.probability! ? 1 : 0;
    else v = 0;
    out[i] = v * scale + shift;
  }
  return out;
}

export function categoricalSample(spec: CategoricalSpec): string[] {
  const g = new Xorshift32(spec.seed);
  const cumulative: number[] = [];
  let total = 0;
  for (const w of spec.weights) {
    total += w;
    cumulative.push(total);
  }
  return Array.from({ length: spec.n }, () => {
    const u = g.uniform() * total;
    const k = cumulative.findIndex((c) => u < c);
    return spec.categories[k === -1 ? cumulative.length - 1 : k];
  });
}

export interface Reference {
  statistic: number | null;
  pValue: number;
}

export interface NumericCase {
  name: string;
  reference: NumericSpec;
  current: NumericSpec;
  ks: Reference;
  wasserstein: number;
  wassersteinNormalised: number;
  jensenshannon: number;
  psi: number;
  pooledDistinct: number;
  chisquare?: Reference;
  z?: Reference;
}

export interface CategoricalCase {
  name: string;
  reference: CategoricalSpec;
  current: CategoricalSpec;
  chisquare: Reference;
  jensenshannon: number;
  psi: number;
  z?: Reference;
}

export interface References {
  scipy: string;
  numeric: NumericCase[];
  categorical: CategoricalCase[];
  chiSquareSurvival: { x: number; df: number; sf: number }[];
  normalTwoSided: { z: number; p: number }[];
}

export function loadReferences(): References {
  const file = path.join(installPaths().root, 'test', 'fixtures', 'monitor', 'drift-references.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as References;
}

export function sorted(values: Float64Array): Float64Array {
  return values.slice().sort();
}
