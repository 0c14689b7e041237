"""``torch.nn.functional``, part B: activations, softmax family, losses and attention.

Each activation and fused loss is one op with its own node, named as torch names it
(``LeakyReluBackward0``, ``NllLossBackward0``...). Backward formulas are written in ember ops,
so ``create_graph=True`` gives higher-order gradients. Losses that torch composes from smaller
ops (``l1_loss``, ``kl_div``, ``cosine_embedding_loss``...) are composed the same way here, so
their ``grad_fn`` reads the same.

>>> import ember
>>> import ember.nn.functional_b as F
>>> x = ember.tensor([-1.0, 0.0, 2.0], requires_grad=True)
>>> F.leaky_relu(x, 0.1)
tensor([-0.1000,  0.0000,  2.0000], grad_fn=<LeakyReluBackward0>)
"""
from __future__ import annotations

import math
import warnings
from typing import Callable, List, Optional, Tuple, Union

from .. import _dtype as D
from .._backend import np
from .._ops._util import Node, SavedTensor, commit_inplace, needs_grad, record, wrap_dim
from .._tensor import Tensor, _wrap
from ..autograd.grad_mode import STATE

__all__ = [
    # activations
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "elu", "elu_",
    "selu", "selu_", "celu", "celu_", "gelu", "silu", "mish", "sigmoid", "tanh", "hardtanh",
    "hardtanh_", "hardsigmoid", "hardswish", "softplus", "softsign", "softshrink", "hardshrink",
    "tanhshrink", "threshold", "threshold_", "glu", "logsigmoid", "softmax", "log_softmax", "softmin",
    "gumbel_softmax",
    # losses
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy", "nll_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div", "poisson_nll_loss",
    "gaussian_nll_loss", "ctc_loss", "margin_ranking_loss", "hinge_embedding_loss",
    "cosine_embedding_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
    "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "soft_margin_loss",
    "pairwise_distance",
    # attention
    "scaled_dot_product_attention", "multi_head_attention_forward",
]


# ------------------------------------------------------------------------------------------
# small helpers
def _const(arr) -> Tensor:
    """A constant (no-grad) tensor around an array."""
    return _wrap(np.ascontiguousarray(arr))


def _float_input(x: Tensor, name: str) -> np.ndarray:
    a = x._data
    if a.dtype.kind not in "fc":
        raise NotImplementedError(f"\"{name}\" not implemented for '{_TYPE_NAMES.get(a.dtype.name, a.dtype.name)}'")
    return a


_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
               "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _mask(cond: np.ndarray, dtype) -> Tensor:
    return _const(cond.astype(dtype))


def _erf_np(a: np.ndarray) -> np.ndarray:
    """erf elementwise (NumPy has none; math.erf is exact to double precision)."""
    if a.size == 0:
        return a.copy()
    out = _ERF(a.astype(np.float64, copy=False)).astype(np.float64)
    return out.astype(a.dtype, copy=False)


_ERF = np.frompyfunc(math.erf, 1, 1)


# ---- private fused ops used by formulas (named as torch names them) -----------------------
class CatBackward0(Node):
    __slots__ = ("dim", "sizes")

    def backward(self, g):
        out = []
        start = 0
        for (f, _), n in zip(self.next_functions, self.sizes):
            if f is None:
                out.append(None)
            else:
                idx = [slice(None)] * g.dim()
                idx[self.dim] = slice(start, start + n)
                out.append(g[tuple(idx)])
            start += n
        return tuple(out)


def _cat(tensors, dim: int = 0) -> Tensor:
    """``torch.cat`` (recorded as ``CatBackward0``)."""
    tensors = list(tensors)
    nd = tensors[0]._data.ndim
    dim = wrap_dim(dim, nd)
    arrs = [t._data for t in tensors]
    dt = arrs[0].dtype
    for a in arrs[1:]:
        if a.dtype != dt:
            dt = np.result_type(dt, a.dtype)
    r = _wrap(np.concatenate([a.astype(dt, copy=False) for a in arrs], axis=dim))
    if needs_grad(*tensors):
        n = record(CatBackward0, r, tuple(tensors))
        n.dim, n.sizes = dim, [a.shape[dim] for a in arrs]
    return r


class StackBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, g):
        out = []
        for i, (f, _) in enumerate(self.next_functions):
            if f is None:
                out.append(None)
            else:
                idx = [slice(None)] * g.dim()
                idx[self.dim] = i
                out.append(g[tuple(idx)])
        return tuple(out)


def _stack(tensors, dim: int = 0) -> Tensor:
    """``torch.stack`` (recorded as ``StackBackward0``)."""
    tensors = list(tensors)
    dim = wrap_dim(dim, tensors[0]._data.ndim + 1)
    r = _wrap(np.stack([t._data for t in tensors], axis=dim))
    if needs_grad(*tensors):
        record(StackBackward0, r, tuple(tensors)).dim = dim
    return r


class ClampMinBackward0(Node):
    __slots__ = ("self_", "min")

    def backward(self, g):
        x = self.self_.unpack()
        return (g * _mask(x._data >= self.min, g._data.dtype),)


def _clamp_min(x: Tensor, lo: float) -> Tensor:
    """``x.clamp_min(lo)`` (gradient 1 where ``x >= lo``, as torch)."""
    a = x._data
    r = _wrap(np.maximum(a, np.asarray(lo, dtype=a.dtype)))
    if needs_grad(x):
        n = record(ClampMinBackward0, r, (x,))
        n.self_, n.min = SavedTensor(x), lo
    return r


class MulBackward1(Node):
    """Product with a Python scalar, as recorded by torch's internal ops."""

    __slots__ = ("other",)

    def backward(self, g):
        return (g * self.other,)


def _mul_scalar(x: Tensor, s: float) -> Tensor:
    r = _wrap(np.asarray(x._data * np.asarray(s, dtype=x._data.dtype)))
    if needs_grad(x):
        record(MulBackward1, r, (x,)).other = s
    return r


class DivBackward1(Node):
    __slots__ = ("other",)

    def backward(self, g):
        return (g / self.other,)


def _div_scalar(x: Tensor, s: float) -> Tensor:
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _wrap(np.asarray(x._data / np.asarray(s, dtype=x._data.dtype)))
    if needs_grad(x):
        record(DivBackward1, r, (x,)).other = s
    return r


class Log1PBackward0(Node):
    __slots__ = ("self_",)

    def backward(self, g):
        return (g / (self.self_.unpack() + 1),)


def _log1p(x: Tensor) -> Tensor:
    r = _wrap(np.log1p(x._data))
    if needs_grad(x):
        record(Log1PBackward0, r, (x,)).self_ = SavedTensor(x)
    return r


class ErfBackward0(Node):
    __slots__ = ("self_",)

    def backward(self, g):
        x = self.self_.unpack()
        return (g * ((x * x).neg().exp() * (2.0 / math.sqrt(math.pi))),)


def _erf(x: Tensor) -> Tensor:
    r = _wrap(_erf_np(x._data))
    if needs_grad(x):
        record(ErfBackward0, r, (x,)).self_ = SavedTensor(x)
    return r


def _expand_like(g: Tensor, shape) -> Tensor:
    return g.expand(shape) if tuple(g.shape) != tuple(shape) else g


# ------------------------------------------------------------------------------------------
# activations
def _unary(x: Tensor, out: np.ndarray, cls, **fields) -> Tensor:
    """Wrap ``out`` and record ``cls`` saving ``self``."""
    r = _wrap(out)
    if needs_grad(x):
        n = record(cls, r, (x,))
        n.self_ = SavedTensor(x)
        for k, v in fields.items():
            setattr(n, k, v)
    return r


def _inplace(x: Tensor, out: np.ndarray, cls, save_result: bool, **fields) -> Tensor:
    """Write ``out`` into ``x`` and record ``cls``; saves the result, or a copy of the input
    (what torch's generated in-place code does when the formula needs the original)."""
    x._check_inplace()
    orig = None if save_result else _wrap(x._data.copy())

    def save(n):
        if save_result:
            n.result = SavedTensor(x, n)
        else:
            n.self_ = SavedTensor(orig)
        for k, v in fields.items():
            setattr(n, k, v)

    commit_inplace(x, out, cls, (x,), save)
    return x


