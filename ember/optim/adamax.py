"""Adamax: Adam with the infinity norm in place of the second moment.

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.Adamax([w], lr=0.1)
>>> w.sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._backend import np
from .._tensor import Tensor
from .adam import _check_betas_lr
from .optimizer import (Optimizer, _addcdiv_, _call_closure, _grad_array, _lerp_, _real,
                        _step_tensor, _to_scalar, _zeros_like)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (a variant of Adam based on the infinity norm).

    >>> import ember
    >>> ember.optim.Adamax([ember.zeros(1, requires_grad=True)]).defaults["lr"]
    0.002
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_betas_lr(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            wd = group["weight_decay"]
            maximize = group["maximize"]
            for p in self._params_with_grad(group, "Adamax"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_inf"] = _zeros_like(p)
                step_a = state["step"]._data
                step_a += 1
                g = _real(_grad_array(p, maximize, wd))
                pd = _real(p._data)
                exp_avg = _real(state["exp_avg"]._data)
                exp_inf = _real(state["exp_inf"]._data)
                _lerp_(exp_avg, g, 1 - beta1)
                exp_inf *= exp_inf.dtype.type(beta2)
                norm = np.abs(g)
                norm += norm.dtype.type(eps)
                np.maximum(exp_inf, norm, out=exp_inf)
                bias_correction = 1 - beta1 ** float(step_a)
                clr = lr / bias_correction
                _addcdiv_(pd, exp_avg, exp_inf, -clr)
                p._vc.v += 1
        return loss
