"""Higher order: autograd.functional, torch.func, forward AD, gradcheck, checkpoint, WGAN-GP, HVP."""
import importlib
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_close

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3,))
B = RNG.standard_normal((2, 3))
V = (RNG.standard_normal(3), RNG.standard_normal((2, 3)))


def cmp(r1, r2):
    if isinstance(r2, (tuple, list)):
        assert type(r1) is type(r2) and len(r1) == len(r2)
        for u, v in zip(r1, r2):
            cmp(u, v)
    else:
        assert_close(r1, r2)
        assert r1.requires_grad == r2.requires_grad


def scalar_f(T):
    return lambda x, W: (T.tanh(W @ x) ** 2).sum() + (x ** 3).sum()


def vec_f(T):
    return lambda x, W: (T.tanh(W @ x), (x * x).sum())


def mod(T, name):
    return importlib.import_module(T.__name__ + name)


@pytest.mark.parametrize("kw", [{}, {"create_graph": True}, {"vectorize": True},
                                {"vectorize": True, "strategy": "forward-mode"}])
def test_jacobian(kw):
    cmp(*[mod(T, ".autograd.functional").jacobian(vec_f(T), (T.tensor(A), T.tensor(B)), **kw) for T in (ember, torch)])


@pytest.mark.parametrize("name", ["hessian", "hvp", "vhp", "vjp", "jvp"])
@pytest.mark.parametrize("create_graph", [False, True])
def test_functional(name, create_graph):
    res = []
    for T in (ember, torch):
        F = mod(T, ".autograd.functional")
        x = (T.tensor(A), T.tensor(B))
        if name == "hessian":
            r = F.hessian(scalar_f(T), x, create_graph=create_graph)
        elif name in ("hvp", "vhp"):
            r = getattr(F, name)(scalar_f(T), x, tuple(T.tensor(v) for v in V), create_graph=create_graph)
        elif name == "vjp":
            r = F.vjp(vec_f(T), x, (T.ones(2, dtype=T.float64), T.tensor(2.0, dtype=T.float64)), create_graph=create_graph)
        else:
            r = F.jvp(vec_f(T), x, tuple(T.tensor(v) for v in V), create_graph=create_graph)
        res.append(r)
    cmp(*res)


FUNC_CASES = {
    "grad": lambda T, F: F.grad(scalar_f(T))(T.tensor(A), T.tensor(B)),
    "grad_argnums": lambda T, F: F.grad(scalar_f(T), argnums=(0, 1))(T.tensor(A), T.tensor(B)),
    "grad_and_value": lambda T, F: F.grad_and_value(scalar_f(T), argnums=1)(T.tensor(A), T.tensor(B)),
    "grad_grad": lambda T, F: F.grad(lambda x: F.grad(lambda y: (y ** 4).sum())(x).sum())(T.tensor(A)),
    "jacrev": lambda T, F: F.jacrev(vec_f(T), argnums=(0, 1))(T.tensor(A), T.tensor(B)),
    "jacfwd": lambda T, F: F.jacfwd(vec_f(T), argnums=(0, 1))(T.tensor(A), T.tensor(B)),
    "hessian": lambda T, F: F.hessian(scalar_f(T))(T.tensor(A), T.tensor(B)),
    "jvp": lambda T, F: F.jvp(vec_f(T), (T.tensor(A), T.tensor(B)), tuple(T.tensor(v) for v in V)),
    "vjp": lambda T, F: (lambda o: (o[0], o[1]((T.ones(2, dtype=T.float64), T.tensor(2.0, dtype=T.float64)))))(
        F.vjp(vec_f(T), T.tensor(A), T.tensor(B))),
    "vmap": lambda T, F: F.vmap(lambda x, W: (W @ x, x.sum()), in_dims=(0, None), out_dims=(1, 0))(
        T.tensor(B), T.tensor(B)),
    "per_sample_grad": lambda T, F: F.vmap(F.grad(lambda x: (x ** 3).sum()))(T.tensor(B)),
}


@pytest.mark.parametrize("name", sorted(FUNC_CASES))
def test_func(name):
    cmp(FUNC_CASES[name](ember, ember.func), FUNC_CASES[name](torch, torch.func))