class ReluBackward0(Node):
    """grad where result > 0 (so 0 at the kink)."""

    __slots__ = ("result",)

    def backward(self, g):
        r = self.result.unpack(self)
        if not STATE.grad_enabled:
            # first-order fast path: one comparison and one multiply, no tensors in between
            return (_wrap(np.multiply(g._data, r._data > 0)),)
        return (g * (r > 0),)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); gradient 0 at 0.

    >>> relu(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    if inplace:
        return input.relu_()
    a = input._data
    if a.dtype.kind != "f":
        return input.relu()
    r = _wrap(np.maximum(a, 0))
    if needs_grad(input):
        n = record(ReluBackward0, r, (input,))
        n.result = SavedTensor(r, n)
    return r


def relu_(input: Tensor) -> Tensor:
    return input.relu_()


class ThresholdBackward0(Node):
    """grad where self > threshold, else 0."""

    __slots__ = ("self_", "threshold")

    def backward(self, g):
        x = self.self_.unpack()
        return (g * _mask(x._data > self.threshold, g._data.dtype),)


class ThresholdBackward1(Node):
    __slots__ = ("result", "threshold")

    def backward(self, g):
        r = self.result.unpack(self)
        return (g * _mask(r._data > self.threshold, g._data.dtype),)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x if x > threshold else value.

    >>> threshold(ember.tensor([0.5, 2.0]), 1.0, -1.0)
    tensor([-1.,  2.])
    """
    a = input._data
    out = np.where(a > threshold, a, np.asarray(value, dtype=a.dtype)).astype(a.dtype, copy=False)
    if inplace:
        # NOTE: torch's threshold_ saves the result and masks by result > threshold
        return _inplace(input, out, ThresholdBackward1, True, threshold=threshold)
    return _unary(input, out, ThresholdBackward0, threshold=threshold)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    return globals()["threshold"](input, threshold, value, inplace=True)


class HardtanhBackward0(Node):
    """grad where min < x < max (0 at the bounds, as torch)."""

    __slots__ = ("self_", "result", "min_val", "max_val")

    def backward(self, g):
        x = self.self_.unpack() if self.self_ is not None else self.result.unpack(self)
        a = x._data
        return (g * _mask((a > self.min_val) & (a < self.max_val), g._data.dtype),)


def hardtanh(input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """Clamp to [min_val, max_val].

    >>> hardtanh(ember.tensor([-3.0, 0.5, 3.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    a = _float_input(input, "hardtanh")
    out = np.clip(a, np.asarray(min_val, a.dtype), np.asarray(max_val, a.dtype))
    if inplace:
        return _inplace(input, out, HardtanhBackward0, True, self_=None, min_val=min_val, max_val=max_val)
    return _unary(input, out, HardtanhBackward0, result=None, min_val=min_val, max_val=max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6) (recorded as ``HardtanhBackward0``, as torch)."""
    return hardtanh(input, 0.0, 6.0, inplace)


class LeakyReluBackward0(Node):
    """grad if self > 0 else grad * negative_slope."""

    __slots__ = ("self_", "negative_slope")

    def backward(self, g):
        a = self.self_.unpack()._data
        return (g * _const(np.where(a > 0, 1.0, self.negative_slope).astype(g._data.dtype)),)


class LeakyReluBackward1(Node):
    __slots__ = ("result", "negative_slope")

    def backward(self, g):
        a = self.result.unpack(self)._data
        return (g * _const(np.where(a > 0, 1.0, self.negative_slope).astype(g._data.dtype)),)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x if x > 0 else negative_slope * x.

    >>> leaky_relu(ember.tensor([-2.0, 3.0]), 0.5)
    tensor([-1.,  3.])
    """
    a = _float_input(input, "leaky_relu_cpu")
    out = np.where(a > 0, a, a * np.asarray(negative_slope, a.dtype)).astype(a.dtype, copy=False)
    if inplace:
        if negative_slope < 0 and needs_grad(input):
            raise RuntimeError("In-place leakyReLu backward calculation is triggered with a negative slope which is not supported. This is caused by calling in-place forward function with a negative slope, please call out-of-place version instead. File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu backward calculation with negative slope")
        return _inplace(input, out, LeakyReluBackward1, True, negative_slope=negative_slope)
    return _unary(input, out, LeakyReluBackward0, negative_slope=negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    return leaky_relu(input, negative_slope, inplace=True)


class _EluBase(Node):
    __slots__ = ("alpha", "scale", "input_scale")

    def _grad(self, g, x, is_result):
        pos = _mask(x._data > 0, g._data.dtype)
        neg = 1 - pos
        if is_result:
            slope = (x + self.alpha * self.scale) * self.input_scale
        else:
            slope = (x * self.input_scale).exp() * (self.input_scale * self.alpha * self.scale)
        return g * (pos * self.scale + neg * slope)


class EluBackward0(_EluBase):
    __slots__ = ("self_",)

    def backward(self, g):
        return (self._grad(g, self.self_.unpack(), False),)


class EluBackward1(_EluBase):
    __slots__ = ("result",)

    def backward(self, g):
        # NOTE: the in-place form saves the result: for x <= 0, d/dx = input_scale * (result + alpha * scale)
        return (self._grad(g, self.result.unpack(self), True),)


class CeluBackward0(EluBackward0):
    __slots__ = ()


class CeluBackward1(EluBackward1):
    __slots__ = ()


def _elu(input, alpha, scale, input_scale, inplace, cls0, cls1, name="elu"):
    a = _float_input(input, name)
    with np.errstate(over="ignore"):
        neg = np.expm1(a * np.asarray(input_scale, a.dtype)) * np.asarray(alpha * scale, a.dtype)
    out = np.where(a > 0, a * np.asarray(scale, a.dtype), neg).astype(a.dtype, copy=False)
    f = dict(alpha=alpha, scale=scale, input_scale=input_scale)
    if inplace:
        return _inplace(input, out, cls1, True, **f)
    return _unary(input, out, cls0, **f)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x if x > 0 else alpha * (exp(x) - 1).

    >>> elu(ember.tensor([0.0, 1.0]))
    tensor([0., 1.])
    """
    return _elu(input, alpha, 1.0, 1.0, inplace, EluBackward0, EluBackward1)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return elu(input, alpha, inplace=True)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants (recorded as ``EluBackward0``)."""
    return _elu(input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace, EluBackward0, EluBackward1)


def selu_(input: Tensor) -> Tensor:
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _elu(input, alpha, 1.0, 1.0 / alpha, inplace, CeluBackward0, CeluBackward1)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    return celu(input, alpha, inplace=True)


_SQRT_2 = math.sqrt(2.0)
_SQRT_2_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


# Abramowitz & Stegun 7.1.26: erfc(z) ~ t * P(t) * exp(-z^2), t = 1 / (1 + p z), z >= 0, absolute
# error below 1.5e-7 (float32 rounding is 6e-8). The coefficients are pre-halved: the polynomial
# gives Phi's tail 0.5 * erfc(|x| / sqrt(2)) directly.
_AS_P = 0.3275911
_AS_HALF = (0.5 * 0.254829592, 0.5 * -0.284496736, 0.5 * 1.421413741, 0.5 * -1.453152027, 0.5 * 1.061405429)


def _normal_cdf_np(a: np.ndarray):
    """``(Phi(a), exp(-a^2 / 2))`` elementwise: the standard normal CDF and the unnormalised
    density, which GELU's backward reuses.

    Floating inputs narrower than float64 are computed in float32 with a vectorised erfc (the
    same accuracy torch's vectorised kernels have); float64 uses the C library's ``erf``.
    """
    if a.dtype == np.float64 or a.dtype.kind == "c":
        cdf = (1 + _erf_np(a * (1 / _SQRT_2))) * 0.5
        return cdf, np.exp(a * a * -0.5)
    x = a.astype(np.float32, copy=False)
    z = np.abs(x)
    z *= np.float32(1 / _SQRT_2)
    t = z * np.float32(_AS_P)
    t += np.float32(1.0)
    np.divide(np.float32(1.0), t, out=t)
    c = _AS_HALF
    p = t * np.float32(c[4])
    for k in (3, 2, 1, 0):
        p += np.float32(c[k])
        p *= t
    e = np.square(z, out=z)
    np.negative(e, out=e)
    np.exp(e, out=e)                      # exp(-x^2 / 2)
    p *= e                                # 0.5 * erfc(|x| / sqrt(2)) = Phi(-|x|)
    np.subtract(np.float32(0.5), p, out=p)
    np.copysign(p, x, out=p)
    p += np.float32(0.5)                  # Phi(x) = 1/2 + sign(x) (1/2 - Phi(-|x|))
    return p, e


class GeluBackward0(Node):
    """none: grad * (Phi(x) + x * phi(x)); tanh: the derivative of the tanh approximation."""

    __slots__ = ("self_", "approximate", "cdf", "pdf")

    def backward(self, g):
        x = self.self_.unpack()
        if self.approximate == "tanh":
            inner = (x + x * x * x * 0.044715) * _SQRT_2_PI
            t = inner.tanh()
            d_inner = (x * x * (3 * 0.044715) + 1) * _SQRT_2_PI
            return (g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * d_inner),)
        cdf = self.cdf
        if cdf is not None and not STATE.grad_enabled and g._data.dtype == x._data.dtype:
            # first-order fast path: Phi and exp(-x^2/2) kept by the forward
            xa = x._data
            d = xa * self.pdf
            d *= np.asarray(_INV_SQRT_2PI, d.dtype)
            d += cdf
            d *= g._data
            return (_wrap(d.astype(xa.dtype, copy=False)),)
        cdf = (_erf(x * (1 / _SQRT_2)) + 1) * 0.5
        pdf = (x * x * -0.5).exp() * _INV_SQRT_2PI
        return (g * (cdf + x * pdf),)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x) (``approximate='tanh'``: the tanh approximation).

    >>> gelu(ember.tensor([0.0]))
    tensor([0.])
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    a = _float_input(input, "GeluKernelImpl")
    if approximate == "tanh":
        out = 0.5 * a * (1 + np.tanh(np.asarray(_SQRT_2_PI, a.dtype) * (a + np.asarray(0.044715, a.dtype) * a * a * a)))
        return _unary(input, out.astype(a.dtype, copy=False), GeluBackward0, approximate=approximate)
    cdf, pdf = _normal_cdf_np(a)
    r = _wrap((a * cdf).astype(a.dtype, copy=False))
    if needs_grad(input):
        n = record(GeluBackward0, r, (input,))
        n.self_ = SavedTensor(input)
        n.approximate = approximate
        n.cdf, n.pdf = cdf, pdf
    return r


def _sigmoid_np(a):
    with np.errstate(over="ignore"):
        return (1 / (1 + np.exp(-a))).astype(a.dtype, copy=False)


class SiluBackward0(Node):
    __slots__ = ("self_",)

    def backward(self, g):
        x = self.self_.unpack()
        s = x.sigmoid()
        return (g * (s * (1 + x * (1 - s))),)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x).

    >>> silu(ember.tensor([0.0]))
    tensor([0.])
    """
    a = _float_input(input, "silu")
    out = a * _sigmoid_np(a)
    if inplace:
        return _inplace(input, out, SiluBackward0, False)
    return _unary(input, out, SiluBackward0)


def _softplus_np(a, beta=1.0, threshold=20.0):
    with np.errstate(over="ignore"):
        z = a * np.asarray(beta, a.dtype)
        sp = np.log1p(np.exp(z)) / np.asarray(beta, a.dtype)
    return np.where(z > threshold, a, sp).astype(a.dtype, copy=False)


class SoftplusBackward0(Node):
    """grad * sigmoid(beta * x), or grad where beta * x > threshold."""

    __slots__ = ("self_", "beta", "threshold")

    def backward(self, g):
        x = self.self_.unpack()
        lin = _mask(x._data * self.beta > self.threshold, g._data.dtype)
        return (g * (lin + (1 - lin) * (x * self.beta).sigmoid()),)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta * x)) / beta, linear above ``threshold``.

    >>> softplus(ember.tensor([0.0]))
    tensor([0.6931])
    """
    a = _float_input(input, "softplus")
    return _unary(input, _softplus_np(a, beta, threshold), SoftplusBackward0, beta=beta, threshold=threshold)


def _softplus(x: Tensor) -> Tensor:
    return softplus(x)


class MishBackward0(Node):
    __slots__ = ("self_",)

    def backward(self, g):
        x = self.self_.unpack()
        t = _softplus(x).tanh()
        return (g * (t + x * x.sigmoid() * (1 - t * t)),)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    a = _float_input(input, "mish")
    out = a * np.tanh(_softplus_np(a))
    if inplace:
        return _inplace(input, out, MishBackward0, False)
    return _unary(input, out, MishBackward0)


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    return input.sigmoid()


def tanh(input: Tensor) -> Tensor:
    return input.tanh()


class HardsigmoidBackward0(Node):
    """grad / 6 where -3 < x < 3."""

    __slots__ = ("self_",)

    def backward(self, g):
        a = self.self_.unpack()._data
        return (g * _mask((a > -3) & (a < 3), g._data.dtype) * (1.0 / 6.0),)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6."""
    a = _float_input(input, "hardsigmoid")
    out = (np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)
    if inplace:
        return _inplace(input, out, HardsigmoidBackward0, False)
    return _unary(input, out, HardsigmoidBackward0)


class HardswishBackward0(Node):
    """0 up to -3, grad * (x / 3 + 0.5) inside, grad from 3 on."""

    __slots__ = ("self_",)

    def backward(self, g):
        x = self.self_.unpack()
        a = x._data
        # NOTE: torch's kernel: 0 for x <= -3, x / 3 + 0.5 for -3 < x < 3, 1 for x >= 3
        mid = _mask((a > -3) & (a < 3), g._data.dtype)
        hi = _mask(a >= 3, g._data.dtype)
        return (g * (mid * (x * (1.0 / 3.0) + 0.5) + hi),)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6."""
    a = _float_input(input, "hardswish")
    out = (a * np.clip(a + 3, 0, 6) / 6).astype(a.dtype, copy=False)
    if inplace:
        return _inplace(input, out, HardswishBackward0, False)
    return _unary(input, out, HardswishBackward0)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|) (composed, as torch: ``DivBackward0``)."""
    return input / (input.abs() + 1)


class _ShrinkBackward(Node):
    __slots__ = ("self_", "lambd")

    def backward(self, g):
        a = self.self_.unpack()._data
        return (g * _mask((a < -self.lambd) | (a > self.lambd), g._data.dtype),)


class SoftshrinkBackward0(_ShrinkBackward):
    __slots__ = ()


class HardshrinkBackward0(_ShrinkBackward):
    __slots__ = ()


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x - lambd above lambd, x + lambd below -lambd, else 0."""
    a = _float_input(input, "softshrink")
    if lambd < 0:
        top = "3.40282e+38" if a.dtype == np.float32 else "1.79769e+308"
        raise RuntimeError(f"lambda must be in range [0, {top}] for input dtype {_TYPE_NAMES.get(a.dtype.name)}, "
                           f"but found {lambd:g}")
    lam = np.asarray(lambd, a.dtype)
    out = np.where(a > lam, a - lam, np.where(a < -lam, a + lam, np.zeros((), a.dtype))).astype(a.dtype, copy=False)
    return _unary(input, out, SoftshrinkBackward0, lambd=lambd)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """x where |x| > lambd, else 0."""
    a = _float_input(input, "hardshrink")
    out = np.where((a >= -lambd) & (a <= lambd), np.zeros((), a.dtype), a).astype(a.dtype, copy=False)
    return _unary(input, out, HardshrinkBackward0, lambd=lambd)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x) (composed: ``SubBackward0``)."""
    return input - input.tanh()


class LogSigmoidBackward0(Node):
    __slots__ = ("self_",)

    def backward(self, g):
        return (g * (-self.self_.unpack()).sigmoid(),)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed stably as min(x, 0) - log1p(exp(-|x|))."""
    a = _float_input(input, "log_sigmoid_forward")
    out = (np.minimum(a, 0) - np.log1p(np.exp(-np.abs(a)))).astype(a.dtype, copy=False)
    return _unary(input, out, LogSigmoidBackward0)


