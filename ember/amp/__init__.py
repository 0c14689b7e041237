"""``torch.amp``: mixed precision is a pass-through here (computation stays in its dtype), so
scripts written for it run unchanged on the CPU.

>>> import ember
>>> with ember.autocast("cpu"):
...     y = ember.ones(2) * 2
>>> y.dtype
torch.float32
"""
from __future__ import annotations

import functools
import warnings

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd", "is_autocast_available"]


def is_autocast_available(device_type: str) -> bool:
    return device_type == "cpu"


class autocast:
    """Accepted everywhere torch accepts it; does not change dtypes."""

    def __init__(self, device_type: str = "cpu", dtype=None, enabled: bool = True, cache_enabled=None):
        self.device_type, self.fast_dtype, self._enabled = device_type, dtype, enabled

    def __enter__(self):
        return self

    def __exit__(self, *a):
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:
                return fn(*args, **kwargs)
        return wrapper


class GradScaler:
    """Loss scaling is unnecessary in float32 on the CPU: with CUDA unavailable it is disabled
    (with torch's warning), and ``scale``/``step``/``update`` pass through."""

    def __init__(self, device: str = "cuda", init_scale: float = 2.0 ** 16, growth_factor: float = 2.0,
                 backoff_factor: float = 0.5, growth_interval: int = 2000, enabled: bool = True):
        if enabled and device == "cuda":
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.", UserWarning, stacklevel=2)
            enabled = False
        self._enabled = enabled
        self._scale = init_scale

    def is_enabled(self) -> bool:
        return self._enabled

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer) -> None:
        pass

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None) -> None:
        pass

    def get_scale(self) -> float:
        return 1.0

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict) -> None:
        pass


def custom_fwd(fwd=None, *, device_type: str = "cpu", cast_inputs=None):
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd=None, *, device_type: str = "cpu"):
    if bwd is None:
        return lambda f: f
    return bwd