def test_forward_ad():
    res = []
    for T in (ember, torch):
        fw = mod(T, ".autograd.forward_ad")
        with fw.dual_level():
            x = fw.make_dual(T.tensor(B), T.tensor(V[1]))
            y = (T.tanh(x @ T.tensor(B).t()).sum(1) * x.mean(0)[:2]).exp()
            p, t = fw.unpack_dual(y)
            res.append((p, t, fw.unpack_dual(x.t().reshape(-1)).tangent, fw.unpack_dual(T.ones(2)).tangent))
    cmp(res[0][:3], res[1][:3])
    assert res[0][3] is None and res[1][3] is None


def test_gradcheck_ops():
    ops = [lambda x, y: (x * y).exp(), lambda x, y: (x.tanh() @ y, x.sum()), lambda x, y: x.sigmoid() / (y * y + 1),
           lambda x, y: (x.sin() * y.cos()).mean(0), lambda x, y: (x.abs() + 1).log() ** y.unsqueeze(0)]
    x = ember.tensor(B, requires_grad=True)
    y = ember.tensor(A, requires_grad=True)
    for op in ops:
        assert ember.autograd.gradcheck(op, (x, y))
        assert ember.autograd.gradcheck(op, (x, y), fast_mode=True)
        assert ember.autograd.gradgradcheck(op, (x, y))


def test_gradcheck_failure_message():
    errs = []
    for T in (ember, torch):
        class Bad(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g * 3
        x = T.tensor([1.0, 2.0], dtype=T.float64, requires_grad=True)
        with pytest.raises(T.autograd.gradcheck.__globals__["GradcheckError"] if T is torch else ember.autograd.GradcheckError) as ei:
            T.autograd.gradcheck(Bad.apply, (x,))
        assert T.autograd.gradcheck(Bad.apply, (x,), raise_exception=False) is False
        errs.append(str(ei.value))
    assert errs[0] == errs[1]


def test_checkpoint_recomputes():
    res = []
    for T in (ember, torch):
        C = mod(T, ".utils.checkpoint")
        x = T.tensor(B, requires_grad=True)
        w = T.tensor(np.eye(3) + 0.1, requires_grad=True)
        calls = []

        def block(t):
            calls.append(1)
            return T.tanh(t @ w).exp() * t
        y = C.checkpoint(block, x, use_reentrant=False)
        y.sum().backward()
        res.append((y, x.grad, w.grad, len(calls), y.grad_fn.name()))
        with warnings.catch_warnings(record=True) as wr:
            warnings.simplefilter("always")
            C.checkpoint(block, x)
        assert "use_reentrant parameter should be passed explicitly" in str(wr[-1].message)
    cmp(res[0][:3], res[1][:3])
    assert res[0][3:] == res[1][3:] == (2, "MulBackward0")


def _mlp(T, x, W1, W2):
    return (T.tanh(x @ W1) @ W2).sum(1)


def test_wgan_gp_and_hvp():
    xs = RNG.standard_normal((4, 3)).astype(np.float32)
    w1 = RNG.standard_normal((3, 5)).astype(np.float32)
    w2 = RNG.standard_normal((5, 1)).astype(np.float32)
    v = RNG.standard_normal((3, 5)).astype(np.float32)
    res = []
    for T in (ember, torch):
        W1, W2 = T.tensor(w1, requires_grad=True), T.tensor(w2, requires_grad=True)
        x = T.tensor(xs, requires_grad=True)
        out = _mlp(T, x, W1, W2)
        g, = T.autograd.grad(out, x, grad_outputs=T.ones_like(out), create_graph=True, retain_graph=True)
        penalty = ((((g * g).sum(1)) ** 0.5 - 1) ** 2).mean()
        penalty.backward()
        # Hessian-vector product in W1
        loss = _mlp(T, T.tensor(xs), W1, W2).sum()
        gw, = T.autograd.grad(loss, W1, create_graph=True)
        hv, = T.autograd.grad((gw * T.tensor(v)).sum(), W1)
        res.append((penalty, W1.grad, W2.grad, hv))
    for a, b in zip(*res):
        assert_close(a, b, atol=1e-5, rtol=1e-4)
