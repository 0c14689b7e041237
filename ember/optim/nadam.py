"""NAdam: Adam with Nesterov momentum (and momentum decay).

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.NAdam([w], lr=0.1)
>>> w.sum().backward(); opt.step(); w
tensor([0.8944], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._backend import np
from .._tensor import Tensor
from .adam import _check_betas_lr
from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _call_closure, _grad_array, _lerp_, _real,
                        _step_tensor, _to_scalar, _zeros_like)

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, with ``momentum_decay`` and optional decoupled weight decay.

    >>> import ember
    >>> ember.optim.NAdam([ember.zeros(1, requires_grad=True)]).defaults["momentum_decay"]
    0.004
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"maximize": False, "foreach": None, "capturable": False, "differentiable": False,
                       "decoupled_weight_decay": False}
    _step_keys = ('step', 'mu_product')

    def __init__(self, params, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3,
                 decoupled_weight_decay: bool = False, *, foreach: Optional[bool] = None,
                 maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        _check_betas_lr(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
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
            momentum_decay = group["momentum_decay"]
            decoupled = group["decoupled_weight_decay"]
            maximize = group["maximize"]
            for p in self._params_with_grad(group, "NAdam"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["mu_product"] = _step_tensor(1.0)
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                step_a = state["step"]._data
                step_a += 1
                step = float(step_a)
                bias_correction2 = 1 - beta2 ** step
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
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
                # NOTE: mu_product is a 0-d tensor in torch, so the running product rounds to
                # its dtype (float32) at each step.
                mu_a = state["mu_product"]._data
                mu_a *= mu_a.dtype.type(mu)
                mu_product = float(mu_a)
                _lerp_(exp_avg, g, 1 - beta1)
                exp_avg_sq *= exp_avg_sq.dtype.type(beta2)
                _addcmul_(exp_avg_sq, g, g, 1 - beta2)
                denom = exp_avg_sq / exp_avg_sq.dtype.type(bias_correction2)
                np.sqrt(denom, out=denom)
                mu_product_next = mu_product * mu_next
                denom += denom.dtype.type(eps)
                _addcdiv_(pd, g, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
                _addcdiv_(pd, exp_avg, denom, (-lr * mu_next) / (1.0 - mu_product_next))
                p._vc.v += 2
        return loss
