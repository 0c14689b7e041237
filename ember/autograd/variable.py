"""``Variable``: kept for old code; ``Variable(t)`` is ``t`` and every Tensor is a Variable."""
from __future__ import annotations


class _VariableMeta(type):
    def __instancecheck__(cls, other) -> bool:
        from .._tensor import Tensor
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(tensor, requires_grad=False)`` returns the tensor itself."""

    def __new__(cls, data=None, requires_grad: bool = False, volatile: bool = False):
        from .._creation import tensor
        from .._tensor import Tensor
        if data is None:
            data = tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if requires_grad:
            data.requires_grad_(True)
        return data
