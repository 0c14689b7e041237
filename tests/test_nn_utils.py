"""nn.utils against torch: gradient clipping, parameter vectors, weight/spectral norm and
parametrizations."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import assert_close, grad_fn_name, rand, same_error


def grads_pair(shapes, seed=0):
    ps = {}
    for lib in (ember, torch):
        out = []
        for i, s in enumerate(shapes):
            p = lib.nn.Parameter(lib.tensor(rand(s, seed=seed + i)))
            p.grad = lib.tensor(rand(s, seed=seed + 10 + i) * 3)
            out.append(p)
        ps[lib.__name__] = out
    return ps["ember"], ps["torch"]


@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), 3.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm(norm_type, max_norm):
    ep, tp = grads_pair([(3, 4), (5,), (2, 2, 2)])
    en = ember.nn.utils.clip_grad_norm_(ep, max_norm, norm_type)
    tn = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    assert_close(en, tn)
    for e, t in zip(ep, tp):
        assert_close(e.grad, t.grad)


def test_clip_grad_norm_edge_cases():
    for lib in (ember, torch):
        p = lib.nn.Parameter(lib.ones(2))
        assert float(lib.nn.utils.clip_grad_norm_([p], 1.0)) == 0.0       # no grads
        p.grad = lib.tensor([3.0, 4.0])
        n = lib.nn.utils.clip_grad_norm_(p, 1.0, foreach=True)                # a single tensor
        assert float(n) == 5.0
    same_error(lambda T: T.nn.utils.clip_grad_norm_([_p(T, [float("nan"), 1.0])], 1.0, error_if_nonfinite=True))


def _p(T, v):
    p = T.nn.Parameter(T.zeros(len(v)))
    p.grad = T.tensor(v)
    return p


def test_clip_grad_value():
    ep, tp = grads_pair([(3, 4), (5,)])
    ember.nn.utils.clip_grad_value_(ep, 1.5)
    torch.nn.utils.clip_grad_value_(tp, 1.5)
    for e, t in zip(ep, tp):
        assert_close(e.grad, t.grad)


def test_parameters_vector_roundtrip():
    em, tm = ember.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    ev, tv = ember.nn.utils.parameters_to_vector(em.parameters()), torch.nn.utils.parameters_to_vector(tm.parameters())
    assert_close(ev, tv)
    assert grad_fn_name(ev) == grad_fn_name(tv)
    new = rand((8,), seed=3)
    ember.nn.utils.vector_to_parameters(ember.tensor(new), em.parameters())
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tm.parameters())
    for (n, e), (_, t) in zip(em.named_parameters(), tm.named_parameters()):
        assert_close(e, t, what=n)
    same_error(lambda T: T.nn.utils.vector_to_parameters([1.0], T.nn.Linear(1, 1).parameters()))


def _run(em, tm, x, backward=True):
    to, eo = tm(torch.tensor(x)), em(ember.tensor(x))
    assert_close(eo, to)
    if backward:
        w = rand(tuple(to.shape), seed=9)
        (to * torch.tensor(w)).sum().backward()
        (eo * ember.tensor(w)).sum().backward()
        for (n, e), (_, t) in zip(em.named_parameters(), tm.named_parameters()):
            assert_close(e.grad, t.grad, what=n)


def _copy(em, tm):
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_old_style(dim):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = torch.nn.utils.weight_norm(torch.nn.Linear(4, 3), dim=dim)
        em = ember.nn.utils.weight_norm(ember.nn.Linear(4, 3), dim=dim)
    assert list(em.state_dict()) == list(tm.state_dict())
    _copy(em, tm)
    _run(em, tm, rand((2, 4)))
    torch.nn.utils.remove_weight_norm(tm)
    ember.nn.utils.remove_weight_norm(em)
    assert [n for n, _ in em.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert_close(em.weight, tm.weight)


@pytest.mark.parametrize("make", [lambda T: T.nn.Linear(4, 3), lambda T: T.nn.Conv2d(2, 3, 2)])
def test_weight_norm_parametrization(make):
    tm = torch.nn.utils.parametrizations.weight_norm(make(torch))
    em = ember.nn.utils.parametrizations.weight_norm(make(ember))
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)
    _copy(em, tm)
    x = rand((2, 4)) if isinstance(tm, torch.nn.Linear) else rand((1, 2, 4, 4))
    _run(em, tm, x)
    assert_close(em.weight, tm.weight)


def test_spectral_norm_streams_match_torch():
    for style in ("old", "param"):
        torch.manual_seed(0)
        ember.manual_seed(0)
        tl, el = torch.nn.Linear(5, 4), ember.nn.Linear(5, 4)
        if style == "old":
            tm, em = torch.nn.utils.spectral_norm(tl), ember.nn.utils.spectral_norm(el)
        else:
            tm = torch.nn.utils.parametrizations.spectral_norm(tl)
            em = ember.nn.utils.parametrizations.spectral_norm(el)
        assert list(em.state_dict()) == list(tm.state_dict())
        for k, v in tm.state_dict().items():
            np.testing.assert_allclose(em.state_dict()[k].numpy(), v.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
        for step in range(3):
            _run(em, tm, rand((3, 5), seed=step))
            em.zero_grad()
            tm.zero_grad()
        em.eval()
        tm.eval()
        _run(em, tm, rand((3, 5), seed=9), backward=False)
        for k, v in tm.state_dict().items():
            np.testing.assert_allclose(em.state_dict()[k].numpy(), v.numpy(), rtol=1e-4, atol=1e-5, err_msg=k)


def test_register_parametrization_custom():
    class Symmetric:
        @staticmethod
        def make(T):
            class S(T.nn.Module):
                def forward(self, X):
                    return X.triu() + X.triu(1).transpose(0, 1)
            return S()

    tm, em = torch.nn.Linear(3, 3), ember.nn.Linear(3, 3)
    _copy(em, tm)
    torch.nn.utils.parametrize.register_parametrization(tm, "weight", Symmetric.make(torch))
    ember.nn.utils.parametrize.register_parametrization(em, "weight", Symmetric.make(ember))
    assert type(em).__name__ == type(tm).__name__ == "ParametrizedLinear"
    assert list(em.state_dict()) == list(tm.state_dict())
    assert ember.nn.utils.parametrize.is_parametrized(em, "weight")
    _run(em, tm, rand((2, 3)))
    assert_close(em.weight, tm.weight)
    torch.nn.utils.parametrize.remove_parametrizations(tm, "weight")
    ember.nn.utils.parametrize.remove_parametrizations(em, "weight")
    assert type(em).__name__ == "Linear"
    assert_close(em.weight, tm.weight)
    assert list(em.state_dict()) == list(tm.state_dict())
