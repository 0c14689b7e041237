"""Adagrad: per-coordinate learning rates from the running sum of squared gradients.

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.Adagrad([w], lr=0.1)
>>> w.sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._backend import np
from .._tensor import Tensor, _wrap
from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _call_closure, _grad_array, _real,
                        _step_tensor, _to_scalar)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad with ``lr_decay``, ``initial_accumulator_value`` and ``eps``.

    >>> import ember
    >>> opt = ember.optim.Adagrad([ember.zeros(1, requires_grad=True)], initial_accumulator_value=0.5)
    >>> opt.state_dict()["state"][0]["sum"]
    tensor([0.5000])
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"foreach": None, "maximize": False, "differentiable": False, "fused": None}

    def __init__(self, params, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10,
                 foreach: Optional[bool] = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: Optional[bool] = None) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        # NOTE: unlike the other algorithms, Adagrad creates its state eagerly, for every
        # parameter, at construction.
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                init = (complex(initial_accumulator_value, initial_accumulator_value)
                        if p._data.dtype.kind == "c" else initial_accumulator_value)
                state["sum"] = _wrap(np.full_like(p._data, init))

    def share_memory(self) -> None:
        """No-op: tensors here already live in ordinary process memory."""

    def step(self, closure: Optional[Callable[[], float]] = None):
        """Perform a single optimization step; ``closure`` re-evaluates the loss."""
        loss = _call_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            wd = group["weight_decay"]
            lr_decay = group["lr_decay"]
            eps = group["eps"]
            maximize = group["maximize"]
            for p in self._params_with_grad(group, "Adagrad"):
                state = self.state[p]
                step_a = state["step"]._data
                step_a += 1
                step = float(step_a)
                g = _real(_grad_array(p, maximize, wd))
                clr = lr / (1 + (step - 1) * lr_decay)
                pd = _real(p._data)
                state_sum = _real(state["sum"]._data)
                _addcmul_(state_sum, g, g, 1)
                std = np.sqrt(state_sum)
                std += std.dtype.type(eps)
                _addcdiv_(pd, g, std, -clr)
                p._vc.v += 1
        return loss
