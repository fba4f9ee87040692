import type { Family } from '../train';

/**
 * One hyperparameter, searched on [0, 1] and decoded to its range: a log scale for rates and counts (the difference
 * between 10 and 20 trees matters as much as between 500 and 1,000), a linear one for fractions.
 */
export type Dimension =
  | { readonly name: string; readonly scale: 'log' | 'linear'; readonly low: number; readonly high: number; readonly integer?: boolean; readonly start: number }
  | { readonly name: string; readonly scale: 'choice'; readonly choices: readonly (string | boolean)[]; readonly start: string | boolean };

export interface FamilySpace {
  readonly family: Family;
  readonly dimensions: readonly Dimension[];
  /** Relative cost of fitting `params` on `rows` x `features`: a deterministic stand-in for seconds, so choices do not depend on the machine's speed. */
  cost(params: Readonly<Record<string, unknown>>, rows: number): number;
}

export interface ShapeOfData {
  readonly rows: number;
  readonly features: number;
  /** 0 for regression. */
  readonly classes: number;
}

/** k-NN keeps every training row and compares each prediction with all of them: beyond this it is not worth a trial. */
const KNN_MAX_ROWS = 20_000;

/**
 * The families AutoML searches for this data, each starting from its cheapest sensible configuration (few trees, few
 * iterations), FLAML's low-cost initial point: the local search then only moves to costlier regions when they score
 * better. Cheap families come first so a tiny budget still yields a model.
 */
export function searchSpaces(shape: ShapeOfData): FamilySpace[] {
  const p = Math.max(1, shape.features);
  const outputs = shape.classes > 2 ? shape.classes : 1;
  const classification = shape.classes > 0;
  const depth = (rows: number, minLeaf: number) => Math.max(1, Math.log2(Math.max(2, rows / minLeaf)));
  const num = (params: Readonly<Record<string, unknown>>, name: string) => params[name] as number;
  const spaces: FamilySpace[] = [
    {
      family: 'linear',
      dimensions: [classification ? { name: 'C', scale: 'log', low: 1e-3, high: 1e3, start: 1 } : { name: 'alpha', scale: 'log', low: 1e-4, high: 1e3, start: 1 }],
      cost: (_params, rows) => 30 * rows * p * outputs,
    },
    {
      family: 'gbdt',
      dimensions: [
        { name: 'maxIter', scale: 'log', low: 8, high: 1000, integer: true, start: 16 },
        { name: 'learningRate', scale: 'log', low: 0.01, high: 1, start: 0.1 },
        { name: 'maxLeafNodes', scale: 'log', low: 4, high: 256, integer: true, start: 15 },
        { name: 'minSamplesLeaf', scale: 'log', low: 2, high: 128, integer: true, start: 20 },
        { name: 'l2Regularization', scale: 'log', low: 1e-3, high: 10, start: 1e-3 },
      ],
      cost: (params, rows) => 2 * num(params, 'maxIter') * outputs * rows * p,
    },
    ...(['random_forest', 'extra_trees'] as const).map(
      (family): FamilySpace => ({
        family,
        dimensions: [
          { name: 'nEstimators', scale: 'log', low: 8, high: 256, integer: true, start: 16 },
          { name: 'maxFeatures', scale: 'linear', low: 0.05, high: 1, start: classification ? Math.min(1, Math.max(0.05, 1 / Math.sqrt(p))) : 1 },
          { name: 'minSamplesLeaf', scale: 'log', low: 1, high: 32, integer: true, start: 1 },
        ],
        cost: (params, rows) => num(params, 'nEstimators') * rows * Math.max(1, num(params, 'maxFeatures') * p) * depth(rows, num(params, 'minSamplesLeaf')),
      }),
    ),
  ];
  if (shape.rows <= KNN_MAX_ROWS) {
    spaces.push({
      family: 'knn',
      dimensions: [
        { name: 'k', scale: 'log', low: 1, high: 50, integer: true, start: 5 },
        { name: 'weights', scale: 'choice', choices: ['uniform', 'distance'], start: 'uniform' },
      ],
      cost: (_params, rows) => 0.2 * rows * rows * p,
    });
  }
  if (classification) {
    spaces.push({ family: 'naive_bayes', dimensions: [{ name: 'varSmoothing', scale: 'log', low: 1e-12, high: 1e-2, start: 1e-9 }], cost: (_params, rows) => rows * p * outputs });
  }
  return spaces.sort((a, b) => a.cost(decode(a, startPoint(a)), shape.rows) - b.cost(decode(b, startPoint(b)), shape.rows));
}

/** The configuration at a point of [0, 1]^d. Integers are rounded, so nearby points can decode alike. */
export function decode(space: FamilySpace, point: readonly number[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [i, d] of space.dimensions.entries()) {
    const u = Math.min(1, Math.max(0, point[i]));
    if (d.scale === 'choice') {
      params[d.name] = d.choices[Math.min(d.choices.length - 1, Math.floor(u * d.choices.length))];
      continue;
    }
    const value = d.scale === 'log' ? Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low))) : d.low + u * (d.high - d.low);
    // Rounded to 4 significant digits: the recorded configuration reads cleanly and refits to the same numbers.
    params[d.name] = d.integer ? Math.round(value) : Number(value.toPrecision(4));
  }
  return params;
}

/** The point of a configuration: the inverse of decode(). */
export function encode(space: FamilySpace, params: Readonly<Record<string, unknown>>): number[] {
  return space.dimensions.map((d) => {
    const v = params[d.name];
    if (d.scale === 'choice') return (d.choices.indexOf(v as string | boolean) + 0.5) / d.choices.length;
    const x = v as number;
    return d.scale === 'log' ? (Math.log(x) - Math.log(d.low)) / (Math.log(d.high) - Math.log(d.low)) : (x - d.low) / (d.high - d.low);
  });
}

export function startPoint(space: FamilySpace): number[] {
  return encode(space, Object.fromEntries(space.dimensions.map((d) => [d.name, d.start])));
}
