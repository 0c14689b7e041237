"""Elementwise, comparison and logic ops against torch: exact points (kinks, ties, bounds, zero
bases), type promotion, nan handling, in-place forms and their graph, ``out=``, operators, the
erf family's accuracy, errors, and broadcasting properties."""
import math
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import ember
from oracle import assert_close, check, fd_check, pair, rand, same_error

F32 = np.float32


# ------------------------------------------------------------------------------ kinks and exact points
@pytest.mark.parametrize("fn", [
    lambda T, x: T.relu(x), lambda T, x: T.abs(x), lambda T, x: T.sqrt(x.abs()),
    lambda T, x: T.clamp(x, 0.0, 1.0), lambda T, x: T.clamp(x, min=0.0), lambda T, x: x.clamp(max=1.0),
    lambda T, x: T.clamp_min(x, 1.0), lambda T, x: T.clamp_max(x, 0.0), lambda T, x: T.sign(x),
    lambda T, x: T.floor(x), lambda T, x: T.round(x), lambda T, x: T.frac(x),
    lambda T, x: T.maximum(x, T.zeros_like(x)), lambda T, x: T.fmin(x, T.ones_like(x)),
    lambda T, x: x ** 0, lambda T, x: x.abs() ** 0.5, lambda T, x: x.abs() ** 2.5,
    lambda T, x: T.rsqrt(x.abs()), lambda T, x: T.xlogy(x, x.abs()), lambda T, x: T.logit(x),
    lambda T, x: T.logit(x, 0.25), lambda T, x: T.nan_to_num(1 / x),
], ids=lambda f: "")
def test_exact_points(fn):
    # 0, the clamp bounds 0 and 1, halves (rounding), -1
    x = np.array([0.0, 1.0, -1.0, 0.5, 1.5, 2.5, -0.5, 0.25], dtype=F32)
    check(fn, None, arrays=[x])


def test_pow_zero_base_and_exponent():
    base = np.array([0.0, 0.0, 0.0, 2.0, -2.0], dtype=F32)
    expo = np.array([0.0, 1.0, 2.5, 0.0, 2.0], dtype=F32)
    check(lambda T, b, e: b ** e, None, arrays=[base, expo])
    check(lambda T, e: 0.0 ** e, None, arrays=[np.abs(expo)])
    check(lambda T, e: T.pow(2.0, e), None, arrays=[expo])
    check(lambda T, b: b ** -1.0, None, arrays=[np.array([0.0, 2.0], dtype=F32)])


def test_clamp_tensor_bounds_ties_and_crossed():
    # self at a bound, min > max, and bounds equal to each other
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 1.0], dtype=F32)
    lo = np.array([1.0, 1.0, 1.0, 3.5, 5.0, 2.0], dtype=F32)
    hi = np.array([3.0, 1.0, 2.0, 3.0, 4.5, 2.0], dtype=F32)
    check(lambda T, x, lo, hi: T.clamp(x, lo, hi), None, arrays=[x, lo, hi])
    check(lambda T, x, lo: T.clamp(x, lo), None, arrays=[x, lo])
    check(lambda T, x, hi: T.clamp(x, max=hi), None, arrays=[x, hi])
    # a number and a tensor bound: torch picks the scalar overload
    check(lambda T, x: T.clamp(x, T.tensor(1.0), 3.0), None, arrays=[x])


def test_maximum_minimum_ties_split_gradient():
    x = np.array([1.0, 2.0, 3.0, float("nan")], dtype=F32)
    y = np.array([1.0, 0.0, 3.0, 1.0], dtype=F32)
    for name in ("maximum", "minimum", "fmax", "fmin"):
        check(lambda T, a, b: getattr(T, name)(a, b), None, arrays=[x, y])


def test_nan_propagation():
    x = np.array([float("nan"), 1.0, -float("inf"), float("inf")], dtype=F32)
    for fn in (lambda T, x: T.clamp(x, -1, 1), lambda T, x: T.sigmoid(x), lambda T, x: T.erf(x),
               lambda T, x: T.nan_to_num(x, nan=2.0, posinf=9.0, neginf=-9.0), lambda T, x: T.sign(x),
               lambda T, x: T.tanh(x), lambda T, x: T.exp(x), lambda T, x: T.floor(x),
               lambda T, x: T.isnan(x), lambda T, x: T.isinf(x), lambda T, x: T.isfinite(x),
               lambda T, x: T.isposinf(x), lambda T, x: T.isneginf(x), lambda T, x: T.signbit(x)):
        check(fn, None, arrays=[x], grad=False)


