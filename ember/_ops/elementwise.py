"""Elementwise ops: each forward on arrays, with its derivative in ember ops beside it.

Derivatives follow PyTorch's ``derivatives.yaml`` (the math, and so what is saved).

>>> import ember
>>> x = ember.tensor([1.0, 2.0], requires_grad=True)
>>> (x * 3 + 1).grad_fn
<AddBackward0 object at 0x...>
"""
from __future__ import annotations

from ._util import (D, M, STATE, Node, SavedTensor, Tensor, _wrap, binary, broadcast_error, commit_inplace,
                    methods, needs_grad, np, record, set_inplace_grad_fn)
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
    except OverflowError:
        # NOTE: as torch, a Python int out of an integer dtype's range wraps (uint8 - 1 -> 255)
        dt = (ta if ta is not None else tb)._data.dtype
        xa = np.asarray(xa).astype(dt) if ta is None else xa
        xb = np.asarray(xb).astype(dt) if tb is None else xb
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


def _fast(ufunc, input, other, floating_only: bool = False):
    """The result array of ``ufunc(input, other)`` when no promotion is needed, else None.

    The common case of training code: an exact Tensor and either a Tensor of the same dtype or
    a Python float/int with a floating tensor (which keeps its dtype). Anything else, and any
    broadcasting error (for torch's message), goes to the general path.
    """
    if input.__class__ is not Tensor:
        return None
    xa = input._data
    oc = other.__class__
    if oc is Tensor:
        xb = other._data
        if xa.dtype is not xb.dtype or floating_only and xa.dtype.kind not in "fc":
            return None
    elif (oc is float or oc is int) and xa.dtype.kind in "fc":
        xb = other
    else:
        return None
    try:
        arr = ufunc(xa, xb)
    except ValueError:
        return None
    if arr.__class__ is not np.ndarray:  # 0-d inputs give a NumPy scalar
        arr = np.asarray(arr, xa.dtype)
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
    if out is None and alpha == 1:
        arr = _fast(np.add, input, other)
        if arr is not None:
            r = _wrap(arr)
            if STATE.grad_enabled and (input._rg or other.__class__ is Tensor and other._rg):
                record(AddBackward0, r, (input, other if other.__class__ is Tensor else None)).alpha = 1
            return r
    ta, tb, xa, xb, dt = binary(input, other)
    if alpha != 1:
        xb = xb * alpha
    r = _wrap(_as_result(_ufunc(np.add, xa, xb, ta, tb), dt))
    if needs_grad(ta, tb):
        record(AddBackward0, r, (ta, tb)).alpha = alpha
    return _out(r, out)


def sub(input, other, *, alpha=1, out=None) -> Tensor:
    """``input - alpha * other``."""
    if out is None and alpha == 1:
        arr = _fast(np.subtract, input, other, floating_only=True)
        if arr is not None:
            r = _wrap(arr)
            if STATE.grad_enabled and (input._rg or other.__class__ is Tensor and other._rg):
                record(SubBackward0, r, (input, other if other.__class__ is Tensor else None)).alpha = 1
            return r
    _check_sub_bool(input, other)
    ta, tb, xa, xb, dt = binary(input, other)
    if alpha != 1:
        xb = xb * alpha
    r = _wrap(_as_result(_ufunc(np.subtract, xa, xb, ta, tb), dt))
    if needs_grad(ta, tb):
        record(SubBackward0, r, (ta, tb)).alpha = alpha
    return _out(r, out)


subtract = sub


def _is_bool(x):
    return x._data.dtype.kind == "b" if isinstance(x, Tensor) else isinstance(x, (bool, np.bool_))


def _check_sub_bool(a, b):
    ba, bb = _is_bool(a), _is_bool(b)
    if ba and bb:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if ba or bb:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def rsub(input, other, *, alpha=1) -> Tensor:
    """``other - alpha * input`` (what ``2 - x`` calls)."""
    _check_sub_bool(other, input)
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
    if out is None:
        arr = _fast(np.multiply, input, other)
        if arr is not None:
            r = _wrap(arr)
            if STATE.grad_enabled and (input._rg or other.__class__ is Tensor and other._rg):
                tb = other if other.__class__ is Tensor else None
                _save_pair(record(MulBackward0, r, (input, tb)), input, tb, other)
            return r
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
            raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
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
    __slots__ = ()

    def apply(self, grads):
        g = grads[0]
        return tuple(None if f is None else g * 0 for f, _ in self.next_functions)


# NOTE: torch records DivBackward2 for a rounding division; its gradient is zero.
_ZeroGrad.__name__ = _ZeroGrad.__qualname__ = "DivBackward2"


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
            return (_zeros(g),)
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
            ga = where_(e == 0, _zeros(ga), ga)
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
    if dt.kind == "b" and ta is not None and tb is not None:
        raise NotImplementedError('"pow" not implemented for \'Bool\'')
    if dt.kind in "iu" and tb is None and xb < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if dt.kind in "iu" and tb is not None and (xb < 0).any():
            # NOTE: as torch, an integer to a negative power is 1 for base 1, +-1 for base -1, else 0
            neg = xb < 0
            pos = np.power(xa, np.where(neg, 0, xb))
            odd = np.remainder(xb, 2) == 1
            small = np.where(xa == 1, 1, np.where(xa == -1, np.where(odd, -1, 1), 0))
            res = np.where(neg, small, pos).astype(dt)
        elif tb is None and xb == 2 and ta is not None:
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
    __slots__ = ()

    def backward(self, g):
        return (-g,)


class ExpBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * result
        return (g * self._x(),)


class LogBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / self
        return (g / self._x(),)


class SinBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * cos(self)
        return (g * cos(self._x()),)


class CosBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * -sin(self)
        return (g * -sin(self._x()),)


class TanhBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * (1 - result^2)
        r = self._x()
        return (g * (1 - r * r),)


class SigmoidBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * result * (1 - result)
        r = self._x()
        return (g * (1 - r) * r,)


class ReluBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad where result > 0 (so 0 at the kink)
        r = self._x()
        return (g * (r > 0),)


class AbsBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * sgn(self) (so 0 at 0)
        return (g * sign(self._x()),)


class SqrtBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / (2 * result)
        return (g / (self._x() * 2),)


class ReciprocalBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # -grad * result * result
        r = self._x()
        return (-g * (r * r),)


class SignBackward0(Node):
    __slots__ = ()

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
sign, sign_ = _unary(lambda x: _np_sign(x), SignBackward0, "", "sign", "Sign of each element (-1, 0, 1).", float_only=False)
negative = neg
absolute = abs
__all__ += ["reciprocal", "sign"]


def _out(r, out, name: str = "add"):
    """Honour ``out=``: write into the given tensor (resizing as torch does)."""
    if out is None:
        return r
    if needs_grad(r) or needs_grad(out):
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.")
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
    res = _ufunc(fn, xa, xb, ta, tb)
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
    node = r.grad_fn if needs_grad(r) else None
    commit(self, r._data)
    if node is not None:
        set_inplace_grad_fn(self, node)
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


# ===================================================================================== part A
# The rest of the elementwise library: more unary math, rounding, clamping, binary math,
# and the in-place and operator forms.
import math as _math  # noqa: E402

from .._tensor import Tensor as _Tensor  # noqa: E402,F811

_LN2 = _math.log(2.0)
_LN10 = _math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / _math.sqrt(_math.pi)
_SQRT_PI_OVER_2 = _math.sqrt(_math.pi) / 2.0


