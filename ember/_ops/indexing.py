"""Indexing: ``x[idx]`` and ``x[idx] = v`` with every index torch accepts, and the gather/scatter
family.

Basic indices (ints, slices, ``None``, ``...``) give views, applied one after another as torch
does (``x[0, 1:]`` is a SliceBackward0 over a SelectBackward0); tensors, lists and bool masks
then give a copy (IndexBackward0).

>>> import ember
>>> x = ember.arange(6).view(2, 3)
>>> x[1, ::2]
tensor([3, 5])
"""
from __future__ import annotations

from ._util import (D, M, Node, SavedTensor, Tensor, _wrap, commit_inplace, make_view, methods, needs_grad, np,
                    record, set_inplace_grad_fn, wrap_dim)
from . import shape as S
from .shape import _contig

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy",
           "index_fill", "masked_select", "masked_scatter", "nonzero", "argwhere", "take", "take_along_dim",
           "index_put", "index_put_", "put"]

_BAD_INDEX = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
              "indices (got {})")


# ------------------------------------------------------------------------------------------
# parsing an index into torch's steps


def _index_array(i):
    """An index tensor/list/array as a NumPy integer or bool array (torch's dtype rules)."""
    if isinstance(i, Tensor):
        a = i._data
    elif isinstance(i, np.ndarray):
        a = i
    else:
        a = np.asarray([x.item() if isinstance(x, Tensor) else x for x in i])
        if a.size == 0:
            a = a.astype(np.int64)
    if a.dtype.kind == "b":
        return a
    if a.dtype == np.uint8:
        import warnings
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.",
                      UserWarning, stacklevel=4)
        return a.astype(bool)
    if a.dtype.kind not in "iu":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return a.astype(np.int64, copy=False)


def _parse(shape, index, optimize_full_slices):
    """Split ``index`` into basic steps and advanced (tensor) indices.

    Returns (steps, adv, out_ndim): ``steps`` a list of ('select', dim, i) / ('slice', dim, start,
    stop, step) / ('unsqueeze', dim) applied in order; ``adv`` a list of (dim, array) into the
    result of the steps (empty when there are none).
    """
    single = not isinstance(index, tuple)
    idx = (index,) if single else index
    if single and isinstance(index, list) and any(isinstance(x, (slice, type(None), type(Ellipsis), list, Tensor))
                                                  for x in index):
        import warnings
        warnings.warn(
            "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed in pytorch "
            "2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted as tensor index, "
            "x[torch.tensor(seq)], which will result either in an error or a different result", UserWarning,
            stacklevel=3)
        idx = tuple(index)
        single = False
    nd = len(shape)
    consumed = 0
    for i in idx:
        if i is None or i is Ellipsis or isinstance(i, (bool, np.bool_)):
            continue
        if isinstance(i, Tensor) and i._data.dtype.kind == "b" or isinstance(i, np.ndarray) and i.dtype.kind == "b":
            consumed += max(np.ndim(i._data if isinstance(i, Tensor) else i), 1) if np.ndim(
                i._data if isinstance(i, Tensor) else i) else 0
            continue
        consumed += 1
    steps, adv = [], []
    dim = 0          # dim of the current (stepped) result
    src = 0          # dim of the original tensor
    n_tensor = 0
    n_none = 0
    seen_ellipsis = False
    for i in idx:
        if isinstance(i, Tensor) and i._data.ndim == 0 and i._data.dtype.kind in "iu":
            i = int(i._data)
        if isinstance(i, (bool, np.bool_)):
            steps.append(("unsqueeze", dim))
            adv.append((dim, np.array([bool(i)])))
            dim += 1
        elif isinstance(i, (int, np.integer)) or (hasattr(i, "__index__") and not isinstance(i, (Tensor, slice, list))):
            i = int(i.__index__())
            if src >= nd:
                if nd == 0:
                    raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                                     "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
                raise IndexError(f"too many indices for tensor of dimension {nd}")
            size = shape[src]
            if not -size <= i < size:
                raise IndexError(M.INDEX_RANGE.format(i=i, dim=src + n_none, size=size))
            steps.append(("select", dim, i + size if i < 0 else i))
            src += 1
        elif isinstance(i, slice):
            if src >= nd:
                raise IndexError(f"too many indices for tensor of dimension {nd}")
            start, stop, step = (None if s is None else s.__index__() for s in (i.start, i.stop, i.step))
            if step is not None and step <= 0:
                raise ValueError("step must be greater than zero")
            rng = range(shape[src])[slice(start, stop, step)]
            full = start in (None, 0) and step in (None, 1) and (stop is None or stop >= shape[src])
            # NOTE: torch skips full slices inside a tuple index (x[:, 0] is a lone Select) but keeps a
            # lone x[:] as a Slice when reading; writes always skip them.
            if not (full and (optimize_full_slices == "always" or optimize_full_slices and not single)):
                steps.append(("slice", dim, rng.start, rng.stop if rng.stop >= 0 else None, rng.step))
            dim += 1
            src += 1
        elif i is None:
            steps.append(("unsqueeze", dim))
            dim += 1
            n_none += 1
        elif i is Ellipsis:
            if seen_ellipsis:
                raise IndexError("an index can only have a single ellipsis ('...')")
            seen_ellipsis = True
            skip = nd - consumed
            dim += skip
            src += skip
        elif isinstance(i, (Tensor, list, np.ndarray)):
            a = _index_array(i)
            if a.dtype.kind == "b":
                k = a.ndim
                for j in range(k):
                    if src + j >= nd or a.shape[j] != shape[src + j]:
                        raise IndexError(
                            f"The shape of the mask [{', '.join(map(str, a.shape))}] at index {j} does not match "
                            f"the shape of the indexed tensor [{', '.join(map(str, shape))}] at index {src + j}")
                if k == 0:
                    steps.append(("unsqueeze", dim))
                    adv.append((dim, a.reshape(1)))
                    dim += 1
                    continue
                adv.append((dim, a))
                dim += k
                src += k
            else:
                if src >= nd:
                    raise IndexError(f"too many indices for tensor of dimension {nd}")
                size = shape[src]
                if a.size and (a.max() >= size or a.min() < -size):
                    bad = int(a.max()) if a.max() >= size else int(a.min())
                    raise IndexError(M.INDEX_RANGE.format(i=bad, dim=n_tensor, size=size))
                adv.append((dim, a))
                dim += 1
                src += 1
            n_tensor += 1
        elif isinstance(i, str):
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise IndexError(_BAD_INDEX.format(type(i).__name__))
    if src > nd:
        raise IndexError(f"too many indices for tensor of dimension {nd}")
    return steps, adv


