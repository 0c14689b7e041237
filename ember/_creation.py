"""Tensor creation: ``tensor``, ``as_tensor``, ``from_numpy``, ``zeros``/``ones``/``full``/
``empty`` and their ``_like`` forms, ``arange``, ``linspace``, ``logspace``, ``eye``.

>>> import ember
>>> ember.tensor([1, 2]).dtype
torch.int64
>>> ember.zeros(2, 3).shape
torch.Size([2, 3])
"""
from __future__ import annotations

import builtins
import math

from . import _dtype as D
from . import _messages as M
from ._backend import np
from ._tensor import Tensor, _check_device, _wrap

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange", "range", "linspace",
           "logspace", "eye", "scalar_tensor", "empty_strided"]


def _infer_np(data):
    """NumPy array for Python data, with torch's dtype inference (floats -> default dtype)."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _tensors_to_lists(data)
    arr = np.array(data)
    if arr.dtype.kind == "f" and not _has_np_float(data):
        arr = arr.astype(D.get_default_dtype().np)
    elif arr.dtype.kind == "c" and not _has_np_float(data):
        arr = arr.astype(D.get_default_dtype().to_complex().np)
    elif arr.dtype.kind in "iu" and arr.dtype != np.int64 and not isinstance(data, np.generic):
        arr = arr.astype(np.int64)
    elif arr.dtype.kind in "OUS":
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    return arr


def _flat(data):
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        else:
            yield x


def _tensors_to_lists(data):
    if isinstance(data, Tensor):
        return data._data.tolist()
    if isinstance(data, (list, tuple)):
        return [_tensors_to_lists(x) for x in data]
    return data


def _has_np_float(data):
    if isinstance(data, np.generic):
        return True
    return False


def tensor(data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors).

    >>> tensor([[1.0, 2.0]], requires_grad=True)
    tensor([[1., 2.]], requires_grad=True)
    """
    _check_device(device)
    if isinstance(data, Tensor):
        import warnings
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning, stacklevel=2)
    arr = _infer_np(data)
    arr = np.array(arr, dtype=D.to_np(dtype) if dtype is not None else None, copy=True)
    t = _wrap(arr)
    if requires_grad:
        _require_grad(t)
    return t


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """A tensor sharing memory with ``data`` when it is a tensor or an array of the right dtype."""
    _check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        return _wrap(data if dtype is None else data.astype(D.to_np(dtype), copy=False))
    return tensor(data, dtype=dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad: bool = False) -> Tensor:
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = t.clone()
    if requires_grad:
        _require_grad(t)
    return t


def from_numpy(ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_np(ndarray.dtype)
    return _wrap(ndarray)


def _require_grad(t) -> None:
    if t._data.dtype.kind not in "fc":
        raise RuntimeError(M.REQUIRES_GRAD_DTYPE_FACTORY)
    t._rg = True


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = tuple(int(s) for s in size)
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, out))}]")
    return out


def _make(arr, requires_grad):
    t = _wrap(arr)
    if requires_grad:
        _require_grad(t)
    return t


def _dt(dtype):
    return D.get_default_dtype().np if dtype is None else D.to_np(dtype)


def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (default dtype float32)."""
    _check_device(device)
    sz = size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size
    if any(int(x) < 0 for x in sz):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _make(np.zeros(_size(size), dtype=_dt(dtype)), requires_grad)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    _check_device(device)
    return _make(np.ones(_size(size), dtype=_dt(dtype)), requires_grad)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False,
          pin_memory: bool = False, memory_format=None) -> Tensor:
    """An uninitialised tensor (here zero-filled, so results are reproducible)."""
    _check_device(device)
    return _make(np.zeros(_size(size), dtype=_dt(dtype)), requires_grad)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return empty(tuple(size), dtype=dtype, requires_grad=requires_grad)


def _fill_dtype(value):
    if isinstance(value, Tensor):
        return value._data.dtype
    if isinstance(value, builtins.bool):
        return np.dtype(np.bool_)
    if isinstance(value, builtins.int):
        return np.dtype(np.int64)
    if isinstance(value, builtins.complex):
        return D.get_default_dtype().to_complex().np
    return D.get_default_dtype().np


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (dtype inferred from the value, as torch)."""
    _check_device(device)
    dt = D.to_np(dtype) if dtype is not None else _fill_dtype(fill_value)
    v = fill_value._data if isinstance(fill_value, Tensor) else fill_value
    return _make(np.full(_size((size,) if isinstance(size, builtins.int) else size), v, dtype=dt), requires_grad)