def _zeros(g):
    """A zero gradient shaped as ``g`` (not recorded: its derivative is zero anyway)."""
    return _wrap(np.zeros_like(g._data))


def _bool_mask(arr):
    return _wrap(np.asarray(arr, dtype=bool))


# ----------------------------------------------------------------------------- erf family
_erf_scalar = np.frompyfunc(_math.erf, 1, 1)
_erfc_scalar = np.frompyfunc(_math.erfc, 1, 1)


def _np_erf(x):
    """erf to float64 precision (the C library's ``erf``, applied elementwise)."""
    return np.asarray(_erf_scalar(x.astype(np.float64)), dtype=np.float64).astype(x.dtype, copy=False)


def _np_erfc(x):
    """erfc to float64 precision, accurate in the tails (no ``1 - erf`` cancellation)."""
    return np.asarray(_erfc_scalar(x.astype(np.float64)), dtype=np.float64).astype(x.dtype, copy=False)


def _np_erfinv(y):
    """Inverse error function: a closed-form first guess refined by Halley steps on erf (or
    on erfc in the tails), accurate to float64 precision; +-inf at +-1, nan outside [-1, 1]."""
    y64 = y.astype(np.float64)
    z = np.abs(y64)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Winitzki's approximation (relative error ~2e-3) as the starting point
        a = 0.147
        ln = np.log1p(-z * z)
        t = 2.0 / (np.pi * a) + ln / 2.0
        x = np.sqrt(np.sqrt(t * t - ln / a) - t)
        inner = (z > 0) & (z < 1)
        x = np.where(inner, x, 0.0)
        tail = z > 0.5
        one_minus = 1.0 - z  # exact for z > 0.5
        for _ in range(4):
            xi = np.where(inner, x, 0.0)
            f = np.where(tail, one_minus - np.asarray(_erfc_scalar(xi), dtype=np.float64),
                         np.asarray(_erf_scalar(xi), dtype=np.float64) - z)
            d = _TWO_OVER_SQRT_PI * np.exp(-xi * xi)
            step = f / d
            # Halley: f'' / f' = -2x
            x = np.where(inner, xi - step / (1.0 + xi * step), 0.0)
        x = np.where(z == 1, np.inf, x)
        x = np.where(z > 1, np.nan, x)
        x = np.where(np.isnan(z), np.nan, x)
    return (np.sign(y64) * x).astype(y.dtype, copy=False)


# ----------------------------------------------------------------------------- unary nodes
class RsqrtBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # -0.5 * grad * result^3
        r = self._x()
        return (g * (r * r * r) * -0.5,)


class Log1PBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / (self + 1)
        return (g / (self._x() + 1),)


class Expm1Backward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * (result + 1)
        return (g * (self._x() + 1),)


class Exp2Backward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * result * ln 2
        return (g * (self._x() * _LN2),)


class Log2Backward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / (self * ln 2)
        return (g / (self._x() * _LN2),)


class Log10Backward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / (self * ln 10)
        return (g / (self._x() * _LN10),)


class TanBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * (1 + result^2)
        r = self._x()
        return (g * (r * r + 1),)


class AsinBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / sqrt(1 - self^2)
        x = self._x()
        return (g * rsqrt(1 - x * x),)


class AcosBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # -grad / sqrt(1 - self^2)
        x = self._x()
        return (-g * rsqrt(1 - x * x),)


class AtanBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / (1 + self^2)
        x = self._x()
        return (g / (x * x + 1),)


class SinhBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * cosh(self)
        return (g * cosh(self._x()),)


class CoshBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * sinh(self)
        return (g * sinh(self._x()),)


class AsinhBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / sqrt(self^2 + 1)
        x = self._x()
        return (g * rsqrt(x * x + 1),)


class AcoshBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / sqrt(self^2 - 1)
        x = self._x()
        return (g * rsqrt(x * x - 1),)


class AtanhBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad / (1 - self^2)
        x = self._x()
        return (g / (1 - x * x),)


class ErfBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * 2 / sqrt(pi) * exp(-self^2)
        x = self._x()
        return (g * (exp(-(x * x)) * _TWO_OVER_SQRT_PI),)


class ErfcBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # -grad * 2 / sqrt(pi) * exp(-self^2)
        x = self._x()
        return (g * (exp(-(x * x)) * -_TWO_OVER_SQRT_PI),)


class ErfinvBackward0(_Saved1):
    __slots__ = ()

    def backward(self, g):  # grad * sqrt(pi) / 2 * exp(erfinv(self)^2), erfinv(self) = result
        r = self._x()
        return (g * (exp(r * r) * _SQRT_PI_OVER_2),)


class _ZeroBackward(Node):
    """Piecewise-constant ops (floor, ceil, round, trunc, sign, sgn): zero gradient."""

    __slots__ = ()

    def backward(self, g):
        return (_zeros(g),)


class FloorBackward0(_ZeroBackward):
    __slots__ = ()


class CeilBackward0(_ZeroBackward):
    __slots__ = ()


class TruncBackward0(_ZeroBackward):
    __slots__ = ()


class RoundBackward0(_ZeroBackward):
    __slots__ = ()


class RoundBackward1(_ZeroBackward):
    __slots__ = ()


class SgnBackward0(_ZeroBackward):
    __slots__ = ()


class FracBackward0(Node):
    __slots__ = ()

    def backward(self, g):  # frac = self - trunc(self): grad passes
        return (g,)


def _np_rsqrt(x):
    return 1 / np.sqrt(x)


def _np_sign(x):
    if x.dtype.kind == "b":
        return x.copy()
    r = np.sign(x)
    # NOTE: torch's sign/sgn of nan is 0
    return np.where(np.isnan(r), 0, r).astype(x.dtype) if x.dtype.kind == "f" else r


def _np_frac(x):
    return x - np.trunc(x)


def _int_keep(np_fn):
    # floor/ceil/trunc/round of an integer tensor is a copy (same dtype)
    def f(x):
        return x.copy() if x.dtype.kind in "biu" else np_fn(x)
    return f


