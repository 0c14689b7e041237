"""Shared plumbing for op definitions: operand promotion, graph recording, views, in-place.

An op is written as: compute the result on arrays, then, if ``needs_grad(...)``, make its node
with ``record(NodeClass, out, inputs)`` and save what its backward needs.
"""
from __future__ import annotations

from .. import _dtype as D
from .. import _messages as M
from .._backend import np
from weakref import ref as _ref

from .._tensor import Tensor, _wrap, _wrap_dim
from ..autograd.grad_mode import STATE
from ..autograd.graph import Node, SavedTensor

__all__ = ["np", "Tensor", "_wrap", "Node", "SavedTensor", "STATE", "needs_grad", "record",
           "binary", "to_array", "make_view", "commit_inplace", "wrap_dim", "methods", "D", "M"]

wrap_dim = _wrap_dim


def needs_grad(*ts) -> bool:
    """Whether an op on these operands must record a node."""
    if not STATE.grad_enabled:
        return False
    for t in ts:
        # hot path: an exact Tensor reads its slot directly; None, Python scalars and
        # subclasses (Parameter) take the general test
        if t.__class__ is Tensor:
            if t._rg:
                return True
        elif t is not None and getattr(t, "_rg", False):
            return True
    return False


def record(cls, out, inputs, nr: int = 0):
    """Make a ``cls`` node for ``inputs`` and make it ``out``'s grad_fn (``out`` may be a tuple)."""
    node = cls(inputs)
    # ``_output_nr`` defaults to 0 on the class: storing a 0 would create the instance dict of
    # every recorded output, so it is written only when it changes
    if out.__class__ is tuple:
        for i, o in enumerate(out):
            if o is not None and o._data.dtype.kind in "fc":
                o._rg = True
                o.grad_fn = node
                if i or o._output_nr:
                    o._output_nr = i
    else:
        out._rg = True
        out.grad_fn = node
        if nr or out._output_nr:
            out._output_nr = nr
    return node


_cache = D._result_cache


def _key(x):
    d = getattr(x, "_data", None)
    if d is not None:
        return (d.dtype, d.ndim == 0)
    return x.__class__


def binary(a, b, op_name: str = ""):
    """Promote two operands as torch does.

    Returns ``(ta, tb, xa, xb, dtype)``: the Tensor operands (None for a Python scalar), their
    arrays (or scalars) cast to the result dtype, and that NumPy dtype.
    """
    if isinstance(a, Tensor):
        # Fast paths (most calls): two tensors of one dtype, or a floating/complex tensor with
        # a Python float, or a non-bool tensor with a Python int. The result has the tensor's
        # dtype and the scalar is passed to NumPy as is (NEP 50 keeps the array's dtype), the
        # same answer the general path below gives, without building a cache key.
        xa = a._data
        c = b.__class__
        if c is float:
            if xa.dtype.kind in "fc":
                return a, None, xa, b, xa.dtype
        elif c is int:
            if xa.dtype.kind in "fciu":
                return a, None, xa, b, xa.dtype
        elif isinstance(b, Tensor):
            xb = b._data
            if xa.dtype is xb.dtype:
                return a, b, xa, xb, xa.dtype
    ta = a if isinstance(a, Tensor) else None
    tb = b if isinstance(b, Tensor) else None
    xa = a._data if ta is not None else _scalar(a)
    xb = b._data if tb is not None else _scalar(b)
    if ta is not None and tb is not None and xa.dtype is xb.dtype:
        return ta, tb, xa, xb, xa.dtype
    k = (_key(a if ta is not None else xa), _key(b if tb is not None else xb))
    res = _cache.get(k)
    if res is None:
        res = _cache[k] = D.result_type(a if ta is not None else xa, b if tb is not None else xb).np
    if ta is not None and xa.dtype != res:
        xa = xa.astype(res)
    elif ta is None and res.kind == "b":
        xa = np.bool_(xa)
    if tb is not None and xb.dtype != res:
        xb = xb.astype(res)
    elif tb is None and res.kind == "b":
        xb = np.bool_(xb)
    return ta, tb, xa, xb, res


def _scalar(x):
    if isinstance(x, (bool, int, float, complex)):
        return x
    if isinstance(x, np.ndarray):
        raise TypeError("expected Tensor as element 1 in argument 0, but got numpy.ndarray")
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"unsupported operand type(s): '{type(x).__name__}'")


def broadcast_error(sa, sb):
    """torch's message for shapes that do not broadcast."""
    na, nb = len(sa), len(sb)
    for i in range(1, max(na, nb) + 1):
        x = sa[-i] if i <= na else 1
        y = sb[-i] if i <= nb else 1
        if x != y and x != 1 and y != 1:
            return RuntimeError(M.BROADCAST.format(a=x, b=y, dim=max(na, nb) - i))
    return RuntimeError(f"shapes {tuple(sa)} and {tuple(sb)} cannot be broadcast")


def to_array(x, dtype=None):
    """The array behind a tensor, or a Python scalar/sequence made into one."""
    if isinstance(x, Tensor):
        return x._data if dtype is None else x._data.astype(dtype, copy=False)
    return np.asarray(x, dtype=dtype)


