"""``nn.functional``: the stateless forms of the layers.

>>> import ember
>>> import ember.nn.functional as F
>>> F.linear(ember.ones(1, 2), ember.ones(3, 2)).shape
torch.Size([1, 3])
"""
from __future__ import annotations

import math
import os as _os
from typing import List, Optional, Sequence, Tuple, Union

from .. import _dtype as D
from .._backend import np
from .._tensor import Tensor, _wrap
from .._ops import conv as _C


def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``input @ weight.T + bias``.

    >>> F.linear(ember.ones(2), ember.ones(1, 2), ember.ones(1))
    tensor([3.])
    """
    if bias is None:
        return input.matmul(weight.t())
    if input.dim() == 2:
        return _C.addmm(bias, input, weight.t())
    shape = input.shape
    x2 = input.reshape(-1, shape[-1]) if input.dim() != 1 else input.view(1, shape[0])
    out = _C.addmm(bias, x2, weight.t())
    return out.view(*shape[:-1], weight.shape[0])


# part B's functional names (activations, losses, ...) join this namespace once they exist
if _os.path.exists(_os.path.join(_os.path.dirname(__file__), "functional_b.py")):
    from .functional_b import *  # noqa: F401,F403,E402
