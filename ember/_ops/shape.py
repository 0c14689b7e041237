"""Shape ops and views (sharing memory and version counter with their base, as torch's do),
plus copies and casts.

>>> import ember
>>> x = ember.arange(6.0)
>>> v = x.view(2, 3)
>>> v[0, 0] = 10.0
>>> x[0]
tensor(10.)
"""
from __future__ import annotations

from ._util import (D, M, STATE, Node, SavedTensor, Tensor, _wrap, commit_inplace, make_view, methods,
                    needs_grad, np, record, wrap_dim)

__all__ = ["reshape", "t", "transpose", "swapaxes", "swapdims", "unsqueeze", "squeeze", "clone",
           "sum_to_size"]


def _contig(a):
    """``a`` as a C-contiguous array (0-d stays 0-d, unlike np.ascontiguousarray)."""
    a = np.asarray(a)
    return a if a.flags.c_contiguous else np.array(a, order="C")


def _shape_arg(args):
    """``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` all mean shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    return tuple(int(a) for a in args)


def _infer(shape, numel):
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in shape:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or numel % known:
            raise RuntimeError(M.SHAPE_INVALID.format(shape=list(shape), numel=numel))
        shape = tuple(numel // known if s == -1 else s for s in shape)
    n = 1
    for s in shape:
        n *= s
    if n != numel:
        raise RuntimeError(M.SHAPE_INVALID.format(shape="[" + ", ".join(map(str, shape)) + "]", numel=numel))
    return shape


class ViewBackward0(Node):
    """grad reshaped to the input's shape."""

    def backward(self, g):
        return (g.reshape(self._meta[0][0]),)


class UnsafeViewBackward0(ViewBackward0):
    pass


class ReshapeAliasBackward0(ViewBackward0):
    pass


def _try_view(a, shape):
    try:
        return np.reshape(a, shape, copy=False)
    except ValueError:
        return None


def view(self, *shape) -> Tensor:
    """The same memory seen with another shape (or another dtype: ``view(dtype)``)."""
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        arr = self._data.view(shape[0].np)
        return make_view(self, arr, lambda x, d=shape[0]: x.view(d))
    shape = _infer(_shape_arg(shape), self._data.size)
    arr = _try_view(self._data, shape)
    if arr is None:
        raise RuntimeError(M.VIEW_SIZE)
    r = make_view(self, arr, lambda x: x.view(shape))
    if needs_grad(self):
        record(ViewBackward0, r, (self,))
    return r


def reshape(input, *shape) -> Tensor:
    """A view when the memory layout allows it, otherwise a copy.

    >>> reshape(ember.arange(4), (2, 2))
    tensor([[0, 1],
            [2, 3]])
    """
    shape = _infer(_shape_arg(shape), input._data.size)
    arr = _try_view(input._data, shape)
    if arr is not None:
        r = make_view(input, arr, lambda x: x.reshape(shape))
        if needs_grad(input):
            # NOTE: torch views a contiguous input and "_reshape_alias"es a viewable strided one
            contiguous = input._data.flags.c_contiguous or input._data.size <= 1
            record(ViewBackward0 if contiguous else ReshapeAliasBackward0, r, (input,))
        return r
    # NOTE: torch's copy path is clone() followed by _unsafe_view: CloneBackward0 then
    # UnsafeViewBackward0 in the graph.
    c = clone(input)
    r = _wrap(c._data.reshape(shape))
    if needs_grad(c):
        record(UnsafeViewBackward0, r, (c,))
    return r


def view_as(self, other) -> Tensor:
    return view(self, other._data.shape)


def reshape_as(self, other) -> Tensor:
    return reshape(self, other._data.shape)


class TBackward0(Node):
    def backward(self, g):
        return (g.t(),)


class TransposeBackward0(Node):
    __slots__ = ("d0", "d1")

    def backward(self, g):
        return (g.transpose(self.d0, self.d1),)


