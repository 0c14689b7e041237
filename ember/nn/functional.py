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
from .._ops import linalg as _L
from ..autograd.grad_mode import STATE, no_grad

_INF = float("inf")

# part B's functional names (activations, losses, ...) join this namespace; imported first so
# that the names defined below (this file's own) take precedence where both define one.
if _os.path.exists(_os.path.join(_os.path.dirname(__file__), "functional_b.py")):
    try:
        from .functional_b import *  # noqa: F401,F403,E402
    except (ImportError, AttributeError):  # part B's file is mid-edit
        pass


def _ntuple(v, n: int, name: str = "") -> tuple:
    if isinstance(v, (list, tuple)):
        if len(v) == 1 and n > 1:
            return tuple(v) * n
        return tuple(int(i) for i in v)
    return (int(v),) * n


def _arr(t):
    return t._data if isinstance(t, Tensor) else np.asarray(t)


def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``input @ weight.T + bias``.

    >>> F.linear(ember.ones(2), ember.ones(1, 2), ember.ones(1))
    tensor([3.])
    """
    if bias is None:
        return input.matmul(weight.t())
    if input.dim() == 2:
        return _L.addmm(bias, input, weight.t())
    shape = input.shape
    x2 = input.reshape(-1, shape[-1]) if input.dim() != 1 else input.view(1, shape[0])
    out = _L.addmm(bias, x2, weight.t())
    return out.view(*shape[:-1], weight.shape[0])


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``y[..., o] = x1 A_o x2 + b_o``."""
    O, I, J = weight.shape
    lead = input1.shape[:-1]
    x1 = input1.reshape(-1, I)
    x2 = input2.reshape(-1, J)
    t = x1.matmul(weight.permute(1, 0, 2).reshape(I, O * J)).view(-1, O, J)
    out = (t * x2.unsqueeze(1)).sum(-1).reshape(*lead, O)
    if bias is not None:
        out = out + bias
    return out


# ------------------------------------------------------------------------------ convolution
def _conv_pads(padding, K, stride, dilation, nd):
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * nd
        if padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            pads = []
            for i in range(nd):
                total = dilation[i] * (K[i] - 1)
                pads.append((total // 2, total - total // 2))
            return pads
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    p = _ntuple(padding, nd)
    return [(v, v) for v in p]


def _check_conv(input, weight, groups, nd, transposed=False):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to conv{nd}d, but got input of size: "
                           f"[{', '.join(str(s) for s in input.shape)}]")
    C = input.shape[-nd - 1]
    ws = "[" + ", ".join(str(s) for s in weight.shape) + "]"
    ins = "[" + ", ".join(str(s) for s in (input.shape if input.dim() == nd + 2 else (1,) + tuple(input.shape))) + "]"
    if not transposed:
        if C != weight.shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {ws}, expected input{ins} to have "
                               f"{weight.shape[1] * groups} channels, but got {C} channels instead")
    elif C != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected input{ins} to have "
                           f"{weight.shape[0]} channels, but got {C} channels instead")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"Input type ({input.type()}) and weight type ({weight.type()}) should be the same")


def _convnd(input, weight, bias, stride, padding, dilation, groups, nd):
    _check_conv(input, weight, groups, nd)
    stride, dilation = _ntuple(stride, nd), _ntuple(dilation, nd)
    pads = _conv_pads(padding, weight.shape[2:], stride, dilation, nd)
    unbatched = input.dim() == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    out = _C.convolution(x, weight, bias, stride, pads, dilation, groups)
    return out.squeeze(0) if unbatched else out


def conv1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """1-D convolution over (N, C, L).

    >>> F.conv1d(ember.ones(1, 1, 4), ember.ones(1, 1, 2))
    tensor([[[2., 2., 2.]]])
    """
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """2-D convolution over (N, C, H, W) (im2col and one matrix product)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride=1, padding=0, dilation=1,
           groups: int = 1) -> Tensor:
    """3-D convolution over (N, C, D, H, W)."""
    return _convnd(input, weight, bias, stride, padding, dilation, groups, 3)


def _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, nd, output_size=None):
    _check_conv(input, weight, groups, nd, transposed=True)
    stride, dilation = _ntuple(stride, nd), _ntuple(dilation, nd)
    pad, opad = _ntuple(padding, nd), _ntuple(output_padding, nd)
    unbatched = input.dim() == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    K = weight.shape[2:]
    L = x.shape[2:]
    S = [(L[i] - 1) * stride[i] - 2 * pad[i] + dilation[i] * (K[i] - 1) + opad[i] + 1 for i in range(nd)]
    if output_size is not None:
        S = list(output_size)[-nd:]
    out = _C.convolution(x, weight, bias, stride, [(p, p) for p in pad], dilation, groups, True, S)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """1-D transposed convolution (the gradient of conv1d with respect to its input)."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """2-D transposed convolution."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


