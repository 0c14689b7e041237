"""Activation checkpointing (``torch.utils.checkpoint``): save memory by not keeping the
tensors a block saves for backward, and recomputing the block's forward during backward.

This follows ``use_reentrant=False``: the forward runs under saved-tensor hooks that keep only
a placeholder; the first time backward needs a saved tensor, the block is run again (with the
random state it saw the first time) and the recomputed tensors are handed out in order.

>>> import ember
>>> from ember.utils.checkpoint import checkpoint
>>> x = ember.tensor([1.0, 2.0], requires_grad=True)
>>> checkpoint(lambda t: t.sin() * t, x, use_reentrant=False).sum().backward()
>>> x.grad
tensor([1.3818, 0.0770])
"""
from __future__ import annotations

import warnings
from typing import Callable, Optional

from ..autograd.grad_mode import STATE
from ..autograd.graph import saved_tensors_hooks

__all__ = ["checkpoint", "checkpoint_sequential"]


def _rng_state():
    try:
        from .._generator import default_generator
        return default_generator.get_state()
    except Exception:  # noqa: BLE001 - no generator: nothing to preserve
        return None


def _set_rng_state(state) -> None:
    if state is not None:
        from .._generator import default_generator
        default_generator.set_state(state)


_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in PyTorch 2.9, "
    "calling checkpoint without use_reentrant will raise an exception. use_reentrant=False is recommended, but if "
    "you need to preserve the current default behavior, you can pass use_reentrant=True. Refer to docs for more "
    "details on the differences between the two variants.")


class _Holder:
    """What a saved tensor becomes inside a checkpointed block: its index in save order."""

    __slots__ = ("index", "__weakref__")

    def __init__(self, index: int):
        self.index = index


class _Frame:
    __slots__ = ("fn", "args", "kwargs", "rng", "grad_enabled", "count", "recomputed", "early_stop")

    def __init__(self, fn, args, kwargs, rng, early_stop: bool):
        self.fn, self.args, self.kwargs, self.rng = fn, args, kwargs, rng
        self.grad_enabled = STATE.grad_enabled
        self.count = 0
        self.recomputed = None
        self.early_stop = early_stop

    def pack(self, t):
        h = _Holder(self.count)
        self.count += 1
        return h

    def unpack(self, h):
        if self.recomputed is None:
            self._recompute()
        if h.index >= len(self.recomputed):
            raise RuntimeError(
                "torch.utils.checkpoint: Unpack is being triggered for a tensor that was already unpacked once. "
                "If you are calling ctx.saved_tensors in backward, make sure to do so only once. Otherwise please "
                "open an issue with details on your use case.")
        return self.recomputed[h.index]

    def _recompute(self) -> None:
        saved = []
        # the engine runs backward with grad mode = create_graph: keep the recomputed graph then
        keep_graph = STATE.grad_enabled

        def pack2(t):
            saved.append(t if keep_graph else t.detach())
            return None

        cur = _rng_state()
        _set_rng_state(self.rng)
        prev = STATE.grad_enabled
        STATE.grad_enabled = True
        try:
            with saved_tensors_hooks(pack2, lambda _: None):
                self.fn(*self.args, **self.kwargs)
        finally:
            STATE.grad_enabled = prev
            _set_rng_state(cur)
        if len(saved) < self.count:
            raise RuntimeError(
                "torch.utils.checkpoint: A different number of tensors was saved during the original forward and "
                f"recomputation.\nNumber of tensors saved during forward: {self.count}\n"
                f"Number of tensors saved during recomputation: {len(saved)}.\n")
        self.recomputed = saved


def checkpoint(function: Callable, *args, use_reentrant: Optional[bool] = None, context_fn=None,
               determinism_check: str = "default", debug: bool = False, early_stop: bool = True,
               preserve_rng_state: bool = True, **kwargs):
    """Run ``function(*args, **kwargs)`` keeping none of its saved tensors; backward recomputes.

    ``use_reentrant`` should be given (a warning otherwise, as torch); both values run the
    non-reentrant algorithm, which gives the same gradients.

    >>> import ember
    >>> x = ember.ones(2, requires_grad=True)
    >>> y = checkpoint(lambda t: (t * t).exp(), x, use_reentrant=False)
    >>> y.grad_fn
    <ExpBackward0 object at 0x...>
    """
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, UserWarning, stacklevel=2)
        use_reentrant = True
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if use_reentrant and STATE.grad_enabled and not any(getattr(a, "_rg", False) for a in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", UserWarning, stacklevel=2)
    frame = _Frame(function, args, kwargs, _rng_state() if preserve_rng_state else None, early_stop)
    with saved_tensors_hooks(frame.pack, frame.unpack):
        return function(*args, **kwargs)


def checkpoint_sequential(functions, segments: int, input, use_reentrant: Optional[bool] = None, **kwargs):
    """Split a sequence of modules into ``segments`` checkpointed runs (the last one is run
    normally, as torch does)."""
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, UserWarning, stacklevel=2)
        use_reentrant = True
    fns = list(functions.children()) if hasattr(functions, "children") else list(functions)
    size = len(fns) // segments

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = fns[j](x)
            return x
        return forward

    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, **kwargs)
    return run(end + 1, len(fns) - 1)(input)
