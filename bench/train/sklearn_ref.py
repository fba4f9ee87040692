"""scikit-learn side of bench/train: exports the five fixture datasets with fixed 5-fold assignments, and scores and
times HistGradientBoosting, RandomForest(100), Logistic/Ridge regression (the three the AutoML is held to), and
ExtraTrees, k-NN and GaussianNB (counterparts of the other built-in families) on those folds.

    /usr/bin/python3 bench/train/sklearn_ref.py --export   # (re)writes test/fixtures/datasets/* (CSV, folds, reference)
    /usr/bin/python3 bench/train/sklearn_ref.py            # prints the scores and timings as JSON for bench.ts
Run it with OMP_NUM_THREADS=1 for single-thread timings (trainBench.ts does). Times are CPU seconds of this process
(time.process_time), not wall time: the machine is shared, and CPU time is what other processes do not inflate.
"""
import json
import os
import sys
import time

import numpy as np
from sklearn import datasets
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..')
FIXTURES = os.path.join(ROOT, 'test', 'fixtures', 'datasets')
LOADERS = {
    'iris': (datasets.load_iris, 'classification'),
    'wine': (datasets.load_wine, 'classification'),
    'breast_cancer': (datasets.load_breast_cancer, 'classification'),
    'digits': (datasets.load_digits, 'classification'),
    'diabetes': (datasets.load_diabetes, 'regression'),
}


def models(task):
    if task == 'classification':
        return {
            'hgb': HistGradientBoostingClassifier(random_state=0),
            'rf': RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1),
            # Scaled so lbfgs converges; the TypeScript learner standardizes internally the same way.
            'linear': make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
            'extra_trees': ExtraTreesClassifier(n_estimators=100, random_state=0, n_jobs=1),
            'knn': make_pipeline(StandardScaler(), KNeighborsClassifier()),
            'naive_bayes': GaussianNB(),
        }
    return {
        'hgb': HistGradientBoostingRegressor(random_state=0),
        'rf': RandomForestRegressor(n_estimators=100, random_state=0, n_jobs=1),
        'linear': make_pipeline(StandardScaler(), Ridge(alpha=1.0)),
        'extra_trees': ExtraTreesRegressor(n_estimators=100, random_state=0, n_jobs=1),
        'knn': make_pipeline(StandardScaler(), KNeighborsRegressor()),
    }


def export():
    folds = {}
    for name, (load, task) in LOADERS.items():
        d = load()
        X, y = d.data, d.target
        cols = [str(c).replace(' ', '_') for c in (d.feature_names if hasattr(d, 'feature_names') else range(X.shape[1]))]
        with open(os.path.join(FIXTURES, f'{name}.csv'), 'w') as f:
            f.write(','.join(cols + ['target']) + '\n')
            for row, t in zip(X, y):
                f.write(','.join(repr(float(v)).rstrip('0').rstrip('.') if float(v) != int(v) else str(int(v)) for v in row))
                f.write(',' + (str(int(t)) if task == 'classification' else repr(float(t))) + '\n')
        splitter = StratifiedKFold(5, shuffle=True, random_state=0) if task == 'classification' else KFold(5, shuffle=True, random_state=0)
        assignment = np.zeros(len(y), dtype=int)
        for k, (_, test) in enumerate(splitter.split(X, y)):
            assignment[test] = k
        folds[name] = assignment.tolist()
    with open(os.path.join(FIXTURES, 'folds.json'), 'w') as f:
        json.dump(folds, f, separators=(',', ':'))
        f.write('\n')
    with open(os.path.join(FIXTURES, 'sklearn_reference.json'), 'w') as f:
        json.dump(run(), f, indent=1, sort_keys=True)
        f.write('\n')


def load_fixture(name):
    with open(os.path.join(FIXTURES, f'{name}.csv')) as f:
        data = np.loadtxt(f, delimiter=',', skiprows=1)
    return data[:, :-1], data[:, -1]


def run(timing=False):
    with open(os.path.join(FIXTURES, 'folds.json')) as f:
        folds = json.load(f)
    out = {'sklearn': __import__('sklearn').__version__, 'scores': {}}
    for name, (_, task) in LOADERS.items():
        X, y = load_fixture(name)
        assignment = np.array(folds[name])
        out['scores'][name] = {}
        for family, model in models(task).items():
            scores, fit_s = [], 0.0
            for k in range(5):
                tr, te = assignment != k, assignment == k
                t0 = time.process_time()
                model.fit(X[tr], y[tr])
                fit_s += time.process_time() - t0
                pred = model.predict(X[te])
                scores.append(accuracy_score(y[te], pred) if task == 'classification' else r2_score(y[te], pred))
            entry = {'metric': 'accuracy' if task == 'classification' else 'r2', 'score': round(float(np.mean(scores)), 4)}
            if timing:
                entry['fit_seconds'] = round(fit_s, 4)
            out['scores'][name][family] = entry
    return out


def scale(rows, cols):
    """Times HistGradientBoosting on the synthetic scale dataset bench.ts also generates (same formula)."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, cols))
    logit = X[:, 0] * 1.5 - X[:, 1] + 0.5 * X[:, 2] * X[:, 3] + np.sin(X[:, 4] * 2)
    y = (logit + rng.standard_normal(rows) * 0.5 > 0).astype(int)
    model = HistGradientBoostingClassifier(max_iter=100, early_stopping=False, random_state=0)
    t0 = time.process_time()
    model.fit(X, y)
    fit_s = time.process_time() - t0
    Xp = X[:100000]
    t0 = time.process_time()
    model.predict_proba(Xp)
    predict_s = time.process_time() - t0
    return {'fit_seconds': round(fit_s, 3), 'predict_100k_seconds': round(predict_s, 4), 'train_accuracy': round(float(model.score(X[:100000], y[:100000])), 4)}


if __name__ == '__main__':
    if '--export' in sys.argv:
        export()
    elif '--scale' in sys.argv:
        rows = int(sys.argv[sys.argv.index('--scale') + 1])
        print(json.dumps(scale(rows, 20)))
    else:
        print(json.dumps(run(timing=True)))
