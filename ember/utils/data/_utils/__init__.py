"""Internals of ``ember.utils.data``: collation, workers and random draws."""
from . import collate, worker  # noqa: F401
