"""The op library, one module per family: each op's forward and derivative live together."""
from . import elementwise, reduction, shape, indexing, linalg, comparison  # noqa: F401
