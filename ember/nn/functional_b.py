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


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0); gradient 0 at 0.

    >>> relu(ember.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """
    return input.relu_() if inplace else input.relu()


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


class GeluBackward0(Node):
    """none: grad * (Phi(x) + x * phi(x)); tanh: the derivative of the tanh approximation."""

    __slots__ = ("self_", "approximate")

    def backward(self, g):
        x = self.self_.unpack()
        if self.approximate == "tanh":
            inner = (x + x * x * x * 0.044715) * _SQRT_2_PI
            t = inner.tanh()
            d_inner = (x * x * (3 * 0.044715) + 1) * _SQRT_2_PI
            return (g * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * d_inner),)
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
    else:
        out = a * np.asarray(0.5, a.dtype) * (1 + _erf_np(a * np.asarray(1 / _SQRT_2, a.dtype)))
    return _unary(input, out.astype(a.dtype, copy=False), GeluBackward0, approximate=approximate)


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
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd:g}.")
    a = _float_input(input, "softshrink")
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

    __slots__ = ("result", "dim")

    def backward(self, g):
        y = self.result.unpack(self)
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
    r = _wrap(_log_softmax_arr(a, d))
    if needs_grad(input):
        n = record(LogSoftmaxBackward0, r, (input,))
        n.result, n.dim = SavedTensor(r, n), d
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


__all__ = [_n for _n in __all__ if _n in globals()]