def make_view(base: Tensor, arr, view_fn) -> Tensor:
    """A tensor over ``arr`` (a NumPy view of ``base``'s array) sharing ``base``'s version
    counter; ``view_fn`` re-derives it from ``base`` (used when the view is written in place)."""
    out = _wrap(arr)
    out._vc = base._vc
    root = base._base
    if root is None:
        root = out._base = base
        out._view_fn = view_fn
    else:
        out._base = root
        prev = base._view_fn
        out._view_fn = lambda x: view_fn(prev(x))
    if STATE.grad_enabled:
        # the base keeps weak references to its views, so that an in-place write through one of
        # them (or the base) can re-derive the others' grad_fn (see set_inplace_grad_fn); dead
        # references are dropped whenever the list reaches a power of two (amortised O(1))
        views = root._views
        if views is None:
            root._views = [_ref(out)]
        else:
            views.append(_ref(out))
            n = len(views)
            if n >= 32 and not n & (n - 1):
                views[:] = [r for r in views if r() is not None]
    return out


def commit_inplace(t: Tensor, result, node_cls=None, inputs=(), save=None):
    """Write ``result`` into ``t``, bump its version, and record the in-place op.

    ``node_cls(inputs)`` is made *before* ``t`` changes (its ``next_functions`` see the old
    graph); ``save(node)`` then saves what backward needs. Returns the node (or None).
    """
    node = None
    if node_cls is not None and needs_grad(*inputs):
        node = node_cls(inputs)
    arr = t._data
    if result is not arr:
        if result.dtype != arr.dtype and not D.can_cast(D.from_np(result.dtype), D.from_np(arr.dtype)):
            raise RuntimeError(M.INPLACE_DTYPE.format(res=_type_name(result.dtype), out=_type_name(arr.dtype)))
        np.copyto(arr, result, casting="unsafe")
    t._vc.v += 1
    if node is not None:
        set_inplace_grad_fn(t, node)
        if save is not None:
            save(node)
    return node


def set_inplace_grad_fn(t: Tensor, node) -> None:
    """Make ``node`` (an in-place op just applied to ``t``) part of ``t``'s history.

    On a plain tensor it becomes the grad_fn. On a view, the base gets ``CopySlices`` around
    it and the view reads its gradient out of the base's (``AsStridedBackward0``). Either way
    every other live view of the same base now sees changed memory: as torch does, their
    grad_fn is re-derived from the base's new history.
    """
    root = t._base
    if root is not None:
        _copy_slices(t, node)
    else:
        t._rg = True
        t.grad_fn = node
        t._output_nr = 0
        root = t
    views = root._views
    if views:
        for ref in list(views):
            v = ref()
            if v is not None and v is not t:
                v._rg = True
                v.grad_fn = _AsStrided((root,), v._view_fn, v._data.shape)
                v._output_nr = 0


def _type_name(np_dtype) -> str:
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
            "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
            "complex128": "ComplexDouble"}[np_dtype.name]


class CopySlices(Node):
    """The base's node after an in-place op on one of its views (as torch's ``CopySlices``)."""

    __slots__ = ("view_fn", "fn", "base_shape", "base_dtype")

    def name(self) -> str:
        # NOTE: torch's hand-written node reports its C++ name
        return "torch::autograd::CopySlices"

    def __init__(self, base, view_fn, fn):
        Node.__init__(self, (base,))
        # the view's input edge of fn is replaced by the base's own edge
        self.next_functions = self.next_functions + fn.next_functions[1:]
        self._meta = self._meta + fn._meta[1:]
        self.view_fn, self.fn = view_fn, fn
        self.base_shape, self.base_dtype = base._data.shape, base._data.dtype

    def apply(self, grads):
        g = grads[0]
        result = g.clone() if g is not None else None
        grad_slice = self.view_fn(result)
        res = self.fn.apply([grad_slice.clone()])
        out = [result]
        if res[0] is not None:
            grad_slice.copy_(res[0])
        else:
            grad_slice.zero_()
        out.extend(res[1:])
        return tuple(out)

    def _release(self):
        self.fn._release()
        Node._release(self)


def _copy_slices(t, node):
    base = t._base
    view_fn = t._view_fn
    cs = CopySlices(base, view_fn, node)
    base._rg = True
    base.grad_fn = cs
    base._output_nr = 0
    # the view now reads its gradient out of the base's
    t._rg = True
    t.grad_fn = _AsStrided((base,), view_fn, t._data.shape)
    t._output_nr = 0


class AsStridedBackward0(Node):
    __slots__ = ("view_fn", "shape")

    def backward(self, g):
        from .._creation import zeros
        base_shape, base_dtype = self._meta[0]
        out = zeros(base_shape, dtype=D.from_np(base_dtype))
        self.view_fn(out).copy_(g)
        return (out,)


def _AsStrided(inputs, view_fn, shape):
    n = AsStridedBackward0(inputs)
    n.view_fn, n.shape = view_fn, shape
    return n


def methods(**fns) -> None:
    """Install functions as Tensor methods."""
    for name, fn in fns.items():
        setattr(Tensor, name, fn)
