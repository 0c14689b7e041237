"""``torch.linalg``: decompositions, inverses, solves and norms, each differentiable.

>>> import ember
>>> A = ember.tensor([[2.0, 0.0], [0.0, 4.0]])
>>> ember.linalg.inv(A)
tensor([[0.5000, 0.0000],
        [0.0000, 0.2500]])
"""
from __future__ import annotations

from ._ops.linalg import (LinAlgError, cholesky_ex, det, eigh, eigvalsh, inv, inv_ex,  # noqa: F401
                          linalg_cholesky as cholesky, linalg_cross as cross, linalg_qr as qr, linalg_svd as svd,
                          matmul, matrix_power, matrix_rank, multi_dot, pinv, slogdet, solve, svdvals, vecdot)
from ._ops.shape import diagonal as _diagonal
from ._ops.reduction import matrix_norm, norm as _torch_norm, vector_norm  # noqa: F401

__all__ = ["inv", "inv_ex", "det", "slogdet", "solve", "cholesky", "cholesky_ex", "qr", "svd", "svdvals", "eigh",
           "eigvalsh", "pinv", "norm", "vector_norm", "matrix_norm", "matmul", "cross", "vecdot", "multi_dot",
           "matrix_power", "matrix_rank", "diagonal", "LinAlgError"]


def diagonal(A, *, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """``torch.diagonal`` with the matrix dims last by default."""
    return _diagonal(A, offset, dim1, dim2)


def norm(A, ord=None, dim=None, keepdim: bool = False, *, out=None, dtype=None):
    """A vector norm (1-d input, or an int ``dim``) or a matrix norm (2-d input, or a pair ``dim``)."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim, dtype=dtype)
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.ndim}D.")
        dim = tuple(range(A.ndim))
    if len(dim) == 2:
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
