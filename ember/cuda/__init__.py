"""``torch.cuda`` on a CPU-only build: queries answer "no GPU", seeding is accepted, and anything
that needs a GPU raises the error CPU-only torch raises.

>>> import ember
>>> ember.cuda.is_available()
False
"""
from __future__ import annotations

from .. import _messages as M
from . import amp  # noqa: F401

__all__ = ["is_available", "device_count", "manual_seed", "manual_seed_all", "seed", "seed_all",
           "synchronize", "empty_cache", "current_device", "get_device_name", "set_device", "amp",
           "is_bf16_supported", "memory_allocated", "max_memory_allocated", "reset_peak_memory_stats",
           "device", "Stream", "Event"]


def is_available() -> bool:
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """Accepted and ignored (no GPU generator), as torch does without CUDA."""


def manual_seed_all(seed: int) -> None:
    """Accepted and ignored."""


def seed() -> None:
    pass


def seed_all() -> None:
    pass


def synchronize(device=None) -> None:
    _lazy_init()


def empty_cache() -> None:
    pass


def memory_allocated(device=None) -> int:
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def reset_peak_memory_stats(device=None) -> None:
    pass


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def _lazy_init():
    raise AssertionError(M.CUDA_UNAVAILABLE)


def current_device() -> int:
    _lazy_init()


def get_device_name(device=None) -> str:
    _lazy_init()


def get_device_properties(device=None):
    _lazy_init()


def get_device_capability(device=None):
    _lazy_init()


def set_device(device) -> None:
    _lazy_init()


class device:
    def __init__(self, device):
        self.idx = device

    def __enter__(self):
        _lazy_init()

    def __exit__(self, *a):
        pass


class Stream:
    def __init__(self, *a, **k):
        _lazy_init()


class Event:
    def __init__(self, *a, **k):
        _lazy_init()
