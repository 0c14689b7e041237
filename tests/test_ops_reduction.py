"""Reductions against torch: ties (gradients and returned indices), torch's tie order in sort,
topk, kthvalue, median, mode and cummax on tie-heavy data, zeros in prod, nan, named-tuple
results, degenerate shapes, errors, and dims/keepdim properties."""
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


def _flat(*items):
    """Flatten named-tuple results so that the oracle compares every tensor."""
    out = []
    for it in items:
        if isinstance(it, tuple):
            out.extend(_flat(*it))
        else:
            out.append(it)
    return tuple(out)


def checkf(fn, *args, **kw):
    """``check`` for a lambda returning a tuple that may hold named tuples."""
    return check(lambda T, *xs: _flat(fn(T, *xs)), *args, **kw)


def _ties(shape, seed, levels=4, nan=False):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, levels, size=shape).astype(np.float64)
    if nan:
        a[rng.random(shape) < 0.1] = np.nan
    return a


# ------------------------------------------------------------------------------ gradients at ties
def test_full_extrema_split_ties_evenly():
    x = np.array([[1.0, 3.0, 3.0], [3.0, -1.0, 0.0]], dtype=F32)
    for fn in (lambda T, x: x.max(), lambda T, x: x.min(), lambda T, x: T.amax(x), lambda T, x: x.amin(),
               lambda T, x: x.amax(1), lambda T, x: T.amax(x, (0, 1), keepdim=True), lambda T, x: x.median(),
               lambda T, x: x.norm(float("inf"))):
        checkf(fn, None, arrays=[x])


def test_dim_extrema_send_gradient_to_returned_index():
    x = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]], dtype=F32)
    for fn in (lambda T, x: x.max(1), lambda T, x: x.min(1, keepdim=True), lambda T, x: x.median(1),
               lambda T, x: x.kthvalue(3, 1), lambda T, x: x.mode(1), lambda T, x: x.cummax(1),
               lambda T, x: x.cummin(1), lambda T, x: x.sort(1, descending=True), lambda T, x: x.topk(2, 1),
               lambda T, x: x.max(0), lambda T, x: T.nanmedian(x, 1)):
        checkf(fn, None, arrays=[x])


def test_prod_with_zeros_first_and_second_order():
    for arr in ([0.0, 2.0, -3.0, 1.5], [0.0, 2.0, 0.0, 1.5], [[0.0, 2.0], [3.0, 0.0], [0.0, 0.0]], [0.0], []):
        a = np.array(arr, dtype=np.float64)
        checkf(lambda T, x: x.prod(), None, arrays=[a])
        if a.ndim == 2:
            checkf(lambda T, x: (x.prod(0), x.prod(1, keepdim=True)), None, arrays=[a])
            fd_check(lambda T, x: x.prod(0), [a])
        if a.size:
            fd_check(lambda T, x: x.prod(), [a])
    fd_check(lambda T, x: T.cumprod(x, 0), [np.array([1.5, 0.0, 2.0, 0.0, 3.0])])
    fd_check(lambda T, x: T.cumprod(x, 1), [np.array([[1.5, 0.0, 2.0], [0.5, 0.7, 0.0]])])


def test_norm_std_at_degenerate_points():
    z = np.zeros(3, dtype=F32)
    checkf(lambda T, x: (x.norm(), T.linalg.vector_norm(x, 3), x.norm(1), x.std(0, correction=0)), None,
           arrays=[z])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checkf(lambda T, x: (x.std(), x.var(), x[:1].std(), x[:1].var()), [(1,)])
        checkf(lambda T, x: x.std(1), [(3, 1)])


def test_std_degrees_of_freedom_warning():
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            r = lib.tensor([1.0]).std()
        assert math.isnan(r.item())
        assert any("degrees of freedom is <= 0" in str(x.message) for x in w)


# ------------------------------------------------------------------------------ torch's tie order
@pytest.mark.parametrize("seed", range(6))
def test_sort_argsort_stable_like_torch(seed):
    a = _ties((5, 23), seed, nan=seed % 2 == 1)
    checkf(lambda T, x: (x.sort(1), x.sort(0, descending=True), x.argsort(1, descending=True),
                        T.argsort(x, 0), T.msort(x)), None, arrays=[a])
    i = _ties((40,), seed).astype(np.int64)
    checkf(lambda T, x: (x.sort(), x.sort(descending=True), x.argsort()), None, arrays=[i], grad=False)
    b = _ties((12,), seed, levels=2).astype(bool)
    checkf(lambda T, x: x.sort(descending=True), None, arrays=[b], grad=False)