def t(input) -> Tensor:
    """Transpose a tensor of at most 2 dims."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    r = make_view(input, input._data.T, lambda x: x.t())
    if needs_grad(input):
        record(TBackward0, r, (input,))
    return r


def transpose(input, dim0: int, dim1: int) -> Tensor:
    """Swap two dims (a view)."""
    nd = input._data.ndim
    d0, d1 = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    arr = np.swapaxes(input._data, d0, d1) if nd else input._data.view()
    r = make_view(input, arr, lambda x: x.transpose(d0, d1))
    if needs_grad(input):
        n = record(TransposeBackward0, r, (input,))
        n.d0, n.d1 = d0, d1
    return r


swapaxes = swapdims = transpose


class UnsqueezeBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        return (g.squeeze(self.dim),)


def unsqueeze(input, dim: int) -> Tensor:
    """Insert a dim of size 1 at ``dim``."""
    d = wrap_dim(dim, input._data.ndim + 1)
    r = make_view(input, np.expand_dims(input._data, d), lambda x: x.unsqueeze(d))
    if needs_grad(input):
        record(UnsqueezeBackward0, r, (input,)).dim = d
    return r


class SqueezeBackward0(Node):
    def backward(self, g):
        return (g.reshape(self._meta[0][0]),)


class SqueezeBackward1(SqueezeBackward0):
    pass


class SqueezeBackward2(SqueezeBackward0):
    pass


def squeeze(input, dim=None) -> Tensor:
    """Remove dims of size 1 (all of them, or those named in ``dim``)."""
    a = input._data
    if dim is None:
        dims = tuple(i for i, s in enumerate(a.shape) if s == 1)
        cls = SqueezeBackward0
    else:
        ds = (dim,) if isinstance(dim, int) else tuple(dim)
        dims = tuple(sorted({wrap_dim(d, a.ndim) for d in ds})) if a.ndim else ()
        dims = tuple(d for d in dims if a.shape[d] == 1)
        cls = SqueezeBackward1 if isinstance(dim, int) else SqueezeBackward2
    r = make_view(input, np.squeeze(a, dims) if dims else a.view(), lambda x: x.squeeze(dim))
    if needs_grad(input):
        record(cls, r, (input,))
    return r


class ExpandBackward0(Node):
    def backward(self, g):
        return (g.sum_to_size(self._meta[0][0]),)


def expand(self, *sizes) -> Tensor:
    """A broadcast view to ``sizes`` (-1 keeps a dim); no memory is copied."""
    sizes = _shape_arg(sizes)
    a = self._data
    if len(sizes) < a.ndim:
        raise RuntimeError(
            f"expand({self.type()}{{[{', '.join(map(str, a.shape))}]}}, size=[{', '.join(map(str, sizes))}]): the number "
            f"of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({a.ndim})")
    lead = len(sizes) - a.ndim
    shape = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}")
            shape.append(s)
            continue
        cur = a.shape[i - lead]
        if s == -1:
            s = cur
        elif cur != s and cur != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at non-singleton "
                f"dimension {i}.  Target sizes: [{', '.join(map(str, sizes))}].  Tensor sizes: [{', '.join(map(str, a.shape))}]")
        shape.append(s)
    shape = tuple(shape)
    if shape == a.shape:
        arr = a.view()
    else:
        arr = np.broadcast_to(a, shape)
    r = make_view(self, arr, lambda x: x.expand(shape))
    if needs_grad(self):
        record(ExpandBackward0, r, (self,))
    return r


def expand_as(self, other) -> Tensor:
    return expand(self, other._data.shape)


def sum_to_size(self, *size) -> Tensor:
    """Sum broadcast dims away so the result has ``size`` (the reverse of ``expand``)."""
    shape = _shape_arg(size)
    a_shape = self._data.shape
    if shape == a_shape:
        return self
    lead = len(a_shape) - len(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and a_shape[i + lead] != 1)
    a = self._data
    if a.dtype.kind in "fc" and not (self._rg and STATE.grad_enabled):
        # nothing to record (e.g. reducing a broadcast gradient in a first-order backward)
        return _wrap(np.asarray(a.sum(axis=dims, keepdims=True, dtype=a.dtype)).reshape(shape))
    r = self.sum(dims, keepdim=True) if dims else self
    if lead:
        r = r.reshape(shape) if r._data.shape != shape else r
    return r


class CloneBackward0(Node):
    def backward(self, g):
        return (g,)


def clone(input, *, memory_format=None) -> Tensor:
    """A copy that stays in the graph (its gradient flows back to ``input``)."""
    r = _wrap(np.array(input._data, copy=True, order="C"))
    if needs_grad(input):
        record(CloneBackward0, r, (input,))
    return r


def contiguous(self, memory_format=None) -> Tensor:
    if self._data.flags.c_contiguous:
        return self
    return clone(self)


class ToCopyBackward0(Node):
    def backward(self, g):
        return (g,)  # the engine casts it back to the input's dtype


def _cast(self, dt) -> Tensor:
    if self._data.dtype == dt:
        return self
    if self._data.dtype.kind == "c" and dt.kind != "c":
        import warnings
        warnings.warn("Casting complex values to real discards the imaginary part", UserWarning, stacklevel=3)
        arr = self._data.real.astype(dt)
    else:
        with np.errstate(invalid="ignore", over="ignore"):
            arr = self._data.astype(dt)
    r = _wrap(arr)
    if needs_grad(self) and dt.kind in "fc":
        record(ToCopyBackward0, r, (self,))
    return r


def to(self, *args, **kwargs) -> Tensor:
    """Cast and/or move: ``to(dtype)``, ``to(device)``, ``to(other)``, ``to(device, dtype)``.

    Returns ``self`` when nothing changes (``copy=False``).
    """
    from .._tensor import _check_device, device
    dtype = kwargs.get("dtype")
    dev = kwargs.get("device")
    copy = kwargs.get("copy", False)
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, device, int)):
            dev = a
    _check_device(device(dev) if isinstance(dev, (str, int)) else dev)
    r = self if dtype is None else _cast(self, D.as_dtype(dtype).np)
    if copy and r is self:
        r = clone(self)
    return r


def _caster(dt):
    def f(self, memory_format=None):
        return _cast(self, dt.np)
    f.__doc__ = f"Cast to {dt!r}."
    return f


def type_as(self, other) -> Tensor:
    return _cast(self, other._data.dtype)


class CopyBackwards(Node):
    """copy_(src): self gets zero gradient, src gets grad (cast and reduced to src's shape)."""

    def name(self) -> str:
        # NOTE: torch's hand-written node reports its C++ name
        return "torch::autograd::CopyBackwards"

    def apply(self, grads):
        g = grads[0]
        return (g * 0 if self.next_functions[0][0] is not None else None, g)


def copy_(self, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` into ``self`` (broadcasting, casting), recorded for autograd."""
    self._check_inplace()
    s = src._data if isinstance(src, Tensor) else np.asarray(src)
    try:
        res = np.broadcast_to(s, self._data.shape)
    except ValueError:
        raise _expand_error(s.shape, self._data.shape) from None
    if self._data.dtype.kind not in "c" and res.dtype.kind == "c":
        res = res.real
    commit_inplace(self, res, CopyBackwards, (self, src if isinstance(src, Tensor) else None))
    return self


def _expand_error(src_shape, target):
    """torch's error for a source that does not expand to ``target`` (copy_, setitem)."""
    nd = len(target)
    lead = nd - len(src_shape)
    if lead < 0:
        return RuntimeError(
            f"expand(torch.FloatTensor{{[{', '.join(map(str, src_shape))}]}}, size=[{', '.join(map(str, target))}]): "
            f"the number of sizes provided ({nd}) must be greater or equal to the number of dimensions in the "
            f"tensor ({len(src_shape)})")
    for i in range(nd - 1, lead - 1, -1):
        cur = src_shape[i - lead]
        if cur != target[i] and cur != 1:
            return RuntimeError(
                f"The expanded size of the tensor ({target[i]}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: [{', '.join(map(str, target))}].  Tensor sizes: "
                f"[{', '.join(map(str, src_shape))}]")
    return RuntimeError("shapes do not broadcast")


def zero_(self) -> Tensor:
    """Fill with zeros in place."""
    return fill_(self, 0)


class FillBackward2(Node):
    def backward(self, g):
        return (g * 0,)


class FillBackward3(Node):
    def apply(self, grads):
        g = grads[0]
        return (g * 0 if self.next_functions[0][0] is not None else None, g.sum())


def fill_(self, value) -> Tensor:
    """Fill with ``value`` (a number or a 0-d tensor) in place."""
    self._check_inplace()
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} dimensions.")
        res = np.full(self._data.shape, value._data, dtype=self._data.dtype)
        commit_inplace(self, res, FillBackward3, (self, value))
        return self
    res = np.full(self._data.shape, value, dtype=self._data.dtype)
    commit_inplace(self, res, FillBackward2, (self,))
    return self


def flatten(input, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one."""
    a = input._data
    if a.ndim == 0:
        return reshape(input, (1,))
    s, e = wrap_dim(start_dim, a.ndim), wrap_dim(end_dim, a.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for d in a.shape[s:e + 1]:
        n *= d
    return reshape(input, a.shape[:s] + (n,) + a.shape[e + 1:])


methods(
    view=view, view_as=view_as, reshape=reshape, reshape_as=reshape_as, t=t, transpose=transpose,
    swapaxes=transpose, swapdims=transpose, unsqueeze=unsqueeze, squeeze=squeeze, expand=expand,
    expand_as=expand_as, sum_to_size=sum_to_size, clone=clone, contiguous=contiguous, to=to,
    type_as=type_as, copy_=copy_, zero_=zero_, fill_=fill_, flatten=flatten,
    float=_caster(D.float32), double=_caster(D.float64), half=_caster(D.float16), bfloat16=_caster(D.bfloat16),
    long=_caster(D.int64), int=_caster(D.int32), short=_caster(D.int16), char=_caster(D.int8),
    byte=_caster(D.uint8), bool=_caster(D.bool), cfloat=_caster(D.complex64), cdouble=_caster(D.complex128),
)


class PermuteBackward0(Node):
    __slots__ = ("dims",)

    def backward(self, g):
        inv = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inv[d] = i
        return (g.permute(*inv),)


def permute(input, *dims) -> Tensor:
    """Reorder dims (a view)."""
    dims = _shape_arg(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {len(dims)}")
    dims = tuple(wrap_dim(d, nd) for d in dims)
    r = make_view(input, np.transpose(input._data, dims), lambda x: x.permute(dims))
    if needs_grad(input):
        record(PermuteBackward0, r, (input,)).dims = dims
    return r


methods(permute=permute)
__all__ += ["permute", "flatten"]


# ------------------------------------------------------------------------------------------
# gradient helpers shared by the view ops: put a gradient back where the view came from


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


class _EmbedBackward(Node):
    """Gradient of ``_embed``: read the embedded region back out."""

    __slots__ = ("key",)

    def backward(self, gg):
        return (_pick(gg, self.key),)


class _PickBackward(Node):
    """Gradient of ``_pick``: embed into zeros of the input's shape."""

    __slots__ = ("key",)

    def backward(self, g):
        return (_embed(g, self._meta[0][0], self.key),)


def _embed(g: Tensor, shape, key) -> Tensor:
    """zeros(shape) with ``g`` written at the basic NumPy index ``key`` (differentiable in g)."""
    out = np.zeros(shape, dtype=g._data.dtype)
    out[key] = g._data
    r = _wrap(out)
    if needs_grad(g):
        record(_EmbedBackward, r, (g,)).key = key
    return r


def _pick(x: Tensor, key) -> Tensor:
    """A copy of ``x[key]`` for a basic NumPy index (differentiable)."""
    r = _wrap(np.array(x._data[key], copy=True))
    if needs_grad(x):
        record(_PickBackward, r, (x,)).key = key
    return r


class _ScatterFlatBackward(Node):
    __slots__ = ("idx",)

    def backward(self, gg):
        return (_gather_flat(gg, self.idx),)


class _GatherFlatBackward(Node):
    __slots__ = ("idx",)

    def backward(self, g):
        return (_scatter_flat(g, self.idx, self._meta[0][0]),)


def _scatter_flat(g: Tensor, idx, shape) -> Tensor:
    """zeros(shape) with g's elements added at the flat positions ``idx`` (same shape as g)."""
    n = _numel(shape)
    a = g._data
    if a.dtype.kind == "f":
        out = np.bincount(idx.reshape(-1), weights=a.reshape(-1), minlength=n).astype(a.dtype)
    else:
        out = np.zeros(n, dtype=a.dtype)
        np.add.at(out, idx.reshape(-1), a.reshape(-1))
    r = _wrap(out.reshape(shape))
    if needs_grad(g):
        record(_ScatterFlatBackward, r, (g,)).idx = idx
    return r


def _gather_flat(x: Tensor, idx) -> Tensor:
    """x's elements at the flat positions ``idx`` (an integer array of any shape)."""
    r = _wrap(_contig(x._data).reshape(-1)[idx])
    if needs_grad(x):
        record(_GatherFlatBackward, r, (x,)).idx = idx
    return r


def _ids(shape):
    return np.arange(_numel(shape), dtype=np.int64).reshape(shape)


class _FlatViewBackward(Node):
    """A view's gradient: the output gradient added back at the input elements it came from."""

    __slots__ = ("idx",)

    def backward(self, g):
        return (_scatter_flat(g, self.idx, self._meta[0][0]),)


def _view_node(cls, out, input, view_fn_np):
    """Record ``cls`` (a _FlatViewBackward) for a view; the index map is built lazily here."""
    n = record(cls, out, (input,))
    n.idx = view_fn_np(_ids(input._data.shape))
    return n


def _strided(a, shape, strides, offset_elems=0):
    """A writable (where ``a`` is) strided view of ``a`` starting ``offset_elems`` elements in."""
    if offset_elems:
        a = a.reshape(-1)[offset_elems:] if a.flags.c_contiguous else a
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)


# ------------------------------------------------------------------------------------------
# select / slice / narrow


class SelectBackward0(Node):
    __slots__ = ("key",)

    def backward(self, g):
        return (_embed(g, self._meta[0][0], self.key),)


class SliceBackward0(SelectBackward0):
    pass


class AliasBackward0(Node):
    def backward(self, g):
        return (g,)


def select(input, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim``, with that dim removed (a view).

    >>> ember.arange(6).view(2, 3).select(1, 0)
    tensor([0, 3])
    """
    a = input._data
    if a.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, a.ndim)
    index = int(index)
    size = a.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"[{', '.join(map(str, a.shape))}] at dimension {d}")
    if index < 0:
        index += size
    key = (slice(None),) * d + (index,)
    r = make_view(input, a[key + (Ellipsis,)], lambda x: select(x, d, index))
    if needs_grad(input):
        record(SelectBackward0, r, (input,)).key = key
    return r


def _slice(input, dim: int, start, stop, step: int = 1) -> Tensor:
    """``input[..., start:stop:step, ...]`` along ``dim`` (a view, SliceBackward0)."""
    a = input._data
    if step <= 0:
        raise ValueError("step must be greater than zero")
    key = (slice(None),) * dim + (slice(start, stop, step),)
    r = make_view(input, a[key], lambda x: _slice(x, dim, start, stop, step))
    if needs_grad(input):
        record(SliceBackward0, r, (input,)).key = key
    return r


def narrow(input, dim: int, start, length: int) -> Tensor:
    """``length`` elements of ``dim`` from ``start`` (a view)."""
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, a.ndim)
    start = int(start)
    size = a.shape[d]
    if not -size <= start <= size:
        raise IndexError(M.DIM_RANGE.format(lo=-size, hi=size, dim=start))
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return _slice(input, d, start, start + length, 1)


# ------------------------------------------------------------------------------------------
# multi-output views: unbind, split, chunk


class UnbindBackward0(Node):
    __slots__ = ("dim",)

    def apply(self, grads):
        shape, dtype = self._meta[0]
        from .._creation import zeros
        gs = [g if g is not None else zeros(shape[:self.dim] + shape[self.dim + 1:], dtype=D.from_np(dtype))
              for g in grads]
        return (stack(gs, self.dim),)


def unbind(input, dim: int = 0) -> tuple:
    """The slices along ``dim`` (views), as a tuple.

    >>> ember.tensor([[1, 2], [3, 4]]).unbind(1)
    (tensor([1, 3]), tensor([2, 4]))
    """
    a = input._data
    if a.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = wrap_dim(dim, a.ndim)
    outs = tuple(make_view(input, a[(slice(None),) * d + (i, Ellipsis)], lambda x, i=i: select(x, d, i))
                 for i in range(a.shape[d]))
    if needs_grad(input) and outs:
        n = record(UnbindBackward0, outs, (input,))
        n.dim = d
        n._n_outputs = len(outs)
    return outs


class SplitBackward0(Node):
    __slots__ = ("dim", "sizes")

    def apply(self, grads):
        shape, dtype = self._meta[0]
        from .._creation import zeros
        gs = []
        for g, s in zip(grads, self.sizes):
            if g is None:
                g = zeros(shape[:self.dim] + (s,) + shape[self.dim + 1:], dtype=D.from_np(dtype))
            gs.append(g)
        return (cat(gs, self.dim),)


class SplitWithSizesBackward0(SplitBackward0):
    pass


def _split_sizes(input, d, sizes, cls):
    a = input._data
    outs = []
    off = 0
    for s in sizes:
        key = (slice(None),) * d + (slice(off, off + s),)
        outs.append(make_view(input, a[key], lambda x, o=off, s=s: _slice(x, d, o, o + s)))
        off += s
    outs = tuple(outs)
    if needs_grad(input) and outs:
        n = record(cls, outs, (input,))
        n.dim, n.sizes = d, tuple(sizes)
        n._n_outputs = len(outs)
    return outs


def split(tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Split into pieces of ``split_size`` (the last may be smaller) or of the listed sizes."""
    a = tensor._data
    if a.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {d}), but got split_sizes=[{', '.join(map(str, sizes))}]")
        return _split_sizes(tensor, d, sizes, SplitWithSizesBackward0)
    size = int(split_size_or_sections)
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0:
        if n != 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sizes = [0]
    else:
        k = max(1, -(-n // size))
        sizes = [size] * (k - 1) + [n - size * (k - 1)]
    return _split_sizes(tensor, d, sizes, SplitBackward0)


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    """Split into ``chunks`` pieces of ceil(n / chunks) elements (fewer when they run out)."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    size = -(-n // chunks)
    if size == 0 and n == 0:
        # NOTE: as torch, an empty dim gives `chunks` empty pieces
        return _split_sizes(input, d, [0] * chunks, SplitWithSizesBackward0)
    return split(input, size, d)


def tensor_split(input, indices_or_sections, dim: int = 0) -> tuple:
    """Split at the given indices, or into ``sections`` nearly equal pieces (views)."""
    a = input._data
    if a.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = wrap_dim(dim, a.ndim)
    n = a.shape[d]
    if isinstance(indices_or_sections, Tensor):
        ios = indices_or_sections._data
        indices_or_sections = ios.tolist() if ios.ndim else int(ios)
    if isinstance(indices_or_sections, (list, tuple)):
        bounds = [0] + [int(i) for i in indices_or_sections] + [n]
    else:
        k = int(indices_or_sections)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, rem = divmod(n, k)
        bounds = [0]
        for i in range(k):
            bounds.append(bounds[-1] + q + (1 if i < rem else 0))
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        lo, hi = min(max(lo, 0), n), min(max(hi, 0), n)
        out.append(_slice(input, d, lo, max(lo, hi), 1))
    return tuple(out)


# ------------------------------------------------------------------------------------------
# joining: cat, stack and friends


class CatBackward0(Node):
    __slots__ = ("dim", "sizes")

    def backward(self, g):
        out = []
        off = 0
        for i, s in enumerate(self.sizes):
            if s is None:  # a legacy empty 1-d input, skipped by cat
                m = self._meta[i]
                out.append(_wrap(np.zeros((0,), dtype=g._data.dtype)) if m is not None else None)
                continue
            out.append(_slice(g, self.dim, off, off + s) if self.next_functions[i][0] is not None else None)
            off += s
        return tuple(out)


def _as_tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    return list(tensors)


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join tensors along an existing dim (dtypes promoted as torch does).

    >>> cat([ember.zeros(1, 2), ember.ones(1, 2)]).shape
    torch.Size([2, 2])
    """
    ts = _as_tensor_list(tensors, "cat")
    if not ts:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    live = [t for t in ts if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    dt = ts[0].dtype
    for t in ts[1:]:
        dt = D.promote_types(dt, t.dtype)
    npd = dt.np
    if not live:
        r = _wrap(np.zeros((0,), dtype=npd))
    else:
        ref = live[0]._data
        if ref.ndim == 0:
            raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
        d = wrap_dim(dim, ref.ndim)
        for i, t in enumerate(ts):
            a = t._data
            if a.ndim == 1 and a.shape[0] == 0:
                continue
            if a.ndim == 0:
                raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
            if a.ndim != ref.ndim:
                raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}")
            for k in range(a.ndim):
                if k != d and a.shape[k] != ref.shape[k]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                       f"{ref.shape[k]} but got size {a.shape[k]} for tensor number {i} in the list.")
        r = _wrap(np.concatenate([t._data.astype(npd, copy=False) for t in live], axis=d))
    if out is not None:
        from .elementwise import _out
        return _out(r, out, "cat")
    if needs_grad(*ts):
        n = record(CatBackward0, r, tuple(ts))
        n.dim = wrap_dim(dim, live[0]._data.ndim) if live else 0
        n.sizes = tuple(None if (t._data.ndim == 1 and t._data.shape[0] == 0) else t._data.shape[n.dim] for t in ts)
    return r


concat = concatenate = cat


class StackBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        return tuple(select(g, self.dim, i) if f is not None else None
                     for i, (f, _) in enumerate(self.next_functions))


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join equally shaped tensors along a new dim."""
    ts = _as_tensor_list(tensors, "stack")
    if not ts:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = ts[0]._data.shape
    for i, t in enumerate(ts[1:], 1):
        if t._data.shape != s0:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got [{', '.join(map(str, s0))}] at "
                               f"entry 0 and [{', '.join(map(str, t._data.shape))}] at entry {i}")
    d = wrap_dim(dim, len(s0) + 1)
    dt = ts[0].dtype
    for t in ts[1:]:
        dt = D.promote_types(dt, t.dtype)
    r = _wrap(np.stack([t._data.astype(dt.np, copy=False) for t in ts], axis=d))
    if out is not None:
        from .elementwise import _out
        return _out(r, out, "stack")
    if needs_grad(*ts):
        record(StackBackward0, r, tuple(ts)).dim = d
    return r


def atleast_1d(*tensors):
    """0-d tensors become 1-d (a view); others are returned as they are."""
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = [reshape(t, (1,)) if t._data.ndim == 0 else t for t in ts]
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)


def atleast_2d(*tensors):
    """Tensors with fewer than 2 dims get leading dims of size 1."""
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = []
    for t in ts:
        nd = t._data.ndim
        out.append(reshape(t, (1, 1)) if nd == 0 else unsqueeze(t, 0) if nd == 1 else t)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)


def atleast_3d(*tensors):
    """Tensors with fewer than 3 dims get dims of size 1 (1-d: (1, n, 1); 2-d: (m, n, 1))."""
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = []
    for t in ts:
        nd = t._data.ndim
        if nd == 0:
            t = reshape(t, (1, 1, 1))
        elif nd == 1:
            t = unsqueeze(unsqueeze(t, 0), -1)
        elif nd == 2:
            t = unsqueeze(t, -1)
        out.append(t)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else tuple(out)


def hstack(tensors, *, out=None) -> Tensor:
    """Concatenate column-wise (dim 1; dim 0 for 1-d tensors)."""
    ts = atleast_1d(tuple(_as_tensor_list(tensors, "hstack")))
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None) -> Tensor:
    """Concatenate row-wise (after making tensors at least 2-d)."""
    return cat(atleast_2d(tuple(_as_tensor_list(tensors, "vstack"))), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None) -> Tensor:
    """Concatenate depth-wise (dim 2, after making tensors at least 3-d)."""
    return cat(atleast_3d(tuple(_as_tensor_list(tensors, "dstack"))), 2, out=out)


def column_stack(tensors, *, out=None) -> Tensor:
    """Stack 1-d tensors as columns (and concatenate 2-d ones) along dim 1."""
    ts = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in _as_tensor_list(tensors, "column_stack")]
    return cat(ts, 1, out=out)


# ------------------------------------------------------------------------------------------
# reordering: permute family, flip, roll, movedim


def movedim(input, source, destination) -> Tensor:
    """Move dims from ``source`` to ``destination`` positions (a permute view)."""
    nd = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    src = tuple(wrap_dim(s, nd) for s in src)
    dst = tuple(wrap_dim(s, nd) for s in dst)
    order = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(i for i in range(nd) if i not in src)
    order = [o if o is not None else next(rest) for o in order]
    return permute(input, order)


moveaxis = movedim


class FlipBackward0(Node):
    __slots__ = ("dims",)

    def backward(self, g):
        return (flip(g, self.dims),)


def flip(input, *dims) -> Tensor:
    """Reverse the order of elements along ``dims`` (a copy)."""
    dims = _shape_arg(dims)
    nd = input._data.ndim
    ds = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(ds)) != len(ds):
        raise RuntimeError(f"dim {ds[0]} appears multiple times in the list of dims")
    r = _wrap(_contig(np.flip(input._data, ds) if nd else input._data.copy()))
    if needs_grad(input):
        record(FlipBackward0, r, (input,)).dims = ds
    return r


def fliplr(input) -> Tensor:
    """Flip dim 1 (left/right)."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input) -> Tensor:
    """Flip dim 0 (up/down)."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class RollBackward0(Node):
    __slots__ = ("shifts", "dims")

    def backward(self, g):
        return (roll(g, tuple(-s for s in self.shifts), self.dims),)


def roll(input, shifts, dims=None) -> Tensor:
    """Shift elements along ``dims`` cyclically (over the flattened tensor if no dims)."""
    sh = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        arr = np.roll(input._data.reshape(-1), sh[0]).reshape(input._data.shape)
        ds = None
    else:
        ds = (dims,) if isinstance(dims, int) else tuple(dims)
        if len(sh) != len(ds):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
        ds = tuple(wrap_dim(d, input._data.ndim) for d in ds)
        arr = np.roll(input._data, sh, ds)
    r = _wrap(_contig(arr))
    if needs_grad(input):
        n = record(RollBackward0, r, (input,))
        n.shifts, n.dims = sh, ds
    return r


def _T(self):
    nd = self._data.ndim
    if nd != 2:
        import warnings
        if nd == 0:
            warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                          UserWarning, stacklevel=2)
        else:
            warnings.warn(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it "
                "will throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
                "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                UserWarning, stacklevel=2)
    return permute(self, tuple(range(nd - 1, -1, -1)))


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self._data.ndim}-D tensor.")
    return transpose(self, -2, -1)


Tensor.T = property(_T)
Tensor.mT = property(_mT)
Tensor.H = property(lambda self: _T(self).conj() if self._data.dtype.kind == "c" else _T(self))
Tensor.mH = property(lambda self: _mT(self).conj() if self._data.dtype.kind == "c" else _mT(self))


# ------------------------------------------------------------------------------------------
# repeat, tile, repeat_interleave, broadcast


class RepeatBackward0(Node):
    __slots__ = ("repeats",)

    def backward(self, g):
        shape = self._meta[0][0]
        reps = self.repeats
        lead = len(reps) - len(shape)
        full = (1,) * lead + tuple(shape)
        inter = []
        for r, s in zip(reps, full):
            inter += [r, s]
        x = g.reshape(inter).sum(tuple(range(0, 2 * len(reps), 2)))
        return (x.reshape(shape),)


def repeat(self, *sizes) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along each dim (a copy)."""
    reps = _shape_arg(sizes)
    a = self._data
    if len(reps) < a.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    for s in reps:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: [{', '.join(map(str, reps))}]")
    full = a.reshape((1,) * (len(reps) - a.ndim) + a.shape)
    r = _wrap(_contig(np.tile(full, reps)))
    if needs_grad(self):
        record(RepeatBackward0, r, (self,)).repeats = reps
    return r


def tile(input, dims, *more) -> Tensor:
    """``repeat`` with the reps padded by ones in front to the tensor's rank (``x.tile(2, 1)``
    or ``torch.tile(x, (2, 1))``).

    >>> ember.tensor([1, 2]).tile(2)
    tensor([1, 2, 1, 2])
    """
    dims = tuple(dims) if isinstance(dims, (list, tuple)) else (dims,)
    dims = dims + tuple(more)
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element ``repeats`` times (``repeats`` an int or a tensor of counts).

    >>> ember.tensor([1, 2]).repeat_interleave(2)
    tensor([1, 1, 2, 2])
    """
    if repeats is None:
        # repeat_interleave(counts): indices 0..n-1, each repeated counts[i] times
        counts = input._data
        if counts.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        return _wrap(np.repeat(np.arange(counts.shape[0], dtype=np.int64), counts))
    x = input
    if dim is None:
        x = reshape(x, (-1,))
        dim = 0
    d = wrap_dim(dim, x._data.ndim)
    if isinstance(repeats, Tensor) and repeats._data.ndim > 0 and repeats._data.size != 1:
        from .indexing import index_select
        idx = _wrap(np.repeat(np.arange(x._data.shape[d], dtype=np.int64), repeats._data))
        return index_select(x, d, idx)
    k = int(repeats.item() if isinstance(repeats, Tensor) else repeats)
    if k < 0:
        raise RuntimeError("repeats can not be negative")
    # NOTE: torch builds this as unsqueeze -> expand -> clone -> flatten (a view of the clone)
    sh = x._data.shape
    e = expand(unsqueeze(x, d + 1), sh[:d + 1] + (k,) + sh[d + 1:])
    return view(clone(e), sh[:d] + (sh[d] * k,) + sh[d + 1:])


def broadcast_to(input, size) -> Tensor:
    """``input.expand(size)``."""
    return expand(input, size)


def broadcast_shapes(*shapes):
    """The shape that tensors of these shapes broadcast to."""
    from .._tensor import Size
    try:
        return Size(np.broadcast_shapes(*[(s,) if isinstance(s, int) else tuple(s) for s in shapes]))
    except ValueError:
        raise RuntimeError("Shape mismatch: objects cannot be broadcast to a single shape") from None


def broadcast_tensors(*tensors) -> tuple:
    """Expand all tensors to their common broadcast shape (views)."""
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    shape = ()
    for t in ts:
        try:
            shape = np.broadcast_shapes(shape, t._data.shape)
        except ValueError:
            from ._util import broadcast_error
            raise broadcast_error(shape, t._data.shape) from None
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in ts)


# ------------------------------------------------------------------------------------------
# unflatten, diagonals, triangles, trace


def unflatten(input, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one of them may be -1)."""
    a = input._data
    d = wrap_dim(dim, a.ndim)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = a.shape[d]
    if -1 in sizes:
        known = _numel([s for s in sizes if s != -1])
        if known == 0 or n % known:
            raise RuntimeError(f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't multiply up to the "
                               f"size of dim {dim} ({n}) in the input tensor")
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    if _numel(sizes) != n:
        raise RuntimeError(f"unflatten: Provided sizes [{', '.join(map(str, sizes))}] don't multiply up to the size "
                           f"of dim {dim} ({n}) in the input tensor")
    return view(input, a.shape[:d] + sizes + a.shape[d + 1:])


def _diag_arr(a, offset, d1, d2):
    """A (writable where ``a`` is) strided view of the diagonal, as a new last dim."""
    n1, n2 = a.shape[d1], a.shape[d2]
    L = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    if L > 0 and offset:
        key = [slice(None)] * a.ndim
        if offset > 0:
            key[d2] = slice(offset, None)
        else:
            key[d1] = slice(-offset, None)
        a = a[tuple(key)]
    shape = tuple(s for i, s in enumerate(a.shape) if i not in (d1, d2)) + (L,)
    strides = tuple(s for i, s in enumerate(a.strides) if i not in (d1, d2)) + (a.strides[d1] + a.strides[d2],)
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)


def _diag_dims(nd, dim1, dim2):
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


class DiagonalBackward0(_FlatViewBackward):
    pass


def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes, as a new last dim (a view)."""
    a = input._data
    d1, d2 = _diag_dims(a.ndim, dim1, dim2)
    r = make_view(input, _diag_arr(a, offset, d1, d2), lambda x: diagonal(x, offset, d1, d2))
    if needs_grad(input):
        _view_node(DiagonalBackward0, r, input, lambda ids: _diag_arr(ids, offset, d1, d2))
    return r


class DiagEmbedBackward0(Node):
    __slots__ = ("offset", "dim1", "dim2")

    def backward(self, g):
        return (diagonal(g, self.offset, self.dim1, self.dim2),)


def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Put the last dim of ``input`` on the diagonal of new (dim1, dim2) planes."""
    a = input._data
    nd = a.ndim + 1
    d1, d2 = _diag_dims(nd, dim1, dim2)
    n = a.shape[-1] + abs(offset) if a.ndim else 1 + abs(offset)
    rest = list(a.shape[:-1])
    shape = [0] * nd
    it = iter(rest)
    for i in range(nd):
        shape[i] = n if i in (d1, d2) else next(it)
    out = np.zeros(shape, dtype=a.dtype)
    _diag_arr(out, offset, d1, d2)[...] = a
    r = _wrap(out)
    if needs_grad(input):
        n_ = record(DiagEmbedBackward0, r, (input,))
        n_.offset, n_.dim1, n_.dim2 = offset, d1, d2
    return r


class DiagonalBackward0_copy(_FlatViewBackward):  # noqa: N801  (torch's name)
    pass


def diag(input, diagonal: int = 0) -> Tensor:
    """1-d input: a matrix with it on the ``diagonal``; 2-d input: that diagonal (a copy)."""
    a = input._data
    if a.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if a.ndim != 2:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{a.ndim}D")
    k = diagonal
    r = _wrap(np.array(_diag_arr(a, k, 0, 1), copy=True))
    if needs_grad(input):
        _view_node(DiagonalBackward0_copy, r, input, lambda ids: _diag_arr(ids, k, 0, 1))
    return r


class TrilBackward0(Node):
    __slots__ = ("diagonal",)

    def backward(self, g):
        return (tril(g, self.diagonal),)


class TriuBackward0(Node):
    __slots__ = ("diagonal",)

    def backward(self, g):
        return (triu(g, self.diagonal),)


def _tri_check(a, name):
    if a.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")


def tril(input, diagonal: int = 0, *, out=None) -> Tensor:
    """The lower triangle of the last two dims (others zeroed)."""
    _tri_check(input._data, "tril")
    r = _wrap(np.tril(input._data, diagonal))
    if needs_grad(input):
        record(TrilBackward0, r, (input,)).diagonal = diagonal
    return r


def triu(input, diagonal: int = 0, *, out=None) -> Tensor:
    """The upper triangle of the last two dims (others zeroed)."""
    _tri_check(input._data, "triu")
    r = _wrap(np.triu(input._data, diagonal))
    if needs_grad(input):
        record(TriuBackward0, r, (input,)).diagonal = diagonal
    return r


def tril_(self, diagonal: int = 0) -> Tensor:
    _tri_check(self._data, "tril")
    self._check_inplace()
    n = commit_inplace(self, np.tril(self._data, diagonal), TrilBackward0, (self,))
    if n is not None:
        n.diagonal = diagonal
    return self


def triu_(self, diagonal: int = 0) -> Tensor:
    _tri_check(self._data, "triu")
    self._check_inplace()
    n = commit_inplace(self, np.triu(self._data, diagonal), TriuBackward0, (self,))
    if n is not None:
        n.diagonal = diagonal
    return self


class TraceBackward0(Node):
    def backward(self, g):
        shape, dtype = self._meta[0]
        eye = _wrap(np.eye(shape[0], shape[1], dtype=dtype))
        return (eye * g,)


def trace(input) -> Tensor:
    """Sum of the main diagonal of a matrix."""
    a = input._data
    if a.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {a.ndim}")
    res = np.trace(a)
    if a.dtype.kind in "biu":
        res = np.asarray(res, dtype=np.int64)
    r = _wrap(np.asarray(res))
    if needs_grad(input):
        record(TraceBackward0, r, (input,))
    return r


# ------------------------------------------------------------------------------------------
# strided views: unfold, as_strided


class UnfoldBackward0(_FlatViewBackward):
    pass


def _unfold_arr(a, d, size, step):
    if a.ndim == 0:
        return np.lib.stride_tricks.as_strided(a, (size,), (0,), writeable=a.flags.writeable)
    count = (a.shape[d] - size) // step + 1
    shape = a.shape[:d] + (count,) + a.shape[d + 1:] + (size,)
    strides = a.strides[:d] + (a.strides[d] * step,) + a.strides[d + 1:] + (a.strides[d],)
    return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=a.flags.writeable)


def unfold(self, dimension: int, size: int, step: int) -> Tensor:
    """All windows of ``size`` along ``dimension``, ``step`` apart, as a new last dim (a view)."""
    a = self._data
    d = wrap_dim(dimension, a.ndim)
    n = a.shape[d] if a.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    r = make_view(self, _unfold_arr(a, d, size, step), lambda x: unfold(x, d, size, step))
    if needs_grad(self):
        _view_node(UnfoldBackward0, r, self, lambda ids: _unfold_arr(ids, d, size, step))
    return r


class AsStridedBackward0(Node):
    """Gradient through the shared storage: scatter into it, then read the input's elements."""

    __slots__ = ("view_ids", "input_ids", "storage")

    def backward(self, g):
        return (_gather_flat(_scatter_flat(g, self.view_ids, (self.storage,)), self.input_ids),)


def _storage_of(t):
    """(flat storage array, element offset of t in it, t's element strides) when t lives in a
    C-contiguous root array; else None."""
    root = t._base._data if t._base is not None else t._data
    if not root.flags.c_contiguous or t._data.itemsize == 0:
        return None
    off = (t._data.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // t._data.itemsize
    st = tuple(s // t._data.itemsize for s in t._data.strides)
    return root.reshape(-1), off, st


def as_strided(input, size, stride, storage_offset=None) -> Tensor:
    """A view with explicit sizes, strides and offset into ``input``'s storage."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(f"mismatch in length of strides and shape")
    st = _storage_of(input)
    if st is None:
        flat, in_off, in_st = _contig(input._data).reshape(-1), 0, None
    else:
        flat, in_off, in_st = st
    off = in_off if storage_offset is None else int(storage_offset)
    item = input._data.itemsize
    need = off + 1 + sum((s - 1) * t for s, t in zip(size, stride)) if all(size) else 0
    if need > flat.size:
        raise RuntimeError(f"setStorage: sizes [{', '.join(map(str, size))}], strides [{', '.join(map(str, stride))}], "
                           f"storage offset {off}, and itemsize {item} requiring a storage size of {need * item} are "
                           f"out of bounds for storage of size {flat.size * item}")
    arr = np.lib.stride_tricks.as_strided(flat[off:], size, tuple(s * item for s in stride),
                                          writeable=flat.flags.writeable)
    if st is None:
        r = _wrap(arr.copy())
    else:
        r = make_view(input, arr, lambda x: as_strided(x, size, stride, storage_offset))
    if needs_grad(input):
        n = record(AsStridedBackward0, r, (input,))
        ids = np.arange(flat.size, dtype=np.int64)
        n.storage = flat.size
        n.view_ids = np.lib.stride_tricks.as_strided(ids[off:], size, tuple(s * 8 for s in stride))
        if in_st is None:
            n.input_ids = ids.reshape(input._data.shape)
        else:
            n.input_ids = np.lib.stride_tricks.as_strided(ids[in_off:], input._data.shape, tuple(s * 8 for s in in_st))
    return r


__all__ += ["select", "narrow", "unbind", "split", "chunk", "tensor_split", "cat", "concat", "concatenate",
            "stack", "atleast_1d", "atleast_2d", "atleast_3d", "hstack", "vstack", "row_stack", "dstack",
            "column_stack", "movedim", "moveaxis", "flip", "fliplr", "flipud", "roll", "tile",
            "repeat_interleave", "broadcast_to", "broadcast_shapes", "broadcast_tensors", "unflatten", "diagonal",
            "diag_embed", "diag", "tril", "triu", "trace", "as_strided", "squeeze", "unsqueeze"]

methods(
    select=select, narrow=narrow, unbind=unbind, split=split, chunk=chunk, tensor_split=tensor_split,
    movedim=movedim, moveaxis=movedim, flip=flip, fliplr=fliplr, flipud=flipud, roll=roll, repeat=repeat,
    tile=tile, repeat_interleave=repeat_interleave, broadcast_to=broadcast_to, unflatten=unflatten,
    diagonal=diagonal, diag_embed=diag_embed, diag=diag, tril=tril, triu=triu, tril_=tril_, triu_=triu_,
    trace=trace, unfold=unfold, as_strided=as_strided,
)


# ------------------------------------------------------------------------------------------
# complex views: conj, real, imag


class ConjBackward0(Node):
    def backward(self, g):
        return (conj(g),)


def conj(input) -> Tensor:
    """The complex conjugate (``input`` itself for a real tensor).

    # NOTE: torch's conj is a lazy view; here a complex conj is a copy (NumPy has no lazy conj).
    """
    if input._data.dtype.kind != "c":
        return input
    r = _wrap(np.conj(input._data))
    if needs_grad(input):
        record(ConjBackward0, r, (input,))
    return r


class _RealImagBackward(Node):
    __slots__ = ("part",)

    def backward(self, g):
        from .._creation import complex as _complex
        z = g * 0
        return (_complex(g, z) if self.part == 0 else _complex(z, g),)


def _part(input, part):
    a = input._data
    if a.dtype.kind != "c":
        if part == 0:
            return input
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    arr = a.real if part == 0 else a.imag
    r = make_view(input, arr, lambda x: _part(x, part))
    if needs_grad(input):
        n = record(_RealImagBackward, r, (input,))
        n.part = part
    return r


_RealImagBackward.__name__ = "SelectBackward0"  # NOTE: torch's real/imag are selects of view_as_real


def real(input) -> Tensor:
    """The real part (a view for complex tensors; ``input`` itself for real ones)."""
    return _part(input, 0)


def imag(input) -> Tensor:
    """The imaginary part (a view; complex tensors only)."""
    return _part(input, 1)


def is_conj(self) -> bool:
    return False


Tensor.real = property(real)
Tensor.imag = property(imag)
methods(conj=conj, resolve_conj=lambda self: self, resolve_neg=lambda self: self, is_conj=is_conj,
        conj_physical=conj)
conj_physical = conj
__all__ += ["conj", "real", "imag", "conj_physical"]
