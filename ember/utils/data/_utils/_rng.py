"""Random draws for samplers and loaders, made exactly as torch's samplers make them.

The public ``ember.randperm``/``ember.randint``/``ember.multinomial`` are used when present;
otherwise the same draws are taken straight from the generator (``ember._generator``), which
reproduces torch's CPU stream.
"""
from __future__ import annotations

from typing import List, Optional

import numpy as np

from .... import _generator


def _ember():
    import ember
    return ember


def generator_class():
    return getattr(_ember(), "Generator", _generator.Generator)


def default_generator():
    return getattr(_ember(), "default_generator", _generator.default_generator)


def _gen(generator):
    return default_generator() if generator is None else generator


def new_generator(seed: int):
    """A fresh generator seeded with ``seed`` (torch: ``Generator(); manual_seed(seed)``)."""
    g = generator_class()()
    g.manual_seed(seed)
    return g


def random_int64(generator=None) -> int:
    """``int(torch.empty((), dtype=torch.int64).random_(generator=generator).item())``."""
    return int(_gen(generator).random_((), np.int64).item())


def randperm(n: int, generator=None) -> List[int]:
    """``torch.randperm(n, generator=generator).tolist()``."""
    fn = getattr(_ember(), "randperm", None)
    if fn is not None:
        return fn(n, generator=generator).tolist()
    return _gen(generator).randperm(n).tolist()


def randint(high: int, size: int, generator=None) -> List[int]:
    """``torch.randint(high=high, size=(size,), dtype=torch.int64, generator=generator).tolist()``."""
    fn = getattr(_ember(), "randint", None)
    if fn is not None:
        return fn(high=high, size=(size,), generator=generator).tolist()
    return _gen(generator).randint(0, high, (size,)).tolist()


def multinomial(weights: np.ndarray, num_samples: int, replacement: bool,
                generator: Optional[object] = None) -> List[int]:
    """``torch.multinomial(weights, num_samples, replacement, generator=generator).tolist()``."""
    fn = getattr(_ember(), "multinomial", None)
    if fn is not None:
        from ...._tensor import _wrap
        return fn(_wrap(weights), num_samples, replacement, generator=generator).tolist()
    return _gen(generator).multinomial(weights, num_samples, replacement).tolist()


def rand1(generator=None) -> float:
    """``torch.rand(1, generator=generator).item()`` (a float32 draw)."""
    fn = getattr(_ember(), "rand", None)
    if fn is not None:
        return float(fn(1, generator=generator).item())
    return float(_gen(generator).uniform((1,), np.float32)[0])


def randint_range(low: int, high: int, generator=None) -> int:
    """``torch.randint(low, high, size=(1,), generator=generator).item()``."""
    fn = getattr(_ember(), "randint", None)
    if fn is not None:
        return int(fn(low, high, size=(1,), generator=generator).item())
    return int(_gen(generator).randint(low, high, (1,))[0])
