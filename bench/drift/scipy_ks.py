"""The peer of bench/drift/driftBench.ts: scipy's ks_2samp on each column of the same data, timed alone.

Reads the file the benchmark wrote (float64, reference columns then current columns, each `rows` long), then times
only the ks_2samp calls, not the reading: wall seconds, and CPU seconds (steadier on a shared machine). Prints one JSON line.
"""
import json
import sys
import time

import numpy as np
import scipy
from scipy import stats

path, columns, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = np.fromfile(path, dtype='<f8').reshape(2, columns, rows)
results = []
started = time.perf_counter()
cpu_started = time.process_time()
for j in range(columns):
    r = stats.ks_2samp(data[0, j], data[1, j])
    results.append({'statistic': float(r.statistic), 'pValue': float(r.pvalue)})
seconds = time.perf_counter() - started
cpu = time.process_time() - cpu_started
print(json.dumps({'scipy': scipy.__version__, 'seconds': seconds, 'cpu': cpu, 'columns': results}))
