"""Padding layers: zero, constant, reflection, replication, circular.

>>> import ember
>>> ember.nn.ZeroPad2d(1)(ember.ones(1, 1, 2, 2)).shape
torch.Size([1, 1, 4, 4])
"""
from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["ZeroPad1d", "ZeroPad2d", "ZeroPad3d", "ConstantPad1d", "ConstantPad2d", "ConstantPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _ntuple(v, n):
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]
    _n = 2

    def __init__(self, padding, value: float) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._n)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    _n = 1


class ConstantPad2d(_ConstantPadNd):
    _n = 2


class ConstantPad3d(_ConstantPadNd):
    _n = 3


class _ZeroPad:
    def __init__(self, padding) -> None:
        _ConstantPadNd.__init__(self, padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPad, ConstantPad1d):
    pass


class ZeroPad2d(_ZeroPad, ConstantPad2d):
    """Pad the last two dims with zeros: ``padding`` = (left, right, top, bottom) or an int."""


class ZeroPad3d(_ZeroPad, ConstantPad3d):
    pass


class _ModePadNd(Module):
    __constants__ = ["padding"]
    _n = 2
    _mode = "reflect"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._n)

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


def _mk(name, n, mode):
    return type(name, (_ModePadNd,), {"_n": n, "_mode": mode, "__module__": __name__,
                                      "__doc__": f"{mode} padding of the last {n} dim(s)."})


ReflectionPad1d = _mk("ReflectionPad1d", 1, "reflect")
ReflectionPad2d = _mk("ReflectionPad2d", 2, "reflect")
ReflectionPad3d = _mk("ReflectionPad3d", 3, "reflect")
ReplicationPad1d = _mk("ReplicationPad1d", 1, "replicate")
ReplicationPad2d = _mk("ReplicationPad2d", 2, "replicate")
ReplicationPad3d = _mk("ReplicationPad3d", 3, "replicate")
CircularPad1d = _mk("CircularPad1d", 1, "circular")
CircularPad2d = _mk("CircularPad2d", 2, "circular")
CircularPad3d = _mk("CircularPad3d", 3, "circular")
