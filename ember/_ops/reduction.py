"""Reductions, each with its derivative.

>>> import ember
>>> ember.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(1)
tensor([3., 7.])
"""
from __future__ import annotations

from ._util import D, Node, Tensor, _wrap, methods, needs_grad, np, record, wrap_dim

__all__ = ["sum", "mean"]


def _dims(dim, ndim):
    """Normalise ``dim`` (None, int, or sequence) to a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        return (wrap_dim(dim, ndim),) if ndim else ()
    out = tuple(sorted(wrap_dim(d, ndim) for d in dim)) if ndim else ()
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return out


def _expand_grad(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to the input's shape."""
    if not keepdim and dims:
        for d in dims:
            g = g.unsqueeze(d)
    return g.expand(shape)


class SumBackward0(Node):
    """sum(): grad expanded to the input's shape."""

    __slots__ = ()

    def backward(self, g):
        return (g.expand(self._meta[0][0]),)


class SumBackward1(Node):
    """sum(dim, keepdim): grad unsqueezed at the reduced dims and expanded."""

    __slots__ = ("dims", "keepdim")

    def backward(self, g):
        return (_expand_grad(g, self._meta[0][0], self.dims, self.keepdim),)


class MeanBackward0(Node):
    __slots__ = ()

    def backward(self, g):
        shape = self._meta[0][0]
        n = int(np.prod(shape)) if shape else 1
        return (g.expand(shape) / n,)


class MeanBackward1(Node):
    __slots__ = ("dims", "keepdim")

    def backward(self, g):
        shape = self._meta[0][0]
        n = 1
        for d in self.dims:
            n *= shape[d]
        return (_expand_grad(g, shape, self.dims, self.keepdim) / n,)


def _sum_dtype(a, dtype):
    if dtype is not None:
        return D.to_np(dtype)
    if a.dtype.kind in "biu":
        return np.dtype(np.int64)
    return a.dtype


def sum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:  # noqa: A001
    """Sum of all elements, or over ``dim`` (an int or a tuple of ints).

    >>> sum(ember.tensor([1.0, 2.0]))
    tensor(3.)
    """
    a = input._data
    dt = _sum_dtype(a, dtype)
    if dim is None:
        r = _wrap(np.asarray(a.sum(dtype=dt)))
        if needs_grad(input):
            record(SumBackward0, r, (input,))
        return r
    dims = _dims(dim, a.ndim)
    r = _wrap(np.asarray(a.sum(axis=dims, keepdims=keepdim, dtype=dt)))
    if needs_grad(input):
        n = record(SumBackward1, r, (input,))
        n.dims, n.keepdim = dims, keepdim
    return r


