"""Custom differentiable functions (``torch.autograd.Function``).

A Function's backward node is an ordinary graph ``Node`` (named ``<Name>Backward``), the same
mechanism as the built-in ops; the node is also the ``ctx`` that forward and backward see.

>>> import ember
>>> class Square(ember.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x * x
...     @staticmethod
...     def backward(ctx, g):
...         (x,) = ctx.saved_tensors
...         return 2 * x * g
>>> x = ember.tensor(3.0, requires_grad=True)
>>> Square.apply(x).backward(); x.grad
tensor(6.)
"""
from __future__ import annotations

import functools

from .grad_mode import STATE
from .graph import Node, SavedTensor

__all__ = ["Function", "FunctionCtx", "once_differentiable", "BackwardCFunction", "InplaceFunction"]


_DIRTY_LEAF = "a leaf Variable that requires grad has been used in an in-place operation."


class FunctionCtx:
    """What ``ctx`` offers (the backward node of a Function inherits these)."""

    def save_for_backward(self, *tensors) -> None:
        self._to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        self._saved_for_forward = tensors

    def mark_dirty(self, *args) -> None:
        self._dirty = args

    def mark_non_differentiable(self, *args) -> None:
        self._non_diff = args

    def set_materialize_grads(self, value: bool) -> None:
        self._materialize = bool(value)

    @property
    def saved_tensors(self):
        saved = self.__dict__.get("_saved")
        if saved is None:
            to_save = self.__dict__.get("_to_save")
            if to_save is not None and self.__dict__.get("_applying"):
                return tuple(to_save)
            if self.__dict__.get("_saved_freed"):
                from .. import _messages as M
                raise RuntimeError(M.BACKWARD_TWICE)
            return ()
        return tuple(None if s is None else s.unpack(self) for s in saved)

    saved_variables = saved_tensors