def _apply_steps(t, steps):
    for s in steps:
        if s[0] == "select":
            t = S.select(t, s[1], s[2])
        elif s[0] == "slice":
            t = S._slice(t, s[1], s[2], s[3], s[4])
        else:
            t = S.unsqueeze(t, s[1])
    return t


def _apply_steps_np(a, steps):
    for s in steps:
        if s[0] == "select":
            a = a[(slice(None),) * s[1] + (s[2], Ellipsis)]
        elif s[0] == "slice":
            a = a[(slice(None),) * s[1] + (slice(s[2], s[3], s[4]),)]
        else:
            a = np.expand_dims(a, s[1])
    return a


def _adv_key(adv):
    key = []
    for d, a in adv:
        key += [slice(None)] * (d - len(key))
        key.append(a)
        if a.dtype.kind == "b":
            key += [slice(None)] * 0
    # a bool mask of k dims covers k dims: NumPy's key does that by itself
    return tuple(key)


# ------------------------------------------------------------------------------------------
# advanced-index take and its gradient (both differentiable)


class IndexBackward0(Node):
    """zeros with the output gradient added at the indexed places (duplicates accumulate)."""

    __slots__ = ("key",)

    def backward(self, g):
        return (_adv_put_grad(g, self._meta[0][0], self.key),)


class _AdvPutGradBackward(Node):
    __slots__ = ("key",)

    def backward(self, gg):
        return (_adv_take(gg, self.key, _AdvTakeBackward),)


class _AdvTakeBackward(IndexBackward0):
    pass


def _adv_put_grad(g, shape, key):
    out = np.zeros(shape, dtype=g._data.dtype)
    np.add.at(out, key, g._data)
    r = _wrap(out)
    if needs_grad(g):
        record(_AdvPutGradBackward, r, (g,)).key = key
    return r


def _adv_take(x, key, cls=IndexBackward0):
    r = _wrap(np.asarray(x._data[key]))
    if needs_grad(x):
        record(cls, r, (x,)).key = key
    return r


def getitem(self, index) -> Tensor:
    """``self[index]``: views for basic indices, a copy once a tensor/list/mask is involved."""
    steps, adv = _parse(self._data.shape, index, True)
    if not steps and not adv:
        r = make_view(self, self._data.view(), lambda x: x.view_as(x) if False else _alias(x))
        if needs_grad(self):
            record(S.AliasBackward0, r, (self,))
        return r
    t = _apply_steps(self, steps)
    if not adv:
        return t
    return _adv_take(t, _adv_key(adv))


def _alias(x):
    r = make_view(x, x._data.view(), _alias)
    if needs_grad(x):
        record(S.AliasBackward0, r, (x,))
    return r


# ------------------------------------------------------------------------------------------
# index_put_ and setitem


class IndexPutBackward0(Node):
    """self: grad with the written places zeroed (kept when accumulating); values: grad there."""

    __slots__ = ("key", "accumulate")

    def apply(self, grads):
        g = grads[0]
        ga = gb = None
        if self.next_functions[0][0] is not None:
            if self.accumulate:
                ga = g
            else:
                mask = np.ones(g._data.shape, dtype=g._data.dtype)
                mask[self.key] = 0
                ga = g * _wrap(mask)
        if self.next_functions[1][0] is not None:
            gb = _adv_take(g, self.key)
        return ga, gb


def _value_tensor(value, like):
    if isinstance(value, Tensor):
        return value
    return _wrap(np.asarray(value, dtype=like._data.dtype))


