"""nn.init against torch: the same draws from the same seeds, fan computations, gains, errors."""
import math
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import same_error

CASES = [
    ("uniform_", lambda I, t: I.uniform_(t, -0.5, 2.0), (4, 5)),
    ("normal_", lambda I, t: I.normal_(t, 1.0, 0.3), (6, 5)),
    ("normal_small", lambda I, t: I.normal_(t), (3,)),
    ("xavier_uniform_", lambda I, t: I.xavier_uniform_(t, gain=2.0), (4, 3, 2)),
    ("xavier_normal_", lambda I, t: I.xavier_normal_(t), (5, 7)),
    ("kaiming_uniform_", lambda I, t: I.kaiming_uniform_(t, a=math.sqrt(5)), (8, 3, 3, 3)),
    ("kaiming_uniform_fan_out", lambda I, t: I.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu"), (4, 6)),
    ("kaiming_normal_", lambda I, t: I.kaiming_normal_(t, nonlinearity="relu"), (8, 4, 3)),
    ("trunc_normal_", lambda I, t: I.trunc_normal_(t, std=0.02), (40, 30)),
    ("trunc_normal_narrow", lambda I, t: I.trunc_normal_(t, a=-0.1, b=0.1), (20,)),
    ("constant_", lambda I, t: I.constant_(t, 0.25), (3, 2)),
    ("ones_", lambda I, t: I.ones_(t), (3, 2)),
    ("zeros_", lambda I, t: I.zeros_(t), (3, 2)),
    ("eye_", lambda I, t: I.eye_(t), (3, 4)),
    ("dirac_", lambda I, t: I.dirac_(t), (4, 3, 3, 3)),
    ("dirac_groups", lambda I, t: I.dirac_(t, groups=2), (6, 2, 3)),
    ("sparse_", lambda I, t: I.sparse_(t, 0.3), (10, 4)),
]


@pytest.mark.parametrize("name,fn,shape", CASES, ids=[c[0] for c in CASES])
def test_init_matches_torch(name, fn, shape):
    torch.manual_seed(11)
    ember.manual_seed(11)
    tt, et = torch.empty(shape), ember.empty(shape)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rt, re = fn(torch.nn.init, tt), fn(ember.nn.init, et)
    assert re is et and rt is tt
    np.testing.assert_allclose(et.numpy(), tt.numpy(), rtol=1e-6, atol=1e-7)
    # the generators are left in the same state
    np.testing.assert_array_equal(ember.rand(3).numpy(), torch.rand(3).numpy())


def test_orthogonal_():
    for shape in [(3, 5), (5, 3), (2, 3, 4)]:
        torch.manual_seed(1)
        ember.manual_seed(1)
        tt, et = torch.empty(shape), ember.empty(shape)
        torch.nn.init.orthogonal_(tt, gain=1.5)
        ember.nn.init.orthogonal_(et, gain=1.5)
        np.testing.assert_allclose(et.numpy(), tt.numpy(), rtol=1e-4, atol=1e-5)


def test_init_on_parameter_keeps_leaf_and_version():
    for T in (ember, torch):
        p = T.nn.Parameter(T.empty(3, 4))
        v = p._version
        T.nn.init.kaiming_uniform_(p)
        assert p.requires_grad and p.is_leaf and p.grad_fn is None and p._version == v + 1


def test_generator_argument():
    g_t, g_e = torch.Generator().manual_seed(5), ember.Generator().manual_seed(5)
    tt, et = torch.empty(4, 4), ember.empty(4, 4)
    torch.nn.init.xavier_uniform_(tt, generator=g_t)
    ember.nn.init.xavier_uniform_(et, generator=g_e)
    np.testing.assert_array_equal(et.numpy(), tt.numpy())


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("sigmoid",), ("tanh",), ("relu",), ("leaky_relu",),
                                  ("leaky_relu", 0.2), ("leaky_relu", 3), ("selu",)])
def test_calculate_gain(args):
    assert ember.nn.init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_fans_and_errors():
    for shape in [(3, 4), (5, 2, 3), (4, 3, 2, 2)]:
        assert ember.nn.init._calculate_fan_in_and_fan_out(ember.empty(shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    same_error(lambda T: T.nn.init.xavier_uniform_(T.empty(3)))
    same_error(lambda T: T.nn.init.kaiming_uniform_(T.empty(3, 2), mode="fan_avg"))
    same_error(lambda T: T.nn.init.calculate_gain("softmax"))
    same_error(lambda T: T.nn.init.calculate_gain("leaky_relu", "x"))
    same_error(lambda T: T.nn.init.eye_(T.empty(3)))
    same_error(lambda T: T.nn.init.dirac_(T.empty(3, 3)))
    same_error(lambda T: T.nn.init.dirac_(T.empty(3, 3, 3), groups=2))
    same_error(lambda T: T.nn.init.orthogonal_(T.empty(3)))
    same_error(lambda T: T.nn.init.sparse_(T.empty(3, 3, 3), 0.1))
    for T in (ember, torch):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            T.nn.init.kaiming_normal_(T.empty(0, 3))
