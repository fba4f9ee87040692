import { checkCancelled } from './fitting';

/**
 * Limited-memory BFGS for the smooth convex objectives of the linear models, with a backtracking (Armijo) line
 * search. `objective` returns the value at x and writes the gradient into `grad`.
 */
export interface LbfgsOptions {
  readonly maxIter: number;
  /** Stop when the largest gradient component falls below this (scikit-learn's pgtol). */
  readonly tol: number;
  readonly signal?: AbortSignal;
  readonly onIteration?: (iteration: number) => void;
}

const MEMORY = 10;

export function minimizeLbfgs(objective: (x: Float64Array, grad: Float64Array) => number, x0: Float64Array, options: LbfgsOptions): Float64Array {
  const d = x0.length;
  let x = x0.slice();
  let g = new Float64Array(d);
  let fx = objective(x, g);
  const sList: Float64Array[] = [];
  const yList: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(MEMORY);
  const direction = new Float64Array(d);
  const xNew = new Float64Array(d);
  let gNew = new Float64Array(d);
  for (let it = 0; it < options.maxIter; it++) {
    checkCancelled(options.signal);
    if (maxAbs(g) < options.tol) break;
    // Two-loop recursion: direction = -H g with H the implicit inverse-Hessian estimate.
    for (let j = 0; j < d; j++) direction[j] = -g[j];
    for (let m = sList.length - 1; m >= 0; m--) {
      alpha[m] = rho[m] * dot(sList[m], direction);
      axpy(-alpha[m], yList[m], direction);
    }
    if (sList.length > 0) {
      const last = sList.length - 1;
      const gamma = dot(sList[last], yList[last]) / dot(yList[last], yList[last]);
      for (let j = 0; j < d; j++) direction[j] *= gamma;
    } else {
      const norm = Math.sqrt(dot(g, g));
      for (let j = 0; j < d; j++) direction[j] /= Math.max(norm, 1);
    }
    for (let m = 0; m < sList.length; m++) {
      const beta = rho[m] * dot(yList[m], direction);
      axpy(alpha[m] - beta, sList[m], direction);
    }
    let slope = dot(g, direction);
    if (slope >= 0) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      sList.length = yList.length = rho.length = 0;
      for (let j = 0; j < d; j++) direction[j] = -g[j];
      slope = -dot(g, g);
    }
    let step = 1;
    let fNew = Infinity;
    for (let tries = 0; tries < 40; tries++) {
      for (let j = 0; j < d; j++) xNew[j] = x[j] + step * direction[j];
      fNew = objective(xNew, gNew);
      if (fNew <= fx + 1e-4 * step * slope) break;
      step /= 2;
    }
    if (!(fNew < fx)) break;
    const s = new Float64Array(d);
    const y = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      s[j] = xNew[j] - x[j];
      y[j] = gNew[j] - g[j];
    }
    const sy = dot(s, y);
    if (sy > 1e-12) {
      if (sList.length === MEMORY) {
        sList.shift();
        yList.shift();
        rho.shift();
      }
      sList.push(s);
      yList.push(y);
      rho.push(1 / sy);
    }
    const converged = Math.abs(fx - fNew) <= 1e-12 * Math.max(1, Math.abs(fx));
    x = xNew.slice();
    [g, gNew] = [gNew, g];
    fx = fNew;
    options.onIteration?.(it + 1);
    if (converged) break;
  }
  return x;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let j = 0; j < x.length; j++) y[j] += a * x[j];
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
