"""``gradcheck`` and ``gradgradcheck``: compare the gradients of a function with finite
differences (use float64 inputs).

>>> import ember
>>> x = ember.tensor([0.5, 1.5], dtype=ember.float64, requires_grad=True)
>>> gradcheck(lambda t: (t.sin() * t).sum(), (x,))
True
"""
from __future__ import annotations

import warnings
from typing import Callable, Optional


__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck``/``gradgradcheck`` when a check fails."""


def _tensor_cls():
    from .._tensor import Tensor
    return Tensor


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _diff_inputs(inputs):
    Tensor = _tensor_cls()
    return [x for x in inputs if isinstance(x, Tensor) and x._rg]


def _diff_outputs(out):
    Tensor = _tensor_cls()
    return [o for o in _as_tuple(out) if isinstance(o, Tensor) and o._rg]


def _check_inputs(inputs) -> None:
    Tensor = _tensor_cls()
    any_rg = False
    for idx, inp in enumerate(inputs):
        if isinstance(inp, Tensor) and inp._rg:
            if inp._data.dtype.name not in ("float64", "complex128"):
                warnings.warn(
                    f"Input #{idx} requires gradient and is not a double precision floating point or complex. "
                    "This check will likely fail if all the inputs are not of double precision floating point or complex. ",
                    UserWarning, stacklevel=3)
            any_rg = True
    if not any_rg:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of them have requires_grad=True.")


def _notallclose_msg(a, n, i: int, j: int) -> str:
    return f"Jacobian mismatch for output {i:d} with respect to input {j:d},\nnumerical:{n}\nanalytical:{a}\n"


def _eval(func, inputs):
    # grad mode stays on: gradgradcheck's function itself calls autograd.grad
    return [o for o in _as_tuple(func(*inputs)) if isinstance(o, _tensor_cls())]


def _numerical_jacobians(func, inputs, outputs, eps: float):
    """``jac[i][j]``: d output i / d input j, shaped (input numel, output numel), by central
    differences (``(f(x + eps) - f(x - eps)) / 2 / eps``, perturbing one element at a time)."""
    from .._backend import np
    from .._tensor import _wrap
    diff = _diff_inputs(inputs)
    jac = [[np.zeros((x._data.size, o._data.size), dtype=x._data.dtype) for x in diff] for o in outputs]
    for j, x in enumerate(diff):
        flat = x._data.reshape(-1)
        if flat.size and not np.shares_memory(flat, x._data):
            raise GradcheckError("gradcheck needs inputs with a contiguous memory layout")
        for k in range(flat.size):
            orig = flat[k].copy()
            flat[k] = orig - eps
            outa = [o._data.copy() for o in _eval(func, inputs)]
            flat[k] = orig + eps
            outb = [o._data.copy() for o in _eval(func, inputs)]
            flat[k] = orig
            for i in range(len(outputs)):
                jac[i][j][k] = ((outb[i] - outa[i]) / 2 / eps).reshape(-1)
    return [[_wrap(a) for a in row] for row in jac]


def _analytical_jacobian(inputs, output, nondet_tol: float):
    """Rows from one vector-Jacobian product per output element (run twice: reentrancy)."""
    from .._backend import np
    from .._creation import zeros_like
    from .._tensor import _wrap
    from . import grad as _grad
    diff = _diff_inputs(inputs)
    n_out = output._data.size
    results = []
    for _ in range(2):
        jac = [np.zeros((x._data.size, n_out), dtype=x._data.dtype) for x in diff]
        for k in range(n_out):
            go = zeros_like(output)
            go._data.reshape(-1)[k] = 1
            gs = _grad(output, diff, go, retain_graph=True, allow_unused=True)
            for j, g in enumerate(gs):
                if g is not None:
                    if g._data.shape != diff[j]._data.shape:
                        raise GradcheckError("Analytical gradient has incorrect size")
                    jac[j][:, k] = g._data.reshape(-1)
        results.append(jac)
    for a, b in zip(*results):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and grad_output multiple times "
                "gives different values, although analytical gradient matches numerical gradient."
                f"The tolerance for nondeterminism was {nondet_tol}.")
    return [_wrap(a) for a in results[0]]


def _allclose(a, n, rtol: float, atol: float) -> bool:
    from .._backend import np
    return bool(np.allclose(a._data, n._data, rtol=rtol, atol=atol))


def _slow_check(func, inputs, outputs, eps, atol, rtol, nondet_tol) -> None:
    numerical = _numerical_jacobians(func, inputs, outputs, eps)
    for i, o in enumerate(outputs):
        analytical = _analytical_jacobian(inputs, o, nondet_tol)
        for j, (a, n) in enumerate(zip(analytical, numerical[i])):
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(_notallclose_msg(a, n, i, j))


def _fast_check(func, inputs, outputs, eps, atol, rtol, nondet_tol) -> None:
    """Random projections ``u^T J v`` (numerical along ``v``, analytical with the vjp of ``u``)."""
    from .._backend import np
    from .._tensor import _wrap
    from . import grad as _grad
    rng = np.random.default_rng(0)
    diff = _diff_inputs(inputs)
    us = [_wrap(rng.uniform(-1, 1, o._data.shape).astype(o._data.dtype)) for o in outputs]
    for j, x in enumerate(diff):
        v = rng.uniform(-1, 1, x._data.shape).astype(x._data.dtype)
        orig = x._data.copy()
        x._data[...] = orig - eps * v
        outa = [o._data.copy() for o in _eval(func, inputs)]
        x._data[...] = orig + eps * v
        outb = [o._data.copy() for o in _eval(func, inputs)]
        x._data[...] = orig
        for i, o in enumerate(outputs):
            num = float((((outb[i] - outa[i]) / 2 / eps) * us[i]._data).sum())
            g = _grad(o, x, us[i], retain_graph=True, allow_unused=True)[0]
            ana = 0.0 if g is None else float((g._data * v).sum())
            if not abs(num - ana) <= atol + rtol * abs(num):
                # NOTE: as torch, a failing fast check reports the full (slow) comparison
                _slow_check(func, inputs, outputs, eps, atol, rtol, nondet_tol)
                raise GradcheckError(_notallclose_msg(ana, num, i, j) + _FAST_OK_MSG)


_FAST_OK_MSG = (
    "\nFast gradcheck failed but element-wise differences are small. This means that the\n"
    "test might've passed in slow_mode!\n\n"
    "If you are adding a new operator, please file an issue and then use one of the\n"
    "workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:\n\n"
    "If the test\n"
    "- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck\n"
    "  with `fast_mode=False` as a keyword argument.\n"
    "- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test\n"
    "  to have `gradcheck_fast_mode=False`\n"
    "- is a Module test (e.g., in common_nn.py), then modify the corresponding\n"
    "  module_test entry to have `gradcheck_fast_mode=False`\n"
)


def _check_mul_by_grad_output(outputs, inputs) -> None:
    """Zero grad_outputs must give zero (or no) gradients of the right dtype and size."""
    from .._creation import zeros_like
    from . import grad as _grad
    diff = _diff_inputs(inputs)
    gs = _grad(outputs, diff, [zeros_like(o) for o in outputs], retain_graph=True, allow_unused=True)
    for gi, di in zip(gs, diff):
        if gi is None:
            continue
        if (gi._data != 0).any():
            raise GradcheckError("backward not multiplied by grad_output")
        if gi._data.dtype != di._data.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi._data.shape != di._data.shape:
            raise GradcheckError("grad is incorrect size")


def _check_undefined_grad(func, inputs) -> None:
    """Backward must accept missing output gradients (each output in turn left undefined)."""
    from .._creation import zeros_like
    from . import grad as _grad
    diff = _diff_inputs(inputs)
    outs = _diff_outputs(func(*inputs))
    if len(outs) < 2:
        return
    for skip in range(len(outs)):
        keep = [o for m, o in enumerate(outs) if m != skip]
        try:
            _grad(keep, diff, [zeros_like(o) for o in keep], retain_graph=True, allow_unused=True)
        except RuntimeError as e:
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. Please look at \"Notes about "
                "undefined output gradients\" in \"tools/autograd/derivatives.yaml\"") from e


def gradcheck(func: Callable, inputs, *, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
              raise_exception: bool = True, nondet_tol: float = 0.0, check_undefined_grad: bool = True,
              check_grad_dtypes: bool = False, check_batched_grad: bool = False,
              check_batched_forward_grad: bool = False, check_forward_ad: bool = False,
              check_backward_ad: bool = True, fast_mode: bool = False, masked: Optional[bool] = None) -> bool:
    """Check the analytical Jacobian of ``func`` at ``inputs`` against finite differences.

    Returns True, or raises ``GradcheckError`` (returns False with ``raise_exception=False``).
    ``check_batched_grad`` and ``check_forward_ad`` are accepted; forward mode here is derived
    from the backward graph, so it is checked by the backward check.

    >>> import ember
    >>> gradcheck(lambda t: t ** 2, (ember.tensor([3.0], dtype=ember.float64, requires_grad=True),))
    True
    """
    inputs = _as_tuple(inputs)
    try:
        _check_inputs(inputs)
        func_out = func(*inputs)
        outputs = _diff_outputs(func_out)
        if not outputs:
            # the Jacobian of an output that does not require grad must be zero
            all_out = [o for o in _as_tuple(func_out) if isinstance(o, _tensor_cls())]
            for i, row in enumerate(_numerical_jacobians(func, inputs, all_out, eps)):
                for n in row:
                    if n._data.size and (abs(n._data) > 0).any():
                        raise GradcheckError("Numerical gradient for function expected to be zero")
            return True
        if check_backward_ad:
            if fast_mode:
                _fast_check(func, inputs, outputs, eps, atol, rtol, nondet_tol)
            else:
                _slow_check(func, inputs, outputs, eps, atol, rtol, nondet_tol)
            _check_mul_by_grad_output(outputs, inputs)
            if check_undefined_grad:
                _check_undefined_grad(func, inputs)
        return True
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func: Callable, inputs, grad_outputs=None, *, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-3, gen_non_contig_grad_outputs: bool = False, raise_exception: bool = True,
                  nondet_tol: float = 0.0, check_undefined_grad: bool = True, check_grad_dtypes: bool = False,
                  check_batched_grad: bool = False, check_fwd_over_rev: bool = False,
                  check_rev_over_rev: bool = True, fast_mode: bool = False, masked: bool = False) -> bool:
    """``gradcheck`` of the gradient of ``func``: checks second derivatives.

    ``grad_outputs`` default to random tensors (requiring grad) shaped like the outputs.

    >>> import ember
    >>> gradgradcheck(lambda t: t ** 3, (ember.tensor([2.0], dtype=ember.float64, requires_grad=True),))
    True
    """
    from .._backend import np
    from .._tensor import _wrap
    from . import grad as _grad
    inputs = _as_tuple(inputs)
    Tensor = _tensor_cls()
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        outs = _diff_outputs(func(*inputs))
        grad_outputs = tuple(_wrap(rng.standard_normal(o._data.shape).astype(o._data.dtype), requires_grad=True)
                             for o in outs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x._rg]

    def new_func(*args):
        inp, gos = args[:n_in], args[n_in:]
        outs = _diff_outputs(func(*inp))
        diff = [inp[k] for k in diff_idx]
        gs = _grad(outs, diff, gos, create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(new_func, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad, check_grad_dtypes=check_grad_dtypes,
                     fast_mode=fast_mode)
