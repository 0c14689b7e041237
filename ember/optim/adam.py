"""Adam (and, through ``decoupled_weight_decay``, AdamW).

>>> import ember
>>> w = ember.tensor([1.0], requires_grad=True)
>>> opt = ember.optim.Adam([w], lr=0.1)
>>> w.sum().backward(); opt.step(); w
tensor([0.9000], requires_grad=True)
"""
from __future__ import annotations

from typing import Callable, Optional

from .._backend import np
from .._tensor import Tensor
from .optimizer import (Optimizer, _addcdiv_, _addcmul_, _call_closure, _grad_array, _lerp_, _real,
                        _step_tensor, _to_scalar, _zeros_like)

__all__ = ["Adam"]


def _check_betas_lr(lr, eps, betas, weight_decay) -> None:
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    """Adam: bias-corrected first and second moment estimates of the gradient.

    >>> import ember
    >>> w = ember.tensor([1.0], requires_grad=True)
    >>> opt = ember.optim.Adam([w], lr=0.1, amsgrad=True)
    >>> w.sum().backward(); opt.step(); w
    tensor([0.9000], requires_grad=True)
    """

    # restored into param groups saved by older versions (Optimizer.__setstate__)
    _group_defaults = {"amsgrad": False, "maximize": False, "foreach": None, "capturable": False,
                       "differentiable": False, "decoupled_weight_decay": False, "fused": None}

    def __init__(self, params, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: Optional[bool] = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None, decoupled_weight_decay: bool = False) -> None:
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
            if lr.numel() != 1:
                raise ValueError("Tensor lr must be 1-element")
        _check_betas_lr(lr, eps, betas, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False "
                                     "and foreach=True")
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.squeeze() if isinstance(b, Tensor) and b.dim() != 0 else b for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
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
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            eps = group["eps"]
            wd = group["weight_decay"]
            amsgrad = group["amsgrad"]
            decoupled = group["decoupled_weight_decay"]
            maximize = group["maximize"]
            name = type(self).__name__
            for p in self._params_with_grad(group, name):
                state = self.state[p]
                if len(state) == 0:
                    # NOTE: torch keeps ``step`` as a 0-d float32 tensor (float64 under a float64
                    # default dtype) on the CPU.
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                step_a = state["step"]._data
                step_a += 1
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
                step = float(step_a)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2 = 1 - beta2 ** step
                step_size = lr / bias_correction1
                bias_correction2_sqrt = bias_correction2 ** 0.5
                if amsgrad:
                    mx = _real(state["max_exp_avg_sq"]._data)
                    np.maximum(mx, exp_avg_sq, out=mx)
                    denom = np.sqrt(mx)
                else:
                    denom = np.sqrt(exp_avg_sq)
                denom /= denom.dtype.type(bias_correction2_sqrt)
                denom += denom.dtype.type(eps)
                _addcdiv_(pd, exp_avg, denom, -step_size)
                p._vc.v += 1
        return loss