rsqrt, rsqrt_ = _unary(_np_rsqrt, RsqrtBackward0, "result", "rsqrt", "1 / sqrt(input).")
log1p, log1p_ = _unary(np.log1p, Log1PBackward0, "self", "log1p", "log(1 + input), accurate for small input.")
expm1, expm1_ = _unary(np.expm1, Expm1Backward0, "result", "expm1", "exp(input) - 1, accurate for small input.")
exp2, exp2_ = _unary(np.exp2, Exp2Backward0, "result", "exp2", "2 to the power of each element.")
log2, log2_ = _unary(np.log2, Log2Backward0, "self", "log2", "Base-2 logarithm.")
log10, log10_ = _unary(np.log10, Log10Backward0, "self", "log10", "Base-10 logarithm.")
tan, tan_ = _unary(np.tan, TanBackward0, "result", "tan", "Tangent.")
asin, asin_ = _unary(np.arcsin, AsinBackward0, "self", "asin", "Arcsine.")
acos, acos_ = _unary(np.arccos, AcosBackward0, "self", "acos", "Arccosine.")
atan, atan_ = _unary(np.arctan, AtanBackward0, "self", "atan", "Arctangent.")
sinh, sinh_ = _unary(np.sinh, SinhBackward0, "self", "sinh", "Hyperbolic sine.")
cosh, cosh_ = _unary(np.cosh, CoshBackward0, "self", "cosh", "Hyperbolic cosine.")
asinh, asinh_ = _unary(np.arcsinh, AsinhBackward0, "self", "asinh", "Inverse hyperbolic sine.")
acosh, acosh_ = _unary(np.arccosh, AcoshBackward0, "self", "acosh", "Inverse hyperbolic cosine.")
atanh, atanh_ = _unary(np.arctanh, AtanhBackward0, "self", "atanh", "Inverse hyperbolic tangent.")
erf, erf_ = _unary(_np_erf, ErfBackward0, "self", "erf", "The error function.")
erfc, erfc_ = _unary(_np_erfc, ErfcBackward0, "self", "erfc", "The complementary error function 1 - erf(input).")
erfinv, erfinv_ = _unary(_np_erfinv, ErfinvBackward0, "result", "erfinv", "The inverse error function.")
floor, floor_ = _unary(_int_keep(np.floor), FloorBackward0, "", "floor", "Round down.", float_only=False)
ceil, ceil_ = _unary(_int_keep(np.ceil), CeilBackward0, "", "ceil", "Round up.", float_only=False)
trunc, trunc_ = _unary(_int_keep(np.trunc), TruncBackward0, "", "trunc", "Round towards zero.", float_only=False)
sgn, sgn_ = _unary(_np_sign, SgnBackward0, "", "sgn", "Sign (for real input, as ``sign``).", float_only=False)
_frac, frac_ = _unary(_np_frac, FracBackward0, "", "frac", "Fractional part: input - trunc(input).", float_only=False)
fix, fix_ = trunc, trunc_
arcsin, arccos, arctan, arcsinh, arccosh, arctanh = asin, acos, atan, asinh, acosh, atanh
arcsin_, arccos_, arctan_, arcsinh_, arccosh_, arctanh_ = asin_, acos_, atan_, asinh_, acosh_, atanh_
_round0, _round0_ = _unary(_int_keep(np.round), RoundBackward0, "", "round", "Round half to even.", float_only=False)
_sign_unchecked = sign


def _not_for(name, dt_np, kinds="b"):
    """torch's error for a kernel that has no version for this dtype."""
    if dt_np.kind in kinds:
        from ._util import _type_name
        kernel = name if name.startswith("lerp_kernel") else name + "_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(dt_np)}\'')


def frac(input, *, out=None) -> Tensor:
    """Fractional part ``input - trunc(input)`` (floating tensors only).

    >>> frac(ember.tensor([1.5, -2.25]))
    tensor([ 0.5000, -0.2500])
    """
    _not_for("frac", input._data.dtype, "biu")
    return _frac(input, out=out)


def round(input, *, decimals: int = 0, out=None) -> Tensor:  # noqa: A001
    """Round to the nearest integer (half to even), or to ``decimals`` decimal places.

    >>> round(ember.tensor([0.5, 1.5, 2.567]), decimals=1)
    tensor([0.5000, 1.5000, 2.6000])
    """
    if decimals == 0:
        return _round0(input, out=out)
    x = input._data
    _not_for("round", x.dtype, "biu")
    # NOTE: as torch, scale, round half to even, and unscale (so 1.2345 -> 1.23 at decimals=2)
    with np.errstate(over="ignore", invalid="ignore"):
        if decimals > 0:
            s = x.dtype.type(10.0 ** decimals)
            res = np.round(x * s) / s
        else:
            s = x.dtype.type(10.0 ** -decimals)
            res = np.round(x / s) * s
    r = _wrap(_as_result(res, x.dtype))
    if needs_grad(input):
        record(RoundBackward1, r, (input,))
    return _out(r, out, "round")


def square(input, *, out=None) -> Tensor:
    """``input * input`` (recorded as ``pow(input, 2)``, as torch does).

    >>> square(ember.tensor([3.0]))
    tensor([9.])
    """
    if input._data.dtype.kind == "b":
        input = input.to(D.int64)
    return pow(input, 2, out=out)


def sign(input, *, out=None) -> Tensor:
    """Sign of each element (-1, 0 or 1; a bool tensor is returned as is).

    >>> sign(ember.tensor([-2.0, 0.0, 3.0]))
    tensor([-1.,  0.,  1.])
    """
    return _sign_unchecked(input, out=out)



def _check_neg(input):
    if input._data.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


_neg_unchecked, _neg_unchecked_ = neg, neg_
_abs_unchecked, _abs_unchecked_ = abs, abs_


def neg(input, *, out=None) -> Tensor:
    """``-input``.

    >>> neg(ember.tensor([1.0, -2.0]))
    tensor([-1.,  2.])
    """
    _check_neg(input)
    return _neg_unchecked(input, out=out)


def neg_(self) -> Tensor:
    """In-place :func:`neg`."""
    _check_neg(self)
    return _neg_unchecked_(self)


def abs(input, *, out=None) -> Tensor:  # noqa: A001
    """Absolute value (gradient ``sign(input)``, so 0 at 0).

    >>> abs(ember.tensor([-1.5, 2.0]))
    tensor([1.5000, 2.0000])
    """
    _not_for("abs", input._data.dtype)
    return _abs_unchecked(input, out=out)


def abs_(self) -> Tensor:
    """In-place :func:`abs`."""
    _not_for("abs", self._data.dtype)
    return _abs_unchecked_(self)


negative, negative_, absolute, absolute_ = neg, neg_, abs, abs_



# runnable examples for the unary ops made by _unary
_EXAMPLES = {
    "rsqrt": (0.5, "tensor([1.4142])"),
    "log1p": (0.5, "tensor([0.4055])"),
    "expm1": (0.5, "tensor([0.6487])"),
    "exp2": (0.5, "tensor([1.4142])"),
    "log2": (0.5, "tensor([-1.])"),
    "log10": (0.5, "tensor([-0.3010])"),
    "tan": (0.5, "tensor([0.5463])"),
    "asin": (0.5, "tensor([0.5236])"),
    "acos": (0.5, "tensor([1.0472])"),
    "atan": (0.5, "tensor([0.4636])"),
    "sinh": (0.5, "tensor([0.5211])"),
    "cosh": (0.5, "tensor([1.1276])"),
    "asinh": (0.5, "tensor([0.4812])"),
    "acosh": (1.5, "tensor([0.9624])"),
    "atanh": (0.5, "tensor([0.5493])"),
    "erf": (0.5, "tensor([0.5205])"),
    "erfc": (0.5, "tensor([0.4795])"),
    "erfinv": (0.5, "tensor([0.4769])"),
    "floor": (0.5, "tensor([0.])"),
    "ceil": (0.5, "tensor([1.])"),
    "trunc": (0.5, "tensor([0.])"),
    "sgn": (0.5, "tensor([1.])"),
}
for _ex_name, (_ex_in, _ex_out) in _EXAMPLES.items():
    _ex_fn = globals()[_ex_name]
    _ex_fn.__doc__ = f"{_ex_fn.__doc__}\n\n    >>> ember.{_ex_name}(ember.tensor([{_ex_in}]))\n    {_ex_out}\n    "
del _ex_name, _ex_in, _ex_out, _ex_fn

# ----------------------------------------------------------------------------- logit
class LogitBackward0(Node):
    """grad / (self * (1 - self)); outside [eps, 1 - eps] it is 0 (nan outside [0, 1] without eps)."""

    __slots__ = ("self_", "eps")

    def backward(self, g):
        x = self.self_.unpack()
        d = g / (x * (1 - x))
        if self.eps is None:
            bad = (x < 0) | (x > 1)
            return (where(bad, _wrap(np.full((), np.nan, dtype=d._data.dtype)), d),)
        bad = (x < self.eps) | (x > 1 - self.eps)
        return (where(bad, _zeros(d), d),)


