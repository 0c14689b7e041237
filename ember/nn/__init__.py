"""``ember.nn``: modules, parameters, layers, ``functional``, ``init`` and ``utils``.

>>> import ember
>>> net = ember.nn.Sequential(ember.nn.Linear(2, 4), ember.nn.Linear(4, 1))
>>> net(ember.ones(3, 2)).shape
torch.Size([3, 1])
"""
from .parameter import Parameter, UninitializedParameter, UninitializedBuffer, Buffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import functional, init  # noqa: F401