def conv_transpose3d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride=1, padding=0,
                     output_padding=0, groups: int = 1, dilation=1) -> Tensor:
    """3-D transposed convolution."""
    return _conv_transposend(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


# ---------------------------------------------------------------------------------- pooling
def _pool_args(kernel_size, stride, padding, dilation, nd):
    K = _ntuple(kernel_size, nd)
    s = K if (stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0)) else _ntuple(stride, nd)
    p = _ntuple(padding, nd)
    d = _ntuple(dilation, nd)
    for i in range(nd):
        if p[i] > ((K[i] - 1) * d[i] + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p[i]}, "
                               f"kernel_size={K[i]} and dilation={d[i]}")
    return K, s, p, d


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, nd, return_indices):
    K, s, p, d = _pool_args(kernel_size, stride, padding, dilation, nd)
    return _C.max_pool(input, K, s, p, d, ceil_mode, f"MaxPool{nd}DWithIndicesBackward0", return_indices)


def max_pool2d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """2-D max pooling (windows as strided views); optionally the flat argmax indices.

    >>> F.max_pool2d(ember.arange(16.).view(1, 1, 4, 4), 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    """
    out, idx = _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 2, return_indices)
    return (out, idx) if return_indices else out


def max_pool3d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    out, idx = _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, 3, return_indices)
    return (out, idx) if return_indices else out


def max_pool1d(input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """1-D max pooling (as torch: 2-D pooling of a height-1 input, then squeeze)."""
    K, s, p, d = _pool_args(kernel_size, stride, padding, dilation, 1)
    out, idx = _C.max_pool(input.unsqueeze(-2), (1,) + K, (1,) + s, (0,) + p, (1,) + d, ceil_mode,
                           "MaxPool2DWithIndicesBackward0", return_indices)
    out = out.squeeze(-2)
    return (out, idx.squeeze(-2)) if return_indices else out


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd):
    K, s, p, _ = _pool_args(kernel_size, stride, padding, 1, nd)
    return _C.avg_pool(input, K, s, p, ceil_mode, count_include_pad, divisor_override, f"AvgPool{nd}DBackward0")


def avg_pool2d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    """2-D average pooling."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2)


def avg_pool3d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override=None) -> Tensor:
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3)


def avg_pool1d(input: Tensor, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """1-D average pooling (2-D pooling of a height-1 input, then squeeze)."""
    K, s, p, _ = _pool_args(kernel_size, stride, padding, 1, 1)
    out = _C.avg_pool(input.unsqueeze(-2), (1,) + K, (1,) + s, (0,) + p, ceil_mode, count_include_pad, None,
                      "AvgPool2DBackward0")
    return out.squeeze(-2)


def _adaptive_bounds(In: int, Out: int):
    o = np.arange(Out)
    return (o * In) // Out, ((o + 1) * In + Out - 1) // Out


def _adaptive_avg_matrix(In: int, Out: int):
    start, end = _adaptive_bounds(In, Out)
    m = np.zeros((Out, In))
    for o in range(Out):
        m[o, start[o]:end[o]] = 1.0 / (end[o] - start[o])
    return m


def _out_sizes(output_size, in_sizes):
    nd = len(in_sizes)
    os_ = list(output_size) if isinstance(output_size, (list, tuple)) else [output_size] * nd
    return [in_sizes[i] if os_[i] is None else int(os_[i]) for i in range(nd)]


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Average pooling to a fixed output size (bins as torch's: floor/ceil bounds)."""
    H, W = input.shape[-2:]
    oh, ow = _out_sizes(output_size, (H, W))
    if oh == 1 and ow == 1:
        # NOTE: torch computes a 1x1 adaptive average as a mean (grad_fn MeanBackward1)
        return input.mean((-1, -2), keepdim=True)
    return _C.resample(input, [_adaptive_avg_matrix(H, oh), _adaptive_avg_matrix(W, ow)], "AdaptiveAvgPool2DBackward0")


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    S = input.shape[-3:]
    o = _out_sizes(output_size, S)
    if o == [1, 1, 1]:
        return input.mean((-1, -2, -3), keepdim=True)
    return _C.resample(input, [_adaptive_avg_matrix(S[i], o[i]) for i in range(3)], "AdaptiveAvgPool3DBackward0")


def adaptive_avg_pool1d(input: Tensor, output_size) -> Tensor:
    o = output_size[0] if isinstance(output_size, (list, tuple)) else output_size
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, o)).squeeze(-2)


