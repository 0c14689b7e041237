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
        if other is None or not isinstance(other, (Tensor, int, float, bool, complex, np.generic)):
            raise TypeError(f"{name}() received an invalid combination of arguments - got "
                            f"({type(other).__name__}), but expected one of:\n * (Tensor other)\n"
                            f"      didn't match because some of the arguments have invalid types: "
                            f"(!{type(other).__name__}!)\n * (Number other)\n      didn't match because "
                            f"some of the arguments have invalid types: (!{type(other).__name__}!)\n")
        ta, tb, xa, xb, dt = binary(input, other)
        if tb is None and dt.kind in "iu":
            xb = np.asarray(xb).astype(dt)  # NOTE: as torch, the scalar is cast to the tensor's type first
        elif ta is None and dt.kind in "iu":
            xa = np.asarray(xa).astype(dt)
        try:
            r = np_fn(xa, xb)
        except ValueError:
            raise broadcast_error(np.shape(xa), np.shape(xb)) from None
        return _out(_wrap(np.asarray(r)), out)
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


# ===================================================================================== part A
from .. import _dtype as D  # noqa: E402
from ._util import _type_name, commit_inplace  # noqa: E402


def _out(r, out):
    """Honour ``out=`` for results that carry no gradient."""
    if out is None:
        return r
    if out._data.shape != r._data.shape:
        out._data = np.empty(r._data.shape, dtype=out._data.dtype)
    np.copyto(out._data, r._data, casting="unsafe")
    out._vc.v += 1
    return out


def _need_tensor(name, other, pos=2, arg="other"):
    if not isinstance(other, Tensor):
        raise TypeError(f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not {type(other).__name__}")


def _int_kernel(name, dt):
    if dt.kind not in "biu":
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'{_type_name(dt)}\'')


def _shift(left: bool):
    def f(xa, xb, dt):
        a = np.asarray(xa, dtype=dt)
        b = np.asarray(xb, dtype=dt)
        bits = dt.itemsize * 8
        # NOTE: as torch, counts out of [0, bits) give 0 (left) or the sign fill (right)
        if dt.kind == "b":
            a, b, dt = a.astype(np.int64), b.astype(np.int64), np.dtype(np.int64)
        bad = (b < 0) | (b >= bits)
        bs = np.where(bad, 0, b).astype(dt)
        if left:
            with np.errstate(over="ignore"):
                return np.where(bad, 0, np.left_shift(a, bs)).astype(dt)
        fill = np.where(a < 0, -1, 0) if dt.kind == "i" else 0
        return np.where(bad, fill, np.right_shift(a, bs)).astype(dt)
    return f


def _shift_op(left: bool, name: str, kernel: str):
    fn = _shift(left)

    def op(input, other, *, out=None) -> Tensor:
        ta, tb, xa, xb, dt = binary(input, other)
        _int_kernel(kernel, dt)
        try:
            np.broadcast_shapes(np.shape(xa), np.shape(xb))
        except ValueError:
            raise broadcast_error(np.shape(xa), np.shape(xb)) from None
        r = fn(xa, xb, dt)
        return _out(_wrap(np.asarray(r)), out)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""Elementwise ``{'<<' if left else '>>'}`` on integer tensors.

    >>> {name}(ember.tensor([1, 2]), 1)
    tensor([{'2, 4' if left else '0, 1'}])
    """
    return op


bitwise_left_shift = _shift_op(True, "bitwise_left_shift", "lshift")
bitwise_right_shift = _shift_op(False, "bitwise_right_shift", "rshift")


def bitwise_not(input, *, out=None) -> Tensor:  # noqa: F811
    """Elementwise bitwise not (logical not for bool).

    >>> bitwise_not(ember.tensor([0, 5]))
    tensor([-1, -6])
    """
    a = input._data
    _int_kernel("bitwise_not", a.dtype)
    return _out(_wrap(np.asarray(np.invert(a))), out)


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return bitwise_not(self)


def _bitwise(np_fn, name):  # noqa: F811
    def op(input, other, *, out=None) -> Tensor:
        ta, tb, xa, xb, dt = binary(input, other)
        _int_kernel(name, dt)
        try:
            return _out(_wrap(np.asarray(np_fn(xa, xb), dtype=dt)), out)
        except ValueError:
            raise broadcast_error(np.shape(xa), np.shape(xb)) from None
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""Elementwise ``{name}`` on integer or bool tensors.

    >>> {name}(ember.tensor([6]), ember.tensor([3]))
    tensor([{ {'bitwise_and': 2, 'bitwise_or': 7, 'bitwise_xor': 5}[name] }])
    """
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def _logical(np_fn, name):  # noqa: F811
    def op(input, other, *, out=None) -> Tensor:
        _need_tensor(name, other)
        a, b = input._data, other._data
        try:
            return _out(_wrap(np.asarray(np_fn(a, b))), out)
        except ValueError:
            raise broadcast_error(a.shape, b.shape) from None
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"""Elementwise ``{name}`` (a bool tensor; nonzero counts as True).

    >>> {name}(ember.tensor([True, False]), ember.tensor([True, True]))
    tensor({ {'logical_and': '[ True, False]', 'logical_or': '[True, True]', 'logical_xor': '[False,  True]'}[name] })
    """
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None) -> Tensor:  # noqa: F811
    """Elementwise logical not (a bool tensor).

    >>> logical_not(ember.tensor([0.0, 2.0]))
    tensor([ True, False])
    """
    return _out(_wrap(np.asarray(np.logical_not(input._data))), out)


