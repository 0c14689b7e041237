"""``ember.autograd``: backward, grad, grad modes, anomaly mode, custom Functions.

>>> import ember
>>> x = ember.tensor(2.0, requires_grad=True)
>>> ember.autograd.grad(x ** 3, x)
(tensor(12.),)
"""
from __future__ import annotations

from typing import Optional, Sequence, Union

from .. import _messages as M
from .anomaly_mode import detect_anomaly, set_detect_anomaly, is_anomaly_enabled, is_anomaly_check_nan_enabled  # noqa: F401
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,  # noqa: F401
                        no_grad, set_grad_enabled, STATE)
from . import graph  # noqa: F401
from .graph import run_backward

__all__ = ["backward", "grad", "Variable", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "detect_anomaly", "set_detect_anomaly", "graph", "Function",
           "functional", "forward_ad", "gradcheck", "gradgradcheck"]


def _tensor_cls():
    from .._tensor import Tensor
    return Tensor


def _make_grads(outputs, grad_outputs, is_grads_batched: bool = False):
    from .._creation import ones_like
    Tensor = _tensor_cls()
    out = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if t._rg:
                if t._data.size != 1:
                    raise RuntimeError(M.SCALAR_ONLY)
                if t._data.dtype.kind == "c":
                    raise RuntimeError(M.SCALAR_ONLY_DTYPE.format(dtype=t.dtype))
                g = ones_like(t)
        elif isinstance(g, Tensor):
            gs = g._data.shape if not is_grads_batched else g._data.shape[1:]
            if gs != t._data.shape:
                from .._tensor import Size
                raise RuntimeError(M.GRAD_SHAPE.format(i=i, got=Size(g._data.shape), want=Size(t._data.shape)))
            if g._data.dtype.kind == "c" and g._data.dtype != t._data.dtype:
                raise RuntimeError(M.GRAD_DTYPE.format(i=i, got=g.dtype, want=t.dtype))
        else:
            raise TypeError("gradients can be either Tensors or None, but got " + type(g).__name__)
        out.append(g)
    return out


def _as_tuple(x):
    Tensor = _tensor_cls()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _check_roots(tensors):
    for i, t in enumerate(tensors):
        if not t._rg:
            raise RuntimeError(M.NO_GRAD_FN.format(i=i))


def backward(tensors, grad_tensors=None, retain_graph: Optional[bool] = None,
             create_graph: bool = False, grad_variables=None, inputs=None) -> None:
    """Accumulate into the leaves' ``.grad`` the gradient of ``tensors``.

    >>> import ember
    >>> x = ember.ones(2, requires_grad=True)
    >>> ember.autograd.backward((x * 2).sum())
    >>> x.grad
    tensor([2., 2.])
    """
    tensors = _as_tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    else:
        grad_tensors = _as_tuple(grad_tensors) if not isinstance(grad_tensors, (list, tuple)) else tuple(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if len(inputs) == 0:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    grads = _make_grads(tensors, grad_tensors)
    _check_roots(tensors)
    run_backward(tensors, grads, retain_graph, create_graph, inputs=inputs, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph: Optional[bool] = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: Optional[bool] = None,
         is_grads_batched: bool = False, materialize_grads: bool = False):
    """The gradients of ``outputs`` with respect to ``inputs`` (nothing accumulates in ``.grad``).

    >>> import ember
    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> ember.autograd.grad((x * x).sum(), x)
    (tensor([2., 4.]),)
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    t_inputs = _as_tuple(inputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    _check_roots(outputs)
    for t in t_inputs:
        if not t._rg:
            raise RuntimeError(M.INPUT_NO_GRAD)
    if is_grads_batched:
        return _batched_grad(outputs, t_inputs, grad_outputs, retain_graph, create_graph, allow_unused, materialize_grads)
    grads = _make_grads(outputs, grad_outputs)
    _check_roots(outputs)
    res = run_backward(outputs, grads, retain_graph, create_graph, inputs=t_inputs,
                       allow_unused=allow_unused, accumulate=False)
    if materialize_grads:
        from .._creation import zeros_like
        res = [zeros_like(t) if r is None else r for r, t in zip(res, t_inputs)]
    return tuple(res)


def _batched_grad(outputs, inputs, grad_outputs, retain_graph, create_graph, allow_unused, materialize):
    from .. import stack
    n = grad_outputs[0]._data.shape[0]
    per = []
    for b in range(n):
        per.append(grad(outputs, inputs, tuple(g[b] for g in grad_outputs), retain_graph=True,
                        create_graph=create_graph, allow_unused=allow_unused, materialize_grads=materialize))
    return tuple(None if per[0][i] is None else stack([p[i] for p in per]) for i in range(len(inputs)))


from .variable import Variable  # noqa: E402,F401
from .function import Function, FunctionCtx, once_differentiable  # noqa: E402,F401
from . import function, functional, forward_ad  # noqa: E402,F401
from .gradcheck import gradcheck, gradgradcheck, GradcheckError  # noqa: E402,F401
from .explain import explain, explaining  # noqa: E402,F401