# ------------------------------------------------------------------------------ accuracy of the erf family
def test_erf_family_float64_accuracy():
    x = np.concatenate([np.linspace(-6, 6, 241), [0.0, 1e-300, -1e-10, 26.0, -27.0]])
    e, t = pair(x, requires_grad=False)
    for name in ("erf", "erfc"):
        np.testing.assert_allclose(getattr(ember, name)(e).numpy(), getattr(torch, name)(t).numpy(),
                                   rtol=1e-14, atol=1e-300)
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 301), [0.0, 1e-12, 1 - 1e-15, -1 + 1e-12, 0.5]])
    e, t = pair(y, requires_grad=False)
    np.testing.assert_allclose(ember.erfinv(e).numpy(), torch.erfinv(t).numpy(), rtol=1e-13, atol=1e-15)
    # round trip through math.erf, and the edges
    inv = ember.erfinv(e).numpy()
    np.testing.assert_allclose([math.erf(v) for v in inv], y, rtol=1e-14, atol=1e-16)
    edge = np.array([1.0, -1.0, 1.5, float("nan")])
    check(lambda T, x: T.erfinv(x), None, arrays=[edge], grad=False)


def test_erf_float32_matches_torch():
    check(lambda T, x: (T.erf(x), T.erfc(x), T.erfinv(x.clamp(-0.99, 0.99))), [(50,)], grad=False)


# ------------------------------------------------------------------------------ dtypes and promotion
@pytest.mark.parametrize("a_dt,b", [
    ("int64", 2.5), ("int64", 2), ("int32", True), ("bool", 3), ("uint8", -1), ("float16", 2.0),
    ("int64", "float32"), ("float32", "float64"), ("int8", "uint8"), ("bool", "bool"), ("int16", "int32"),
])
@pytest.mark.parametrize("op", ["add", "mul", "sub", "maximum", "remainder", "floor_divide", "eq", "lt",
                                "div", "atan2", "pow", "xlogy", "fmod", "hypot"])
def test_type_promotion(a_dt, b, op):
    if op == "sub" and a_dt == "bool" and b in ("bool", 3, True):
        b = "bool" if b == "bool" else b
    a = rand((3,), a_dt, low=1, high=3)
    if isinstance(b, str):
        bb = rand((3,), b, low=1, high=3, seed=4)
        if np.dtype(b).kind in "iu":
            bb = np.where(bb == 0, 1, bb).astype(b)

        def fn(T, x, y):
            return getattr(T, op)(x, y)
        arrays = [a, bb]
    else:
        if op in ("maximum", "atan2", "hypot"):
            return  # these take tensors only (error tested below)

        def fn(T, x):
            return getattr(T, op)(x, b)
        arrays = [a]
    if op in ("remainder", "floor_divide", "fmod", "div") and np.dtype(a_dt).kind in "iub":
        arrays[0] = np.where(arrays[0] == 0, 1, arrays[0]).astype(arrays[0].dtype)
    err = {}
    for lib in (ember, torch):
        try:
            fn(lib, *[lib.tensor(x.copy()) for x in arrays])
        except Exception as e:  # noqa: BLE001
            err[lib.__name__] = e
    if err:
        assert "torch" in err, f"ember raised {err.get('ember')!r}, torch did not"
        same_error(lambda T: fn(T, *[T.tensor(x.copy()) for x in arrays]))
        return
    check(fn, None, arrays=arrays, grad=False)


def test_zero_dim_tensor_does_not_promote_dimensioned():
    check(lambda T, x: x + T.tensor(2.0, dtype=T.float64), [(3,)], grad=False)
    check(lambda T, x: x.int() * T.tensor(2.5), [(3,)], grad=False)
    check(lambda T, x: T.where(x > 0, x.double(), 1), [(3,)], grad=False)


