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


# ====================================================================== shape, indexing, linear algebra
# (appended block) Index tensors are built inside the lambdas; matrices for decompositions are made
# well conditioned there: SPD(T, a) for cholesky/eigh/logdet, WC(T, a) (diagonally dominant) for
# inverses and solves; SVD rows use functions of U, S, V that do not depend on the singular
# vectors' signs.


def SPD(T, a):
    """A symmetric positive-definite matrix (batch) built from ``a``."""
    n = a.shape[-1]
    return a @ a.mT + n * T.eye(n, dtype=a.dtype)


def WC(T, a):
    """A well-conditioned (diagonally dominant) square matrix (batch) built from ``a``."""
    n = a.shape[-1]
    return a + 2 * n * T.eye(n, dtype=a.dtype)


def IX(T, *values):
    """An int64 index tensor."""
    return T.tensor(list(values) if len(values) != 1 else values[0], dtype=T.int64)


def _setitem(x, idx, v):
    y = x * 1
    y[idx] = v
    return y


S3 = (2, 3, 4)

OPS += [
    # ------------------------------------------------------------------ views and reshapes
    # view() of a transposed input raises in torch too: no non-contiguous run for these rows
    Op("view", lambda T, x: x.view(4, 3), [S], noncontig=False),
    Op("view_flat", lambda T, x: x.view(-1), [S3]),
    Op("view_0d", lambda T, x: x.view(1, 1), [()]),
    Op("view_empty", lambda T, x: x.view(2, 0, 2), [(0, 4)]),
    Op("view_as", lambda T, x, y: x.view_as(y), [S, (12,)]),
    Op("reshape", lambda T, x: T.reshape(x, (2, 6)), [S]),
    Op("reshape_noncontig", lambda T, x: x.t().reshape(-1, 2), [S]),
    Op("reshape_0d", lambda T, x: x.reshape(()), [(1,)]),
    Op("reshape_as", lambda T, x, y: x.reshape_as(y), [S, (6, 2)]),
    Op("flatten", lambda T, x: x.flatten(), [S3]),
    Op("flatten_dims", lambda T, x: T.flatten(x, 1, -1), [S3]),
    Op("flatten_0d", lambda T, x: x.flatten(), [()]),
    Op("unflatten", lambda T, x: x.unflatten(1, (2, 2)), [S]),
    Op("unflatten_neg", lambda T, x: T.unflatten(x, -1, (2, -1)), [S3]),
    Op("squeeze", lambda T, x: x.squeeze(), [(1, 3, 1)]),
    Op("squeeze_dim", lambda T, x: T.squeeze(x, -1), [(3, 1)]),
    Op("squeeze_dims", lambda T, x: x.squeeze((0, 2)), [(1, 3, 1)]),
    Op("squeeze_noop", lambda T, x: x.squeeze(0), [S]),
    Op("squeeze_0d", lambda T, x: x.squeeze(), [()]),
    Op("unsqueeze", lambda T, x: x.unsqueeze(0), [S]),
    Op("unsqueeze_neg", lambda T, x: T.unsqueeze(x, -1), [S]),
    Op("unsqueeze_0d", lambda T, x: x.unsqueeze(0), [()]),
    Op("transpose", lambda T, x: x.transpose(0, 1), [S]),
    Op("transpose_neg", lambda T, x: T.transpose(x, -1, -3), [S3]),
    Op("swapaxes", lambda T, x: T.swapaxes(x, 0, 2), [S3]),
    Op("swapdims", lambda T, x: x.swapdims(1, 2), [S3]),
    Op("t", lambda T, x: x.t(), [S]),
    Op("t_1d", lambda T, x: T.t(x), [(4,)]),
    Op("mT", lambda T, x: x.mT, [S3]),
    Op("permute", lambda T, x: x.permute(2, 0, 1), [S3]),
    Op("permute_neg", lambda T, x: T.permute(x, (-1, 0, -2)), [S3]),
    Op("movedim", lambda T, x: T.movedim(x, 0, -1), [S3]),
    Op("movedim_tuple", lambda T, x: x.movedim((0, 1), (2, 0)), [S3]),
    Op("moveaxis", lambda T, x: T.moveaxis(x, -1, 0), [S3]),
    Op("expand", lambda T, x: x.expand(3, 4), [(3, 1)]),
    Op("expand_neg1", lambda T, x: x.expand(2, -1, 4), [(3, 1)]),
    Op("expand_0d", lambda T, x: x.expand(2, 3), [()]),
    Op("expand_as", lambda T, x, y: x.expand_as(y), [(4,), S]),
    Op("broadcast_to", lambda T, x: T.broadcast_to(x, S3), [(3, 1)]),
    Op("broadcast_tensors", lambda T, x, y: T.broadcast_tensors(x, y), [(3, 1), (4,)]),
    Op("repeat", lambda T, x: x.repeat(2, 1), [S]),
    Op("repeat_newdims", lambda T, x: x.repeat(2, 1, 3), [(2, 2)]),
    Op("repeat_0d", lambda T, x: x.repeat(3), [()]),
    Op("repeat_interleave", lambda T, x: x.repeat_interleave(2), [S]),
    Op("repeat_interleave_dim", lambda T, x: T.repeat_interleave(x, 3, dim=-1), [S]),
    Op("repeat_interleave_tensor", lambda T, x: x.repeat_interleave(IX(T, 1, 0, 2), dim=0), [(3, 2)]),
    Op("tile", lambda T, x: T.tile(x, (2,)), [S]),
    Op("tile_more_dims", lambda T, x: x.tile(2, 1, 2), [(2, 3)]),
    Op("narrow", lambda T, x: x.narrow(1, 1, 2), [S]),
    Op("narrow_neg", lambda T, x: T.narrow(x, -1, 0, 1), [S3]),
    Op("select", lambda T, x: x.select(1, 2), [S]),
    Op("select_neg", lambda T, x: T.select(x, -1, -1), [S3]),
    Op("select_1d", lambda T, x: x.select(0, 1), [(4,)]),
    Op("chunk", lambda T, x: x.chunk(2, 1), [S]),
    Op("chunk_uneven", lambda T, x: T.chunk(x, 3, -1), [S]),
    Op("split", lambda T, x: x.split(3, 1), [S]),
    Op("split_sizes", lambda T, x: T.split(x, [1, 3], dim=-1), [S]),
    Op("split_empty_piece", lambda T, x: x.split([2, 0, 1], 0), [S]),
    Op("tensor_split", lambda T, x: T.tensor_split(x, 3, dim=1), [S]),
    Op("tensor_split_indices", lambda T, x: x.tensor_split([1, 3], dim=-1), [S]),
    Op("unbind", lambda T, x: x.unbind(1), [S]),
    Op("unbind_neg", lambda T, x: T.unbind(x, -1), [S3]),
    Op("cat", lambda T, x, y: T.cat([x, y], 0), [S, (2, 4)]),
    Op("cat_neg", lambda T, x, y: T.cat((x, y), -1), [S, (3, 2)]),
    Op("cat_empty", lambda T, x, y, z: T.cat([x, y, z]), [S, (0, 4), (0,)]),
    Op("cat_three", lambda T, x, y: T.concat([x, y, x], dim=2), [S3, (2, 3, 1)]),
    Op("stack", lambda T, x, y: T.stack([x, y], 1), [S, S]),
    Op("stack_neg", lambda T, x, y: T.stack((x, y), -1), [S, S]),
    Op("stack_0d", lambda T, x, y: T.stack([x, y]), [(), ()]),
    Op("hstack", lambda T, x, y: T.hstack([x, y]), [S, (3, 2)]),
    Op("hstack_1d", lambda T, x, y: T.hstack([x, y]), [(3,), (2,)]),
    Op("vstack", lambda T, x, y: T.vstack([x, y]), [(4,), S]),
    Op("dstack", lambda T, x, y: T.dstack([x, y]), [S, S]),
    Op("column_stack", lambda T, x, y: T.column_stack([x, y]), [(3,), (3, 2)]),
    Op("flip", lambda T, x: x.flip(0), [S]),
    Op("flip_dims", lambda T, x: T.flip(x, (0, -1)), [S3]),
    Op("fliplr", lambda T, x: T.fliplr(x), [S]),
    Op("flipud", lambda T, x: T.flipud(x), [S]),
    Op("roll", lambda T, x: T.roll(x, 1, 0), [S]),
    Op("roll_flat", lambda T, x: x.roll(5), [S]),
    Op("roll_dims", lambda T, x: T.roll(x, (1, -2), (-1, 0)), [S3]),
    Op("diag_vec", lambda T, x: T.diag(x), [(3,)]),
    Op("diag_vec_offset", lambda T, x: x.diag(-1), [(3,)]),
    Op("diag_mat", lambda T, x: T.diag(x), [S]),
    Op("diag_mat_offset", lambda T, x: T.diag(x, 2), [S]),
    Op("diagonal", lambda T, x: x.diagonal(), [S]),
    Op("diagonal_offset", lambda T, x: T.diagonal(x, -1), [S]),
    Op("diagonal_dims", lambda T, x: T.diagonal(x, 1, 0, 2), [S3]),
    Op("diagonal_linalg", lambda T, x: T.linalg.diagonal(x, offset=1), [S3]),
    Op("diag_embed", lambda T, x: T.diag_embed(x), [S]),
    Op("diag_embed_offset_dims", lambda T, x: T.diag_embed(x, 1, 0, 2), [S]),
    Op("tril", lambda T, x: x.tril(), [S]),
    Op("tril_neg", lambda T, x: T.tril(x, -1), [S3]),
    Op("triu", lambda T, x: T.triu(x, 1), [S]),
    Op("triu_neg", lambda T, x: x.triu(-2), [(4, 3)]),
    Op("trace", lambda T, x: T.trace(x), [S]),
    Op("as_strided", lambda T, x: T.as_strided(x, (2, 2), (1, 2)), [S]),
    Op("as_strided_offset", lambda T, x: x.as_strided((3,), (4,), 1), [S]),
    Op("as_strided_overlap", lambda T, x: x.as_strided((3, 3), (1, 1)), [(6,)]),
    Op("clone", lambda T, x: T.clone(x), [S]),
    Op("contiguous", lambda T, x: x.t().contiguous(), [S]),
    Op("view_then_inplace", lambda T, x: (lambda y: (y.view(-1).mul_(2), y * 1)[1])(x * 1), [S], noncontig=False),
    # ------------------------------------------------------------------ indexing
    Op("getitem_int", lambda T, x: x[1], [S]),
    Op("getitem_neg_int", lambda T, x: x[-1, -2], [S]),
    Op("getitem_slice", lambda T, x: x[1:3], [(4, 3)]),
    Op("getitem_step", lambda T, x: x[::2, 1::2], [S]),
    Op("getitem_empty_slice", lambda T, x: x[2:2], [S]),
    Op("getitem_none", lambda T, x: x[None, :, None], [S]),
    Op("getitem_ellipsis", lambda T, x: x[..., 1], [S3]),
    Op("getitem_ellipsis_none", lambda T, x: x[1, ..., None], [S3]),
    Op("getitem_0d", lambda T, x: x[()], [()]),
    Op("getitem_0d_none", lambda T, x: x[None], [()]),
    Op("getitem_bool_mask", lambda T, x: x[x > 0], [S]),
    Op("getitem_bool_rows", lambda T, x: x[T.tensor([True, False, True])], [S]),
    Op("getitem_bool_scalar", lambda T, x: x[True], [S]),
    Op("getitem_tensor", lambda T, x: x[IX(T, 0, 2, 2)], [S]),
    Op("getitem_tensor_neg", lambda T, x: x[IX(T, -1, 0)], [S]),
    Op("getitem_tensor_0d", lambda T, x: x[IX(T, 1)], [S]),
    Op("getitem_tensor_empty", lambda T, x: x[IX(T, [])], [S]),
    Op("getitem_list", lambda T, x: x[[0, 2]], [S]),
    Op("getitem_two_tensors", lambda T, x: x[IX(T, 0, 1, 1), IX(T, 1, 3, 3)], [S]),
    Op("getitem_slice_tensor", lambda T, x: x[:, IX(T, 0, 0, 3)], [S]),
    Op("getitem_separated", lambda T, x: x[IX(T, 0, 1), :, IX(T, 1, 0)], [S3]),
    Op("getitem_broadcast_idx", lambda T, x: x[IX(T, [[0], [2]]), IX(T, [1, 2, 3])], [S]),
    Op("getitem_tensor_2d", lambda T, x: x[IX(T, [[0, 1], [2, 0]])], [S]),
    Op("getitem_mixed", lambda T, x: x[1:, None, IX(T, 2, 0), ...], [S3]),
    Op("setitem_slice", lambda T, x, v: _setitem(x, (slice(None), 1), v), [S, (3,)]),
    Op("setitem_scalar", lambda T, x: _setitem(x, (0, slice(1, 3)), 5.0), [S]),
    Op("setitem_mask", lambda T, x, v: _setitem(x, x > 0, v.sum()), [S, (2,)]),
    Op("setitem_tensor", lambda T, x, v: _setitem(x, IX(T, 2, 0), v), [S, (4,)]),
    Op("setitem_broadcast", lambda T, x, v: _setitem(x, (Ellipsis, slice(0, 2)), v), [S3, (2,)]),
    Op("index_put", lambda T, x, v: T.index_put(x, (IX(T, 0, 2), IX(T, 1, 1)), v), [S, (2,)]),
    Op("index_put_accumulate", lambda T, x, v: x.index_put((IX(T, 0, 0, 2),), v, accumulate=True), [S, (3, 4)]),
    Op("index_put_", lambda T, x, v: (x * 1).index_put_((IX(T, 1),), v), [S, (4,)]),
    Op("gather", lambda T, x: x.gather(1, IX(T, [[0, 2], [1, 0], [3, 3]])), [S]),
    Op("gather_neg", lambda T, x: T.gather(x, -2, IX(T, [[0, 2, 1, 0]])), [S]),
    Op("gather_3d", lambda T, x: x.gather(0, IX(T, [[[1, 0, 1, 0]]])), [S3]),
    Op("scatter", lambda T, x, s: x.scatter(1, IX(T, [[0, 2], [1, 3], [3, 0]]), s), [S, (3, 2)]),
    Op("scatter_value", lambda T, x: T.scatter(x, 0, IX(T, [[2, 0, 1, 1]]), 1.5), [S]),
    Op("scatter_", lambda T, x, s: (x * 1).scatter_(-1, IX(T, [[1], [0], [2]]), s), [S, (3, 1)]),
    Op("scatter_add", lambda T, x, s: x.scatter_add(1, IX(T, [[0, 0], [1, 3], [3, 3]]), s), [S, (3, 2)]),
    Op("scatter_add_neg", lambda T, x, s: T.scatter_add(x, -2, IX(T, [[0, 0, 1, 2], [2, 0, 1, 2]]), s), [S, (2, 4)]),
    Op("scatter_reduce_sum", lambda T, x, s: x.scatter_reduce(1, IX(T, [[0, 0], [1, 3], [3, 3]]), s, "sum"),
       [S, (3, 2)]),
    Op("scatter_reduce_sum_noself", lambda T, x, s: x.scatter_reduce(1, IX(T, [[0, 0], [1, 3], [3, 3]]), s, "sum",
                                                                     include_self=False), [S, (3, 2)]),
    Op("scatter_reduce_mean", lambda T, x, s: T.scatter_reduce(x, 1, IX(T, [[0, 0], [1, 3], [3, 3]]), s, "mean"),
       [S, (3, 2)]),
    Op("scatter_reduce_mean_noself", lambda T, x, s: x.scatter_reduce(0, IX(T, [[0, 1, 0, 2], [0, 1, 1, 2]]), s,
                                                                      "mean", include_self=False), [S, (2, 4)]),
    Op("scatter_reduce_prod", lambda T, x, s: x.scatter_reduce(1, IX(T, [[0, 0], [1, 3], [3, 3]]), s, "prod"),
       [S, (3, 2)], low=0.5),
    Op("scatter_reduce_prod_noself", lambda T, x, s: x.scatter_reduce(1, IX(T, [[0, 0], [1, 3], [3, 3]]), s, "prod",
                                                                      include_self=False), [S, (3, 2)], low=0.5),
    Op("scatter_reduce_amax", lambda T, x, s: x.scatter_reduce(1, IX(T, [[0, 0], [1, 3], [3, 3]]), s, "amax"),
       [S, (3, 2)]),
    Op("scatter_reduce_amin_noself", lambda T, x, s: x.scatter_reduce(1, IX(T, [[0, 0], [1, 3], [3, 3]]), s, "amin",
                                                                      include_self=False), [S, (3, 2)]),
    Op("scatter_reduce_amax_ties", lambda T, x, s: x.scatter_reduce(0, IX(T, [0, 0, 1]), s, "amax"),
       [A(1.0, 2.0), A(1.0, 0.5, 2.0)], fd=False),  # tie: gradient split evenly, not differentiable there
    Op("index_select", lambda T, x: x.index_select(0, IX(T, 2, 0, 2)), [S]),
    Op("index_select_neg", lambda T, x: T.index_select(x, -1, IX(T, 3, 1)), [S3]),
    Op("index_select_0d", lambda T, x: x.index_select(0, IX(T, 0)), [()]),
    Op("index_add", lambda T, x, s: x.index_add(0, IX(T, 2, 0, 2), s, alpha=2), [S, (3, 4)]),
    Op("index_add_neg", lambda T, x, s: T.index_add(x, -1, IX(T, 1, 3), s), [S, (3, 2)]),
    Op("index_copy", lambda T, x, s: x.index_copy(1, IX(T, 3, 0), s), [S, (3, 2)]),
    Op("index_copy_", lambda T, x, s: (x * 1).index_copy_(0, IX(T, 1), s), [S, (1, 4)]),
    Op("index_fill", lambda T, x: x.index_fill(1, IX(T, 0, 2), -1.0), [S]),
    Op("index_fill_tensor", lambda T, x, v: T.index_fill(x, 0, IX(T, 1), v.sum()), [S, (2,)]),
    Op("masked_select", lambda T, x: x.masked_select(x > 0), [S]),
    Op("masked_select_broadcast", lambda T, x: T.masked_select(x, T.tensor([True, False, True, True])), [S]),
    Op("masked_scatter", lambda T, x, s: x.masked_scatter(x > 0, s), [S, (3, 4)]),
    Op("masked_scatter_broadcast", lambda T, x, s: T.masked_scatter(x, T.tensor([True, False, False, True]), s),
       [S, (10,)]),
    Op("masked_fill_broadcast", lambda T, x: x.masked_fill(T.tensor([False, True, True, False]), 2.0), [S]),
    Op("take", lambda T, x: x.take(IX(T, [[0, 5], [11, 5]])), [S]),
    Op("take_neg", lambda T, x: T.take(x, IX(T, -1, -12)), [S]),
    Op("take_along_dim", lambda T, x: T.take_along_dim(x, IX(T, [[0], [3], [1]]), 1), [S]),
    Op("take_along_dim_flat", lambda T, x: x.take_along_dim(IX(T, 4, 0, 4)), [S], noncontig=False),  # torch: view(-1)
    Op("take_along_dim_argsort", lambda T, x: T.take_along_dim(x, x.argsort(0), 0), [S]),
    Op("put", lambda T, x, s: x.put(IX(T, 0, 5, 11), s), [S, (3,)]),
    Op("put_accumulate", lambda T, x, s: x.put(IX(T, 1, 1, -1), s, accumulate=True), [S, (3,)]),
    Op("put_", lambda T, x, s: (x * 1).put_(IX(T, [[2], [7]]), s), [S, (2, 1)]),
    # ------------------------------------------------------------------ products
    Op("matmul_1d_1d", lambda T, x, y: T.matmul(x, y), [(4,), (4,)]),
    Op("matmul_2d_1d", lambda T, x, y: x @ y, [S, (4,)]),
    Op("matmul_1d_2d", lambda T, x, y: x @ y, [(3,), S]),
    Op("matmul_2d_2d", lambda T, x, y: T.matmul(x, y), [S, (4, 2)]),
    Op("matmul_3d_2d", lambda T, x, y: x @ y, [S3, (4, 2)]),
    Op("matmul_2d_3d", lambda T, x, y: x @ y, [(2, 3), (2, 3, 4)]),
    Op("matmul_3d_3d", lambda T, x, y: T.matmul(x, y), [S3, (2, 4, 2)]),
    Op("matmul_1d_3d", lambda T, x, y: x @ y, [(3,), S3]),
    Op("matmul_3d_1d", lambda T, x, y: x @ y, [S3, (4,)]),
    Op("matmul_broadcast_4d", lambda T, x, y: x @ y, [(2, 1, 3, 4), (3, 4, 2)]),
    Op("matmul_empty", lambda T, x, y: x @ y, [(0, 3), (3, 2)]),
    Op("matmul_k0", lambda T, x, y: x @ y, [(2, 0), (0, 3)]),
    Op("mm", lambda T, x, y: T.mm(x, y), [S, (4, 2)]),
    Op("bmm", lambda T, x, y: x.bmm(y), [S3, (2, 4, 3)]),
    Op("mv", lambda T, x, y: T.mv(x, y), [S, (4,)]),
    Op("dot", lambda T, x, y: T.dot(x, y), [(4,), (4,)]),
    Op("vdot", lambda T, x, y: x.vdot(y), [(4,), (4,)]),
    Op("outer", lambda T, x, y: T.outer(x, y), [(3,), (4,)]),
    Op("ger", lambda T, x, y: x.ger(y), [(2,), (3,)]),
    Op("inner", lambda T, x, y: T.inner(x, y), [(4,), (4,)]),
    Op("inner_nd", lambda T, x, y: T.inner(x, y), [S3, (3, 4)]),
    Op("addmm", lambda T, c, a, b: T.addmm(c, a, b, beta=0.5, alpha=2), [(4,), (2, 3), (3, 4)]),
    Op("addmm_beta0", lambda T, c, a, b: c.addmm(a, b, beta=0), [(2, 4), (2, 3), (3, 4)]),
    Op("addmv", lambda T, c, a, b: T.addmv(c, a, b, alpha=-1), [(3,), S, (4,)]),
    Op("baddbmm", lambda T, c, a, b: T.baddbmm(c, a, b, beta=2, alpha=0.5), [(3, 4), (2, 3, 2), (2, 2, 4)]),
    Op("addbmm", lambda T, c, a, b: c.addbmm(a, b), [(3, 4), (2, 3, 2), (2, 2, 4)]),
    Op("chain_matmul", lambda T, a, b, c: T.linalg.multi_dot([a, b, c]), [(2, 3), (3, 4), (4, 2)]),
    Op("multi_dot_vec_ends", lambda T, a, b, c: T.linalg.multi_dot([a, b, c]), [(3,), (3, 4), (4,)]),
    Op("tensordot", lambda T, x, y: T.tensordot(x, y, dims=1), [S, (4, 2)]),
    Op("tensordot_pairs", lambda T, x, y: T.tensordot(x, y, dims=([1, 0], [0, 2])), [S3, (3, 2, 2)]),
    Op("tensordot_0", lambda T, x, y: T.tensordot(x, y, dims=0), [(2,), (3,)]),
    Op("kron", lambda T, x, y: T.kron(x, y), [(2, 3), (2, 2)]),
    Op("kron_1d", lambda T, x, y: x.kron(y), [(2,), (3,)]),
    Op("kron_diff_ndim", lambda T, x, y: T.kron(x, y), [(2,), (2, 3)]),
    Op("cross", lambda T, x, y: T.cross(x, y, dim=1), [(4, 3), (4, 3)]),
    Op("cross_broadcast", lambda T, x, y: T.linalg.cross(x, y), [(2, 3), (1, 3)]),
    Op("cross_neg_dim", lambda T, x, y: x.cross(y, dim=-2), [(2, 3, 2), (2, 3, 2)]),
    # ------------------------------------------------------------------ torch.linalg
    Op("linalg_inv", lambda T, a: T.linalg.inv(WC(T, a)), [(3, 3)]),
    Op("linalg_inv_batch", lambda T, a: T.linalg.inv(WC(T, a)), [(2, 3, 3)]),
    Op("inverse", lambda T, a: WC(T, a).inverse(), [(3, 3)]),
    Op("linalg_inv_ex", lambda T, a: T.linalg.inv_ex(WC(T, a)).inverse, [(2, 2)]),
    Op("det", lambda T, a: T.linalg.det(a), [(3, 3)]),
    Op("det_batch", lambda T, a: T.det(a), [(2, 3, 3)]),
    Op("det_1x1", lambda T, a: a.det(), [(1, 1)]),
    Op("det_empty", lambda T, a: T.linalg.det(a), [(0, 0)]),
    Op("logdet", lambda T, a: T.logdet(SPD(T, a)), [(3, 3)]),
    Op("slogdet", lambda T, a: T.linalg.slogdet(a), [(3, 3)]),
    Op("slogdet_batch", lambda T, a: T.slogdet(WC(T, a)), [(2, 3, 3)]),
    Op("solve", lambda T, a, b: T.linalg.solve(WC(T, a), b), [(3, 3), (3, 2)]),
    Op("solve_vec", lambda T, a, b: T.linalg.solve(WC(T, a), b), [(3, 3), (3,)]),
    Op("solve_batch_broadcast", lambda T, a, b: T.linalg.solve(WC(T, a), b), [(2, 3, 3), (3, 1)]),
    Op("solve_left_false", lambda T, a, b: T.linalg.solve(WC(T, a), b, left=False), [(3, 3), (2, 3)]),
    Op("cholesky", lambda T, a: T.linalg.cholesky(SPD(T, a)), [(3, 3)]),
    Op("cholesky_batch_upper", lambda T, a: T.linalg.cholesky(SPD(T, a), upper=True), [(2, 3, 3)]),
    Op("cholesky_torch", lambda T, a: T.cholesky(SPD(T, a)), [(2, 2)]),
    Op("cholesky_ex", lambda T, a: T.linalg.cholesky_ex(SPD(T, a)).L, [(3, 3)]),
    Op("qr", lambda T, a: T.linalg.qr(a), [(4, 3)]),
    Op("qr_square", lambda T, a: T.linalg.qr(a), [(3, 3)]),
    Op("qr_complete", lambda T, a: T.linalg.qr(a, mode="complete"), [(3, 3)]),
    Op("qr_r", lambda T, a: T.linalg.qr(a, mode="r").R, [(4, 3)], grad=False, fd=False),  # torch: mode='r' has no backward
    Op("qr_wide_r", lambda T, a: T.linalg.qr(a)[1], [(2, 3, 4)]),
    Op("qr_torch", lambda T, a: T.qr(a), [(4, 2)]),
    Op("svdvals", lambda T, a: T.linalg.svdvals(a), [(3, 4)]),
    Op("svd_invariant", lambda T, a: (lambda U, S_, Vh: (S_, U @ Vh, U.abs(), Vh.abs()))(*T.linalg.svd(a, full_matrices=False)),
       [(4, 3)]),
    Op("svd_invariant_wide_batch", lambda T, a: (lambda U, S_, Vh: (S_, U @ Vh, (U * S_.unsqueeze(-2)) @ Vh))(
        *T.linalg.svd(a, full_matrices=False)), [(2, 2, 4)]),
    Op("svd_torch", lambda T, a: (lambda U, S_, V: (S_, U @ V.mT, U.abs()))(*T.svd(a)), [(3, 3)]),
    Op("eigh", lambda T, a: (lambda L, V: (L, V * V, V @ T.diag_embed(L) @ V.mT))(*T.linalg.eigh(SPD(T, a))),
       [(3, 3)]),
    Op("eigh_upper_batch", lambda T, a: (lambda L, V: (L, V.abs()))(*T.linalg.eigh(a + a.mT, UPLO="U")), [(2, 3, 3)]),
    Op("eigvalsh", lambda T, a: T.linalg.eigvalsh(a + a.mT), [(3, 3)]),
    Op("pinv", lambda T, a: T.linalg.pinv(a), [(3, 4)]),
    Op("pinv_tall_batch", lambda T, a: T.linalg.pinv(a), [(2, 4, 2)]),
    Op("pinv_hermitian", lambda T, a: T.linalg.pinv(SPD(T, a), hermitian=True), [(3, 3)]),
    Op("pinverse", lambda T, a: T.pinverse(a), [(2, 3)]),
    Op("matrix_power", lambda T, a: T.linalg.matrix_power(a, 3), [(3, 3)]),
    Op("matrix_power_neg", lambda T, a: T.matrix_power(WC(T, a), -2), [(2, 3, 3)]),
    Op("matrix_power_0", lambda T, a: a.matrix_power(0), [(3, 3)]),
    Op("linalg_norm", lambda T, x: T.linalg.norm(x), [S3]),
    Op("linalg_norm_vec_ord", lambda T, x: T.linalg.norm(x, 3, dim=1), [S]),
    Op("linalg_norm_fro", lambda T, x: T.linalg.norm(x, "fro"), [S]),
    Op("linalg_norm_nuc", lambda T, x: T.linalg.norm(x, "nuc"), [S]),
    Op("linalg_norm_2", lambda T, x: T.linalg.norm(x, 2, dim=(0, 1)), [S]),
    Op("linalg_norm_neg2", lambda T, x: T.linalg.norm(x, -2), [(3, 3)]),
    Op("linalg_norm_inf_keepdim", lambda T, x: T.linalg.norm(x, INF, dim=(-2, -1), keepdim=True), [S3]),
    Op("matrix_norm_nuc", lambda T, x: T.linalg.matrix_norm(x, "nuc"), [S3]),
    Op("vecdot", lambda T, x, y: T.linalg.vecdot(x, y), [S, (4,)]),
]

