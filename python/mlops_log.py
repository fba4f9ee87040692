"""Log metrics, params, tags and artifacts to MLOps Workbench from Python, with the standard library only.

Run your script with ``mlops run -- python train.py``: it sets MLOPS_LOG_FILE, and each call here appends one JSON
line to that file (the protocol in docs/tracking.md). Without MLOPS_LOG_FILE the calls do nothing, after one warning,
so the same script still runs on its own.

    import mlops_log
    mlops_log.log_param("lr", 0.01)
    for step in range(100):
        mlops_log.log_metric("loss", loss, step=step)
    mlops_log.log_artifact("model.pkl")
"""

import hashlib
import json
import math
import os
import time
import warnings

__all__ = ["log_metric", "log_metrics", "log_param", "log_params", "set_tag", "log_artifact", "log_input", "log_seed", "run_id"]

_state = {"warned": False, "fd": None, "fd_key": None}


def run_id():
    """The id of the run this process belongs to, or None outside ``mlops run``."""
    return os.environ.get("MLOPS_RUN_ID") or None


def _number(value):
    # JSON has no NaN or infinities; the log spells them as strings the store reads back.
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return value


def _descriptor(path):
    # A forked worker must not share its parent's descriptor bookkeeping, so the cache is per process.
    key = (os.getpid(), path)
    if _state["fd_key"] != key:
        _state["fd"] = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        _state["fd_key"] = key
    return _state["fd"]


def _write(record):
    path = os.environ.get("MLOPS_LOG_FILE")
    if not path:
        if not _state["warned"]:
            warnings.warn("mlops_log: MLOPS_LOG_FILE is not set, so nothing is logged. Run the script with `mlops run -- python ...`.", stacklevel=3)
            _state["warned"] = True
        return
    data = (json.dumps(record, allow_nan=False, default=str) + "\n").encode("utf-8")
    fd = _descriptor(path)
    # One write per line with O_APPEND: lines from several processes never interleave, and a returned call is on disk
    # as far as a crash of this process is concerned.
    while data:
        data = data[os.write(fd, data):]


def log_metric(key, value, step=None, timestamp=None):
    """Appends a point to the metric ``key``; ``step`` defaults to the number of points logged before it."""
    record = {"type": "metric", "key": str(key), "value": _number(value), "timestamp": timestamp if timestamp is not None else time.time() * 1000}
    if step is not None:
        record["step"] = int(step)
    _write(record)


def log_metrics(metrics, step=None):
    """Logs several metrics at one step: ``log_metrics({"loss": 0.3, "acc": 0.9}, step=10)``."""
    for key, value in metrics.items():
        log_metric(key, value, step=step)


def log_param(key, value):
    _write({"type": "param", "key": str(key), "value": value})


def log_params(params):
    for key, value in params.items():
        log_param(key, value)


def set_tag(key, value):
    _write({"type": "tag", "key": str(key), "value": str(value)})


def log_seed(value, name="seed"):
    _write({"type": "seed", "name": str(name), "value": value})


def log_input(kind, name, version, digest=None):
    """Records what the run read, e.g. ``log_input("dataset", "customers", "v3", "sha256:...")``."""
    record = {"type": "input", "kind": str(kind), "name": str(name), "version": str(version)}
    if digest is not None:
        record["digest"] = str(digest)
    _write(record)


def log_artifact(path):
    """Records a file the run produced, with its SHA-256 and size taken now."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    _write({"type": "artifact", "path": os.path.abspath(path), "sha256": digest.hexdigest(), "size": size})