def logit(input, eps=None, *, out=None) -> Tensor:
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``.

    >>> logit(ember.tensor([0.5, 0.75]))
    tensor([0.0000, 1.0986])
    """
    x = _float_arr(input)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.clip(x, eps, 1 - eps) if eps is not None else x
        r = _wrap(_as_result(np.log(z / (1 - z)), x.dtype))
    if needs_grad(input):
        n = record(LogitBackward0, r, (input,))
        n.self_, n.eps = SavedTensor(input), eps
    return _out(r, out, "logit")


# ----------------------------------------------------------------------------- in-place via out-of-place
def _inplace_via(self, fn, *args, **kwargs):
    """Run ``fn(self, *args)`` out of place and write the result into ``self``.

    When a graph is recorded, ``fn`` sees a private copy of ``self`` at the same place in the
    graph, so whatever it saves for backward is the value before the write (as torch saves
    ``original_self``).
    """
    self._check_inplace()
    tensors = [a for a in args if isinstance(a, _Tensor)] + [v for v in kwargs.values() if isinstance(v, _Tensor)]
    if needs_grad(self, *tensors):
        src = _wrap(self._data.copy(), self._rg)
        src.grad_fn, src._output_nr = self.grad_fn, self._output_nr
        if self.grad_fn is None and self._rg:
            src._acc = self._acc
        r = fn(src, *args, **kwargs)
    else:
        r = fn(self, *args, **kwargs)
    res = r._data
    if res.shape != self._data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self._data.shape))}] doesn't match "
                           f"the broadcast shape [{', '.join(map(str, res.shape))}]")
    node = r.grad_fn
    commit_inplace(self, res)
    if node is not None:
        set_inplace_grad_fn(self, node)
    return self


def _make_inplace(fn, name):
    def op_(self, *args, **kwargs):
        return _inplace_via(self, fn, *args, **kwargs)
    op_.__name__ = op_.__qualname__ = name
    op_.__doc__ = f"In-place :func:`{name[:-1]}`."
    return op_


frac_ = _make_inplace(frac, "frac_")
round_ = _make_inplace(round, "round_")
square_ = _make_inplace(square, "square_")
logit_ = _make_inplace(logit, "logit_")


# ----------------------------------------------------------------------------- clamp
class ClampBackward1(Node):
    """clamp(self, min: scalar, max: scalar): grad where min <= self <= max (bounds included)."""

    __slots__ = ("self_", "min", "max")

    def backward(self, g):
        x = self.self_.unpack()
        mask = None
        if self.min is not None:
            mask = x >= self.min
        if self.max is not None:
            m2 = x <= self.max
            mask = m2 if mask is None else mask & m2
        return (where(mask, g, _zeros(g)),)


class ClampBackward0(Node):
    """clamp(self, min: Tensor, max: Tensor): the gradient goes to whichever operand the
    result came from (self on ties with a bound; max when min > max)."""

    __slots__ = ("self_", "min", "max")

    def backward(self, g):
        x = self.self_.unpack()
        lo = self.min.unpack() if self.min is not None else None
        hi = self.max.unpack() if self.max is not None else None
        z = _zeros(g)
        if lo is not None and hi is not None:
            # NOTE: torch's masks: when min == max and self is outside, no operand gets the gradient
            keep = (x >= lo) & (x <= hi)
            from_lo = (x < lo) & (lo < hi)
            from_hi = (x > hi) | (hi < lo)
        elif lo is not None:
            keep, from_lo, from_hi = x >= lo, x < lo, None
        else:
            keep, from_lo, from_hi = x <= hi, None, x > hi
        gx = where(keep, g, z) if self.next_functions[0][0] is not None else None
        glo = where(from_lo, g, z) if self.next_functions[1][0] is not None else None
        ghi = where(from_hi, g, z) if self.next_functions[2][0] is not None else None
        return gx, glo, ghi


class ClampMinBackward0(Node):
    __slots__ = ("self_", "min")

    def backward(self, g):  # grad where self >= min
        return (where(self.self_.unpack() >= self.min, g, _zeros(g)),)


class ClampMaxBackward0(Node):
    __slots__ = ("self_", "max")

    def backward(self, g):  # grad where self <= max
        return (where(self.self_.unpack() <= self.max, g, _zeros(g)),)


class ClampMinBackward1(Node):
    __slots__ = ("self_", "min")

    def backward(self, g):  # self: where self >= min; min: the rest
        keep = self.self_.unpack() >= self.min.unpack()
        z = _zeros(g)
        return (where(keep, g, z) if self.next_functions[0][0] is not None else None,
                where(keep, z, g) if self.next_functions[1][0] is not None else None)


class ClampMaxBackward1(Node):
    __slots__ = ("self_", "max")

    def backward(self, g):  # self: where self <= max; max: the rest
        keep = self.self_.unpack() <= self.max.unpack()
        z = _zeros(g)
        return (where(keep, g, z) if self.next_functions[0][0] is not None else None,
                where(keep, z, g) if self.next_functions[1][0] is not None else None)


def _clamp_dtype(input, *bounds):
    return D.result_type(input, *[b for b in bounds if b is not None]).np


def clamp(input, min=None, max=None, *, out=None) -> Tensor:  # noqa: A002
    """Limit each element to ``[min, max]`` (either bound may be None, a number or a tensor).

    >>> clamp(ember.tensor([-1.0, 0.5, 2.0]), 0, 1)
    tensor([0.0000, 0.5000, 1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    tensor_bounds = all(b is None or isinstance(b, _Tensor) for b in (min, max))
    if not tensor_bounds:
        # NOTE: as torch's argument parser: a mix of a number and a tensor picks the scalar overload
        min = min.item() if isinstance(min, _Tensor) else min
        max = max.item() if isinstance(max, _Tensor) else max
    dt = _clamp_dtype(input, min, max)
    x = input._data.astype(dt, copy=False)
    lo = None if min is None else (min._data.astype(dt, copy=False) if tensor_bounds else min)
    hi = None if max is None else (max._data.astype(dt, copy=False) if tensor_bounds else max)
    try:
        res = x
        if lo is not None:
            res = np.maximum(res, lo) if not (isinstance(lo, float) and lo != lo) else np.full_like(res, np.nan)
        if hi is not None:
            res = np.minimum(res, hi) if not (isinstance(hi, float) and hi != hi) else np.full_like(res, np.nan)
    except ValueError:
        raise broadcast_error(x.shape, np.shape(lo if lo is not None else hi)) from None
    if res is x:
        res = x.copy()
    r = _wrap(_as_result(res, dt).astype(dt, copy=False))
    if tensor_bounds:
        if needs_grad(input, min, max):
            n = record(ClampBackward0, r, (input, min, max))
            n.self_ = SavedTensor(input)
            n.min = SavedTensor(min) if min is not None else None
            n.max = SavedTensor(max) if max is not None else None
    elif needs_grad(input):
        n = record(ClampBackward1, r, (input,))
        n.self_, n.min, n.max = SavedTensor(input), min, max
    return _out(r, out, "clamp")


def clamp_min(input, min, *, out=None) -> Tensor:  # noqa: A002
    """``max(input, min)`` elementwise (``min`` a number or a tensor).

    >>> clamp_min(ember.tensor([-1.0, 2.0]), 0)
    tensor([0., 2.])
    """
    dt = _clamp_dtype(input, min)
    x = input._data.astype(dt, copy=False)
    isT = isinstance(min, _Tensor)
    lo = min._data.astype(dt, copy=False) if isT else min
    try:
        res = np.maximum(x, lo)
    except ValueError:
        raise broadcast_error(x.shape, lo.shape) from None
    r = _wrap(_as_result(res, dt))
    if isT:
        if needs_grad(input, min):
            n = record(ClampMinBackward1, r, (input, min))
            n.self_, n.min = SavedTensor(input), SavedTensor(min)
    elif needs_grad(input):
        n = record(ClampMinBackward0, r, (input,))
        n.self_, n.min = SavedTensor(input), min
    return _out(r, out, "clamp_min")


def clamp_max(input, max, *, out=None) -> Tensor:  # noqa: A002
    """``min(input, max)`` elementwise (``max`` a number or a tensor).

    >>> clamp_max(ember.tensor([-1.0, 2.0]), 0)
    tensor([-1.,  0.])
    """
    dt = _clamp_dtype(input, max)
    x = input._data.astype(dt, copy=False)
    isT = isinstance(max, _Tensor)
    hi = max._data.astype(dt, copy=False) if isT else max
    try:
        res = np.minimum(x, hi)
    except ValueError:
        raise broadcast_error(x.shape, hi.shape) from None
    r = _wrap(_as_result(res, dt))
    if isT:
        if needs_grad(input, max):
            n = record(ClampMaxBackward1, r, (input, max))
            n.self_, n.max = SavedTensor(input), SavedTensor(max)
    elif needs_grad(input):
        n = record(ClampMaxBackward0, r, (input,))
        n.self_, n.max = SavedTensor(input), max
    return _out(r, out, "clamp_max")


def _clamp_inplace(fn, name):
    def op_(self, *bounds, **kw):
        vals = list(bounds) + list(kw.values())
        if vals and not _builtin_all_tensors(vals):
            dt = _clamp_dtype(self, *[v.item() if isinstance(v, _Tensor) else v for v in vals])
            if not D.can_cast(D.from_np(dt), D.from_np(self._data.dtype)):
                # NOTE: torch's scalar-bound clamp_ names the C++ type here ("long int")
                raise RuntimeError(M.INPLACE_DTYPE.format(res=_dtname(dt), out=_short_dt(self._data.dtype)))
        return _inplace_via(self, fn, *bounds, **kw)
    op_.__name__ = op_.__qualname__ = name
    op_.__doc__ = f"In-place :func:`{name[:-1]}`."
    return op_


def _builtin_all_tensors(vals):
    for v in vals:
        if v is not None and not isinstance(v, _Tensor):
            return False
    return True


clip = clamp
clamp_ = _clamp_inplace(clamp, "clamp_")
clip_ = clamp_
clamp_min_ = _clamp_inplace(clamp_min, "clamp_min_")
clamp_max_ = _clamp_inplace(clamp_max, "clamp_max_")


# ----------------------------------------------------------------------------- maximum / minimum / fmax / fmin
def _tensor_other(name, other, pos=2, argname="other"):
    if not isinstance(other, _Tensor):
        raise TypeError(f"{name}(): argument '{argname}' (position {pos}) must be Tensor, not {type(other).__name__}")


class MaximumBackward0(Node):
    """Ties split the gradient evenly between self and other."""

    __slots__ = ("self_", "other")

    def backward(self, g):
        return _minmax_grads(self, g, greater=True)


class MinimumBackward0(Node):
    __slots__ = ("self_", "other")

    def backward(self, g):
        return _minmax_grads(self, g, greater=False)


def _minmax_grads(node, g, greater):
    # NOTE: as torch, at a tie each operand gets half the gradient
    a, b = node.self_.unpack(), node.other.unpack()
    z = _zeros(g)
    half = where(a == b, g / 2, g)
    ga = gb = None
    if node.next_functions[0][0] is not None:
        ga = where((a < b) if greater else (a > b), z, half)
    if node.next_functions[1][0] is not None:
        gb = where((a > b) if greater else (a < b), z, half)
    return ga, gb


class FmaxBackward0(Node):
    """self gets the gradient where self >= other or other is nan; other gets the rest."""

    __slots__ = ("self_", "other")

    def backward(self, g):
        return _fminmax_grads(self, g, greater=True)


class FminBackward0(Node):
    __slots__ = ("self_", "other")

    def backward(self, g):
        return _fminmax_grads(self, g, greater=False)


def _fminmax_grads(node, g, greater):
    a, b = node.self_.unpack(), node.other.unpack()
    from .comparison import isnan
    to_self = ((a >= b) if greater else (a <= b)) | isnan(b)
    z = _zeros(g)
    ga = where(to_self, g, z) if node.next_functions[0][0] is not None else None
    gb = where(to_self, z, g) if node.next_functions[1][0] is not None else None
    return ga, gb


def _binary_node_op(np_fn, node_cls, name, doc):
    def op(input, other, *, out=None) -> Tensor:
        _tensor_other(name, other)
        ta, tb, xa, xb, dt = binary(input, other)
        r = _wrap(_as_result(_ufunc(np_fn, xa, xb, ta, tb), dt))
        if needs_grad(ta, tb):
            n = record(node_cls, r, (ta, tb))
            n.self_, n.other = SavedTensor(ta), SavedTensor(tb)
        return _out(r, out, name)
    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


maximum = _binary_node_op(np.maximum, MaximumBackward0, "maximum", """Elementwise maximum (nan propagates).

    >>> maximum(ember.tensor([1.0, 4.0]), ember.tensor([3.0, 2.0]))
    tensor([3., 4.])
    """)
minimum = _binary_node_op(np.minimum, MinimumBackward0, "minimum", """Elementwise minimum (nan propagates).

    >>> minimum(ember.tensor([1.0, 4.0]), ember.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """)
fmax = _binary_node_op(np.fmax, FmaxBackward0, "fmax", """Elementwise maximum ignoring nan.

    >>> fmax(ember.tensor([1.0, float('nan')]), ember.tensor([3.0, 2.0]))
    tensor([3., 2.])
    """)
fmin = _binary_node_op(np.fmin, FminBackward0, "fmin", """Elementwise minimum ignoring nan.

    >>> fmin(ember.tensor([1.0, float('nan')]), ember.tensor([3.0, 2.0]))
    tensor([1., 2.])
    """)


# ----------------------------------------------------------------------------- atan2 / hypot
class Atan2Backward0(Node):
    """self: grad * other / (self^2 + other^2); other: -grad * self / (self^2 + other^2)."""

    __slots__ = ("self_", "other")

    def backward(self, g):
        a, b = self.self_.unpack(), self.other.unpack()
        den = a * a + b * b
        # NOTE: torch gives 0 (not nan) at the origin
        d = where(den == 0, _zeros(g), g / den)
        return (d * b if self.next_functions[0][0] is not None else None,
                d * -a if self.next_functions[1][0] is not None else None)


class HypotBackward0(Node):
    """self: grad * self / result; other: grad * other / result."""

    __slots__ = ("self_", "other", "result")

    def backward(self, g):
        r = self.result.unpack(self)
        d = g / r
        return (d * self.self_.unpack() if self.next_functions[0][0] is not None else None,
                d * self.other.unpack() if self.next_functions[1][0] is not None else None)


def _float_binary(input, other):
    ta, tb, xa, xb, dt = binary(input, other)
    if dt.kind in "biu":
        dt = D.get_default_dtype().np
        xa = xa.astype(dt) if ta is not None else xa
        xb = xb.astype(dt) if tb is not None else xb
    return ta, tb, xa, xb, dt


def atan2(input, other, *, out=None) -> Tensor:
    """Elementwise ``atan(input / other)`` in the right quadrant.

    >>> atan2(ember.tensor([1.0]), ember.tensor([-1.0]))
    tensor([2.3562])
    """
    _tensor_other("atan2", other)
    ta, tb, xa, xb, dt = _float_binary(input, other)
    r = _wrap(_as_result(_ufunc(np.arctan2, xa, xb, ta, tb), dt))
    if needs_grad(ta, tb):
        n = record(Atan2Backward0, r, (ta, tb))
        n.self_, n.other = SavedTensor(ta), SavedTensor(tb)
    return _out(r, out, "atan2")


arctan2 = atan2


def hypot(input, other, *, out=None) -> Tensor:
    """Elementwise ``sqrt(input^2 + other^2)`` (floating tensors).

    >>> hypot(ember.tensor([3.0]), ember.tensor([4.0]))
    tensor([5.])
    """
    _tensor_other("hypot", other)
    ta, tb, xa, xb, dt = binary(input, other)
    _not_for("hypot", dt, "biu")
    r = _wrap(_as_result(_ufunc(np.hypot, xa, xb, ta, tb), dt))
    if needs_grad(ta, tb):
        n = record(HypotBackward0, r, (ta, tb))
        n.self_, n.other, n.result = SavedTensor(ta), SavedTensor(tb), SavedTensor(r, n)
    return _out(r, out, "hypot")


atan2_ = _make_inplace(atan2, "atan2_")
arctan2_ = atan2_
hypot_ = _make_inplace(hypot, "hypot_")


# ----------------------------------------------------------------------------- remainder / fmod / floor_divide
class RemainderBackward0(Node):
    __slots__ = ()

    def backward(self, g):  # remainder(self, scalar): grad
        return (g,)


class FmodBackward0(RemainderBackward0):
    __slots__ = ()


class RemainderBackward1(Node):
    """self: grad; other: -grad * floor(self / other)."""

    __slots__ = ("self_", "other")

    def backward(self, g):
        gb = None
        if self.next_functions[1][0] is not None:
            gb = -g * div(self.self_.unpack(), self.other.unpack(), rounding_mode="floor")
        return (g if self.next_functions[0][0] is not None else None), gb


class FmodBackward1(Node):
    """self: grad; other: -grad * trunc(self / other)."""

    __slots__ = ("self_", "other")

    def backward(self, g):
        gb = None
        if self.next_functions[1][0] is not None:
            gb = -g * div(self.self_.unpack(), self.other.unpack(), rounding_mode="trunc")
        return (g if self.next_functions[0][0] is not None else None), gb


class _NotImplementedBackward(Node):
    """What torch records for ops without a derivative: backward raises."""

    __slots__ = ("op",)

    def apply(self, grads):
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")


_NotImplementedBackward.__name__ = _NotImplementedBackward.__qualname__ = "NotImplemented"


def _int_zero_check(dt, tb, xb, kernel="", ta=None):
    if dt.kind == "b" and kernel and ta is not None and tb is not None:
        raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'Bool\'')
    if dt.kind in "iub":
        if (tb is None and xb == 0) or (tb is not None and (xb == 0).any()):
            raise RuntimeError("ZeroDivisionError")


def _np_remainder(xa, xb):
    return np.remainder(xa, xb)


def remainder(input, other, *, out=None) -> Tensor:
    """Python-style modulus: the result has the sign of ``other``.

    >>> remainder(ember.tensor([5.0, -5.0]), 3)
    tensor([2., 1.])
    """
    ta, tb, xa, xb, dt = binary(input, other)
    _int_zero_check(dt, tb, xb, "remainder", ta)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _wrap(_as_result(_ufunc(np.remainder, xa, xb, ta, tb), dt))
    if ta is None:
        if needs_grad(tb):
            # NOTE: torch has no derivative for remainder(Scalar, Tensor)
            record(_NotImplementedBackward, r, (tb,)).op = "remainder"
    elif needs_grad(ta, tb):
        if tb is None:
            record(RemainderBackward0, r, (ta,))
        else:
            n = record(RemainderBackward1, r, (ta, tb))
            n.self_, n.other = SavedTensor(ta), SavedTensor(tb)
    return _out(r, out, "remainder")


def fmod(input, other, *, out=None) -> Tensor:
    """C-style modulus: the result has the sign of ``input``.

    >>> fmod(ember.tensor([5.0, -5.0]), 3)
    tensor([ 2., -2.])
    """
    ta, tb, xa, xb, dt = binary(input, other)
    _int_zero_check(dt, tb, xb, "fmod", ta)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _wrap(_as_result(_ufunc(np.fmod, xa, xb, ta, tb), dt))
    if needs_grad(ta, tb):
        if tb is None:
            record(FmodBackward0, r, (ta,))
        else:
            n = record(FmodBackward1, r, (ta, tb))
            n.self_, n.other = SavedTensor(ta), SavedTensor(tb)
    return _out(r, out, "fmod")


def floor_divide(input, other, *, out=None) -> Tensor:
    """``floor(input / other)`` (no derivative, as torch).

    >>> floor_divide(ember.tensor([5.0, -5.0]), 2)
    tensor([ 2., -3.])
    """
    ta, tb, xa, xb, dt = binary(input, other)
    _int_zero_check(dt, tb, xb, "div_floor", ta)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = _ufunc(np.floor_divide, xa, xb, ta, tb)
    r = _wrap(_as_result(q, dt).astype(dt, copy=False))
    if needs_grad(ta, tb):
        # NOTE: torch records a node named NotImplemented whose backward raises
        record(_NotImplementedBackward, r, (ta, tb)).op = "floor_divide"
    return _out(r, out, "floor_divide")


remainder_ = _make_inplace(remainder, "remainder_")
fmod_ = _make_inplace(fmod, "fmod_")
floor_divide_ = _make_inplace(floor_divide, "floor_divide_")


# ----------------------------------------------------------------------------- lerp / addcmul / addcdiv
class LerpBackward0(Node):
    """lerp(self, end, weight: scalar): self: grad * (1 - weight); end: grad * weight."""

    __slots__ = ("weight",)

    def backward(self, g):
        w = self.weight
        return (g * (1 - w) if self.next_functions[0][0] is not None else None,
                g * w if self.next_functions[1][0] is not None else None)


class LerpBackward1(Node):
    """lerp(self, end, weight: Tensor): weight also gets grad * (end - self)."""

    __slots__ = ("self_", "end", "weight")

    def backward(self, g):
        w = self.weight.unpack()
        gs = g * (1 - w) if self.next_functions[0][0] is not None else None
        ge = g * w if self.next_functions[1][0] is not None else None
        gw = None
        if self.next_functions[2][0] is not None:
            gw = g * (self.end.unpack() - self.self_.unpack())
        return gs, ge, gw


def _same_dtype(name, arg, t, ref):
    if t._data.dtype != ref._data.dtype:
        raise RuntimeError(f"expected dtype {_short_dt(ref._data.dtype)} for `{arg}` but got dtype {_short_dt(t._data.dtype)}")


_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "bfloat16": "c10::BFloat16",
              "int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
              "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
              "complex128": "c10::complex<double>"}


