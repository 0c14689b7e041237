"""Losses (functional and modules) against torch: every reduction, weights, ignore_index,
label smoothing, class-probability targets, N-d inputs, huge logits, torch's errors, and
finite-difference checks."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional_b as EF
import torch.nn.functional as TF
from oracle import check, fd_check, same_error

rng = np.random.default_rng(0)
X = rng.standard_normal((3, 4)).astype(np.float32)
Y = rng.standard_normal((3, 4)).astype(np.float32)
P = rng.uniform(0.05, 0.95, (3, 4)).astype(np.float32)
TGT = np.array([0, 3, 1])
X4 = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
T4 = rng.integers(0, 3, (2, 4, 5))
REDS = ["mean", "sum", "none"]


def F(T):
    return EF if T is ember else TF


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("red", REDS)
def test_regression_losses(red):
    check(lambda T, x, y: F(T).mse_loss(x, y, reduction=red), None, arrays=[X, Y])
    check(lambda T, x, y: F(T).l1_loss(x, y, reduction=red), None, arrays=[X, Y])
    check(lambda T, x, y: F(T).smooth_l1_loss(x, y, reduction=red, beta=0.7), None, arrays=[X, Y])
    check(lambda T, x, y: F(T).smooth_l1_loss(x, y, reduction=red, beta=0.0), None, arrays=[X, Y])
    check(lambda T, x, y: F(T).huber_loss(x, y, reduction=red, delta=0.7), None, arrays=[X, Y])
    check(lambda T, x: F(T).soft_margin_loss(x, T.tensor(np.sign(Y)), reduction=red), None, arrays=[X])


@pytest.mark.parametrize("red", REDS)
def test_binary_losses(red):
    check(lambda T, x, y: F(T).binary_cross_entropy(x, y, reduction=red), None, arrays=[P, P[::-1].copy()])
    check(lambda T, x, y: F(T).binary_cross_entropy(x, y, weight=T.tensor(P[0]), reduction=red), None,
          arrays=[P, P[::-1].copy()])
    check(lambda T, x, y: F(T).binary_cross_entropy_with_logits(x, y, reduction=red), None, arrays=[X, P])
    check(lambda T, x, y: F(T).binary_cross_entropy_with_logits(x, y, weight=T.tensor(P[0]),
                                                                 pos_weight=T.tensor(P[1] * 3), reduction=red),
          None, arrays=[X, P])


@pytest.mark.parametrize("red", REDS)
def test_nll_and_cross_entropy(red):
    L = lambda T, a: T.tensor(a)  # noqa: E731
    check(lambda T, x: F(T).nll_loss(x, L(T, TGT), reduction=red), None, arrays=[X])
    check(lambda T, x: F(T).nll_loss(x, L(T, TGT), weight=L(T, P[0]), reduction=red, ignore_index=1), None, arrays=[X])
    check(lambda T, x: F(T).cross_entropy(x, L(T, TGT), reduction=red), None, arrays=[X])
    check(lambda T, x: F(T).cross_entropy(x, L(T, TGT), weight=L(T, P[0]), reduction=red, ignore_index=3), None,
          arrays=[X])
    check(lambda T, x: F(T).cross_entropy(x, L(T, TGT), reduction=red, label_smoothing=0.2), None, arrays=[X])
    check(lambda T, x: F(T).cross_entropy(x, L(T, TGT), weight=L(T, P[0]), reduction=red, label_smoothing=0.2,
                                          ignore_index=1), None, arrays=[X])
    check(lambda T, x, p: F(T).cross_entropy(x, p, reduction=red), None, arrays=[X, P])
    check(lambda T, x, p: F(T).cross_entropy(x, p, reduction=red, label_smoothing=0.3, weight=T.tensor(P[0])), None,
          arrays=[X, P])
    check(lambda T, x: F(T).cross_entropy(x, L(T, T4), reduction=red, weight=T.tensor([1.0, 2, 3])), None, arrays=[X4])
    check(lambda T, x: F(T).cross_entropy(x, L(T, T4[:, :, 0]), reduction=red), None, arrays=[X4[..., 0]])
    check(lambda T, x: F(T).cross_entropy(x, L(T, np.array(2)), reduction=red), None, arrays=[X[0]])


def test_cross_entropy_huge_logits_stay_finite():
    big = np.array([[1e4, -1e4, 0], [0, 1e4, -1e4]], dtype=np.float32)
    eo, _ = check(lambda T, x: F(T).cross_entropy(x, T.tensor([1, 1])), None, arrays=[big])
    assert np.isfinite(eo[0].item())


@pytest.mark.parametrize("red", REDS)
def test_divergence_and_likelihood_losses(red):
    if red != "mean":
        check(lambda T, x, y: F(T).kl_div(x, y, reduction=red), None, arrays=[X, P])
    check(lambda T, x, y: F(T).kl_div(x, y, reduction="batchmean"), None, arrays=[X, P])
    check(lambda T, x, y: F(T).kl_div(x, y, reduction=red, log_target=True), None, arrays=[X, Y])
    check(lambda T, x: F(T).poisson_nll_loss(x, T.tensor(P * 3), reduction=red), None, arrays=[X])
    check(lambda T, x: F(T).poisson_nll_loss(x, T.tensor(P * 3), reduction=red, log_input=False, full=True), None,
          arrays=[P])
    check(lambda T, x, y, v: F(T).gaussian_nll_loss(x, y, v, reduction=red), None, arrays=[X, Y, P])
    check(lambda T, x, y, v: F(T).gaussian_nll_loss(x, y, v, reduction=red, full=True), None,
          arrays=[X, Y, P[:, :1].copy()])


@pytest.mark.parametrize("red", REDS)
def test_margin_losses(red):
    t3 = np.array([1.0, -1, 1])
    check(lambda T, a, b: F(T).margin_ranking_loss(a, b, T.tensor(t3), margin=0.3, reduction=red), None,
          arrays=[X[:, 0].copy(), Y[:, 0].copy()])
    check(lambda T, a: F(T).hinge_embedding_loss(a, T.tensor(np.sign(Y)), reduction=red), None, arrays=[X])
    check(lambda T, a, b: F(T).cosine_embedding_loss(a, b, T.tensor(t3), margin=0.1, reduction=red), None,
          arrays=[X, Y])
    check(lambda T, a, b, c: F(T).triplet_margin_loss(a, b, c, reduction=red), None, arrays=[X, Y, P])
    check(lambda T, a, b, c: F(T).triplet_margin_loss(a, b, c, reduction=red, swap=True, p=3), None, arrays=[X, Y, P])
    check(lambda T, a: F(T).multi_margin_loss(a, T.tensor(TGT), reduction=red), None, arrays=[X])
    check(lambda T, a: F(T).multi_margin_loss(a, T.tensor(TGT), p=2, margin=0.7, weight=T.tensor(P[0]),
                                              reduction=red), None, arrays=[X])
    check(lambda T, a: F(T).multilabel_margin_loss(a, T.tensor([[3, 0, -1, 1], [1, 2, 3, -1], [0, 1, 2, 3]]),
                                                   reduction=red), None, arrays=[X])
    check(lambda T, a: F(T).multilabel_soft_margin_loss(a, T.tensor((P > 0.5).astype(np.float32)), reduction=red,
                                                        weight=T.tensor(P[0])), None, arrays=[X])


@pytest.mark.parametrize("red", REDS)
def test_ctc_loss(red):
    lp = rng.standard_normal((6, 3, 5)).astype(np.float32)
    tg = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]])
    check(lambda T, x: F(T).ctc_loss(F(T).log_softmax(x, 2), T.tensor(tg), T.tensor([6, 5, 6]), T.tensor([3, 2, 3]),
                                     reduction=red), None, arrays=[lp])
    check(lambda T, x: F(T).ctc_loss(F(T).log_softmax(x, 2), T.tensor([1, 2, 2, 3, 1, 4, 4, 4]), [6, 5, 6], [3, 2, 3],
                                     reduction=red, zero_infinity=True), None, arrays=[lp])


def test_errors():
    same_error(lambda T: F(T).cross_entropy(T.ones(3, 4), T.tensor([0, 1])))
    same_error(lambda T: F(T).cross_entropy(T.ones(3, 4), T.tensor([0.0, 1, 2])))
    same_error(lambda T: F(T).cross_entropy(T.ones(3, 4), T.tensor([0, 1, 7])))
    same_error(lambda T: F(T).nll_loss(T.ones(3, 4), T.tensor([0, 1, -3])))
    same_error(lambda T: F(T).cross_entropy(T.ones(2, 3, 4), T.zeros(2, 5).long()))
    same_error(lambda T: F(T).cross_entropy(T.ones(3, 4), T.ones(3, 5)))
    same_error(lambda T: F(T).cross_entropy(T.ones(3, 4), T.tensor([0, 1, 2]), label_smoothing=1.5))
    same_error(lambda T: F(T).nll_loss(T.ones(3, 4), T.tensor([0, 1, 2]), reduction="foo"))
    same_error(lambda T: F(T).binary_cross_entropy(T.ones(3) * 0.5, T.ones(4)))
    same_error(lambda T: F(T).binary_cross_entropy_with_logits(T.ones(3), T.ones(4)))
    same_error(lambda T: F(T).binary_cross_entropy(T.ones(3) * 3, T.ones(3)))
    same_error(lambda T: F(T).gaussian_nll_loss(T.ones(3), T.ones(3), -T.ones(3)))
    same_error(lambda T: F(T).multi_margin_loss(T.ones(3, 4), T.tensor([0, 1, 2]), p=3))


def test_mse_broadcast_warning():
    with pytest.warns(UserWarning, match="Using a target size"):
        EF.mse_loss(ember.ones(3, 1), ember.ones(3))


def test_fd_checks():
    fd_check(lambda T, x, y: EF.mse_loss(x, y), [X, Y])
    fd_check(lambda T, x, y: EF.smooth_l1_loss(x, y, beta=0.5), [X, Y])
    fd_check(lambda T, x, y: EF.huber_loss(x, y, delta=0.5), [X, Y])
    fd_check(lambda T, x: EF.soft_margin_loss(x, ember.tensor(np.sign(Y).astype(np.float64))), [X])
    fd_check(lambda T, x, y: EF.binary_cross_entropy(x, y), [P, P[::-1]])
    fd_check(lambda T, x, y: EF.binary_cross_entropy_with_logits(x, y, pos_weight=ember.tensor(np.arange(4.0))), [X, P])
    fd_check(lambda T, x: EF.cross_entropy(x, ember.tensor(TGT), label_smoothing=0.1), [X])
    fd_check(lambda T, x, p: EF.cross_entropy(x, p), [X, P])
    fd_check(lambda T, x, y: EF.kl_div(x, y, reduction="batchmean"), [X, P])
    fd_check(lambda T, x, y: EF.cosine_embedding_loss(x, y, ember.tensor([1.0, -1, 1])), [X, Y])
    fd_check(lambda T, x, y, z: EF.triplet_margin_loss(x, y, z), [X, Y, P])
    fd_check(lambda T, x, y, v: EF.gaussian_nll_loss(x, y, v), [X, Y, P + 0.5])


MODULES = [("L1Loss", {}), ("MSELoss", {"reduction": "sum"}), ("SmoothL1Loss", {"beta": 0.5}), ("HuberLoss", {"delta": 2.0}),
           ("SoftMarginLoss", {}), ("BCELoss", {}), ("BCEWithLogitsLoss", {}), ("CrossEntropyLoss", {"label_smoothing": 0.1}),
           ("NLLLoss", {"ignore_index": 2}), ("KLDivLoss", {"reduction": "batchmean"}), ("PoissonNLLLoss", {}),
           ("GaussianNLLLoss", {}), ("HingeEmbeddingLoss", {}), ("MultiLabelMarginLoss", {}),
           ("MultiLabelSoftMarginLoss", {}), ("CosineEmbeddingLoss", {}), ("MarginRankingLoss", {}),
           ("MultiMarginLoss", {"p": 2}), ("TripletMarginLoss", {}), ("CTCLoss", {"blank": 1})]


@pytest.mark.parametrize("name,kw", MODULES)
def test_loss_module_repr(name, kw):
    assert repr(getattr(ember.nn, name)(**kw)) == repr(getattr(torch.nn, name)(**kw))


def test_loss_modules_parity():
    L = lambda T, a: T.tensor(a)  # noqa: E731
    w = P[0]
    for name, kw, args in [
        ("CrossEntropyLoss", dict(label_smoothing=0.1), lambda T: (L(T, TGT),)),
        ("NLLLoss", dict(ignore_index=3), lambda T: (L(T, TGT),)),
        ("MSELoss", {}, lambda T: (L(T, Y),)),
        ("BCEWithLogitsLoss", {}, lambda T: (L(T, P),)),
        ("MultiMarginLoss", dict(margin=0.5), lambda T: (L(T, TGT),)),
    ]:
        em = getattr(ember.nn, name)(**kw)
        tm = getattr(torch.nn, name)(**kw)
        check(lambda T, x: (em if T is ember else tm)(x, *args(T)), None, arrays=[X])
    em = ember.nn.CrossEntropyLoss(weight=ember.tensor(w))
    tm = torch.nn.CrossEntropyLoss(weight=torch.tensor(w))
    assert list(em.state_dict()) == list(tm.state_dict()) == ["weight"]
    check(lambda T, x: (em if T is ember else tm)(x, L(T, TGT)), None, arrays=[X])


@pytest.mark.parametrize("red", REDS)
def test_nll_fast_backward_equals_create_graph_backward(red):
    # first-order NLL/log_softmax backward (NumPy scatter) against the differentiable formulas,
    # with class weights, ignored targets and a 3-d input
    rng = np.random.default_rng(5)
    for shape, tgt in (((6, 4), rng.integers(0, 4, 6)), ((3, 4, 2), rng.integers(0, 4, (3, 2)))):
        tgt = tgt.copy()
        tgt.flat[0] = -100
        x = ember.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
        w = ember.tensor(rng.uniform(0.5, 2.0, 4).astype(np.float32))
        loss = lambda: F(ember).cross_entropy(x, ember.tensor(tgt), weight=w, reduction=red)  # noqa: E731
        out = loss()
        g = ember.ones_like(out) * 0.7
        fast, = ember.autograd.grad(out, x, g)
        slow, = ember.autograd.grad(loss(), x, g, create_graph=True)
        np.testing.assert_allclose(fast.numpy(), slow.detach().numpy(), rtol=1e-5, atol=1e-7)
        xt = torch.tensor(x.detach().numpy(), requires_grad=True)
        ref, = torch.autograd.grad(TF.cross_entropy(xt, torch.tensor(tgt), weight=torch.tensor(w.numpy()),
                                                    reduction=red), xt, torch.full(tuple(out.shape), 0.7))
        np.testing.assert_allclose(fast.numpy(), ref.numpy(), rtol=1e-5, atol=1e-6)


def test_cross_entropy_target_out_of_bounds_and_all_ignored():
    same_error(lambda T: T.nn.functional.cross_entropy(T.zeros(2, 3), T.tensor([1, 3])))
    same_error(lambda T: T.nn.functional.cross_entropy(T.zeros(2, 3), T.tensor([-1, 0])))
    check(lambda T, x: F(T).cross_entropy(x, T.tensor([-100, -100]), reduction="sum"), None,
          arrays=[np.ones((2, 3), np.float32)])
