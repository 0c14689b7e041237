"""Matrix products, each with its derivative.

>>> import ember
>>> a = ember.ones(2, 3)
>>> (a @ ember.ones(3)).shape
torch.Size([2])
"""
from __future__ import annotations

from ._util import M, Node, SavedTensor, Tensor, _wrap, binary, methods, needs_grad, np, record

__all__ = ["matmul", "mm", "dot", "mv", "bmm"]


class MmBackward0(Node):
    """self: grad @ mat2.T; mat2: self.T @ grad."""

    __slots__ = ("self_", "mat2")

    def backward(self, g):
        ga = g.mm(self.mat2.unpack().t()) if self.self_ is None or self.next_functions[0][0] is not None else None
        gb = self.self_.unpack().t().mm(g) if self.next_functions[1][0] is not None else None
        return ga, gb


class DotBackward0(Node):
    __slots__ = ("self_", "other")

    def backward(self, g):
        ga = g * self.other.unpack() if self.next_functions[0][0] is not None else None
        gb = g * self.self_.unpack() if self.next_functions[1][0] is not None else None
        return ga, gb


class MvBackward0(Node):
    __slots__ = ("self_", "vec")

    def backward(self, g):
        ga = g.unsqueeze(1) * self.vec.unpack().unsqueeze(0) if self.next_functions[0][0] is not None else None
        gb = self.self_.unpack().t().mv(g) if self.next_functions[1][0] is not None else None
        return ga, gb


class BmmBackward0(Node):
    __slots__ = ("self_", "mat2")

    def backward(self, g):
        ga = g.matmul(self.mat2.unpack().transpose(-1, -2)) if self.next_functions[0][0] is not None else None
        gb = self.self_.unpack().transpose(-1, -2).matmul(g) if self.next_functions[1][0] is not None else None
        return ga, gb


class UnsafeViewBackward0(Node):
    def backward(self, g):
        return (g.reshape(self._meta[0][0]),)


def _unsafe_view(t, shape):
    """A reshape recorded as torch's ``_unsafe_view`` (what matmul ends with)."""
    r = _wrap(t._data.reshape(shape))
    if needs_grad(t):
        record(UnsafeViewBackward0, r, (t,))
    return r


def _save2(n, ta, tb, name_a, name_b):
    setattr(n, name_a, SavedTensor(ta) if tb._rg else None)
    setattr(n, name_b, SavedTensor(tb) if ta._rg else None)


def _promote(a, b):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul(): argument 'other' (position 1) must be Tensor, not " + type(b).__name__)
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != {b.dtype.name}"
                           .replace("float32", "float").replace("float64", "double").replace("int64", "long int"))
    return a._data, b._data


def mm(input, mat2) -> Tensor:
    """Matrix product of two 2-d tensors."""
    a, b = _promote(input, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"{'self' if a.ndim != 2 else 'mat2'} must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(M.MATMUL_SHAPES.format(a0=a.shape[0], a1=a.shape[1], b0=b.shape[0], b1=b.shape[1]))
    r = _wrap(np.matmul(a, b))
    if needs_grad(input, mat2):
        _save2(record(MmBackward0, r, (input, mat2)), input, mat2, "self_", "mat2")
    return r


def dot(input, other) -> Tensor:
    """Dot product of two 1-d tensors."""
    a, b = _promote(input, other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively")
    r = _wrap(np.asarray(np.dot(a, b)))
    if needs_grad(input, other):
        _save2(record(DotBackward0, r, (input, other)), input, other, "self_", "other")
    return r


def mv(input, vec) -> Tensor:
    """Matrix-vector product."""
    a, b = _promote(input, vec)
    if a.ndim != 2 or b.ndim != 1 or a.shape[1] != b.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1] if a.ndim > 1 else ''}), vec ({b.shape[0]})")
    r = _wrap(np.matmul(a, b))
    if needs_grad(input, vec):
        _save2(record(MvBackward0, r, (input, vec)), input, vec, "self_", "vec")
    return r


def bmm(input, mat2) -> Tensor:
    """Batched matrix product of two 3-d tensors."""
    a, b = _promote(input, mat2)
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if a.ndim != 3 else "batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    r = _wrap(np.matmul(a, b))
    if needs_grad(input, mat2):
        _save2(record(BmmBackward0, r, (input, mat2)), input, mat2, "self_", "mat2")
    return r


def matmul(input, other) -> Tensor:
    """Matrix product with torch's rules for 1-d, 2-d and batched (broadcast) operands.

    >>> matmul(ember.ones(2, 3), ember.ones(3, 4)).shape
    torch.Size([2, 4])
    """
    a, b = _promote(input, other)
    da, db = a.ndim, b.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        return mm(input.unsqueeze(0), other).squeeze(0)
    if da == 2 and db == 2:
        return mm(input, other)
    if da >= 3 and db <= 2:
        # fold the batch into the rows: one GEMM (torch does the same, with a view node)
        x = input.reshape(-1, a.shape[-1])
        if db == 1:
            return _unsafe_view(mv(x, other), a.shape[:-1])
        return _unsafe_view(mm(x, other), a.shape[:-1] + (b.shape[-1],))
    # batched, with broadcasting of the batch dims
    if a.shape[-1] != (b.shape[-2] if db > 1 else b.shape[0]):
        raise RuntimeError(M.MATMUL_SHAPES.format(a0=int(np.prod(a.shape[:-1])), a1=a.shape[-1],
                                                  b0=b.shape[-2] if db > 1 else b.shape[0], b1=b.shape[-1]))
    x = input.unsqueeze(0) if da == 1 else input
    y = other.unsqueeze(-1) if db == 1 else other
    try:
        batch = np.broadcast_shapes(x._data.shape[:-2], y._data.shape[:-2])
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(x._data.shape[:-2], y._data.shape[:-2]) from None
    if x._data.ndim == 3 and y._data.ndim == 3 and x._data.shape[0] == y._data.shape[0]:
        r = bmm(x, y)
    else:
        xe = x.expand(batch + x._data.shape[-2:]).reshape((-1,) + x._data.shape[-2:])
        ye = y.expand(batch + y._data.shape[-2:]).reshape((-1,) + y._data.shape[-2:])
        r = _unsafe_view(bmm(xe, ye), batch + (x._data.shape[-2], y._data.shape[-1]))
    if da == 1:
        r = _squeeze4(r, -2)
    if db == 1:
        r = _squeeze4(r, -1)
    return r


class SqueezeBackward4(Node):
    def backward(self, g):
        return (g.reshape(self._meta[0][0]),)


def _squeeze4(t, dim):
    r = _wrap(np.squeeze(t._data, dim))
    if needs_grad(t):
        record(SqueezeBackward4, r, (t,))
    return r


methods(matmul=matmul, mm=mm, dot=dot, mv=mv, bmm=bmm, __matmul__=matmul,
        __rmatmul__=lambda self, other: matmul(other, self))