def _index_put_key(t, indices):
    if isinstance(indices, Tensor):
        indices = (indices,)
    adv = []
    d = 0
    for i in indices:
        if i is None:
            d += 1
            continue
        a = _index_array(i)
        adv.append((d, a))
        d += a.ndim if a.dtype.kind == "b" else 1
    return _adv_key(adv)


def _index_put_impl(self, key, value, accumulate):
    vt = _value_tensor(value, self)
    if vt._data.dtype != self._data.dtype and isinstance(value, Tensor):
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{self.dtype._legacy.replace('Tensor', '')} for the destination and "
                           f"{vt.dtype._legacy.replace('Tensor', '')} for the source.")
    res = self._data.copy()
    v = vt._data
    try:
        if accumulate:
            np.add.at(res, key, v)
        else:
            res[key] = v
    except (ValueError, IndexError):
        target = self._data[key].shape
        raise RuntimeError(f"shape mismatch: value tensor of shape [{', '.join(map(str, v.shape))}] cannot be "
                           f"broadcast to indexing result of shape [{', '.join(map(str, target))}]") from None
    n = commit_inplace(self, res, IndexPutBackward0, (self, vt))
    if n is not None:
        n.key, n.accumulate = key, accumulate
    return self


def index_put_(self, indices, values, accumulate: bool = False) -> Tensor:
    """``self[indices] = values`` (``accumulate``: add instead; duplicates then sum)."""
    self._check_inplace()
    return _index_put_impl(self, _index_put_key(self, indices), values, accumulate)


def index_put(input, indices, values, accumulate: bool = False) -> Tensor:
    return index_put_(S.clone(input), indices, values, accumulate)


def setitem(self, index, value) -> None:
    """``self[index] = value``; in-place on a view (CopySlices) when basic indices are involved."""
    steps, adv = _parse(self._data.shape, index, "always")
    vt = value if isinstance(value, Tensor) else None
    if not needs_grad(self, vt):
        self._check_inplace()
        a = _apply_steps_np(self._data, steps)
        v = vt._data if vt is not None else value
        try:
            if adv:
                a[_adv_key(adv)] = v
            elif a.ndim == 0 and not steps:
                self._data[...] = v
            else:
                a[...] = v
        except ValueError:
            if not adv:
                raise S._expand_error(np.shape(v), a.shape) from None
            target = a[_adv_key(adv)].shape
            raise RuntimeError(f"shape mismatch: value tensor of shape [{', '.join(map(str, np.shape(v)))}] cannot "
                               f"be broadcast to indexing result of shape [{', '.join(map(str, target))}]") from None
        self._vc.v += 1
        return
    t = _apply_steps(self, steps)
    if adv:
        t._check_inplace()
        if vt is not None and vt._data.dtype != t._data.dtype:
            vt = S._cast(vt, t._data.dtype)
        _index_put_impl(t, _adv_key(adv), vt if vt is not None else value, False)
    elif vt is not None:
        t.copy_(vt)
    else:
        # NOTE: torch turns a Python scalar into a 0-d tensor and fills with it (FillBackward3)
        S.fill_(t, _wrap(np.asarray(value, dtype=t._data.dtype)))


methods(__getitem__=getitem, __setitem__=setitem, index_put_=index_put_, index_put=index_put)


# ------------------------------------------------------------------------------------------
# gather / scatter


def _check_index(index, name):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    if index._data.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    return index._data


def _scatter_key(index, dim):
    """Full NumPy index addressing, for each element of ``index``, its target position."""
    nd = index.ndim
    key = []
    for d in range(nd):
        if d == dim:
            key.append(index)
        else:
            sh = [1] * nd
            sh[d] = index.shape[d]
            key.append(np.arange(index.shape[d]).reshape(sh))
    return tuple(key)


def _check_gather_shapes(a, idx, d, name, src=None):
    if idx.ndim != max(a.ndim, 1) and not (a.ndim == 0 and idx.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    if idx.size:
        size = a.shape[d] if a.ndim else 1
        if idx.max() >= size or idx.min() < -size:
            bad = int(idx.max()) if idx.max() >= size else int(idx.min())
            raise RuntimeError(M.INDEX_RANGE.format(i=bad, dim=d, size=size))


class GatherBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, g):
        shape, dtype = self._meta[0]
        z = _wrap(np.zeros(shape, dtype=dtype))
        return (scatter_add(z, self.dim, _wrap(self.index), g),)


def gather(input, dim: int, index, *, sparse_grad: bool = False, out=None) -> Tensor:
    """``out[i][j] = input[i][index[i][j]]`` (for dim 1): values picked along ``dim``.

    >>> ember.tensor([[1, 2], [3, 4]]).gather(1, ember.tensor([[1], [0]]))
    tensor([[2],
            [3]])
    """
    idx = _check_index(index, "gather")
    a = input._data
    d = wrap_dim(dim, a.ndim)
    _check_gather_shapes(a, idx, d, "gather")
    src = a.reshape(1) if a.ndim == 0 else a
    r = _wrap(np.asarray(src[_scatter_key(idx.reshape(-1) if a.ndim == 0 else idx, d)]).reshape(idx.shape))
    if needs_grad(input):
        n = record(GatherBackward0, r, (input,))
        n.dim, n.index = d, idx
    return r


class ScatterBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, g):
        ga = gb = None
        if self.next_functions[0][0] is not None:
            ga = scatter(g, self.dim, _wrap(self.index), 0.0)
        if self.next_functions[1][0] is not None:
            gb = _pad_to(gather(g, self.dim, _wrap(self.index)), self._meta[1][0])
        return ga, gb


def _pad_to(g, shape):
    """g (index-shaped) placed at the front corner of zeros(shape): src's gradient."""
    if g._data.shape == tuple(shape):
        return g
    return S._embed(g, shape, tuple(slice(0, s) for s in g._data.shape))


class ScatterBackward1(Node):
    __slots__ = ("dim", "index")

    def backward(self, g):
        return (scatter(g, self.dim, _wrap(self.index), 0.0),)


class ScatterAddBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, g):
        gb = _pad_to(gather(g, self.dim, _wrap(self.index)), self._meta[1][0]) if self.next_functions[1][0] is not None else None
        return g, gb


def _src_part(src, idx):
    return src[tuple(slice(0, s) for s in idx.shape)]


def _scatter_impl(a, d, idx, src, reduce=None):
    res = a.copy()
    key = _scatter_key(idx, d)
    if isinstance(src, np.ndarray):
        v = _src_part(src, idx).astype(a.dtype, copy=False)
    else:
        v = np.asarray(src, dtype=a.dtype)
    if reduce is None:
        res[key] = v
    elif reduce == "add":
        np.add.at(res, key, np.broadcast_to(v, idx.shape))
    elif reduce == "multiply":
        np.multiply.at(res, key, np.broadcast_to(v, idx.shape))
    else:
        raise RuntimeError(f"reduce argument must be either add or multiply.")
    return res


