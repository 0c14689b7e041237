"""Forward-mode AD (``torch.autograd.forward_ad``): dual tensors carrying a tangent.

How it is computed here: ``make_dual(x, t)`` returns an alias of ``x`` that is recorded in
the backward graph from a hidden seed leaf; ``unpack_dual(y)`` then gets ``J t`` by the
double-backward trick (``u -> vjp(u)`` is linear in ``u``; its derivative in ``u`` applied to
``t`` is the Jacobian-vector product). Every op with a double backward therefore has forward
mode for free, at the price of two backward passes per ``unpack_dual``.

Differences from torch: a dual tensor is part of a backward graph, so it shows
``requires_grad=True`` and a ``grad_fn`` even when the primal does not require grad; a
printed dual tensor does not show its tangent.

>>> import ember
>>> import ember.autograd.forward_ad as fwAD
>>> with fwAD.dual_level():
...     x = fwAD.make_dual(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 0.0]))
...     fwAD.unpack_dual(x * x).tangent
tensor([2., 0.])
"""
from __future__ import annotations

from collections import namedtuple
from typing import Optional

from .grad_mode import STATE
from .graph import AccumulateGrad, Node

__all__ = ["UnpackedDualTensor", "enter_dual_level", "exit_dual_level", "make_dual", "unpack_dual",
           "dual_level"]


class _Level:
    __slots__ = ("seeds",)

    def __init__(self):
        self.seeds = {}   # id(seed accumulator) -> (seed leaf, tangent)


_levels: list = []


def enter_dual_level() -> int:
    """Open a new forward-AD level (only one at a time, as torch); returns its index."""
    if _levels:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _levels.append(_Level())
    return len(_levels) - 1


def exit_dual_level(*, level: Optional[int] = None) -> None:
    """Close the current level: tangents of its dual tensors are forgotten."""
    if level is None:
        level = len(_levels) - 1
    if level != len(_levels) - 1:
        raise RuntimeError("Trying to exit a forward AD level that was not the last one that was created. This is not supported.")
    _levels.pop()


class dual_level:
    """Context manager for a forward-AD level.

    >>> import ember
    >>> with dual_level():
    ...     pass
    """

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *a) -> None:
        exit_dual_level()


class _MakeDual(Node):
    """The alias made by make_dual: its gradient goes to the primal and to the tangent's seed."""

    __slots__ = ()

    def backward(self, g):
        return (g if self.next_functions[0][0] is not None else None), g


# NOTE: torch records make_dual of a primal that requires grad as a view (ViewBackward0)
_MakeDual.__name__ = _MakeDual.__qualname__ = "ViewBackward0"


def make_dual(tensor, tangent, *, level: Optional[int] = None):
    """A dual tensor: the values of ``tensor`` with forward gradient ``tangent``."""
    from .._tensor import Tensor, _wrap
    if not _levels:
        raise RuntimeError("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                           "enter_dual_level() first.")
    if not isinstance(tensor, Tensor) or not isinstance(tangent, Tensor):
        raise ValueError(f"Expected primal to be a Tensor, got {type(tensor).__name__}" if not isinstance(tensor, Tensor)
                         else f"Expected tangent to be a Tensor, got {type(tangent).__name__}")
    if tensor._data.dtype.kind not in "fc":
        raise ValueError(f"Expected primal to be floating point or complex, but got: {tensor.dtype}")
    if tangent._data.dtype.kind not in "fc":
        raise ValueError(f"Expected tangent to be floating point or complex, but got: {tangent.dtype}")
    if tangent._data.shape != tensor._data.shape:
        sp = ", ".join(map(str, tensor._data.shape))
        st = ", ".join(map(str, tangent._data.shape))
        raise RuntimeError(f"Trying to set a forward gradient that has a different size than that of the original Tensor, this is not supported. Tensor is of size [{sp}] while the given forward gradient is of size [{st}].")
    lvl = _levels[-1 if level is None else level]
    seed = _wrap(tensor._data)
    seed._rg = True
    dual = _wrap(tensor._data)
    dual._vc = tensor._vc
    prev = STATE.grad_enabled
    STATE.grad_enabled = True
    try:
        from .._ops._util import record
        record(_MakeDual, dual, (tensor, seed))
    finally:
        STATE.grad_enabled = prev
    acc = dual.grad_fn.next_functions[1][0]
    lvl.seeds[acc] = (seed, tangent)
    return dual


UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])
UnpackedDualTensor.__doc__ = "The primal and tangent of a dual tensor (``tangent`` is None if it has none)."


def _reach(fn, seeds):
    """Seed accumulators reachable from ``fn``, and whether any other leaf is."""
    found, other = [], False
    seen = {fn}
    stack = [fn]
    while stack:
        n = stack.pop()
        if n.__class__ is AccumulateGrad:
            if n in seeds:
                found.append(n)
            else:
                other = True
            continue
        for f, _ in n.next_functions:
            if f is not None and f not in seen:
                seen.add(f)
                stack.append(f)
    return found, other


def unpack_dual(tensor, *, level: Optional[int] = None) -> UnpackedDualTensor:
    """``(primal, tangent)`` of a dual tensor (``tangent`` is None outside a level or when the
    tensor does not depend on any dual tensor)."""
    if not _levels or tensor.grad_fn is None:
        return UnpackedDualTensor(tensor, None)
    lvl = _levels[-1 if level is None else level]
    accs, other = _reach(tensor.grad_fn, lvl.seeds)
    if not accs:
        return UnpackedDualTensor(tensor, None)
    from . import grad as _grad
    from .._creation import zeros_like
    seeds = [lvl.seeds[a][0] for a in accs]
    tangents = [lvl.seeds[a][1] for a in accs]
    prev = STATE.grad_enabled
    STATE.grad_enabled = True
    try:
        u = zeros_like(tensor).requires_grad_(True)
        gs = _grad(tensor, seeds, u, retain_graph=True, create_graph=True, allow_unused=True)
        total = None
        for g, t in zip(gs, tangents):
            if g is not None:
                term = (g * t).sum()
                total = term if total is None else total + term
        keep = any(t._rg for t in tangents) and prev
        tangent = None
        if total is not None and total._rg:
            tangent = _grad(total, u, retain_graph=True, create_graph=keep, allow_unused=True)[0]
        if tangent is None:
            tangent = zeros_like(tensor)
        elif not keep:
            tangent = tangent.detach()
    finally:
        STATE.grad_enabled = prev
    primal = tensor if other else tensor.detach()
    return UnpackedDualTensor(primal, tangent)