def test_unary_int_inputs_promote_to_float():
    a = np.array([1, 2, 3], dtype=np.int64)
    for name in ("exp", "log", "sqrt", "sin", "erf", "rsqrt", "log1p", "expm1", "exp2", "tan", "atan",
                 "sigmoid", "logit", "erfinv", "log2", "asinh"):
        check(lambda T, x: getattr(T, name)(x * 0.1 if name in ("logit", "erfinv") else x), None,
              arrays=[a], grad=False)
    for name in ("floor", "ceil", "round", "trunc", "abs", "neg", "sign", "square", "sgn"):
        check(lambda T, x: getattr(T, name)(x), None, arrays=[a], grad=False)
    check(lambda T, x: T.square(x), None, arrays=[np.array([True, False])], grad=False)


# ------------------------------------------------------------------------------ errors
@pytest.mark.parametrize("fn", [
    lambda T: T.clamp(T.ones(2)),
    lambda T: T.maximum(T.ones(2), 1.0),
    lambda T: T.atan2(T.ones(2), 2.0),
    lambda T: T.masked_fill(T.ones(2), T.tensor([1.0, 0.0]), 2.0),
    lambda T: T.ones(2).masked_fill(T.tensor([True, False]), T.tensor([2.0])),
    lambda T: T.lerp(T.ones(2), T.ones(2, dtype=T.float64), 0.5),
    lambda T: T.lerp(T.ones(2), T.ones(2), T.ones(2, dtype=T.float64)),
    lambda T: T.tensor([1, 2]).exp_(),
    lambda T: T.tensor([1.0, 2.0]).add_(T.ones(2, 2)),
    lambda T: T.tensor([True]) - T.tensor([True]),
    lambda T: -T.tensor([True]),
    lambda T: T.tensor([5, -5]) // 0,
    lambda T: T.tensor([5, -5]) % T.tensor([0, 1]),
    lambda T: T.frac(T.tensor([1, 2])),
    lambda T: T.hypot(T.tensor([3]), T.tensor([4])),
    lambda T: T.abs(T.tensor([True])),
    lambda T: T.round(T.tensor([1, 2]), decimals=1),
    lambda T: T.addcdiv(T.tensor([1]), T.tensor([1]), T.tensor([2])),
    lambda T: T.ones(2) & T.ones(2),
    lambda T: T.tensor([1, 2]) & 1.5,
    lambda T: ~T.ones(2),
    lambda T: T.bitwise_not(T.ones(2)),
    lambda T: T.ones(2) << 1,
    lambda T: T.isclose(T.ones(2), T.ones(2, dtype=T.int64)),
    lambda T: T.logical_xor(T.ones(2), 1),
    lambda T: T.ones(2, requires_grad=True).exp_(),
    lambda T: T.ones(2, 3) + T.ones(4),
    lambda T: T.maximum(T.ones(2, 3), T.ones(3, 2)),
    lambda T: T.ones(2).eq(None),
    lambda T: T.div(T.ones(2), 2, rounding_mode="round"),
    lambda T: T.tensor([2]) ** -1,
    lambda T: T.floor_divide(T.ones(2, requires_grad=True), 2).sum().backward(),
    lambda T: T.add(T.ones(2, requires_grad=True), 1, out=T.empty(2)),
], ids=lambda f: "")
def test_errors_match_torch(fn):
    same_error(fn)


def test_saved_tensor_modified_in_place_error_matches():
    def f(T):
        x = T.ones(3, requires_grad=True)
        y = x.exp()
        y.add_(1)
        y.sum().backward()
    same_error(f)

    def g(T):
        x = T.ones(3, requires_grad=True) * 2
        y = x.sin()
        x.clamp_(0, 1)
        y.sum().backward()
    same_error(g)