def scatter(input, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
    """Write ``src`` (a tensor or a number) into a copy of ``input`` at ``index`` along ``dim``."""
    return _out_of_place(input, lambda t: scatter_(t, dim, index, src if src is not None else value,
                                                   reduce=reduce))


def scatter_(self, dim: int, index, src=None, *, value=None, reduce=None) -> Tensor:
    if src is None:
        src = value
    idx = _check_index(index, "scatter")
    a = self._data
    d = wrap_dim(dim, a.ndim)
    _check_gather_shapes(a, idx, d, "scatter")
    self._check_inplace()
    if isinstance(src, Tensor):
        res = _scatter_impl(a, d, idx, src._data, reduce)
        n = commit_inplace(self, res, ScatterBackward0, (self, src))
    else:
        res = _scatter_impl(a, d, idx, src, reduce)
        n = commit_inplace(self, res, ScatterBackward1, (self,))
    if n is not None:
        if reduce is not None:
            raise RuntimeError("the derivative for 'scatter' with a reduce argument is not implemented")
        n.dim, n.index = d, idx
    return self


def scatter_add_(self, dim: int, index, src) -> Tensor:
    """Add ``src`` into ``self`` at ``index`` along ``dim`` (duplicates accumulate)."""
    idx = _check_index(index, "scatter_add")
    a = self._data
    d = wrap_dim(dim, a.ndim)
    _check_gather_shapes(a, idx, d, "scatter_add")
    self._check_inplace()
    res = _scatter_impl(a, d, idx, src._data, "add")
    n = commit_inplace(self, res, ScatterAddBackward0, (self, src))
    if n is not None:
        n.dim, n.index = d, idx
    return self


def scatter_add(input, dim: int, index, src) -> Tensor:
    """Out-of-place ``scatter_add_``.

    >>> ember.zeros(3).scatter_add(0, ember.tensor([0, 0, 2]), ember.ones(3))
    tensor([2., 0., 1.])
    """
    idx = _check_index(index, "scatter_add")
    a = input._data
    d = wrap_dim(dim, a.ndim)
    _check_gather_shapes(a, idx, d, "scatter_add")
    r = _wrap(_scatter_impl(a, d, idx, src._data, "add"))
    if needs_grad(input, src):
        n = record(ScatterAddBackward0, r, (input, src))
        n.dim, n.index = d, idx
    return r


class ScatterReduceBackward0(Node):
    __slots__ = ("dim", "index", "reduce", "include_self", "self_", "src", "result")

    def backward(self, g):
        idx = _wrap(self.index)
        d = self.dim
        ga = gb = None
        red = self.reduce
        x = self.self_
        src = self.src
        res = self.result
        if red == "sum":
            ga = g
            gb = gather(g, d, idx)
            if not self.include_self:
                ga = scatter(g, d, idx, 0.0)
        elif red == "mean":
            cnt = np.ones(x.shape if self.include_self else x.shape, dtype=x._data.dtype)
            if not self.include_self:
                cnt[_scatter_key(self.index, d)] = 0
            np.add.at(cnt, _scatter_key(self.index, d), 1)
            cnt = np.maximum(cnt, 1)
            gc = g / _wrap(cnt)
            ga = gc if self.include_self else scatter(gc, d, idx, 0.0)
            gb = gather(gc, d, idx)
        elif red == "prod":
            # NOTE: as torch: the quotient result / factor, with zero factors replaced by 1 and
            # the product recomputed, so that a single zero gets the product of the others
            # (written in ember ops: differentiable again)
            x, src, res = x.unpack(), src.unpack(), res.unpack(self)
            masked_x = x.masked_fill(_wrap(x._data == 0), 1.0)
            ga = g * scatter_reduce(masked_x, d, idx, src, "prod", include_self=self.include_self) / masked_x
            if not self.include_self:
                # replaced positions get no gradient (computed as torch does, so that the
                # gradient is recorded as depending on src, as torch's is)
                ga = _keep(ga, d, self.index)
            part = tuple(slice(0, k) for k in self.index.shape)
            full_src = src
            if src._data.shape != self.index.shape:
                src = src[part]
            src_zero = src._data == 0
            zeros_at = np.zeros(x.shape, dtype=x._data.dtype)
            np.add.at(zeros_at, _scatter_key(self.index, d), src_zero)
            single_t = _wrap(src_zero & (zeros_at[_scatter_key(self.index, d)] == 1))
            masked_res = scatter_reduce(x, d, idx, src.masked_fill(single_t, 1.0), "prod",
                                        include_self=self.include_self)
            from .elementwise import where
            gb = where(single_t, gather(g * masked_res, d, idx),
                       gather(g * res, d, idx) / src.masked_fill(_wrap(src_zero), 1.0))
            if gb._data.shape != full_src._data.shape:
                from .._creation import zeros
                padded = zeros(full_src._data.shape, dtype=full_src.dtype)
                padded[part] = gb
                gb = padded
            return (ga if self.next_functions[0][0] is not None else None,
                    gb if self.next_functions[1][0] is not None else None)
        else:  # amax / amin: the gradient is shared evenly among the elements equal to the result
            srcp = src._data
            resg = np.asarray(res._data[_scatter_key(self.index, d)])
            x_hit = (x._data == res._data) if self.include_self else np.zeros(x.shape, dtype=bool)
            s_hit = (_src_part(srcp, self.index) == resg)
            cnt = x_hit.astype(x._data.dtype)
            np.add.at(cnt, _scatter_key(self.index, d), s_hit.astype(x._data.dtype))
            cnt = np.maximum(cnt, 1)
            gc = g / _wrap(cnt)
            ga = gc * _wrap(x_hit.astype(x._data.dtype))
            if not self.include_self:
                untouched = np.ones(x.shape, dtype=bool)
                untouched[_scatter_key(self.index, d)] = False
                ga = ga + g * _wrap(untouched.astype(x._data.dtype))
            gb_full = gather(gc, d, idx) * _wrap(s_hit.astype(x._data.dtype))
            gb = gb_full
        if gb is not None and gb._data.shape != src._data.shape:
            full = np.zeros(src._data.shape, dtype=gb._data.dtype)
            full[tuple(slice(0, s) for s in self.index.shape)] = gb._data
            gb = _wrap(full)
        return (ga if self.next_functions[0][0] is not None else None,
                gb if self.next_functions[1][0] is not None else None)


def _keep(g, d, index):
    m = np.ones(g._data.shape, dtype=g._data.dtype)
    m[_scatter_key(index, d)] = 0
    return g * _wrap(m)


_REDUCE_UFUNC = {"sum": np.add, "prod": np.multiply, "amax": np.maximum, "amin": np.minimum, "mean": np.add}


def scatter_reduce(input, dim: int, index, src, reduce: str, *, include_self: bool = True) -> Tensor:
    """Reduce ``src`` into a copy of ``input`` at ``index`` ("sum", "prod", "mean", "amax", "amin")."""
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError("reduce argument must be either sum, prod, mean, amax or amin, got " + reduce)
    idx = _check_index(index, "scatter_reduce")
    a = input._data
    d = wrap_dim(dim, a.ndim)
    _check_gather_shapes(a, idx, d, "scatter_reduce")
    key = _scatter_key(idx, d)
    v = _src_part(src._data, idx).astype(a.dtype, copy=False)
    res = a.copy()
    if not include_self:
        ident = {"sum": 0, "mean": 0, "prod": 1,
                 "amax": -np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).min,
                 "amin": np.inf if a.dtype.kind == "f" else np.iinfo(a.dtype).max}[reduce]
        res[key] = ident
    _REDUCE_UFUNC[reduce].at(res, key, v)
    if reduce == "mean":
        cnt = np.ones(a.shape, dtype=np.int64) if include_self else np.zeros(a.shape, dtype=np.int64)
        if not include_self:
            cnt[...] = 1
            cnt[key] = 0
        np.add.at(cnt, key, 1)
        cnt = np.maximum(cnt, 1)
        res = (res / cnt).astype(a.dtype) if a.dtype.kind in "fc" else res // cnt
    r = _wrap(res)
    if needs_grad(input, src):
        n = record(ScatterReduceBackward0, r, (input, src))
        n.dim, n.index, n.reduce, n.include_self = d, idx, reduce, include_self
        if reduce == "prod":
            # the prod gradient is written in ember ops on the saved tensors (double backward)
            n.self_, n.src, n.result = SavedTensor(input), SavedTensor(src), SavedTensor(r, n)
        else:
            n.self_, n.src, n.result = input.detach(), src.detach(), r.detach()
    return r


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True) -> Tensor:
    self._check_inplace()
    r = scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    old = None
    if r.grad_fn is not None and reduce == "prod":
        # the node saved self, which is about to change: it keeps the original values instead
        old = _wrap(self._data.copy())
        old._rg, old.grad_fn, old._output_nr = self._rg, self.grad_fn, self._output_nr
        r.grad_fn.self_ = SavedTensor(old)
    n = commit_inplace(self, r._data, None, ())
    if r.grad_fn is not None:
        set_inplace_grad_fn(self, r.grad_fn)
    return self


