"""Rprop: resilient backpropagation, steps from gradient signs with adaptive sizes.

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.Rprop([w], lr=0.1)
>>> w.sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._backend import np
from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _call_closure, _real, _step_tensor, _to_scalar, _zeros_like

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop with multiplicative factors ``etas`` and step size bounds ``step_sizes``.

    >>> import ember
    >>> ember.optim.Rprop([ember.zeros(1, requires_grad=True)]).defaults["etas"]
    (0.5, 1.2)
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}

    def __init__(self, params, lr: float = 1e-2, etas: tuple = (0.5, 1.2),
                 step_sizes: tuple = (1e-6, 50), *, capturable: bool = False,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            maximize = group["maximize"]
            for p in self._params_with_grad(group, "Rprop"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["prev"] = _zeros_like(p)
                    lr = _to_scalar(group["lr"])
                    if p._data.dtype.kind == "c":
                        state["step_size"] = _wrap(np.full_like(p._data, complex(lr, lr)))
                    else:
                        state["step_size"] = _wrap(np.full_like(p._grad._data, lr))
                step_a = state["step"]._data
                step_a += 1
                g = p._grad._data
                g = _real(-g if maximize else g)
                prev = _real(state["prev"]._data)
                step_size = _real(state["step_size"]._data)
                t = step_size.dtype.type
                sign = np.sign(g * prev)
                pos, neg = sign > 0, sign < 0
                sign[pos] = t(etaplus)
                sign[neg] = t(etaminus)
                sign[sign == 0] = 1
                step_size *= sign
                np.clip(step_size, t(step_size_min), t(step_size_max), out=step_size)
                g = g.copy()
                g[sign == t(etaminus)] = 0
                pd = _real(p._data)
                tmp = np.sign(g)
                tmp *= step_size
                pd -= tmp
                prev[...] = g
                p._vc.v += 1
        return loss
