"""RMSprop: gradients scaled by a running root-mean-square.

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.RMSprop([w], lr=0.01)
>>> w.sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._backend import np
from .._tensor import Tensor
from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _call_closure, _grad_array, _lerp_, _real,
                        _step_tensor, _to_scalar, _zeros_like)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop with smoothing ``alpha``, optional ``centered`` variance and ``momentum``.

    >>> import ember
    >>> ember.optim.RMSprop([ember.zeros(1, requires_grad=True)]).defaults["alpha"]
    0.99
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"momentum": 0, "centered": False, "foreach": None, "maximize": False,
                       "differentiable": False, "capturable": False}

    def __init__(self, params, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            alpha = group["alpha"]
            eps = group["eps"]
            wd = group["weight_decay"]
            momentum = group["momentum"]
            centered = group["centered"]
            maximize = group["maximize"]
            for p in self._params_with_grad(group, "RMSprop"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if centered:
                        state["grad_avg"] = _zeros_like(p)
                step_a = state["step"]._data
                step_a += 1
                g = _real(_grad_array(p, maximize, wd))
                square_avg = _real(state["square_avg"]._data)
                t = square_avg.dtype.type
                square_avg *= t(alpha)
                _addcmul_(square_avg, g, g, 1 - alpha)
                if centered:
                    grad_avg = _real(state["grad_avg"]._data)
                    _lerp_(grad_avg, g, 1 - alpha)
                    avg = square_avg.copy()
                    _addcmul_(avg, grad_avg, grad_avg, -1)
                    np.sqrt(avg, out=avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += t(eps)
                pd = _real(p._data)
                if momentum > 0:
                    buf = _real(state["momentum_buffer"]._data)
                    buf *= t(momentum)
                    _addcdiv_(buf, g, avg, 1)
                    pd -= buf * t(lr)
                else:
                    _addcdiv_(pd, g, avg, -lr)
                p._vc.v += 1
        return loss
