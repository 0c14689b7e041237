"""The oracle kit: run the same code on ember and on torch from the same NumPy inputs and
compare everything a user can see.

    check(lambda T, x, y: x * y, [(3, 1), (4,)])

``T`` is the library (``ember`` or ``torch``); inputs are built from NumPy and require grad
when floating. Values, dtype, shape, ``requires_grad``, ``is_leaf``, ``grad_fn`` name, and
gradients of every input are compared; ``fd_check`` checks gradients against finite
differences (first and second order) in float64.
"""
from __future__ import annotations

import numpy as np
import torch

import ember

TOL = {
    "float16": (1e-2, 1e-2), "float32": (1e-5, 1e-4), "float64": (1e-10, 1e-8),
    "complex64": (1e-5, 1e-4), "complex128": (1e-10, 1e-8),
}


def rand(shape, dtype="float32", low=-2.0, high=2.0, seed=0):
    """Deterministic test input."""
    rng = np.random.default_rng(seed + hash(tuple(shape)) % 1000)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(-5 if np.dtype(dtype).kind == "i" else 0, 6, size=shape).astype(dtype)
    if np.dtype(dtype).kind == "b":
        return rng.random(shape) > 0.5
    return rng.uniform(low, high, size=shape).astype(dtype)


def pair(arr, requires_grad=None):
    """An ember tensor and a torch tensor holding copies of ``arr``."""
    arr = np.asarray(arr)
    if requires_grad is None:
        requires_grad = arr.dtype.kind in "fc"
    e = ember.tensor(arr.copy(), requires_grad=requires_grad)
    t = torch.tensor(arr.copy(), requires_grad=requires_grad)
    return e, t


def to_np(x):
    if isinstance(x, torch.Tensor):
        return x.detach().numpy()
    if isinstance(x, ember.Tensor):
        return x.detach().numpy()
    return np.asarray(x)


def grad_fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__ if not hasattr(t.grad_fn, "name") else t.grad_fn.name()


def assert_close(e, t, atol=None, rtol=None, what="value"):
    """Values of an ember tensor equal torch's (dtype-aware tolerance), same dtype and shape."""
    assert isinstance(e, ember.Tensor), f"{what}: ember gave {type(e)}"
    assert str(e.dtype) == str(t.dtype), f"{what}: dtype {e.dtype} != {t.dtype}"
    assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != {tuple(t.shape)}"
    a, b = to_np(e), to_np(t)
    name = str(t.dtype).replace("torch.", "")
    da, dr = TOL.get(name, (0, 0))
    np.testing.assert_allclose(a, b, atol=da if atol is None else atol, rtol=dr if rtol is None else rtol,
                               equal_nan=True, err_msg=what)


def assert_same_meta(e, t, what="value"):
    """``requires_grad``, ``is_leaf`` and the ``grad_fn`` name agree."""
    assert e.requires_grad == t.requires_grad, f"{what}: requires_grad {e.requires_grad} != {t.requires_grad}"
    assert e.is_leaf == t.is_leaf, f"{what}: is_leaf {e.is_leaf} != {t.is_leaf}"
    assert grad_fn_name(e) == grad_fn_name(t), f"{what}: grad_fn {grad_fn_name(e)} != {grad_fn_name(t)}"


def _outputs(x):
    return list(x) if isinstance(x, (tuple, list)) else [x]


