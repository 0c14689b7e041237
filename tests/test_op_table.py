"""Runs every row of ``op_table.OPS`` against torch: forward, backward, grad_fn names, finite
differences in float64 (first and second order), double backward, and non-contiguous inputs."""
import numpy as np
import pytest
import torch

import ember
from op_table import OPS
from oracle import check, fd_check, rand

ROWS = {op.name: op for op in OPS}
assert len(ROWS) == len(OPS), "op table names must be unique"


def _arrays(op, dtype=None, transposed=False):
    out = []
    for i, s in enumerate(op.inputs):
        if isinstance(s, np.ndarray):
            a = s.astype(dtype) if dtype is not None and s.dtype.kind == "f" else s
        else:
            a = rand(s, dtype or op.dtype, low=op.low, high=op.high, seed=i)
        if transposed:
            a = np.ascontiguousarray(a.T)
        out.append(a)
    return out


def _is_float(op):
    return np.dtype(op.dtype).kind == "f" and all(
        not isinstance(s, np.ndarray) or s.dtype.kind == "f" for s in op.inputs)


@pytest.mark.parametrize("name", list(ROWS))
def test_vs_torch(name):
    op = ROWS[name]
    check(op.fn, None, arrays=_arrays(op), grad=op.grad, atol=op.atol, rtol=op.rtol)


@pytest.mark.parametrize("name", [n for n, op in ROWS.items() if op.noncontig
                                  and all(np.ndim(s) == 2 if isinstance(s, np.ndarray) else len(s) == 2
                                          for s in op.inputs)])
def test_noncontiguous_inputs(name):
    op = ROWS[name]

    def fn(T, *xs):
        return op.fn(T, *[x.transpose(0, 1) for x in xs])
    check(fn, None, arrays=_arrays(op, transposed=True), grad=op.grad, atol=op.atol, rtol=op.rtol,
          meta=False)


@pytest.mark.parametrize("name", [n for n, op in ROWS.items() if op.fd and op.grad and _is_float(op)])
def test_finite_differences(name):
    op = ROWS[name]
    fd_check(op.fn, _arrays(op, "float64"), second=op.double_backward)


def _second_order(lib, op, arrays):
    """Gradient of (first gradient . v) with respect to the inputs, or None if not recorded."""
    xs = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
    outs = op.fn(lib, *xs)
    outs = list(outs) if isinstance(outs, (tuple, list)) else [outs]
    rng = np.random.default_rng(3)
    loss = 0
    for o in outs:
        if isinstance(o, lib.Tensor) and o.requires_grad:
            loss = loss + (o * lib.tensor(rng.uniform(-1, 1, size=tuple(o.shape)))).sum()
    gs = lib.autograd.grad(loss, xs, create_graph=True, allow_unused=True)
    s = 0
    for g, a in zip(gs, arrays):
        if g is not None and g.requires_grad:
            s = s + (g * lib.tensor(rng.uniform(-1, 1, size=a.shape))).sum()
    if not isinstance(s, lib.Tensor):
        return None
    return lib.autograd.grad(s, xs, allow_unused=True)


def _np(g, shape):
    if g is None:
        return np.zeros(shape)
    try:
        return g.detach().numpy()
    except RuntimeError:  # torch's ZeroTensor
        return np.zeros(shape)


@pytest.mark.parametrize("name", [n for n, op in ROWS.items() if op.double_backward and op.grad and _is_float(op)])
def test_double_backward_vs_torch(name):
    op = ROWS[name]
    arrays = _arrays(op, "float64")
    e = _second_order(ember, op, arrays)
    t = _second_order(torch, op, arrays)
    if t is None and e is None:
        return
    if t is None or e is None:
        # one side's first gradient does not depend on the inputs: the other's second must be 0
        for g, a in zip(e if t is None else t, arrays):
            np.testing.assert_allclose(_np(g, a.shape), 0, atol=1e-10)
        return
    for i, (ge, gt, a) in enumerate(zip(e, t, arrays)):
        np.testing.assert_allclose(_np(ge, a.shape), _np(gt, a.shape), rtol=1e-7, atol=1e-9,
                                   err_msg=f"second-order grad of input {i}")


def test_table_covers_variants():
    # the table holds 0-d, empty, broadcast and negative-dim cases
    shapes = [s for op in OPS for s in op.inputs if not isinstance(s, np.ndarray)]
    assert () in shapes and any(0 in s for s in shapes)
    assert any(len(op.inputs) == 2 and not isinstance(op.inputs[0], np.ndarray)
               and op.inputs[0] != op.inputs[1] for op in OPS)
    assert len(OPS) >= 150


# ---------------------------------------------------------------------- gradcheck over the table
# Issue 4: ember.autograd.gradcheck passes on every row in float64, and gradgradcheck on the rows
# whose second order torch supports. Rows with fd=False sit on kinks/ties where the derivative is
# undefined, and rows with grad=False or integer inputs have nothing to check.
GRADCHECK_ROWS = [n for n, op in ROWS.items() if op.fd and op.grad and _is_float(op)]


def _gradcheck_inputs(op):
    return tuple(ember.tensor(a, requires_grad=True) for a in _arrays(op, "float64"))


def _gradcheck_fn(op):
    def f(*xs):
        out = op.fn(ember, *xs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        # only floating outputs are differentiable (max(dim) also returns indices)
        return tuple(o for o in outs if isinstance(o, ember.Tensor) and o.dtype.is_floating_point)
    return f


@pytest.mark.parametrize("name", GRADCHECK_ROWS)
def test_gradcheck(name):
    op = ROWS[name]
    inputs = _gradcheck_inputs(op)
    assert ember.autograd.gradcheck(_gradcheck_fn(op), inputs, eps=1e-6, atol=1e-5, rtol=1e-3)
    if op.double_backward:
        assert ember.autograd.gradgradcheck(_gradcheck_fn(op), inputs, eps=1e-6, atol=1e-5, rtol=1e-3)


def test_gradcheck_covers_the_table():
    # every differentiable float row is gradchecked; the rows left out say why (fd=False)
    skipped = [n for n, op in ROWS.items() if op.grad and _is_float(op) and not op.fd]
    assert len(GRADCHECK_ROWS) >= 400 and len(skipped) < 40


# ---------------------------------------------------------------------- einsum rows
from op_table import EINSUM_OPS  # noqa: E402

EINSUM_ROWS = {op.name: op for op in EINSUM_OPS}


@pytest.mark.parametrize("name", list(EINSUM_ROWS))
def test_einsum_rows(name):
    # everything but the grad_fn name (see the NOTE above EINSUM_OPS in op_table.py)
    op = EINSUM_ROWS[name]
    check(op.fn, None, arrays=_arrays(op), meta=False)
    fd_check(op.fn, _arrays(op, "float64"), second=True)
    inputs = _gradcheck_inputs(op)
    assert ember.autograd.gradcheck(_gradcheck_fn(op), inputs)
    assert ember.autograd.gradgradcheck(_gradcheck_fn(op), inputs)
    arrays = _arrays(op, "float64")
    e, t = _second_order(ember, op, arrays), _second_order(torch, op, arrays)
    assert (e is None) == (t is None)  # None: the first gradient is constant (a linear einsum)
    for ge, gt, a in zip(e or (), t or (), arrays):
        np.testing.assert_allclose(_np(ge, a.shape), _np(gt, a.shape), rtol=1e-7, atol=1e-9)
    for o in (op.fn(ember, *[ember.tensor(a, requires_grad=True) for a in arrays]),):
        assert o.requires_grad and not o.is_leaf