def _short_dt(npd):
    """The C++ type name torch's dtype-check messages use (float, double, long int, ...)."""
    return _CPP_NAMES.get(np.dtype(npd).name, np.dtype(npd).name)


def lerp(input, end, weight, *, out=None) -> Tensor:
    """``input + weight * (end - input)`` (``weight`` a number or a tensor).

    >>> lerp(ember.tensor([0.0, 1.0]), ember.tensor([10.0, 3.0]), 0.5)
    tensor([5., 2.])
    """
    _same_dtype("lerp", "end", end, input)
    wt = isinstance(weight, _Tensor)
    if wt:
        _same_dtype("lerp", "weight", weight, input)
    _not_for("lerp_kernel_tensor" if wt else "lerp_kernel_scalar", input._data.dtype, "biu")
    x, e = input._data, end._data
    w = weight._data if wt else weight
    # NOTE: torch's two-sided formula (exact at weight 0 and 1)
    try:
        diff = e - x
        res = np.where(np.abs(w) < 0.5, x + w * diff, e - diff * (1 - w))
    except ValueError:
        raise broadcast_error(x.shape, e.shape) from None
    r = _wrap(_as_result(res, x.dtype).astype(x.dtype, copy=False))
    if wt:
        if needs_grad(input, end, weight):
            n = record(LerpBackward1, r, (input, end, weight))
            n.self_, n.end, n.weight = SavedTensor(input), SavedTensor(end), SavedTensor(weight)
    elif needs_grad(input, end):
        record(LerpBackward0, r, (input, end)).weight = weight
    return _out(r, out, "lerp")


