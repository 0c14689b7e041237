"""Convolution family: linear (addmm), convolution and transposed convolution (im2col + one
GEMM), pooling, unfold/fold and interpolation kernels.

Every backward is written in ember ops (a convolution's input gradient is a transposed
convolution, its weight gradient a convolution with roles swapped), so double backward works.

>>> import ember
>>> x = ember.ones(1, 1, 3, 3, requires_grad=True)
>>> w = ember.ones(1, 1, 2, 2)
>>> ember.nn.functional.conv2d(x, w).grad_fn
<ConvolutionBackward0 object at 0x...>
"""
from __future__ import annotations

from ._util import D, M, Node, SavedTensor, Tensor, _wrap, needs_grad, np, record

__all__: list = []


# ------------------------------------------------------------------------------------ addmm
class AddmmBackward0(Node):
    """self + mat1 @ mat2: self: grad; mat1: grad @ mat2^T; mat2: mat1^T @ grad."""

    __slots__ = ("mat1", "mat2")

    def backward(self, g):
        nf = self.next_functions
        g1 = g.mm(self.mat2.unpack().t()) if nf[1][0] is not None else None
        g2 = self.mat1.unpack().t().mm(g) if nf[2][0] is not None else None
        return (g if nf[0][0] is not None else None), g1, g2


def addmm(bias: Tensor, mat1: Tensor, mat2: Tensor) -> Tensor:
    """``bias + mat1 @ mat2`` for 2-D ``mat1``/``mat2`` (bias broadcast)."""
    a, b = mat1._data, mat2._data
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(M.MATMUL_SHAPES.format(a0=a.shape[0], a1=a.shape[1], b0=b.shape[0], b1=b.shape[1]))
    dt = np.result_type(a.dtype, b.dtype, bias._data.dtype)
    out = a @ b
    out += bias._data
    r = _wrap(out.astype(dt, copy=False))
    if needs_grad(bias, mat1, mat2):
        n = record(AddmmBackward0, r, (bias, mat1, mat2))
        n.mat1 = SavedTensor(mat1) if mat2._rg else None
        n.mat2 = SavedTensor(mat2) if mat1._rg else None
    return r
