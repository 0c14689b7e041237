"""Random tensor functions (``torch.rand``, ``randn``, ``randint``, ``randperm``, ``normal``,
``bernoulli``, ``multinomial``, the ``*_like`` forms) and the in-place sampling methods
(``Tensor.uniform_``, ``normal_``, ``exponential_``, ``bernoulli_``, ``random_``,
``geometric_``, ``cauchy_``, ``log_normal_``).

All numbers come from :mod:`ember._generator`, which reproduces PyTorch's CPU generator; this
module only handles arguments, dtypes and the order in which values are written.

>>> import ember
>>> _ = ember.manual_seed(0)
>>> ember.rand(3)
tensor([0.4963, 0.7682, 0.0885])
"""
from __future__ import annotations

import builtins
import numbers
from typing import Optional, Sequence, Tuple

import numpy as np

from . import _dtype as D
from . import _generator as G
from ._tensor import Tensor, _wrap

__all__ = ["rand", "randn", "randint", "randperm", "normal", "bernoulli", "multinomial",
           "rand_like", "randn_like", "randint_like", "install"]

_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
                "bool": "Bool", "complex64": "ComplexFloat", "complex128": "ComplexDouble"}


# ----------------------------------------------------------------------------- helpers
def _gen(generator) -> G.Generator:
    return G.default_generator if generator is None else generator


def _size(size) -> Tuple[int, ...]:
    """Sizes given as ints, one tuple/list/Size, or nothing."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    elif len(size) == 1 and isinstance(size[0], Tensor):
        size = size[0]._data.tolist()
        if isinstance(size, int):
            size = [size]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = s.item()
        if not isinstance(s, numbers.Integral) or isinstance(s, builtins.bool):
            raise TypeError(f"rand(): argument 'size' must be tuple of ints, but found element "
                            f"of type {type(s).__name__}")
        s = int(s)
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, size))}]")
        out.append(s)
    return tuple(out)


def _check_device(device) -> None:
    if device is None:
        return
    t = getattr(device, "type", None) or str(device).split(":")[0]
    if t not in ("cpu", "meta"):
        raise RuntimeError(f"{t} device is not available in ember (CPU only)")


def _gen_dtype(dt):
    """What the generator takes for an ember dtype (bfloat16 is rounded, stored as float32)."""
    return "bfloat16" if dt is D.bfloat16 else D.to_np(dt)


def _name(dt) -> str:
    return _TORCH_NAMES.get(getattr(dt, "name", str(dt)), str(dt))


def _tensor_dtype(t: Tensor):
    d = getattr(t, "dtype", None)
    return d if d is not None else D.from_np(t._data.dtype)


def _result(arr: np.ndarray, requires_grad: bool, out: Optional[Tensor] = None) -> Tensor:
    if out is not None:
        if tuple(out._data.shape) != tuple(arr.shape):
            out._data = np.empty(arr.shape, out._data.dtype)  # resize, like torch's out=
        out._check_inplace()
        out._data[...] = arr
        out._bump_version()
        return out
    t = _wrap(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t.requires_grad_(True)
    return t


def _iter_perm(arr: np.ndarray) -> Tuple[int, ...]:
    """Axis order (outermost first) in which torch's TensorIterator visits ``arr``.

    TensorIterator walks an output in memory order: the axis with the smallest stride is the
    innermost one.
    """
    strides = [abs(s) if n > 1 else 0 for s, n in zip(arr.strides, arr.shape)]
    return tuple(sorted(range(arr.ndim), key=lambda i: -strides[i]))


def _write(self: Tensor, values: np.ndarray) -> Tensor:
    """Write ``values`` (in torch's iteration order) into ``self`` in place."""
    data = self._data
    if data.flags.c_contiguous or data.ndim <= 1:
        data[...] = values.reshape(data.shape)
    else:
        perm = _iter_perm(data)
        view = data.transpose(perm)
        view[...] = values.reshape(view.shape)
    self._bump_version()
    return self


def _in_iter_order(self: Tensor, arr: np.ndarray) -> np.ndarray:
    """``arr`` (shaped like ``self``) flattened in the order torch's iterator visits ``self``."""
    data = self._data
    if data.flags.c_contiguous or data.ndim <= 1:
        return arr.reshape(-1)
    return np.ascontiguousarray(arr.transpose(_iter_perm(data))).reshape(-1)


def _require_float(self: Tensor, kernel: str) -> None:
    if self._data.dtype.kind != "f":
        raise RuntimeError(f"\"{kernel}\" not implemented for '{_name(_tensor_dtype(self))}'")


# ----------------------------------------------------------------------------- in-place methods
def uniform_(self: Tensor, from_: float = 0, to: float = 1, *, generator=None, **kw) -> Tensor:
    """Fill with samples from U[from, to) (``Tensor.uniform_``)."""
    if "from" in kw:
        from_ = kw.pop("from")
    self._check_inplace()
    if self._data.dtype.kind != "f":
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for "
                           f"'{_name(_tensor_dtype(self))}'")
    if self._data.size == 0:
        return self
    v = _gen(generator).uniform(self._data.size, _gen_dtype(_tensor_dtype(self)), from_, to)
    return _write(self, v)