def _adaptive_max(input, out_sizes, name):
    nd = len(out_sizes)
    xa = input._data
    S = xa.shape[-nd:]
    lead = xa.shape[:-nd]
    idxs = []
    for i in range(nd):
        start, end = _adaptive_bounds(S[i], out_sizes[i])
        kmax = int((end - start).max())
        ii = start[:, None] + np.arange(kmax)[None, :]
        idxs.append(np.minimum(ii, (end - 1)[:, None]))
    # flat index of every (output position, window element) pair: (*O, *Kmax)
    flat = np.zeros([1] * (2 * nd), dtype=np.int64)
    for i in range(nd):
        shape = [1] * (2 * nd)
        shape[i], shape[nd + i] = idxs[i].shape
        flat = flat * S[i] + idxs[i].reshape(shape)
    O = tuple(out_sizes)
    flat = np.broadcast_to(flat, O + tuple(ix.shape[1] for ix in idxs)).reshape(_C._prod(O), -1)
    x2 = xa.reshape(-1, _C._prod(S))
    vals = x2[:, flat]                                      # (B, prod O, kmax...)
    k = vals.argmax(axis=-1)
    sel = flat[np.arange(flat.shape[0])[None, :], k]       # (B, prod O): flat input index
    idx = sel.reshape(lead + O)
    out = _C.flat_gather(input, sel, lead + O, name)
    return out, _wrap(np.ascontiguousarray(idx))


def adaptive_max_pool2d(input: Tensor, output_size, return_indices: bool = False):
    """Max over adaptive bins; optionally the flat argmax indices."""
    out, idx = _adaptive_max(input, _out_sizes(output_size, input.shape[-2:]), "AdaptiveMaxPool2DBackward0")
    return (out, idx) if return_indices else out


def adaptive_max_pool1d(input: Tensor, output_size, return_indices: bool = False):
    o = output_size[0] if isinstance(output_size, (list, tuple)) else output_size
    out, idx = _adaptive_max(input.unsqueeze(-2), [1, o], "AdaptiveMaxPool2DBackward0")
    out, idx = out.squeeze(-2), idx.squeeze(-2)
    return (out, idx) if return_indices else out


def _unpool(input, indices, kernel_size, stride, padding, output_size, nd):
    K = _ntuple(kernel_size, nd)
    s = K if stride is None else _ntuple(stride, nd)
    p = _ntuple(padding, nd)
    L = input.shape[-nd:]
    if output_size is None:
        S = [(L[i] - 1) * s[i] - 2 * p[i] + K[i] for i in range(nd)]
    else:
        S = list(output_size)[-nd:]
    lead = tuple(input.shape[:-nd])
    idx = indices._data.reshape(_C._prod(lead), -1)
    return _C.flat_scatter(input, idx, lead + tuple(S), f"MaxUnpool{nd}DBackward0")


def max_unpool2d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Put each value back at its max_pool2d index; zeros elsewhere."""
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool1d(input: Tensor, indices: Tensor, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 1)


# ---------------------------------------------------------------------------- normalization
def _bcast_shape(x, C):
    return (1, C) + (1,) * (x.dim() - 2)


def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor] = None, bias: Optional[Tensor] = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation over (N, C, ...): batch statistics in training (updating the running
    ones in place), running statistics otherwise."""
    C = input.shape[1]
    if training:
        size = input.numel() // C
        if size == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    ws = _bcast_shape(input, C)
    axes = (0,) + tuple(range(2, input.dim()))
    if training or running_mean is None:
        out, mean, var = _C.native_norm(input, weight, bias, input.shape, axes, eps, ws, list(axes),
                                        "NativeBatchNormBackward0")
        if training and running_mean is not None:
            n = input.numel() // C
            with no_grad():
                m = momentum
                rm, rv = running_mean._data, running_var._data
                unbiased = var.reshape(C) * (n / max(n - 1, 1))
                rm[...] = (1 - m) * rm + m * mean.reshape(C)
                rv[...] = (1 - m) * rv + m * unbiased
                running_mean._vc.v += 1
                running_var._vc.v += 1
        return out
    rm = running_mean._data.reshape(ws)
    invstd = (1.0 / np.sqrt(running_var._data + eps)).astype(running_var._data.dtype).reshape(ws)
    out, _, _ = _C.native_norm(input, weight, bias, input.shape, axes, eps, ws, list(axes),
                               "NativeBatchNormBackward0", fixed=(rm, invstd))
    return out


