"""Stochastic weight averaging and exponential moving averages of a model's weights.

>>> import ember
>>> net = ember.nn.Linear(2, 1)
>>> swa = ember.optim.swa_utils.AveragedModel(net)
>>> swa.update_parameters(net)
>>> int(swa.n_averaged)
1
"""
from __future__ import annotations

import itertools
import math
import warnings
from copy import deepcopy
from typing import Any, Callable, Iterable, Optional

from .. import _dtype as D
from .._backend import np
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..nn import Module
from .lr_scheduler import GET_LR_WARNING, LRScheduler, _format_param
from .optimizer import _lerp_

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _num(n) -> int:
    return int(n._data) if isinstance(n, Tensor) else int(n)


def _check_decay(decay) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """An in-place EMA update over lists: ``ema = ema.lerp(current, 1 - decay)``.

    >>> import ember
    >>> ema, cur = [ember.zeros(2)], [ember.ones(2)]
    >>> ember.optim.swa_utils.get_ema_multi_avg_fn(0.5)(ema, cur, 1)
    >>> ema[0]
    tensor([0.5000, 0.5000])
    """
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _) -> None:
        if ema_param_list[0]._data.dtype.kind in "fc":
            for e, c in zip(ema_param_list, current_param_list):
                _lerp_(e._data, c._data, 1 - decay)
                e._vc.v += 1
        else:
            for e, c in zip(ema_param_list, current_param_list):
                with no_grad():
                    e.copy_(e * decay + c * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """An in-place running-mean update over lists: ``avg += (current - avg) / (n + 1)``.

    >>> import ember
    >>> avg, cur = [ember.zeros(2)], [ember.ones(2)]
    >>> ember.optim.swa_utils.get_swa_multi_avg_fn()(avg, cur, 1)
    >>> avg[0]
    tensor([0.5000, 0.5000])
    """

    def swa_update(averaged_param_list, current_param_list, num_averaged) -> None:
        n = _num(num_averaged)
        if averaged_param_list[0]._data.dtype.kind in "fc":
            # NOTE: with a tensor count torch's weight 1 / (n + 1) is a default-dtype tensor.
            w = float(D.get_default_dtype().np.type(1) / (n + 1)) if isinstance(num_averaged, Tensor) \
                else 1 / (n + 1)
            for a, c in zip(averaged_param_list, current_param_list):
                _lerp_(a._data, c._data, w)
                a._vc.v += 1
        else:
            for a, c in zip(averaged_param_list, current_param_list):
                with no_grad():
                    if isinstance(num_averaged, Tensor):
                        a.copy_(a + (c - a) / (num_averaged + 1))
                    else:
                        a.copy_(a + (c - a) * (1.0 / (n + 1)))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """An EMA step returning the new average: ``decay * ema + (1 - decay) * current``.

    >>> import ember
    >>> ember.optim.swa_utils.get_ema_avg_fn(0.5)(ember.zeros(1), ember.ones(1), 1)
    tensor([0.5000])
    """
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable:
    """A running-mean step returning the new average: ``avg + (current - avg) / (n + 1)``.

    >>> import ember
    >>> ember.optim.swa_utils.get_swa_avg_fn()(ember.zeros(1), ember.ones(1), 1)
    tensor([0.5000])
    """

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters are averaged over calls to ``update_parameters``
    (equal-weight SWA by default; ``avg_fn``/``multi_avg_fn`` for EMA and others).

    >>> import ember
    >>> net = ember.nn.Linear(1, 1)
    >>> ema = ember.optim.swa_utils.AveragedModel(
    ...     net, multi_avg_fn=ember.optim.swa_utils.get_ema_multi_avg_fn(0.9))
    >>> ema(ember.ones(1, 1)).shape
    torch.Size([1, 1])
    """

    def __init__(self, model: Module, device=None, avg_fn: Optional[Callable] = None,
                 multi_avg_fn: Optional[Callable] = None, use_buffers: bool = False) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        from .._tensor import _wrap
        self.register_buffer("n_averaged", _wrap(np.array(0, dtype=np.int64)))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters (and buffers) into the average."""
        if self.use_buffers:
            self_param = itertools.chain(self.module.parameters(), self.module.buffers())
            model_param = itertools.chain(model.parameters(), model.buffers())
        else:
            self_param = self.parameters()
            model_param = model.parameters()
        n = int(self.n_averaged._data)
        averaged, current = [], []
        for p_avg, p_model in zip(self_param, model_param):
            a, c = p_avg.detach(), p_model.detach()
            averaged.append(a)
            current.append(c)
            if n == 0:
                a._data[...] = c._data
                a._vc.v += 1
        if n > 0:
            if self.avg_fn is not None and self.multi_avg_fn is None:
                for a, c in zip(averaged, current):
                    new = self.avg_fn(a, c, self.n_averaged)
                    a._data[...] = new._data
                    a._vc.v += 1
            elif self.multi_avg_fn is not None:
                groups: dict = {}
                for a, c in zip(averaged, current):
                    groups.setdefault(a._data.dtype, ([], []))
                    groups[a._data.dtype][0].append(a)
                    groups[a._data.dtype][1].append(c)
                for avg_list, cur_list in groups.values():
                    self.multi_avg_fn(avg_list, cur_list, self.n_averaged)
            else:
                # NOTE: on the CPU torch takes the per-tensor path:
                # avg + (current - avg) / (n_averaged + 1), the count being an int64 tensor.
                for a, c in zip(averaged, current):
                    ad = a._data
                    if ad.dtype.kind in "fc":
                        diff = c._data - ad
                        diff /= ad.dtype.type(n + 1)
                        ad += diff
                    else:
                        ft = D.get_default_dtype().np
                        upd = (c._data - ad).astype(ft) / ft.type(n + 1)
                        ad[...] = (ad.astype(ft) + upd).astype(ad.dtype)
                    a._vc.v += 1
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                b_swa._data[...] = b_model._data
                b_swa._vc.v += 1
        self.n_averaged._data[...] = n + 1
        self.n_averaged._vc.v += 1


def _is_batchnorm(module) -> bool:
    from ..nn.modules.batchnorm import _BatchNorm
    return isinstance(module, _BatchNorm)


def update_bn(loader: Iterable[Any], model: Module, device=None) -> None:
    """Recompute BatchNorm running statistics with one pass over ``loader`` (a cumulative
    average, as after SWA the averaged weights need fresh statistics).

    >>> import ember
    >>> net = ember.nn.Linear(2, 2)
    >>> ember.optim.swa_utils.update_bn([ember.ones(4, 2)], net)  # no BatchNorm: nothing to do
    """
    with no_grad():
        momenta = {}
        for module in model.modules():
            if _is_batchnorm(module):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
        for module in momenta:
            module.momentum = momenta[module]
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneal each group's lr to ``swa_lr`` over ``anneal_epochs`` epochs, then hold it.

    >>> import ember
    >>> opt = ember.optim.SGD([ember.zeros(1, requires_grad=True)], lr=1.0)
    >>> s = ember.optim.swa_utils.SWALR(opt, swa_lr=0.5, anneal_epochs=1)
    >>> opt.step(); s.step(); s.get_last_lr()
    [0.5]
    """

    def __init__(self, optimizer, swa_lr: float, anneal_epochs: int = 10, anneal_strategy: str = "cos",
                 last_epoch: int = -1) -> None:
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError("anneal_strategy must be one of 'cos' or 'linear', "
                             f"instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list:
        if not self._get_lr_called_within_step:
            warnings.warn(GET_LR_WARNING, UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in self.optimizer.param_groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(self.optimizer.param_groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