def mean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Mean of all elements, or over ``dim``.

    >>> mean(ember.tensor([1.0, 2.0]))
    tensor(1.5000)
    """
    a = input._data
    if dtype is None and a.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or "
            f"complex dtype. Got: {D.from_np(a.dtype)._legacy.replace('Tensor', '')}")
    dt = D.to_np(dtype) if dtype is not None else a.dtype
    if dim is None:
        with np.errstate(invalid="ignore", divide="ignore"):
            r = _wrap(np.asarray(a.mean(dtype=dt) if a.size else a.sum(dtype=dt) / 0, dtype=dt))
        if needs_grad(input):
            record(MeanBackward0, r, (input,))
        return r
    dims = _dims(dim, a.ndim)
    with np.errstate(invalid="ignore", divide="ignore"):
        if a.size:
            r = _wrap(np.asarray(a.mean(axis=dims, keepdims=keepdim, dtype=dt), dtype=dt))
        else:  # an empty mean is nan (sum / 0), without NumPy's warning
            n = 1
            for d in dims:
                n *= a.shape[d]
            r = _wrap(np.asarray(a.sum(axis=dims, keepdims=keepdim, dtype=dt) / n, dtype=dt))
    if needs_grad(input):
        n = record(MeanBackward1, r, (input,))
        n.dims, n.keepdim = dims, keepdim
    return r


methods(sum=sum, mean=mean)


# ===================================================================================== part A
# The rest of the reductions: products, extrema, statistics, norms, scans, sorting and
# selection, softmax. Selection follows torch's algorithms so that ties pick the same index.
import math as _math  # noqa: E402
import sys as _sys  # noqa: E402
import types as _types  # noqa: E402
import warnings as _warnings  # noqa: E402

from ._util import SavedTensor, _type_name  # noqa: E402

_builtin_sum, _builtin_max, _builtin_min, _builtin_all, _builtin_any = (
    __builtins__["sum"] if isinstance(__builtins__, dict) else __builtins__.sum,
    __builtins__["max"] if isinstance(__builtins__, dict) else __builtins__.max,
    __builtins__["min"] if isinstance(__builtins__, dict) else __builtins__.min,
    __builtins__["all"] if isinstance(__builtins__, dict) else __builtins__.all,
    __builtins__["any"] if isinstance(__builtins__, dict) else __builtins__.any,
)


def _E():
    """The elementwise module (imported lazily: it is a sibling family)."""
    from . import elementwise
    return elementwise


# ----------------------------------------------------------------------------- return types
return_types = _types.ModuleType("ember.return_types")
return_types.__doc__ = "Named tuples returned by ops such as ``max(dim)`` and ``sort`` (as ``torch.return_types``)."


def _return_type(name: str, fields=("values", "indices")):
    """A tuple subclass with named fields whose repr matches ``torch.return_types.<name>``."""

    def __new__(cls, seq):
        return tuple.__new__(cls, seq)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    ns = {"__new__": __new__, "__repr__": __repr__, "__slots__": (), "n_fields": len(fields),
          "n_sequence_fields": len(fields), "n_unnamed_fields": 0,
          "__reduce__": lambda self: (cls_ref[0], (tuple(self),))}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(name, (tuple,), ns)
    cls.__module__ = "torch.return_types"
    cls_ref = [cls]
    setattr(return_types, name, cls)
    return cls


_RT = {n: _return_type(n) for n in ("max", "min", "median", "nanmedian", "mode", "sort", "topk",
                                      "kthvalue", "cummax", "cummin", "aminmax")}
_RT["aminmax"] = _return_type("aminmax", ("min", "max"))
for _n in list(_RT):  # the types torch gives results written through out=
    _RT[_n + "_out"] = _return_type(_n + "_out", ("min", "max") if _n == "aminmax" else ("values", "indices"))
_sys.modules.setdefault("ember.return_types", return_types)


# ----------------------------------------------------------------------------- gather / scatter helpers
def _index_tuple(idx, dim):
    """The full fancy index that addresses ``idx`` (positions along ``dim``) in an array."""
    ix = list(np.indices(idx.shape, sparse=True))
    ix[dim] = idx
    return tuple(ix)


class GatherBackward0(Node):
    """take-along-dim: the gradient is scattered (added) back to the taken places."""

    __slots__ = ("dim", "idx")

    def backward(self, g):
        return (_put_along(g, self.dim, self.idx, self._meta[0][0]),)


class ScatterAddBackward0(Node):
    """add-into-zeros along dim: the gradient is gathered from the same places."""

    __slots__ = ("dim", "idx")

    def backward(self, g):
        return (_take_along(g, self.dim, self.idx),)


def _take_along(x, dim, idx):
    r = _wrap(np.take_along_axis(x._data, idx, dim) if x._data.ndim else x._data[()].reshape(()) + 0 * idx)
    if needs_grad(x):
        n = record(GatherBackward0, r, (x,))
        n.dim, n.idx = dim, idx
    return r


def _put_along(g, dim, idx, shape):
    """Zeros of ``shape`` with ``g`` added at positions ``idx`` along ``dim`` (differentiable)."""
    out = np.zeros(shape, dtype=g._data.dtype)
    if len(shape) == 0:
        out = out + g._data.reshape(())
    else:
        np.add.at(out, _index_tuple(idx, dim), g._data)
    r = _wrap(np.asarray(out))
    if needs_grad(g):
        n = record(ScatterAddBackward0, r, (g,))
        n.dim, n.idx = dim, idx
    return r


def _select_backward(g, dim, idx_keep, shape, keepdim):
    """Gradient of a value-selecting reduction along ``dim`` (to the returned index)."""
    if len(shape) == 0:
        return g
    if not keepdim:
        g = g.unsqueeze(dim)
    return _put_along(g, dim, idx_keep, shape)


def _evenly(g, x, result, dims, keepdim, nan_aware=True):
    """Spread ``g`` evenly over the places where ``x`` equals the (full or dim) extremum.

    NOTE: torch's max()/min()/median() count a nan result as equal to the nans that produced it;
    amax/amin compare with ``==`` only, so a nan slice gets a nan gradient (0 / 0).
    """
    shape = x._data.shape
    if not keepdim and dims:
        for d in dims:
            g = g.unsqueeze(d)
            result = result.unsqueeze(d)
    from .comparison import isnan
    mask = (x == result) | (isnan(x) & isnan(result)) if nan_aware else (x == result)
    m = mask.to(g.dtype)
    count = m.sum(dims if dims else None, keepdim=True) if dims or not shape else m.sum()
    return g.expand(shape) * m / count


# ----------------------------------------------------------------------------- prod
def _prod_others(x, dim):
    """For each element along ``dim``, the product of the others (exact with zeros; differentiable)."""
    n = x._data.shape[dim]
    E = _E()
    xe = x.unsqueeze(dim).expand(*x._data.shape[:dim], n, *x._data.shape[dim:])
    eye_shape = [1] * (x._data.ndim + 1)
    eye_shape[dim], eye_shape[dim + 1] = n, n
    eye = _wrap(np.eye(n, dtype=bool).reshape(eye_shape))
    ones = _wrap(np.ones((), dtype=x._data.dtype))
    return prod(E.where(eye, ones, xe), dim + 1)


def _prod_grad(g, x, result, dim, keepdim):
    """d prod / d x: result / x when nothing is 0, else the product of the others."""
    # NOTE: as torch, one zero gets the product of the others; two or more zeros give 0 grads
    if dim is None:
        shape = x._data.shape
        if not (x._data == 0).any():
            return g * result / x
        flat = x.reshape(-1)
        return (g * _prod_others(flat, 0)).reshape(shape) if flat._data.size else g.expand(shape)
    if not keepdim:
        g = g.unsqueeze(dim)
        result = result.unsqueeze(dim)
    if not (x._data == 0).any():
        return g * result / x
    return g * _prod_others(x, dim)


class ProdBackward0(Node):
    __slots__ = ("self_", "result")

    def backward(self, g):
        return (_prod_grad(g, self.self_.unpack(), self.result.unpack(self), None, False),)


class ProdBackward1(Node):
    __slots__ = ("self_", "result", "dim", "keepdim")

    def backward(self, g):
        x = self.self_.unpack()
        if x._data.ndim == 0:
            return (g,)
        return (_prod_grad(g, x, self.result.unpack(self), self.dim, self.keepdim),)


def prod(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """Product of all elements, or along ``dim``.

    >>> prod(ember.tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
    tensor([ 2., 12.])
    """
    a = input._data
    dt = _sum_dtype(a, dtype)
    if dim is None:
        r = _wrap(np.asarray(a.prod(dtype=dt)))
        if needs_grad(input):
            n = record(ProdBackward0, r, (input,))
            n.self_, n.result = SavedTensor(input), SavedTensor(r, n)
        return r
    d = wrap_dim(dim, a.ndim)
    r = _wrap(np.asarray(a.prod(axis=d if a.ndim else None, keepdims=keepdim and a.ndim > 0, dtype=dt)))
    if needs_grad(input):
        n = record(ProdBackward1, r, (input,))
        n.self_, n.result, n.dim, n.keepdim = SavedTensor(input), SavedTensor(r, n), d, keepdim
    return r


# ----------------------------------------------------------------------------- max / min / amax / amin / argmax / argmin
class MaxBackward1(Node):
    """max(): ties share the gradient evenly."""

    __slots__ = ("self_", "result")

    def backward(self, g):
        return (_evenly(g, self.self_.unpack(), self.result.unpack(self), (), False),)


class MinBackward1(MaxBackward1):
    __slots__ = ()


class MaxBackward0(Node):
    """max(dim): the gradient goes to the returned index."""

    __slots__ = ("dim", "keepdim", "idx")

    def backward(self, g):
        return (_select_backward(g, self.dim, self.idx, self._meta[0][0], self.keepdim),)


class MinBackward0(MaxBackward0):
    __slots__ = ()


class AmaxBackward0(Node):
    """amax(dims): ties within each reduced slice share the gradient evenly."""

    __slots__ = ("self_", "result", "dims", "keepdim")

    def backward(self, g):
        return (_evenly(g, self.self_.unpack(), self.result.unpack(self), self.dims, self.keepdim, False),)


class AminBackward0(AmaxBackward0):
    __slots__ = ()


def _arg_extreme(a, d, largest):
    """First index of the max (or min) along ``d``; nan counts as the extreme."""
    if a.dtype.kind == "f" or a.dtype.kind == "c":
        nan = np.isnan(a)
        if nan.any():
            idx = np.argmax(a, axis=d) if largest else np.argmin(a, axis=d)
            has = nan.any(axis=d)
            return np.where(has, np.argmax(nan, axis=d), idx)
    if a.dtype.kind == "b":
        a = a.astype(np.uint8)
    return np.argmax(a, axis=d) if largest else np.argmin(a, axis=d)


def _empty_full_error(name):
    return RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                        "Specify the reduction dim with the 'dim' argument.")


def _extreme_dim(input, dim, keepdim, largest, name):
    a = input._data
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        idx = np.zeros((), dtype=np.int64)
        vals = a.copy()
    else:
        if a.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
        idx = _arg_extreme(a, d, largest).astype(np.int64)
        idx_k = np.expand_dims(idx, d)
        vals = np.take_along_axis(a, idx_k, d)
        if keepdim:
            idx = idx_k
        else:
            vals = np.squeeze(vals, d)
    v = _wrap(np.asarray(vals))
    if needs_grad(input):
        n = record(MaxBackward0 if largest else MinBackward0, v, (input,))
        n.dim, n.keepdim = d, keepdim
        n.idx = np.asarray(idx if keepdim or a.ndim == 0 else np.expand_dims(idx, d))
    return _RT[name]((v, _wrap(np.asarray(idx))))


def _extreme_full(input, largest, name):
    a = input._data
    if a.size == 0:
        raise _empty_full_error(name)
    if a.dtype.kind in "fc" and np.isnan(a).any():
        val = np.asarray(np.nan, dtype=a.dtype)
    else:
        val = np.asarray(a.max() if largest else a.min())
    r = _wrap(val)
    if needs_grad(input):
        n = record(MaxBackward1 if largest else MinBackward1, r, (input,))
        n.self_, n.result = SavedTensor(input), SavedTensor(r, n)
    return r


def max(input, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001
    """The largest element; with ``dim``, ``(values, indices)`` along it; with a tensor, ``maximum``.

    >>> max(ember.tensor([[1.0, 5.0], [7.0, 2.0]]), 1)
    torch.return_types.max(
    values=tensor([5., 7.]),
    indices=tensor([1, 0]))
    """
    if isinstance(dim, Tensor):
        return _E().maximum(input, dim)
    if dim is None:
        return _extreme_full(input, True, "max")
    return _extreme_dim(input, dim, keepdim, True, "max")


def min(input, dim=None, keepdim: bool = False, *, out=None):  # noqa: A001
    """The smallest element; with ``dim``, ``(values, indices)`` along it; with a tensor, ``minimum``.

    >>> min(ember.tensor([3.0, 1.0, 2.0]))
    tensor(1.)
    """
    if isinstance(dim, Tensor):
        return _E().minimum(input, dim)
    if dim is None:
        return _extreme_full(input, False, "min")
    return _extreme_dim(input, dim, keepdim, False, "min")


def _amax(input, dim, keepdim, largest, name):
    a = input._data
    dims = _dims(dim if not (isinstance(dim, (tuple, list)) and len(dim) == 0) else None, a.ndim)
    if a.size == 0 and (not dims or _builtin_any(a.shape[d] == 0 for d in dims)):
        if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
            raise _empty_full_error(name)
        bad = [d for d in dims if a.shape[d] == 0][0]
        raise IndexError(f"{name}(): Expected reduction dim {bad} to have non-zero size.")
    fn = np.max if largest else np.min
    with np.errstate(invalid="ignore"):
        res = fn(a, axis=dims, keepdims=keepdim) if a.ndim else a.copy()
    r = _wrap(np.asarray(res))
    if needs_grad(input):
        n = record(AmaxBackward0 if largest else AminBackward0, r, (input,))
        n.self_, n.result, n.dims, n.keepdim = SavedTensor(input), SavedTensor(r, n), dims, keepdim
    return r


def amax(input, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """Maximum over ``dim`` (all dims by default); ties share the gradient evenly.

    >>> amax(ember.tensor([[1.0, 5.0], [7.0, 2.0]]), 0)
    tensor([7., 5.])
    """
    return _amax(input, dim, keepdim, True, "amax")


def amin(input, dim=(), keepdim: bool = False, *, out=None) -> Tensor:
    """Minimum over ``dim`` (all dims by default); ties share the gradient evenly.

    >>> amin(ember.tensor([[1.0, 5.0], [7.0, 2.0]]), 0)
    tensor([1., 2.])
    """
    return _amax(input, dim, keepdim, False, "amin")


def aminmax(input, *, dim=None, keepdim: bool = False):
    """``(min, max)`` together (no gradient is recorded through the pair's node name).

    >>> aminmax(ember.tensor([3.0, 1.0, 2.0]))
    torch.return_types.aminmax(
    min=tensor(1.),
    max=tensor(3.))
    """
    d = () if dim is None else dim
    return _RT["aminmax"]((amin(input, d, keepdim), amax(input, d, keepdim)))


def _argext(input, dim, keepdim, largest, name):
    a = input._data
    if dim is None:
        if a.size == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        idx = _arg_extreme(a.reshape(-1), 0, largest)
        res = np.asarray(idx, dtype=np.int64)
        if keepdim:
            res = res.reshape((1,) * a.ndim)
        return _wrap(res)
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _wrap(np.zeros((), dtype=np.int64))
    if a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    idx = _arg_extreme(a, d, largest).astype(np.int64)
    return _wrap(np.asarray(np.expand_dims(idx, d) if keepdim else idx))


def argmax(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the (first) maximum, of the flattened tensor or along ``dim``.

    >>> argmax(ember.tensor([1.0, 3.0, 3.0]))
    tensor(1)
    """
    return _argext(input, dim, keepdim, True, "argmax")


def argmin(input, dim=None, keepdim: bool = False) -> Tensor:
    """Index of the (first) minimum, of the flattened tensor or along ``dim``.

    >>> argmin(ember.tensor([2.0, 1.0, 1.0]))
    tensor(1)
    """
    return _argext(input, dim, keepdim, False, "argmin")


# ----------------------------------------------------------------------------- var / std
def _var_args(dim, unbiased, keepdim, correction, name):
    if isinstance(dim, bool):  # var(input, unbiased)
        unbiased, dim = dim, None
    if correction is not None and unbiased is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both 'unbiased' and 'correction'")
    c = correction if correction is not None else (1 if unbiased is None or unbiased else 0)
    return dim, c, keepdim


def _var_forward(input, dim, correction, keepdim, name, stacklevel=3):
    a = input._data
    if a.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = _dims(dim, a.ndim)
    n = 1
    for d in (dims if a.ndim else ()):
        n *= a.shape[d]
    if n - correction <= 0:
        _warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                       "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=stacklevel)
    with np.errstate(invalid="ignore", divide="ignore"):
        if a.ndim == 0:
            m = a.copy()
            v = np.asarray((a - a) ** 2 / _builtin_max(0, 1 - correction), dtype=a.dtype)
        else:
            m = a.mean(axis=dims, keepdims=True)
            ss = ((a - m) ** 2).sum(axis=dims, keepdims=keepdim)
            # NOTE: as torch, the divisor is max(0, N - correction): inf (or nan for 0 / 0) past it
            v = np.asarray(ss / _builtin_max(0, n - correction), dtype=a.dtype)
            if not keepdim:
                m = np.squeeze(m, axis=dims)
    return v, np.asarray(m, dtype=a.dtype), dims, n


def _var_grad(g, x, dims, keepdim, correction, n):
    """d var / d x = 2 (x - mean) / (N - correction)."""
    if not keepdim and dims and x._data.ndim:
        for d in dims:
            g = g.unsqueeze(d)
    mean_ = x.mean(dims, keepdim=True) if x._data.ndim else x
    return g * (x - mean_) * (2.0 / (n - correction) if n != correction else float("inf"))


def _std_grad(g, x, result, dims, keepdim, correction, n):
    if not keepdim and dims and x._data.ndim:
        for d in dims:
            result = result.unsqueeze(d)
            g = g.unsqueeze(d)
    gv = _var_grad(g / (result * 2), x, dims, True, correction, n)
    # NOTE: as torch, the gradient is 0 where the std is 0
    return _E().where(result == 0, _wrap(np.zeros((), dtype=gv._data.dtype)), gv)


class VarBackward0(Node):
    __slots__ = ("self_", "dims", "keepdim", "correction", "n")

    def backward(self, g):
        return (_var_grad(g, self.self_.unpack(), self.dims, self.keepdim, self.correction, self.n),)


class StdBackward0(Node):
    __slots__ = ("self_", "result", "dims", "keepdim", "correction", "n")

    def backward(self, g):
        return (_std_grad(g, self.self_.unpack(), self.result.unpack(self), self.dims, self.keepdim,
                          self.correction, self.n),)


def _mean_grad(g, shape, dims, keepdim, n):
    if not keepdim and dims and len(shape):
        for d in dims:
            g = g.unsqueeze(d)
    return g.expand(shape) / n


class VarMeanBackward0(Node):
    __slots__ = ("self_", "dims", "keepdim", "correction", "n")
    _n_outputs = 2

    def apply(self, grads):
        x = self.self_.unpack()
        out = None
        if grads[0] is not None:
            out = _var_grad(grads[0], x, self.dims, self.keepdim, self.correction, self.n)
        if grads[1] is not None:
            gm = _mean_grad(grads[1], x._data.shape, self.dims, self.keepdim, self.n)
            out = gm if out is None else out + gm
        return (out,)


class StdMeanBackward0(Node):
    __slots__ = ("self_", "result", "dims", "keepdim", "correction", "n")
    _n_outputs = 2

    def apply(self, grads):
        x = self.self_.unpack()
        out = None
        if grads[0] is not None:
            out = _std_grad(grads[0], x, self.result.unpack(self), self.dims, self.keepdim, self.correction, self.n)
        if grads[1] is not None:
            gm = _mean_grad(grads[1], x._data.shape, self.dims, self.keepdim, self.n)
            out = gm if out is None else out + gm
        return (out,)


def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None) -> Tensor:
    """Variance over ``dim`` (all by default) with Bessel's ``correction`` (1 unless told).

    >>> var(ember.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor(1.6667)
    """
    dim, c, keepdim = _var_args(dim, unbiased, keepdim, correction, "var")
    v, _, dims, n = _var_forward(input, dim, c, keepdim, "var", 4)
    r = _wrap(v)
    if needs_grad(input):
        nd = record(VarBackward0, r, (input,))
        nd.self_, nd.dims, nd.keepdim, nd.correction, nd.n = SavedTensor(input), dims, keepdim, c, n
    return r


def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None, out=None) -> Tensor:
    """Standard deviation over ``dim`` (all by default); one element gives nan, as torch.

    >>> std(ember.tensor([1.0, 2.0, 3.0, 4.0]))
    tensor(1.2910)
    """
    dim, c, keepdim = _var_args(dim, unbiased, keepdim, correction, "std")
    v, _, dims, n = _var_forward(input, dim, c, keepdim, "std", 4)
    r = _wrap(np.sqrt(v))
    if needs_grad(input):
        nd = record(StdBackward0, r, (input,))
        nd.self_, nd.result, nd.dims, nd.keepdim, nd.correction, nd.n = (SavedTensor(input), SavedTensor(r, nd),
                                                                         dims, keepdim, c, n)
    return r