@pytest.mark.parametrize("seed", range(8))
def test_topk_tie_order_like_torch(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 45))
    a = _ties((3, n), seed, levels=3 + seed % 3, nan=seed % 4 == 3)
    for k in sorted({1, 2, n // 3 + 1, n // 2, n - 1, n}):
        for largest in (True, False):
            checkf(lambda T, x: T.topk(x, k, 1, largest=largest), None, arrays=[a])
            checkf(lambda T, x: x.topk(k, largest=largest, sorted=False).indices, None, arrays=[a], grad=False)
    # the partial-sort path (k * 64 <= n)
    big = _ties((2, 200), seed, levels=5)
    checkf(lambda T, x: (x.topk(3), x.topk(2, largest=False)), None, arrays=[big])


@pytest.mark.parametrize("seed", range(6))
def test_kthvalue_median_mode_tie_order_like_torch(seed):
    a = _ties((4, 17 + seed), seed, levels=3, nan=seed == 5)
    n = a.shape[1]
    for k in (1, 2, n // 2, n):
        checkf(lambda T, x: x.kthvalue(k, 1), None, arrays=[a])
        checkf(lambda T, x: T.kthvalue(x, min(k, 4), 0, keepdim=True), None, arrays=[a])
    checkf(lambda T, x: (x.median(1), x.median(0, keepdim=True), x.median(), T.nanmedian(x, 1), x.nanmedian()),
          None, arrays=[a])
    checkf(lambda T, x: (x.mode(1), x.mode(0), x.cummax(1), x.cummin(0)), None, arrays=[a])
    i = a.astype(np.int64) if seed != 5 else np.nan_to_num(a).astype(np.int64)
    checkf(lambda T, x: (x.mode(), x.median(1), x.kthvalue(3, 1)), None, arrays=[i], grad=False)


def test_nan_in_extrema_and_args():
    a = np.array([[1.0, float("nan"), 3.0, float("nan")], [2.0, 0.0, 2.0, -1.0]], dtype=F32)
    checkf(lambda T, x: (x.max(1), x.min(1), x.argmax(1), x.argmin(), x.amax(1), x.sort(1), x.median(1),
                        x.max(), x.logsumexp(1), x.cummax(1)), None, arrays=[a], grad=False)


# ------------------------------------------------------------------------------ named tuples and printing
def test_return_types_repr_and_fields():
    a = np.array([[1.0, 5.0, 2.0], [7.0, 2.0, 7.0]], dtype=F32)
    for name, call in [("max", lambda x: x.max(1)), ("min", lambda x: x.min(0, keepdim=True)),
                       ("sort", lambda x: x.sort()), ("topk", lambda x: x.topk(2)),
                       ("kthvalue", lambda x: x.kthvalue(2)), ("median", lambda x: x.median(1)),
                       ("mode", lambda x: x.mode()), ("cummax", lambda x: x.cummax(1)),
                       ("aminmax", lambda x: ember.aminmax(x) if isinstance(x, ember.Tensor) else torch.aminmax(x))]:
        e, t = pair(a, requires_grad=False)
        re, rt = call(e), call(t)
        assert repr(re) == repr(rt)
        assert type(re).__name__ == type(rt).__name__ == name
        assert len(re) == len(rt) == 2
        v, i = re
        assert v is re[0]
    e, t = pair(a)
    assert repr(e.max(1)) == repr(t.max(1))
    assert e.max(1).values.grad_fn.name() == "MaxBackward0" and e.max(1).indices.grad_fn is None
    assert ember.return_types.max is type(e.max(1))


# ------------------------------------------------------------------------------ dtypes
def test_reduction_dtypes():
    i = np.array([[1, 2, 0], [4, 0, 6]], dtype=np.int32)
    b = np.array([[True, False, True], [True, True, True]])
    u = np.array([[1, 0], [3, 4]], dtype=np.uint8)
    for arr in (i, b, u):
        checkf(lambda T, x: (x.sum(), x.sum(0), x.prod(1), x.cumsum(1), x.cumprod(0), x.all(), x.any(1),
                            T.all(x, 1, keepdim=True), x.count_nonzero(), x.count_nonzero(0), x.amax(1),
                            x.max(), T.unique(x)), None, arrays=[arr], grad=False)
    checkf(lambda T, x: (x.sum(dtype=T.float64), x.prod(dtype=T.float32), x.cumsum(0, dtype=T.float64),
                        x.mean(dtype=T.float64), x.logsumexp(1), T.softmax(x, 1, dtype=T.float32)),
          None, arrays=[i], grad=False)
    checkf(lambda T, x: (x.sum(dtype=T.float64), x.mean(0, dtype=T.float64), x.cumsum(1, dtype=T.float64),
                        x.softmax(0, dtype=T.float64), x.log_softmax(1, dtype=T.float64),
                        x.norm(dtype=T.float64)), [(3, 4)])


def test_std_var_argument_forms():
    checkf(lambda T, x: (x.var(1, True), x.var(1, False, True), x.std(False), x.var(unbiased=False),
                        x.std(dim=0, correction=2), T.var(x, (0, 1), keepdim=True), T.std(x, [-1]),
                        T.var_mean(x, 1, correction=0), T.std_mean(x, unbiased=False)), [(3, 4)])


# ------------------------------------------------------------------------------ norms
def test_norm_forms():
    checkf(lambda T, x: (x.norm(), x.norm(p="fro"), x.norm(p="fro", dim=(0, 1)), x.norm(2, 1), x.norm(0.5),
                        x.norm(-1, 1), x.norm(float("-inf")), T.norm(x, 4, dim=0, keepdim=True)), [(3, 4)],
          rtol=1e-4, atol=1e-5)
    e, t = pair(rand((2, 3, 4), "float64"), requires_grad=False)
    for o in ("nuc", 2, -2):
        assert_close(ember.linalg.matrix_norm(e, o), torch.linalg.matrix_norm(t, o))
        assert_close(ember.linalg.matrix_norm(e, o, dim=(0, 2), keepdim=True),
                     torch.linalg.matrix_norm(t, o, dim=(0, 2), keepdim=True))
    for o in ("nuc", 2, -2):
        check(lambda T, x: T.linalg.matrix_norm(x, o), [(2, 3, 4)], dtype="float64")
        check(lambda T, x: T.linalg.matrix_norm(x, o, dim=(0, 2)), [(3, 2, 4)], dtype="float64")
        fd_check(lambda T, x: T.linalg.matrix_norm(x, o), [rand((3, 2), "float64")])
    check(lambda T, x: T.norm(x, p="nuc"), [(3, 4)])


# ------------------------------------------------------------------------------ softmax family
def test_softmax_numerically_stable():
    a = np.array([[1000.0, 1001.0, -1000.0], [-np.inf, 0.0, -np.inf], [88.0, 89.0, 90.0]], dtype=F32)
    checkf(lambda T, x: (T.softmax(x, 1), T.log_softmax(x, 1), T.logsumexp(x, 1)), None, arrays=[a], grad=False)
    checkf(lambda T, x: (T.softmax(x, 1), T.log_softmax(x, 1), T.logsumexp(x, 1)), None, arrays=[a[[0, 2]]])
    neg = np.full((2, 3), -np.inf, dtype=F32)
    checkf(lambda T, x: (T.logsumexp(x, 1), T.softmax(x, 1), T.log_softmax(x, 0)), None, arrays=[neg], grad=False)


def test_softmax_empty_and_0d():
    checkf(lambda T, x: (x.softmax(0), x.log_softmax(-1), x.logsumexp(0)), [()])
    checkf(lambda T, x: (x.softmax(1), x.log_softmax(0), x.logsumexp(1)), [(0, 3)])


# ------------------------------------------------------------------------------ unique
def test_unique_forms():
    a = np.array([[3, 1, 2], [3, 1, 2], [0, 5, 1]], dtype=np.int64)
    checkf(lambda T, x: (T.unique(x), T.unique(x, return_inverse=True), T.unique(x, return_counts=True),
                        T.unique(x, sorted=False, return_inverse=True, return_counts=True),
                        T.unique(x, dim=0, return_inverse=True, return_counts=True), x.unique(dim=1),
                        T.unique_consecutive(x), T.unique_consecutive(x, return_counts=True, return_inverse=True),
                        T.unique_consecutive(x, dim=0, return_counts=True)), None, arrays=[a], grad=False)
    f = np.array([2.0, float("nan"), 1.0, 2.0, float("nan")], dtype=F32)
    checkf(lambda T, x: T.unique(x, return_counts=True), None, arrays=[f], grad=False)


# ------------------------------------------------------------------------------ degenerate shapes
def test_zero_dim_and_empty():
    checkf(lambda T, x: (x.max(0), x.sort(), x.topk(1), x.argmax(), x.median(0), x.kthvalue(1), x.mode(),
                        x.cumsum(0), x.cumprod(-1), x.prod(0), x.amax(), x.var(0, correction=0),
                        x.cummax(0), x.logsumexp(0), x.norm()), [()])
    checkf(lambda T, x: (x.sum(0), x.prod(0), x.amax(1), x.max(1), x.cumsum(0), x.sort(0), x.all(), x.any(0),
                        x.logsumexp(0), x.norm(), x.mean(1)), [(0, 3)])


@pytest.mark.parametrize("fn", [
    lambda T: T.tensor([]).max(),
    lambda T: T.zeros(0, 3).max(0),
    lambda T: T.zeros(0).amax(),
    lambda T: T.zeros(0, 3).amin(0),
    lambda T: T.zeros(0, 3).argmax(0),
    lambda T: T.zeros(2, 3).topk(4),
    lambda T: T.zeros(2, 3).kthvalue(4),
    lambda T: T.zeros(2, 3).kthvalue(0),
    lambda T: T.tensor([1, 2]).std(),
    lambda T: T.tensor([1, 2]).var(0),
    lambda T: T.tensor([1, 2]).mean(),
    lambda T: T.tensor([1, 3]).norm(),
    lambda T: T.softmax(T.tensor([1, 2]), 0),
    lambda T: T.log_softmax(T.tensor([1, 2]), 0),
    lambda T: T.ones(2, 3).sum(2),
    lambda T: T.ones(2, 3).max(-3),
    lambda T: T.ones(2, 3).sum((0, 0)),
    lambda T: T.ones(2, 3, 4).norm(dim=(0, 1, 2)),
], ids=lambda f: "")
def test_errors_match_torch(fn):
    same_error(fn)


# ------------------------------------------------------------------------------ in-place scans
def test_cumsum_inplace():
    checkf(lambda T, x: (lambda y: (y.cumsum_(1), y)[1])(x * 1), [(3, 4)])
    checkf(lambda T, x: (lambda y: (y.cumprod_(0), y)[1])(x * 1), [(3, 4)])


# ------------------------------------------------------------------------------ dims / keepdim properties
@settings(max_examples=15, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), st.data())
def test_dim_keepdim_property(shape, data):
    nd = len(shape)
    dim = data.draw(st.integers(-nd, nd - 1))
    dims = tuple(sorted(set(data.draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd)))))
    keep = data.draw(st.booleans())
    arr = rand(shape, "float32")
    checkf(lambda T, x: (x.sum(dims, keepdim=keep), x.mean(dim, keep), x.amax(dims, keep), x.amin(dim, keep),
                        x.logsumexp(dims, keep), x.prod(dim, keep), x.max(dim, keep), x.argmin(dim, keep),
                        x.norm(2, dim=dims, keepdim=keep), x.softmax(dim), x.log_softmax(dim), x.cumsum(dim),
                        T.all(x > 0, dim, keep), T.any(x > 0, dims, keep), x.count_nonzero(dims)),
          None, arrays=[arr])
    if all(shape[d] > 1 for d in dims):
        checkf(lambda T, x: (x.var(dims, keepdim=keep), x.std(dim, keepdim=keep), T.var_mean(x, dims, keepdim=keep)),
              None, arrays=[arr])


