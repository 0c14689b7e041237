"""Indexing: ``x[idx]`` and ``x[idx] = v`` with every index torch accepts.

Basic indices (ints, slices, ``None``, ``...``) give views; tensors, lists and bool masks give
copies (advanced indexing), as in torch.

>>> import ember
>>> x = ember.arange(6).view(2, 3)
>>> x[1, ::2]
tensor([3, 5])
"""
from __future__ import annotations

from ._util import (D, M, Node, Tensor, _wrap, commit_inplace, make_view, methods, needs_grad, np,
                    record)

__all__ = []


def _convert_index(idx):
    """Turn an index into NumPy's form; returns (index, is_advanced)."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    adv = False
    for i in idx:
        if isinstance(i, Tensor):
            a = i._data
            if a.dtype.kind == "b" or a.dtype == np.uint8 and False:
                adv = True
            elif a.dtype.kind in "iu":
                if a.ndim == 0 and False:
                    pass
                adv = True
            else:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(a)
        elif isinstance(i, (list,)):
            a = np.asarray([x.item() if isinstance(x, Tensor) else x for x in i]) if any(isinstance(x, Tensor) for x in i) else np.asarray(i)
            if a.dtype.kind not in "iub":
                if a.size == 0:
                    a = a.astype(np.int64)
                else:
                    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(a)
            adv = True
        elif isinstance(i, (bool, np.bool_)):
            out.append(np.asarray(bool(i)))
            adv = True
        elif isinstance(i, (int, np.integer)) or hasattr(i, "__index__") and not isinstance(i, slice):
            out.append(int(i.__index__()) if not isinstance(i, int) else i)
        elif i is None or i is Ellipsis or isinstance(i, slice):
            if isinstance(i, slice):
                i = slice(*(s.__index__() if s is not None and not isinstance(s, int) else s
                            for s in (i.start, i.stop, i.step)))
                if i.step is not None and i.step <= 0:
                    raise ValueError("step must be greater than zero")
            out.append(i)
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                "valid indices (got " + type(i).__name__ + ")")
    return tuple(out), adv


def _check_int_bounds(shape, idx):
    """torch's IndexError for an out-of-range integer index."""
    dim = 0
    n_real = sum(1 for i in idx if i is not None and i is not Ellipsis)
    for i in idx:
        if i is Ellipsis:
            dim += len(shape) - n_real
            continue
        if i is None:
            continue
        if isinstance(i, int):
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            size = shape[dim]
            if not -size <= i < size:
                raise IndexError(M.INDEX_RANGE.format(i=i, dim=dim, size=size))
        elif isinstance(i, np.ndarray) and i.dtype.kind in "iu" and dim < len(shape) and i.size:
            size = shape[dim]
            if i.max() >= size or i.min() < -size:
                bad = int(i.max()) if i.max() >= size else int(i.min())
                raise IndexError(M.INDEX_RANGE.format(i=bad, dim=dim, size=size))
        dim += 1 if not (isinstance(i, np.ndarray) and i.dtype.kind == "b") else max(i.ndim, 1)
    if dim > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")


def _node_for_basic(idx):
    last = None
    for i in idx:
        if isinstance(i, int):
            last = SelectBackward0
        elif isinstance(i, slice):
            if not (i.start in (None, 0) and i.stop is None and i.step in (None, 1)):
                last = SliceBackward0
        elif i is None:
            last = UnsqueezeBackward0
    return last or AliasBackward0


class _IndexGrad(Node):
    """Gradient of an indexing op: the output gradient put back at the indexed places."""

    __slots__ = ("idx", "adv")

    def backward(self, g):
        shape, dtype = self._meta[0]
        return (index_put_grad(g, shape, D.from_np(dtype), self.idx, self.adv),)


class SelectBackward0(_IndexGrad):
    pass


class SliceBackward0(_IndexGrad):
    pass


class UnsqueezeBackward0(_IndexGrad):
    pass


