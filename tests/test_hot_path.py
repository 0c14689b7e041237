"""The per-op hot path and the engine's shortcuts give torch's answers.

Fast paths under test: promotion of a tensor with a Python scalar or a same-dtype tensor,
the version counter made with every tensor, ``_saved_*`` as generated properties, the first
gradient taken as ``.grad`` without a copy when nobody else can see it, and the lazily made
bit generator. No timings here: only that the shortcuts never change what the user sees.
"""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_close, check, pair

DTYPES = ["float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "bool",
          "complex64", "complex128"]


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("scalar", [3, 2.5, True])
@pytest.mark.parametrize("op", ["add", "mul", "sub"])
def test_tensor_scalar_promotion(dt, scalar, op):
    arr = np.array([1, 0, 1], dtype=np.bool_ if dt == "bool" else dt)
    e, t = pair(arr)
    for order in ("ts", "st"):
        def run(T, x):
            f = getattr(T, op)
            return f(x, scalar) if order == "ts" else f(T.tensor(scalar), x)
        try:
            expected = run(torch, t)
        except RuntimeError as err:
            with pytest.raises(RuntimeError) as got:
                run(ember, e)
            assert str(got.value) == str(err)
            continue
        got = run(ember, e)
        assert repr(got.dtype) == repr(expected.dtype)
        assert_close(got, expected)


@pytest.mark.parametrize("a,b", [("float32", "float32"), ("float64", "float64"), ("int64", "int64"),
                                 ("float32", "float64"), ("int32", "float32"), ("bool", "bool")])
def test_tensor_tensor_promotion(a, b):
    x = np.array([1, 0, 2], dtype=a)
    y = np.array([3, 1, 1], dtype=b)
    (ex, tx), (ey, ty) = pair(x), pair(y)
    for name in ("mul", "add"):
        got, expected = getattr(ember, name)(ex, ey), getattr(torch, name)(tx, ty)
        assert repr(got.dtype) == repr(expected.dtype)
        assert_close(got, expected)


def test_chain_of_ops_values_and_gradient():
    def fn(T, x):
        y = x
        for i in range(50):
            y = y * 1.001 if i % 2 else y + 0.5
        return y
    check(fn, [(4,)])


def test_version_counter_per_tensor_and_shared_by_views():
    for T in (ember, torch):
        x = T.ones(3)
        v = x[1:]
        d = x.detach()
        assert (x._version, v._version, d._version) == (0, 0, 0)
        x.add_(1)
        assert (x._version, v._version, d._version) == (1, 1, 1)
        y = x * 2
        assert y._version == 0


def test_saved_properties_and_dir():
    for T in (ember, torch):
        a = T.tensor([1.0, 2.0], requires_grad=True)
        b = T.tensor([3.0, 4.0], requires_grad=True)
        m = (a * b).grad_fn
        assert m._saved_self is a and m._saved_other is b
        assert a.exp().grad_fn._saved_result.tolist() == pytest.approx(np.exp([1.0, 2.0]).tolist())
        assert a.sin().grad_fn._saved_self is a
        with pytest.raises(AttributeError):
            m._saved_nothing
    assert not [n for n in dir((ember.ones(1, requires_grad=True) * 2).grad_fn) if n.startswith("_saved_")
                and n not in ("_saved_self", "_saved_other")]


def test_attribute_error_wording():
    for T in (ember, torch):
        with pytest.raises(AttributeError) as err:
            T.ones(1).no_such_attribute
        assert str(err.value) == "'Tensor' object has no attribute 'no_such_attribute'"


# ------------------------------------------------------------------ first gradient without copy
def _leaf(T, arr):
    return T.tensor(arr, requires_grad=True)


def test_grad_of_leaf_root_is_not_the_users_tensor():
    arr = np.array([1.0, 2.0, 3.0], np.float32)
    for T in (ember, torch):
        x = _leaf(T, arr)
        g = T.tensor([0.5, 0.5, 0.5])
        x.backward(g)
        assert x.grad is not g
        x.grad.mul_(2)
        assert g.tolist() == [0.5, 0.5, 0.5]


