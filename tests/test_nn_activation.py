"""Activations (functional and modules) against torch: values, gradients, grad_fn names
(in-place forms too), gradient conventions at kinks, finite differences, reprs."""
import numpy as np
import pytest
import torch

import ember
import ember.nn.functional_b as EF
import torch.nn.functional as TF
from oracle import check, fd_check, same_error

KINKS = np.array([[-4, -3, -1, -0.5, 0, 0.5, 1, 3, 4, 25.0]], dtype=np.float32)
INPLACE = ["relu", "relu6", "leaky_relu", "elu", "selu", "celu", "silu", "mish", "hardtanh", "hardsigmoid",
           "hardswish"]
PLAIN = ["gelu", "softplus", "softsign", "softshrink", "hardshrink", "tanhshrink", "logsigmoid", "sigmoid", "tanh"]


def F(T):
    return EF if T is ember else TF


@pytest.mark.parametrize("name", INPLACE + PLAIN)
def test_activation_values_grads_and_kinks(name):
    check(lambda T, x: getattr(F(T), name)(x), None, arrays=[KINKS])


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_records_torch_node(name):
    check(lambda T, x: getattr(F(T), name)(x * 1, inplace=True), None, arrays=[KINKS])


def test_parametrised_forms():
    check(lambda T, x: F(T).gelu(x, approximate="tanh"), [(3, 4)])
    check(lambda T, x: F(T).threshold(x, 0.5, -2.0), None, arrays=[KINKS + 0.5])
    check(lambda T, x: F(T).threshold(x * 1, 0.5, -2.0, inplace=True), None, arrays=[KINKS + 0.5])
    check(lambda T, x: F(T).hardtanh(x, -2.0, 3.0), None, arrays=[KINKS])
    check(lambda T, x: F(T).leaky_relu(x, 0.2), None, arrays=[KINKS])
    check(lambda T, x: F(T).elu(x * 1, 0.7, inplace=True), None, arrays=[KINKS])
    check(lambda T, x: F(T).celu(x, 2.0), None, arrays=[KINKS])
    check(lambda T, x: F(T).softplus(x, beta=2.0, threshold=3.0), None, arrays=[KINKS])
    check(lambda T, x: F(T).softshrink(x, 1.0), None, arrays=[KINKS])
    check(lambda T, x: F(T).glu(x, 1), [(3, 4)])
    check(lambda T, x, w: F(T).prelu(x, w), [(3, 4, 2), (4,)])
    check(lambda T, x, w: F(T).prelu(x, w), [(3, 4), (1,)])
    check(lambda T, x: F(T).rrelu(x), [(3, 4)])
    check(lambda T, x: F(T).rrelu(x * 1, inplace=True), [(3, 4)])


def test_rrelu_training_uses_generator():
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32)
    torch.manual_seed(3)
    ember.manual_seed(3)
    check(lambda T, a: F(T).rrelu(a, training=True), None, arrays=[x])


def test_softmax_family():
    check(lambda T, x: F(T).softmax(x, 1), [(3, 4, 2)])
    check(lambda T, x: F(T).log_softmax(x, -1), [(3, 4, 2)])
    check(lambda T, x: F(T).softmin(x, 0), [(3, 4, 2)])
    big = np.array([[1e4, -1e4, 0.0]], dtype=np.float32)
    check(lambda T, x: F(T).log_softmax(x, 1), None, arrays=[big])
    check(lambda T, x: F(T).softmax(x, 1), None, arrays=[big])


def test_softmax_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = EF.softmax(ember.ones(2, 3))
    with pytest.warns(UserWarning):
        t = TF.softmax(torch.ones(2, 3))
    np.testing.assert_allclose(y.numpy(), t.numpy())


@pytest.mark.parametrize("name", ["elu", "selu", "celu", "gelu", "silu", "mish", "softplus", "logsigmoid",
                                  "hardswish", "leaky_relu", "glu", "softsign", "tanhshrink"])
def test_fd_first_and_second_order(name):
    fd_check(lambda T, x: getattr(EF, name)(x), [np.array([[-2.5, -1.2, -0.3, 0.7, 1.3, 2.2]])])


def test_fd_other():
    rng = np.random.default_rng(0)
    fd_check(lambda T, x: EF.gelu(x, approximate="tanh"), [np.array([-1.0, 0.3, 2.0])])
    fd_check(lambda T, x: EF.log_softmax(x, 1), [rng.standard_normal((2, 3))])
    fd_check(lambda T, x: EF.softmax(x, 1), [rng.standard_normal((2, 3))])
    fd_check(lambda T, x, w: EF.prelu(x, w), [rng.standard_normal((2, 3)), rng.uniform(0.1, 0.5, 3)])


