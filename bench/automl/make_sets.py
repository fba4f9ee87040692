"""The AutoML bench's two generated sets, and scikit-learn's scores on them (bench/automl/automlBench.ts reads both).

    /usr/bin/python3 bench/automl/make_sets.py    # (re)writes bench/automl/sets/*

small.csv: 240 rows, a binary class from a non-linear mix of 5 numbers and a 4-valued category, 5 stratified folds.
timed.csv: 2,000 daily rows of a store's sales (a regression) with a trend, yearly and weekly seasonality, a
category and 3 numbers; scored on a time split: trained on the oldest 80% of the days, tested on the newest 20%.
scikit-learn sees what the AutoML sees: categories one-hot encoded, the date as its parts (year, month, day of
year, day of week). Everything is drawn from seeded generators, so the files are the same on every run.
"""
import json
import os

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sets')
TEST_SHARE = 0.2


def small():
    rng = np.random.default_rng(11)
    n = 240
    X = rng.standard_normal((n, 5))
    colour = rng.choice(['red', 'green', 'blue', 'grey'], n)
    effect = pd.Series(colour).map({'red': 0.8, 'green': -0.6, 'blue': 0.2, 'grey': -0.4}).to_numpy()
    logit = 1.2 * X[:, 0] - X[:, 1] + 0.8 * X[:, 2] * X[:, 3] + np.sin(2 * X[:, 4]) + effect
    y = np.where(logit + rng.standard_normal(n) * 0.7 > 0, 'yes', 'no')
    df = pd.DataFrame({f'x{j}': np.round(X[:, j], 4) for j in range(5)})
    df['colour'] = colour
    df['label'] = y
    return df


def timed():
    rng = np.random.default_rng(12)
    n = 2000
    dates = pd.date_range('2019-01-01', periods=n, freq='D')
    store = rng.choice(['north', 'south', 'east'], n)
    price = np.round(rng.uniform(5, 15, n), 2)
    promo = rng.integers(0, 2, n)
    temp = np.round(15 + 10 * np.sin(2 * np.pi * (dates.dayofyear - 100) / 365.25) + rng.standard_normal(n) * 3, 1)
    level = pd.Series(store).map({'north': 100, 'south': 130, 'east': 80}).to_numpy()
    weekly = np.where(dates.dayofweek >= 5, 25, 0)
    yearly = 15 * np.sin(2 * np.pi * dates.dayofyear / 365.25)
    sales = level + 0.02 * np.arange(n) + weekly + yearly - 4 * price + 20 * promo + 0.8 * temp + rng.standard_normal(n) * 8
    return pd.DataFrame({'date': dates.strftime('%Y-%m-%d'), 'store': store, 'price': price, 'promo': promo, 'temp': temp, 'sales': np.round(sales, 2)})


def design(df, target):
    X = df.drop(columns=[target])
    if 'date' in X:
        d = pd.to_datetime(X.pop('date'))
        X['date_year'], X['date_month'], X['date_doy'], X['date_dow'] = d.dt.year, d.dt.month, d.dt.dayofyear, d.dt.dayofweek
    return pd.get_dummies(X, dtype=float).to_numpy(dtype=float), df[target].to_numpy()


def models(classification):
    if classification:
        return {'hgb': HistGradientBoostingClassifier(random_state=0), 'rf': RandomForestClassifier(n_estimators=100, random_state=0, n_jobs=1),
                'linear': make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))}
    return {'hgb': HistGradientBoostingRegressor(random_state=0), 'rf': RandomForestRegressor(n_estimators=100, random_state=0, n_jobs=1),
            'linear': make_pipeline(StandardScaler(), Ridge(alpha=1.0))}


def main():
    os.makedirs(OUT, exist_ok=True)
    reference = {}
    df = small()
    df.to_csv(os.path.join(OUT, 'small.csv'), index=False)
    X, y = design(df, 'label')
    folds = np.zeros(len(y), dtype=int)
    for k, (_, test) in enumerate(StratifiedKFold(5, shuffle=True, random_state=0).split(X, y)):
        folds[test] = k
    reference['small'] = {'metric': 'accuracy', 'split': 'folds', 'folds': folds.tolist(), 'scores': {}}
    for name, model in models(True).items():
        scores = [accuracy_score(y[folds == k], model.fit(X[folds != k], y[folds != k]).predict(X[folds == k])) for k in range(5)]
        reference['small']['scores'][name] = round(float(np.mean(scores)), 4)

    df = timed()
    df.to_csv(os.path.join(OUT, 'timed.csv'), index=False)
    X, y = design(df, 'sales')
    test_rows = int(len(y) * TEST_SHARE)
    cut = len(y) - test_rows
    reference['timed'] = {'metric': 'r2', 'split': 'time', 'timestamp': 'date', 'testRows': test_rows, 'scores': {}}
    for name, model in models(False).items():
        reference['timed']['scores'][name] = round(float(r2_score(y[cut:], model.fit(X[:cut], y[:cut]).predict(X[cut:]))), 4)
    with open(os.path.join(OUT, 'reference.json'), 'w') as f:
        json.dump(reference, f, indent=1, sort_keys=True)
        f.write('\n')


if __name__ == '__main__':
    main()
