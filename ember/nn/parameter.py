"""``nn.Parameter``: a leaf tensor that a Module registers as one of its parameters.

>>> import ember
>>> p = ember.nn.Parameter(ember.ones(2))
>>> p
Parameter containing:
tensor([1., 1.], requires_grad=True)
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Optional

from .. import _dtype as D
from .._backend import np
from .._tensor import Tensor, _init_fields

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer", "Buffer", "is_lazy"]


def _alias_of(cls, data: Optional[Tensor], requires_grad: bool):
    """A new ``cls`` instance sharing ``data``'s memory and version counter."""
    if data is None:
        data = Tensor(np.empty((0,), dtype=D.get_default_dtype().np))
    t = Tensor.__new__(cls)
    _init_fields(t, data._data)
    t._vc = data._vc
    if requires_grad:
        t.requires_grad_(True)
    return t


class Parameter(Tensor):
    """A tensor that is a module parameter: ``requires_grad=True`` by default, and registered
    automatically when assigned as a Module attribute.

    >>> ember.nn.Parameter(ember.zeros(1)).requires_grad
    True
    """

    def __new__(cls, data: Optional[Tensor] = None, requires_grad: bool = True):
        return _alias_of(cls, data, requires_grad)

    def __init__(self, data: Optional[Tensor] = None, requires_grad: bool = True):
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(Tensor(self._data.copy()), self._rg)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data.copy(), self._rg, OrderedDict()))


def _rebuild_parameter(arr, requires_grad, hooks):
    from .._tensor import _wrap
    return Parameter(_wrap(arr), requires_grad)


class _UninitializedMixin:
    """Holds no data until ``materialize(shape)``; then becomes ``cls_to_become``."""

    cls_to_become: Any = None

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor a shape (uninitialised values) and turn it into ``cls_to_become``."""
        if isinstance(shape, int):
            shape = (shape,)
        dt = D.get_default_dtype() if dtype is None else dtype
        self._data = np.empty(tuple(shape), dtype=D.to_np(dt) if not hasattr(dt, "np") else dt.np)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
            "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
            "`forward` to initialize the parameters before accessing their attributes.")

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to initialize "
            "the parameters before calling `module.share_memory()`.")

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__


class UninitializedParameter(_UninitializedMixin, Parameter):
    """A parameter of a Lazy module before its first forward."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        t = _alias_of(cls, None, requires_grad)
        if dtype is not None:
            t._data = t._data.astype(D.to_np(dtype) if not hasattr(dtype, "np") else dtype.np)
        return t

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self._rg)
        memo[id(self)] = result
        return result


class UninitializedBuffer(_UninitializedMixin, Tensor):
    """A buffer of a Lazy module before its first forward."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None, persistent: bool = True):
        t = _alias_of(cls, None, requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, requires_grad: bool = False, device=None, dtype=None, persistent: bool = True):
        pass


class _BufferMeta(type):
    def __instancecheck__(cls, instance) -> bool:
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return type.__instancecheck__(cls, instance)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute
    (``Buffer(t)`` returns a detached tensor flagged as a buffer)."""

    def __new__(cls, data: Optional[Tensor] = None, *, persistent: bool = True):
        if data is None:
            data = Tensor(np.empty((0,), dtype=D.get_default_dtype().np))
        t = data.detach()
        if data.requires_grad:
            t.requires_grad_(True)
        t.persistent = persistent
        t._is_buffer = True
        return t


def is_lazy(param: Any) -> bool:
    """Whether ``param`` is an uninitialised parameter or buffer."""
    return isinstance(param, _UninitializedMixin)