# ------------------------------------------------------------------------------------------
# index_select / index_add / index_copy / index_fill


def _check_1d_index(index, name):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}")
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    if idx.dtype.kind not in "iu":
        raise IndexError(f"{name}(): Expected dtype int32/int64 for index")
    return idx.reshape(-1).astype(np.int64, copy=False)


class IndexSelectBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, g):
        shape, dtype = self._meta[0]
        z = _wrap(np.zeros(shape, dtype=dtype))
        return (index_add(z, self.dim, _wrap(self.index), g),)


def index_select(input, dim: int, index, *, out=None) -> Tensor:
    """The entries at ``index`` along ``dim`` (a copy)."""
    idx = _check_1d_index(index, "index_select")
    a = input._data
    d = wrap_dim(dim, a.ndim)
    size = a.shape[d] if a.ndim else 1
    if idx.size and (idx.max() >= size or idx.min() < -size):
        raise IndexError("index out of range in self")
    src = a.reshape(1) if a.ndim == 0 else a
    res = np.take(src, idx, axis=d)
    if a.ndim == 0:
        res = res.reshape(())
    elif index._data.ndim == 0:
        pass
    r = _wrap(_contig(res))
    if needs_grad(input):
        n = record(IndexSelectBackward0, r, (input,))
        n.dim, n.index = d, idx
    return r


def _dim_key(nd, d, idx):
    return (slice(None),) * d + (idx,)


class IndexAddBackward0(Node):
    __slots__ = ("dim", "index", "alpha", "src_scalar")

    def backward(self, g):
        gb = None
        if self.next_functions[1][0] is not None:
            gb = index_select(g, self.dim, _wrap(self.index))
            if self.alpha != 1:
                gb = gb * self.alpha
            if self.src_scalar:
                gb = gb.reshape(())
        return g, gb


def _check_index_source(a, d, idx, source, name):
    s = source._data
    n_src = s.shape[d] if s.ndim else 1
    if idx.size != n_src:
        raise RuntimeError(f"{name}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
                           f"({n_src}), for dim: {d}")
    size = a.shape[d] if a.ndim else 1
    if idx.size and (idx.max() >= size or idx.min() < -size):
        raise IndexError("index out of range in self")


def index_add_(self, dim: int, index, source, *, alpha=1) -> Tensor:
    """Add ``alpha * source`` into ``self`` at ``index`` along ``dim``."""
    idx = _check_1d_index(index, "index_add_")
    a = self._data
    d = wrap_dim(dim, a.ndim)
    _check_index_source(a, d, idx, source, "index_add_")
    self._check_inplace()
    res = a.copy()
    v = source._data * alpha if alpha != 1 else source._data
    if a.ndim == 0:
        res = res + v.reshape(())
    else:
        np.add.at(res, _dim_key(a.ndim, d, idx), np.moveaxis(v, d, d) if v.ndim else v)
    n = commit_inplace(self, res.astype(a.dtype, copy=False), IndexAddBackward0, (self, source))
    if n is not None:
        n.dim, n.index, n.alpha, n.src_scalar = d, idx, alpha, source._data.ndim == 0
    return self


def index_add(input, dim: int, index, source, *, alpha=1) -> Tensor:
    """Out-of-place ``index_add_``."""
    return _out_of_place(input, lambda t: index_add_(t, dim, index, source, alpha=alpha))


class _Identity(Node):
    def backward(self, g):
        return (g,)


def _out_of_place(input, inplace):
    t = _wrap(input._data.copy())
    if needs_grad(input):
        n = record(_Identity, t, (input,))
        n  # an identity edge that the in-place op's node then points at
    r = inplace(t)
    if r.grad_fn is not None and r.grad_fn.__class__ is not _Identity:
        # splice out the identity node so the graph reads as torch's
        node = r.grad_fn
        nf = list(node.next_functions)
        if nf and nf[0][0] is not None and nf[0][0].__class__ is _Identity:
            nf[0] = nf[0][0].next_functions[0]
            node.next_functions = tuple(nf)
    return r


class IndexCopyBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, g):
        ga = gb = None
        if self.next_functions[0][0] is not None:
            ga = index_fill(g, self.dim, _wrap(self.index), 0)
        if self.next_functions[1][0] is not None:
            gb = index_select(g, self.dim, _wrap(self.index))
        return ga, gb