class AliasBackward0(_IndexGrad):
    pass


class IndexBackward0(_IndexGrad):
    pass


class _IndexPutGradBackward(Node):
    """The gradient of ``index_put_grad`` with respect to ``g``: index it again."""

    __slots__ = ("idx",)

    def backward(self, gg):
        return (getitem(gg, _wrap_index(self.idx)),)


_IndexPutGradBackward.__name__ = "IndexPutBackward0"


def _wrap_index(idx):
    return tuple(_wrap(i) if isinstance(i, np.ndarray) else i for i in idx)


def index_put_grad(g, shape, dtype, idx, adv):
    """zeros(shape) with ``g`` added at ``idx`` (duplicates accumulate); differentiable in g."""
    out = np.zeros(shape, dtype=dtype.np)
    if adv:
        np.add.at(out, idx, g._data)
    else:
        out[idx] = g._data
    r = _wrap(out)
    if needs_grad(g):
        record(_IndexPutGradBackward, r, (g,)).idx = idx
    return r


def getitem(self, index) -> Tensor:
    """``self[index]``."""
    a = self._data
    idx, adv = _convert_index(index)
    _check_int_bounds(a.shape, idx)
    if a.ndim == 0 and idx and all(isinstance(i, int) for i in idx):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if not adv:
        arr = a[idx]
        if not isinstance(arr, np.ndarray):
            arr = a[idx + (Ellipsis,)] if Ellipsis not in idx else np.asarray(arr)
        r = make_view(self, arr, lambda x: getitem(x, index))
        if needs_grad(self):
            n = record(_node_for_basic(idx), r, (self,))
            n.idx, n.adv = idx, False
        return r
    arr = a[idx]
    if not isinstance(arr, np.ndarray):
        arr = np.asarray(arr)
    r = _wrap(arr)
    if needs_grad(self):
        n = record(IndexBackward0, r, (self,))
        n.idx, n.adv = idx, True
    return r


class IndexPutBackward0(Node):
    """self: grad with zeros at the written places; values: grad at those places."""

    __slots__ = ("idx",)

    def apply(self, grads):
        g = grads[0]
        ga = gb = None
        if self.next_functions[0][0] is not None:
            mask = np.ones(g._data.shape, dtype=bool)
            mask[self.idx] = False
            ga = g * _wrap(mask)
        if self.next_functions[1][0] is not None:
            gb = getitem(g, _wrap_index(self.idx))
        return ga, gb


def setitem(self, index, value) -> None:
    """``self[index] = value``, recorded for autograd (``CopySlices`` on views)."""
    idx, adv = _convert_index(index)
    _check_int_bounds(self._data.shape, idx)
    if not adv:
        view = getitem(self, index) if needs_grad(self, value if isinstance(value, Tensor) else None) else None
        if view is not None:
            view.copy_(value if isinstance(value, Tensor) else _wrap(np.asarray(value, dtype=self._data.dtype)))
            return
        self._check_inplace()
        v = value._data if isinstance(value, Tensor) else value
        self._data[idx] = v
        self._vc.v += 1
        return
    self._check_inplace()
    vt = value if isinstance(value, Tensor) else None
    v = value._data if vt is not None else value
    node = None
    if needs_grad(self, vt):
        node = IndexPutBackward0((self, vt))
        node.idx = idx
    try:
        self._data[idx] = v
    except ValueError as e:
        raise RuntimeError(f"shape mismatch: value tensor of shape [{', '.join(map(str, np.shape(v)))}] cannot be broadcast to indexing result of shape [{', '.join(map(str, self._data[idx].shape))}]") from e
    self._vc.v += 1
    if node is not None:
        if self._base is not None:
            from ._util import _copy_slices
            _copy_slices(self, node)
        else:
            self._rg, self.grad_fn, self._output_nr = True, node, 0


methods(__getitem__=getitem, __setitem__=setitem)