def test_gradient_kept_by_a_hook_is_not_aliased():
    arr = np.array([1.0, -2.0], np.float32)
    out = {}
    for T in (ember, torch):
        kept = []
        x = _leaf(T, arr)
        y = x * 3
        y.register_hook(lambda g: kept.append(g))
        x.register_hook(lambda g: kept.append(g))
        y.sum().backward()
        x.grad.add_(100)   # in place on .grad must not reach what the hooks kept
        (x * 2).sum().backward()   # accumulates into .grad in place
        out[T] = ([k.tolist() for k in kept], x.grad.tolist())
    assert out[ember] == out[torch]


def test_accumulation_over_backward_calls_and_shared_gradients():
    a0 = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    b0 = np.array([[0.5, -1.0], [2.0, 1.0]], np.float32)
    res = {}
    for T in (ember, torch):
        a, b = _leaf(T, a0), _leaf(T, b0)
        (a + b).sum().backward()      # one gradient object reaching two leaves
        a.grad.mul_(3)                # must not change b.grad
        (a * b).sum().backward()
        (a @ b).sum().backward()
        res[T] = (a.grad.tolist(), b.grad.tolist())
    assert res[ember] == res[torch]


def test_linear_weight_gradient_layout_and_values():
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((5, 7)).astype(np.float32)
    res = {}
    for T in (ember, torch):
        T.manual_seed(0)
        lin = T.nn.Linear(7, 3)
        with T.no_grad():
            lin.weight.copy_(T.tensor(np.arange(21, dtype=np.float32).reshape(3, 7) / 10))
            lin.bias.copy_(T.tensor([0.1, 0.2, 0.3]))
        for _ in range(2):
            lin(T.tensor(x0)).relu().sum().backward()
        w, b = lin.weight.grad, lin.bias.grad
        res[T] = (w.is_contiguous(), w.stride(), b.is_contiguous(), w._base is None, b._base is None)
        lin.weight.grad.zero_()
        res[T] += (float(w.abs().sum()),)
    assert res[ember] == res[torch]


def test_gradient_not_taken_when_graph_is_recorded():
    names = {}
    for T in (ember, torch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward(create_graph=True)
        assert x.grad.requires_grad
        names[T] = (type(x.grad.grad_fn).__name__, x.grad.tolist())
    assert names[ember] == names[torch]


# ------------------------------------------------------------------ lazily made bit generator
def test_generator_made_on_first_use_matches_torch():
    g = ember.Generator()
    tg = torch.Generator()
    assert g.initial_seed() == tg.initial_seed()
    assert g.get_state().tolist() == tg.get_state().tolist()
    g.manual_seed(7)
    tg.manual_seed(7)
    assert ember.rand(3, generator=g).tolist() == torch.rand(3, generator=tg).tolist()
    g2 = ember.Generator().manual_seed(11)
    tg2 = torch.Generator().manual_seed(11)
    assert ember.randn(4, generator=g2).tolist() == torch.randn(4, generator=tg2).tolist()


def test_binary_fast_paths_match_general_path():
    """add/sub/mul take a shortcut for same-dtype tensors and Python numbers with floating
    tensors; results, dtypes, grad_fn and gradients are those of torch."""
    import numpy as np
    import torch
    import ember
    from oracle import check
    for op in ("+", "-", "*"):
        for other in ("y", "2", "2.5", "y[0]"):
            check(lambda T, x, y: eval(f"x {op} {other}"), [(2, 3), (2, 3)])
    check(lambda T, x, y: x * y, [(2, 3), (3,)])
    check(lambda T, x, y: x + y, None, arrays=[np.array(1.5, np.float32), np.ones(3, np.float32)])
    for lib in (ember, torch):
        i = lib.tensor([1, 2])
        assert str((i + 2).dtype) == "torch.int64" and str((i * 2.5).dtype) == "torch.float32"
        assert str((lib.tensor([True]) + lib.tensor([True])).dtype) == "torch.bool"
    from oracle import same_error
    same_error(lambda T: T.tensor([True]) - T.tensor([True]))
    same_error(lambda T: T.ones(3) * T.ones(4))