# NOTE: torch computes einsum as diagonal/permute/sum/bmm/view steps, so its output's grad_fn is
# e.g. ViewBackward0 or PermuteBackward0; ember's einsum is one node (EinsumBackward0). These rows
# are run by test_einsum_rows (values, gradients, finite differences, gradcheck, double backward
# vs torch) without the grad_fn comparison, until einsum is rebuilt from those steps.
EINSUM_OPS = [
    Op("einsum_mm", lambda T, x, y: T.einsum("ij,jk->ik", x, y), [S, (4, 2)]),
    Op("einsum_bmm", lambda T, x, y: T.einsum("bij,bjk->bik", x, y), [S3, (2, 4, 3)]),
    Op("einsum_diag", lambda T, x: T.einsum("ii->i", x), [(3, 3)]),
    Op("einsum_trace", lambda T, x: T.einsum("ii", x), [(3, 3)]),
    Op("einsum_dot", lambda T, x, y: T.einsum("i,i->", x, y), [(4,), (4,)]),
    Op("einsum_outer", lambda T, x, y: T.einsum("i,j->ij", x, y), [(3,), (4,)]),
    Op("einsum_transpose", lambda T, x: T.einsum("ij->ji", x), [S]),
    Op("einsum_sum", lambda T, x: T.einsum("ijk->j", x), [S3]),
    Op("einsum_ellipsis", lambda T, x, y: T.einsum("...ij,...jk->...ik", x, y), [S3, (4, 2)]),
    Op("einsum_list", lambda T, x, y: T.einsum("ij,ij->i", [x, y]), [S, S]),
    Op("einsum_three", lambda T, x, y, z: T.einsum("ij,jk,k->i", x, y, z), [S, (4, 2), (2,)]),
    Op("einsum_same_operand", lambda T, x: T.einsum("ij,ij->", x, x), [S]),
]