class AddcmulBackward0(Node):
    """self: grad; tensor1: grad * tensor2 * value; tensor2: grad * tensor1 * value."""

    __slots__ = ("t1", "t2", "value")

    def backward(self, g):
        v = self.value
        g1 = g * self.t2.unpack() * v if self.next_functions[1][0] is not None else None
        g2 = g * self.t1.unpack() * v if self.next_functions[2][0] is not None else None
        return (g if self.next_functions[0][0] is not None else None), g1, g2


class AddcdivBackward0(Node):
    """self: grad; tensor1: grad * value / tensor2; tensor2: -grad * value * tensor1 / tensor2^2."""

    __slots__ = ("t1", "t2", "value")

    def backward(self, g):
        v = self.value
        t2 = self.t2.unpack()
        g1 = g * v / t2 if self.next_functions[1][0] is not None else None
        g2 = -g * v * self.t1.unpack() / (t2 * t2) if self.next_functions[2][0] is not None else None
        return (g if self.next_functions[0][0] is not None else None), g1, g2


def _promote3(a, b, c):
    dt = D.promote_types(D.promote_types(a.dtype, b.dtype), c.dtype)
    npd = D.to_np(dt)
    return [t._data.astype(npd, copy=False) for t in (a, b, c)], npd


def addcmul(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2``.

    >>> addcmul(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([3.0]), value=0.5)
    tensor([4.])
    """
    (x, a, b), dt = _promote3(input, tensor1, tensor2)
    try:
        res = x + value * (a * b) if value != 1 else x + a * b
    except ValueError:
        raise broadcast_error(x.shape, np.broadcast_shapes(a.shape, b.shape) if a.ndim == b.ndim else b.shape) from None
    r = _wrap(_as_result(res, dt).astype(dt, copy=False))
    if needs_grad(input, tensor1, tensor2):
        n = record(AddcmulBackward0, r, (input, tensor1, tensor2))
        n.t1 = SavedTensor(tensor1) if tensor2._rg else None
        n.t2 = SavedTensor(tensor2) if tensor1._rg else None
        n.value = value
    return _out(r, out, "addcmul")


def addcdiv(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2``.

    >>> addcdiv(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([4.0]), value=2)
    tensor([2.])
    """
    if tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
            "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
            "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
            "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
            "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all dtypes.")
    (x, a, b), dt = _promote3(input, tensor1, tensor2)
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            res = x + value * (a / b) if value != 1 else x + a / b
        except ValueError:
            raise broadcast_error(x.shape, b.shape) from None
    r = _wrap(_as_result(res, dt).astype(dt, copy=False))
    if needs_grad(input, tensor1, tensor2):
        n = record(AddcdivBackward0, r, (input, tensor1, tensor2))
        n.t1 = SavedTensor(tensor1) if tensor2._rg else None
        n.t2 = SavedTensor(tensor2)
        n.value = value
    return _out(r, out, "addcdiv")