def instance_norm(input: Tensor, running_mean: Optional[Tensor] = None, running_var: Optional[Tensor] = None,
                  weight: Optional[Tensor] = None, bias: Optional[Tensor] = None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Per-sample, per-channel normalisation (batch norm of the (1, N*C, ...) reshaped input)."""
    N, C = input.shape[:2]
    rest = tuple(input.shape[2:])
    x = input.reshape(1, N * C, *rest)
    w = weight.unsqueeze(0).expand(N, C).reshape(N * C) if weight is not None else None
    b = bias.unsqueeze(0).expand(N, C).reshape(N * C) if bias is not None else None
    rm = None if running_mean is None else _wrap(np.tile(running_mean._data, N))
    rv = None if running_var is None else _wrap(np.tile(running_var._data, N))
    out = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps)
    if running_mean is not None and use_input_stats:
        with no_grad():
            running_mean._data[...] = rm._data.reshape(N, C).mean(0)
            running_var._data[...] = rv._data.reshape(N, C).mean(0)
            running_mean._vc.v += 1
            running_var._vc.v += 1
    return out.view(input.shape)


def layer_norm(input: Tensor, normalized_shape, weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims."""
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    k = len(ns)
    if tuple(input.shape[-k:]) != ns:
        raise RuntimeError(f"Given normalized_shape={list(ns)}, expected input with shape [*, "
                           f"{', '.join(str(s) for s in ns)}], but got input of size[{', '.join(str(s) for s in input.shape)}]")
    axes = tuple(range(input.dim() - k, input.dim()))
    out, _, _ = _C.native_norm(input, weight, bias, input.shape, axes, eps, ns, list(range(input.dim() - k)),
                               "NativeLayerNormBackward0")
    return out


def group_norm(input: Tensor, num_groups: int, weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               eps: float = 1e-5) -> Tensor:
    """Normalise over groups of channels (and space), per sample."""
    N, C = input.shape[:2]
    if C % num_groups != 0:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input "
                           f"of shape [{', '.join(str(v) for v in input.shape)}] and num_groups={num_groups}")
    view = (N, num_groups, -1)
    out, _, _ = _C.native_norm(input, weight, bias, view, (2,), eps, _bcast_shape(input, C),
                               [0] + list(range(2, input.dim())), "NativeGroupNormBackward0")
    return out


def rms_norm(input: Tensor, normalized_shape, weight: Optional[Tensor] = None, eps: Optional[float] = None) -> Tensor:
    """x / sqrt(mean(x^2) + eps) over the trailing dims, times ``weight``."""
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    dims = tuple(range(input.dim() - len(ns), input.dim()))
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    out = input * (input.pow(2).mean(dims, keepdim=True) + eps).pow(-0.5)
    if weight is not None:
        out = out * weight
    return out


def local_response_norm(input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Normalise each value by the activity of ``size`` neighbouring channels."""
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim``."""
    denom = _C.vector_norm(input, p, (dim % input.dim(),), True).clamp_min(eps).expand_as(input)
    return input / denom


# ---------------------------------------------------------------------------------- dropout
def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_impl(input, p, training, inplace, feature=False, alpha=False):
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    from .._generator import default_generator
    dt = input._data.dtype
    if p == 1:
        noise = np.zeros((), dtype=dt)
        b = None
    else:
        shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2) if feature else tuple(input.shape)
        # NOTE: as torch: an empty tensor filled by bernoulli_(1 - p), then scaled.
        noise = default_generator.bernoulli(1 - p, shape, dt)
        b = None
        if alpha:
            a_ = 1.7580993408473766
            a = 1.0 / math.sqrt((a_ * a_ * p + 1) * (1 - p))
            b = ((noise - 1) * np.asarray(a_ * a, dtype=dt) + np.asarray(a_ * a * p, dtype=dt)).astype(dt)
            noise = (noise * np.asarray(a, dtype=dt)).astype(dt)
        else:
            noise = (noise / np.asarray(1 - p, dtype=dt)).astype(dt)
    nt = _wrap(noise)
    if inplace:
        out = input.mul_(nt)
        return out.add_(_wrap(b)) if b is not None else out
    out = input * nt
    return out + _wrap(b) if b is not None else out


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by 1/(1-p) (training only)."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    """Dropout that keeps SELU's self-normalising mean and variance."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, alpha=True)


def feature_alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False) -> Tensor:
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, feature=True, alpha=True)


def _feature_dropout(input, p, training, inplace, nd, name):
    _check_p(p)
    batched = input.dim() == nd + 2
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}: Expected {nd + 1}D or {nd + 2}D input, but received a {input.dim()}D input. "
                           f"Note that {name} exists to provide channel-wise dropout on inputs with {nd} "
                           f"spatial dimension{'s' if nd > 1 else ''}, a channel dimension, and an optional batch dimension "
                           f"(i.e. {nd + 1}D or {nd + 2}D inputs).")
    x = input if batched else input.unsqueeze(0)
    out = _dropout_impl(x, p, training, inplace, feature=True)
    return out if batched else out.squeeze(0)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, L) input."""
    return _feature_dropout(input, p, training, inplace, 1, "dropout1d")


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero whole channels of (N, C, H, W) input."""
    _check_p(p)
    if input.dim() not in (3, 4):
        import warnings
        warnings.warn(f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is deprecated and will "
                      "result in an error in a future release. To retain the behavior and silence this warning, "
                      "please use dropout instead. Note that dropout2d exists to provide channel-wise dropout on "
                      "inputs with 2 spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).")
    if input.dim() == 3:
        import warnings
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
                      "dim. This behavior will change in a future release to interpret the input as one without "
                      "a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.")
    return _dropout_impl(input, p, training, inplace, feature=True)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    return _feature_dropout(input, p, training, inplace, 3, "dropout3d")


