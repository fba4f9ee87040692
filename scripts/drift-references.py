#!/usr/bin/python3
"""Writes test/fixtures/monitor/drift-references.json: scipy's drift statistics on generated samples.

Run with Debian's /usr/bin/python3 (python3-scipy, python3-numpy). The samples come from a 32-bit xorshift and
transforms that use only +, -, *, / and floor, which round the same way in JavaScript, so the TypeScript tests
regenerate the very same doubles from the few parameters stored here instead of a megabyte of arrays.

The binning for Jensen-Shannon and PSI follows Evidently's get_binned_data: numeric columns with more than 20
distinct reference values get numpy's Sturges edges over both samples, others are counted by value; PSI first
replaces an empty share by min_nonzero / 1e6 when min_nonzero <= 1e-4, else by 1e-4.
"""
import json
import os
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

MASK = 0xFFFFFFFF


class Xorshift32:
    def __init__(self, seed):
        self.x = seed & MASK or 1

    def next(self):
        x = self.x
        x ^= (x << 13) & MASK
        x ^= x >> 17
        x ^= (x << 5) & MASK
        self.x = x
        return x

    def uniform(self):
        """(0, 1]: 53 random bits over 2^53, plus one ulp so 1/u stays finite."""
        a = self.next() >> 5
        b = self.next() >> 6
        return (a * 67108864 + b + 1) / 9007199254740992


def numeric_sample(spec):
    g = Xorshift32(spec['seed'])
    kind, n, scale, shift = spec['kind'], spec['n'], spec.get('scale', 1.0), spec.get('shift', 0.0)
    out = np.empty(n)
    for i in range(n):
        if kind == 'irwinhall':
            v = g.uniform() + g.uniform() + g.uniform() + g.uniform() - 2.0
        elif kind == 'pareto':
            v = 1.0 / g.uniform() - 1.0
        elif kind == 'ties':
            v = float(np.floor(g.uniform() * spec['levels']))
        elif kind == 'binary':
            v = 1.0 if g.uniform() < spec['probability'] else 0.0
        elif kind == 'constant':
            v = 0.0
        else:
            raise ValueError(kind)
        out[i] = v * scale + shift
    return out


def categorical_sample(spec):
    g = Xorshift32(spec['seed'])
    cumulative = []
    total = 0.0
    for w in spec['weights']:
        total += w
        cumulative.append(total)
    out = []
    for _ in range(spec['n']):
        u = g.uniform() * total
        k = next((k for k, c in enumerate(cumulative) if u < c), len(cumulative) - 1)
        out.append(spec['categories'][k])
    return out


def counts_by_value(ref, cur):
    keys = sorted(set(ref) | set(cur))
    rc = {k: 0 for k in keys}
    cc = {k: 0 for k in keys}
    for v in ref:
        rc[v] += 1
    for v in cur:
        cc[v] += 1
    return keys, np.array([rc[k] for k in keys], dtype=float), np.array([cc[k] for k in keys], dtype=float)


def binned_shares(ref, cur, numeric):
    if numeric and len(np.unique(ref)) > 20:
        edges = np.histogram_bin_edges(np.concatenate([ref, cur]), bins='sturges')
        return np.histogram(ref, edges)[0] / len(ref), np.histogram(cur, edges)[0] / len(cur)
    _, rc, cc = counts_by_value(list(ref), list(cur))
    return rc / len(ref), cc / len(cur)


def fill_empty(shares):
    shares = shares.copy()
    smallest = shares[shares != 0].min()
    np.place(shares, shares == 0, smallest / 1e6 if smallest <= 1e-4 else 1e-4)
    return shares


def psi(r, c):
    r, c = fill_empty(r), fill_empty(c)
    return float(np.sum((r - c) * np.log(r / c)))


def chisquare_by_value(ref, cur):
    _, rc, cc = counts_by_value(list(ref), list(cur))
    with np.errstate(divide='ignore'):
        result = stats.chisquare(cc, rc * (len(cur) / len(ref)))
    return {'statistic': none_if_inf(result.statistic), 'pValue': float(result.pvalue)}


def z_test(ref, cur):
    keys, rc, cc = counts_by_value(list(ref), list(cur))
    n1, n2 = len(ref), len(cur)
    p1, p2 = rc[0] / n1, cc[0] / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    return {'statistic': float(z), 'pValue': float(2 * stats.norm.sf(abs(z)))}


def none_if_inf(v):
    return None if np.isinf(v) else float(v)


