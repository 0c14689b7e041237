"""Comparison and logic ops: no gradient, bool results.

>>> import ember
>>> ember.tensor([1, 2, 3]) > 1
tensor([False,  True,  True])
"""
from __future__ import annotations

from ._util import Tensor, _wrap, binary, broadcast_error, methods, np

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
           "not_equal"]


def _cmp(np_fn, name):
    def op(input, other, *, out=None) -> Tensor:
        ta, tb, xa, xb, dt = binary(input, other)
        try:
            r = np_fn(xa, xb)
        except ValueError:
            raise broadcast_error(np.shape(xa), np.shape(xb)) from None
        return _wrap(np.asarray(r))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison (a bool tensor)."
    return op


eq, ne, lt = _cmp(np.equal, "eq"), _cmp(np.not_equal, "ne"), _cmp(np.less, "lt")
le, gt, ge = _cmp(np.less_equal, "le"), _cmp(np.greater, "gt"), _cmp(np.greater_equal, "ge")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _eq_method(self, other):
    if other is None or not isinstance(other, (Tensor, int, float, bool, complex, np.generic)):
        return False
    return eq(self, other)


def _ne_method(self, other):
    if other is None or not isinstance(other, (Tensor, int, float, bool, complex, np.generic)):
        return True
    return ne(self, other)


methods(eq=eq, ne=ne, lt=lt, le=le, gt=gt, ge=ge, greater=gt, greater_equal=ge, less=lt,
        less_equal=le, not_equal=ne, __eq__=_eq_method, __ne__=_ne_method, __lt__=lt, __le__=le,
        __gt__=gt, __ge__=ge)


def _logical(np_fn, name):
    def op(input, other, *, out=None) -> Tensor:
        a = input._data if isinstance(input, Tensor) else np.asarray(input)
        b = other._data if isinstance(other, Tensor) else np.asarray(other)
        try:
            return _wrap(np.asarray(np_fn(a, b)))
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` (a bool tensor)."
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None) -> Tensor:
    """Elementwise logical not (a bool tensor)."""
    return _wrap(np.asarray(np.logical_not(input._data)))


def _bitwise(np_fn, name):
    def op(input, other, *, out=None) -> Tensor:
        ta, tb, xa, xb, dt = binary(input, other)
        if dt.kind not in "biu":
            raise RuntimeError(f'"{name}_cpu" not implemented for \'{"Float" if dt == np.float32 else "Double"}\'')
        try:
            return _wrap(np.asarray(np_fn(xa, xb), dtype=dt))
        except ValueError:
            raise broadcast_error(np.shape(xa), np.shape(xb)) from None
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` on integer or bool tensors."
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input, *, out=None) -> Tensor:
    """Elementwise bitwise not (logical not for bool)."""
    a = input._data
    if a.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return _wrap(np.asarray(np.invert(a)))


methods(logical_and=logical_and, logical_or=logical_or, logical_xor=logical_xor, logical_not=logical_not,
        bitwise_and=bitwise_and, bitwise_or=bitwise_or, bitwise_xor=bitwise_xor, bitwise_not=bitwise_not,
        __and__=bitwise_and, __or__=bitwise_or, __xor__=bitwise_xor, __invert__=bitwise_not,
        __rand__=lambda s, o: bitwise_and(o, s), __ror__=lambda s, o: bitwise_or(o, s),
        __rxor__=lambda s, o: bitwise_xor(o, s))
__all__ += ["logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
            "bitwise_xor", "bitwise_not"]