# ------------------------------------------------------------------------------ in-place forms
@pytest.mark.parametrize("name,args", [
    ("clamp_", (-0.5, 0.5)), ("clamp_min_", (0.1,)), ("clamp_max_", (0.1,)), ("clip_", (-1, 1)),
    ("exp_", ()), ("log1p_", ()), ("expm1_", ()), ("sigmoid_", ()), ("tanh_", ()), ("erf_", ()),
    ("floor_", ()), ("round_", ()), ("trunc_", ()), ("frac_", ()), ("neg_", ()), ("abs_", ()),
    ("square_", ()), ("reciprocal_", ()), ("sin_", ()), ("atan_", ()), ("sgn_", ()), ("sign_", ()),
    ("nan_to_num_", ()), ("remainder_", (0.7,)), ("fmod_", (0.7,)), ("xlogy_", (2.0,)),
    ("mul_", (2.0,)), ("div_", (4.0,)), ("pow_", (2,)), ("sub_", (1.0,)),
])
def test_inplace_matches_out_of_place(name, args):
    def fn(T, x):
        y = x * 1
        r = getattr(y, name)(*args)
        assert r is y
        return y
    arr = rand((3, 4), "float32", low=-0.5, high=2.0)
    # torch's gradient of sgn is a ZeroTensor (not comparable through NumPy)
    check(fn, None, arrays=[arr], grad=name != "sgn_")
    if name not in ("floor_", "round_", "trunc_", "sgn_", "sign_", "remainder_", "fmod_"):
        fd_check(fn, [arr.astype(np.float64)])


def test_inplace_version_counter_and_views():
    for lib in (ember, torch):
        x = lib.ones(2, 3)
        v0 = x._version
        x.clamp_(0, 0.5).masked_fill_(x > 0, 2.0).add_(1)
        assert x._version == v0 + 3
    # in-place on a view of a non-leaf: the base's gradient flows through CopySlices
    check(lambda T, x: (lambda b: (b[:, 1].exp_(), b * 1)[1])(x * 2), [(3, 4)])
    check(lambda T, x: (lambda b: (b[1, 2:].clamp_(0, 1), b[0].add_(b[2], alpha=2), b * 1)[2])(x * 2), [(3, 4)])
    check(lambda T, x: (lambda b: (b.t().addcmul_(x, x.exp()), b + 0)[1])(x * 1), [(3, 3)])


def test_inplace_needs_grad_from_other_operand():
    check(lambda T, x, y: T.zeros(3, 4).add_(y).mul_(x), [(3, 4), (4,)])
    check(lambda T, x, m: T.zeros(3).masked_fill_(T.tensor([True, False, True]), m.sum()), [(3,), (2,)])


def test_out_argument():
    for name in ("add", "mul", "clamp", "maximum", "atan2", "eq", "bitwise_and", "logical_or"):
        a = rand((2, 3), "int64" if name == "bitwise_and" else "float32")
        b = rand((2, 3), "int64" if name == "bitwise_and" else "float32", seed=3)
        res = {}
        for lib in (ember, torch):
            out = lib.empty(0, dtype=lib.bool if name in ("eq", "logical_or") else
                            (lib.int64 if name == "bitwise_and" else lib.float32))
            fn = getattr(lib, name)
            r = fn(lib.tensor(a), -1, 1, out=out) if name == "clamp" else fn(lib.tensor(a), lib.tensor(b), out=out)
            assert r is out
            res[lib.__name__] = out
        assert_close(res["ember"], res["torch"])