def var_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(var, mean)`` over ``dim`` in one pass.

    >>> var_mean(ember.tensor([1.0, 3.0]))
    (tensor(2.), tensor(2.))
    """
    dim, c, keepdim = _var_args(dim, unbiased, keepdim, correction, "var_mean")
    v, m, dims, n = _var_forward(input, dim, c, keepdim, "var_mean")
    rv, rm = _wrap(v), _wrap(m)
    if needs_grad(input):
        nd = record(VarMeanBackward0, (rv, rm), (input,))
        nd.self_, nd.dims, nd.keepdim, nd.correction, nd.n = SavedTensor(input), dims, keepdim, c, n
    return rv, rm


def std_mean(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None):
    """``(std, mean)`` over ``dim`` in one pass.

    >>> std_mean(ember.tensor([1.0, 3.0]))
    (tensor(1.4142), tensor(2.))
    """
    dim, c, keepdim = _var_args(dim, unbiased, keepdim, correction, "std_mean")
    v, m, dims, n = _var_forward(input, dim, c, keepdim, "std_mean")
    rs, rm = _wrap(np.sqrt(v)), _wrap(m)
    if needs_grad(input):
        nd = record(StdMeanBackward0, (rs, rm), (input,))
        nd.self_, nd.result, nd.dims, nd.keepdim, nd.correction, nd.n = (SavedTensor(input), SavedTensor(rs, nd),
                                                                         dims, keepdim, c, n)
    return rs, rm


# ----------------------------------------------------------------------------- norms
class LinalgVectorNormBackward0(Node):
    """Gradient of the p-norm; 0 where the norm is 0 (as torch)."""

    __slots__ = ("self_", "result", "ord", "dims", "keepdim")

    def backward(self, g):
        x = self.self_.unpack()
        r = self.result.unpack(self)
        p = self.ord
        E = _E()
        if not self.keepdim and self.dims and x._data.ndim:
            for d in self.dims:
                g = g.unsqueeze(d)
                r = r.unsqueeze(d)
        zero = _wrap(np.zeros((), dtype=x._data.dtype))
        if p == 0:
            return (None,)  # NOTE: as torch, the 0-"norm" gives no gradient at all
        if p == 1:
            return (g * E.sgn(x),)
        if p in (_math.inf, -_math.inf):
            ax = x.abs()
            mask = (ax == r).to(x.dtype)
            count = mask.sum(self.dims if self.dims else None, keepdim=True) if x._data.ndim else mask
            return (g * E.sgn(x) * mask / count,)
        if p == 2:
            return (E.where(r == 0, zero, g * x / r),)
        scale = E.sgn(x) * x.abs() ** (p - 1) / r ** (p - 1)
        # NOTE: as torch, 0 where the norm is 0 and where the element is 0 (p < 1 would give inf)
        return (E.where((r == 0) | (x == 0), zero, g * scale),)


def _check_float(input, name):
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got {_type_name(input._data.dtype)}")


def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:  # noqa: A002
    """The ``ord``-norm of ``x`` as a vector (over ``dim``, or all elements).

    >>> vector_norm(ember.tensor([3.0, 4.0]))
    tensor(5.)
    """
    _check_float(x, "linalg.vector_norm")
    if dtype is not None:
        x = x.to(dtype)
    a = x._data
    if isinstance(dim, int):
        dim = (dim,)
    dims = _dims(dim, a.ndim)
    ax = np.abs(a)
    p = float(ord)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        kw = dict(axis=dims if a.ndim else None, keepdims=keepdim and a.ndim > 0)
        if p == _math.inf:
            res = ax.max(**kw) if a.size else np.zeros(()) 
        elif p == -_math.inf:
            res = ax.min(**kw)
        elif p == 0:
            res = (ax != 0).sum(**kw).astype(a.dtype)
        elif p == 1:
            res = ax.sum(**kw)
        elif p == 2:
            res = np.sqrt((ax * ax).sum(**kw))
        else:
            res = (ax ** p).sum(**kw) ** (1.0 / p)
    r = _wrap(np.asarray(res, dtype=a.dtype.type(0).real.dtype))
    if needs_grad(x):
        n = record(LinalgVectorNormBackward0, r, (x,))
        n.self_, n.result, n.ord, n.dims, n.keepdim = SavedTensor(x), SavedTensor(r, n), p, dims, keepdim
    return r


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None, out=None) -> Tensor:  # noqa: A002
    """A matrix norm over the two dims ``dim``: ``'fro'``, ``'nuc'``, 1, -1, inf, -inf, 2 or -2.

    >>> matrix_norm(ember.tensor([[1.0, -2.0], [3.0, 4.0]]), 1)
    tensor(6.)
    """
    _check_float(A, "linalg.matrix_norm")
    if A._data.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = (wrap_dim(d, A._data.ndim) for d in dim)
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in (1, -1, _math.inf, -_math.inf):
        sum_dim, red_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        s = A.abs().sum(sum_dim, keepdim=keepdim)
        if not keepdim and sum_dim < red_dim:
            red_dim -= 1
        return amax(s, red_dim, keepdim) if ord > 0 else amin(s, red_dim, keepdim)
    if ord in ("nuc", 2, -2):
        from .linalg import svdvals
        nd = A._data.ndim
        lo, hi = _builtin_min(d0, d1), _builtin_max(d0, d1)
        perm = [i for i in range(nd) if i not in (d0, d1)] + [d0, d1]
        At = A.permute(*perm) if perm != list(range(nd)) else A
        sv = svdvals(At)
        r = sv.sum(-1) if ord == "nuc" else (amax(sv, -1) if ord == 2 else amin(sv, -1))
        if keepdim:
            r = r.unsqueeze(lo).unsqueeze(hi)
        return r
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def norm(input, p="fro", dim=None, keepdim: bool = False, out=None, dtype=None) -> Tensor:
    """The ``p``-norm (``'fro'`` by default: the 2-norm of all elements or over ``dim``).

    >>> norm(ember.tensor([[3.0, 4.0]]), dim=1)
    tensor([5.])
    """
    if isinstance(p, str):
        if p == "fro":
            if dim is not None and not isinstance(dim, int) and len(dim) > 2:
                raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got " + " ".join(map(str, dim)))
            return vector_norm(input, 2, dim, keepdim, dtype=dtype)
        if p == "nuc":
            return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim, dtype=dtype)
        raise RuntimeError(f"norm: unsupported p '{p}'")
    return vector_norm(input, 2 if p is None else p, dim, keepdim, dtype=dtype)


# ----------------------------------------------------------------------------- logsumexp / softmax / log_softmax
class LogsumexpBackward0(Node):
    """grad * exp(self - result)."""

    __slots__ = ("self_", "result", "dims", "keepdim")

    def backward(self, g):
        x, r = self.self_.unpack(), self.result.unpack(self)
        if not self.keepdim and self.dims and x._data.ndim:
            for d in self.dims:
                g = g.unsqueeze(d)
                r = r.unsqueeze(d)
        return (g * (x - r).exp(),)


def logsumexp(input, dim, keepdim: bool = False, *, out=None) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, computed stably.

    >>> logsumexp(ember.tensor([0.0, 0.0]), 0)
    tensor(0.6931)
    """
    x = input if input._data.dtype.kind in "fc" else input.to(D.get_default_dtype())
    a = x._data
    dims = _dims(dim, a.ndim) if not (isinstance(dim, (tuple, list)) and len(dim) == 0) else _dims(None, a.ndim)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if a.ndim == 0:
            res = a.copy()
        elif a.size == 0:
            res = np.log(np.exp(a).sum(axis=dims, keepdims=keepdim))
        else:
            m = a.max(axis=dims, keepdims=True)
            m = np.where(np.isinf(m), 0, m)
            res = np.log(np.exp(a - m).sum(axis=dims, keepdims=True)) + m
            if not keepdim:
                res = np.squeeze(res, axis=dims)
    r = _wrap(np.asarray(res, dtype=a.dtype))
    if needs_grad(x):
        n = record(LogsumexpBackward0, r, (x,))
        n.self_, n.result, n.dims, n.keepdim = SavedTensor(x), SavedTensor(r, n), dims, keepdim
    return r