lerp_ = _make_inplace(lerp, "lerp_")
addcmul_ = _make_inplace(addcmul, "addcmul_")
addcdiv_ = _make_inplace(addcdiv, "addcdiv_")


# ----------------------------------------------------------------------------- masked_fill / nan_to_num / xlogy
class MaskedFillBackward0(Node):
    """masked_fill(self, mask, value: scalar): self: grad with the masked places zeroed."""

    __slots__ = ("mask",)

    def backward(self, g):
        return (where(_bool_mask(self.mask), _zeros(g), g),)


class MaskedFillBackward1(Node):
    """masked_fill(self, mask, value: Tensor): value also gets the sum of grad over the mask."""

    __slots__ = ("mask",)

    def backward(self, g):
        m = _bool_mask(self.mask)
        z = _zeros(g)
        gs = where(m, z, g) if self.next_functions[0][0] is not None else None
        gv = where(m, g, z).sum() if self.next_functions[1][0] is not None else None
        return gs, gv


def _check_mask(mask, value):
    if mask._data.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {_short_dt(mask._data.dtype)}")
    if isinstance(value, _Tensor) and value._data.ndim != 0:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value._data.ndim} dimension(s).")


def masked_fill(input, mask, value) -> Tensor:
    """``value`` where ``mask`` is True, else ``input`` (mask broadcasts; value a number or a 0-d tensor).

    >>> masked_fill(ember.tensor([1.0, 2.0]), ember.tensor([True, False]), 0.0)
    tensor([0., 2.])
    """
    _check_mask(mask, value)
    x, m = input._data, mask._data
    vt = isinstance(value, _Tensor)
    v = value._data if vt else value
    try:
        res = np.where(m, np.asarray(v).astype(x.dtype) if x.dtype.kind != "b" or vt else bool(v), x)
    except ValueError:
        raise broadcast_error(m.shape, x.shape) from None
    r = _wrap(res.astype(x.dtype, copy=False))
    if vt:
        if needs_grad(input, value):
            record(MaskedFillBackward1, r, (input, value)).mask = m
    elif needs_grad(input):
        record(MaskedFillBackward0, r, (input,)).mask = m
    return r


def masked_fill_(self, mask, value) -> Tensor:
    """In-place :func:`masked_fill` (``mask`` must broadcast to ``self``'s shape)."""
    _check_mask(mask, value)
    return _inplace_via(self, masked_fill, mask, value)


class NanToNumBackward0(Node):
    __slots__ = ("self_",)

    def backward(self, g):  # grad where self is finite
        from .comparison import isfinite
        return (where(isfinite(self.self_.unpack()), g, _zeros(g)),)


def nan_to_num(input, nan: float = 0.0, posinf=None, neginf=None, *, out=None) -> Tensor:
    """Replace nan, +inf and -inf (by default with 0 and the dtype's largest and lowest values).

    >>> nan_to_num(ember.tensor([float('nan'), 1.0]))
    tensor([0., 1.])
    """
    x = input._data
    if x.dtype.kind not in "fc":
        r = _wrap(x.copy())
    else:
        r = _wrap(np.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf))
        if needs_grad(input):
            record(NanToNumBackward0, r, (input,)).self_ = SavedTensor(input)
    return _out(r, out, "nan_to_num")


