"""Anomaly mode: nodes remember the forward stack that made them; a failing backward warns with
it, and NaN gradients raise.

>>> import ember
>>> with ember.autograd.detect_anomaly():
...     pass
"""
from __future__ import annotations

from .grad_mode import STATE

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]


def is_anomaly_enabled() -> bool:
    return STATE.anomaly


def is_anomaly_check_nan_enabled() -> bool:
    return STATE.anomaly_nan


class detect_anomaly:
    """Context manager (and decorator) turning anomaly detection on."""

    def __init__(self, check_nan: bool = True):
        import warnings
        self.check_nan = check_nan
        self.prev = (STATE.anomaly, STATE.anomaly_nan)
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should only be enabled for debugging.",
            UserWarning, stacklevel=2)

    def __enter__(self):
        self.prev = (STATE.anomaly, STATE.anomaly_nan)
        STATE.anomaly, STATE.anomaly_nan = True, self.check_nan

    def __exit__(self, *a):
        STATE.anomaly, STATE.anomaly_nan = self.prev

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off (at once; as a context manager, restored on exit)."""

    def __init__(self, mode: bool, check_nan: bool = True):
        self.prev = (STATE.anomaly, STATE.anomaly_nan)
        STATE.anomaly, STATE.anomaly_nan = bool(mode), check_nan

    def __enter__(self):
        return self

    def __exit__(self, *a):
        STATE.anomaly, STATE.anomaly_nan = self.prev
