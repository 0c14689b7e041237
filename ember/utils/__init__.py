"""``ember.utils``: ``data`` (datasets and loaders) and helpers."""
from . import data  # noqa: F401