NUMERIC_CASES = [
    ('small, shifted (exact KS, n1 != n2)', dict(kind='irwinhall', n=30, seed=11), dict(kind='irwinhall', n=40, seed=12, shift=0.6)),
    ('small, equal sizes (exact KS, n1 == n2)', dict(kind='irwinhall', n=50, seed=21), dict(kind='irwinhall', n=50, seed=22, shift=0.3)),
    ('small, tied values (exact KS with ties)', dict(kind='ties', levels=5, n=200, seed=31), dict(kind='ties', levels=5, n=300, seed=32, shift=0.0, scale=1.0)),
    ('medium, slightly shifted (exact KS)', dict(kind='irwinhall', n=3000, seed=41), dict(kind='irwinhall', n=5000, seed=42, shift=0.03)),
    ('medium, scaled (exact KS)', dict(kind='irwinhall', n=800, seed=51), dict(kind='irwinhall', n=900, seed=52, scale=1.3)),
    ('heavy-tailed', dict(kind='pareto', n=2000, seed=61), dict(kind='pareto', n=2500, seed=62, scale=1.1)),
    ('large, unchanged (asymptotic KS, Pelz-Good)', dict(kind='irwinhall', n=150000, seed=71), dict(kind='irwinhall', n=120000, seed=72)),
    ('large, nearly identical (asymptotic KS, Durbin matrix)', dict(kind='irwinhall', n=12000, seed=5), dict(kind='irwinhall', n=11000, seed=5)),
    ('large, small shift (asymptotic KS)', dict(kind='irwinhall', n=20000, seed=81), dict(kind='irwinhall', n=15000, seed=82, shift=0.01)),
    ('large, shifted (asymptotic KS, Smirnov tail)', dict(kind='irwinhall', n=30000, seed=91), dict(kind='irwinhall', n=25000, seed=92, shift=0.03)),
    ('large, heavy-tailed and scaled', dict(kind='pareto', n=40000, seed=101), dict(kind='pareto', n=12000, seed=102, scale=1.05)),
    ('large reference, tiny current (asymptotic KS, n <= 140)', dict(kind='irwinhall', n=20000, seed=111), dict(kind='irwinhall', n=100, seed=112, shift=0.1)),
    ('tied integers, few levels', dict(kind='ties', levels=4, n=1500, seed=121), dict(kind='ties', levels=4, n=1200, seed=122, shift=1.0)),
    ('binary', dict(kind='binary', probability=0.3, n=700, seed=131), dict(kind='binary', probability=0.38, n=600, seed=132)),
    ('all equal, same value', dict(kind='constant', n=500, seed=141, shift=2.0), dict(kind='constant', n=400, seed=142, shift=2.0)),
    ('all equal, different values', dict(kind='constant', n=500, seed=151, shift=2.0), dict(kind='constant', n=400, seed=152, shift=2.5)),
]

CATEGORICAL_CASES = [
    ('categories, same mix', dict(n=900, seed=201, categories=['a', 'b', 'c', 'd'], weights=[0.4, 0.3, 0.2, 0.1]), dict(n=800, seed=202, categories=['a', 'b', 'c', 'd'], weights=[0.4, 0.3, 0.2, 0.1])),
    ('categories, one vanished', dict(n=900, seed=211, categories=['a', 'b', 'c', 'd'], weights=[0.4, 0.3, 0.2, 0.1]), dict(n=800, seed=212, categories=['a', 'b', 'c'], weights=[0.45, 0.35, 0.2])),
    ('categories, one new and one vanished', dict(n=3000, seed=221, categories=['north', 'south', 'east', 'west'], weights=[0.25, 0.25, 0.25, 0.25]), dict(n=2000, seed=222, categories=['north', 'south', 'east', 'centre'], weights=[0.3, 0.3, 0.3, 0.1])),
    ('categories, rare values', dict(n=5000, seed=231, categories=['x', 'y', 'z'], weights=[0.9998, 0.0001, 0.0001]), dict(n=5000, seed=232, categories=['x', 'y'], weights=[0.99, 0.01])),
    ('two categories', dict(n=600, seed=241, categories=['yes', 'no'], weights=[0.5, 0.5]), dict(n=500, seed=242, categories=['yes', 'no'], weights=[0.6, 0.4])),
]


TAIL_CASES = [(3.841458820694124, 1), (0.5, 3), (100.0, 10), (2000.0, 1500), (1200.0, 1500), (700.0, 2), (1e-3, 40)]


def ks_reference(ref, cur):
    result = stats.ks_2samp(ref, cur)
    return {'statistic': float(result.statistic), 'pValue': float(result.pvalue)}


def numeric_case(name, ref_spec, cur_spec):
    ref, cur = numeric_sample(ref_spec), numeric_sample(cur_spec)
    r, c = binned_shares(ref, cur, True)
    distinct = len(np.unique(np.concatenate([ref, cur])))
    case = {
        'name': name, 'reference': ref_spec, 'current': cur_spec,
        'ks': ks_reference(ref, cur),
        'wasserstein': float(stats.wasserstein_distance(ref, cur)),
        'wassersteinNormalised': float(stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)),
        'jensenshannon': float(distance.jensenshannon(r, c)),
        'psi': psi(r, c),
        'pooledDistinct': distinct,
    }
    if 2 <= distinct <= 50:
        case['chisquare'] = chisquare_by_value(ref, cur)
    if distinct == 2:
        case['z'] = z_test(ref, cur)
    return case


def categorical_case(name, ref_spec, cur_spec):
    ref, cur = categorical_sample(ref_spec), categorical_sample(cur_spec)
    _, rc, cc = counts_by_value(ref, cur)
    r, c = rc / len(ref), cc / len(cur)
    case = {
        'name': name, 'reference': ref_spec, 'current': cur_spec,
        'chisquare': chisquare_by_value(ref, cur),
        'jensenshannon': float(distance.jensenshannon(r, c)),
        'psi': psi(r, c),
    }
    if len(rc) == 2:
        case['z'] = z_test(ref, cur)
    return case


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = os.path.join(root, 'test', 'fixtures', 'monitor', 'drift-references.json')
    os.makedirs(os.path.dirname(out), exist_ok=True)
    data = {
        'generator': 'scripts/drift-references.py',
        'scipy': scipy.__version__, 'numpy': np.__version__,
        'numeric': [numeric_case(*c) for c in NUMERIC_CASES],
        'categorical': [categorical_case(*c) for c in CATEGORICAL_CASES],
        # The tails the p-values come from, far out where 1 - cdf would have lost every digit.
        'chiSquareSurvival': [{'x': x, 'df': df, 'sf': float(stats.chi2.sf(x, df))} for x, df in TAIL_CASES],
        'normalTwoSided': [{'z': z, 'p': float(2 * stats.norm.sf(z))} for z in (0.1, 1.96, 5.0, 12.0, 30.0)],
    }
    with open(out, 'w') as f:
        json.dump(data, f, indent=1)
        f.write('\n')
    print(f'wrote {out}', file=sys.stderr)


if __name__ == '__main__':
    main()
