"""ASGD: averaged stochastic gradient descent.

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.ASGD([w], lr=0.1)
>>> w.sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._backend import np
from .._tensor import Tensor
from .optimizer import (Optimizer, _call_closure, _grad_array, _real, _scalar_dtype, _step_tensor,
                        _to_scalar, _zeros_like)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """ASGD with decay ``lambd``, power ``alpha`` and averaging start ``t0``; the running
    average is ``state['ax']``.

    >>> import ember
    >>> ember.optim.ASGD([ember.zeros(1, requires_grad=True)]).defaults["t0"]
    1000000.0
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "capturable": False}
    _step_keys = ('step', 'eta', 'mu')

    def __init__(self, params, lr: float = 1e-2, lambd: float = 1e-4, alpha: float = 0.75,
                 t0: float = 1e6, weight_decay: float = 0, foreach: Optional[bool] = None,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            lambd = group["lambd"]
            alpha = group["alpha"]
            t0 = group["t0"]
            wd = group["weight_decay"]
            maximize = group["maximize"]
            for p in self._params_with_grad(group, "ASGD"):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["eta"] = _step_tensor(lr)
                    state["mu"] = _step_tensor(1.0)
                    state["ax"] = _zeros_like(p)
                g = _real(_grad_array(p, maximize, wd))
                pd = _real(p._data)
                ax = _real(state["ax"]._data)
                eta_a, mu_a, step_a = state["eta"]._data, state["mu"]._data, state["step"]._data
                step_a += 1
                t = pd.dtype.type
                eta_value = float(eta_a)
                pd *= t(1 - lambd * eta_value)
                pd -= g * t(eta_value)
                p._vc.v += 2
                mu = mu_a.reshape(()).item()
                if mu != 1:
                    # NOTE: ``mu`` is a 0-d tensor here, so the product promotes as tensors do.
                    diff = pd - ax
                    diff *= mu_a.astype(pd.dtype, copy=False)
                    ax += diff
                else:
                    ax[...] = pd
                step = float(step_a)
                eta_a[...] = lr / ((1 + lambd * lr * step) ** alpha)
                mu_a[...] = 1 / max(1, step - t0)
        return loss