def check(fn, inputs, dtype="float32", grad=True, atol=None, rtol=None, meta=True, arrays=None,
          grad_output_seed=1):
    """Run ``fn(lib, *tensors)`` on ember and torch; compare outputs and input gradients.

    ``inputs`` is a list of shapes (or ready NumPy arrays through ``arrays``).
    """
    if arrays is None:
        arrays = [rand(s, dtype, seed=i) for i, s in enumerate(inputs)]
    pairs = [pair(a, requires_grad=grad and np.asarray(a).dtype.kind in "fc") for a in arrays]
    es, ts = [p[0] for p in pairs], [p[1] for p in pairs]
    eo, to = _outputs(fn(ember, *es)), _outputs(fn(torch, *ts))
    assert len(eo) == len(to)
    for i, (e, t) in enumerate(zip(eo, to)):
        if isinstance(t, torch.Tensor):
            assert_close(e, t, atol, rtol, what=f"output {i}")
            if meta:
                assert_same_meta(e, t, what=f"output {i}")
        else:
            assert e == t, f"output {i}: {e} != {t}"
    if not grad:
        return eo, to
    diff = [(e, t) for e, t in zip(eo, to) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not diff:
        return eo, to
    rng = np.random.default_rng(grad_output_seed)
    e_loss, t_loss = 0, 0
    for e, t in diff:
        w = rng.uniform(-1, 1, size=tuple(t.shape)).astype(to_np(t).dtype)
        e_loss = e_loss + (e * ember.tensor(w)).sum()
        t_loss = t_loss + (t * torch.tensor(w)).sum()
    e_loss.backward()
    t_loss.backward()
    for i, (e, t) in enumerate(zip(es, ts)):
        if t.requires_grad:
            if t.grad is None:
                assert e.grad is None, f"grad of input {i}: ember has one, torch None"
            else:
                assert e.grad is not None, f"grad of input {i}: ember None, torch has one"
                assert_close(e.grad, t.grad, atol, rtol, what=f"grad of input {i}")
    return eo, to


def same_error(fn):
    """``fn(lib)`` raises the same exception type and message under ember and torch."""
    err = {}
    for lib in (ember, torch):
        try:
            fn(lib)
        except Exception as e:  # noqa: BLE001
            err[lib.__name__] = e
        else:
            err[lib.__name__] = None
    e, t = err["ember"], err["torch"]
    assert t is not None, "torch raised nothing"
    assert e is not None, f"ember raised nothing; torch raised {type(t).__name__}: {t}"
    assert type(e).__name__ == type(t).__name__, f"{type(e).__name__}: {e}  !=  {type(t).__name__}: {t}"
    assert str(e) == str(t), f"message differs:\n ember: {e}\n torch: {t}"
    return e


def fd_check(fn, arrays, eps=1e-6, atol=1e-5, rtol=1e-4, second=True):
    """Finite-difference check in float64 of ``fn(ember, *tensors)`` (first and second order).

    First order: autograd's vector-Jacobian product against central differences.
    Second order: the gradient of (grad . v) against central differences of grad . v.
    """
    arrays = [np.asarray(a, dtype=np.float64) for a in arrays]
    rng = np.random.default_rng(0)

    def scalar(*xs):
        out = _outputs(fn(ember, *xs))
        total = 0
        for j, o in enumerate(out):
            if isinstance(o, ember.Tensor) and o.dtype.is_floating_point:
                w = np.random.default_rng(100 + j).uniform(-1, 1, size=tuple(o.shape))
                total = total + (o * ember.tensor(w)).sum()
        return total

    xs = [ember.tensor(a.copy(), requires_grad=True) for a in arrays]
    grads = ember.autograd.grad(scalar(*xs), xs, create_graph=second, allow_unused=True)
    for i, a in enumerate(arrays):
        num = np.zeros_like(a)
        flat = num.reshape(-1)
        for k in range(a.size):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i].reshape(-1)[k] += eps
            minus[i].reshape(-1)[k] -= eps
            with ember.no_grad():
                fp = float(scalar(*[ember.tensor(p) for p in plus]))
                fm = float(scalar(*[ember.tensor(m) for m in minus]))
            flat[k] = (fp - fm) / (2 * eps)
        g = np.zeros_like(a) if grads[i] is None else grads[i].detach().numpy()
        np.testing.assert_allclose(g, num, atol=atol, rtol=rtol, err_msg=f"first-order grad of input {i}")
    if not second:
        return
    vs = [rng.uniform(-1, 1, size=a.shape) for a in arrays]

    def gv(*ys):
        gs = ember.autograd.grad(scalar(*ys), ys, create_graph=True, allow_unused=True)
        tot = 0
        for g, v in zip(gs, vs):
            if g is not None:
                tot = tot + (g * ember.tensor(v)).sum()
        return tot

    xs = [ember.tensor(a.copy(), requires_grad=True) for a in arrays]
    out = gv(*xs)
    if not isinstance(out, ember.Tensor) or not out.requires_grad:
        return  # the first derivative is constant: nothing to check
    g2 = ember.autograd.grad(out, xs, allow_unused=True)
    for i, a in enumerate(arrays):
        num = np.zeros_like(a)
        flat = num.reshape(-1)
        for k in range(a.size):
            plus = [x.copy() for x in arrays]
            minus = [x.copy() for x in arrays]
            plus[i].reshape(-1)[k] += eps
            minus[i].reshape(-1)[k] -= eps
            fp = float(gv(*[ember.tensor(p, requires_grad=True) for p in plus]))
            fm = float(gv(*[ember.tensor(m, requires_grad=True) for m in minus]))
            flat[k] = (fp - fm) / (2 * eps)
        g = np.zeros_like(a) if g2[i] is None else g2[i].detach().numpy()
        np.testing.assert_allclose(g, num, atol=atol * 10, rtol=rtol * 10, err_msg=f"second-order grad of input {i}")
