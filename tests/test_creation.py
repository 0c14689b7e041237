"""Creation functions against torch: values, dtypes, shapes, exact float32 arange/linspace, and
the new_* / complex / grid helpers."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import check, rand, same_error


def same(e, t):
    assert str(e.dtype) == str(t.dtype), (e.dtype, t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.requires_grad == t.requires_grad
    np.testing.assert_array_equal(e.detach().numpy(), t.detach().numpy())


CREATE = [
    lambda T: T.zeros(2, 3, dtype=T.float64),
    lambda T: T.ones((2,), dtype=T.int32),
    lambda T: T.full((2, 2), 7),
    lambda T: T.full((2,), 1.5, dtype=T.float64),
    lambda T: T.full((2,), True),
    lambda T: T.empty(2, 3).zero_(),
    lambda T: T.zeros_like(T.ones(2, dtype=T.int64)),
    lambda T: T.full_like(T.ones(2), 3),
    lambda T: T.eye(2, 3),
    lambda T: T.tril_indices(3, 4),
    lambda T: T.triu_indices(4, 3, 1),
    lambda T: T.tril_indices(3, 3, -1, dtype=T.int32),
    lambda T: T.tensor([[T.tensor(1.0), T.tensor(2.0)]]),
    lambda T: T.tensor([True, False]),
    lambda T: T.tensor([1, 2.5]),
    lambda T: T.tensor([1, True]),
    lambda T: T.tensor(np.float64(2.5)),
    lambda T: T.tensor(np.int32(3)),
    lambda T: T.tensor([np.float32(1.0), 2.0]),
    lambda T: T.tensor([]),
    lambda T: T.tensor([[1, 2], [3, 4]], dtype=T.float64),
    lambda T: T.tensor(3 + 4j),
    lambda T: T.ones(2, 3).new_zeros(2),
    lambda T: T.ones(2, dtype=T.float64).new_ones((1, 2)),
    lambda T: T.ones(2, dtype=T.int64).new_full((2,), 3),
    lambda T: T.ones(2, dtype=T.float64).new_tensor([1, 2]),
    lambda T: T.ones(2).new_tensor([1, 2], dtype=T.int32),
    lambda T: T.ones(2).new_empty(3).zero_(),
    lambda T: T.ones(2, dtype=T.int64).type_as(T.ones(1)),
    lambda T: T.ones(2, 2).t().clone(memory_format=T.contiguous_format),
    lambda T: T.complex(T.tensor([1.0, 2.0]), T.tensor([3.0, 4.0])),
    lambda T: T.view_as_real(T.tensor([1 + 2j, 3 - 1j])),
    lambda T: T.view_as_complex(T.tensor([[1.0, 2.0], [3.0, 4.0]])),
    lambda T: T.tensor([1 + 2j]).real,
    lambda T: T.tensor([1 + 2j]).imag,
    lambda T: T.tensor([1 + 2j]).conj().resolve_conj(),
]


@pytest.mark.parametrize("i", range(len(CREATE)))
def test_creation_vs_torch(i):
    same(CREATE[i](ember), CREATE[i](torch))


ARANGE = [(0, 1, 0.1), (-1, 1, 0.3), (0.5, 7.3, 0.7), (10,), (1, 10, 3), (0, 1, 1 / 3), (-3.2, 2.1, 0.17),
          (5, 0, -0.3), (0, 100, 0.013), (0, 1e5, 1.1), (-7, 23), (20, -3, -4), (0.5, 3.3, 1.5)]
DTYPES = ["float32", "float64", "float16", "int64", "int32"]


def _exact(fn):
    """``fn(T)`` gives the same dtype, shape and bits under ember and torch (or the same error)."""
    try:
        t = fn(torch)
    except Exception:  # noqa: BLE001
        same_error(fn)
        return
    same(fn(ember), t)


@pytest.mark.parametrize("args", ARANGE, ids=str)
def test_arange_exact(args):
    _exact(lambda T: T.arange(*args))
    for d in DTYPES:
        _exact(lambda T: T.arange(*args, dtype=getattr(T, d)))


LINSPACE = [(0, 1, 5), (-1, 1, 7), (0.1, 9.7, 13), (3, -2, 11), (0, 1, 1), (0, 1, 0), (-5.5, 100.3, 101), (0, 10, 4),
            (-3, 17, 1000), (2.5, -40.25, 33)]


@pytest.mark.parametrize("args", LINSPACE, ids=str)
def test_linspace_exact(args):
    _exact(lambda T: T.linspace(*args))
    for d in DTYPES + ["int16", "complex64", "complex128"]:
        _exact(lambda T: T.linspace(*args, dtype=getattr(T, d)))


@pytest.mark.parametrize("args", [(0, 2, 5), (0, 3, 4, 2), (-1.5, 2.7, 17, 3.3), (4.2, -2.9, 60, 0.5), (1, 1.5, 1),
                                  (0, 1, 0), (-2, 5, 9, 2)], ids=str)
def test_logspace_exact(args):
    _exact(lambda T: T.logspace(*args))
    for d in ["float32", "float64", "float16", "int64"]:
        _exact(lambda T: T.logspace(*args, dtype=getattr(T, d)))
    # NOTE: complex logspace goes through std::pow(complex, complex), whose last bits NumPy's
    # complex power does not reproduce: compared with a tolerance
    check(lambda T: T.logspace(*args, dtype=T.complex64), [], grad=False)


def test_ranges_exact_random_sweep():
    # torch's kernels use fused multiply-adds and (for arange) a vector layout: both reproduced
    rng = np.random.default_rng(0)
    for _ in range(150):
        start = round(float(rng.uniform(-50, 50)), int(rng.integers(0, 5)))
        step = (round(float(rng.uniform(0.001, 3)), int(rng.integers(1, 6))) or 0.5) * (1 if rng.random() < 0.5 else -1)
        end = start + step * float(rng.uniform(0, 300))
        steps = int(rng.integers(2, 300))
        for d in ("float32", "float64"):
            _exact(lambda T: T.arange(start, end, step, dtype=getattr(T, d)))
            _exact(lambda T: T.linspace(start, end, steps, dtype=getattr(T, d)))
            _exact(lambda T: T.logspace(start / 30, end / 30, steps, base=2.0, dtype=getattr(T, d)))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(indexing):
    def f(T, a, b, c):
        return T.meshgrid(a, b, c, indexing=indexing)
    eo, to = check(f, [(2,), (3,), (4,)])
    for e, t in zip(eo, to):
        assert (e._base is not None) == (t._base is not None)


def test_complex_grads():
    check(lambda T, a, b: T.view_as_real(T.complex(a, b)) * 2, [(3,), (3,)])
    check(lambda T, a, b: T.view_as_real(T.polar(a.abs() + 0.5, b)), [(3,), (3,)])
    check(lambda T, a, b: T.complex(a, b).real * T.complex(a, b).imag, [(3,), (3,)])


def test_new_tensor_warns_on_tensor():
    for T in (ember, torch):
        with pytest.warns(UserWarning, match="To copy construct"):
            T.ones(2).new_tensor(T.ones(2))


ERRORS = [
    lambda T: T.zeros(-1, 2),
    lambda T: T.arange(0, 1, 0),
    lambda T: T.arange(0, 10, -1),
    lambda T: T.linspace(0, 1, -1),
    lambda T: T.arange(0, 5, 0.5, dtype=T.int64),
    lambda T: T.arange(0, float("inf")),
    lambda T: T.logspace(0, 1, -2),
    lambda T: T.view_as_complex(T.ones(2, 3)),
    lambda T: T.complex(T.ones(2), T.ones(2, dtype=T.float64)),
    lambda T: T.meshgrid(T.ones(2), indexing="ab"),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_creation_errors(i):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        same_error(ERRORS[i])
