"""Elementwise ops: each forward on arrays, with its derivative in ember ops beside it.

Derivatives follow PyTorch's ``derivatives.yaml`` (the math, and so what is saved).

>>> import ember
>>> x = ember.tensor([1.0, 2.0], requires_grad=True)
>>> (x * 3 + 1).grad_fn
<AddBackward0 object at 0x...>
"""
from __future__ import annotations

from ._util import (D, M, Node, SavedTensor, Tensor, _wrap, binary, broadcast_error, commit_inplace,
                    methods, needs_grad, np, record)
from .._tensor import Tensor as _T  # noqa: F401

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow",
           "neg", "negative", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "abs",
           "absolute", "sqrt", "rsub"]


def _float_arr(t):
    """The tensor's array, cast to the default float dtype if it is integral (torch's rule for
    ops such as exp and sin)."""
    a = t._data
    if a.dtype.kind in "fc":
        return a
    return a.astype(D.get_default_dtype().np)


def _ufunc(fn, xa, xb, ta, tb):
    try:
        return fn(xa, xb)
    except ValueError:
        sa = ta._data.shape if ta is not None else ()
        sb = tb._data.shape if tb is not None else ()
        raise broadcast_error(sa, sb) from None


def _as_result(arr, dtype):
    """NumPy may return a scalar for 0-d inputs; keep arrays of the promoted dtype."""
    if arr.__class__ is not np.ndarray:
        return np.asarray(arr, dtype=dtype)
    return arr


# ------------------------------------------------------------------------------- add / sub
class AddBackward0(Node):
    """self: grad; other: grad * alpha."""

    __slots__ = ("alpha",)

    def backward(self, g):
        a = self.alpha
        return g, (g if a == 1 else g * a)


class SubBackward0(Node):
    """self: grad; other: -grad * alpha."""

    __slots__ = ("alpha",)

    def backward(self, g):
        a = self.alpha
        return g, (-g if a == 1 else g * -a)


class RsubBackward1(Node):
    """rsub(self, other) = other - alpha * self: self: -grad * alpha."""

    __slots__ = ("alpha",)

    def backward(self, g):
        return (-g if self.alpha == 1 else g * -self.alpha),


