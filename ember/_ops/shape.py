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

from ._util import (D, M, Node, SavedTensor, Tensor, _wrap, commit_inplace, make_view, methods,
                    needs_grad, np, record, wrap_dim)

__all__ = ["reshape", "t", "transpose", "swapaxes", "swapdims", "unsqueeze", "squeeze", "clone",
           "sum_to_size"]


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
            record(ViewBackward0, r, (input,))
        return r
    r = _wrap(input._data.reshape(shape))
    if needs_grad(input):
        record(UnsafeViewBackward0, r, (input,))  # NOTE: torch's copy path is clone+_unsafe_view
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
        from ._util import broadcast_error
        raise broadcast_error(self._data.shape, s.shape) from None
    if self._data.dtype.kind not in "c" and res.dtype.kind == "c":
        res = res.real
    commit_inplace(self, res, CopyBackwards, (self, src if isinstance(src, Tensor) else None))
    return self


def zero_(self) -> Tensor:
    """Fill with zeros in place."""
    return fill_(self, 0)


class FillBackward0(Node):
    def backward(self, g):
        return (g * 0,)


class FillBackward1(Node):
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
        commit_inplace(self, res, FillBackward1, (self, value))
        return self
    res = np.full(self._data.shape, value, dtype=self._data.dtype)
    commit_inplace(self, res, FillBackward0, (self,))
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
Tensor.T = property(lambda self: permute_all(self))
Tensor.mT = property(lambda self: transpose(self, -2, -1))


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


def permute_all(self):
    nd = self._data.ndim
    if nd < 2:
        return self
    return permute(self, tuple(range(nd - 1, -1, -1)))


methods(permute=permute)
__all__ += ["permute", "flatten"]
