"""The layers of ``ember.nn``; each family module exports its classes through ``__all__``."""
from .module import Module  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict  # noqa: F401
from .linear import Identity, Linear, Bilinear, LazyLinear  # noqa: F401
# --- further layer families (one import line each, append-only) ---
from .rnn import *  # noqa: F401,F403