# ----------------------------------------------------------------------------- float predicates
def _pred(np_fn, name, doc):
    def op(input) -> Tensor:
        a = input._data
        if a.dtype.kind in "biu":
            return _wrap(np.asarray(np_fn(a.astype(np.float64))))
        return _wrap(np.asarray(np_fn(a)))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


isnan = _pred(np.isnan, "isnan", """Where elements are nan.

    >>> isnan(ember.tensor([1.0, float('nan')]))
    tensor([False,  True])
    """)
isinf = _pred(np.isinf, "isinf", """Where elements are +inf or -inf.

    >>> isinf(ember.tensor([1.0, float('inf')]))
    tensor([False,  True])
    """)
isfinite = _pred(np.isfinite, "isfinite", """Where elements are neither nan nor infinite.

    >>> isfinite(ember.tensor([1.0, float('inf')]))
    tensor([ True, False])
    """)
isposinf = _pred(np.isposinf, "isposinf", """Where elements are +inf.

    >>> isposinf(ember.tensor([1.0, float('inf')]))
    tensor([False,  True])
    """)
isneginf = _pred(np.isneginf, "isneginf", """Where elements are -inf.

    >>> isneginf(ember.tensor([-float('inf'), 1.0]))
    tensor([ True, False])
    """)
signbit = _pred(np.signbit, "signbit", """Where the sign bit is set (including -0.0).

    >>> signbit(ember.tensor([-0.0, 1.0]))
    tensor([ True, False])
    """)


def isreal(input) -> Tensor:
    """Where elements have no imaginary part (all True for real tensors).

    >>> isreal(ember.tensor([1.0]))
    tensor([True])
    """
    a = input._data
    return _wrap(np.asarray(np.imag(a) == 0) if a.dtype.kind == "c" else np.ones(a.shape, dtype=bool))


def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """``|input - other| <= atol + rtol * |other|`` elementwise (same dtypes required).

    >>> isclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0 + 1e-9, 2.1]))
    tensor([ True, False])
    """
    _need_tensor("isclose", other)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"{_type_name(a.dtype)} did not match {_type_name(b.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    try:
        with np.errstate(invalid="ignore", over="ignore"):
            if a.dtype.kind in "biu":
                r = np.isclose(a.astype(np.float64), b.astype(np.float64), rtol=rtol, atol=atol)
            else:
                r = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None
    return _wrap(np.asarray(r))


def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """Whether :func:`isclose` holds everywhere (a Python bool).

    >>> allclose(ember.tensor([1.0]), ember.tensor([1.0 + 1e-9]))
    True
    """
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """Whether two tensors have the same shape and elements (a Python bool).

    >>> equal(ember.tensor([1, 2]), ember.tensor([1, 2]))
    True
    """
    _need_tensor("equal", other)
    a, b = input._data, other._data
    if a.shape != b.shape:
        return False
    return bool(np.array_equal(a, b))


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Where each of ``elements`` occurs in ``test_elements``.

    >>> isin(ember.tensor([1, 2, 3]), ember.tensor([2, 5]))
    tensor([False,  True, False])
    """
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _wrap(np.asarray(np.isin(a, b, invert=invert)))


# ----------------------------------------------------------------------------- in-place forms
def _inplace_result(self, res, name=""):
    """Write a no-gradient result into ``self`` (casting as torch's in-place comparisons do)."""
    self._check_inplace()
    if res.shape != self._data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match "
                           f"the broadcast shape [{', '.join(map(str, res.shape))}]")
    commit_inplace(self, res)
    return self


