"""Core autograd behaviour against torch: requires_grad rules, leaves, accumulation, retain_graph,
grad modes, detach/clone/.data, autograd.grad/backward options, version counters, anomaly mode,
deep graphs."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_close, pair, same_error


def both(fn):
    """Run fn on ember and torch; return the two results."""
    return fn(ember), fn(torch)


# ----------------------------------------------------------------------- requires_grad rules
def test_requires_grad_propagation_and_leaves():
    for T in (ember, torch):
        x = T.ones(2, requires_grad=True)
        c = T.ones(2)
        y = x * c
        assert (x.is_leaf, c.is_leaf, y.is_leaf) == (True, True, False)
        assert (y.requires_grad, (c * 2).requires_grad) == (True, False)
        assert y.grad_fn.name() == "MulBackward0"


@pytest.mark.parametrize("fn", [
    lambda T: T.tensor([1, 2]).requires_grad_(),
    lambda T: setattr(T.tensor([1, 2]), "requires_grad", True),
    lambda T: (T.ones(2, requires_grad=True) * 2).requires_grad_(False),
])
def test_requires_grad_errors(fn):
    same_error(fn)


def test_backward_errors():
    same_error(lambda T: (T.ones(2, requires_grad=True) * 2).backward())
    same_error(lambda T: (T.ones(2) * 2).sum().backward())
    same_error(lambda T: T.autograd.grad((T.ones(2) * 2).sum(), T.ones(2)))


# ----------------------------------------------------------------------- accumulation
def test_grad_accumulates_and_non_leaf_warning():
    e, t = pair(np.array([1.0, 2.0], dtype=np.float32))
    for x in (e, t):
        (x * x).sum().backward()
        (x * 3).sum().backward()
    assert_close(e.grad, t.grad)
    msgs = {}
    for T, x in ((ember, e), (torch, t)):
        y = x * 2
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            assert y.grad is None
        msgs[T.__name__] = str(w[0].message).split(" (Triggered")[0]
    assert msgs["ember"] == msgs["torch"]


def test_retain_grad():
    e, t = pair(np.array([1.0, 2.0], dtype=np.float32))
    ys = []
    for x in (e, t):
        y = x * x
        y.retain_grad()
        (y * 3).sum().backward()
        ys.append(y)
    assert_close(ys[0].grad, ys[1].grad)
    assert ys[0].retains_grad and ys[1].retains_grad


def test_retain_graph_and_second_backward():
    same_error(lambda T: _twice(T, False))
    e, t = _twice(ember, True), _twice(torch, True)
    assert_close(e, t)


def _twice(T, retain):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward(retain_graph=retain)
    y.backward()
    return x.grad


def test_graph_without_saved_tensors_walks_twice():
    e, t = both(lambda T: _twice_add(T))
    assert_close(e, t)


def _twice_add(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = (x + x).sum()
    y.backward()
    y.backward()
    return x.grad


def test_backward_with_gradient_argument():
    e, t = pair(np.array([1.0, 2.0], dtype=np.float32))
    for T, x in ((ember, e), (torch, t)):
        (x * x).backward(T.tensor([1.0, -2.0]))
    assert_close(e.grad, t.grad)
    same_error(lambda T: (T.ones(2, requires_grad=True) * 2).backward(T.ones(3)))


# ----------------------------------------------------------------------- grad modes
@pytest.mark.parametrize("mode", ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode"])
def test_grad_modes_context_and_decorator(mode):
    res = {}
    for T in (ember, torch):
        x = T.ones(2, requires_grad=True)
        ctx = {"no_grad": lambda: T.no_grad(), "enable_grad": lambda: T.enable_grad(),
               "set_grad_enabled": lambda: T.set_grad_enabled(False),
               "inference_mode": lambda: T.inference_mode()}[mode]
        with T.no_grad():
            with ctx():
                a = (x * 2).requires_grad
        with ctx():
            b = (x * 2).requires_grad

        @ (ctx() if mode != "set_grad_enabled" else T.set_grad_enabled(False))
        def f():
            return (x * 2).requires_grad
        res[T.__name__] = (a, b, f(), T.is_grad_enabled())
    assert res["ember"] == res["torch"]


# ----------------------------------------------------------------------- detach, clone, data
def test_detach_shares_memory_and_version():
    for T in (ember, torch):
        x = T.ones(2, requires_grad=True) * 1
        d = x.detach()
        assert not d.requires_grad and d.is_leaf
        d.add_(1)
        assert x._version == d._version == 1
        assert x[0].item() == 2.0
        c = x.clone()
        assert c.grad_fn.name() == "CloneBackward0"
        c.add_(1)
        assert x[0].item() == 2.0
        y = T.ones(2, requires_grad=True) * 1
        y.detach_()
        assert (y.requires_grad, y.is_leaf, y.grad_fn) == (False, True, None)
        z = T.ones(2, requires_grad=True)
        dd = z.data
        assert (dd.requires_grad, dd.is_leaf) == (False, True)
        dd.add_(1)
        assert z[0].item() == 2.0


def test_variable():
    for T in (ember, torch):
        v = T.autograd.Variable(T.ones(2), requires_grad=True)
        assert v.requires_grad and isinstance(v, T.Tensor) and isinstance(T.ones(1), T.autograd.Variable)


# ----------------------------------------------------------------------- autograd.grad / backward
def test_autograd_grad_options():
    def run(T, **kw):
        x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        y = T.tensor([3.0, 4.0], dtype=T.float64, requires_grad=True)
        out = (x.sin() * x).sum()
        g = T.autograd.grad(out, (x, y), **kw)
        return g
    e = run(ember, allow_unused=True)
    t = run(torch, allow_unused=True)
    assert_close(e[0], t[0])
    assert e[1] is None and t[1] is None
    e = run(ember, materialize_grads=True)
    t = run(torch, materialize_grads=True)
    assert_close(e[1], t[1])
    same_error(lambda T: run(T))
    e = run(ember, allow_unused=True, create_graph=True)
    t = run(torch, allow_unused=True, create_graph=True)
    assert e[0].requires_grad and t[0].requires_grad
    assert_close(e[0], t[0])


def test_autograd_grad_outputs_and_batched():
    for kw in ({}, {"is_grads_batched": True}):
        res = []
        for T in (ember, torch):
            x = T.tensor([[1.0, 2.0], [3.0, 0.5]], requires_grad=True)
            y = x.exp() * 2
            go = T.tensor([[1.0, 0.0], [0.5, 2.0]])
            if kw:
                go = T.tensor(np.stack([np.eye(2, dtype=np.float32), np.ones((2, 2), np.float32)]))
            res.append(T.autograd.grad(y, x, go, **kw)[0])
        assert_close(*res)


def test_backward_inputs_only_accumulates_there():
    res = []
    for T in (ember, torch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0], requires_grad=True)
        (x * w).sum().backward(inputs=[x])
        T.autograd.backward([(x * w * w).sum()], inputs=(w,))
        res.append((x.grad, w.grad))
    assert_close(res[0][0], res[1][0])
    assert_close(res[0][1], res[1][1])
    same_error(lambda T: (T.ones(1, requires_grad=True) * 2).sum().backward(inputs=[]))


# ----------------------------------------------------------------------- version counters
def _leaf_inplace(T):
    T.ones(2, requires_grad=True).add_(1)


def _view_of_leaf_inplace(T):
    T.ones(2, 2, requires_grad=True)[0].mul_(2)


def _modified_output(T):
    x = T.ones(2, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


def _modified_input(T):
    x = T.ones(2, requires_grad=True)
    y = x * 1
    z = y.sin()
    y.mul_(2)
    z.sum().backward()


def _modified_leaf_data(T):
    x = T.ones(2, 3, requires_grad=True)
    w = T.ones(3, dtype=T.float64, requires_grad=True)
    y = (x.double() * w).sum()
    with T.no_grad():
        w.add_(1)
    y.backward()


@pytest.mark.parametrize("fn", [_leaf_inplace, _view_of_leaf_inplace, _modified_output, _modified_input,
                                _modified_leaf_data])
def test_inplace_errors(fn):
    same_error(fn)


def test_versions_match():
    for T in (ember, torch):
        x = T.ones(3)
        v = x[1:]
        x.add_(1)
        v.mul_(2)
        assert (x._version, v._version) == (2, 2)


# ----------------------------------------------------------------------- anomaly mode
def _anomaly(T, line_text):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        with T.autograd.detect_anomaly():
            x = T.tensor([0.0, 1.0], requires_grad=True)
            y = x * 1
            z = y.sin()  # the forward line anomaly mode must point at
            y.mul_(2)
            try:
                z.sum().backward()
            except RuntimeError as e:
                err = str(e)
    texts = [str(m.message) for m in w]
    return err, texts


def test_anomaly_mode_reports_forward_line():
    (ee, ew), (te, tw) = _anomaly(ember, "z"), _anomaly(torch, "z")
    assert ee == te
    assert ew[0] == tw[0]  # "Anomaly Detection has been enabled..."
    def tail(s):
        return s.split("Traceback of forward call that caused the error:")
    assert tail(ew[1])[0] == tail(tw[1])[0] == "Error detected in SinBackward0. "
    assert "z = y.sin()  # the forward line anomaly mode must point at" in ew[1]
    # the last frame shown is the user's line, in both
    assert ew[1].strip().splitlines()[-1].split(" (Triggered")[0] == tw[1].strip().splitlines()[-1].split(" (Triggered")[0]


def test_anomaly_nan_detection():
    def run(T, check_nan):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with T.autograd.detect_anomaly(check_nan=check_nan):
                x = T.tensor([0.0, 1.0], requires_grad=True)
                (x.sqrt() * 0).sum().backward()
                return x.grad
    same_error(lambda T: run(T, True))
    assert_close(run(ember, False), run(torch, False))
    assert ember.autograd.is_anomaly_enabled() is False


# ----------------------------------------------------------------------- deep graphs
def test_100k_chain_no_recursion():
    x = ember.ones(3, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    y.sum().backward()
    expected = float(np.float32(1.0000001)) ** 100_000  # the product of the 100k float32 factors
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, expected, np.float32), rtol=1e-4)
    del y  # freeing a 100k-deep graph must not recurse either