def _like_dtype(input, dtype):
    return input._data.dtype if dtype is None else D.to_np(dtype)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    return _make(np.zeros(input._data.shape, dtype=_like_dtype(input, dtype)), requires_grad)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    return _make(np.ones(input._data.shape, dtype=_like_dtype(input, dtype)), requires_grad)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    return _make(np.zeros(input._data.shape, dtype=_like_dtype(input, dtype)), requires_grad)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    return _make(np.full(input._data.shape, fill_value, dtype=_like_dtype(input, dtype)), requires_grad)


def _num(x):
    return x.item() if isinstance(x, Tensor) else x


# ------------------------------------------------------------------------------------------
# exact range arithmetic: torch's CPU kernels compile ``a + b * c`` to a fused multiply-add
# (one rounding), which NumPy lacks. These reproduce it with error-free transformations.

_SPLIT = 134217729.0  # 2**27 + 1 (Veltkamp's splitter for float64)


def _two_sum(a, b):
    """``a + b == s + e`` exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_prod(a, b):
    """``a * b == p + e`` exactly (Dekker), for float64 arrays."""
    p = a * b
    ca = _SPLIT * a
    ah = ca - (ca - a)
    al = a - ah
    cb = _SPLIT * b
    bh = cb - (cb - b)
    bl = b - bh
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl


def _round_odd(s, e):
    """``s + e`` (``s`` its rounded sum, ``e`` the exact error) rounded to odd: an inexact
    result takes the neighbour whose last significand bit is 1, so that a later rounding to a
    narrower type is not a second rounding."""
    even = (s.view(np.int64) & 1) == 0
    fix = (e != 0) & even
    if fix.any():
        s = np.where(fix, np.nextafter(s, np.where(e > 0, np.inf, -np.inf)), s)
    return s


def _fma64(a, b, c):
    """``a * b + c`` rounded once, in float64 (Boldo and Melquiond's emulation by rounding to odd)."""
    a, b, c = (np.asarray(v, dtype=np.float64) for v in (a, b, c))
    with np.errstate(over="ignore", invalid="ignore"):
        ph, pl = _two_prod(a, b)
        th, tl = _two_sum(c, ph)
        v, ve = _two_sum(tl, pl)
        out = th + _round_odd(v, ve)
        plain = a * b + c
    # NaN/inf operands and overflowing products: the splitting arithmetic breaks down there
    return np.where(np.isfinite(out) & np.isfinite(ph), out, plain)


def _fma32(a, b, c):
    """``a * b + c`` rounded once, in float32 (the float64 product is exact; the sum is rounded
    to odd in float64 and then to float32)."""
    a, b, c = (np.asarray(v, dtype=np.float32).astype(np.float64) for v in (a, b, c))
    s, e = _two_sum(a * b, c)
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(np.isfinite(s), _round_odd(s, e), s).astype(np.float32)


def _arange_size(start, end, step, dt) -> int:
    """Number of elements, as torch's ``compute_arange_size``."""
    if dt == np.int64:
        # NOTE: for int64 results torch truncates start/end/step to integers first
        s, e, st = builtins.int(start), builtins.int(end), builtins.int(step)
        if st == 0:
            raise ValueError("step must be nonzero")
        sgn = (st > 0) - (st < 0)
        num = e - s + st - sgn
        q = builtins.abs(num) // builtins.abs(st)
        return q if (num >= 0) == (st > 0) else -q
    return math.ceil((builtins.float(end) - builtins.float(start)) / builtins.float(step))


def _arange_values(start, step, n: int, dt):
    """``start + i * step`` as torch's CPU kernel computes it (AVX2 build)."""
    if dt.kind in "iub":
        s, st = builtins.int(start), builtins.int(step)
        return (s + st * np.arange(n, dtype=np.int64)).astype(dt)
    idx = np.arange(n, dtype=np.int64)
    # NOTE: torch's vector loop fills blocks of 2 x (32 bytes / itemsize) elements (AVX2): each
    # vector's first element is ``fma(step, first_index, start)`` rounded to the result type, the
    # others ``first + j * step`` (one fma); the leftover tail is ``fma(step, i, start)``. The
    # accumulation type is double for float32/float64 and float for float16.
    if dt.itemsize >= 4:
        at, fma = np.dtype(np.float64), _fma64
    else:
        at, fma = np.dtype(np.float32), _fma32
    start, step = at.type(start), at.type(step)
    width = 32 // dt.itemsize
    n_vec = n - n % (2 * width)
    j = idx % width
    first = fma(step, (idx - j).astype(at), start).astype(dt).astype(at)
    vec = fma(j.astype(at), step, first)
    tail = fma(step, idx.astype(at), start)
    return np.where(idx < n_vec, vec, tail).astype(dt)


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad: bool = False) -> Tensor:
    """Values from ``start`` up to (not including) ``end`` by ``step``, equal to torch's
    bit for bit.

    >>> arange(3)
    tensor([0, 1, 2])
    >>> arange(0, 1, 0.25)
    tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    is_float = any(isinstance(v, (builtins.float, np.floating)) for v in (start, end, step))
    if dtype is None:
        dt = D.get_default_dtype().np if is_float else np.dtype(np.int64)
    else:
        dt = D.to_np(dtype)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {_fmt_num(start)} -> {_fmt_num(end)}")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = builtins.max(0, _arange_size(start, end, step, dt))
    return _make(_arange_values(start, step, n, dt), requires_grad)


def _fmt_num(x) -> str:
    return str(x) if not isinstance(x, builtins.float) or not math.isinf(x) else ("inf" if x > 0 else "-inf")


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:  # noqa: A001
    """Deprecated in torch: like arange but including ``end``."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = D.get_default_dtype().np if dtype is None else D.to_np(dtype)
    return _make((start + np.arange(n, dtype=np.float64) * step).astype(dt), requires_grad)