def _make_inplace_cmp(fn, name, keep_dtype_check=False):
    def op_(self, other):
        if keep_dtype_check:
            dt = D.result_type(self, other)
            if not D.can_cast(dt, self.dtype):
                raise RuntimeError(f"result type {_type_name(dt.np)} can't be cast to the desired output type {_type_name(self._data.dtype)}")
        r = fn(self, other)._data
        return _inplace_result(self, r, name)
    op_.__name__ = op_.__qualname__ = name
    op_.__doc__ = f"In-place :func:`{name[:-1]}` (the result is cast to ``self``'s dtype)."
    return op_


methods(
    eq_=_make_inplace_cmp(eq, "eq_"), ne_=_make_inplace_cmp(ne, "ne_"), lt_=_make_inplace_cmp(lt, "lt_"),
    le_=_make_inplace_cmp(le, "le_"), gt_=_make_inplace_cmp(gt, "gt_"), ge_=_make_inplace_cmp(ge, "ge_"),
    greater_=_make_inplace_cmp(gt, "greater_"), greater_equal_=_make_inplace_cmp(ge, "greater_equal_"),
    less_=_make_inplace_cmp(lt, "less_"), less_equal_=_make_inplace_cmp(le, "less_equal_"),
    not_equal_=_make_inplace_cmp(ne, "not_equal_"),
    logical_and_=_make_inplace_cmp(logical_and, "logical_and_"),
    logical_or_=_make_inplace_cmp(logical_or, "logical_or_"),
    logical_xor_=_make_inplace_cmp(logical_xor, "logical_xor_"),
    logical_not_=lambda self: _inplace_result(self, logical_not(self)._data),
    bitwise_and_=_make_inplace_cmp(bitwise_and, "bitwise_and_", True),
    bitwise_or_=_make_inplace_cmp(bitwise_or, "bitwise_or_", True),
    bitwise_xor_=_make_inplace_cmp(bitwise_xor, "bitwise_xor_", True),
    bitwise_not_=lambda self: _inplace_result(self, bitwise_not(self)._data),
    bitwise_left_shift_=_make_inplace_cmp(bitwise_left_shift, "bitwise_left_shift_", True),
    bitwise_right_shift_=_make_inplace_cmp(bitwise_right_shift, "bitwise_right_shift_", True),
    logical_and=logical_and, logical_or=logical_or, logical_xor=logical_xor, logical_not=logical_not,
    bitwise_and=bitwise_and, bitwise_or=bitwise_or, bitwise_xor=bitwise_xor, bitwise_not=bitwise_not,
    bitwise_left_shift=bitwise_left_shift, bitwise_right_shift=bitwise_right_shift,
    isnan=isnan, isinf=isinf, isfinite=isfinite, isposinf=isposinf, isneginf=isneginf, isreal=isreal,
    signbit=signbit, isclose=isclose, allclose=allclose, equal=equal,
    __and__=bitwise_and, __or__=bitwise_or, __xor__=bitwise_xor, __invert__=_invert,
    __rand__=lambda s, o: bitwise_and(o, s), __ror__=lambda s, o: bitwise_or(o, s),
    __rxor__=lambda s, o: bitwise_xor(o, s),
    __lshift__=bitwise_left_shift, __rshift__=bitwise_right_shift,
    __rlshift__=lambda s, o: bitwise_left_shift(o, s), __rrshift__=lambda s, o: bitwise_right_shift(o, s),
)
Tensor.__iand__ = Tensor.bitwise_and_
Tensor.__ior__ = Tensor.bitwise_or_
Tensor.__ixor__ = Tensor.bitwise_xor_
Tensor.__ilshift__ = Tensor.bitwise_left_shift_
Tensor.__irshift__ = Tensor.bitwise_right_shift_

__all__ += ["bitwise_left_shift", "bitwise_right_shift", "isnan", "isinf", "isfinite", "isposinf",
            "isneginf", "isreal", "signbit", "isclose", "allclose", "equal", "isin"]
