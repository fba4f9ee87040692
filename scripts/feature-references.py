#!/usr/bin/python3
"""Reference training sets for test/unit/features, computed by pandas (Debian's python3-pandas).

Point-in-time joins: pandas merge_asof(direction="backward", by=key, tolerance=ttl, allow_exact_matches=True) after
keeping, of the source rows of one entity sharing an event time, the one with the largest created time. Window
aggregates: brute force over each entity's rows in (t - window, t], summed one value after another in time order.
The generated data has ties on event time, entity rows exactly at a source row's time, rows exactly ttl old and
older, entities without rows, missing values, and both tables shuffled.

Run: /usr/bin/python3 scripts/feature-references.py   (writes test/fixtures/features/*.json)
"""
import json
import math
import os
import random

import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "features")
BASE = pd.Timestamp("2024-01-01T00:00:00")


def iso(ts):
    return ts.strftime("%Y-%m-%dT%H:%M:%S")


def generate(seed, with_created):
    rng = random.Random(seed)
    rows = []
    for k in range(12):
        key = f"e{k}"
        t = BASE + pd.Timedelta(hours=rng.randrange(0, 48))
        for _ in range(rng.randrange(3, 14)):
            t = t + pd.Timedelta(hours=rng.choice([6, 12, 24, 36, 48, 72, 96]))
            copies = 2 if with_created and rng.random() < 0.25 else 1
            for c in range(copies):
                x = None if rng.random() < 0.1 else round(rng.uniform(-5, 20), rng.choice([1, 2, 3]))
                n = rng.randrange(0, 60)
                city = None if rng.random() < 0.1 else rng.choice(["Lyon", "Oslo", "Lima", "Pune"])
                created = t + pd.Timedelta(minutes=10 * c + rng.randrange(0, 5))
                rows.append({"key": key, "event_timestamp": iso(t), "created": iso(created), "x": x, "n": n, "city": city})
    rng.shuffle(rows)
    source = pd.DataFrame(rows)
    if not with_created:
        source = source.drop(columns=["created"])

    entity_rows = []
    times = sorted(set(source["event_timestamp"]))
    for i in range(160):
        key = f"e{rng.randrange(0, 15)}"  # e12..e14 have no source rows
        r = rng.random()
        if r < 0.3:
            t = pd.Timestamp(rng.choice(times))  # exactly at some source row's time
        elif r < 0.45:
            t = pd.Timestamp(rng.choice(times)) + pd.Timedelta(days=2)  # exactly ttl after one
        else:
            t = BASE + pd.Timedelta(minutes=rng.randrange(0, 60 * 24 * 60))
        entity_rows.append({"key": key, "event_timestamp": iso(t), "label": i % 3})
    rng.shuffle(entity_rows)
    return source, pd.DataFrame(entity_rows)


def deduplicated(source, with_created):
    s = source.copy()
    s["_ts"] = pd.to_datetime(s["event_timestamp"])
    s["_row"] = range(len(s))
    by = ["key", "_ts"] + (["_created"] if with_created else []) + ["_row"]
    if with_created:
        s["_created"] = pd.to_datetime(s["created"])
    s = s.sort_values(by, kind="mergesort")
    return s.drop_duplicates(["key", "_ts"], keep="last")


def cell(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (np.floating, float)):
        return float(v)
    if isinstance(v, (np.integer, int)):
        return float(v)
    return v


def reference(source, entities, ttl, with_created):
    s = deduplicated(source, with_created)
    s["x2"] = s["x"] * 2 + s["n"]
    e = entities.copy()
    e["_ts"] = pd.to_datetime(e["event_timestamp"])
    e["_order"] = range(len(e))
    left = e.sort_values("_ts", kind="mergesort")
    right = s.sort_values("_ts", kind="mergesort")[["key", "_ts", "x", "n", "city", "x2"]]
    kwargs = {"tolerance": pd.Timedelta(ttl)} if ttl else {}
    joined = pd.merge_asof(left, right, on="_ts", by="key", direction="backward", allow_exact_matches=True, **kwargs)
    joined = joined.sort_values("_order")

    window = pd.Timedelta("3d")
    groups = {k: g.sort_values("_ts") for k, g in s.groupby("key")}
    aggregates = []
    for _, row in e.iterrows():
        g = groups.get(row["key"])
        if g is None:
            w = s.iloc[0:0]
        else:
            w = g[(g["_ts"] > row["_ts"] - window) & (g["_ts"] <= row["_ts"])]
        xs = [v for v in w["x"] if not math.isnan(v)]
        ns = [float(v) for v in w["n"]]
        total = 0.0
        for v in xs:
            total += v
        aggregates.append({
            "x_3d_sum": total,
            "x_3d_mean": (total / len(xs)) if xs else None,
            "n_3d_min": min(ns) if ns else None,
            "n_3d_max": max(ns) if ns else None,
            "rows_3d": float(len(w)),
            "x_3d_count": float(len(xs)),
            "city_3d_last": (None if len(w) == 0 or pd.isna(w["city"].iloc[-1]) else w["city"].iloc[-1]),
        })
    names = ["x", "n", "city", "x2", "x_3d_sum", "x_3d_mean", "n_3d_min", "n_3d_max", "rows_3d", "x_3d_count", "city_3d_last"]
    rows = []
    for (_, j), a in zip(joined.iterrows(), aggregates):
        rows.append([j["key"], j["event_timestamp"], str(j["label"])] + [cell(j[n]) for n in ["x", "n", "city", "x2"]] + [cell(a[n]) for n in names[4:]])
    return ["key", "event_timestamp", "label"] + [f"stats__{n}" for n in names], rows


def csv_text(frame):
    return frame.to_csv(index=False, na_rep="", float_format=None)


def main():
    os.makedirs(OUT, exist_ok=True)
    cases = []
    for name, seed, ttl, with_created in [("ttl-created", 13, "2d", True), ("no-ttl", 29, None, False)]:
        source, entities = generate(seed, with_created)
        columns, rows = reference(source, entities, ttl, with_created)
        cases.append({
            "name": name,
            "ttl": ttl,
            "created": with_created,
            "source_csv": csv_text(source),
            "entities_csv": csv_text(entities),
            "columns": columns,
            "rows": rows,
        })
    with open(os.path.join(OUT, "point-in-time.json"), "w") as f:
        json.dump({"generator": "scripts/feature-references.py", "pandas": pd.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


main()
