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

    def backward(self, g):
        return (g.expand(self._meta[0][0]),)


class SumBackward1(Node):
    """sum(dim, keepdim): grad unsqueezed at the reduced dims and expanded."""

    __slots__ = ("dims", "keepdim")

    def backward(self, g):
        return (_expand_grad(g, self._meta[0][0], self.dims, self.keepdim),)


class MeanBackward0(Node):
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
        r = _wrap(np.asarray(a.mean(dtype=dt), dtype=dt))
        if needs_grad(input):
            record(MeanBackward0, r, (input,))
        return r
    dims = _dims(dim, a.ndim)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = _wrap(np.asarray(a.mean(axis=dims, keepdims=keepdim, dtype=dt), dtype=dt))
    if needs_grad(input):
        n = record(MeanBackward1, r, (input,))
        n.dims, n.keepdim = dims, keepdim
    return r


methods(sum=sum, mean=mean)