def linspace(start, end, steps: int, *, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive, equal to torch's
    bit for bit.

    >>> linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start, end = _num(start), _num(end)
    dt = D.get_default_dtype().np if dtype is None else D.to_np(dtype)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps <= 1:
        return _make(np.asarray([start][:steps]).astype(dt), requires_grad)
    idx = np.arange(steps, dtype=np.int64)
    lo_half = idx < steps // 2
    back = steps - 1 - idx
    # NOTE: torch fills the first half as ``start + step * i`` and the second half as
    # ``end - step * (steps - 1 - i)``, each one fused multiply-add, and writes both ends exactly.
    if dt.kind == "c":
        # complex: the same arithmetic on the real and imaginary parts separately
        rt = np.dtype(np.float32) if dt == np.complex64 else np.dtype(np.float64)
        fma = _fma64 if rt == np.float64 else _fma32
        s, e = dt.type(start), dt.type(end)
        arr = np.empty(steps, dtype=dt)
        for part in ("real", "imag"):
            ps, pe = getattr(s, part), getattr(e, part)
            step = (pe - ps) / rt.type(steps - 1)
            setattr(arr, part, np.where(lo_half, fma(step, idx.astype(rt), ps), fma(-step, back.astype(rt), pe)))
    elif dt.kind == "f" and dt.itemsize >= 4:
        # the step and the arithmetic are in the result type
        fma = _fma64 if dt == np.float64 else _fma32
        s, e = dt.type(start), dt.type(end)
        step = (e - s) / dt.type(steps - 1)
        arr = np.where(lo_half, fma(step, idx.astype(dt), s), fma(-step, back.astype(dt), e))
    elif dt.kind == "f":
        # float16: every operation rounds to half (no fused multiply-add)
        s, e = dt.type(start), dt.type(end)
        step = (e - s) / dt.type(steps - 1)
        arr = np.where(lo_half, s + step * idx.astype(dt), e - step * back.astype(dt))
    else:
        # integer results: the step is a double; values are truncated toward zero
        s, e = builtins.int(start), builtins.int(end)
        step = (builtins.float(e) - builtins.float(s)) / (steps - 1)
        arr = np.trunc(np.where(lo_half, _fma64(step, idx.astype(np.float64), builtins.float(s)),
                                _fma64(-step, back.astype(np.float64), builtins.float(e))))
    arr = arr.astype(dt)
    arr[0], arr[-1] = np.asarray(start).astype(dt), np.asarray(end).astype(dt)
    return _make(arr, requires_grad)


def logspace(start, end, steps: int, base: float = 10.0, *, out=None, dtype=None, layout=None,
             device=None, requires_grad: bool = False) -> Tensor:
    """``base ** linspace(start, end, steps)``, equal to torch's bit for bit.

    >>> logspace(0, 2, 3)
    tensor([  1.,  10., 100.])
    """
    start, end = _num(start), _num(end)
    dt = D.get_default_dtype().np if dtype is None else D.to_np(dtype)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps <= 1:
        return _make(np.power(builtins.float(base), np.asarray([start][:steps], dtype=np.float64)).astype(dt),
                     requires_grad)
    if dt.kind == "c":
        ct = dt
        idx = np.arange(steps)
        s, e = ct.type(start), ct.type(end)
        step = (e - s) / ct.type(steps - 1)
        x = np.where(idx < steps // 2, s + step * idx.astype(ct), e - step * (steps - 1 - idx).astype(ct))
        return _make(np.power(ct.type(base), x).astype(dt), requires_grad)
    # NOTE: start and end are first cast to the result type; the exponents are then computed in
    # double without a fused multiply-add (this kernel is not built per CPU capability)
    if dt.kind == "f":
        s, e = dt.type(start), dt.type(end)
    else:
        s, e = dt.type(builtins.int(start)), dt.type(builtins.int(end))
    step = builtins.float(e - s) / (steps - 1)
    idx = np.arange(steps, dtype=np.int64)
    x = np.where(idx < steps // 2, builtins.float(s) + step * idx, builtins.float(e) - step * (steps - 1 - idx))
    with np.errstate(over="ignore", invalid="ignore"):
        return _make(np.power(builtins.float(base), x).astype(dt), requires_grad)


def eye(n: int, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m)."""
    return _make(np.eye(n, m if m is not None else n, dtype=_dt(dtype)), requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return _make(np.asarray(s, dtype=_dt(dtype)), requires_grad)


# ------------------------------------------------------------------------------------------
# complex numbers, grids, triangle indices, new_* methods


def _graph():
    from ._ops._util import Node, needs_grad, record
    return Node, needs_grad, record


def _complex_node_classes():
    Node, _, _ = _graph()

    class ComplexBackward0(Node):
        def backward(self, g):
            from ._ops.shape import imag, real
            return (real(g) if self.next_functions[0][0] is not None else None,
                    imag(g) if self.next_functions[1][0] is not None else None)

    class PolarBackward0(Node):
        __slots__ = ("abs_", "angle")

        def backward(self, g):
            from ._ops.shape import imag, real
            c, s = self.angle.cos(), self.angle.sin()
            gr, gi = real(g), imag(g)
            ga = gr * c + gi * s
            gt = (gi * c - gr * s) * self.abs_
            return ga, gt

    class ViewAsRealBackward0(Node):
        def backward(self, g):
            return (view_as_complex(g.contiguous()),)

    class ViewAsComplexBackward0(Node):
        def backward(self, g):
            return (view_as_real(g),)

    return ComplexBackward0, PolarBackward0, ViewAsRealBackward0, ViewAsComplexBackward0


_CPLX = None


def _cplx():
    global _CPLX
    if _CPLX is None:
        _CPLX = _complex_node_classes()
    return _CPLX


def complex(real, imag, *, out=None) -> Tensor:  # noqa: A001
    """A complex tensor from real and imaginary parts (float32 -> complex64).

    >>> complex(tensor([1.0]), tensor([2.0]))
    tensor([1.+2.j])
    """
    a, b = real._data, imag._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"Expected object of scalar type {real.dtype._legacy.replace('Tensor', '')} but got "
                           f"scalar type {imag.dtype._legacy.replace('Tensor', '')} for second argument")
    if a.dtype.kind != "f":
        raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got "
                           f"{real.dtype._legacy.replace('Tensor', '')} and {imag.dtype._legacy.replace('Tensor', '')}")
    r = _wrap((a + 1j * b).astype(np.complex64 if a.dtype == np.float32 else np.complex128))
    _, needs_grad, record = _graph()
    if needs_grad(real, imag):
        record(_cplx()[0], r, (real, imag))
    return r


def polar(abs, angle, *, out=None) -> Tensor:  # noqa: A002
    """``abs * (cos(angle) + i sin(angle))``."""
    a, t = abs._data, angle._data
    r = _wrap((a * np.cos(t) + 1j * a * np.sin(t)).astype(np.complex64 if a.dtype == np.float32 else np.complex128))
    _, needs_grad, record = _graph()
    if needs_grad(abs, angle):
        n = record(_cplx()[1], r, (abs, angle))
        n.abs_, n.angle = abs.detach(), angle.detach()
    return r


def view_as_real(input) -> Tensor:
    """A complex tensor seen as float pairs in a new last dim (a view)."""
    from ._ops._util import make_view
    a = input._data
    if a.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    arr = a.view(a.real.dtype).reshape(a.shape + (2,)) if a.flags.c_contiguous else np.stack([a.real, a.imag], -1)
    r = make_view(input, arr, view_as_real) if a.flags.c_contiguous else _wrap(arr)
    _, needs_grad, record = _graph()
    if needs_grad(input):
        record(_cplx()[2], r, (input,))
    return r


def view_as_complex(input) -> Tensor:
    """Float pairs in the last dim (of size 2) seen as complex numbers (a view)."""
    from ._ops._util import make_view
    a = input._data
    if a.ndim == 0 or a.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if a.dtype not in (np.float32, np.float64):
        raise RuntimeError("view_as_complex is only supported for float and double tensors, but got a tensor of "
                           f"scalar type: {input.dtype._legacy.replace('Tensor', '')}")
    if not a.flags.c_contiguous:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    arr = a.view(np.complex64 if a.dtype == np.float32 else np.complex128).reshape(a.shape[:-1])
    r = make_view(input, arr, view_as_complex)
    _, needs_grad, record = _graph()
    if needs_grad(input):
        record(_cplx()[3], r, (input,))
    return r


def meshgrid(*tensors, indexing: str = "ij") -> tuple:
    """Coordinate grids from 1-d tensors (``indexing``: "ij" matrix or "xy" Cartesian); views."""
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    ts = [t.reshape(-1) if t._data.ndim == 0 else t for t in ts]
    n = len(ts)
    shape = [t._data.shape[0] for t in ts]
    swap = indexing == "xy" and n >= 2
    if swap:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, t in enumerate(ts):
        pos = i
        if swap and i < 2:
            pos = 1 - i
        view = [1] * n
        view[pos] = -1
        out.append(t.view(view).expand(shape))
    return tuple(out)


def _tri_indices(row, col, offset, lower, dtype):
    if row < 0 or col < 0:
        raise RuntimeError(f"row must be non-negative, got{row}" if row < 0 else f"col must be non-negative, got{col}")
    r, c = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    return _wrap(np.stack([r, c]).astype(D.to_np(dtype) if dtype is not None else np.int64).reshape(2, -1))


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None) -> Tensor:
    """Row and column indices (a 2 x N tensor) of the lower triangle of a row x col matrix."""
    return _tri_indices(row, col, offset, True, dtype)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None) -> Tensor:
    """Row and column indices (a 2 x N tensor) of the upper triangle of a row x col matrix."""
    return _tri_indices(row, col, offset, False, dtype)


def _new_kwargs(self, dtype):
    return self.dtype if dtype is None else dtype


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad: bool = False, layout=None,
                pin_memory: bool = False) -> Tensor:
    """A new tensor from ``data`` with this tensor's dtype by default."""
    if isinstance(data, Tensor):
        import warnings
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
            UserWarning, stacklevel=2)
        arr = data._data
    else:
        arr = data
    return tensor(np.array(arr), dtype=_new_kwargs(self, dtype), requires_grad=requires_grad)


def _new_zeros(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
               pin_memory: bool = False) -> Tensor:
    return zeros(*size, dtype=_new_kwargs(self, dtype), requires_grad=requires_grad)


def _new_ones(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
              pin_memory: bool = False) -> Tensor:
    return ones(*size, dtype=_new_kwargs(self, dtype), requires_grad=requires_grad)


def _new_empty(self, *size, dtype=None, device=None, requires_grad: bool = False, layout=None,
               pin_memory: bool = False) -> Tensor:
    return empty(*size, dtype=_new_kwargs(self, dtype), requires_grad=requires_grad)


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad: bool = False, layout=None,
              pin_memory: bool = False) -> Tensor:
    return full(size, fill_value, dtype=_new_kwargs(self, dtype), requires_grad=requires_grad)


Tensor.new_tensor = _new_tensor
Tensor.new_zeros = _new_zeros
Tensor.new_ones = _new_ones
Tensor.new_empty = _new_empty
Tensor.new_full = _new_full

__all__ += ["complex", "polar", "view_as_real", "view_as_complex", "meshgrid", "tril_indices", "triu_indices"]


class memory_format:
    """A memory layout tag (``contiguous_format`` ...); ember tensors are laid out row-major."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return "torch." + self.name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
__all__ += ["memory_format", "contiguous_format", "preserve_format", "channels_last", "channels_last_3d"]
