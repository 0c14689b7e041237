"""Stochastic gradient descent, optionally with momentum and Nesterov momentum.

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
>>> (w * 3).sum().backward()
>>> opt.step()
>>> w
tensor([0.7000], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _call_closure, _grad_array, _to_scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    """SGD: ``p -= lr * g`` with optional weight decay, momentum, dampening and Nesterov.

    >>> import ember
    >>> w = ember.tensor([2.0], requires_grad=True)
    >>> opt = ember.optim.SGD([w], lr=0.5)
    >>> w.sum().backward(); opt.step(); w
    tensor([1.5000], requires_grad=True)
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"nesterov": False, "maximize": False, "foreach": None, "differentiable": False,
                       "fused": False}
    _step_keys = ()

    def __init__(self, params, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            wd = group["weight_decay"]
            maximize = group["maximize"]
            for p in self._params_with_grad(group, "SGD"):
                pd = p._data
                g = _grad_array(p, maximize, wd)
                if momentum != 0:
                    state = self.state[p]
                    buf_t = state.get("momentum_buffer")
                    if buf_t is None:
                        # NOTE: the first momentum buffer is a copy of the gradient (no dampening).
                        buf = g.copy()
                        state["momentum_buffer"] = _wrap(buf)
                    else:
                        buf = buf_t._data
                        buf *= buf.dtype.type(momentum)
                        if dampening == 0:
                            buf += g
                        else:
                            buf += g * buf.dtype.type(1 - dampening)
                    if nesterov:
                        g = g + buf * buf.dtype.type(momentum)
                    else:
                        g = buf
                pd -= g * pd.dtype.type(lr) if lr != 1 else g
                p._vc.v += 1
        return loss
