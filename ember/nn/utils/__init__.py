"""Utilities for ``ember.nn``."""
from . import rnn  # noqa: F401