def normal_(self: Tensor, mean: float = 0, std: float = 1, *, generator=None) -> Tensor:
    """Fill with samples from N(mean, std**2) (``Tensor.normal_``)."""
    self._check_inplace()
    _require_float(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    if self._data.size == 0:
        return self
    contiguous = bool(self._data.flags.c_contiguous)
    v = _gen(generator).normal(self._data.size, _gen_dtype(_tensor_dtype(self)), mean, std,
                               contiguous=contiguous)
    return _write(self, v)


def exponential_(self: Tensor, lambd: float = 1, *, generator=None) -> Tensor:
    """Fill with samples from Exp(lambd) (``Tensor.exponential_``)."""
    self._check_inplace()
    if self._data.dtype.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{_tensor_dtype(self)}")
    if self._data.size == 0:
        return self
    v = _gen(generator).exponential(self._data.size, _gen_dtype(_tensor_dtype(self)), lambd)
    return _write(self, v)


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with samples from Geometric(p) (``Tensor.geometric_``)."""
    self._check_inplace()
    if self._data.size == 0:
        return self
    v = _gen(generator).geometric(self._data.size, _gen_dtype(_tensor_dtype(self)), p)
    return _write(self, v)


def cauchy_(self: Tensor, median: float = 0, sigma: float = 1, *, generator=None) -> Tensor:
    """Fill with samples from Cauchy(median, sigma) (``Tensor.cauchy_``)."""
    self._check_inplace()
    _require_float(self, "cauchy_cpu")
    if self._data.size == 0:
        return self
    v = _gen(generator).cauchy(self._data.size, _gen_dtype(_tensor_dtype(self)), median, sigma)
    return _write(self, v)


def log_normal_(self: Tensor, mean: float = 1, std: float = 2, *, generator=None) -> Tensor:
    """Fill with samples from LogNormal(mean, std) (``Tensor.log_normal_``)."""
    self._check_inplace()
    _require_float(self, "log_normal_cpu")
    if self._data.size == 0:
        return self
    v = _gen(generator).log_normal(self._data.size, _gen_dtype(_tensor_dtype(self)), mean, std)
    return _write(self, v)


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples, 1 with probability ``p`` (a float or a tensor).

    ``p`` as a tensor is broadcast to ``self``'s shape; it draws a float uniform unless ``p``
    is float64, like torch.
    """
    self._check_inplace()
    if self._data.size == 0:
        return self
    g = _gen(generator)
    dt = _gen_dtype(_tensor_dtype(self))
    if isinstance(p, Tensor):
        pa = np.broadcast_to(p._data, self._data.shape)
        if pa.dtype.kind != "f":
            pa = pa.astype(np.float32)
        v = g.bernoulli(np.ascontiguousarray(_in_iter_order(self, pa)), None, dt)
    else:
        v = g.bernoulli(float(p), self._data.size, dt)
    return _write(self, v)


def random_(self: Tensor, *args, generator=None, **kwargs) -> Tensor:
    """Fill with integers: ``random_()``, ``random_(to)``, ``random_(from, to)`` (torch's rules)."""
    self._check_inplace()
    frm = kwargs.pop("from", None)
    to = kwargs.pop("to", None)
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if len(args) == 1 and frm is None and to is None:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    elif len(args) == 1:
        low, high = args[0], to
    else:
        low, high = frm, to
        if low is None and high is not None:
            low = 0
    if self._data.size == 0:
        return self
    g = _gen(generator)
    dt = _gen_dtype(_tensor_dtype(self))
    n = self._data.size
    if low is None and high is None:
        v = g.random_(n, dt)
    else:
        v = g.random_(n, dt, int(low), None if high is None else int(high))
    return _write(self, v)


# ----------------------------------------------------------------------------- functions
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Uniform samples in [0, 1) (``torch.rand``).

    >>> import ember
    >>> ember.rand(2, 2, generator=ember.Generator().manual_seed(0)).shape
    torch.Size([2, 2])
    """
    _check_device(device)
    dt = D.get_default_dtype() if dtype is None else D.as_dtype(dtype)
    shape = _size(size)
    if dt.np.kind != "f":
        raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{_name(dt)}'")
    arr = _gen(generator).uniform(shape, _gen_dtype(dt))
    return _result(arr, requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Standard normal samples (``torch.randn``).

    >>> import ember
    >>> ember.randn(3, generator=ember.Generator().manual_seed(0)).dtype
    torch.float32
    """
    _check_device(device)
    dt = D.get_default_dtype() if dtype is None else D.as_dtype(dtype)
    shape = _size(size)
    if dt.np.kind != "f":
        raise RuntimeError(f"\"normal_kernel_cpu\" not implemented for '{_name(dt)}'")
    arr = _gen(generator).normal(shape, _gen_dtype(dt))
    return _result(arr, requires_grad, out)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False, pin_memory: bool = False, low=None, high=None) -> Tensor:
    """Integers uniform in [low, high) (``torch.randint(low=0, high, size)``), int64 by default.

    >>> import ember
    >>> ember.randint(0, 10, (4,), generator=ember.Generator().manual_seed(0)).tolist()
    [4, 9, 3, 0]
    """
    _check_device(device)
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if high is None:
        if len(args) == 2:
            low, high = args
        elif len(args) == 1:
            if low is None:
                low, high = 0, args[0]
            else:
                high = args[0]
        else:
            raise TypeError("randint() missing required argument 'high'")
    elif args:
        low = args[0]
    low = 0 if low is None else low
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    dt = D.int64 if dtype is None else D.as_dtype(dtype)
    shape = _size((size,))
    low, high = _int_arg(low), _int_arg(high)
    if not low < high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    arr = _gen(generator).random_(shape, _gen_dtype(dt), low, high)
    return _result(arr, requires_grad, out)