class GluBackward0(Node):
    __slots__ = ("self_", "dim")

    def backward(self, g):
        x = self.self_.unpack()
        n = x.shape[self.dim] // 2
        idx_a = [slice(None)] * x.dim()
        idx_b = [slice(None)] * x.dim()
        idx_a[self.dim] = slice(0, n)
        idx_b[self.dim] = slice(n, 2 * n)
        a, b = x[tuple(idx_a)], x[tuple(idx_b)]
        s = b.sigmoid()
        return (_cat([g * s, g * a * s * (1 - s)], self.dim),)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    a = _float_input(input, "glu")
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {a.shape[d]}")
    first, second = np.split(a, 2, axis=d)
    return _unary(input, (first * _sigmoid_np(second)).astype(a.dtype, copy=False), GluBackward0, dim=d)


class PreluKernelBackward0(Node):
    __slots__ = ("self_", "weight")

    def backward(self, g):
        x, w = self.self_.unpack(), self.weight.unpack()
        pos = _mask(x._data > 0, g._data.dtype)
        wb = _prelu_weight_view(w, x.dim())
        gx = gw = None
        if self.next_functions[0][0] is not None:
            gx = g * (pos + (1 - pos) * wb)
        if self.next_functions[1][0] is not None:
            gw = g * x * (1 - pos)
            dims = [d for d in range(x.dim()) if not (d == 1 and w.numel() > 1)]
            gw = gw.sum(dims) if dims else gw
            gw = gw.reshape(w.shape)
        return gx, gw


def _prelu_weight_view(w: Tensor, nd: int) -> Tensor:
    if w.numel() == 1 or nd < 2:
        return w.reshape(()) if w.numel() == 1 else w
    shape = [1] * nd
    shape[1] = w.numel()
    return w.reshape(shape)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """x if x > 0 else weight * x, with one weight per channel (dim 1) or one shared."""
    a = _float_input(input, "prelu")
    w = weight._data
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    if w.size != 1:
        ch = a.shape[1] if a.ndim >= 2 else (a.shape[0] if a.ndim == 1 else 1)
        if a.ndim == 0 or w.size != ch:
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {w.size} and channel size = {ch}.")
    if w.size == 1:
        wb = w.reshape(())
    elif a.ndim >= 2:
        shape = [1] * a.ndim
        shape[1] = w.size
        wb = w.reshape(shape)
    else:
        wb = w
    out = np.where(a > 0, a, a * wb).astype(np.result_type(a, w), copy=False)
    r = _wrap(out)
    if needs_grad(input, weight):
        n = record(PreluKernelBackward0, r, (input, weight))
        n.self_, n.weight = SavedTensor(input), SavedTensor(weight)
    return r


class RreluWithNoiseBackward0(Node):
    __slots__ = ("self_", "noise", "lower", "upper", "training")

    def backward(self, g):
        x = self.self_.unpack()
        if self.training:
            return (g * _const(self.noise),)
        slope = (self.lower + self.upper) / 2
        return (g * _const(np.where(x._data > 0, 1.0, slope).astype(g._data.dtype)),)


class RreluWithNoiseBackward1(Node):
    __slots__ = ("result", "noise", "lower", "upper", "training")

    def backward(self, g):
        if self.training:
            return (g * _const(self.noise),)
        r = self.result.unpack(self)
        slope = (self.lower + self.upper) / 2
        return (g * _const(np.where(r._data > 0, 1.0, slope).astype(g._data.dtype)),)


def rrelu(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False,
          inplace: bool = False) -> Tensor:
    """Randomised leaky ReLU: in training, each negative element gets a slope drawn from
    U(lower, upper) (from the global generator); in eval, the mean slope."""
    a = _float_input(input, "rrelu_with_noise")
    noise = None
    if training:
        from .. import _generator as G
        neg = a <= 0
        # NOTE: torch draws one double per non-positive element, in memory order
        draws = G.default_generator.uniform(int(neg.sum()), np.float64, lower, upper)
        noise = np.ones(a.shape, dtype=a.dtype)
        noise[neg] = draws.astype(a.dtype)
        out = (a * noise).astype(a.dtype, copy=False)
    else:
        slope = np.asarray((lower + upper) / 2, a.dtype)
        out = np.where(a >= 0, a, a * slope).astype(a.dtype, copy=False)
    f = dict(noise=noise, lower=lower, upper=upper, training=training)
    if inplace:
        return _inplace(input, out, RreluWithNoiseBackward1, True, **f)
    return _unary(input, out, RreluWithNoiseBackward0, **f)


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False) -> Tensor:
    return rrelu(input, lower, upper, training, inplace=True)


# ------------------------------------------------------------------------------------------
# softmax family
class SoftmaxBackward0(Node):
    """grad_in = y * (g - sum(g * y, dim))."""

    __slots__ = ("result", "dim")

    def backward(self, g):
        y = self.result.unpack(self)
        return (y * (g - (g * y).sum(self.dim, keepdim=True)),)


class LogSoftmaxBackward0(Node):
    """grad_in = g - exp(y) * sum(g, dim)."""

    __slots__ = ("result", "dim", "probs")

    def backward(self, g):
        y = self.result.unpack(self)
        probs = self.probs
        if probs is not None and not STATE.grad_enabled and g._data.dtype == probs.dtype:
            # first-order fast path: exp(y) was kept by the forward
            ga = g._data
            out = probs * ga.sum(axis=self.dim, keepdims=True)
            np.subtract(ga, out, out=out)
            return (_wrap(out),)
        return (g - y.exp() * g.sum(self.dim, keepdim=True),)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
                  UserWarning, stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_input(input: Tensor, dtype, name):
    if dtype is not None:
        input = input.to(dtype)
    a = input._data
    if a.dtype.kind not in "fc":
        raise RuntimeError(f"\"{name}\" not implemented for '{_TYPE_NAMES.get(a.dtype.name, a.dtype.name)}'")
    return input, a


def _softmax_arr(a, d):
    if a.ndim == 0:
        return np.ones_like(a)
    m = np.max(a, axis=d, keepdims=True) if a.size else a
    with np.errstate(invalid="ignore", over="ignore"):
        e = np.exp(a - m) if a.size else a
        return e / e.sum(axis=d, keepdims=True)


