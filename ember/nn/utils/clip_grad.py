"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``,
``clip_grads_with_norm_``.

>>> import ember
>>> p = ember.nn.Parameter(ember.ones(2)); p.grad = ember.tensor([3.0, 4.0])
>>> ember.nn.utils.clip_grad_norm_([p], 1.0)
tensor(5.)
"""
from __future__ import annotations

from typing import Iterable, Optional, Union

from ..._backend import np
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_list(parameters):
    if isinstance(parameters, Tensor):
        return [parameters]
    return list(parameters)


def _norm_arr(a, norm_type: float):
    if norm_type == 2 and a.dtype.kind == "f" and a.size:
        # one pass, no temporaries: the dot product of the flattened array with itself
        f = a.reshape(-1)
        return np.sqrt(np.dot(f, f))
    a = np.abs(a)
    if norm_type == float("inf"):
        return a.max() if a.size else np.zeros((), a.dtype)
    if norm_type == float("-inf"):
        return a.min()
    if norm_type == 2:
        return np.sqrt((a * a).sum(dtype=a.dtype))
    if norm_type == 1:
        return a.sum(dtype=a.dtype)
    if norm_type == 0:
        return np.asarray((a != 0).sum(), dtype=a.dtype)
    return (a ** norm_type).sum(dtype=a.dtype) ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """The ``norm_type`` norm of the norms of ``tensors`` (as if concatenated)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return _wrap(np.asarray(0.0, dtype=np.float32))
    norms = np.stack([np.asarray(_norm_arr(t._data, norm_type)) for t in tensors])
    total = np.asarray(_norm_arr(norms, norm_type), dtype=norms.dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    return _wrap(total)


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor, foreach=None) -> None:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))`` in place."""
    params = _as_list(parameters)
    grads = [p._grad for p in params if p._grad is not None]
    if not grads:
        return
    coef = np.float32(max_norm) / (total_norm._data + np.asarray(1e-6, total_norm._data.dtype))
    coef = np.minimum(coef, np.asarray(1.0, coef.dtype))
    with no_grad():
        for g in grads:
            g._data *= coef.astype(g._data.dtype)
            g._vc.v += 1


def clip_grad_norm_(parameters: Union[Tensor, Iterable[Tensor]], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: Optional[bool] = None) -> Tensor:
    """Rescale gradients so their total norm is at most ``max_norm``; returns the total norm
    before clipping."""
    params = _as_list(parameters)
    grads = [p._grad for p in params if p._grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(params, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:
    import warnings
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Union[Tensor, Iterable[Tensor]], clip_value: float, foreach=None) -> None:
    """Clamp every gradient into [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p._grad is not None:
                np.clip(p._grad._data, -clip_value, clip_value, out=p._grad._data)
                p._grad._vc.v += 1