def index_copy_(self, dim: int, index, source) -> Tensor:
    """Copy ``source`` into ``self`` at ``index`` along ``dim``."""
    idx = _check_1d_index(index, "index_copy_")
    a = self._data
    d = wrap_dim(dim, a.ndim)
    _check_index_source(a, d, idx, source, "index_copy_")
    self._check_inplace()
    res = a.copy()
    res[_dim_key(a.ndim, d, idx)] = source._data
    n = commit_inplace(self, res, IndexCopyBackward0, (self, source))
    if n is not None:
        n.dim, n.index = d, idx
    return self


def index_copy(input, dim: int, index, source) -> Tensor:
    return _out_of_place(input, lambda t: index_copy_(t, dim, index, source))


class IndexFillBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, g):
        return (index_fill(g, self.dim, _wrap(self.index), 0),)


class IndexFillBackward1(Node):
    __slots__ = ("dim", "index")

    def backward(self, g):
        ga = index_fill(g, self.dim, _wrap(self.index), 0) if self.next_functions[0][0] is not None else None
        gb = index_select(g, self.dim, _wrap(self.index)).sum() if self.next_functions[1][0] is not None else None
        return ga, gb


def index_fill_(self, dim: int, index, value) -> Tensor:
    """Fill the entries at ``index`` along ``dim`` with ``value`` (a number or a 0-d tensor)."""
    idx = _check_1d_index(index, "index_fill_")
    a = self._data
    d = wrap_dim(dim, a.ndim)
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    self._check_inplace()
    res = a.copy()
    res[_dim_key(a.ndim, d, idx)] = value._data if isinstance(value, Tensor) else value
    if isinstance(value, Tensor):
        n = commit_inplace(self, res, IndexFillBackward1, (self, value))
    else:
        n = commit_inplace(self, res, IndexFillBackward0, (self,))
    if n is not None:
        n.dim, n.index = d, idx
    return self


def index_fill(input, dim: int, index, value) -> Tensor:
    return _out_of_place(input, lambda t: index_fill_(t, dim, index, value))


# ------------------------------------------------------------------------------------------
# masks, nonzero, take, put


def _mask(mask, name):
    if not isinstance(mask, Tensor) or mask._data.dtype.kind != "b":
        raise RuntimeError(f"{name}: expected BoolTensor for mask")
    return mask._data


class MaskedSelectBackward0(Node):
    __slots__ = ("mask",)

    def backward(self, g):
        shape = self.mask.shape
        z = _wrap(np.zeros(shape, dtype=g._data.dtype))
        return (masked_scatter(z, _wrap(self.mask), g), None)


def masked_select(input, mask, *, out=None) -> Tensor:
    """The elements where ``mask`` (broadcast with ``input``) is True, as a 1-d tensor."""
    m = _mask(mask, "masked_select")
    a = input._data
    try:
        shape = np.broadcast_shapes(a.shape, m.shape)
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(m.shape, a.shape) from None
    ab, mb = np.broadcast_to(a, shape), np.broadcast_to(m, shape)
    r = _wrap(_contig(ab[mb]))
    if needs_grad(input):
        record(MaskedSelectBackward0, r, (input, None)).mask = _contig(mb)
    return r


class MaskedScatterBackward0(Node):
    __slots__ = ("mask", "src_shape")

    def backward(self, g):
        ga = gb = None
        mb = np.broadcast_to(self.mask, g._data.shape)
        if self.next_functions[0][0] is not None:
            ga = g * _wrap((~mb).astype(g._data.dtype))
        if self.next_functions[1][0] is not None:
            sel = masked_select(g, _wrap(mb))
            n = S._numel(self.src_shape)
            if sel._data.size < n:
                sel = S.cat([sel, _wrap(np.zeros(n - sel._data.size, dtype=g._data.dtype))])
            gb = sel.reshape(self.src_shape)
        return ga, gb


def masked_scatter_(self, mask, source) -> Tensor:
    """Copy ``source``'s leading elements into ``self`` where ``mask`` is True (row-major order)."""
    m = _mask(mask, "masked_scatter_")
    a = self._data
    try:
        mb = np.broadcast_to(m, a.shape)
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(a.shape, m.shape) from None
    k = int(mb.sum())
    if k > source._data.size:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    self._check_inplace()
    res = a.copy()
    res[mb] = source._data.reshape(-1)[:k]
    n = commit_inplace(self, res, MaskedScatterBackward0, (self, source))
    if n is not None:
        n.mask, n.src_shape = mb, source._data.shape
    return self


def masked_scatter(input, mask, source) -> Tensor:
    m = _mask(mask, "masked_scatter")
    shape = np.broadcast_shapes(input._data.shape, m.shape)
    base = input if input._data.shape == shape else S.expand(input, shape)
    return _out_of_place(base, lambda t: masked_scatter_(t, mask, source))