def _log_softmax_arr(a, d):
    if a.ndim == 0:
        return np.zeros_like(a)
    if a.size == 0:
        return a.copy()
    m = np.max(a, axis=d, keepdims=True)
    with np.errstate(invalid="ignore", over="ignore"):
        s = a - m
        return s - np.log(np.exp(s).sum(axis=d, keepdims=True))


def _softmax(input: Tensor, dim: int) -> Tensor:
    a = input._data
    d = wrap_dim(dim, a.ndim)
    r = _wrap(_softmax_arr(a, d))
    if needs_grad(input):
        n = record(SoftmaxBackward0, r, (input,))
        n.result, n.dim = SavedTensor(r, n), d
    return r


def _log_softmax(input: Tensor, dim: int) -> Tensor:
    a = input._data
    d = wrap_dim(dim, a.ndim)
    if not needs_grad(input):
        return _wrap(_log_softmax_arr(a, d))
    probs = None
    if a.ndim and a.size and a.dtype.kind == "f":
        # one pass that also keeps softmax(x), which the backward needs (no exp there)
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            y = a - np.max(a, axis=d, keepdims=True)
            probs = np.exp(y)
            total = probs.sum(axis=d, keepdims=True)
            y -= np.log(total)
            probs /= total
    else:
        y = _log_softmax_arr(a, d)
    r = _wrap(y)
    n = record(LogSoftmaxBackward0, r, (input,))
    n.result, n.dim, n.probs = SavedTensor(r, n), d, probs
    return r


def softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """exp(x) / sum(exp(x)) along ``dim`` (max-subtracted, so large inputs stay finite).

    >>> softmax(ember.tensor([0.0, 0.0]), dim=0)
    tensor([0.5000, 0.5000])
    """
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    input, _ = _softmax_input(input, dtype, "softmax_lastdim_kernel_impl")
    return _softmax(input, dim)


def log_softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """x - logsumexp(x) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    input, _ = _softmax_input(input, dtype, "log_softmax_lastdim_kernel_impl")
    return _log_softmax(input, dim)


def softmin(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """softmax(-x)."""
    if dim is None:
        dim = _softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax(-input, dim)


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1) -> Tensor:
    """Samples from the Gumbel-softmax distribution (noise from the global generator, drawn as
    torch does: ``-empty_like(logits).exponential_().log()``)."""
    import ember
    gumbels = -ember.empty_like(logits).exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = _softmax(gumbels, dim)
    if hard:
        d = wrap_dim(dim, y_soft.dim())
        idx = np.argmax(y_soft._data, axis=d)
        hard_arr = np.zeros_like(y_soft._data)
        np.put_along_axis(hard_arr, np.expand_dims(idx, d), 1.0, axis=d)
        # straight-through estimator: the value of y_hard, the gradient of y_soft
        return _const(hard_arr) - y_soft.detach() + y_soft
    return y_soft



# ------------------------------------------------------------------------------------------
# losses
_REDUCTIONS = ("none", "mean", "sum")


def _legacy_reduction(size_average, reduce, reduction: str) -> str:
    """torch's mapping of the deprecated ``size_average``/``reduce`` flags."""
    if size_average is None and reduce is None:
        return reduction
    sa = True if size_average is None else size_average
    rd = True if reduce is None else reduce
    ret = "none" if not rd else ("mean" if sa else "sum")
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                  UserWarning, stacklevel=3)
    return ret


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _reduce_arr(arr: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return arr
    if reduction == "sum":
        return np.asarray(arr.sum(dtype=arr.dtype))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(arr.mean(dtype=arr.dtype) if arr.size else np.array(np.nan, arr.dtype))


def _size_warning(input: Tensor, target: Tensor) -> None:
    if tuple(target.shape) != tuple(input.shape):
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
                      UserWarning, stacklevel=3)


class _PointwiseLoss(Node):
    """A fused elementwise loss followed by its reduction. ``_factors(x, t)`` gives
    d loss / d input and d loss / d target (in ember ops)."""

    __slots__ = ("self_", "target", "reduction", "n")

    def backward(self, g):
        x, t = self.self_.unpack(), self.target.unpack()
        if self.reduction == "mean":
            g = g / self.n
        dx, dt = self._factors(x, t)
        gx = g * dx if self.next_functions[0][0] is not None else None
        gt = g * dt if self.next_functions[1][0] is not None else None
        return gx, gt


def _not_differentiable(fn: str, arg: str, t) -> None:
    if t is not None and STATE.grad_enabled and t._rg:
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{arg}'. "
                           "This input cannot have requires_grad True.")


def _pointwise_loss(cls, input, target, arr, reduction, **fields) -> Tensor:
    _check_reduction(reduction)
    r = _wrap(_reduce_arr(arr, reduction))
    if needs_grad(input, target):
        n = record(cls, r, (input, target))
        n.self_, n.target, n.reduction, n.n = SavedTensor(input), SavedTensor(target), reduction, arr.size
        for k, v in fields.items():
            setattr(n, k, v)
    return r


def _pair_arrays(input: Tensor, target: Tensor):
    a, b = input._data, target._data
    if a.dtype != b.dtype:
        dt = np.result_type(a, b)
        a, b = a.astype(dt), b.astype(dt)
    try:
        a, b = np.broadcast_arrays(a, b)
    except ValueError:
        from .._ops._util import broadcast_error
        raise broadcast_error(a.shape, b.shape) from None
    return a, b


class MseLossBackward0(_PointwiseLoss):
    __slots__ = ()

    def _factors(self, x, t):
        d = (x - t) * 2
        return d, -d


def mse_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
             weight=None) -> Tensor:
    """Mean squared error.

    >>> mse_loss(ember.tensor([1.0, 2.0]), ember.tensor([0.0, 0.0]))
    tensor(2.5000)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _size_warning(input, target)
    a, b = _pair_arrays(input, target)
    if weight is not None:
        return _reduce(weight * (input - target) ** 2, reduction)
    return _pointwise_loss(MseLossBackward0, input, target, (a - b) ** 2, reduction)


def l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
            weight=None) -> Tensor:
    """Mean absolute error (composed as torch: ``(input - target).abs()`` then the reduction)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _size_warning(input, target)
    _check_reduction(reduction)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


class SmoothL1LossBackward0(_PointwiseLoss):
    __slots__ = ("beta",)

    def _factors(self, x, t):
        d = x - t
        a = d._data
        inside = _mask(np.abs(a) < self.beta, a.dtype)
        sign = _const(np.sign(a))
        f = inside * d * (1.0 / self.beta) + (1 - inside) * sign
        return f, -f


def smooth_l1_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """0.5 d^2 / beta where |d| < beta, else |d| - 0.5 beta (``beta=0``: the L1 loss)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _size_warning(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    a, b = _pair_arrays(input, target)
    d = np.abs(a - b)
    arr = np.where(d < beta, 0.5 * d * d / np.asarray(beta, d.dtype), d - np.asarray(0.5 * beta, d.dtype)).astype(d.dtype)
    return _pointwise_loss(SmoothL1LossBackward0, input, target, arr, reduction, beta=beta)


class HuberLossBackward0(_PointwiseLoss):
    __slots__ = ("delta",)

    def _factors(self, x, t):
        d = x - t
        a = d._data
        inside = _mask(np.abs(a) <= self.delta, a.dtype)
        f = inside * d + (1 - inside) * _const(np.sign(a) * np.asarray(self.delta, a.dtype))
        return f, -f


def huber_loss(input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0, weight=None) -> Tensor:
    """0.5 d^2 where |d| <= delta, else delta (|d| - 0.5 delta)."""
    _size_warning(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    a, b = _pair_arrays(input, target)
    d = np.abs(a - b)
    arr = np.where(d <= delta, 0.5 * d * d, np.asarray(delta, d.dtype) * (d - np.asarray(0.5 * delta, d.dtype))).astype(d.dtype)
    return _pointwise_loss(HuberLossBackward0, input, target, arr, reduction, delta=delta)


class SoftMarginLossBackward0(_PointwiseLoss):
    __slots__ = ()

    def _factors(self, x, t):
        s = (-(x * t)).sigmoid()
        return -t * s, -x * s


def soft_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """log(1 + exp(-target * input))."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _not_differentiable("soft_margin_loss", "target", target)
    a, b = _pair_arrays(input, target)
    z = -a * b
    arr = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))).astype(a.dtype)
    return _pointwise_loss(SoftMarginLossBackward0, input, target, arr, reduction)