class BackwardCFunction(Node, FunctionCtx):
    """The backward node of a custom Function; also its ``ctx``."""

    _fn_cls = None
    _materialize = True
    _dirty = ()
    _non_diff = ()
    _to_save = None

    def apply(self, grads):
        cls = self._fn_cls
        outs = self.__dict__.get("_out_meta", ())
        if self._materialize:
            from .._creation import zeros
            from .. import _dtype as D
            grads = [zeros(m[0], dtype=D.from_np(m[1])) if g is None and m is not None else g
                     for g, m in zip(grads, outs)] if outs else grads
        res = cls.backward(self, *grads)
        if not isinstance(res, tuple):
            res = (res,)
        n_args = len(self._arg_is_tensor)
        if len(res) != n_args:
            if len(res) > n_args and all(r is None for r in res[n_args:]):
                res = res[:n_args]
            else:
                raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients (expected {n_args}, got {len(res)})")
        out = []
        k = 0
        from .._tensor import Tensor
        for is_t, r in zip(self._arg_is_tensor, res):
            if r is not None and not isinstance(r, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
            if not is_t:
                if r is not None:
                    from .._tensor import Tensor
                    if isinstance(r, Tensor):
                        raise RuntimeError(f"function {self.name()} returned a gradient different than None at position {len(out) + 1}, but the corresponding forward input was not a Variable")
                continue
            meta = self._meta[k]
            if r is not None and meta is not None:
                shape = meta[0]
                if r._data.shape != shape:
                    import numpy as np
                    try:
                        ok = np.broadcast_shapes(r._data.shape, shape) == r._data.shape and r._data.size >= 0
                        # torch accepts only gradients whose shape is expandable to the input's
                        if len(r._data.shape) < len(shape) or np.broadcast_shapes(r._data.shape, shape) != r._data.shape:
                            ok = False
                    except ValueError:
                        ok = False
                    if not ok:
                        raise RuntimeError(
                            f"Function {self.name()} returned an invalid gradient at index {k} - got "
                            f"[{', '.join(map(str, r._data.shape))}] but expected shape compatible with "
                            f"[{', '.join(map(str, shape))}]")
            out.append(r)
            k += 1
        return tuple(out)

    def _release(self):
        if self.__dict__.get("_saved") is not None:
            for s in self._saved:
                if s is not None:
                    s.release()
        self._released = True

    def __getattr__(self, name):
        # NOTE: unknown ctx attributes raise AttributeError naming the backward class, as torch
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")


class FunctionMeta(type):
    """Gives each Function subclass its own backward node class, ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        backward_cls = type(name + "Backward", (BackwardCFunction,), {"_fn_cls": cls, "__slots__": ()})
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class of custom differentiable operations: define ``forward`` and ``backward``
    (static methods), optionally ``setup_context``, and call ``apply``."""

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are all static, so you should invoke them on the class itself. Instantiating an autograd function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use new-style autograd function with static forward method. (Example: https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError("You must implement the jvp function for custom autograd.Function to use it with forward mode AD.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError("setup_context is not implemented.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor, _wrap
        is_t = tuple(isinstance(a, Tensor) for a in args)
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        record = STATE.grad_enabled and any(t._rg for t in tensor_args)
        node = cls._backward_cls(tensor_args)
        node._arg_is_tensor = is_t
        node.needs_input_grad = tuple(isinstance(a, Tensor) and a._rg and STATE.grad_enabled for a in args)
        node._applying = True
        uses_setup = cls.setup_context is not Function.setup_context and "setup_context" in _mro_dict(cls)
        prev = STATE.grad_enabled
        STATE.grad_enabled = False
        try:
            if uses_setup:
                output = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, output)
            else:
                output = cls.forward(node, *args, **kwargs)
        finally:
            STATE.grad_enabled = prev
        node._applying = False
        single = not isinstance(output, tuple)
        outs = (output,) if single else output
        dirty = {id(t) for t in node._dirty}
        non_diff = {id(t) for t in node._non_diff}
        input_ids = {id(t) for t in tensor_args}
        new_outs = []
        out_meta = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                new_outs.append(o)
                out_meta.append(None)
                continue
            if record:
                if id(o) in dirty:
                    if o.grad_fn is None and o._rg:
                        raise RuntimeError(_DIRTY_LEAF)
                    # NOTE: as torch, marking dirty bumps the version once more
                    o._vc.v += 1
                elif id(o) in input_ids:
                    alias = _wrap(o._data)
                    alias._vc = o._vc
                    o = alias
                if id(outs[i]) in non_diff or o._data.dtype.kind not in "fc":
                    o._rg = False if o.grad_fn is None or id(outs[i]) in non_diff else o._rg
                    if id(outs[i]) in non_diff:
                        o.grad_fn = None
                else:
                    o._rg = True
                    o.grad_fn = node
                    o._output_nr = i
            out_meta.append((o._data.shape, o._data.dtype))
            new_outs.append(o)
        node._n_outputs = len(outs)
        node._out_meta = out_meta
        if record and node._to_save is not None:
            saved = []
            out_ids = {id(o): o for o in new_outs if isinstance(o, Tensor)}
            orig_ids = {id(o): j for j, o in enumerate(outs) if isinstance(o, Tensor)}
            for t in node._to_save:
                if t is None:
                    saved.append(None)
                elif id(t) in orig_ids and new_outs[orig_ids[id(t)]].grad_fn is node:
                    saved.append(SavedTensor(new_outs[orig_ids[id(t)]], node))
                elif id(t) in out_ids and t.grad_fn is node:
                    saved.append(SavedTensor(t, node))
                else:
                    saved.append(SavedTensor(t))
            node._saved = saved
            node._to_save = None
        elif not record and node._to_save is not None:
            node._saved = [None if t is None else SavedTensor(t) for t in node._to_save]
        return new_outs[0] if single else tuple(new_outs)


def _mro_dict(cls):
    d = {}
    for c in reversed(cls.__mro__):
        if c is Function or c is FunctionCtx or c is object:
            continue
        d.update(c.__dict__)
    return d


class InplaceFunction(Function):
    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    pass


def once_differentiable(fn):
    """Run a backward without recording a graph (its result cannot be differentiated again)."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        prev = STATE.grad_enabled
        STATE.grad_enabled = False
        try:
            return fn(ctx, *args)
        finally:
            STATE.grad_enabled = prev
    return wrapper