def _int_arg(v) -> int:
    if isinstance(v, Tensor):
        v = v.item()
    return int(v)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A random permutation of ``0 .. n-1`` (``torch.randperm``), int64 by default.

    >>> import ember
    >>> ember.randperm(4, generator=ember.Generator().manual_seed(0)).tolist()
    [0, 1, 3, 2]
    """
    _check_device(device)
    dt = D.int64 if dtype is None else D.as_dtype(dtype)
    arr = _gen(generator).randperm(_int_arg(n), _gen_dtype(dt))
    return _result(arr, requires_grad, out)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """Normal samples (``torch.normal``): tensor ``mean``/``std`` give one sample per element;
    float ``mean`` and ``std`` need ``size``.

    >>> import ember
    >>> ember.normal(0.0, 1.0, (2,), generator=ember.Generator().manual_seed(0)).shape
    torch.Size([2])
    """
    _check_device(device)
    g = _gen(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: (float, "
                            "float) needs a size")
        dt = D.get_default_dtype() if dtype is None else D.as_dtype(dtype)
        shape = _size((size,) if not isinstance(size, (tuple, list)) else (tuple(size),))
        if float(std) < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        arr = g.normal(shape, _gen_dtype(dt), float(mean), float(std))
        return _result(arr, requires_grad, out)
    if mt and st:
        dt = _tensor_dtype(mean)
        shape = np.broadcast_shapes(mean._data.shape, std._data.shape)
        m_arr, s_arr = mean._data, std._data
    elif mt:
        dt = _tensor_dtype(mean)
        shape = mean._data.shape
        m_arr, s_arr = mean._data, np.asarray(float(std), mean._data.dtype)
        if float(std) < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    else:
        dt = _tensor_dtype(std)
        shape = std._data.shape
        m_arr, s_arr = np.asarray(float(mean), std._data.dtype), std._data
    if dt.np.kind != "f":
        raise RuntimeError(f"\"normal_kernel_cpu\" not implemented for '{_name(dt)}'")
    arr = g.normal(tuple(shape), _gen_dtype(dt), m_arr, s_arr)
    return _result(arr, False, out)


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples with probabilities ``input`` (or the float ``p``), in ``input``'s dtype.

    >>> import ember
    >>> ember.bernoulli(ember.full((3,), 1.0)).tolist()
    [1.0, 1.0, 1.0]
    """
    g = _gen(generator)
    dt = _gen_dtype(_tensor_dtype(input))
    if p is None:
        arr = g.bernoulli(np.ascontiguousarray(input._data), None, dt)
    else:
        arr = g.bernoulli(float(p), input._data.shape, dt)
    return _result(arr, False, out)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:
    """Category indices drawn from the rows of ``input`` (``torch.multinomial``).

    >>> import ember
    >>> ember.multinomial(ember.tensor([0.0, 1.0]), 2, True).tolist()
    [1, 1]
    """
    arr = _gen(generator).multinomial(input._data, int(num_samples), bool(replacement))
    return _result(arr, False, out)