# -------------------------------------------------------------------------------- embedding
def _renorm_rows(weight, idx, max_norm, norm_type):
    rows = np.unique(idx.reshape(-1))
    w = weight._data
    sub = w[rows].astype(np.float64)
    norms = (np.abs(sub) ** norm_type).sum(-1) ** (1.0 / norm_type) if norm_type != 2 else np.sqrt((sub * sub).sum(-1))
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    w[rows] = (sub * scale[:, None]).astype(w.dtype)
    weight._vc.v += 1


def embedding(input: Tensor, weight: Tensor, padding_idx: Optional[int] = None, max_norm: Optional[float] = None,
              norm_type: float = 2.0, scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` looked up by the integer ``input``.

    >>> F.embedding(ember.tensor([1]), ember.eye(3))
    tensor([[0., 1., 0.]])
    """
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = None
    idx = input._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)")
    if idx.size and (idx.min() < 0 or idx.max() >= weight.shape[0]):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        with no_grad():
            _renorm_rows(weight, idx, max_norm, norm_type)
    return _C.embedding(weight, idx, padding_idx)


class EmbeddingBagBackward0(_C.Node):
    __slots__ = ("mat", "indices", "num_weights", "padding_idx", "psw")

    def backward(self, g):
        nf = self.next_functions
        gw = None
        per_row = _wrap(self.mat.T.astype(g._data.dtype)).mm(g)
        if nf[0][0] is not None:
            gw = _C.embedding_dense_backward(per_row, self.indices, self.num_weights, self.padding_idx)
        gp = None
        if len(nf) > 1 and nf[1][0] is not None:
            raise RuntimeError("the derivative for 'per_sample_weights' is not implemented in ember")
        return gw, gp


def embedding_bag(input: Tensor, weight: Tensor, offsets: Optional[Tensor] = None, max_norm: Optional[float] = None,
                  norm_type: float = 2, scale_grad_by_freq: bool = False, mode: str = "mean", sparse: bool = False,
                  per_sample_weights: Optional[Tensor] = None, include_last_offset: bool = False,
                  padding_idx: Optional[int] = None) -> Tensor:
    """Sums, means or maxima of bags of embedding rows (bags: rows of 2-D input, or offsets)."""
    idx = input._data
    if idx.ndim == 2:
        B, n = idx.shape
        bag = np.repeat(np.arange(B), n)
        idx = idx.reshape(-1)
    else:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        off = offsets._data.astype(np.int64)
        if include_last_offset:
            B = len(off) - 1
            off = off[:-1]
        else:
            B = len(off)
        bag = np.searchsorted(off, np.arange(len(idx)), side="right") - 1
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    if max_norm is not None:
        with no_grad():
            _renorm_rows(weight, idx, max_norm, norm_type)
    valid = np.ones(len(idx), dtype=bool) if padding_idx is None else idx != padding_idx
    dt = weight._data.dtype
    if mode == "max":
        Dm = weight.shape[1]
        rows = weight._data[idx]
        out = np.full((B, Dm), -np.inf, dtype=dt)
        np.maximum.at(out, bag[valid], rows[valid])
        out[np.isinf(out)] = 0
        return Tensor(out) if not weight.requires_grad else _C.renamed(_wrap(out), "EmbeddingBagBackward0")
    mat = np.zeros((B, len(idx)), dtype=np.float64)
    wts = np.ones(len(idx)) if per_sample_weights is None else per_sample_weights._data.astype(np.float64)
    mat[bag[valid], np.arange(len(idx))[valid]] = wts[valid]
    if mode == "mean":
        cnt = mat.astype(bool).sum(1, keepdims=True) if per_sample_weights is None else np.maximum((mat != 0).sum(1, keepdims=True), 1)
        cnt = np.bincount(bag[valid], minlength=B).reshape(B, 1)
        mat = mat / np.maximum(cnt, 1)
    out = (mat.astype(dt) @ weight._data[idx]).astype(dt)
    r = _wrap(out)
    if _C.needs_grad(weight):
        n = _C.record(EmbeddingBagBackward0, r, (weight,))
        n.mat, n.indices, n.num_weights, n.padding_idx = mat, idx, weight.shape[0], padding_idx
    return r


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Integer class indices to one-hot rows (int64)."""
    from .. import _ops
    idx = tensor._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        num_classes = int(idx.max()) + 1 if idx.size else 0
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(idx.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, idx[..., None].astype(np.int64), 1, axis=-1)
    return _wrap(out)


# ---------------------------------------------------------------------------------- padding
def _pad_index(S: int, lo: int, hi: int, mode: str):
    j = np.arange(-lo, S + hi)
    if mode == "reflect":
        period = 2 * (S - 1) if S > 1 else 1
        j = np.abs(j) % period if S > 1 else np.zeros_like(j)
        j = np.where(j >= S, period - j, j)
    elif mode == "replicate":
        j = np.clip(j, 0, S - 1)
    else:  # circular
        j = j % S
    return j


def pad(input: Tensor, pad: Sequence[int], mode: str = "constant", value: Optional[float] = None) -> Tensor:
    """Pad the last len(pad)//2 dims: ``pad = (left, right, top, bottom, ...)`` (last dim first).

    >>> F.pad(ember.ones(1, 2), (1, 1))
    tensor([[0., 1., 1., 0.]])
    """
    pad = [int(v) for v in pad]
    if len(pad) % 2 != 0:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    k = len(pad) // 2
    pairs = [(pad[2 * (k - 1 - i)], pad[2 * (k - 1 - i) + 1]) for i in range(k)]   # first padded dim first
    if mode == "constant":
        return _C.constant_pad(input, pairs, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument.')
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    S = input.shape[-k:]
    if mode == "reflect":
        for i in range(k):
            if pairs[i][0] >= S[i] or pairs[i][1] >= S[i]:
                raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                                   f"but got: padding ({pairs[i][0]}, {pairs[i][1]}) at dimension {input.dim() - k + i} "
                                   f"of input {list(input.shape)}")
    flat = np.zeros([1] * k, dtype=np.int64)
    out_S = []
    for i in range(k):
        j = _pad_index(S[i], pairs[i][0], pairs[i][1], mode)
        shape = [1] * k
        shape[i] = len(j)
        flat = flat * S[i] + j.reshape(shape)
        out_S.append(len(j))
    flat = np.broadcast_to(flat, out_S).reshape(-1)
    name = {"reflect": f"ReflectionPad{k}DBackward0", "replicate": f"ReplicationPad{k}DBackward0",
            "circular": "torch::autograd::CopySlices"}[mode]
    return _C.flat_gather(input, flat, tuple(input.shape[:-k]) + tuple(out_S), name)


# ---------------------------------------------------------------------------- interpolation
def _nearest_matrix(In, Out, scale, exact):
    s = np.float32(In / Out) if scale is None else np.float32(1.0 / scale)
    o = np.arange(Out, dtype=np.float32)
    if In == Out and not exact:
        src = np.arange(Out)
    elif Out == 2 * In and not exact and scale is None:
        src = np.arange(Out) >> 1
    else:
        src = np.floor(((o + np.float32(0.5)) if exact else o) * s).astype(np.int64)
        src = np.minimum(src, In - 1)
    m = np.zeros((Out, In))
    m[np.arange(Out), src] = 1.0
    return m


def _linear_scale(In, Out, align_corners, scale):
    if align_corners:
        return np.float32((In - 1) / (Out - 1)) if Out > 1 else np.float32(0)
    return np.float32(1.0 / scale) if (scale is not None and scale > 0) else np.float32(In / Out)


def _linear_matrix(In, Out, align_corners, scale):
    sc = _linear_scale(In, Out, align_corners, scale)
    o = np.arange(Out, dtype=np.float32)
    if align_corners:
        real = sc * o
    else:
        real = np.maximum(sc * (o + np.float32(0.5)) - np.float32(0.5), np.float32(0))
    i0 = np.minimum(real.astype(np.int64), In - 1)
    i1 = np.minimum(i0 + 1, In - 1)
    l1 = (real - i0.astype(np.float32)).astype(np.float32)
    l0 = np.float32(1) - l1
    m = np.zeros((Out, In))
    np.add.at(m, (np.arange(Out), i0), l0)
    np.add.at(m, (np.arange(Out), i1), l1)
    return m


def _cubic_matrix(In, Out, align_corners, scale):
    A = -0.75
    sc = _linear_scale(In, Out, align_corners, scale)
    o = np.arange(Out, dtype=np.float32)
    real = sc * o if align_corners else sc * (o + np.float32(0.5)) - np.float32(0.5)
    fl = np.floor(real)
    t = (real - fl).astype(np.float64)
    base = fl.astype(np.int64)

    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A
    coeffs = [c2(t + 1.0), c1(t), c1(1.0 - t), c2(2.0 - t)]
    m = np.zeros((Out, In))
    for j, c in enumerate(coeffs):
        np.add.at(m, (np.arange(Out), np.clip(base - 1 + j, 0, In - 1)), c)
    return m


def interpolate(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False) -> Tensor:
    """Resize the spatial dims (nearest, nearest-exact, linear, bilinear, bicubic, trilinear, area)."""
    nd = input.dim() - 2
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    S = input.shape[2:]
    if size is not None:
        out = list(size) if isinstance(size, (list, tuple)) else [size] * nd
        if len(out) != nd:
            raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {list(S)} and output size of {out}. Please provide input tensor "
                             "in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
        scales = [None] * nd
    elif scale_factor is not None:
        sf = list(scale_factor) if isinstance(scale_factor, (list, tuple)) else [scale_factor] * nd
        out = [int(math.floor(float(S[i]) * sf[i])) for i in range(nd)]
        scales = [None] * nd if recompute_scale_factor else [float(v) for v in sf]
    else:
        raise ValueError("either size or scale_factor should be defined")
    if mode == "area":
        if nd == 1:
            return adaptive_avg_pool1d(input, out)
        return adaptive_avg_pool2d(input, out) if nd == 2 else adaptive_avg_pool3d(input, out)
    if mode in ("nearest", "nearest-exact"):
        mats = [_nearest_matrix(S[i], out[i], scales[i], mode == "nearest-exact") for i in range(nd)]
        name = f"UpsampleNearest{'Exact' if mode == 'nearest-exact' else ''}{nd}DBackward0"
    elif mode in ("linear", "bilinear", "trilinear"):
        want = {"linear": 1, "bilinear": 2, "trilinear": 3}[mode]
        if want != nd:
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {want + 2}D input")
        mats = [_linear_matrix(S[i], out[i], align_corners, scales[i]) for i in range(nd)]
        name = {1: "UpsampleLinear1DBackward0", 2: "UpsampleBilinear2DBackward0", 3: "UpsampleTrilinear3DBackward0"}[nd]
    elif mode == "bicubic":
        if nd != 2:
            raise NotImplementedError(f"Got {input.dim()}D input, but bicubic mode needs 4D input")
        mats = [_cubic_matrix(S[i], out[i], align_corners, scales[i]) for i in range(nd)]
        name = "UpsampleBicubic2DBackward0"
    else:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    return _C.resample(input, mats, name)


def upsample(input: Tensor, size=None, scale_factor=None, mode: str = "nearest", align_corners=None) -> Tensor:
    import warnings
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input: Tensor, size=None, scale_factor=None) -> Tensor:
    import warnings
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input: Tensor, size=None, scale_factor=None) -> Tensor:
    import warnings
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def affine_grid(theta: Tensor, size, align_corners=None) -> Tensor:
    """Sampling grid (N, H, W, 2) of the affine maps ``theta`` (N, 2, 3)."""
    if align_corners is None:
        align_corners = False
    N, C, H, W = size

    def lin(n):
        if n <= 1:
            return np.zeros(max(n, 1))
        v = np.linspace(-1.0, 1.0, n)
        return v if align_corners else v * (n - 1) / n
    xs, ys = lin(W), lin(H)
    base = np.stack([np.broadcast_to(xs[None, :], (H, W)), np.broadcast_to(ys[:, None], (H, W)), np.ones((H, W))], -1)
    base = _wrap(base.reshape(1, H * W, 3).astype(theta._data.dtype))
    grid = base.expand(N, H * W, 3).matmul(theta.transpose(1, 2))
    return _C.renamed(grid.reshape(N, H, W, 2), "AffineGridGeneratorBackward0")


def grid_sample(input: Tensor, grid: Tensor, mode: str = "bilinear", padding_mode: str = "zeros",
                align_corners=None) -> Tensor:
    """Sample (N, C, H, W) input at grid points (N, Ho, Wo, 2) in [-1, 1] (bilinear or nearest;
    zeros or border padding)."""
    if align_corners is None:
        align_corners = False
    if mode not in ("bilinear", "nearest") or padding_mode not in ("zeros", "border"):
        raise NotImplementedError(f"grid_sample: mode {mode!r} with padding_mode {padding_mode!r} is not available in ember")
    N, C, H, W = input.shape
    Ho, Wo = grid.shape[1:3]
    gx, gy = grid[..., 0], grid[..., 1]
    if align_corners:
        ix, iy = (gx + 1) * ((W - 1) / 2), (gy + 1) * ((H - 1) / 2)
    else:
        ix, iy = ((gx + 1) * W - 1) / 2, ((gy + 1) * H - 1) / 2
    if padding_mode == "border":
        ix, iy = ix.clamp(0, W - 1), iy.clamp(0, H - 1)
    x2 = input.reshape(N * C, H * W)

    def corner(xi, yi):
        """Values at integer corners (zeros outside), shape (N, C, Ho, Wo)."""
        inside = (xi >= 0) & (xi < W) & (yi >= 0) & (yi < H)
        flat = np.where(inside, np.clip(yi, 0, H - 1) * W + np.clip(xi, 0, W - 1), 0)
        idx = np.repeat(flat.reshape(N, 1, Ho * Wo), C, axis=1).reshape(N * C, Ho * Wo)
        v = _C.flat_gather(x2, idx, (N, C, Ho, Wo), "GridSamplerGather")
        return v * _wrap(np.repeat(inside.reshape(N, 1, Ho, Wo), C, 1).astype(input._data.dtype))
    ixa, iya = ix._data, iy._data
    if mode == "nearest":
        xr, yr = np.rint(ixa).astype(np.int64), np.rint(iya).astype(np.int64)
        out = corner(xr, yr)
    else:
        x0, y0 = np.floor(ixa).astype(np.int64), np.floor(iya).astype(np.int64)
        x1, y1 = x0 + 1, y0 + 1
        fx = ix - _wrap(x0.astype(ixa.dtype))
        fy = iy - _wrap(y0.astype(iya.dtype))
        wx0, wy0 = (1 - fx).unsqueeze(1), (1 - fy).unsqueeze(1)
        wx1, wy1 = fx.unsqueeze(1), fy.unsqueeze(1)
        out = (corner(x0, y0) * (wx0 * wy0) + corner(x1, y0) * (wx1 * wy0)
               + corner(x0, y1) * (wx0 * wy1) + corner(x1, y1) * (wx1 * wy1))
    return _C.renamed(out, "GridSampler2DBackward0")


# ------------------------------------------------------------------------- unfold / fold etc.
def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sliding local blocks (im2col): (N, C, H, W) -> (N, C*kh*kw, L)."""
    if input.dim() != 4:
        raise NotImplementedError(f"Input Error: Only 4D input Tensors are supported (got {input.dim()}D)")
    return _C.unfold_op(input, _ntuple(kernel_size, 2), _ntuple(dilation, 2), _ntuple(padding, 2), _ntuple(stride, 2))


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding local blocks back into an image (col2im): (N, C*kh*kw, L) -> (N, C, H, W)."""
    unbatched = input.dim() == 2
    x = input.unsqueeze(0) if unbatched else input
    out = _C.fold_op(x, _ntuple(output_size, 2), _ntuple(kernel_size, 2), _ntuple(dilation, 2),
                     _ntuple(padding, 2), _ntuple(stride, 2))
    return out.squeeze(0) if unbatched else out


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(N, C*r^2, H, W) -> (N, C, H*r, W*r)."""
    r = upscale_factor
    *lead, C, H, W = input.shape
    if C % (r * r) != 0:
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={C} is not divisible by {r * r}")
    oc = C // (r * r)
    nl = len(lead)
    mid = tuple(lead) + (oc, r, r, H, W)
    perm = tuple(range(nl)) + (nl, nl + 3, nl + 1, nl + 4, nl + 2)
    return _C.reshuffle(input, mid, perm, tuple(lead) + (oc, H * r, W * r), "PixelShuffleBackward0")


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """(N, C, H*r, W*r) -> (N, C*r^2, H, W)."""
    r = downscale_factor
    *lead, C, H, W = input.shape
    if H % r != 0 or W % r != 0:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)={H} "
                           f"is not divisible by {r}" if H % r else
                           f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)={W} "
                           f"is not divisible by {r}")
    nl = len(lead)
    mid = tuple(lead) + (C, H // r, r, W // r, r)
    perm = tuple(range(nl)) + (nl, nl + 2, nl + 4, nl + 1, nl + 3)
    return _C.reshuffle(input, mid, perm, tuple(lead) + (C * r * r, H // r, W // r), "PixelUnshuffleBackward0")


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Interleave the channels of ``groups`` groups."""
    N, C = input.shape[:2]
    rest = tuple(input.shape[2:])
    if C % groups != 0:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {C} channels and {groups} groups.")
    mid = (N, groups, C // groups) + rest
    perm = (0, 2, 1) + tuple(range(3, 3 + len(rest)))
    return _C.reshuffle(input, mid, perm, tuple(input.shape), "ChannelShuffleBackward0")


native_channel_shuffle = channel_shuffle


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine of the angle between x1 and x2 along ``dim``."""
    n = max(x1.dim(), x2.dim())
    shape = tuple(np.broadcast_shapes(tuple(x1.shape), tuple(x2.shape)))
    a = x1.expand(*shape) if tuple(x1.shape) != shape else x1
    b = x2.expand(*shape) if tuple(x2.shape) != shape else x2
    d = dim % n
    na = _C.vector_norm(a, 2, (d,), True)
    nb = _C.vector_norm(b, 2, (d,), True)
    with no_grad():
        np.maximum(na._data, eps, out=na._data)
        np.maximum(nb._data, eps, out=nb._data)
    return ((a / na) * (b / nb)).sum(d)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dim."""
    n = max(x1.dim(), x2.dim())
    d = x1 - x2 + eps
    return _C.vector_norm(d, p, (n - 1,), keepdim, "NormBackward1")