class BinaryCrossEntropyBackward0(Node):
    __slots__ = ("self_", "target", "weight", "reduction", "n")

    def backward(self, g):
        x, t = self.self_.unpack(), self.target.unpack()
        w = self.weight.unpack() if self.weight is not None else None
        if self.reduction == "mean":
            g = g / self.n
        gx = gt = None
        if self.next_functions[0][0] is not None:
            denom = _clamp_min((1 - x) * x, 1e-12)
            gx = g * (x - t) / denom
            if w is not None:
                gx = gx * w
        if self.next_functions[1][0] is not None:
            gt = g * (_clamp_min((1 - x).log(), -100) - _clamp_min(x.log(), -100))
            if w is not None:
                gt = gt * w
        return gx, gt


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, size_average=None,
                         reduce=None, reduction: str = "mean") -> Tensor:
    """-w (t log x + (1 - t) log(1 - x)), each log clamped at -100 as torch does.

    >>> binary_cross_entropy(ember.tensor([0.5]), ember.tensor([1.0]))
    tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is deprecated. "
                         "Please ensure they have the same size.")
    _check_reduction(reduction)
    _not_differentiable("binary_cross_entropy", "weight", weight)
    a, b = input._data, target._data
    if ((a < 0) | (a > 1)).any():
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        arr = -(b * np.maximum(np.log(a), -100) + (1 - b) * np.maximum(np.log1p(-a), -100))
    if weight is not None:
        weight = weight.expand(input.shape) if tuple(weight.shape) != tuple(input.shape) else weight
        arr = arr * weight._data
    arr = arr.astype(a.dtype, copy=False)
    r = _wrap(_reduce_arr(arr, reduction))
    if needs_grad(input, target):
        n = record(BinaryCrossEntropyBackward0, r, (input, target))
        n.self_, n.target, n.reduction, n.n = SavedTensor(input), SavedTensor(target), reduction, arr.size
        n.weight = SavedTensor(weight) if weight is not None else None
    return r


class BinaryCrossEntropyWithLogitsBackward0(Node):
    __slots__ = ("self_", "target", "weight", "pos_weight", "reduction", "n")

    def backward(self, g):
        x, t = self.self_.unpack(), self.target.unpack()
        w = self.weight.unpack() if self.weight is not None else None
        pw = self.pos_weight.unpack() if self.pos_weight is not None else None
        if self.reduction == "mean":
            g = g / self.n
        gx = gt = None
        if self.next_functions[0][0] is not None:
            if pw is not None:
                tp = pw * t
                gx = (tp + 1 - t) * x.sigmoid() - tp
            else:
                gx = x.sigmoid() - t
            gx = g * gx if w is None else g * gx * w
        if self.next_functions[1][0] is not None:
            ls = logsigmoid(x)
            gt = -x if pw is None else -x - (pw - 1) * ls
            gt = g * gt if w is None else g * gt * w
        return gx, gt


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                                     size_average=None, reduce=None, reduction: str = "mean",
                                     pos_weight: Optional[Tensor] = None) -> Tensor:
    """Sigmoid + binary cross-entropy in one stable op (``pos_weight`` weighs positives)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    _not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    _not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    x, t = input._data, target._data.astype(input._data.dtype, copy=False)
    lsig = np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))
    if pos_weight is not None:
        lw = (pos_weight._data - 1) * t + 1
        arr = (1 - t) * x - lw * lsig
    else:
        arr = (1 - t) * x - lsig
    if weight is not None:
        arr = arr * weight._data
    arr = np.asarray(arr, dtype=x.dtype)
    r = _wrap(_reduce_arr(arr, reduction))
    if needs_grad(input, target):
        n = record(BinaryCrossEntropyWithLogitsBackward0, r, (input, target))
        n.self_, n.target, n.reduction, n.n = SavedTensor(input), SavedTensor(target), reduction, arr.size
        n.weight = SavedTensor(weight) if weight is not None else None
        n.pos_weight = SavedTensor(pos_weight) if pos_weight is not None else None
    return r


# ---- negative log likelihood and cross-entropy --------------------------------------------
class NllLossBackward0(Node):
    """The gradient is linear in the output's: ``g * coef`` with coef = -w[t] (/ total weight)
    at each target position."""

    __slots__ = ("tc", "wv", "shape", "reduction", "class_dim", "target", "weight", "ignore_index",
                 "total_weight")

    def _coef(self, dtype, scale=None):
        """The dense coefficient array, shaped as the input; ``scale`` multiplies each row."""
        shape = self.shape                    # the input's shape with the class dim last
        tc = self.tc
        coef = np.zeros((tc.size, shape[-1]), dtype)
        with np.errstate(invalid="ignore", over="ignore"):
            coef[np.arange(tc.size), tc] = self.wv if scale is None else self.wv * scale
        coef = coef.reshape(shape)
        return coef if self.class_dim == len(shape) - 1 else np.moveaxis(coef, -1, self.class_dim)

    def backward(self, g):
        ga = g._data
        if not STATE.grad_enabled:
            # first-order fast path: scatter the scaled coefficients straight into the gradient
            scale = ga.reshape(-1) if self.reduction == "none" and ga.ndim else ga.reshape(())
            return (_wrap(self._coef(np.result_type(ga.dtype, self.wv), scale).astype(ga.dtype, copy=False)),)
        if self.reduction == "none" and g.dim() > 0:
            g = g.unsqueeze(self.class_dim)
        return (g * _const(self._coef(ga.dtype)),)


class NllLoss2DBackward0(NllLossBackward0):
    __slots__ = ()


