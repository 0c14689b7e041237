"""ember: PyTorch's autograd, ``nn``, ``optim`` and ``utils.data`` in pure Python on NumPy.

A PyTorch program runs unchanged with ``import ember as torch``.

>>> import ember as torch
>>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> y = (x * x).sum()
>>> y.backward()
>>> x.grad
tensor([2., 4., 6.])
"""
from __future__ import annotations

__version__ = "0.1.0"

from ._dtype import (dtype, float16, float32, float64, bfloat16, int8, int16, int32, int64, uint8,  # noqa: F401
                     bool, complex64, complex128, half, float, double, short, int, long, cfloat,
                     cdouble, chalf, get_default_dtype, set_default_dtype, promote_types,
                     result_type as _result_type, can_cast, finfo, iinfo)
from ._tensor import Tensor, Size, device, is_tensor, is_floating_point, is_complex, numel  # noqa: F401
from ._creation import *  # noqa: F401,F403
from ._ops import elementwise as _elementwise, reduction as _reduction, shape as _shape  # noqa: F401
from ._ops import indexing as _indexing, linalg as _linalg  # noqa: F401
from ._ops.elementwise import *  # noqa: F401,F403
from ._ops.reduction import *  # noqa: F401,F403
from ._ops.shape import *  # noqa: F401,F403
from ._ops.linalg import *  # noqa: F401,F403
from ._ops.indexing import *  # noqa: F401,F403
from ._ops.comparison import *  # noqa: F401,F403
from ._tensor_str import set_printoptions  # noqa: F401
from ._generator import Generator, default_generator  # noqa: F401
from . import random  # noqa: F401
from .random import manual_seed, seed, initial_seed, get_rng_state, set_rng_state  # noqa: F401
from ._random_ops import (rand, randn, randint, randperm, normal, bernoulli, multinomial,  # noqa: F401
                          rand_like, randn_like, randint_like, install as _install_random)

_install_random(Tensor)
from . import autograd  # noqa: F401
from ._misc import *  # noqa: F401,F403
from . import cuda, backends, amp  # noqa: F401
from .autograd import (no_grad, enable_grad, set_grad_enabled, is_grad_enabled,  # noqa: F401
                       inference_mode, is_inference_mode_enabled)

FloatTensor = DoubleTensor = LongTensor = IntTensor = BoolTensor = ByteTensor = HalfTensor = Tensor  # refined below


def result_type(tensor1, tensor2) -> dtype:
    """The dtype an op on these two operands gives (tensors or Python scalars)."""
    return _result_type(tensor1, tensor2)


def _legacy_ctor(dt):
    class _Legacy(Tensor):
        def __new__(cls, *args):
            t = Tensor(*args)
            return t.to(dt) if t.dtype is not dt else t
    _Legacy.__name__ = dt._legacy
    return _Legacy


FloatTensor = _legacy_ctor(float32)
DoubleTensor = _legacy_ctor(float64)
LongTensor = _legacy_ctor(int64)
IntTensor = _legacy_ctor(int32)
BoolTensor = _legacy_ctor(bool)
ByteTensor = _legacy_ctor(uint8)
HalfTensor = _legacy_ctor(float16)

# --- subpackages and feature modules ---
# NOTE: loaded on first use (``ember.nn``, ``import ember.nn``, ``from ember import nn`` all work),
# so ``import ember`` stays fast.
_LAZY_MODULES = {"nn", "optim", "utils", "func", "jit", "onnx", "distributed", "linalg",
                 "serialization", "vision", "viz", "examples"}
_LAZY_ATTRS = {"save": "serialization", "load": "serialization"}


def __getattr__(name: str):
    import importlib
    if name in _LAZY_MODULES:
        return importlib.import_module("." + name, __name__)
    if name in _LAZY_ATTRS:
        value = getattr(importlib.import_module("." + _LAZY_ATTRS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | _LAZY_MODULES | set(_LAZY_ATTRS))