def rand_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
              requires_grad: bool = False, memory_format=None) -> Tensor:
    """``rand`` with ``input``'s shape and dtype."""
    dt = _tensor_dtype(input) if dtype is None else dtype
    return rand(tuple(input._data.shape), generator=generator, dtype=dt, device=device,
                requires_grad=requires_grad)


def randn_like(input: Tensor, *, generator=None, dtype=None, layout=None, device=None,
               requires_grad: bool = False, memory_format=None) -> Tensor:
    """``randn`` with ``input``'s shape and dtype."""
    dt = _tensor_dtype(input) if dtype is None else dtype
    return randn(tuple(input._data.shape), generator=generator, dtype=dt, device=device,
                 requires_grad=requires_grad)


def randint_like(input: Tensor, low=0, high=None, *, generator=None, dtype=None, layout=None,
                 device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    """``randint`` with ``input``'s shape and dtype (``randint_like(input, high)`` or
    ``randint_like(input, low, high)``)."""
    if high is None:
        low, high = 0, low
    dt = _tensor_dtype(input) if dtype is None else dtype
    return randint(_int_arg(low), _int_arg(high), tuple(input._data.shape), generator=generator,
                   dtype=dt, device=device, requires_grad=requires_grad)


# ----------------------------------------------------------------------------- methods
def _bernoulli_method(self: Tensor, p=None, *, generator=None) -> Tensor:
    return bernoulli(self, p, generator=generator)


def _multinomial_method(self: Tensor, num_samples: int, replacement: bool = False, *,
                        generator=None) -> Tensor:
    return multinomial(self, num_samples, replacement, generator=generator)


_INPLACE = {"uniform_": uniform_, "normal_": normal_, "exponential_": exponential_,
            "bernoulli_": bernoulli_, "random_": random_, "geometric_": geometric_,
            "cauchy_": cauchy_, "log_normal_": log_normal_}


def install(tensor_cls: type) -> None:
    """Attach the in-place sampling methods (and ``bernoulli``/``multinomial``, when the class
    has none) to the Tensor class.

    >>> from ember._tensor import Tensor
    >>> install(Tensor); hasattr(Tensor, "normal_")
    True
    """
    for name, fn in _INPLACE.items():
        setattr(tensor_cls, name, fn)
    for name, fn in (("bernoulli", _bernoulli_method), ("multinomial", _multinomial_method)):
        if not hasattr(tensor_cls, name):
            setattr(tensor_cls, name, fn)
