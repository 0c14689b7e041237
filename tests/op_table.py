"""The shared op table: one row per op variant, run by ``test_op_table.py`` against torch.

Each row names the op, a ``fn(T, *xs)`` written once for both libraries (``T`` is ``ember`` or
``torch``), the inputs (shapes, or ready NumPy arrays), and what to check. Every row gets:
forward values/dtype/shape/grad_fn vs torch, input gradients vs torch, a float64
finite-difference check (first and second order) unless ``fd=False``, and second-order
gradients vs torch unless ``double_backward=False``. Rows whose inputs are all 2-d are also run
on non-contiguous (transposed) inputs.

To add ops: append ``Op(...)`` rows to ``OPS`` (keep one row per line or a short block).

    Op("mul", lambda T, x, y: x * y, [(3, 4), (4,)]),
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

import numpy as np


@dataclass
class Op:
    name: str
    fn: Callable[..., Any]
    inputs: Sequence[Any]                 # shapes (tuples) or NumPy arrays
    dtype: str = "float32"                # dtype of generated inputs
    low: float = -2.0                     # range of generated inputs
    high: float = 2.0
    atol: Optional[float] = None          # None: the oracle's dtype-aware default
    rtol: Optional[float] = None
    grad: bool = True                     # compare input gradients with torch
    fd: bool = True                       # float64 finite differences (first and second order)
    double_backward: bool = True          # second-order gradients vs torch
    noncontig: bool = True                # also run on transposed inputs (when all are 2-d)
    tags: tuple = field(default_factory=tuple)

    @property
    def id(self) -> str:
        return self.name


def A(*values, dtype="float32"):
    """A ready input array (for exact points: kinks, ties, zeros)."""
    return np.array(values, dtype=dtype)


def LA(T):
    """``T.linalg`` (ember's norms live in its reduction family until ``ember.linalg`` exists)."""
    try:
        return T.linalg
    except (AttributeError, ImportError):
        return T._reduction


S = (3, 4)
INF = math.inf

OPS = [
    # ------------------------------------------------------------------ arithmetic
    Op("add", lambda T, x, y: T.add(x, y), [S, S]),
    Op("add_broadcast", lambda T, x, y: x + y, [(2, 1, 4), (3, 1)]),
    Op("add_alpha", lambda T, x, y: T.add(x, y, alpha=-1.5), [S, (4,)]),
    Op("add_scalar", lambda T, x: 2.5 + x, [S]),
    Op("add_0d", lambda T, x, y: x + y, [(), S]),
    Op("add_empty", lambda T, x, y: x + y, [(0, 4), (4,)]),
    Op("sub", lambda T, x, y: T.sub(x, y, alpha=2), [S, S]),
    Op("rsub", lambda T, x: 1 - x, [S]),
    Op("mul", lambda T, x, y: x * y, [S, (1, 4)]),
    Op("mul_scalar", lambda T, x: x * 3, [S]),
    Op("div", lambda T, x, y: T.div(x, y), [S, S], low=0.5, high=2.0),
    Op("div_scalar", lambda T, x: x / 4, [S]),
    Op("rdiv", lambda T, x: 2 / x, [S], low=0.5, high=2.0),
    Op("div_floor", lambda T, x, y: T.div(x, y, rounding_mode="floor"), [S, S], low=0.3, fd=False),
    Op("div_trunc", lambda T, x: T.div(x, 0.7, rounding_mode="trunc"), [S], fd=False),
    Op("true_divide", lambda T, x, y: T.true_divide(x, y), [S, S], low=0.5),
    Op("remainder", lambda T, x, y: T.remainder(x, y), [S, S], low=0.3, high=2.0, fd=False),
    Op("remainder_scalar", lambda T, x: x % 0.7, [S], fd=False),
    Op("fmod", lambda T, x, y: T.fmod(x, y), [S, S], low=0.3, high=2.0, fd=False),
    Op("fmod_scalar", lambda T, x: T.fmod(x, -0.7), [S], fd=False),
    Op("neg", lambda T, x: -x, [S]),
    Op("pos", lambda T, x: +x, [S]),
    Op("pow_scalar", lambda T, x: x ** 3, [S]),
    Op("pow_frac", lambda T, x: T.pow(x, 2.5), [S], low=0.2),
    Op("pow_tensor", lambda T, x, y: x ** y, [S, S], low=0.3),
    Op("pow_scalar_base", lambda T, x: 1.7 ** x, [S]),
    Op("pow_zero_base", lambda T, x, y: x ** y, [A(0.0, 0.0, 1.0, 2.0), A(2.0, 1.0, 0.0, 3.0)], fd=False),
    Op("square", lambda T, x: T.square(x), [S]),
    Op("reciprocal", lambda T, x: x.reciprocal(), [S], low=0.5),
    Op("sqrt", lambda T, x: x.sqrt(), [S], low=0.2),
    Op("rsqrt", lambda T, x: T.rsqrt(x), [S], low=0.2),
    Op("abs", lambda T, x: T.abs(x), [S]),
    Op("sign", lambda T, x: T.sign(x), [S], fd=False),
    # ------------------------------------------------------------------ exp / log
    Op("exp", lambda T, x: x.exp(), [S]),
    Op("exp2", lambda T, x: T.exp2(x), [S]),
    Op("expm1", lambda T, x: T.expm1(x), [S]),
    Op("log", lambda T, x: x.log(), [S], low=0.2),
    Op("log2", lambda T, x: T.log2(x), [S], low=0.2),
    Op("log10", lambda T, x: T.log10(x), [S], low=0.2),
    Op("log1p", lambda T, x: T.log1p(x), [S], low=-0.5),
    Op("xlogy", lambda T, x, y: T.xlogy(x, y), [S, S], low=0.2),
    Op("xlogy_scalar_other", lambda T, x: T.xlogy(x, 3.0), [S]),
    Op("xlogy_scalar_self", lambda T, y: T.xlogy(2.0, y), [S], low=0.2),
    Op("xlogy_zero", lambda T, x, y: T.xlogy(x, y), [A(0.0, 0.0, 1.0), A(0.0, 2.0, 0.5)], fd=False),
    # ------------------------------------------------------------------ trigonometric / hyperbolic
    Op("sin", lambda T, x: T.sin(x), [S]),
    Op("cos", lambda T, x: T.cos(x), [S]),
    Op("tan", lambda T, x: T.tan(x), [S], low=-1.2, high=1.2),
    Op("asin", lambda T, x: T.asin(x), [S], low=-0.9, high=0.9),
    Op("acos", lambda T, x: T.acos(x), [S], low=-0.9, high=0.9),
    Op("atan", lambda T, x: T.atan(x), [S]),
    Op("atan2", lambda T, x, y: T.atan2(x, y), [S, S]),
    Op("sinh", lambda T, x: T.sinh(x), [S]),
    Op("cosh", lambda T, x: T.cosh(x), [S]),
    Op("tanh", lambda T, x: T.tanh(x), [S]),
    Op("asinh", lambda T, x: T.asinh(x), [S]),
    Op("acosh", lambda T, x: T.acosh(x), [S], low=1.2, high=3.0),
    Op("atanh", lambda T, x: T.atanh(x), [S], low=-0.9, high=0.9),
    Op("hypot", lambda T, x, y: T.hypot(x, y), [S, (4,)]),
    # ------------------------------------------------------------------ special functions
    Op("sigmoid", lambda T, x: T.sigmoid(x), [S]),
    Op("logit", lambda T, x: T.logit(x), [S], low=0.1, high=0.9),
    Op("logit_eps", lambda T, x: T.logit(x, eps=0.2), [S], low=0.05, high=0.95, fd=False),
    Op("erf", lambda T, x: T.erf(x), [S]),
    Op("erfc", lambda T, x: T.erfc(x), [S]),
    Op("erfinv", lambda T, x: T.erfinv(x), [S], low=-0.95, high=0.95),
    # ------------------------------------------------------------------ rounding
    Op("floor", lambda T, x: T.floor(x), [S]),
    Op("ceil", lambda T, x: T.ceil(x), [S]),
    Op("round", lambda T, x: T.round(x), [S]),
    Op("round_decimals", lambda T, x: T.round(x, decimals=2), [S], fd=False),
    Op("trunc", lambda T, x: T.trunc(x), [S]),
    Op("frac", lambda T, x: T.frac(x), [S]),
    # ------------------------------------------------------------------ clamping and extrema
    Op("clamp", lambda T, x: T.clamp(x, -0.5, 0.7), [S]),
    Op("clamp_min_only", lambda T, x: x.clamp(min=-0.5), [S]),
    Op("clamp_max_only", lambda T, x: x.clamp(max=0.5), [S]),
    Op("clamp_tensor", lambda T, x, lo, hi: T.clamp(x, lo, hi + 1.0), [S, S, (4,)]),
    Op("clamp_tensor_min", lambda T, x, lo: x.clamp(min=lo), [S, (1, 4)]),
    Op("clamp_at_bounds", lambda T, x: x.clamp(-1.0, 1.0), [A(-1.0, 1.0, 0.0, 2.0, -3.0)], fd=False),
    Op("clip", lambda T, x: T.clip(x, -1, 1), [S]),
    Op("clamp_min", lambda T, x: T.clamp_min(x, 0.1), [S]),
    Op("clamp_max", lambda T, x: T.clamp_max(x, 0.1), [S]),
    Op("clamp_min_tensor", lambda T, x, y: T.clamp_min(x, y), [S, S]),
    Op("clamp_max_tensor", lambda T, x, y: T.clamp_max(x, y), [S, S]),
    Op("maximum", lambda T, x, y: T.maximum(x, y), [S, S]),
    Op("minimum", lambda T, x, y: T.minimum(x, y), [S, (4,)]),
    Op("maximum_ties", lambda T, x, y: T.maximum(x, y), [A(1.0, 2.0, 3.0), A(1.0, 0.0, 3.0)], fd=False),
    Op("minimum_ties", lambda T, x, y: T.minimum(x, y), [A(1.0, 2.0, 3.0), A(1.0, 0.0, 3.0)], fd=False),
    Op("fmax", lambda T, x, y: T.fmax(x, y), [S, S]),
    Op("fmin", lambda T, x, y: T.fmin(x, y), [S, S]),
    Op("relu", lambda T, x: T.relu(x), [S]),
    # ------------------------------------------------------------------ ternary
    Op("lerp", lambda T, x, y: T.lerp(x, y, 0.3), [S, S]),
    Op("lerp_tensor", lambda T, x, y, w: T.lerp(x, y, w), [S, S, (4,)]),
    Op("addcmul", lambda T, x, a, b: T.addcmul(x, a, b, value=0.5), [S, S, (4,)]),
    Op("addcdiv", lambda T, x, a, b: T.addcdiv(x, a, b, value=-2), [S, S, S], low=0.5),
    Op("where", lambda T, x, y: T.where(x > 0, x, y), [S, S]),
    Op("where_scalar", lambda T, x: T.where(x > 0, x, 0.5), [S]),
    Op("masked_fill", lambda T, x: x.masked_fill(x > 0.5, -1.0), [S]),
    Op("masked_fill_tensor", lambda T, x, v: T.masked_fill(x, x < 0, v.sum()), [S, (2,)]),
    Op("nan_to_num", lambda T, x: T.nan_to_num(x, nan=1.0), [S]),
    # ------------------------------------------------------------------ in-place forms (on a non-leaf)
    Op("add_", lambda T, x, y: (x * 1).add_(y, alpha=2), [S, S]),
    Op("mul_", lambda T, x, y: (x * 1).mul_(y), [S, (4,)]),
    Op("clamp_", lambda T, x: (x * 1).clamp_(-0.5, 0.5), [S]),
    Op("masked_fill_", lambda T, x: (x * 1).masked_fill_(x > 0, 0.0), [S]),
    Op("exp_", lambda T, x: (x * 1).exp_(), [S]),
    Op("log1p_", lambda T, x: (x * 1).log1p_(), [S], low=-0.5),
    Op("lerp_", lambda T, x, y: (x + 0).lerp_(y, 0.25), [S, S]),
    Op("addcdiv_", lambda T, x, a, b: (x * 1).addcdiv_(a, b), [S, S, S], low=0.5),
    Op("inplace_on_view", lambda T, x: (lambda y: (y[0].clamp_(-0.5, 0.5), y * 1)[1])(x * 1), [S]),
    Op("sigmoid_", lambda T, x: (x * 1).sigmoid_(), [S]),
    # ------------------------------------------------------------------ sums and means
    Op("sum", lambda T, x: x.sum(), [S]),
    Op("sum_dim", lambda T, x: x.sum(-1), [S]),
    Op("sum_dims_keepdim", lambda T, x: T.sum(x, (0, 2), keepdim=True), [(2, 3, 4)]),
    Op("sum_0d", lambda T, x: x.sum(0), [()]),
    Op("sum_empty", lambda T, x: x.sum(0), [(0, 3)]),
    Op("mean", lambda T, x: T.mean(x), [S]),
    Op("mean_dim", lambda T, x: x.mean(dim=(-1, 0)), [(2, 3, 4)]),
    Op("nansum", lambda T, x: T.nansum(x, 1), [S]),
    Op("prod", lambda T, x: x.prod(), [(2, 3)]),
    Op("prod_dim", lambda T, x: T.prod(x, 1, keepdim=True), [S]),
    Op("prod_one_zero", lambda T, x: x.prod(), [A(0.0, 2.0, -3.0, 1.5)]),
    Op("prod_two_zeros", lambda T, x: x.prod(), [A(0.0, 2.0, 0.0, 1.5)]),
    Op("prod_dim_zeros", lambda T, x: x.prod(0), [A([0.0, 2.0], [3.0, 0.0], [4.0, 5.0])]),
    Op("cumsum", lambda T, x: x.cumsum(1), [S]),
    Op("cumsum_neg", lambda T, x: T.cumsum(x, -2), [(2, 3, 4)]),
    Op("cumprod", lambda T, x: T.cumprod(x, 1), [S]),
    Op("cumprod_zeros", lambda T, x: T.cumprod(x, 0), [A(1.5, 0.0, 2.0, 0.0, 3.0)]),
    Op("cummax", lambda T, x: T.cummax(x, 1).values, [S]),
    Op("cummin", lambda T, x: x.cummin(0).values, [S]),
    Op("logsumexp", lambda T, x: T.logsumexp(x, 1), [S]),
    Op("logsumexp_dims", lambda T, x: x.logsumexp((0, 2), keepdim=True), [(2, 3, 4)]),
    # ------------------------------------------------------------------ extrema
    Op("max", lambda T, x: x.max(), [S]),
    Op("max_ties", lambda T, x: x.max(), [A(1.0, 3.0, 3.0, -1.0)], fd=False),
    Op("max_dim", lambda T, x: T.max(x, 1), [S]),
    Op("max_dim_keepdim", lambda T, x: x.max(-2, keepdim=True), [S]),
    Op("max_binary", lambda T, x, y: T.max(x, y), [S, S]),
    Op("min", lambda T, x: T.min(x), [S]),
    Op("min_dim", lambda T, x: x.min(0), [S]),
    Op("amax", lambda T, x: T.amax(x, 1), [S]),
    Op("amax_ties", lambda T, x: x.amax(1), [A([1.0, 2.0, 2.0], [0.0, 0.0, 0.0])], fd=False),
    Op("amin_dims", lambda T, x: T.amin(x, (0, 1)), [(2, 3, 4)]),
    Op("argmax", lambda T, x: x.argmax(1), [S], grad=False, fd=False),
    Op("argmin", lambda T, x: T.argmin(x), [S], grad=False, fd=False),
    # ------------------------------------------------------------------ statistics
    Op("var", lambda T, x: x.var(), [S]),
    Op("var_dim", lambda T, x: T.var(x, 1, keepdim=True), [S]),
    Op("var_correction0", lambda T, x: x.var(0, correction=0), [S]),
    Op("var_unbiased_false", lambda T, x: T.var(x, 1, False), [S]),
    Op("std", lambda T, x: x.std(), [S]),
    Op("std_dim", lambda T, x: T.std(x, (0, 1)), [(2, 3, 4)]),
    Op("var_mean", lambda T, x: T.var_mean(x, 1), [S]),
    Op("std_mean", lambda T, x: T.std_mean(x, 0, keepdim=True), [S]),
    Op("median", lambda T, x: x.median(), [S]),
    Op("median_dim", lambda T, x: T.median(x, 1), [S]),
    Op("nanmedian_dim", lambda T, x: T.nanmedian(x, 0), [S]),
    Op("mode", lambda T, x: T.mode(x, 1), [A([1.0, 2.0, 2.0, 3.0], [5.0, 5.0, 4.0, 4.0])], fd=False),
    Op("kthvalue", lambda T, x: x.kthvalue(2, 1), [S]),
    # ------------------------------------------------------------------ norms
    Op("norm", lambda T, x: x.norm(), [S]),
    Op("norm_p1_dim", lambda T, x: T.norm(x, 1, dim=1), [S]),
    Op("norm_p3", lambda T, x: x.norm(p=3, dim=0, keepdim=True), [S]),
    Op("norm_inf", lambda T, x: x.norm(INF), [S]),
    Op("vector_norm", lambda T, x: LA(T).vector_norm(x, 2, dim=(0, 1)), [(2, 3, 4)]),
    Op("vector_norm_neg_inf", lambda T, x: LA(T).vector_norm(x, -INF, dim=1), [S]),
    Op("vector_norm_0", lambda T, x: LA(T).vector_norm(x, 0), [S], fd=False),
    Op("matrix_norm_fro", lambda T, x: LA(T).matrix_norm(x), [(2, 3, 4)]),
    Op("matrix_norm_1", lambda T, x: LA(T).matrix_norm(x, 1), [S]),
    Op("matrix_norm_inf", lambda T, x: LA(T).matrix_norm(x, -INF, keepdim=True), [S]),
    Op("norm_at_zero", lambda T, x: x.norm(), [A(0.0, 0.0, 0.0)], fd=False),
    # ------------------------------------------------------------------ softmax family
    Op("softmax", lambda T, x: T.softmax(x, 1), [S]),
    Op("softmax_dim0", lambda T, x: x.softmax(0), [(2, 3, 4)]),
    Op("softmax_dtype", lambda T, x: T.softmax(x, -1, dtype=T.float64), [S]),
    Op("softmax_large", lambda T, x: T.softmax(x * 1000, 1), [S], fd=False),
    Op("log_softmax", lambda T, x: T.log_softmax(x, 1), [S]),
    Op("log_softmax_neg", lambda T, x: x.log_softmax(-2), [(2, 3, 4)]),
    Op("log_softmax_0d", lambda T, x: x.log_softmax(0), [()]),
    # ------------------------------------------------------------------ sorting and selection
    Op("sort", lambda T, x: T.sort(x, 1), [S]),
    Op("sort_desc", lambda T, x: x.sort(0, descending=True), [S]),
    Op("topk", lambda T, x: T.topk(x, 2, 1), [S]),
    Op("topk_smallest", lambda T, x: x.topk(3, 0, largest=False), [(5, 2)]),
    Op("argsort", lambda T, x: x.argsort(1, descending=True), [S], grad=False, fd=False),
    # ------------------------------------------------------------------ integer and bool inputs (no gradient)
    Op("int_add", lambda T, x, y: x + y, [S, S], dtype="int64", grad=False, fd=False),
    Op("int_true_div", lambda T, x: x / 2, [S], dtype="int64", grad=False, fd=False),
    Op("int_floor_div", lambda T, x: x // 3, [S], dtype="int64", grad=False, fd=False),
    Op("int_mod", lambda T, x: x % 3, [S], dtype="int64", grad=False, fd=False),
    Op("int_exp", lambda T, x: x.exp(), [S], dtype="int64", grad=False, fd=False),
    Op("int_sum", lambda T, x: x.sum(0), [S], dtype="int64", grad=False, fd=False),
    Op("int_prod", lambda T, x: x.prod(1), [S], dtype="int64", grad=False, fd=False),
    Op("int_cumsum", lambda T, x: x.cumsum(0), [S], dtype="int64", grad=False, fd=False),
    Op("int_clamp_float", lambda T, x: x.clamp(-1.5, 2), [S], dtype="int64", grad=False, fd=False),
    Op("int_max_dim", lambda T, x: x.max(1), [S], dtype="int64", grad=False, fd=False),
    Op("int_sort", lambda T, x: x.sort(1), [S], dtype="int64", grad=False, fd=False),
    Op("bool_sum", lambda T, x: x.sum(), [S], dtype="bool", grad=False, fd=False),
    Op("bool_any", lambda T, x: x.any(1), [S], dtype="bool", grad=False, fd=False),
    Op("bool_all", lambda T, x: T.all(x, 0, keepdim=True), [S], dtype="bool", grad=False, fd=False),
    Op("int_shift", lambda T, x: (x.abs() << 2) >> 1, [S], dtype="int64", grad=False, fd=False),
    Op("int_bitwise", lambda T, x, y: (x & y) | (x ^ ~y), [S, S], dtype="int64", grad=False, fd=False),
    Op("compare", lambda T, x, y: ((x < y), (x <= y), (x > 0.5), (x >= y), (x == y), (x != y)), [S, S],
       grad=False, fd=False),
    Op("logical", lambda T, x, y: (T.logical_and(x > 0, y > 0), T.logical_or(x, y), T.logical_xor(x > 0, y),
                                    T.logical_not(x > 0)), [S, S], grad=False, fd=False),
    Op("predicates", lambda T, x: (T.isnan(x / x.abs().floor()), T.isinf(1 / x.floor()), T.isfinite(x.log()),
                                    T.isposinf(1 / x.floor()), T.isneginf(x.log())), [S], grad=False, fd=False),
    Op("count_nonzero", lambda T, x: T.count_nonzero(x.floor(), 1), [S], grad=False, fd=False),
]