def test_gumbel_softmax_uses_generator():
    x = np.random.default_rng(1).standard_normal((3, 4)).astype(np.float32)
    for hard in (False, True):
        torch.manual_seed(0)
        ember.manual_seed(0)
        check(lambda T, a: F(T).gumbel_softmax(a, tau=0.5, hard=hard), None, arrays=[x], meta=False)


MODULES = [("ReLU", ()), ("ReLU6", ()), ("LeakyReLU", (0.2,)), ("ELU", (0.5,)), ("SELU", ()), ("CELU", (1.5,)),
           ("GELU", ()), ("SiLU", ()), ("Mish", ()), ("Sigmoid", ()), ("Tanh", ()), ("Hardtanh", (-2.0, 2.0)),
           ("Hardsigmoid", ()), ("Hardswish", ()), ("Softplus", (2.0, 10.0)), ("Softsign", ()), ("Softshrink", (0.3,)),
           ("Hardshrink", (0.3,)), ("Tanhshrink", ()), ("Threshold", (0.1, 2.0)), ("GLU", ()), ("LogSigmoid", ()),
           ("Softmax", (1,)), ("LogSoftmax", (1,)), ("Softmin", (1,)), ("Softmax2d", ()), ("RReLU", ()), ("PReLU", (4,))]


@pytest.mark.parametrize("name,args", MODULES)
def test_modules_repr_and_parity(name, args):
    tm, em = getattr(torch.nn, name)(*args), getattr(ember.nn, name)(*args)
    assert repr(em) == repr(tm)
    for p, q in zip(tm.parameters(), em.parameters()):
        np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())
    em.eval()
    tm.eval()
    check(lambda T, x: (em if T is ember else tm)(x), [(2, 4, 6)])


@pytest.mark.parametrize("name,kw", [("ReLU", {}), ("LeakyReLU", {"negative_slope": 0.1}), ("ELU", {}),
                                     ("Hardtanh", {}), ("SiLU", {}), ("RReLU", {}), ("Threshold", {"threshold": 0.0, "value": 1.0})])
def test_inplace_module_repr(name, kw):
    assert repr(getattr(ember.nn, name)(inplace=True, **kw)) == repr(getattr(torch.nn, name)(inplace=True, **kw))


def test_errors():
    same_error(lambda T: F(T).glu(T.ones(3), 0))
    same_error(lambda T: F(T).prelu(T.ones(2, 3), T.ones(2)))
    same_error(lambda T: F(T).softshrink(T.ones(2), -1.0))
    same_error(lambda T: T.nn.Softmax2d()(T.ones(2)))


def test_gelu_float32_fast_erf_matches_torch_over_range_and_tails():
    # the float32 CDF is a vectorised erfc approximation; it must hold torch's tolerance everywhere,
    # including the far tails (x * Phi(x) underflows to -0 on the left, equals x on the right)
    x = np.concatenate([np.linspace(-12, 12, 4001), [-0.0, 1e-30, -1e-30, 40.0, -40.0]]).astype(np.float32)
    eo, to = check(lambda T, x: F(T).gelu(x), None, arrays=[x])
    assert np.abs(eo[0].detach().numpy() - to[0].detach().numpy()).max() < 1e-6


def test_gelu_fast_backward_equals_create_graph_backward():
    # the first-order NumPy backward (saved Phi and density) and the ember-op formula agree
    x = ember.tensor(np.random.default_rng(2).standard_normal(50).astype(np.float32), requires_grad=True)
    fast, = ember.autograd.grad(EF.gelu(x).sum(), x)
    slow, = ember.autograd.grad(EF.gelu(x).sum(), x, create_graph=True)
    assert slow.grad_fn is not None
    np.testing.assert_allclose(fast.numpy(), slow.detach().numpy(), rtol=1e-6, atol=1e-7)


def test_log_softmax_fast_backward_checks_version_and_matches_slow():
    x = ember.tensor(np.random.default_rng(3).standard_normal((4, 5)).astype(np.float32), requires_grad=True)
    g = ember.tensor(np.random.default_rng(4).standard_normal((4, 5)).astype(np.float32))
    fast, = ember.autograd.grad(EF.log_softmax(x, 1), x, g)
    slow, = ember.autograd.grad(EF.log_softmax(x, 1), x, g, create_graph=True)
    np.testing.assert_allclose(fast.numpy(), slow.detach().numpy(), rtol=1e-5, atol=1e-6)
    # an in-place change to the saved output is still caught on the fast path
    same_error(lambda T: T.nn.functional.log_softmax(T.ones(2, 3, requires_grad=True), 1).exp_().sum().backward())