def _target_checks(a: np.ndarray, t: np.ndarray) -> None:
    if t.dtype.kind not in "iu":
        if t.dtype.kind == "f" and t.ndim not in (0, 1) and a.ndim == 2:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_TYPE_NAMES.get(t.dtype.name, t.dtype.name)}")
    if a.ndim == 1:
        if t.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        return
    if a.ndim == 2 and t.ndim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if t.ndim >= 1 and a.shape[0] != t.shape[0] or t.ndim == 0 and a.ndim >= 2:
        raise ValueError(f"Expected input batch_size ({a.shape[0]}) to match target batch_size ({t.shape[0] if t.ndim else 0}).")
    if a.ndim >= 3 and tuple(t.shape) != tuple(a.shape[:1] + a.shape[2:]):
        want = ", ".join(str(s) for s in a.shape[:1] + a.shape[2:])
        got = ", ".join(str(s) for s in t.shape)
        raise RuntimeError(f"Expected target size [{want}], got [{got}]")


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, size_average=None,
             ignore_index: int = -100, reduce=None, reduction: str = "mean") -> Tensor:
    """The negative log likelihood loss: ``-weight[t] * input[n, t]``, averaged by total weight.

    >>> nll_loss(ember.tensor([[-1.0, -2.0]]), ember.tensor([1]))
    tensor(2.)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    a, t = input._data, target._data
    if a.ndim == 0:
        raise ValueError(f"Expected 2 or more dimensions (got {a.ndim})")
    _target_checks(a, t)
    class_dim = 0 if a.ndim == 1 else 1
    C = a.shape[class_dim]
    if weight is not None and weight._data.shape != (C,):
        raise RuntimeError(f"weight tensor should be defined either for all {C} classes or no classes but got weight tensor of shape: [{', '.join(map(str, weight.shape))}]")
    flat = (a if class_dim == a.ndim - 1 else np.moveaxis(a, class_dim, -1)).reshape(-1, C)
    tf = t.reshape(-1)
    if tf.dtype != np.int64:
        tf = tf.astype(np.int64)
    M = tf.size
    valid = tf != ignore_index
    all_valid = bool(valid.all())
    if all_valid:
        if M and (tf.min() < 0 or tf.max() >= C):
            raise IndexError(f"Target {tf[np.argmax((tf < 0) | (tf >= C))]} is out of bounds.")
        tc = tf
    else:
        bad = valid & ((tf < 0) | (tf >= C))
        if bad.any():
            raise IndexError(f"Target {tf[np.argmax(bad)]} is out of bounds.")
        tc = np.where(valid, tf, 0)
    if weight is not None:
        w = weight._data[tc].astype(a.dtype)
        if not all_valid:
            w *= valid
    else:
        w = None if all_valid else valid.astype(a.dtype)
    picked = flat[np.arange(M), tc]
    losses = -picked if w is None else (-w * picked).astype(a.dtype, copy=False)
    one = np.ones((), a.dtype)
    if reduction == "none":
        out = losses.reshape(t.shape)
        denom = one
    elif reduction == "sum":
        out = np.asarray(losses.sum(dtype=a.dtype))
        denom = one
    else:
        total = np.asarray(M, a.dtype) if w is None else w.sum(dtype=a.dtype)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.asarray(losses.sum(dtype=a.dtype) / total)
        denom = total
    r = _wrap(np.asarray(out, dtype=a.dtype))
    if needs_grad(input):
        cls = NllLoss2DBackward0 if a.ndim >= 3 else NllLossBackward0
        with np.errstate(invalid="ignore", divide="ignore"):
            # the gradient's value at each target position, before scaling by the output's
            wv = (-one / denom) if w is None else (-w / denom)
        moved = list(a.shape)
        moved.append(moved.pop(class_dim))
        n = record(cls, r, (input,))
        n.tc, n.wv, n.shape, n.reduction, n.class_dim = tc, wv, tuple(moved), reduction, class_dim
        n.ignore_index = ignore_index
        if reduction == "none" and a.ndim >= 3 and a.ndim != 4:
            # NOTE: torch reshapes other ranks to 4-d for the 2-d kernel, then views back
            return _view_back(r)
    return r


def _view_back(r: Tensor) -> Tensor:
    """``r.view(r.shape)``, recorded (as torch's ``ViewBackward0`` after its 4-d reshape)."""
    from .._ops.shape import ViewBackward0
    out = _wrap(r._data)
    record(ViewBackward0, out, (r,))
    return out


def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None, size_average=None,
                  ignore_index: int = -100, reduce=None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """log_softmax over the class dim, then the NLL loss (class indices), or the cross-entropy
    with class probabilities when ``target`` is floating and shaped as ``input``.

    >>> cross_entropy(ember.tensor([[0.0, 0.0]]), ember.tensor([1]))
    tensor(0.6931)
    """
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
    a = input._data
    class_dim = 0 if a.ndim == 1 else 1
    if a.ndim == 0:
        raise ValueError(f"Expected 2 or more dimensions (got {a.ndim})")
    t = target._data
    if t.dtype.kind == "f" and t.shape == a.shape:
        return _cross_entropy_probs(input, target, weight, reduction, label_smoothing, class_dim)
    _target_checks(a, t)
    logp = _log_softmax(input, class_dim)
    nll = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if label_smoothing <= 0.0:
        return nll
    C = a.shape[class_dim]
    if weight is not None:
        shape = [1] * a.ndim
        shape[class_dim] = C
        smooth = -(logp * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignore = t == ignore_index
    if ignore.any():
        smooth = smooth * _mask(~ignore, smooth._data.dtype)
    if reduction == "mean":
        if weight is not None:
            denom = float(weight._data[t[~ignore].astype(np.int64)].sum())
        else:
            denom = float((~ignore).sum())
        ret = smooth.sum() / denom
    elif reduction == "sum":
        ret = smooth.sum()
    else:
        ret = smooth
    return _mul_scalar(nll, 1 - label_smoothing) + _mul_scalar(ret, label_smoothing / C)


def _cross_entropy_probs(input, target, weight, reduction, label_smoothing, class_dim):
    logp = _log_softmax(input, class_dim)
    C = input.shape[class_dim]
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / C
    prod = logp * target
    if weight is not None:
        shape = [1] * input.dim()
        shape[class_dim] = C
        prod = prod * weight.reshape(shape)
    if reduction == "mean":
        if input.numel() == 0:
            return -(prod.sum()) * float("nan")
        return _div_scalar(-prod.sum(), input.numel() / C)
    if reduction == "sum":
        return -prod.sum()
    return -prod.sum(class_dim)


def kl_div(input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean",
           log_target: bool = False) -> Tensor:
    """KL divergence with ``input`` as log-probabilities (``log_target``: target too)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce, reduction)
    elif reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      UserWarning, stacklevel=2)
    if reduction not in ("none", "mean", "sum", "batchmean"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        tarr = target._data
        with np.errstate(divide="ignore", invalid="ignore"):
            xlogy = np.where(tarr == 0, 0, tarr * np.log(np.where(tarr == 0, 1, tarr)))
        if needs_grad(target):
            zero = _mask(tarr == 0, tarr.dtype)
            safe = target * (1 - zero) + zero
            term = target * safe.log()
        else:
            term = _const(np.asarray(xlogy, dtype=tarr.dtype))
        loss = term - target * input
    if reduction == "batchmean":
        if input.dim() == 0:
            return loss.sum()
        return loss.sum() / input.shape[0]
    return _reduce(loss, reduction)


def poisson_nll_loss(input: Tensor, target: Tensor, log_input: bool = True, full: bool = False,
                     size_average=None, eps: float = 1e-8, reduce=None, reduction: str = "mean") -> Tensor:
    """exp(x) - t x (``log_input``), or x - t log(x + eps); ``full`` adds Stirling's term."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        tarr = target._data
        with np.errstate(divide="ignore", invalid="ignore"):
            st = tarr * np.log(tarr) - tarr + 0.5 * np.log(2 * math.pi * tarr)
        st = np.where(tarr <= 1, 0, st).astype(tarr.dtype)
        loss = loss + _const(st)
    return _reduce(loss, reduction)


def gaussian_nll_loss(input: Tensor, target: Tensor, var, full: bool = False, eps: float = 1e-6,
                      reduction: str = "mean") -> Tensor:
    """0.5 (log(var) + (input - target)^2 / var), var clamped at ``eps`` (without gradient)."""
    import ember
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = ember.ones_like(input) * var
    elif (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in _REDUCTIONS:
        raise ValueError(reduction + " is not valid")
    var = var.clone()
    np.maximum(var._data, np.asarray(eps, var._data.dtype), out=var._data)
    var._vc.v += 1
    loss = (var.log() + (input - target) ** 2 / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def margin_ranking_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average=None,
                        reduce=None, reduction: str = "mean") -> Tensor:
    """max(0, -target * (input1 - input2) + margin)."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    return _reduce(_clamp_min(-target * (input1 - input2) + margin, 0), reduction)


def hinge_embedding_loss(input: Tensor, target: Tensor, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """x where target is 1, max(0, margin - x) where target is -1."""
    import ember
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    zeros = ember.zeros_like(input)
    margin_clamp = _clamp_min(margin - input, 0)
    out_margin = ember.where(target != 1, margin_clamp, zeros)
    out_self = ember.where(target != -1, input, zeros)
    return _reduce(out_margin + out_self, reduction)


def cosine_embedding_loss(input1: Tensor, input2: Tensor, target: Tensor, margin: float = 0, size_average=None,
                          reduce=None, reduction: str = "mean") -> Tensor:
    """1 - cos(x1, x2) where target is 1, max(0, cos - margin) where target is -1."""
    import ember
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    d = input1.dim() - 1
    eps = 1e-12
    prod = (input1 * input2).sum(d)
    m1 = (input1 * input1).sum(d) + eps
    m2 = (input2 * input2).sum(d) + eps
    cos = prod / (m1 * m2).sqrt()
    zeros = ember.zeros_like(cos)
    pos = 1 - cos
    neg = _clamp_min(cos - margin, 0)
    out = ember.where(target == 1, pos, zeros) + ember.where(target == -1, neg, zeros)
    return _reduce(out, reduction)


def _norm_last(x: Tensor, p: float, keepdim: bool = False) -> Tensor:
    if p == 2:
        return (x * x).sum(-1, keepdim=keepdim).sqrt()
    if p == 1:
        return x.abs().sum(-1, keepdim=keepdim)
    return (x.abs() ** p).sum(-1, keepdim=keepdim) ** (1.0 / p)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim."""
    return _norm_last(x1 - x2 + eps, p, keepdim)


def _minimum(a: Tensor, b: Tensor) -> Tensor:
    import ember
    return ember.where(_const(a._data <= b._data), a, b)


def triplet_margin_loss(anchor: Tensor, positive: Tensor, negative: Tensor, margin: float = 1.0, p: float = 2,
                        eps: float = 1e-6, swap: bool = False, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)) with the p-norm distance."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce(_clamp_min(margin + d_pos - d_neg, 0), reduction)


def triplet_margin_with_distance_loss(anchor: Tensor, positive: Tensor, negative: Tensor, *,
                                      distance_function: Optional[Callable] = None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """The triplet loss with any distance function (default: ``pairwise_distance``)."""
    _check_reduction(reduction)
    dist = distance_function if distance_function is not None else pairwise_distance
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = _minimum(d_neg, dist(positive, negative))
    return _reduce(_clamp_min(margin + d_pos - d_neg, 0), reduction)


class MultiMarginLossBackward0(Node):
    __slots__ = ("self_", "target", "p", "margin", "weight", "reduction")

    def backward(self, g):
        x = self.self_.unpack()
        a = x._data
        t = self.target
        N, C = a.shape
        rows = np.arange(N)
        z = self.margin - a[rows, t][:, None] + a
        active = (z > 0)
        active[rows, t] = False
        wt = self.weight[t][:, None] if self.weight is not None else 1.0
        if self.p == 1:
            coef = active * wt / C
            coef = coef.astype(a.dtype)
            coef[rows, t] = -coef.sum(1)
            f = _const(coef)
        else:
            act = _const((active * wt / C).astype(a.dtype))
            zt = (x - x[_const(rows), _const(t)].unsqueeze(1) + self.margin) * act * 2
            onehot = np.zeros_like(a)
            onehot[rows, t] = 1
            f = zt - _const(onehot) * zt.sum(1, keepdim=True)
        if self.reduction == "none":
            g = g.reshape(-1, 1) if g.dim() else g
        elif self.reduction == "mean":
            g = g / N
        return (g * f if not self._1d else (g * f).reshape(-1),)

    _1d = False


def multi_margin_loss(input: Tensor, target: Tensor, p: int = 1, margin: float = 1.0,
                      weight: Optional[Tensor] = None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """sum over j != y of max(0, margin - x[y] + x[j])^p / C (times weight[y])."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    a = input._data
    one_d = a.ndim <= 1
    x2 = a.reshape(1, -1) if one_d else a
    N, C = x2.shape
    t = target._data.reshape(-1).astype(np.int64)
    if t.size != N:
        raise RuntimeError(f"inconsistent target size, expected {N} but got [{', '.join(map(str, target.shape))}]")
    if ((t < 0) | (t >= C)).any():
        raise IndexError("target out of range")
    rows = np.arange(N)
    z = margin - x2[rows, t][:, None] + x2
    h = np.maximum(z, 0)
    if p == 2:
        h = h * h
    h[rows, t] = 0
    if weight is not None:
        h = h * weight._data[t][:, None]
    per = (h.sum(1) / C).astype(a.dtype)
    if reduction == "none":
        out = per if not one_d else per.reshape(())
    else:
        out = _reduce_arr(per, reduction)
    r = _wrap(np.asarray(out, dtype=a.dtype))
    if needs_grad(input):
        n = record(MultiMarginLossBackward0, r, (input.reshape(1, -1) if one_d else input,))
        n.self_ = SavedTensor(input.reshape(1, -1) if one_d else input)
        n.target, n.p, n.margin, n.reduction = t, p, margin, reduction
        n.weight = weight._data if weight is not None else None
    return r


class MultilabelMarginLossBackward0(Node):
    __slots__ = ("coef", "reduction", "n")

    def backward(self, g):
        if self.reduction == "none" and g.dim() == 1:
            g = g.unsqueeze(1)
        elif self.reduction == "mean":
            g = g / self.n
        return (g * _const(self.coef),)


def multilabel_margin_loss(input: Tensor, target: Tensor, size_average=None, reduce=None,
                           reduction: str = "mean") -> Tensor:
    """sum over target classes j and non-target classes k of max(0, 1 - (x[j] - x[k])) / C;
    each row of ``target`` lists class indices, ended by the first -1."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    a = input._data
    x2 = a.reshape(1, -1) if a.ndim <= 1 else a
    t2 = target._data.reshape(x2.shape).astype(np.int64)
    N, C = x2.shape
    loss = np.zeros(N, dtype=a.dtype)
    coef = np.zeros_like(x2)
    for i in range(N):
        row = t2[i]
        stop = np.nonzero(row < 0)[0]
        tg = row[: stop[0]] if stop.size else row
        if ((tg < 0) | (tg >= C)).any():
            raise RuntimeError(f"multilabel_margin_loss: target contains out-of-range class index")
        is_t = np.zeros(C, dtype=bool)
        is_t[tg] = True
        others = ~is_t
        for j in tg:
            z = 1 - (x2[i, j] - x2[i, others])
            pos = z > 0
            loss[i] += z[pos].sum()
            coef[i, j] -= pos.sum()
            coef[i, np.nonzero(others)[0][pos]] += 1
    loss /= C
    coef /= C
    if reduction == "none":
        out = loss if a.ndim > 1 else loss.reshape(())
    else:
        out = _reduce_arr(loss, reduction)
    r = _wrap(np.asarray(out, dtype=a.dtype))
    if needs_grad(input):
        n = record(MultilabelMarginLossBackward0, r, (input,))
        n.coef = coef.reshape(a.shape)
        n.reduction, n.n = reduction, N
    return r


def multilabel_soft_margin_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                                size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """Binary logistic loss per class, averaged over classes."""
    reduction = _legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    C = input.shape[class_dim]
    loss = loss.sum(class_dim) / C
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(f"{reduction} is not a valid value for reduction")



# ------------------------------------------------------------------------------------------
# layer normalisation
class NativeLayerNormBackward0(Node):
    """Gradients of (x - mean) * rstd * w + b over the trailing ``normalized_shape`` dims
    (torch's native_layer_norm_backward): with gh = g * w,
    dx = rstd * (gh - mean(gh) - xhat * mean(gh * xhat)), dw = sum(g * xhat), db = sum(g).

    A first-order backward runs in NumPy on the forward's xhat and rstd; under
    ``create_graph=True`` the statistics are recomputed in ember ops from x, so that double
    backward is exact.
    """

    __slots__ = ("input", "weight_", "normalized_shape", "eps", "xhat", "rstd")

    def backward(self, g):
        x = self.input.unpack()
        w = self.weight_.unpack() if self.weight_ is not None else None
        nf = self.next_functions
        need_x = nf[0][0] is not None
        need_w = len(nf) > 1 and nf[1][0] is not None
        need_b = len(nf) > 2 and nf[2][0] is not None
        ns = self.normalized_shape
        if not STATE.grad_enabled and g._data.dtype == self.xhat.dtype:
            xhat, rstd = self.xhat, self.rstd           # (M, N) and (M, 1)
            N = xhat.shape[1]
            g2 = g._data.reshape(xhat.shape)
            gx = gw = gb = None
            if need_x:
                gh = g2 * w._data.reshape(1, N) if w is not None else g2
                a = gh.mean(axis=1, keepdims=True)
                b = np.einsum("ij,ij->i", gh, xhat)[:, None]
                b *= np.asarray(1.0 / N, b.dtype)
                d = xhat * b
                np.subtract(gh, d, out=d)
                d -= a
                d *= rstd
                gx = _wrap(d.reshape(x._data.shape))
            if need_w:
                gw = _wrap(np.einsum("ij,ij->j", g2, xhat).reshape(ns))
            if need_b:
                gb = _wrap(g2.sum(axis=0).reshape(ns))
            return gx, gw, gb
        dims = tuple(range(x.dim() - len(ns), x.dim()))
        xc = x - x.mean(dims, keepdim=True)
        rstd = ((xc * xc).mean(dims, keepdim=True) + self.eps).pow(-0.5)
        xhat = xc * rstd
        gx = gw = gb = None
        if need_x:
            gh = g if w is None else g * w
            gx = rstd * (gh - gh.mean(dims, keepdim=True) - xhat * (gh * xhat).mean(dims, keepdim=True))
        if need_w:
            gw = (g * xhat).reshape((-1,) + ns).sum(0)
        if need_b:
            gb = g.reshape((-1,) + ns).sum(0)
        return gx, gw, gb


_F32_F64 = {np.dtype(np.float32), np.dtype(np.float64)}


def _layer_norm(input: Tensor, normalized_shape, weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
                eps: float = 1e-5) -> Tensor:
    """``F.layer_norm`` as one fused op (what ``nn.LayerNorm`` runs); unusual cases (mixed
    dtypes, non-float input, shapes that do not match) go to ``F.layer_norm``.

    >>> _layer_norm(ember.tensor([[1.0, 3.0]]), (2,))
    tensor([[-1.0000,  1.0000]])
    """
    ns = tuple(normalized_shape)
    xa = input._data
    dt = xa.dtype
    k = len(ns)
    for t in (weight, bias):
        if t is not None and t._data.dtype != dt and {dt, t._data.dtype} == _F32_F64:
            raise RuntimeError("mixed dtype (CPU): expect parameter to have scalar type of Float" if dt == np.float32
                               else "mixed dtype (CPU): all inputs must share same datatype.")
    if (dt not in (np.float32, np.float64) or xa.ndim < k or xa.shape[xa.ndim - k:] != ns or not xa.size
            or any(t is not None and (t._data.dtype != dt or t._data.shape != ns) for t in (weight, bias))):
        from .functional import layer_norm
        return layer_norm(input, ns, weight, bias, eps)
    N = 1
    for v in ns:
        N *= v
    x2 = xa.reshape(-1, N)
    xhat = x2 - x2.mean(axis=1, keepdims=True)
    var = np.einsum("ij,ij->i", xhat, xhat)[:, None]
    var *= np.asarray(1.0 / N, dt)
    var += np.asarray(eps, dt)
    rstd = np.sqrt(var, out=var)
    np.divide(np.asarray(1.0, dt), rstd, out=rstd)
    xhat *= rstd
    out = xhat * weight._data.reshape(1, N) if weight is not None else xhat.copy()
    if bias is not None:
        out += bias._data.reshape(1, N)
    r = _wrap(out.reshape(xa.shape))
    if needs_grad(input, weight, bias):
        n = record(NativeLayerNormBackward0, r, (input, weight, bias))
        n.input = SavedTensor(input)
        n.weight_ = SavedTensor(weight) if weight is not None else None
        n.normalized_shape, n.eps, n.xhat, n.rstd = ns, eps, xhat, rstd
    return r


# ------------------------------------------------------------------------------------------
# attention
def _attn_bias(mask: Optional[Tensor], L: int, S: int, dtype, is_causal: bool) -> Optional[np.ndarray]:
    """The additive bias of a boolean (True = attend) or float mask, and of ``is_causal``."""
    bias = None
    if is_causal:
        bias = np.where(np.tril(np.ones((L, S), dtype=bool)), 0, -np.inf).astype(dtype)
    if mask is not None:
        m = mask._data
        mb = np.where(m, 0, -np.inf).astype(dtype) if m.dtype == np.bool_ else m.astype(dtype, copy=False)
        bias = mb if bias is None else bias + mb
    return bias


def _repeat_heads(x: Tensor, n: int) -> Tensor:
    """``x.repeat_interleave(n, -3)`` (grouped-query attention)."""
    idx = np.repeat(np.arange(x.shape[-3]), n)
    return x[(Ellipsis, _const(idx), slice(None), slice(None))]


class ScaledDotProductFlashAttentionForCpuBackward0(Node):
    """Fused attention softmax(q k^T * scale + bias) v; the backward is NumPy, or (under
    ``create_graph=True``) the op-by-op composition differentiated."""

    __slots__ = ("query", "key", "value", "bias", "scale", "probs")

    def apply(self, grads):
        g = grads[0]
        q, k, v = self.query.unpack(), self.key.unpack(), self.value.unpack()
        if STATE.grad_enabled:
            from ..autograd import grad as _grad
            out = _sdpa_composed(q, k, v, self.bias, self.scale)
            wanted = [i for i, (f, _) in enumerate(self.next_functions) if f is not None]
            ins = [q, k, v]
            res = _grad([out], [ins[i] for i in wanted], [g], create_graph=True, allow_unused=True)
            full = [None, None, None]
            for i, r in zip(wanted, res):
                full[i] = r
            return tuple(full)
        P = self.probs
        ga = g._data
        nf = self.next_functions
        dV = np.swapaxes(P, -1, -2) @ ga if nf[2][0] is not None else None
        # dS = P * (dP - rowsum(dP * P)) * scale, in place on dP
        dS = ga @ np.swapaxes(v._data, -1, -2)
        rows = np.einsum("...ij,...ij->...i", dS, P)
        dS -= rows[..., None]
        dS *= P
        dS *= np.asarray(self.scale, dS.dtype)
        dQ = dS @ k._data if nf[0][0] is not None else None
        dK = np.swapaxes(dS, -1, -2) @ q._data if nf[1][0] is not None else None
        return (_wrap(dQ.astype(ga.dtype, copy=False)) if nf[0][0] is not None else None,
                _wrap(dK.astype(ga.dtype, copy=False)) if nf[1][0] is not None else None,
                _wrap(dV.astype(ga.dtype, copy=False)) if nf[2][0] is not None else None)


def _sdpa_composed(q, k, v, bias, scale, dropout_p: float = 0.0):
    attn = (q @ k.transpose(-2, -1)) * scale
    if bias is not None:
        attn = attn + _const(bias)
    attn = _softmax(attn, -1)
    if dropout_p > 0.0:
        from .functional import dropout
        attn = dropout(attn, dropout_p, True)
    return attn @ v


def scaled_dot_product_attention(query: Tensor, key: Tensor, value: Tensor, attn_mask: Optional[Tensor] = None,
                                 dropout_p: float = 0.0, is_causal: bool = False, scale: Optional[float] = None,
                                 enable_gqa: bool = False) -> Tensor:
    """softmax(q k^T / sqrt(E) + mask) v. A boolean mask marks positions that may be attended;
    a float mask is added. Without dropout, 4-d inputs run as one fused op (rows whose keys are
    all masked give 0, as torch's CPU kernel does).

    >>> q = ember.ones(1, 1, 2, 4)
    >>> scaled_dot_product_attention(q, q, q).shape
    torch.Size([1, 1, 2, 4])
    """
    L, S, E = query.shape[-2], key.shape[-2], query.shape[-1]
    sc = 1.0 / math.sqrt(E) if scale is None else scale
    if enable_gqa and key.dim() >= 3 and query.shape[-3] != key.shape[-3]:
        key = _repeat_heads(key, query.shape[-3] // key.shape[-3])
        value = _repeat_heads(value, query.shape[-3] // value.shape[-3])
    dt = query._data.dtype
    bias = _attn_bias(attn_mask, L, S, dt, is_causal)
    if dropout_p > 0.0 or query.dim() != 4:
        return _sdpa_composed(query, key, value, bias, sc, dropout_p)
    qa, ka, va = query._data, key._data, value._data
    scores = qa @ np.swapaxes(ka, -1, -2)
    scores *= np.asarray(sc, scores.dtype)
    if bias is not None:
        scores += bias
    with np.errstate(invalid="ignore"):
        m = scores.max(-1, keepdims=True)
        if attn_mask is None and np.isfinite(m).all():
            # every row has a finite score (a causal mask keeps the diagonal): softmax in place
            scores -= m
            P = np.exp(scores, out=scores)
            P /= P.sum(-1, keepdims=True)
        else:
            m = np.where(np.isfinite(m), m, 0)
            e = np.exp(scores - m)
            den = e.sum(-1, keepdims=True)
            P = np.where(den > 0, e / np.where(den > 0, den, 1), 0)
        P = P.astype(dt, copy=False)
    out = _wrap((P @ va).astype(dt, copy=False))
    if needs_grad(query, key, value):
        n = record(ScaledDotProductFlashAttentionForCpuBackward0, out, (query, key, value))
        n.query, n.key, n.value = SavedTensor(query), SavedTensor(key), SavedTensor(value)
        n.bias, n.scale, n.probs = bias, sc, P
    return out


def _none_or_dtype(x):
    if x is None:
        return None
    if isinstance(x, Tensor):
        return x.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask: Optional[Tensor], mask_name: str, other_type, other_name: str, target_type,
                    check_other: bool = True) -> Optional[Tensor]:
    """A boolean mask (True = masked out) as a float mask of 0 / -inf; float masks pass."""
    if mask is None:
        return None
    m = mask._data
    if m.dtype != np.bool_ and m.dtype.kind != "f":
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and (m.dtype == np.bool_) != (other_type == D.bool):
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both instead.",
                      UserWarning, stacklevel=3)
    if m.dtype == np.bool_:
        return _const(np.where(m, -np.inf, 0).astype(target_type.np if hasattr(target_type, "np") else target_type))
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found {key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3 and attn_mask.shape != (num_heads, query.shape[0], key.shape[0]):
                raise AssertionError(f"Expected `attn_mask` shape to be {(num_heads, query.shape[0], key.shape[0])} but got {attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query tensor")


def _pad_last(mask: Tensor) -> Tensor:
    """A zero column appended to a mask (``F.pad(mask, (0, 1))``)."""
    m = mask._data
    return _const(np.concatenate([m, np.zeros(m.shape[:-1] + (1,), m.dtype)], -1))


def multi_head_attention_forward(query: Tensor, key: Tensor, value: Tensor, embed_dim_to_check: int, num_heads: int,
                                 in_proj_weight: Optional[Tensor], in_proj_bias: Optional[Tensor],
                                 bias_k: Optional[Tensor], bias_v: Optional[Tensor], add_zero_attn: bool,
                                 dropout_p: float, out_proj_weight: Tensor, out_proj_bias: Optional[Tensor],
                                 training: bool = True, key_padding_mask: Optional[Tensor] = None,
                                 need_weights: bool = True, attn_mask: Optional[Tensor] = None,
                                 use_separate_proj_weight: bool = False, q_proj_weight: Optional[Tensor] = None,
                                 k_proj_weight: Optional[Tensor] = None, v_proj_weight: Optional[Tensor] = None,
                                 static_k: Optional[Tensor] = None, static_v: Optional[Tensor] = None,
                                 average_attn_weights: bool = True, is_causal: bool = False):
    """Multi-head attention on (L, N, E) inputs (unbatched (L, E) too), as torch computes it:
    packed in-projection, optional bias_k/bias_v and zero-attention column, masks merged into
    one additive mask; with ``need_weights`` the weights are computed explicitly (and averaged
    over heads), else through ``scaled_dot_product_attention``."""
    from .functional import dropout, linear
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module method "
                           "`generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    E = embed_dim
    b_q = b_k = b_v = None
    if in_proj_bias is not None:
        b_q, b_k, b_v = in_proj_bias[0:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:]
    if not use_separate_proj_weight:
        w_q, w_k, w_v = in_proj_weight[0:E], in_proj_weight[E:2 * E], in_proj_weight[2 * E:]
    else:
        w_q, w_k, w_v = q_proj_weight, k_proj_weight, v_proj_weight
    q = linear(query, w_q, b_q)
    k = linear(key, w_k, b_k)
    v = linear(value, w_v, b_v)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be {(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be {(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")
    if bias_k is not None and bias_v is not None:
        k = _cat([k, bias_k.expand(1, bsz, E)])
        v = _cat([v, bias_v.expand(1, bsz, E)])
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None else static_k)
    v = (v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None else static_v)
    if add_zero_attn:
        z = _const(np.zeros((bsz * num_heads, 1, head_dim), dtype=q._data.dtype))
        k = _cat([k, z], 1)
        v = _cat([v, z], 1)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        if tuple(key_padding_mask.shape) != (bsz, src_len):
            raise AssertionError(f"expecting key_padding_mask shape of {(bsz, src_len)}, but got {key_padding_mask.shape}")
        kpm = np.broadcast_to(key_padding_mask._data.reshape(bsz, 1, 1, src_len), (bsz, num_heads, 1, src_len))
        kpm = _const(kpm.reshape(bsz * num_heads, 1, src_len))
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0
    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        w = q_scaled @ k.transpose(-2, -1)
        if attn_mask is not None:
            w = attn_mask + w
        w = _softmax(w, -1)
        if dropout_p > 0.0:
            w = dropout(w, p=dropout_p)
        out = w @ v
        out = out.transpose(0, 1).contiguous().reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.view(tgt_len, bsz, out.shape[1])
        w = w.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            w = w.mean(dim=1)
        if not is_batched:
            out = out.squeeze(1)
            w = w.squeeze(0)
        return out, w
    if attn_mask is not None:
        if attn_mask.shape[0] == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).contiguous().reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.view(tgt_len, bsz, out.shape[1])
    if not is_batched:
        out = out.squeeze(1)
    return out, None



# ---- connectionist temporal classification -------------------------------------------------
class CtcLossBackward0(Node):
    """grad[t, b, c] = exp(lp) - exp(log(alpha beta summed over label c) + nll - lp), as torch's
    kernel (its gradient includes the exp(lp) term; it is the same after a log_softmax)."""

    __slots__ = ("grad_table", "unbatched")

    def backward(self, g):
        gb = g.reshape(1, -1, 1) if g.dim() else g
        out = gb * _const(self.grad_table)
        return (out.reshape(out.shape[0], out.shape[2]) if self.unbatched else out,)


def _lse(*xs):
    m = np.maximum.reduce(xs)
    mm = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return np.where(np.isfinite(m), mm + np.log(sum(np.exp(x - mm) for x in xs)), m)


def _ctc_one(lp: np.ndarray, tgt: np.ndarray, blank: int):
    """(nll, gradient of nll w.r.t. lp) for one sequence; lp is (T, C) float64."""
    T, C = lp.shape
    L = tgt.size
    S = 2 * L + 1
    ext = np.full(S, blank, dtype=np.int64)
    ext[1::2] = tgt
    skip = np.zeros(S, dtype=bool)
    if L > 1:
        skip[3::2] = ext[3::2] != ext[1:-2:2]
    ninf = -np.inf
    alpha = np.full((T, S), ninf)
    alpha[0, 0] = lp[0, blank]
    if S > 1:
        alpha[0, 1] = lp[0, ext[1]]
    for t in range(1, T):
        prev = alpha[t - 1]
        a1 = np.concatenate([[ninf], prev[:-1]])
        a2 = np.where(skip, np.concatenate([[ninf, ninf], prev[:-2]]), ninf)
        alpha[t] = _lse(prev, a1, a2) + lp[t, ext]
    nll = -(_lse(alpha[T - 1, S - 1], alpha[T - 1, S - 2]) if S > 1 else alpha[T - 1, S - 1])
    beta = np.full((T, S), ninf)
    beta[T - 1, S - 1] = lp[T - 1, blank]
    if S > 1:
        beta[T - 1, S - 2] = lp[T - 1, ext[S - 2]]
    skip_next = np.zeros(S, dtype=bool)
    skip_next[:-2] = skip[2:]
    for t in range(T - 2, -1, -1):
        nxt = beta[t + 1]
        b1 = np.concatenate([nxt[1:], [ninf]])
        b2 = np.where(skip_next, np.concatenate([nxt[2:], [ninf, ninf]]), ninf)
        beta[t] = _lse(nxt, b1, b2) + lp[t, ext]
    ab = alpha + beta
    lcab = np.full((T, C), ninf)
    for s_ in range(S):
        lcab[:, ext[s_]] = _lse(lcab[:, ext[s_]], ab[:, s_])
    with np.errstate(over="ignore", invalid="ignore"):
        grad = np.exp(lp) - np.exp(lcab + nll - lp)
    return nll, grad


def ctc_loss(log_probs: Tensor, targets: Tensor, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False) -> Tensor:
    """The CTC loss of (T, N, C) log-probabilities against padded (N, S) or concatenated
    targets; ``'mean'`` divides each loss by its target length, then averages."""
    _check_reduction(reduction)
    lpa = log_probs._data
    unbatched = lpa.ndim == 2
    lp3 = lpa[:, None, :] if unbatched else lpa
    T, N, C = lp3.shape
    il = _lengths(input_lengths, N)
    tl = _lengths(target_lengths, N)
    ta = targets._data.astype(np.int64)
    if unbatched and ta.ndim == 1 and tl.size == 1:
        ta = ta[None, :] if ta.size and ta.size >= tl[0] else ta.reshape(1, -1)
    losses = np.zeros(N, dtype=np.float64)
    table = np.zeros((T, N, C), dtype=np.float64)
    offset = 0
    for b in range(N):
        Tb, Lb = int(il[b]), int(tl[b])
        if ta.ndim == 2:
            tgt = ta[b, :Lb]
        else:
            tgt = ta[offset:offset + Lb]
            offset += Lb
        nll, grad = _ctc_one(lp3[:Tb, b].astype(np.float64), tgt, blank)
        if zero_infinity and not np.isfinite(nll):
            grad = np.zeros_like(grad)
        losses[b] = nll
        table[:Tb, b] = grad
    dt = lpa.dtype
    losses = losses.astype(dt)
    r = _wrap(losses.reshape(()) if unbatched else losses)
    if needs_grad(log_probs):
        n = record(CtcLossBackward0, r, (log_probs,))
        n.grad_table, n.unbatched = table.astype(dt), unbatched
    if zero_infinity:
        # NOTE: torch zeroes infinite losses with where(loss == inf, 0, loss)
        import ember
        r = ember.where(_const(np.isposinf(r._data)), _const(np.zeros((), dt)), r)
    if reduction == "mean":
        denom = np.maximum(tl, 1).astype(dt)
        return (r / _const(denom.reshape(r.shape) if unbatched else denom)).mean()
    if reduction == "sum":
        return r.sum()
    return r


def _lengths(x, n: int) -> np.ndarray:
    if isinstance(x, Tensor):
        return x._data.astype(np.int64).reshape(-1)
    return np.asarray(list(x) if not isinstance(x, int) else [x], dtype=np.int64).reshape(-1)


__all__ = [_n for _n in __all__ if _n in globals()]
