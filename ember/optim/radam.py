"""RAdam: Adam with a rectified variance of the adaptive learning rate.

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.RAdam([w], lr=0.1)
>>> w.sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._backend import np
from .._tensor import Tensor
from .adam import _check_betas_lr
from .optimizer import (Optimizer, _addcmul_, _call_closure, _grad_array, _lerp_, _real,
                        _step_tensor, _to_scalar, _zeros_like)

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam (rectified Adam), with optional decoupled weight decay.

    >>> import ember
    >>> ember.optim.RAdam([ember.zeros(1, requires_grad=True)]).defaults["lr"]
    0.001
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                       "decoupled_weight_decay": False, "capturable": False}

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_betas_lr(lr, eps, betas, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps = group["eps"]
            wd = group["weight_decay"]
            decoupled = group["decoupled_weight_decay"]
            maximize = group["maximize"]
            for p in self._params_with_grad(group, "RAdam"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                step_a = state["step"]._data
                step_a += 1
                step = float(step_a)
                pd = p._data
                if wd != 0 and decoupled:
                    pd *= pd.dtype.type(1 - lr * wd)
                    p._vc.v += 1
                    g = _grad_array(p, maximize)
                else:
                    g = _grad_array(p, maximize, wd)
                pd, g = _real(pd), _real(g)
                exp_avg = _real(state["exp_avg"]._data)
                exp_avg_sq = _real(state["exp_avg_sq"]._data)
                _lerp_(exp_avg, g, 1 - beta1)
                exp_avg_sq *= exp_avg_sq.dtype.type(beta2)
                _addcmul_(exp_avg_sq, g, g, 1 - beta2)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                t = pd.dtype.type
                update = exp_avg / t(bias_correction1)
                update *= t(lr)
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * step * (beta2 ** step) / bias_correction2
                if rho_t > 5.0:
                    # NOTE: ``scalar / tensor`` is ``tensor.reciprocal() * scalar`` in torch.
                    adaptive = np.sqrt(exp_avg_sq)
                    adaptive += t(eps)
                    np.reciprocal(adaptive, out=adaptive)
                    adaptive *= t(bias_correction2 ** 0.5)
                    update *= adaptive
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                            / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    update *= t(rect)
                pd -= update
                p._vc.v += 1
        return loss