# ------------------------------------------------------------------------------ operators and comparison
def test_operators_int_and_bool():
    a = np.array([[5, -5, 7], [0, 3, -8]], dtype=np.int64)
    b = np.array([[3, 3, -2], [1, 2, 5]], dtype=np.int64)
    ops = [lambda x, y: x // y, lambda x, y: x % y, lambda x, y: 7 // y, lambda x, y: 7 % y,
           lambda x, y: x & y, lambda x, y: x | y, lambda x, y: x ^ y, lambda x, y: ~x,
           lambda x, y: x << y.abs(), lambda x, y: x >> y.abs(), lambda x, y: 1 << y.abs(),
           lambda x, y: x.abs() << 70, lambda x, y: x >> 70, lambda x, y: x << -1,
           lambda x, y: (x > y) & (x < 3), lambda x, y: (x > 0) ^ True, lambda x, y: x == 3,
           lambda x, y: x / y, lambda x, y: -x, lambda x, y: x ** 2, lambda x, y: 2 ** y.abs()]
    for f in ops:
        check(lambda T, x, y: f(x, y), None, arrays=[a, b], grad=False)
    fa, fb = a.astype(F32), b.astype(F32)
    for f in (lambda x, y: x // y, lambda x, y: x % y, lambda x, y: 2.5 // y, lambda x, y: -7.5 % y):
        check(lambda T, x, y: f(x, y), None, arrays=[fa, fb], grad=False)


def test_inplace_operators():
    def fn(T, x, y):
        x = x.clone()
        x //= 2
        x %= 3
        x &= y
        x |= 4
        x ^= y
        x <<= 1
        x >>= 2
        return x
    check(fn, None, arrays=[np.arange(6, dtype=np.int64), np.arange(6, dtype=np.int64)[::-1].copy()], grad=False)
    check(lambda T, x: (lambda y: (y.eq_(1.0), y.lt_(0.5), y)[2])(x.detach().clone()), [(5,)], grad=False)
    check(lambda T, x: (lambda y: (y.logical_and_(y > 0), y)[1])(x.detach().clone()), [(5,)], grad=False)


def test_comparisons_scalar_cast_and_helpers():
    u = np.array([1, 2, 200], dtype=np.uint8)
    check(lambda T, x: (x < -1, x == 200, x >= 1.5, x != 2), None, arrays=[u], grad=False)
    x = np.array([1.0, float("nan"), 2.0, 3.0], dtype=F32)
    y = np.array([1.0 + 1e-7, float("nan"), 2.0, 3.0], dtype=F32)
    y2 = y + np.array([0, 0, 0.1, 0], dtype=F32)
    check(lambda T, a, b: (T.isclose(a, b), T.isclose(a, b, equal_nan=True), T.isclose(a, b, rtol=0.1)),
          None, arrays=[x, y2], grad=False)
    for lib in (ember, torch):
        a, b = lib.tensor(x), lib.tensor(y)
        assert lib.allclose(a, b) is False and lib.allclose(a, b, equal_nan=True) is True
        assert lib.allclose(a, b + 0.1, equal_nan=True) is False
        assert lib.equal(a[:1], a[:1]) is True and lib.equal(a, a[:2]) is False
        assert lib.equal(lib.tensor([1, 2]), lib.tensor([1.0, 2.0])) is True
    check(lambda T, a: T.isin(a, T.tensor([2, 5])), None, arrays=[np.array([1, 2, 5, 7])], grad=False)
    assert (ember.ones(2) == None) is False and (ember.ones(2) != "a") is True  # noqa: E711


def test_round_half_to_even_and_decimals():
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 1.2345, 123.456, -2.675], dtype=np.float64)
    check(lambda T, a: (T.round(a), T.round(a, decimals=2), T.round(a, decimals=-1), a.round(decimals=1)),
          None, arrays=[x])


def test_lerp_weight_extremes_and_scalar_weights():
    check(lambda T, a, b: (T.lerp(a, b, 0.0), T.lerp(a, b, 1.0), T.lerp(a, b, 0.5), T.lerp(a, b, 1.5)),
          [(4,), (4,)])


def test_masked_fill_broadcasts_mask():
    check(lambda T, x: T.masked_fill(x, T.tensor([True, False, True, False]), 7.0), [(3, 4)])
    check(lambda T, x: x.masked_fill(T.ones(2, 1, 4, dtype=T.bool), 1.0), [(3, 4)])
    check(lambda T, x: T.masked_fill(x.int(), x > 0, 3.7), [(3, 4)], grad=False)


def test_where_forms():
    check(lambda T, x, y: T.where(x > 0, x, y), [(3, 1), (1, 4)])
    check(lambda T, x: T.where(x > 0, 1.0, x), [(3, 4)])
    check(lambda T, x: x.where(x > 0, T.tensor(0.0)), [(3, 4)])
    check(lambda T, x: T.where(x > 0), [(3, 4)], grad=False)


# ------------------------------------------------------------------------------ broadcasting properties
@settings(max_examples=12, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3),
       st.sampled_from(["add", "mul", "sub", "maximum", "atan2", "hypot", "xlogy", "fmin"]))
def test_binary_broadcasting_property(shapes, op):
    a, b = shapes.input_shapes
    arrays = [rand(a, "float32", low=0.2, high=2.0), rand(b, "float32", low=0.2, high=2.0, seed=1)]
    check(lambda T, x, y: getattr(T, op)(x, y), None, arrays=arrays)


