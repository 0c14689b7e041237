"""``torch.random``: seeding and state of the default CPU generator.

>>> import ember.random as random
>>> _ = random.manual_seed(0)
>>> random.initial_seed()
0
"""
from __future__ import annotations

import contextlib
import warnings
from typing import Generator as _PyGenerator, Iterable, Optional

from . import _generator
from ._generator import Generator

__all__ = ["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "fork_rng",
           "default_generator", "Generator"]

default_generator = _generator.default_generator


def manual_seed(seed: int) -> Generator:
    """Seed the default generator and return it (``torch.manual_seed``).

    >>> manual_seed(3).initial_seed()
    3
    """
    return _generator.default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator from OS entropy and return the seed (``torch.seed``)."""
    return _generator.default_generator.seed()


def initial_seed() -> int:
    """The default generator's initial seed (``torch.initial_seed``).

    >>> _ = manual_seed(7); initial_seed()
    7
    """
    return _generator.default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor of torch's layout (5056 bytes).

    >>> len(get_rng_state())
    5056
    """
    return _generator.default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator's state (from ember or from torch)."""
    _generator.default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Optional[Iterable] = None, enabled: bool = True,
             _caller: str = "fork_rng", _devices_kw: str = "devices",
             device_type: str = "cuda") -> _PyGenerator[None, None, None]:
    """Save the CPU generator's state and restore it on exit (``torch.random.fork_rng``).

    Only the CPU generator exists in ember, so ``devices`` must be empty or omitted.

    >>> _ = manual_seed(0)
    >>> with fork_rng():
    ...     _ = manual_seed(123)
    >>> initial_seed()
    0
    """
    if not enabled:
        yield
        return
    if devices:
        warnings.warn(f"{_caller}: ember has no {device_type} devices; only the CPU RNG is "
                      "forked", stacklevel=3)
    state = _generator.default_generator.get_state_bytes()
    try:
        yield
    finally:
        _generator.default_generator.set_state(state)