def nonzero(input, *, out=None, as_tuple: bool = False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple of 1-d ones."""
    a = input._data
    if as_tuple:
        if a.ndim == 0:
            return (_wrap(np.nonzero(a.reshape(1))[0].astype(np.int64)),)
        return tuple(_wrap(i.astype(np.int64)) for i in np.nonzero(a))
    if a.ndim == 0:
        return _wrap(np.zeros((int(a != 0), 0), dtype=np.int64))
    return _wrap(np.argwhere(a).astype(np.int64).reshape(-1, a.ndim))


def argwhere(input) -> Tensor:
    """``nonzero(input)``."""
    return nonzero(input)


class TakeBackward0(Node):
    __slots__ = ("index",)

    def backward(self, g):
        return (S._scatter_flat(g, self.index, self._meta[0][0]),)


def _flat_index(a, idx, name="take"):
    n = a.size
    if idx.size and (idx.max() >= n or idx.min() < -n):
        bad = int(idx.max()) if idx.max() >= n else int(idx.min())
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return np.where(idx < 0, idx + n, idx)


def take(input, index) -> Tensor:
    """Elements of the flattened ``input`` at ``index`` (result has index's shape)."""
    idx = _flat_index(input._data, _check_1d_like(index, "take"))
    r = _wrap(_contig(input._data).reshape(-1)[idx])
    if needs_grad(input):
        record(TakeBackward0, r, (input,)).index = idx
    return r


def _check_1d_like(index, name):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' (position 1) must be Tensor, not {type(index).__name__}")
    if index._data.dtype != np.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got {index.dtype._legacy.replace('Tensor', '')}")
    return index._data


def take_along_dim(input, indices, dim=None) -> Tensor:
    """Values of ``input`` at ``indices`` along ``dim`` (broadcasting the other dims)."""
    if dim is None:
        # NOTE: torch flattens with view(-1): a non-contiguous input raises its view error
        return gather(input.view(-1), 0, indices.view(-1))
    a, i = input._data, indices._data
    d = wrap_dim(dim, a.ndim)
    bs = list(np.broadcast_shapes(a.shape[:d] + (1,) + a.shape[d + 1:], i.shape[:d] + (1,) + i.shape[d + 1:]))
    sa, si = list(bs), list(bs)
    sa[d], si[d] = a.shape[d], i.shape[d]
    x = input if tuple(sa) == a.shape else S.expand(input, tuple(sa))
    ind = indices if tuple(si) == i.shape else S.expand(indices, tuple(si))
    return gather(x, d, ind)


class PutBackward0(Node):
    __slots__ = ("index", "accumulate")

    def backward(self, g):
        ga = gb = None
        if self.next_functions[0][0] is not None:
            if self.accumulate:
                ga = g
            else:
                m = np.ones(g._data.size, dtype=g._data.dtype)
                m[self.index.reshape(-1)] = 0
                ga = g * _wrap(m.reshape(g._data.shape))
        if self.next_functions[1][0] is not None:
            gb = S._gather_flat(g, self.index)
        return ga, gb


def put_(self, index, source, accumulate: bool = False) -> Tensor:
    """Write ``source`` into the flattened ``self`` at ``index`` (add when ``accumulate``)."""
    idx = _flat_index(self._data, _check_1d_like(index, "put_"), "put_")
    if idx.size != source._data.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source._data.size}, index.numel() = {idx.size}")
    self._check_inplace()
    res = _contig(self._data).reshape(-1).copy()
    if accumulate:
        np.add.at(res, idx.reshape(-1), source._data.reshape(-1))
    else:
        res[idx.reshape(-1)] = source._data.reshape(-1)
    n = commit_inplace(self, res.reshape(self._data.shape), PutBackward0, (self, source))
    if n is not None:
        n.index, n.accumulate = idx.reshape(source._data.shape), accumulate
    return self


def put(input, index, source, accumulate: bool = False) -> Tensor:
    return _out_of_place(input, lambda t: put_(t, index, source, accumulate))


def one_hot(tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding of a LongTensor of class indices (``num_classes`` = max + 1 if -1).

    >>> one_hot(ember.tensor([0, 2]), 3)
    tensor([[1, 0, 0],
            [0, 0, 1]])
    """
    a = tensor._data
    if a.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if a.size and a.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if a.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(a.max()) + 1
    elif a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(a.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, a[..., None], 1, axis=-1) if a.size else None
    return _wrap(out)


def _scatter_method(self, dim, index, src=None, value=None, *, reduce=None):
    return scatter(self, dim, index, src if src is not None else value, reduce=reduce)


methods(
    gather=gather, scatter=_scatter_method, scatter_=scatter_, scatter_add=scatter_add, scatter_add_=scatter_add_,
    scatter_reduce=scatter_reduce, scatter_reduce_=scatter_reduce_, index_select=index_select,
    index_add=index_add, index_add_=index_add_, index_copy=index_copy, index_copy_=index_copy_,
    index_fill=index_fill, index_fill_=index_fill_, masked_select=masked_select, masked_scatter=masked_scatter,
    masked_scatter_=masked_scatter_, nonzero=nonzero, argwhere=argwhere, take=take, take_along_dim=take_along_dim,
    put_=put_, put=put,
)