@settings(max_examples=8, deadline=None)
@given(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
def test_ternary_broadcasting_property(shapes):
    arrays = [rand(s, "float32", low=0.5, high=2.0, seed=i) for i, s in enumerate(shapes.input_shapes)]
    check(lambda T, x, y, z: (T.addcmul(x, y, z, value=0.5), T.addcdiv(x, y, z), T.lerp(x, y + 0 * z, 0.3),
                             T.clamp(x + 0 * (y + z), y, z + 1), T.where(x > 1, y, z)), None, arrays=arrays)


def test_empty_and_zero_dim_elementwise():
    check(lambda T, x: (T.clamp(x, 0, 1), T.erf(x), x.masked_fill(x > 0, 1.0), T.logit(x.sigmoid())), [(0, 3)])
    check(lambda T, x, y: (T.maximum(x, y), T.atan2(x, y), T.lerp(x, y, 0.2)), [(), ()])
    check(lambda T, x: (x.clamp(-0.5, 0.5), x % 0.3, T.frac(x)), [()])


# ------------------------------------------------------------------------------ docstring examples
@pytest.mark.parametrize("module", ["elementwise", "comparison", "reduction"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    m = importlib.import_module(f"ember._ops.{module}")
    globs = dict(vars(m))
    globs["ember"] = ember
    res = doctest.testmod(m, globs=globs, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                          report=False)
    assert res.attempted > 20 and res.failed == 0


@pytest.mark.parametrize("fn,data", [
    (lambda T, x: T.atan2(x, x), [0.0, 1.0]),
    (lambda T, x: T.hypot(x, x), [0.0, 1.0]),
    (lambda T, x: T.xlogy(x, x), [0.0, 1.0]),
    (lambda T, x: x ** x, [0.0, 1.0]),
    (lambda T, x: x ** -1.0, [0.0, 1.0]),
    (lambda T, x: T.erfinv(x), [1.0, 0.0, -1.0]),
    (lambda T, x: T.logit(x), [0.0, 0.5, 1.5]),
    (lambda T, x: T.maximum(x, x), [0.0, -1.0]),
    (lambda T, x: T.fmax(x, T.tensor([float("nan"), 1.0])), [float("nan"), 2.0]),
    (lambda T, x: T.clamp(x, 0, 1), [float("nan"), 0.5, 2.0]),
    (lambda T, x: T.nan_to_num(x), [float("nan"), float("inf"), 1.0]),
    (lambda T, x: T.remainder(x, T.tensor([2.0, -2.0])), [3.0, 3.0]),
    (lambda T, x: T.lerp(x, x * 2, x), [0.3, 0.7]),
], ids=lambda v: "" if callable(v) else None)
def test_gradients_at_special_points(fn, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, None, arrays=[np.array(data, dtype=F32)])


@pytest.mark.parametrize("expr", [
    "T.masked_fill(x, T.ones(3, 3).bool(), 1.)", "x.masked_fill_(T.ones(2, 2, 3).bool(), 1.)",
    "T.lerp(x, T.ones(4), 0.5)", "T.where(x > 0, x, T.ones(4))", "T.addcmul(x, x, T.ones(4))",
    "x.clamp_(T.ones(2, 2, 3))", "T.clamp(x, min=T.ones(3, 3))",
    "i.clamp_(0.5, 1)", "i.clamp_min_(0.5)", "i.clamp_(T.tensor([0.5, 1., 2.]))", "i.add_(1.5)", "i.mul_(x)",
    "i.div_(2)", "i.sqrt_()", "i.exp_()", "i.pow_(0.5)", "i.remainder_(1.5)", "i.atan2_(i)", "i.hypot_(i)",
    "i.lerp_(i, 0.5)", "i.lerp(i, T.tensor([0.5, 0.5, 0.5]))", "i.logit_()",
    "i.bitwise_and_(x)", "x.bitwise_and_(i)", "T.lerp(T.tensor([True]), T.tensor([True]), 0.5)",
])
def test_inplace_and_broadcast_errors(expr):
    same_error(lambda T: eval(expr, {"T": T, "x": T.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]),
                                     "i": T.tensor([[3, 1, 1], [0, 5, 5]])}))


def test_inplace_int_results_that_cast():
    check(lambda T, i: (i.clone().masked_fill_(i > 1, 2.5), i.clone().round_(), i.clone().square_(),
                        i.clone().nan_to_num_(), i.clone().sign_(), i.clone().abs_()), None,
          arrays=[np.array([[3, -1, 1], [0, 5, -5]])], grad=False)