class SoftmaxBackward0(Node):
    """(grad - sum(grad * result)) * result."""

    __slots__ = ("result", "dim")

    def backward(self, g):
        y = self.result.unpack(self)
        if y._data.ndim == 0:
            return (g * 0,)
        return ((g - (g * y).sum(self.dim, keepdim=True)) * y,)


class LogSoftmaxBackward0(Node):
    """grad - exp(result) * sum(grad)."""

    __slots__ = ("result", "dim")

    def backward(self, g):
        y = self.result.unpack(self)
        if y._data.ndim == 0:
            return (g * 0,)
        return (g - y.exp() * g.sum(self.dim, keepdim=True),)


def _softmax_input(input, dim, dtype, kernel):
    if dim is None:
        raise TypeError(f"{kernel}() missing 1 required positional argument: 'dim'")
    if dtype is not None:
        input = input.to(dtype)
    a = input._data
    if a.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}_lastdim_kernel_impl" not implemented for \'{_type_name(a.dtype)}\'')
    return input, wrap_dim(dim, a.ndim)


def softmax(input, dim=None, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably (``dtype`` casts the input first).

    >>> softmax(ember.tensor([0.0, 0.0]), 0)
    tensor([0.5000, 0.5000])
    """
    x, d = _softmax_input(input, dim, dtype, "softmax")
    a = x._data
    with np.errstate(invalid="ignore", over="ignore"):
        if a.ndim == 0:
            res = np.ones_like(a)
        else:
            m = a.max(axis=d, keepdims=True) if a.size else 0
            e = np.exp(a - m)
            res = e / e.sum(axis=d, keepdims=True)
    r = _wrap(np.asarray(res, dtype=a.dtype))
    if needs_grad(x):
        n = record(SoftmaxBackward0, r, (x,))
        n.result, n.dim = SavedTensor(r, n), d
    return r


def log_softmax(input, dim=None, dtype=None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``, computed stably.

    >>> log_softmax(ember.tensor([0.0, 0.0]), 0)
    tensor([-0.6931, -0.6931])
    """
    x, d = _softmax_input(input, dim, dtype, "log_softmax")
    a = x._data
    with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
        if a.ndim == 0:
            res = np.zeros_like(a)
        else:
            m = a.max(axis=d, keepdims=True) if a.size else 0
            m = np.where(np.isinf(m), 0, m)
            s = a - m
            res = s - np.log(np.exp(s).sum(axis=d, keepdims=True))
    r = _wrap(np.asarray(res, dtype=a.dtype))
    if needs_grad(x):
        n = record(LogSoftmaxBackward0, r, (x,))
        n.result, n.dim = SavedTensor(r, n), d
    return r


# ----------------------------------------------------------------------------- cumsum / cumprod / cummax / cummin
class CumsumBackward0(Node):
    """Reverse cumulative sum of grad along dim."""

    __slots__ = ("dim",)

    def backward(self, g):
        if g._data.ndim == 0:
            return (g,)
        return (g.sum(self.dim, keepdim=True) - cumsum(g, self.dim) + g,)


def _rev_cumsum(g, dim):
    return g.sum(dim, keepdim=True) - cumsum(g, dim) + g


class CumprodBackward0(Node):
    """Without zeros: revcumsum(grad * result) / self; with zeros: exact products of the others."""

    __slots__ = ("self_", "result", "dim")

    def backward(self, g):
        x = self.self_.unpack()
        d = self.dim
        if x._data.ndim == 0:
            return (g,)
        if not (x._data == 0).any():
            return (_rev_cumsum(g * self.result.unpack(self), d) / x,)
        # C[i, k] = prod_{j <= k, j != i} x_j; grad_i = sum_{k >= i} g_k C[i, k]
        n = x._data.shape[d]
        E = _E()
        xe = x.unsqueeze(d).expand(*x._data.shape[:d], n, *x._data.shape[d:])
        shp = [1] * (x._data.ndim + 1)
        shp[d], shp[d + 1] = n, n
        eye = _wrap(np.eye(n, dtype=bool).reshape(shp))
        upper = _wrap(np.triu(np.ones((n, n), dtype=bool)).reshape(shp))  # k >= i
        one = _wrap(np.ones((), dtype=x._data.dtype))
        zero = _wrap(np.zeros((), dtype=x._data.dtype))
        C = cumprod(E.where(eye, one, xe), d + 1)
        ge = g.unsqueeze(d)
        return (E.where(upper, ge * C, zero).sum(d + 1),)


def cumsum(input, dim, *, dtype=None, out=None) -> Tensor:
    """Cumulative sum along ``dim`` (integers and bools accumulate as int64).

    >>> cumsum(ember.tensor([1.0, 2.0, 3.0]), 0)
    tensor([1., 3., 6.])
    """
    a = input._data
    dt = _sum_dtype(a, dtype)
    d = wrap_dim(dim, a.ndim)
    r = _wrap(np.asarray(np.cumsum(a, axis=d, dtype=dt) if a.ndim else a.astype(dt)))
    if needs_grad(input):
        record(CumsumBackward0, r, (input,)).dim = d
    return r


def cumprod(input, dim, *, dtype=None, out=None) -> Tensor:
    """Cumulative product along ``dim``.

    >>> cumprod(ember.tensor([1.0, 2.0, 3.0]), 0)
    tensor([1., 2., 6.])
    """
    a = input._data
    dt = _sum_dtype(a, dtype)
    d = wrap_dim(dim, a.ndim)
    r = _wrap(np.asarray(np.cumprod(a, axis=d, dtype=dt) if a.ndim else a.astype(dt)))
    if needs_grad(input):
        n = record(CumprodBackward0, r, (input,))
        n.self_, n.result, n.dim = SavedTensor(input), SavedTensor(r, n), d
    return r


class CummaxBackward0(Node):
    """The gradient of each output is added at its index."""

    __slots__ = ("dim", "idx")

    def backward(self, g):
        if g._data.ndim == 0:
            return (g,)
        return (_put_along(g, self.dim, self.idx, self._meta[0][0]),)


class CumminBackward0(CummaxBackward0):
    __slots__ = ()


def _int_arg(name, value, pos, arg):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be int, not {type(value).__name__}")


def _cumext(input, dim, largest, name):
    _int_arg(name, dim, 2, "dim")
    a = input._data
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        vals, idx = a.copy(), np.zeros((), dtype=np.int64)
    else:
        x = np.moveaxis(a, d, 0)
        vals = np.empty_like(x)
        idx = np.empty(x.shape, dtype=np.int64)
        if x.shape[0]:
            cur, ci = x[0].copy(), np.zeros(x.shape[1:], dtype=np.int64)
            isf = a.dtype.kind in "fc"
            for i in range(x.shape[0]):
                xi = x[i]
                # NOTE: as torch, ties move the index to the later element; nan sticks
                take = (xi >= cur) if largest else (xi <= cur)
                if isf:
                    take = take | np.isnan(xi)
                cur = np.where(take, xi, cur)
                ci = np.where(take, i, ci)
                vals[i], idx[i] = cur, ci
        vals, idx = np.moveaxis(vals, 0, d), np.moveaxis(idx, 0, d)
    v = _wrap(_contig(vals))
    if needs_grad(input):
        n = record(CummaxBackward0 if largest else CumminBackward0, v, (input,))
        n.dim, n.idx = d, idx
    return _RT[name]((v, _wrap(_contig(idx))))


def cummax(input, dim: int):
    """Running maximum along ``dim`` and where it was found.

    >>> cummax(ember.tensor([1.0, 3.0, 2.0]), 0).indices
    tensor([0, 1, 1])
    """
    return _cumext(input, dim, True, "cummax")


def cummin(input, dim: int):
    """Running minimum along ``dim`` and where it was found.

    >>> cummin(ember.tensor([3.0, 1.0, 2.0]), 0).indices
    tensor([0, 1, 1])
    """
    return _cumext(input, dim, False, "cummin")


# ----------------------------------------------------------------------------- all / any / count_nonzero
def _logic_reduce(input, dim, keepdim, fn):
    a = input._data
    out_dt = np.uint8 if a.dtype == np.uint8 else np.bool_
    if dim is None:
        res = fn(a)
        if keepdim:
            res = np.asarray(res).reshape((1,) * a.ndim)
    else:
        dims = _dims(dim, a.ndim)
        res = fn(a, axis=dims, keepdims=keepdim) if a.ndim else fn(a)
    return _wrap(np.asarray(res).astype(out_dt))


def all(input, dim=None, keepdim: bool = False, *, out=None) -> Tensor:  # noqa: A001
    """Whether every element (over ``dim``) is nonzero.

    >>> all(ember.tensor([[True, False], [True, True]]), 1)
    tensor([False,  True])
    """
    return _logic_reduce(input, dim, keepdim, np.all)


def any(input, dim=None, keepdim: bool = False, *, out=None) -> Tensor:  # noqa: A001
    """Whether some element (over ``dim``) is nonzero.

    >>> any(ember.tensor([[True, False], [False, False]]), 1)
    tensor([ True, False])
    """
    return _logic_reduce(input, dim, keepdim, np.any)


def count_nonzero(input, dim=None) -> Tensor:
    """The number of nonzero elements (over ``dim``).

    >>> count_nonzero(ember.tensor([[0.0, 1.0], [2.0, 3.0]]), 0)
    tensor([1, 2])
    """
    a = input._data
    dims = None if dim is None else _dims(dim, a.ndim)
    return _wrap(np.asarray(np.count_nonzero(a, axis=dims) if a.ndim else int(a != 0), dtype=np.int64))


# ----------------------------------------------------------------------------- sorting
def _stable_argsort(a, d, descending):
    """Stable argsort along ``d``; nan sorts as the largest value (as torch)."""
    if a.dtype.kind == "b":
        a = a.astype(np.uint8)
    if not descending:
        return np.argsort(a, axis=d, kind="stable")
    n = a.shape[d]
    rev = np.flip(a, axis=d)
    o = np.argsort(rev, axis=d, kind="stable")
    return np.flip(n - 1 - o, axis=d)


class SortBackward0(Node):
    """The gradient goes back to where each value came from."""

    __slots__ = ("dim", "idx")

    def backward(self, g):
        if g._data.ndim == 0:
            return (g,)
        return (_put_along(g, self.dim, self.idx, self._meta[0][0]),)


class TopkBackward0(SortBackward0):
    __slots__ = ()


def sort(input, dim: int = -1, descending: bool = False, stable: bool = False, *, out=None):
    """Sorted values along ``dim`` and their original indices; equal values come in torch's
    order (stable with ``stable=True``, else the order of torch's CPU ``std::sort``).

    >>> sort(ember.tensor([3.0, 1.0, 2.0])).indices
    tensor([1, 2, 0])
    """
    if isinstance(dim, bool):
        raise TypeError("sort(): argument 'dim' must be int, not bool")
    a = input._data
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        idx = np.zeros((), dtype=np.int64)
        vals = a.copy()
    else:
        idx = _contig(_torch_argsort(a, d, descending, stable), dtype=np.int64)
        vals = np.take_along_axis(a, idx, d)
    v = _wrap(np.asarray(vals))
    if needs_grad(input):
        n = record(SortBackward0, v, (input,))
        n.dim, n.idx = d, idx
    return _RT["sort"]((v, _wrap(np.asarray(idx))))


def argsort(input, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """The indices that sort ``input`` along ``dim``.

    >>> argsort(ember.tensor([3.0, 1.0, 2.0]))
    tensor([1, 2, 0])
    """
    a = input._data
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _wrap(np.zeros((), dtype=np.int64))
    return _wrap(_contig(_torch_argsort(a, d, descending, stable), dtype=np.int64))


def msort(input) -> Tensor:
    """Sort along the first dim (values only).

    >>> msort(ember.tensor([[2.0], [1.0]]))
    tensor([[1.],
            [2.]])
    """
    return sort(input, 0).values


# --- torch's CPU selection algorithms (libstdc++'s nth_element / sort / partial_sort, and
# torch's own quickselect), replayed on index lists so that ties resolve to the same indices.
def _std_partition_pivot(idx, first, last, comp):
    mid = first + (last - first) // 2
    a, b, c = first + 1, mid, last - 1
    if comp(idx[a], idx[b]):
        m = b if comp(idx[b], idx[c]) else (c if comp(idx[a], idx[c]) else a)
    elif comp(idx[a], idx[c]):
        m = a
    elif comp(idx[b], idx[c]):
        m = c
    else:
        m = b
    idx[first], idx[m] = idx[m], idx[first]
    lo, hi, piv = first + 1, last, idx[first]
    while True:
        while comp(idx[lo], piv):
            lo += 1
        hi -= 1
        while comp(piv, idx[hi]):
            hi -= 1
        if not lo < hi:
            return lo
        idx[lo], idx[hi] = idx[hi], idx[lo]
        lo += 1


def _std_insertion_sort(idx, first, last, comp):
    for i in range(first + 1, last):
        val = idx[i]
        j = i
        while j > first and comp(val, idx[j - 1]):
            idx[j] = idx[j - 1]
            j -= 1
        idx[j] = val


def _std_adjust_heap(idx, first, hole, length, value, comp):
    top = hole
    child = hole
    while child < (length - 1) // 2:
        child = 2 * (child + 1)
        if comp(idx[first + child], idx[first + child - 1]):
            child -= 1
        idx[first + hole] = idx[first + child]
        hole = child
    if (length & 1) == 0 and child == (length - 2) // 2:
        child = 2 * (child + 1)
        idx[first + hole] = idx[first + child - 1]
        hole = child - 1
    parent = (hole - 1) // 2
    while hole > top and comp(idx[first + parent], value):
        idx[first + hole] = idx[first + parent]
        hole = parent
        parent = (hole - 1) // 2
    idx[first + hole] = value


def _std_partial_sort(idx, first, middle, last, comp, sort_heap=True):
    """libstdc++'s heap select of [first, middle) from [first, last), then its heap sort."""
    length = middle - first
    if length > 1:
        parent = (length - 2) // 2
        while True:
            _std_adjust_heap(idx, first, parent, length, idx[first + parent], comp)
            if parent == 0:
                break
            parent -= 1
    for i in range(middle, last):
        if comp(idx[i], idx[first]):
            value = idx[i]
            idx[i] = idx[first]
            _std_adjust_heap(idx, first, 0, length, value, comp)
    end = middle if sort_heap else first
    while end - first > 1:
        end -= 1
        value = idx[end]
        idx[end] = idx[first]
        _std_adjust_heap(idx, first, 0, end - first, value, comp)


def _std_sort(idx, first, last, comp):
    def loop(first, last, depth):
        while last - first > 16:
            if depth == 0:
                _std_partial_sort(idx, first, last, last, comp)
                return
            depth -= 1
            cut = _std_partition_pivot(idx, first, last, comp)
            loop(cut, last, depth)
            last = cut
    n = last - first
    if n > 1:
        loop(first, last, 2 * int(_math.log2(n)))
        _std_insertion_sort(idx, first, last, comp)


def _std_nth_element(idx, first, nth, last, comp):
    n = last - first
    depth = 2 * int(_math.log2(n)) if n > 0 else 0
    while last - first > 3:
        if depth == 0:
            _std_partial_sort(idx, first, nth + 1, last, comp, sort_heap=False)
            idx[first], idx[nth] = idx[nth], idx[first]
            return
        depth -= 1
        cut = _std_partition_pivot(idx, first, last, comp)
        if cut <= nth:
            first = cut
        else:
            last = cut
    _std_insertion_sort(idx, first, last, comp)


def _gt_or_nan(v):
    def comp(i, j):
        a, b = v[i], v[j]
        return (a != a and b == b) or a > b
    return comp


def _lt_or_nan(v):
    def comp(i, j):
        a, b = v[i], v[j]
        return (a == a and b != b) or a < b
    return comp


def _topk_slice(v, k, largest, sorted_):
    """torch's CPU topk on one 1-d slice (a list of Python numbers): the chosen indices."""
    n = len(v)
    idx = list(range(n))
    comp = _gt_or_nan(v) if largest else _lt_or_nan(v)
    if k * 64 <= n:
        _std_partial_sort(idx, 0, k, n, comp)
    else:
        _std_nth_element(idx, 0, k - 1, n, comp)
        if sorted_:
            _std_sort(idx, 0, k - 1, comp)
    return idx[:k]


def _quickselect_slice(v, k):
    """torch's own quickselect (kthvalue) on one slice: the index of the k-th smallest (0-based)."""
    arr = list(v)
    idx = list(range(len(arr)))

    def gt(a, b):
        return (a != a and b == b) or a > b

    def sw(i, j):
        arr[i], arr[j] = arr[j], arr[i]
        idx[i], idx[j] = idx[j], idx[i]
    L, R = 0, len(arr) - 1
    while R > L:
        if R == L + 1:
            if gt(arr[L], arr[R]):
                sw(L, R)
            break
        P = L + (R - L) // 2
        sw(P, L + 1)
        if gt(arr[L + 1], arr[R]):
            sw(L + 1, R)
        if gt(arr[L], arr[R]):
            sw(L, R)
        if gt(arr[L + 1], arr[L]):
            sw(L + 1, L)
        i, j = L + 1, R
        piv = arr[L]
        while True:
            i += 1
            while gt(piv, arr[i]):
                i += 1
            j -= 1
            while gt(arr[j], piv):
                j -= 1
            if j < i:
                break
            sw(i, j)
        sw(L, j)
        if j <= k:
            L = i
        if j >= k:
            R = j - 1
    return idx[k]


def _contig(x, dtype=None):
    """A C-contiguous array (0-d stays 0-d, unlike ``np.ascontiguousarray``)."""
    return np.asarray(np.require(x, dtype=dtype, requirements="C"))


def _positions(mask):
    """Index tuples where ``mask`` holds (a 0-d mask gives the empty tuple)."""
    if mask.ndim == 0:
        return [()] if mask else []
    return list(zip(*np.nonzero(mask)))


# NOTE: replaying torch's std::sort in Python costs about 1 s per 10^5 tied elements; above this
# many elements in tied slices, sort() falls back to the stable order (equal values keep their
# input order, which torch's unstable sort does not promise either).
_EXACT_TIE_LIMIT = 100_000


def _torch_argsort(a, d, descending, stable):
    """torch's CPU sort order along ``d``: ``stable`` gives a stable sort; otherwise torch runs
    libstdc++'s ``std::sort`` on (value, index) pairs, which is replayed on slices holding ties
    (slices without ties have only one possible order)."""
    order = _stable_argsort(a, d, descending)
    if stable or a.shape[d] <= 1:
        return order
    key = a.astype(np.float64) if a.dtype.kind in "biu" else a
    srt = np.moveaxis(np.take_along_axis(key, order, d), d, -1)
    with np.errstate(invalid="ignore"):
        tied = srt[..., 1:] == srt[..., :-1]
        if key.dtype.kind in "fc":
            tied |= np.isnan(srt[..., 1:]) & np.isnan(srt[..., :-1])
    slow = tied.any(axis=-1)
    if slow.any() and int(slow.sum()) * a.shape[d] <= _EXACT_TIE_LIMIT:
        km = np.moveaxis(key, d, -1)
        om = np.moveaxis(order, d, -1).copy()
        n = km.shape[-1]
        for pos in _positions(slow):
            vals = km[pos].tolist()
            idx = list(range(n))
            _std_sort(idx, 0, n, _gt_or_nan(vals) if descending else _lt_or_nan(vals))
            om[pos] = idx
        order = np.moveaxis(om, -1, d)
    return order


def topk(input, k: int, dim: int = -1, largest: bool = True, sorted: bool = True, *, out=None):  # noqa: A002
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices; ties resolve
    as torch's CPU kernel resolves them.

    >>> topk(ember.tensor([1.0, 4.0, 2.0, 3.0]), 2)
    torch.return_types.topk(
    values=tensor([4., 3.]),
    indices=tensor([1, 3]))
    """
    a = input._data
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d] if a.ndim else 1
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if a.ndim == 0:
        idx = np.zeros((), dtype=np.int64)
        vals = a.copy()
    else:
        key = a.astype(np.float64) if a.dtype.kind in "biu" else a
        order = _stable_argsort(key, d, largest)
        idx = np.take_along_axis(order, np.arange(k).reshape([-1 if i == d else 1 for i in range(a.ndim)]), d) if k else np.take(order, [], axis=d)
        # fast path: when no ties touch the chosen set, every algorithm agrees with the sort
        srt = np.take_along_axis(key, order, d)
        m = np.moveaxis(srt, d, -1)
        upto = _builtin_min(k + 1, n)
        seg = m[..., :upto]
        with np.errstate(invalid="ignore"):
            tied = (seg[..., 1:] == seg[..., :-1]) | (np.isnan(seg[..., 1:]) & np.isnan(seg[..., :-1])) if a.dtype.kind in "fc" else seg[..., 1:] == seg[..., :-1]
        slow = tied.any(axis=-1) if (sorted and k) else np.ones(m.shape[:-1], dtype=bool) if k else np.zeros(m.shape[:-1], dtype=bool)
        if slow.any():
            km = np.moveaxis(key, d, -1)
            im = np.moveaxis(idx, d, -1).copy()
            for pos in _positions(slow):
                im[pos] = _topk_slice(km[pos].tolist(), k, largest, sorted)
            idx = np.moveaxis(im, -1, d)
        idx = _contig(idx, dtype=np.int64)
        vals = np.take_along_axis(a, idx, d)
    v = _wrap(np.asarray(vals))
    if needs_grad(input):
        nd = record(TopkBackward0, v, (input,))
        nd.dim, nd.idx = d, idx
    return _RT["topk"]((v, _wrap(np.asarray(idx))))


class KthvalueBackward0(MaxBackward0):
    """kthvalue(dim): the gradient goes to the returned index (as max(dim))."""

    __slots__ = ()


class MedianBackward1(KthvalueBackward0):
    __slots__ = ()


class NanmedianBackward1(KthvalueBackward0):
    __slots__ = ()


class ModeBackward0(KthvalueBackward0):
    __slots__ = ()


def _select_result(input, d, keepdim, idx, node_cls, name):
    """Values at ``idx`` (positions along ``d``, keepdim-shaped) and the named pair."""
    a = input._data
    if a.ndim == 0:
        vals, idx_out = a.copy(), np.zeros((), dtype=np.int64)
        idx = idx_out
    else:
        vals = np.take_along_axis(a, idx, d)
        idx_out = idx
        if not keepdim:
            vals, idx_out = np.squeeze(vals, d), np.squeeze(idx, d)
    v = _wrap(np.asarray(vals))
    if needs_grad(input):
        n = record(node_cls, v, (input,))
        n.dim, n.keepdim, n.idx = d, keepdim, idx
    return _RT[name]((v, _wrap(_contig(idx_out, dtype=np.int64))))


def kthvalue(input, k: int, dim: int = -1, keepdim: bool = False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index.

    >>> kthvalue(ember.tensor([3.0, 1.0, 2.0]), 2)
    torch.return_types.kthvalue(
    values=tensor(2.),
    indices=tensor(2))
    """
    a = input._data
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d] if a.ndim else 1
    if k < 1 or k > n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if a.ndim == 0:
        return _select_result(input, d, keepdim, None, KthvalueBackward0, "kthvalue")
    key = a.astype(np.float64) if a.dtype.kind in "biu" else a
    order = _stable_argsort(key, d, False)
    pick = np.take(order, [k - 1], axis=d)
    # the index only depends on the algorithm when the k-th value occurs more than once
    kv = np.take_along_axis(key, pick, d)
    with np.errstate(invalid="ignore"):
        same = (key == kv) | (np.isnan(key) & np.isnan(kv)) if a.dtype.kind in "fc" else key == kv
    dup = np.moveaxis(same.sum(axis=d, keepdims=True) > 1, d, -1)[..., 0]
    if dup.any():
        km = np.moveaxis(key, d, -1)
        pm = np.moveaxis(pick, d, -1).copy()
        for pos in _positions(dup):
            pm[pos] = [_quickselect_slice(km[pos].tolist(), k - 1)]
        pick = np.moveaxis(pm, -1, d)
    return _select_result(input, d, keepdim, _contig(pick, dtype=np.int64), KthvalueBackward0, "kthvalue")


class MedianBackward0(Node):
    """median(): ties at the median share the gradient evenly."""

    __slots__ = ("self_", "result")

    def backward(self, g):
        return (_evenly(g, self.self_.unpack(), self.result.unpack(self), (), False),)


class NanmedianBackward0(MedianBackward0):
    __slots__ = ()


def _median_full(input, ignore_nan):
    a = input._data.reshape(-1)
    if a.size == 0:
        val = np.asarray(np.nan, dtype=a.dtype) if a.dtype.kind in "fc" else np.zeros((), dtype=a.dtype)
    else:
        if a.dtype.kind in "fc":
            nan = np.isnan(a)
            if ignore_nan:
                a = a[~nan]
            elif nan.any():
                a = a[:0]
        if a.size == 0:
            val = np.asarray(np.nan, dtype=input._data.dtype)
        else:
            val = np.asarray(np.sort(a)[(a.size - 1) // 2])
    r = _wrap(np.asarray(val, dtype=input._data.dtype))
    if needs_grad(input):
        n = record(NanmedianBackward0 if ignore_nan else MedianBackward0, r, (input,))
        n.self_, n.result = SavedTensor(input), SavedTensor(r, n)
    return r


def _median_dim(input, dim, keepdim, ignore_nan, name):
    a = input._data
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _select_result(input, d, keepdim, None, NanmedianBackward1 if ignore_nan else MedianBackward1, name)
    if a.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    order = _stable_argsort(a, d, False)
    if a.dtype.kind in "fc":
        nan = np.isnan(a)
        cnt = (~nan).sum(axis=d, keepdims=True)
        if ignore_nan:
            pos = np.maximum((cnt - 1) // 2, 0)
        else:
            n = a.shape[d]
            pos = np.full(cnt.shape, (n - 1) // 2)
        pick = np.take_along_axis(order, pos, d)
        if not ignore_nan:
            # NOTE: as torch, a slice holding nan gives nan and the index of its first nan
            has = nan.any(axis=d, keepdims=True)
            first_nan = np.expand_dims(np.argmax(nan, axis=d), d)
            pick = np.where(has, first_nan, pick)
    else:
        pick = np.take(order, [(a.shape[d] - 1) // 2], axis=d)
    return _select_result(input, d, keepdim, _contig(pick, dtype=np.int64),
                          NanmedianBackward1 if ignore_nan else MedianBackward1, name)


def median(input, dim=None, keepdim: bool = False, *, out=None):
    """The lower median (of all elements, or ``(values, indices)`` along ``dim``).

    >>> median(ember.tensor([1.0, 4.0, 2.0, 3.0]))
    tensor(2.)
    """
    if dim is None:
        return _median_full(input, False)
    return _median_dim(input, dim, keepdim, False, "median")


def nanmedian(input, dim=None, keepdim: bool = False, *, out=None):
    """:func:`median` ignoring nan.

    >>> nanmedian(ember.tensor([1.0, float('nan'), 3.0]))
    tensor(1.)
    """
    if dim is None:
        return _median_full(input, True)
    return _median_dim(input, dim, keepdim, True, "nanmedian")


def mode(input, dim: int = -1, keepdim: bool = False, *, out=None):
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and an
    index of it, chosen as torch's CPU kernel chooses it.

    >>> mode(ember.tensor([2, 2, 1, 1, 3]))
    torch.return_types.mode(
    values=tensor(1),
    indices=tensor(3))
    """
    a = input._data
    d = wrap_dim(dim, a.ndim)
    if a.ndim == 0:
        return _select_result(input, d, keepdim, None, ModeBackward0, "mode")
    m = np.moveaxis(a, d, -1)
    flat = m.reshape(-1, m.shape[-1])
    picks = np.zeros(flat.shape[0], dtype=np.int64)
    n = flat.shape[-1]
    for r in range(flat.shape[0]):
        # NOTE: as torch: std::sort the (value, index) pairs by value, then take the last pair of
        # the first longest run, so the index among equal values follows std::sort's order
        vals = flat[r].tolist()
        idx = list(range(n))
        _std_sort(idx, 0, n, lambda i, j: vals[i] < vals[j])
        best, best_i, run = 0, 0, 0
        for i in range(n):
            run += 1
            if i == n - 1 or vals[idx[i]] != vals[idx[i + 1]]:
                if run > best:
                    best, best_i = run, idx[i]
                run = 0
        picks[r] = best_i
    pick = np.expand_dims(picks.reshape(m.shape[:-1]), d)
    return _select_result(input, d, keepdim, pick, ModeBackward0, "mode")


# ----------------------------------------------------------------------------- unique
def unique(input, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False,  # noqa: A002
           dim=None):
    """The distinct elements (sorted), optionally with the inverse map and the counts.

    >>> unique(ember.tensor([3, 1, 3]), return_counts=True)
    (tensor([1, 3]), tensor([1, 2]))
    """
    a = input._data
    if dim is None:
        vals, inv, cnt = np.unique(a.reshape(-1), return_inverse=True, return_counts=True, equal_nan=False)
        inv = inv.reshape(a.shape)
    else:
        d = wrap_dim(dim, a.ndim)
        if a.shape[d] == 0:
            vals, inv, cnt = a.copy(), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        else:
            vals, inv, cnt = np.unique(a, axis=d, return_inverse=True, return_counts=True)
            inv = inv.reshape(-1)
    out = [_wrap(np.asarray(vals))]
    if return_inverse:
        out.append(_wrap(np.asarray(inv, dtype=np.int64)))
    if return_counts:
        out.append(_wrap(np.asarray(cnt, dtype=np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse: bool = False, return_counts: bool = False, dim=None):
    """Collapse runs of equal consecutive elements (of the flattened tensor, or along ``dim``).

    >>> unique_consecutive(ember.tensor([1, 1, 2, 1]))
    tensor([1, 2, 1])
    """
    a = input._data
    if dim is None:
        flat = a.reshape(-1)
        if flat.size == 0:
            starts = np.zeros(0, dtype=bool)
        else:
            starts = np.concatenate([[True], flat[1:] != flat[:-1]])
        vals = flat[starts]
        inv = (np.cumsum(starts) - 1).reshape(a.shape)
    else:
        d = wrap_dim(dim, a.ndim)
        m = np.moveaxis(a, d, 0)
        n = m.shape[0]
        starts = np.ones(n, dtype=bool)
        if n > 1:
            starts[1:] = (m[1:] != m[:-1]).reshape(n - 1, -1).any(axis=1)
        vals = np.moveaxis(m[starts], 0, d)
        inv = np.cumsum(starts) - 1
    pos = np.nonzero(starts)[0]
    cnt = np.diff(np.append(pos, starts.size))
    out = [_wrap(_contig(vals))]
    if return_inverse:
        out.append(_wrap(np.asarray(inv, dtype=np.int64)))
    if return_counts:
        out.append(_wrap(np.asarray(cnt, dtype=np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


# ----------------------------------------------------------------------------- nansum / nanmean
class NansumBackward0(Node):
    __slots__ = ("self_", "dims", "keepdim")

    def backward(self, g):
        x = self.self_.unpack()
        from .comparison import isnan
        if not self.keepdim and self.dims and x._data.ndim:
            for d in self.dims:
                g = g.unsqueeze(d)
        ge = g.expand(x._data.shape)
        return (_E().where(isnan(x), _wrap(np.zeros((), dtype=ge._data.dtype)), ge),)


def nansum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """:func:`sum` treating nan as 0.

    >>> nansum(ember.tensor([1.0, float('nan'), 2.0]))
    tensor(3.)
    """
    a = input._data
    dt = _sum_dtype(a, dtype)
    dims = _dims(dim, a.ndim)
    r = _wrap(np.asarray(np.nansum(a, axis=dims if a.ndim else None, keepdims=keepdim and a.ndim > 0, dtype=dt)))
    if needs_grad(input):
        n = record(NansumBackward0, r, (input,))
        n.self_, n.dims, n.keepdim = SavedTensor(input), dims, keepdim
    return r


def nanmean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """:func:`mean` ignoring nan (recorded as ``nansum / count``, as torch).

    >>> nanmean(ember.tensor([1.0, float('nan'), 2.0]))
    tensor(1.5000)
    """
    from .comparison import isnan
    cnt = sum(isnan(input).logical_not(), dim, keepdim)
    return nansum(input, dim, keepdim, dtype=dtype) / cnt


# ----------------------------------------------------------------------------- out=
def _write_out(r, o):
    if o._data.shape != r._data.shape:
        o._data = np.empty(r._data.shape, dtype=o._data.dtype)
    np.copyto(o._data, r._data, casting="unsafe")
    o._vc.v += 1
    return o


def _with_out(fn):
    """Give ``fn`` torch's ``out=``: a tensor, or a (values, indices) pair for named results."""
    import functools
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        r = fn(*args, **kwargs)
        results = list(r) if isinstance(r, tuple) else [r]
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        if len(outs) != len(results):
            raise TypeError(f"{name}(): argument 'out' must be a tuple of {len(results)} Tensors")
        if _builtin_any(x._rg for x in results) or _builtin_any(o._rg for o in outs):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                               "differentiation, but one of the arguments requires grad.")
        written = [_write_out(x, o) for x, o in zip(results, outs)]
        if isinstance(r, tuple):
            return _RT.get(type(r).__name__ + "_out", type(r))(written)
        return written[0]
    return wrapper


max, min, amax, amin, var, std = (_with_out(f) for f in (max, min, amax, amin, var, std))  # noqa: A001
vector_norm, matrix_norm, norm, logsumexp = (_with_out(f) for f in (vector_norm, matrix_norm, norm, logsumexp))
cumsum, cumprod, all, any = (_with_out(f) for f in (cumsum, cumprod, all, any))  # noqa: A001
sort, topk, kthvalue, median, nanmedian, mode = (_with_out(f) for f in (sort, topk, kthvalue, median,
                                                                      nanmedian, mode))


# ----------------------------------------------------------------------------- methods and exports
def _cumsum_(self, dim, *, dtype=None):
    return _E()._inplace_via(self, cumsum, dim, dtype=dtype)


def _cumprod_(self, dim, *, dtype=None):
    return _E()._inplace_via(self, cumprod, dim, dtype=dtype)


def _method_unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    return unique(self, sorted, return_inverse, return_counts, dim)


methods(
    prod=prod, max=max, min=min, amax=amax, amin=amin, aminmax=aminmax, argmax=argmax, argmin=argmin,
    var=var, std=std, norm=norm, logsumexp=logsumexp, softmax=softmax, log_softmax=log_softmax,
    cumsum=cumsum, cumprod=cumprod, cummax=cummax, cummin=cummin, all=all, any=any,
    count_nonzero=count_nonzero, sort=sort, argsort=argsort, msort=msort, topk=topk, kthvalue=kthvalue,
    median=median, nanmedian=nanmedian, mode=mode, unique=_method_unique,
    unique_consecutive=unique_consecutive, nansum=nansum, nanmean=nanmean, cumsum_=_cumsum_,
    cumprod_=_cumprod_,
)

__all__ += ["prod", "max", "min", "amax", "amin", "aminmax", "argmax", "argmin", "var", "std",
            "var_mean", "std_mean", "norm", "vector_norm", "matrix_norm", "logsumexp", "softmax",
            "log_softmax", "cumsum", "cumprod", "cummax", "cummin", "all", "any", "count_nonzero",
            "sort", "argsort", "msort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique",
            "unique_consecutive", "nansum", "nanmean", "return_types"]


def bincount(input, weights=None, minlength: int = 0) -> Tensor:
    """Count occurrences of each non-negative integer (weighted sums with ``weights``).

    >>> bincount(ember.tensor([0, 1, 1, 3]))
    tensor([1, 2, 0, 1])
    """
    a = input._data
    if a.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if a.dtype.kind not in "iub":
        raise RuntimeError(f'"bincount_cpu" not implemented for \'{D.from_np(a.dtype)._legacy.replace("Tensor", "")}\'')
    if a.size and a.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _wrap(np.bincount(a, minlength=minlength).astype(np.int64))
    w = weights._data
    # NOTE: as torch, float weights keep their dtype; integer weights give float64
    out = np.bincount(a, weights=w.astype(np.float64), minlength=minlength)
    return _wrap(out.astype(w.dtype if w.dtype.kind == "f" else np.float64))


methods(bincount=bincount)
__all__ += ["bincount"]