@settings(max_examples=10, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=6), st.data())
def test_selection_property_with_ties(shape, data):
    arr = _ties(shape, data.draw(st.integers(0, 1000)), levels=3).astype(F32)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(1, shape[dim]))
    checkf(lambda T, x: (x.topk(k, dim), x.topk(k, dim, largest=False), x.kthvalue(k, dim), x.median(dim),
                        x.mode(dim), x.sort(dim, descending=True), x.cummin(dim)), None, arrays=[arr])


def test_out_argument():
    a = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]], dtype=F32)
    for name, args in [("amax", (1,)), ("amin", ((0, 1),)), ("var", (1,)), ("std", ()), ("logsumexp", (1,)),
                       ("cumsum", (0,)), ("cumprod", (1,)), ("all", (1,)), ("any", ()), ("norm", ())]:
        res = {}
        for lib in (ember, torch):
            out = lib.empty(0, dtype=lib.bool if name in ("all", "any") else lib.float32)
            r = getattr(lib, name)(lib.tensor(a) if name not in ("all", "any") else lib.tensor(a) > 1, *args, out=out)
            assert r is out
            res[lib.__name__] = r
        assert_close(res["ember"], res["torch"])
    for name, args in [("max", (1,)), ("min", (0, True)), ("sort", (1,)), ("topk", (2,)), ("kthvalue", (2,)),
                       ("median", (1,)), ("mode", (0,))]:
        res = {}
        for lib in (ember, torch):
            v, i = lib.empty(0), lib.empty(0, dtype=lib.int64)
            r = getattr(lib, name)(lib.tensor(a), *args, out=(v, i))
            assert r.values is v and r.indices is i
            res[lib.__name__] = r
        assert repr(res["ember"]) == repr(res["torch"])
    same_error(lambda T: T.amax(T.ones(2, requires_grad=True), 0, out=T.empty(0)))


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("fn,data", [
    (lambda T, x: x.max(), [NAN, 0.5, 2.0]),
    (lambda T, x: x.amax(1), [[NAN, 0.5], [1.0, 1.0]]),
    (lambda T, x: x.max(1), [[NAN, 0.5], [1.0, 1.0]]),
    (lambda T, x: x.norm(INF), [-2.0, 2.0, 1.0]),
    (lambda T, x: x.norm(-INF), [-1.0, 2.0, 1.0]),
    (lambda T, x: x.norm(0.5), [0.0, 1.0, 2.0]),
    (lambda T, x: x.norm(3), [0.0, 0.0]),
    (lambda T, x: (x - x).norm(), [1.0, 2.0]),
    (lambda T, x: x.logsumexp(0), [-INF, -INF]),
    (lambda T, x: x.logsumexp(0), [INF, 1.0]),
    (lambda T, x: x.softmax(0), [-INF, 0.0, 1.0]),
    (lambda T, x: x.log_softmax(0), [-INF, 0.0, 1.0]),
    (lambda T, x: x.std(), [1.0, 1.0, 1.0]),
    (lambda T, x: x.std(1), [[1.0, 1.0], [1.0, 2.0]]),
    (lambda T, x: x.median(), [NAN, 1.0, 2.0]),
    (lambda T, x: x.median(1), [[NAN, 1.0, 2.0], [3.0, 1.0, 2.0]]),
    (lambda T, x: x.nanmedian(), [NAN, 1.0, 2.0, 2.0]),
    (lambda T, x: x.cummax(0), [1.0, NAN, 3.0]),
    (lambda T, x: x.sort(), [1.0, NAN, 3.0]),
    (lambda T, x: (x.mean(), x.sum(), x.prod()), []),
    (lambda T, x: (x.amax(), x.softmax(0), x.cumsum(0), x.sort(), x.kthvalue(1)), 3.0),
], ids=lambda v: "" if callable(v) else None)
def test_gradients_at_special_points(fn, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checkf(fn, None, arrays=[np.array(data, dtype=F32)])


@pytest.mark.parametrize("expr", [
    "x.max(5)", "x.softmax(3)", "x.cumsum(-3)", "x.topk(2, 4)", "x.sort(7)", "x.kthvalue(1, 3)", "x.amax((0, 0))",
    "x.var(4)", "x.logsumexp(3)", "x.median(2)", "x.mode(3)", "x.norm(dim=5)", "x.all(3)", "x.prod(3)", "x.argmax(3)",
    "x.cummax(2)", "T.cummax(x, 1.0)", "x.topk(-1)",
])
def test_dim_and_argument_errors(expr):
    same_error(lambda T: eval(expr, {"T": T, "x": T.tensor([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])}))


def test_std_past_degrees_of_freedom_is_inf():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        checkf(lambda T, x: (x.std(1, correction=5), x.var(0, correction=3), x[:, :1].var(1, correction=2)), [(2, 3)])


def test_bincount_vs_torch():
    import torch
    import ember
    from oracle import same_error
    for fn in [lambda T: T.bincount(T.tensor([0, 1, 1, 3])), lambda T: T.bincount(T.tensor([2]), minlength=5),
               lambda T: T.bincount(T.tensor([0, 1, 1]), weights=T.tensor([0.5, 1.0, 2.0])),
               lambda T: T.bincount(T.tensor([0, 1, 1]), weights=T.tensor([0.5, 1.0, 2.0], dtype=T.float64)),
               lambda T: T.bincount(T.tensor([0, 1]), weights=T.tensor([1, 2])),
               lambda T: T.bincount(T.tensor([], dtype=T.int64))]:
        assert repr(fn(ember)) == repr(fn(torch))
    same_error(lambda T: T.bincount(T.tensor([-1, 2])))
