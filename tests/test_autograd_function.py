"""Custom Functions, hooks, graph introspection and memory, against torch."""
import gc
import weakref

import numpy as np
import pytest
import torch

import ember
from oracle import assert_close, pair, same_error


def _fn(T, fwd, bwd, setup=None):
    class MyFn(T.autograd.Function):
        forward = staticmethod(fwd)
        backward = staticmethod(bwd)
    if setup is not None:
        MyFn.setup_context = staticmethod(setup)
    return MyFn


def _scaled(T):
    def fwd(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        return x * k

    def bwd(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.k + 0 * x, None
    F = _fn(T, fwd, bwd)
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = F.apply(x, 3)
    y.sum().backward()
    return y, x.grad, y.grad_fn.name(), y.grad_fn.needs_input_grad, repr(y)


def test_function_basic():
    e, t = _scaled(ember), _scaled(torch)
    assert_close(e[0], t[0])
    assert_close(e[1], t[1])
    assert e[2:] == t[2:] == ("MyFnBackward", (True, False), "tensor([3., 6.], grad_fn=<MyFnBackward>)")


@pytest.mark.parametrize("case", ["count", "shape", "type", "nontensor_grad", "dirty_leaf", "saved_modified",
                                  "freed"])
def test_function_errors(case):
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        if case == "count":
            F = _fn(T, lambda ctx, a: a * 2, lambda ctx, g: (g, g))
        elif case == "shape":
            F = _fn(T, lambda ctx, a: a * 2, lambda ctx, g: T.ones(3))
        elif case == "type":
            F = _fn(T, lambda ctx, a: a * 2, lambda ctx, g: 3)
        elif case == "nontensor_grad":
            F = _fn(T, lambda ctx, a, k: a * k, lambda ctx, g: (g, g))
            return F.apply(x, 2).sum().backward()
        elif case == "dirty_leaf":
            def fwd(ctx, a):
                a.mul_(2)
                ctx.mark_dirty(a)
                return a
            return _fn(T, fwd, lambda ctx, g: g).apply(x)
        elif case in ("saved_modified", "freed"):
            def fwd(ctx, a):
                ctx.save_for_backward(a)
                return a * 2
            F = _fn(T, fwd, lambda ctx, g: g * ctx.saved_tensors[0])
            b = x * 1
            y = F.apply(b)
            if case == "saved_modified":
                b.add_(1)
                return y.sum().backward()
            else:
                y.sum().backward()
                return y.grad_fn.saved_tensors
        return F.apply(x).sum().backward()
    same_error(run)


def test_setup_context_mark_dirty_non_differentiable_materialize():
    res = {}
    for T in (ember, torch):
        class Mul(T.autograd.Function):
            @staticmethod
            def forward(x, y):
                return x * y, (x > 0).long(), 7

            @staticmethod
            def setup_context(ctx, inputs, output):
                ctx.save_for_backward(*inputs)
                ctx.mark_non_differentiable(output[1])

            @staticmethod
            def backward(ctx, g, g_idx, g_k):
                x, y = ctx.saved_tensors
                return g * y, g * x

        class Dirty(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.mul_(2)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g * 2

        seen = []

        class Two(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.set_materialize_grads(False)
                return x * 2, x * 3

            @staticmethod
            def backward(ctx, g1, g2):
                seen.append(g2 is None)
                return g1 * 2

        x = T.tensor([1.0, -2.0], requires_grad=True)
        y = T.tensor([3.0, 4.0], requires_grad=True)
        z, idx, k = Mul.apply(x, y)
        z.sum().backward()
        a = x * 1
        d = Dirty.apply(a)
        d.sum().backward()
        p, q = Two.apply(x)
        p.sum().backward()
        res[T.__name__] = (z, idx.requires_grad, k, x.grad, y.grad, d is a, a._version, d.grad_fn.name(), seen)
    e, t = res["ember"], res["torch"]
    for i in (0, 3, 4):
        assert_close(e[i], t[i])
    assert e[1:3] == t[1:3] and e[5:] == t[5:]


def test_once_differentiable_and_double_backward():
    res = {}
    for T in (ember, torch):
        class Cube(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x ** 3

            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x ** 2 * g

        class CubeOnce(Cube):
            @staticmethod
            @T.autograd.function.once_differentiable
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 3 * x ** 2 * g

        x = T.tensor([1.0, 2.0], requires_grad=True)
        g, = T.autograd.grad(Cube.apply(x).sum(), x, create_graph=True)
        g2, = T.autograd.grad(g.sum(), x)
        h, = T.autograd.grad(CubeOnce.apply(x).sum(), x, create_graph=True)
        res[T.__name__] = (g, g2, h.requires_grad)
    assert_close(res["ember"][0], res["torch"][0])
    assert_close(res["ember"][1], res["torch"][1])
    assert res["ember"][2] == res["torch"][2]


# ----------------------------------------------------------------------- Legendre P3 example
def test_legendre_p3_training_matches_torch():
    xs = np.linspace(-np.pi, np.pi, 200).astype(np.float32)
    losses = {}
    for T in (ember, torch):
        class LegendrePolynomial3(T.autograd.Function):
            @staticmethod
            def forward(ctx, input):
                ctx.save_for_backward(input)
                return 0.5 * (5 * input ** 3 - 3 * input)

            @staticmethod
            def backward(ctx, grad_output):
                input, = ctx.saved_tensors
                return grad_output * 1.5 * (5 * input ** 2 - 1)

        x = T.tensor(xs)
        y = T.sin(x)
        a = T.tensor(0.0, requires_grad=True)
        b = T.tensor(-1.0, requires_grad=True)
        c = T.tensor(0.0, requires_grad=True)
        d = T.tensor(0.3, requires_grad=True)
        out = []
        for _ in range(60):
            y_pred = a + b * LegendrePolynomial3.apply(c + d * x)
            loss = ((y_pred - y) ** 2).sum()
            out.append(loss.item())
            loss.backward()
            with T.no_grad():
                for p in (a, b, c, d):
                    p -= 5e-6 * p.grad
                    p.grad = None
        losses[T.__name__] = out
    np.testing.assert_allclose(losses["ember"], losses["torch"], rtol=1e-4)


# ----------------------------------------------------------------------- hooks
def _hook_order(T):
    x = T.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    order = []
    y.register_hook(lambda g: order.append("t1"))
    y.grad_fn.register_prehook(lambda g: order.append("pre"))
    h = y.register_hook(lambda g: order.append("removed"))
    y.retain_grad()
    y.register_hook(lambda g: order.append("t3") or g * 2)
    y.grad_fn.register_hook(lambda gi, go: order.append("post"))
    x.register_hook(lambda g: order.append("leaf"))
    x.register_post_accumulate_grad_hook(lambda t: order.append("acc"))
    h.remove()
    y.sum().backward()
    return order, y.grad, x.grad


def test_hook_order_and_replacement():
    e, t = _hook_order(ember), _hook_order(torch)
    assert e[0] == t[0]
    assert_close(e[1], t[1])
    assert_close(e[2], t[2])


def test_node_hooks_replace_gradients():
    res = []
    for T in (ember, torch):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        y.grad_fn.register_prehook(lambda go: (go[0] * 10,))
        y.grad_fn.register_hook(lambda gi, go: (gi[0] + 1,))
        y.sum().backward()
        res.append(x.grad)
    assert_close(*res)


def test_saved_tensors_hooks_and_save_on_cpu():
    res = []
    for T in (ember, torch):
        packed = []
        x = T.tensor([1.0, 2.0], requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: packed.append(1) or t * 1, lambda t: t):
            y = (x * x).sin()
        with T.autograd.graph.save_on_cpu():
            z = (x * x).sin()
        (y + z).sum().backward()
        res.append((len(packed), x.grad))
    assert res[0][0] == res[1][0]
    assert_close(res[0][1], res[1][1])


# ----------------------------------------------------------------------- introspection
def test_graph_introspection():
    def walk(T):
        x = T.tensor([1.0, 2.0], requires_grad=True)
        w = T.tensor([3.0, 4.0], requires_grad=True)
        y = (x * w).exp().sum()
        names, seen, stack = [], set(), [y.grad_fn]
        while stack:  # a make_dot-style walk
            n = stack.pop()
            names.append(n.name())
            assert isinstance(n, T.autograd.graph.Node)
            if hasattr(n, "variable"):
                names.append(tuple(n.variable.shape))
            for f, _ in n.next_functions:
                if f is not None and f not in seen:
                    seen.add(f)
                    stack.append(f)
        mul = y.grad_fn.next_functions[0][0].next_functions[0][0]
        saved = (mul._saved_self, mul._saved_other, y.grad_fn.next_functions[0][0]._saved_result)
        y.grad_fn.metadata["k"] = 1
        return names, saved, y.grad_fn.metadata
    e, t = walk(ember), walk(torch)
    assert e[0] == t[0] and e[2] == t[2]
    for a, b in zip(e[1], t[1]):
        assert_close(a, b)
    same_error(lambda T: (T.ones(2, requires_grad=True) * 2).grad_fn._saved_nothing)


def test_saved_after_free_raises():
    def run(T):
        x = T.ones(2, requires_grad=True)
        y = x.exp()
        y.sum().backward()
        return y.grad_fn._saved_result
    same_error(run)


def test_graph_freed_without_cycles():
    gc.collect()
    gc.disable()
    try:
        refs = []
        for _ in range(20):
            x = ember.ones(3, requires_grad=True)
            y = x
            for _ in range(500):
                y = (y * 1.0001).exp().sin() + y
            refs.append(weakref.ref(y.grad_fn.next_functions[0][0]))
            del y
        assert all(r() is None for r in refs)
        class F(ember.autograd.Function):
            @staticmethod
            def forward(ctx, a):
                out = a * 2
                ctx.save_for_backward(a, out)
                return out

            @staticmethod
            def backward(ctx, g):
                return g * 2
        x = ember.ones(3, requires_grad=True)
        y = F.apply(x * 1)
        r = weakref.ref(y.grad_fn)
        y.sum().backward()
        del y
        assert r() is None
    finally:
        gc.enable()


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def test_graph_of_10k_nodes_built_and_freed_1000_times_does_not_grow():
    """Issue 4: no reference cycle keeps a graph alive (the cycle collector is off)."""
    def build():
        x = ember.ones(4, requires_grad=True)
        y = x
        for i in range(10_000):
            y = y * 1.0 if i % 2 else y + 1.0
        return y

    gc.collect()
    gc.disable()
    try:
        one = build()
        ref = weakref.ref(one.grad_fn)
        del one
        assert ref() is None  # freed by reference counting alone
        for it in range(1000):
            y = build()
            del y
            if it == 49:
                rss_early = _rss_bytes()
        growth = _rss_bytes() - rss_early
    finally:
        gc.enable()
    # one leaked 10k-node graph would be several MB; 950 of them would be gigabytes
    assert growth < 4 * 2 ** 20, growth
