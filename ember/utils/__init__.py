"""``ember.utils``: ``data`` (datasets and loaders), ``checkpoint`` (activation checkpointing)."""
from . import data  # noqa: F401
from . import checkpoint  # noqa: F401
