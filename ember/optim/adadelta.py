"""Adadelta: step sizes from running averages of squared gradients and squared updates.

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.Adadelta([w])
>>> w.sum().backward(); opt.step(); w
tensor([0.9968], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._backend import np
from .._tensor import Tensor
from .optimizer import (Optimizer, _addcmul_, _call_closure, _grad_array, _real, _step_tensor,
                        _to_scalar, _zeros_like)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta with decay ``rho`` and ``eps``.

    >>> import ember
    >>> ember.optim.Adadelta([ember.zeros(1, requires_grad=True)]).defaults["rho"]
    0.9
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            rho = group["rho"]
            eps = group["eps"]
            wd = group["weight_decay"]
            maximize = group["maximize"]
            for p in self._params_with_grad(group, "Adadelta"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(p)
                    state["acc_delta"] = _zeros_like(p)
                step_a = state["step"]._data
                step_a += 1
                g = _real(_grad_array(p, maximize, wd))
                square_avg = _real(state["square_avg"]._data)
                acc_delta = _real(state["acc_delta"]._data)
                t = square_avg.dtype.type
                square_avg *= t(rho)
                _addcmul_(square_avg, g, g, 1 - rho)
                std = square_avg + t(eps)
                np.sqrt(std, out=std)
                delta = acc_delta + t(eps)
                np.sqrt(delta, out=delta)
                delta /= std
                delta *= g
                acc_delta *= t(rho)
                _addcmul_(acc_delta, delta, delta, 1 - rho)
                pd = _real(p._data)
                pd -= delta * t(lr) if lr != 1 else delta
                p._vc.v += 1
        return loss