nan_to_num_ = _make_inplace(nan_to_num, "nan_to_num_")


def _xlogy_self_grad(g, x, y):
    """grad * log(other), zeroed where self == 0 and other <= 0 (as torch)."""
    zero = _wrap(np.zeros((), dtype=g._data.dtype))
    y_t = y if isinstance(y, _Tensor) else _wrap(np.asarray(y, dtype=g._data.dtype))
    return where((x == 0) & (y_t <= 0), zero, g * log(y_t))


class XlogyBackward0(Node):
    """self: grad * log(other) (0 where self == 0 and other <= 0); other: grad * self / other."""

    __slots__ = ("self_", "other")

    def backward(self, g):
        x, y = self.self_.unpack(), self.other.unpack()
        gx = _xlogy_self_grad(g, x, y) if self.next_functions[0][0] is not None else None
        gy = g * x / y if self.next_functions[1][0] is not None else None
        return gx, gy


class XlogyBackward1(Node):
    """xlogy(self: scalar, other): other: grad * self / other."""

    __slots__ = ("self_scalar", "other")

    def backward(self, g):
        return (g * self.self_scalar / self.other.unpack(),)


class XlogyBackward2(Node):
    """xlogy(self, other: scalar): self: grad * log(other) (0 where self == 0 and other <= 0)."""

    __slots__ = ("self_", "other_scalar")

    def backward(self, g):
        return (_xlogy_self_grad(g, self.self_.unpack(), self.other_scalar),)


def _np_xlogy(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):
        res = np.asarray(x * np.log(y))
        return np.where((x == 0) & ~np.isnan(y), 0, res).astype(res.dtype, copy=False)


def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is nan).

    >>> xlogy(ember.tensor([0.0, 2.0]), ember.tensor([0.0, 1.0]))
    tensor([0., 0.])
    """
    ta, tb, xa, xb, dt = _float_binary(input, other)
    try:
        res = _np_xlogy(xa, xb)
    except ValueError:
        raise broadcast_error(np.shape(xa), np.shape(xb)) from None
    r = _wrap(_as_result(res, dt).astype(dt, copy=False))
    if needs_grad(ta, tb):
        if ta is None:
            n = record(XlogyBackward1, r, (tb,))
            n.self_scalar, n.other = input, SavedTensor(tb)
        elif tb is None:
            n = record(XlogyBackward2, r, (ta,))
            n.self_, n.other_scalar = SavedTensor(ta), other
        else:
            n = record(XlogyBackward0, r, (ta, tb))
            n.self_, n.other = SavedTensor(ta), SavedTensor(tb)
    return _out(r, out, "xlogy")


xlogy_ = _make_inplace(xlogy, "xlogy_")


# ----------------------------------------------------------------------------- operators and methods
def _rfloordiv(self, other):
    return floor_divide(other, self)


def _rmod(self, other):
    return remainder(other, self)


pow_ = _make_inplace(pow, "pow_")  # noqa: F811  (saves the value before the write)

methods(
    pow_=pow_, __ipow__=pow_,
    rsqrt=rsqrt, log1p=log1p, expm1=expm1, exp2=exp2, log2=log2, log10=log10, tan=tan, asin=asin,
    acos=acos, atan=atan, sinh=sinh, cosh=cosh, asinh=asinh, acosh=acosh, atanh=atanh,
    arcsin=asin, arccos=acos, arctan=atan, arcsinh=asinh, arccosh=acosh, arctanh=atanh,
    erf=erf, erfc=erfc, erfinv=erfinv, floor=floor, ceil=ceil, trunc=trunc, fix=trunc, round=round,
    frac=frac, sgn=sgn, sign=sign, square=square, logit=logit, neg=neg, negative=neg, abs=abs,
    absolute=abs, clamp=clamp, clip=clamp, clamp_min=clamp_min, clamp_max=clamp_max,
    maximum=maximum, minimum=minimum, fmax=fmax, fmin=fmin, atan2=atan2, arctan2=atan2, hypot=hypot,
    remainder=remainder, fmod=fmod, floor_divide=floor_divide, lerp=lerp, addcmul=addcmul,
    addcdiv=addcdiv, masked_fill=masked_fill, nan_to_num=nan_to_num, xlogy=xlogy,
    rsqrt_=rsqrt_, log1p_=log1p_, expm1_=expm1_, exp2_=exp2_, log2_=log2_, log10_=log10_, tan_=tan_,
    asin_=asin_, acos_=acos_, atan_=atan_, sinh_=sinh_, cosh_=cosh_, asinh_=asinh_, acosh_=acosh_,
    atanh_=atanh_, arcsin_=asin_, arccos_=acos_, arctan_=atan_, arcsinh_=asinh_, arccosh_=acosh_,
    arctanh_=atanh_, erf_=erf_, erfc_=erfc_, erfinv_=erfinv_, floor_=floor_, ceil_=ceil_,
    trunc_=trunc_, fix_=trunc_, round_=round_, frac_=frac_, sgn_=sgn_, square_=square_, logit_=logit_,
    neg_=neg_, negative_=neg_, abs_=abs_, absolute_=abs_, clamp_=clamp_, clip_=clamp_,
    clamp_min_=clamp_min_, clamp_max_=clamp_max_, atan2_=atan2_, arctan2_=atan2_, hypot_=hypot_,
    remainder_=remainder_, fmod_=fmod_, floor_divide_=floor_divide_, lerp_=lerp_, addcmul_=addcmul_,
    addcdiv_=addcdiv_, masked_fill_=masked_fill_, nan_to_num_=nan_to_num_, xlogy_=xlogy_,
    __neg__=neg, __abs__=abs,
    __floordiv__=floor_divide, __rfloordiv__=_rfloordiv, __ifloordiv__=floor_divide_,
    __mod__=remainder, __rmod__=_rmod, __imod__=remainder_,
)

__all__ += [
    "rsqrt", "log1p", "expm1", "exp2", "log2", "log10", "tan", "asin", "acos", "atan", "sinh", "cosh",
    "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "erf",
    "erfc", "erfinv", "floor", "ceil", "trunc", "fix", "round", "frac", "sgn", "square", "logit",
    "clamp", "clip", "clamp_min", "clamp_max", "maximum", "minimum", "fmax", "fmin", "atan2",
    "arctan2", "hypot", "remainder", "fmod", "floor_divide", "lerp", "addcmul", "addcdiv",
    "masked_fill", "nan_to_num", "xlogy", "neg_", "abs_", "rsqrt_", "exp_", "log_", "sigmoid_", "relu_",
    "sqrt_", "sin_", "cos_", "tanh_", "clamp_", "clip_", "clamp_min_", "clamp_max_", "erf_", "erfc_",
    "erfinv_", "floor_", "ceil_", "trunc_", "fix_", "round_", "frac_", "log1p_", "expm1_", "exp2_",
    "log2_", "log10_", "tan_", "asin_", "acos_", "atan_", "sinh_", "cosh_", "asinh_", "acosh_",
    "atanh_", "arcsin_", "arccos_", "arctan_", "arcsinh_", "arccosh_", "arctanh_", "square_", "logit_",
    "reciprocal_", "negative_", "absolute_", "nan_to_num_", "xlogy_",
]