def add(input, other, *, alpha=1, out=None) -> Tensor:
    """``input + alpha * other`` with broadcasting and type promotion.

    >>> add(ember.tensor([1.0]), ember.tensor([2.0]), alpha=3)
    tensor([7.])
    """
    ta, tb, xa, xb, dt = binary(input, other)
    if alpha != 1:
        xb = xb * alpha
    r = _wrap(_as_result(_ufunc(np.add, xa, xb, ta, tb), dt))
    if needs_grad(ta, tb):
        record(AddBackward0, r, (ta, tb)).alpha = alpha
    return _out(r, out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``."""
    ta, tb, xa, xb, dt = binary(input, other)
    if dt.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.")
    if alpha != 1:
        xb = xb * alpha
    r = _wrap(_as_result(_ufunc(np.subtract, xa, xb, ta, tb), dt))
    if needs_grad(ta, tb):
        record(SubBackward0, r, (ta, tb)).alpha = alpha
    return _out(r, out)


subtract = sub


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input`` (what ``2 - x`` calls)."""
    ta, tb, xa, xb, dt = binary(input, other)
    r = _wrap(_as_result(np.subtract(xb, xa * alpha if alpha != 1 else xa), dt))
    if needs_grad(ta):
        record(RsubBackward1, r, (ta,)).alpha = alpha
    return r


# ------------------------------------------------------------------------------- mul / div
class MulBackward0(Node):
    """self: grad * other; other: grad * self (each saved only if the other needs it)."""

    __slots__ = ("self_", "other", "other_scalar")

    def backward(self, g):
        s, o = self.self_, self.other
        ga = g * (o.unpack() if o is not None else self.other_scalar) if self.next_functions[0][0] is not None else None
        gb = g * s.unpack() if s is not None else None
        return ga, gb


class DivBackward0(Node):
    """self: grad / other; other: -grad * self / (other * other)."""

    __slots__ = ("self_", "other", "other_scalar")

    def backward(self, g):
        o = self.other.unpack() if self.other is not None else self.other_scalar
        ga = g / o if self.next_functions[0][0] is not None else None
        gb = None
        if self.self_ is not None:
            gb = -g * self.self_.unpack() / (o * o)
        return ga, gb


def _save_pair(node, ta, tb, xb):
    # torch saves `other` for self's gradient and `self` for other's, only when needed
    node.other = SavedTensor(tb) if (ta is not None and ta._rg and tb is not None) else None
    node.other_scalar = xb if tb is None else None
    node.self_ = SavedTensor(ta) if (tb is not None and tb._rg and ta is not None) else None


def mul(input, other, *, out=None) -> Tensor:
    """Elementwise product with broadcasting.

    >>> mul(ember.tensor([2.0]), 3)
    tensor([6.])
    """
    ta, tb, xa, xb, dt = binary(input, other)
    if ta is None:  # a scalar times a tensor: keep the tensor first, as torch does
        return mul(other, input, out=out)
    r = _wrap(_as_result(_ufunc(np.multiply, xa, xb, ta, tb), dt))
    if needs_grad(ta, tb):
        _save_pair(record(MulBackward0, r, (ta, tb)), ta, tb, xb)
    return _out(r, out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:
    """True division (``rounding_mode=None``), or ``'trunc'`` / ``'floor'`` rounding."""
    ta, tb, xa, xb, dt = binary(input, other)
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
        if dt.kind in "iub":
            if tb is None and xb == 0 or tb is not None and (xb == 0).any():
                raise RuntimeError("ZeroDivisionError")
            q = np.floor_divide(xa, xb)
            if rounding_mode == "trunc":
                q = np.where((q < 0) & (np.remainder(xa, xb) != 0), q + 1, q)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                q = np.true_divide(xa, xb)
                q = np.trunc(q) if rounding_mode == "trunc" else np.floor_divide(xa, xb)
        r = _wrap(_as_result(q, dt).astype(dt, copy=False))
        if needs_grad(ta, tb):
            from .. import zeros_like
            record(_ZeroGrad, r, (ta, tb))
        return _out(r, out)
    if dt.kind in "iub":
        dt = D.get_default_dtype().np
        xa = xa.astype(dt) if ta is not None else xa
        xb = xb.astype(dt) if tb is not None else xb
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _wrap(_as_result(_ufunc(np.true_divide, xa, xb, ta, tb), dt))
    if needs_grad(ta, tb):
        if ta is None:
            raise NotImplementedError("div with a scalar numerator: use reciprocal")
        n = record(DivBackward0, r, (ta, tb))
        _save_pair(n, ta, tb, xb)
        if tb is not None:
            n.other = SavedTensor(tb)  # both gradients use other
    return _out(r, out)


divide = true_divide = div


class _ZeroGrad(Node):
    def apply(self, grads):
        g = grads[0]
        return tuple(None if f is None else g * 0 for f, _ in self.next_functions)


_ZeroGrad.__name__ = _ZeroGrad.__qualname__ = "DivBackward1"


def _rtruediv(self, other):
    # NOTE: torch computes ``2 / x`` as ``x.reciprocal() * 2``, so its node is MulBackward0.
    return mul(reciprocal(self), other)


# ------------------------------------------------------------------------------- pow
class PowBackward0(Node):
    """pow(self, exponent: scalar): grad * exponent * self ** (exponent - 1) (0 where exponent == 0)."""

    __slots__ = ("self_", "exponent")

    def backward(self, g):
        e = self.exponent
        if e == 0:
            return (g * 0,)
        x = self.self_.unpack()
        return (g * (x ** (e - 1) * e),)


class PowBackward1(Node):
    """pow(self, exponent: Tensor): self: grad * exponent * self ** (exponent - 1);
    exponent: grad * result * log(self), masked to 0 where self == 0 and exponent >= 0."""

    __slots__ = ("self_", "exponent", "result")

    def backward(self, g):
        x, e = self.self_.unpack(), self.exponent.unpack()
        ga = gb = None
        if self.next_functions[0][0] is not None:
            ga = g * e * x ** (e - 1)
            ga = where_(e == 0, ga * 0, ga)
        if self.next_functions[1][0] is not None:
            r = self.result.unpack(self)
            gb = where_((x == 0) & (e >= 0), g * 0, g * r * log(x))
        return ga, gb


class PowBackward2(Node):
    """pow(self: scalar, exponent: Tensor): grad * result * log(self)."""

    __slots__ = ("base", "result")

    def backward(self, g):
        b = self.base
        if b == 0:
            r = self.result.unpack(self)
            return (where_(r == 0, g * 0, g * r * float("-inf")),) if False else (g * 0,)
        import math
        return (g * self.result.unpack(self) * math.log(b),)


def where_(cond, a, b):
    return where(cond, a, b)


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001
    """``input ** exponent``; either may be a Python scalar.

    >>> pow(ember.tensor([2.0]), 3)
    tensor([8.])
    """
    ta, tb, xa, xb, dt = binary(input, exponent)
    if dt.kind in "iu" and tb is not None and (xb < 0).any() or dt.kind in "iu" and tb is None and xb < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if tb is None and xb == 2 and ta is not None:
            res = np.multiply(xa, xa)
        elif tb is None and xb == 0.5 and ta is not None:
            res = np.sqrt(xa)
        else:
            res = _ufunc(np.power, xa, xb, ta, tb)
    r = _wrap(_as_result(res, dt))
    if needs_grad(ta, tb):
        if tb is None:
            n = record(PowBackward0, r, (ta,))
            n.self_, n.exponent = SavedTensor(ta), exponent
        elif ta is None:
            n = record(PowBackward2, r, (tb,))
            n.base, n.result = input, SavedTensor(r, n)
        else:
            n = record(PowBackward1, r, (ta, tb))
            n.self_, n.exponent, n.result = SavedTensor(ta), SavedTensor(tb), SavedTensor(r, n)
    return _out(r, out)


# ------------------------------------------------------------------------------- unary ops
def _unary(np_fn, node_cls, save: str, name: str, doc: str, float_only: bool = True):
    """Make ``op(input)`` and ``op_(self)`` for a unary op; ``save`` is 'self', 'result' or ''."""

    def op(input, *, out=None):
        x = _float_arr(input) if float_only else input._data
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            r = _wrap(_as_result(np_fn(x), x.dtype))
        if needs_grad(input):
            n = record(node_cls, r, (input,))
            if save == "self":
                n.saved = SavedTensor(input)
            elif save == "result":
                n.saved = SavedTensor(r, n)
        return _out(r, out)

    def op_(self):
        self._check_inplace()
        x = self._data
        if float_only and x.dtype.kind not in "fc":
            raise RuntimeError(M.INPLACE_DTYPE.format(res="Float", out=_dtname(x.dtype)))
        saved_self = SavedTensor(self.clone()) if save == "self" and needs_grad(self) else None
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            res = np_fn(x)

        def _save(n):
            if save == "self":
                n.saved = saved_self
            elif save == "result":
                n.saved = SavedTensor(self, n)
        commit_inplace(self, res, node_cls, (self,), _save)
        return self

    op.__name__ = name
    op.__qualname__ = name
    op.__doc__ = doc
    op_.__name__ = name + "_"
    op_.__doc__ = f"In-place :func:`{name}`."
    return op, op_


def _dtname(d):
    from ._util import _type_name
    return _type_name(d)


class _Saved1(Node):
    __slots__ = ("saved",)

    def _x(self):
        return self.saved.unpack(self)


class NegBackward0(Node):
    def backward(self, g):
        return (-g,)


class ExpBackward0(_Saved1):
    def backward(self, g):  # grad * result
        return (g * self._x(),)


class LogBackward0(_Saved1):
    def backward(self, g):  # grad / self
        return (g / self._x(),)


class SinBackward0(_Saved1):
    def backward(self, g):  # grad * cos(self)
        return (g * cos(self._x()),)


class CosBackward0(_Saved1):
    def backward(self, g):  # grad * -sin(self)
        return (g * -sin(self._x()),)


class TanhBackward0(_Saved1):
    def backward(self, g):  # grad * (1 - result^2)
        r = self._x()
        return (g * (1 - r * r),)


class SigmoidBackward0(_Saved1):
    def backward(self, g):  # grad * result * (1 - result)
        r = self._x()
        return (g * (1 - r) * r,)


class ReluBackward0(_Saved1):
    def backward(self, g):  # grad where result > 0 (so 0 at the kink)
        r = self._x()
        return (g * (r > 0),)


class AbsBackward0(_Saved1):
    def backward(self, g):  # grad * sgn(self) (so 0 at 0)
        return (g * sign(self._x()),)


class SqrtBackward0(_Saved1):
    def backward(self, g):  # grad / (2 * result)
        return (g / (self._x() * 2),)


class ReciprocalBackward0(_Saved1):
    def backward(self, g):  # -grad * result * result
        r = self._x()
        return (-g * (r * r),)


class SignBackward0(Node):
    def backward(self, g):
        return (g * 0,)


def _sigmoid(x):
    # stable for large |x|: exp only of non-positive numbers
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


def _relu(x):
    return np.maximum(x, 0) if x.dtype.kind != "b" else x.copy()


neg, neg_ = _unary(np.negative, NegBackward0, "", "neg", "``-input``.", float_only=False)
exp, exp_ = _unary(np.exp, ExpBackward0, "result", "exp", "e to the power of each element.")
log, log_ = _unary(np.log, LogBackward0, "self", "log", "Natural logarithm.")
sin, sin_ = _unary(np.sin, SinBackward0, "self", "sin", "Sine.")
cos, cos_ = _unary(np.cos, CosBackward0, "self", "cos", "Cosine.")
tanh, tanh_ = _unary(np.tanh, TanhBackward0, "result", "tanh", "Hyperbolic tangent.")
sigmoid, sigmoid_ = _unary(_sigmoid, SigmoidBackward0, "result", "sigmoid", "Logistic sigmoid 1 / (1 + e^-x).")
relu, relu_ = _unary(_relu, ReluBackward0, "result", "relu", "max(input, 0).", float_only=False)
abs, abs_ = _unary(np.abs, AbsBackward0, "self", "abs", "Absolute value.", float_only=False)  # noqa: A001
sqrt, sqrt_ = _unary(np.sqrt, SqrtBackward0, "result", "sqrt", "Square root.")
reciprocal, reciprocal_ = _unary(np.reciprocal, ReciprocalBackward0, "result", "reciprocal", "1 / input.")
sign, sign_ = _unary(np.sign, SignBackward0, "", "sign", "Sign of each element (-1, 0, 1).", float_only=False)
negative = neg
absolute = abs
__all__ += ["reciprocal", "sign"]


def _out(r, out):
    """Honour ``out=``: write into the given tensor (resizing as torch does)."""
    if out is None:
        return r
    if needs_grad(r) or needs_grad(out):
        raise RuntimeError(f"{'add'}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.")
    if out._data.shape != r._data.shape:
        out._data = np.empty(r._data.shape, dtype=out._data.dtype)
    np.copyto(out._data, r._data, casting="unsafe")
    out._vc.v += 1
    return out


# ------------------------------------------------------------------------------- in-place binary
def _inplace_binary(self, other, fn, node_cls, setup=None, alpha=1):
    self._check_inplace()
    ta, tb, xa, xb, dt = binary(self, other)
    if not D.can_cast(D.from_np(dt), D.from_np(self._data.dtype)):
        raise RuntimeError(M.INPLACE_DTYPE.format(res=_dtname(dt), out=_dtname(self._data.dtype)))
    if alpha != 1:
        xb = xb * alpha
    res = fn(xa, xb)
    if res.__class__ is np.ndarray and res.shape != self._data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match the broadcast shape [{', '.join(map(str, res.shape))}]")
    pre = setup(ta, tb, xb) if (setup is not None and needs_grad(ta, tb)) else None
    commit_inplace(self, res, node_cls, (ta, tb), pre)
    return self


def _add_setup(alpha):
    def s(ta, tb, xb):
        def save(n):
            n.alpha = alpha
        return save
    return s


def add_(self, other, *, alpha=1):
    """In-place ``self += alpha * other``."""
    return _inplace_binary(self, other, np.add, AddBackward0, _add_setup(alpha), alpha)


def sub_(self, other, *, alpha=1):
    """In-place ``self -= alpha * other``."""
    return _inplace_binary(self, other, np.subtract, SubBackward0, _add_setup(alpha), alpha)


def _mul_setup(ta, tb, xb):
    # NOTE: torch keeps the original self for other's gradient (a copy taken before writing)
    orig = SavedTensor(ta.clone()) if tb is not None and tb._rg else None
    other = SavedTensor(tb) if (ta._rg and tb is not None) else None

    def save(n):
        n.self_, n.other, n.other_scalar = orig, other, (xb if tb is None else None)
    return save


def mul_(self, other):
    """In-place ``self *= other``."""
    return _inplace_binary(self, other, np.multiply, MulBackward0, _mul_setup)


def div_(self, other, *, rounding_mode=None):
    """In-place ``self /= other``."""
    if rounding_mode is not None:
        r = div(self, other, rounding_mode=rounding_mode)
        return self.copy_(r)
    if self._data.dtype.kind in "iub":
        raise RuntimeError(M.INPLACE_DTYPE.format(res="Float", out=_dtname(self._data.dtype)))
    return _inplace_binary(self, other, lambda a, b: np.true_divide(a, b), DivBackward0, _mul_setup)


def pow_(self, exponent):
    """In-place ``self **= exponent``."""
    r = pow(self, exponent)
    self._check_inplace()
    commit = commit_inplace
    if needs_grad(r):
        node = r.grad_fn
        commit(self, r._data)
        if self._base is not None:
            from ._util import _copy_slices
            _copy_slices(self, node)
        else:
            self.grad_fn, self._rg, self._output_nr = node, True, 0
    else:
        commit(self, r._data)
    return self


methods(
    add=add, sub=sub, subtract=sub, mul=mul, multiply=mul, div=div, divide=div, true_divide=div,
    pow=pow, neg=neg, negative=neg, exp=exp, log=log, sin=sin, cos=cos, tanh=tanh, sigmoid=sigmoid,
    relu=relu, abs=abs, absolute=abs, sqrt=sqrt, reciprocal=reciprocal, sign=sign,
    add_=add_, sub_=sub_, subtract_=sub_, mul_=mul_, multiply_=mul_, div_=div_, divide_=div_,
    true_divide_=div_, pow_=pow_, neg_=neg_, negative_=neg_, exp_=exp_, log_=log_, sin_=sin_,
    cos_=cos_, tanh_=tanh_, sigmoid_=sigmoid_, relu_=relu_, abs_=abs_, absolute_=abs_, sqrt_=sqrt_,
    reciprocal_=reciprocal_, sign_=sign_,
    __add__=add, __radd__=lambda self, o: add(self, o), __iadd__=add_,
    __sub__=sub, __rsub__=lambda self, o: rsub(self, o), __isub__=sub_,
    __mul__=mul, __rmul__=lambda self, o: mul(self, o), __imul__=mul_,
    __truediv__=div, __rtruediv__=_rtruediv, __itruediv__=div_,
    __pow__=pow, __rpow__=lambda self, o: pow(o, self), __ipow__=pow_,
    __neg__=neg, __abs__=abs, __pos__=lambda self: self,
)


# ------------------------------------------------------------------------------- where
class WhereBackward0(Node):
    """self: where(cond, grad, 0); other: where(cond, 0, grad)."""

    __slots__ = ("cond",)

    def backward(self, g):
        c = _wrap(self.cond)
        z = g * 0
        ga = where(c, g, z) if self.next_functions[0][0] is not None else None
        gb = where(c, z, g) if self.next_functions[1][0] is not None else None
        return ga, gb


def where(condition, input=None, other=None, *, out=None):
    """``input`` where ``condition`` holds, else ``other`` (either may be a scalar).

    With only ``condition``, the indices of its non-zero elements (as ``nonzero(as_tuple=True)``).
    """
    if input is None and other is None:
        return tuple(_wrap(i) for i in np.nonzero(condition._data))
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if c.dtype != np.bool_:
        if c.dtype == np.uint8:
            c = c.astype(bool)
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype {condition.dtype.name.capitalize() if hasattr(condition, 'dtype') else 'Float'}")
    ta, tb, xa, xb, dt = binary(input, other)
    try:
        r = _wrap(np.asarray(np.where(c, xa, xb), dtype=dt))
    except ValueError:
        raise broadcast_error(np.shape(xa), np.shape(xb)) from None
    if needs_grad(ta, tb):
        record(WhereBackward0, r, (ta, tb)).cond = c
    return r


methods(where=lambda self, condition, other: where(condition, self, other))
__all__ += ["where"]
