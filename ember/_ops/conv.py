"""Convolution family: convolution and transposed convolution (im2col + one
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

from ._util import D, M, STATE, Node, SavedTensor, Tensor, _wrap, needs_grad, np, record
from ..autograd import graph as _graph

__all__: list = []


# ------------------------------------------------------------------------------------ helpers
from numpy.lib.stride_tricks import as_strided as _as_strided  # noqa: E402
import itertools as _it  # noqa: E402


def _prod(xs) -> int:
    p = 1
    for v in xs:
        p *= int(v)
    return p


def _pad_arr(x, pads, value=0):
    """Pad the trailing spatial dims of ``x`` by ``pads`` = [(lo, hi), ...]."""
    if all(lo == 0 and hi == 0 for lo, hi in pads):
        return x
    width = [(0, 0)] * (x.ndim - len(pads)) + [tuple(p) for p in pads]
    return np.pad(x, width, mode="constant", constant_values=value)


def _windows(xp, K, stride, dilation, L):
    """A strided view of ``xp`` (N, C, *S) as (N, C, *L, *K): window l, offset k."""
    st = xp.strides
    nd = len(K)
    sp = st[-nd:]
    shape = tuple(xp.shape[:-nd]) + tuple(L) + tuple(K)
    strides = tuple(st[:-nd]) + tuple(s * t for s, t in zip(sp, stride)) + tuple(s * d for s, d in zip(sp, dilation))
    return _as_strided(xp, shape, strides, writeable=False)


def _out_size(S, K, stride, pads, dilation):
    return [(S[i] + pads[i][0] + pads[i][1] - dilation[i] * (K[i] - 1) - 1) // stride[i] + 1 for i in range(len(K))]


def _spatial_slices(k, stride, dilation, L):
    return tuple(slice(k[i] * dilation[i], k[i] * dilation[i] + (L[i] - 1) * stride[i] + 1, stride[i])
                 for i in range(len(k)))


# Two column layouts for the GEMM, chosen per call by a small cost model:
#  "cf" (channel-first): columns (C*K, N*L) copied from (N, C, *S), runs of one output row;
#       output (O, N, L) to (N, O, L) is a cheap swap of long runs.
#  "bi" (batch-innermost): the input is first moved to (C, *S, N); columns (C*K, L*N) are then
#       copied in runs of a whole output row times the batch (hundreds of floats), and strided
#       outputs keep whole-batch runs; the price is transposing the output and its gradient
#       between (N, O, L) and (O, L, N).
_COLS_KEEP_BYTES = 16 << 20


def _conv_layout(N, C, O, K, stride, L, S) -> str:
    """Pick the cheaper column layout: elements copied into columns, weighted by how short
    their contiguous runs are, plus the transposes that "bi" adds (weights fitted on LeNet and
    ResNet-18 layer shapes)."""
    cols = C * _prod(K) * N * _prod(L)
    cost_cf = cols * (1.0 + 16.0 / L[-1])
    cost_bi = cols * (1.0 + 16.0 / (N * L[-1])) + 4.0 * (O * N * _prod(L) + C * N * _prod(S))
    return "bi" if cost_bi < cost_cf else "cf"


def _im2col(xa, K, stride, pads, dilation, L, groups, layout):
    """Columns of ``xa`` (N, C, *S) as (groups, C/groups * prod K, N*L) in ``layout``."""
    N, C = xa.shape[:2]
    nd = len(K)
    if layout == "cf":
        V = _windows(_pad_arr(xa, pads), K, stride, dilation, L)               # (N, C, *L, *K)
        perm = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
        V = V.transpose(perm)                                                 # (C, *K, N, *L)
    else:
        S = xa.shape[2:]
        xt = np.zeros((C,) + tuple(S[i] + pads[i][0] + pads[i][1] for i in range(nd)) + (N,), dtype=xa.dtype)
        xt[(slice(None),) + tuple(slice(pads[i][0], pads[i][0] + S[i]) for i in range(nd))] = np.moveaxis(xa, 0, -1)
        st = xt.strides
        sp = st[1:1 + nd]
        V = _as_strided(xt, (C,) + tuple(K) + tuple(L) + (N,),
                        (st[0],) + tuple(s * d for s, d in zip(sp, dilation)) + tuple(s * t for s, t in zip(sp, stride))
                        + (st[-1],), writeable=False)                         # (C, *K, *L, N)
    return V.reshape(groups, (C // groups) * _prod(K), -1)


def _gemm_out(wm, cols):
    """(G, Og, CK) @ (G, CK, X) -> (G*Og, X)."""
    if wm.shape[0] == 1:
        out = wm[0] @ cols[0]
    else:
        out = np.matmul(wm, cols)
    return out.reshape(-1, cols.shape[-1])


def _from_layout(out, N, L, layout):
    """(O, X) in ``layout`` -> contiguous (N, O, *L)."""
    O = out.shape[0]
    if layout == "cf":
        return np.ascontiguousarray(out.reshape(O, N, -1).swapaxes(0, 1)).reshape((N, O) + tuple(L))
    return np.ascontiguousarray(out.reshape(O, -1, N).transpose(2, 0, 1)).reshape((N, O) + tuple(L))


def _to_layout(g, layout):
    """(N, O, *L) -> contiguous (O, X) in ``layout``."""
    N, O = g.shape[:2]
    g3 = g.reshape(N, O, -1)
    if layout == "cf":
        return np.ascontiguousarray(g3.swapaxes(0, 1)).reshape(O, -1)
    return np.ascontiguousarray(g3.transpose(1, 2, 0)).reshape(O, -1)


def _col2im(cols, C, N, S, K, stride, pads, dilation, L, layout):
    """The adjoint of :func:`_im2col`: (C*prod K, X) columns added back into (N, C, *S)."""
    nd = len(K)
    full_sp = tuple(max(S[i] + pads[i][0] + pads[i][1], (L[i] - 1) * stride[i] + dilation[i] * (K[i] - 1) + 1)
                    for i in range(nd))
    if layout == "cf":
        cols = cols.reshape((C,) + tuple(K) + (N,) + tuple(L))
        full = np.zeros((C, N) + full_sp, dtype=cols.dtype)
        lead = (slice(None), slice(None))
        for k in _it.product(*[range(s) for s in K]):
            full[lead + _spatial_slices(k, stride, dilation, L)] += cols[(slice(None),) + k]
        crop = lead + tuple(slice(pads[i][0], pads[i][0] + S[i]) for i in range(nd))
        return np.ascontiguousarray(full[crop].swapaxes(0, 1))
    cols = cols.reshape((C,) + tuple(K) + tuple(L) + (N,))
    full = np.zeros((C,) + full_sp + (N,), dtype=cols.dtype)
    for k in _it.product(*[range(s) for s in K]):
        full[(slice(None),) + _spatial_slices(k, stride, dilation, L)] += cols[(slice(None),) + k]
    crop = (slice(None),) + tuple(slice(pads[i][0], pads[i][0] + S[i]) for i in range(nd))
    return np.ascontiguousarray(np.moveaxis(full[crop], -1, 0))


def _conv_fwd(x, w, b, stride, pads, dilation, groups, layout=None):
    """Convolution on arrays; returns (out (N, O, *L) contiguous, cols, layout)."""
    N, C = x.shape[:2]
    O, K = w.shape[0], w.shape[2:]
    L = _out_size(x.shape[2:], K, stride, pads, dilation)
    if layout is None:
        layout = _conv_layout(N, C, O, K, stride, L, x.shape[2:])
    cols = _im2col(x, K, stride, pads, dilation, L, groups, layout)
    out = _gemm_out(w.reshape(groups, O // groups, -1), cols)
    if b is not None:
        out += b.reshape(O, 1)
    return _from_layout(out, N, L, layout), cols, layout


def _conv_arr(x, w, b, stride, pads, dilation, groups):
    """Convolution on arrays: im2col in the cheaper layout, then one GEMM (per group)."""
    return _conv_fwd(x, w, b, stride, pads, dilation, groups)[0]


def _convT_arr(g, w, stride, pads, dilation, groups, S):
    """Transposed convolution on arrays (the adjoint of ``_conv_arr`` in its input): one GEMM
    to columns, then col2im by one strided add per kernel offset."""
    N, O = g.shape[:2]
    L = g.shape[2:]
    nd = len(L)
    Cg, K = w.shape[1], w.shape[2:]
    C = Cg * groups
    nl = N * _prod(L)
    gm = np.moveaxis(g, 1, 0).reshape(groups, O // groups, nl)
    wm = w.reshape(groups, O // groups, Cg * _prod(K))
    cols = (wm[0].T @ gm[0]) if groups == 1 else np.matmul(wm.transpose(0, 2, 1), gm)
    cols = cols.reshape((C,) + tuple(K) + (N,) + tuple(L))
    full_shape = [max(S[i] + pads[i][0] + pads[i][1], (L[i] - 1) * stride[i] + dilation[i] * (K[i] - 1) + 1)
                  for i in range(nd)]
    full = np.zeros((C, N) + tuple(full_shape), dtype=cols.dtype)
    for k in _it.product(*[range(s) for s in K]):
        full[(slice(None), slice(None)) + _spatial_slices(k, stride, dilation, L)] += cols[(slice(None),) + k]
    crop = (slice(None), slice(None)) + tuple(slice(pads[i][0], pads[i][0] + S[i]) for i in range(nd))
    return np.ascontiguousarray(full[crop].swapaxes(0, 1))


def _wgrad_arr(x, g, K, stride, pads, dilation, groups):
    """The weight gradient of a convolution: columns of ``x`` against ``g`` (one GEMM)."""
    N, C = x.shape[:2]
    O = g.shape[1]
    L = g.shape[2:]
    nd = len(L)
    xp = _pad_arr(x, pads)
    V = _windows(xp, K, stride, dilation, L)
    perm = (1,) + tuple(range(2 + nd, 2 + 2 * nd)) + (0,) + tuple(range(2, 2 + nd))
    nl = N * _prod(L)
    cols = V.transpose(perm).reshape(groups, (C // groups) * _prod(K), nl)
    gm = np.moveaxis(g, 1, 0).reshape(groups, O // groups, nl)
    gw = (gm[0] @ cols[0].T)[None] if groups == 1 else np.matmul(gm, cols.transpose(0, 2, 1))
    return gw.reshape((O, C // groups) + tuple(K))


# ------------------------------------------------------------------------------- convolution
class ConvolutionBackward0(Node):
    """input: conv_transpose(grad, weight) (or conv for a transposed conv); weight: columns of
    input against grad; bias: grad summed over batch and space."""

    __slots__ = ("input_", "weight_", "stride", "pads", "dilation", "groups", "transposed", "in_spatial",
                 "_wshape", "cols_", "layout")

    def _release(self) -> None:
        self.cols_ = None
        Node._release(self)

    def backward(self, g):
        if not self.transposed and not STATE.grad_enabled:
            return self._first_order(g)
        nf = self.next_functions
        x = self.input_.unpack() if nf[1][0] is not None else None
        w = self.weight_.unpack() if nf[0][0] is not None else None
        st, pads, dil, gr = self.stride, self.pads, self.dilation, self.groups
        gx = gw = gb = None
        if not self.transposed:
            if w is not None:
                gx = convolution(g, w, None, st, pads, dil, gr, True, self.in_spatial)
            if x is not None:
                gw = conv_weight_grad(x, g, self._wshape, st, pads, dil, gr)
        else:
            if w is not None:
                gx = convolution(g, w, None, st, pads, dil, gr, False)
            if x is not None:
                gw = conv_weight_grad(g, x, self._wshape, st, pads, dil, gr)
        if len(nf) > 2 and nf[2][0] is not None:
            gb = g.sum([0] + list(range(2, g.dim())))
        return gx, gw, gb


    def _first_order(self, g):
        """A first-order backward on arrays (no graph to build): the output gradient is moved
        to the forward's column layout once and feeds both GEMMs; the weight gradient reuses the
        forward's columns when they were kept."""
        nf = self.next_functions
        st, pads, dil, G = self.stride, self.pads, self.dilation, self.groups
        layout, wshape = self.layout, self._wshape
        ga = g._data
        N, O = ga.shape[:2]
        L = ga.shape[2:]
        gm = _to_layout(ga, layout)                                           # (O, X)
        gm3 = gm.reshape(G, O // G, -1)
        gx = gw = gb = None
        if nf[1][0] is not None:
            x = self.input_.unpack()
            cols = self.cols_
            if cols is None:
                cols = _im2col(x._data, wshape[2:], st, pads, dil, L, G, layout)
            self.cols_ = None
            gw = np.matmul(gm3, cols.transpose(0, 2, 1)) if G > 1 else (gm3[0] @ cols[0].T)
            gw = _wrap(gw.reshape(wshape))
        if nf[0][0] is not None:
            wa = self.weight_.unpack()._data
            wm = wa.reshape(G, O // G, -1)
            cg = np.matmul(wm.transpose(0, 2, 1), gm3) if G > 1 else (wm[0].T @ gm3[0])
            C = wshape[1] * G
            gx = _wrap(_col2im(cg.reshape(C * _prod(wshape[2:]), -1), C, N, self.in_spatial, wshape[2:], st, pads,
                               dil, L, layout))
        if len(nf) > 2 and nf[2][0] is not None:
            gb = _wrap(gm.sum(1))
        return gx, gw, gb


class ConvolutionBackwardBackward0(Node):
    """Gradient of the weight-gradient op (bilinear in its two inputs)."""

    __slots__ = ("x_", "g_", "stride", "pads", "dilation", "groups", "x_spatial")

    def backward(self, gw):
        nf = self.next_functions
        st, pads, dil, gr = self.stride, self.pads, self.dilation, self.groups
        gx = gg = None
        if nf[0][0] is not None:
            gx = convolution(self.g_.unpack(), gw, None, st, pads, dil, gr, True, self.x_spatial)
        if nf[1][0] is not None:
            gg = convolution(self.x_.unpack(), gw, None, st, pads, dil, gr, False)
        return gx, gg


def conv_weight_grad(x: Tensor, g: Tensor, wshape, stride, pads, dilation, groups) -> Tensor:
    """The weight gradient of ``convolution(x, w)`` given the output gradient ``g`` (an op)."""
    r = _wrap(_wgrad_arr(x._data, g._data, tuple(wshape[2:]), stride, pads, dilation, groups).astype(x._data.dtype, copy=False))
    if needs_grad(x, g):
        n = record(ConvolutionBackwardBackward0, r, (x, g))
        n.x_ = SavedTensor(x)
        n.g_ = SavedTensor(g)
        n.stride, n.pads, n.dilation, n.groups = stride, pads, dilation, groups
        n.x_spatial = tuple(x._data.shape[2:])
    return r


def convolution(x: Tensor, w: Tensor, b, stride, pads, dilation, groups, transposed: bool = False,
                out_spatial=None) -> Tensor:
    """N-d convolution (``transposed=False``) or its adjoint, on batched input (N, C, *S).

    ``pads`` is a list of (lo, hi) per spatial dim; ``out_spatial`` the output size of a
    transposed convolution (it carries ``output_padding``).
    """
    xa, wa = x._data, w._data
    cols = layout = None
    if not transposed:
        out, cols, layout = _conv_fwd(xa, wa, None if b is None else b._data, stride, pads, dilation, groups)
    else:
        out = _convT_arr(xa, wa, stride, pads, dilation, groups, tuple(out_spatial))
        if b is not None:
            out += b._data.reshape((-1,) + (1,) * (out.ndim - 2))
    r = _wrap(out.astype(np.result_type(xa.dtype, wa.dtype), copy=False))
    if needs_grad(x, w, b):
        n = record(ConvolutionBackward0, r, (x, w, b))
        n.input_ = SavedTensor(x) if w._rg else None
        n.weight_ = SavedTensor(w) if x._rg else None
        n.stride, n.pads, n.dilation, n.groups, n.transposed = stride, pads, dilation, groups, transposed
        n.in_spatial = tuple(xa.shape[2:])
        n._wshape = wa.shape
        n.layout = layout
        # the weight gradient needs these columns again: keep them when they are small (and no
        # saved-tensor hooks are asking for control over what backward keeps)
        n.cols_ = cols if (w._rg and cols is not None and cols.nbytes <= _COLS_KEEP_BYTES
                           and not _graph._saved_hooks_stack) else None
    return r


# ------------------------------------------------------------------- gather / scatter (flat)
class _FlatGatherNode(Node):
    """out = x.view(B, P)[b, idx[b, q]]; gradient: scatter-add back (named per use)."""

    __slots__ = ("idx", "in_shape")

    def backward(self, g):
        return (flat_scatter(g, self.idx, self.in_shape, type(self).__name__ + "Backward"),)


class _FlatScatterNode(Node):
    """out = zeros(in_shape) with out.view(B, P)[b, idx[b, q]] += g[b, q]; gradient: gather."""

    __slots__ = ("idx", "g_shape")

    def backward(self, gg):
        return (flat_gather(gg, self.idx, self.g_shape, None),)


_node_classes: dict = {}


def _named(base, name):
    """A node class named as torch names the op (made once per name)."""
    if name is None:
        name = base.__name__.lstrip("_")
    cls = _node_classes.get(name)
    if cls is None:
        cls = _node_classes[name] = type(name, (base,), {"__slots__": ()})
    return cls


def _flat_idx_arr(idx, B):
    return idx if idx.ndim == 2 else np.broadcast_to(idx, (B, idx.shape[-1]))


def flat_gather(x: Tensor, idx, out_shape, name: str = None) -> Tensor:
    """Gather over the flattened trailing positions: ``x`` viewed as (B, P), ``idx`` (B, Q) or
    (Q,) int array; the result is reshaped to ``out_shape`` (whose product is B*Q)."""
    xa = x._data
    B = _prod(out_shape) // idx.shape[-1]
    x2 = xa.reshape(B, -1)
    if idx.ndim == 1:
        out = x2[:, idx]
    else:
        out = np.take_along_axis(x2, idx, axis=1)
    r = _wrap(out.reshape(out_shape))
    if needs_grad(x):
        n = record(_named(_FlatGatherNode, name), r, (x,))
        n.idx, n.in_shape = idx, xa.shape
    return r


def _scatter_arr(ga, idx, in_shape):
    B = ga.size // idx.shape[-1]
    total = _prod(in_shape)
    P = total // B
    g2 = ga.reshape(B, -1)
    flat = (np.arange(B, dtype=np.int64)[:, None] * P + idx).ravel()
    out = np.bincount(flat, weights=g2.ravel(), minlength=total)
    return out.astype(ga.dtype, copy=False).reshape(in_shape)


def flat_scatter(g: Tensor, idx, in_shape, name: str = None) -> Tensor:
    """The adjoint of :func:`flat_gather`: add ``g`` into zeros of ``in_shape`` at ``idx``."""
    ga = g._data
    r = _wrap(_scatter_arr(ga, idx, in_shape))
    if needs_grad(g):
        n = record(_named(_FlatScatterNode, name), r, (g,))
        n.idx, n.g_shape = idx, ga.shape
    return r


# ----------------------------------------------------------------------------------- pooling
def _pool_out(S, K, s, p, d, ceil_mode):
    out = []
    for i in range(len(K)):
        num = S[i] + 2 * p[i] - d[i] * (K[i] - 1) - 1 + (s[i] - 1 if ceil_mode else 0)
        o = num // s[i] + 1
        if ceil_mode and (o - 1) * s[i] >= S[i] + p[i]:
            o -= 1
        out.append(o)
    return out


class _MaxPoolNode(Node):
    """Max pooling's gradient: the output gradient put back at each window's argmax.

    Saves the argmax as the offset index ``k`` of the winning window element (small ints);
    a first-order backward scatters with one masked copy per window offset, a differentiable
    backward (``create_graph``) goes through the flat-index scatter op."""

    __slots__ = ("k", "cfg", "in_shape")

    def backward(self, g):
        k, cfg = self.k, self.cfg
        if STATE.grad_enabled:
            flat = _pool_flat_index(k, cfg, self.in_shape)
            B = _prod(self.in_shape[:-len(cfg[0])])
            return (flat_scatter(g, flat.reshape(B, -1), self.in_shape, type(self).__name__ + "Backward"),)
        return (_wrap(_max_pool_scatter(g._data, k, cfg, self.in_shape)),)


def _pool_offsets(K):
    return list(_it.product(*[range(v) for v in K]))


def _max_pool_scatter(ga, k, cfg, in_shape):
    """First-order max-pool backward on arrays: ``ga`` added at the argmax of every window."""
    K, s, d, pads, L, padded = cfg
    nd = len(K)
    lead = tuple(in_shape[:-nd])
    full = np.zeros(lead + tuple(padded), dtype=ga.dtype)
    # masked copies (copyto/where) are several times slower than arithmetic: add g * (k == j);
    # adding also turns the -0.0 of a negative g times 0 into torch's +0.0
    for j, off in enumerate(_pool_offsets(K)):
        dst = full[(Ellipsis,) + _spatial_slices(off, s, d, L)]
        np.add(dst, ga * (k == j), out=dst)
    if any(lo or hi for lo, hi in pads):
        S = in_shape[-nd:]
        full = np.ascontiguousarray(full[(Ellipsis,) + tuple(slice(lo, lo + S[i]) for i, (lo, _) in enumerate(pads))])
    return full


def _pool_flat_index(k, cfg, in_shape):
    """torch's indices: the flat position of each window's argmax within its input plane."""
    K, s, d, pads, L, _ = cfg
    nd = len(K)
    S = in_shape[-nd:]
    kk = np.unravel_index(k, tuple(K))
    flat = np.zeros(k.shape, dtype=np.int64)
    for i in range(nd):
        shape = [1] * k.ndim
        shape[k.ndim - nd + i] = L[i]
        pos = np.arange(L[i]).reshape(shape) * s[i] + kk[i].astype(np.int64) * d[i] - pads[i][0]
        flat = flat * S[i] + pos
    return flat


def max_pool(x: Tensor, K, s, p, d, ceil_mode: bool, name: str, want_indices: bool = True):
    """Max pooling over the trailing len(K) dims of (N, C, *S); returns (values, indices) with
    torch's flat indices into each input plane (None unless ``want_indices``).

    One pass per window offset over strided slices of the (padded) input keeps the running
    maximum and the offset that produced it, as torch's kernel scans a window.
    """
    xa = x._data
    nd = len(K)
    S = xa.shape[-nd:]
    L = _pool_out(S, K, s, p, d, ceil_mode)
    pads = []
    for i in range(nd):
        need = (L[i] - 1) * s[i] + d[i] * (K[i] - 1) + 1
        pads.append((p[i], max(need - S[i] - p[i], 0)))
    fill = -np.inf if xa.dtype.kind == "f" else np.iinfo(xa.dtype).min
    xp = _pad_arr(xa, pads, fill)
    offs = _pool_offsets(K)
    kdt = np.uint8 if len(offs) <= 256 else np.int32
    m = k = None
    # NOTE: torch's scan takes a later element when it is greater or NaN: the first maximum
    # wins, except that the last NaN of a window does. NaN checks cost a pass per offset, so
    # they run only when the input has a NaN (its sum is NaN).
    nan_aware = xa.dtype.kind == "f" and xa.size and np.isnan(xa.sum())
    for j, off in enumerate(offs):
        sl = xp[(Ellipsis,) + _spatial_slices(off, s, d, L)]
        if m is None:
            m = sl.copy()
            k = np.zeros(m.shape, dtype=kdt)
            continue
        upd = np.greater(sl, m)
        if nan_aware:
            upd |= np.isnan(sl)
        # NOTE: np.maximum(new, old) returns ``old`` on ties (so -0.0 seen first stays, as in
        # torch) and propagates NaN, the values torch's scan gives
        np.maximum(sl, m, out=m)
        k += upd * (j - k)                       # k = j where updated (uint8 wraps consistently)
    r = _wrap(m)
    cfg = (tuple(K), tuple(s), tuple(d), tuple(pads), tuple(L), tuple(xp.shape[-nd:]))
    if needs_grad(x):
        n = record(_named(_MaxPoolNode, name), r, (x,))
        n.k, n.cfg, n.in_shape = k, cfg, xa.shape
    return r, (_wrap(_pool_flat_index(k, cfg, xa.shape)) if want_indices else None)


def _avg_divisor(S, K, s, p, L, count_include_pad, divisor_override):
    if divisor_override:
        return None, float(divisor_override)
    div = None
    for i in range(len(K)):
        start = np.arange(L[i]) * s[i] - p[i]
        end = np.minimum(start + K[i], S[i] + p[i])
        size = end - start
        start_c = np.maximum(start, 0)
        end_c = np.minimum(end, S[i])
        cnt = size if count_include_pad else (end_c - start_c)
        shape = [1] * len(K)
        shape[i] = L[i]
        cnt = cnt.reshape(shape)
        div = cnt if div is None else div * cnt
    return div, None


def _window_sum(xp, K, s, L):
    out = None
    for k in _it.product(*[range(v) for v in K]):
        sl = (Ellipsis,) + _spatial_slices(k, s, (1,) * len(K), L)
        out = xp[sl].copy() if out is None else out.__iadd__(xp[sl])
    return out


def _window_scatter(ga, K, s, L, full_shape):
    full = np.zeros(tuple(ga.shape[:-len(K)]) + tuple(full_shape), dtype=ga.dtype)
    for k in _it.product(*[range(v) for v in K]):
        full[(Ellipsis,) + _spatial_slices(k, s, (1,) * len(K), L)] += ga
    return full


class _AvgPoolNode(Node):
    __slots__ = ("cfg",)

    def backward(self, g):
        return (_avg_pool_adjoint(g, self.cfg, type(self).__name__ + "Backward"),)


class _AvgPoolAdjointNode(Node):
    __slots__ = ("cfg",)

    def backward(self, gg):
        return (_avg_pool_apply(gg, self.cfg, None),)


def _avg_pool_apply(x, cfg, name):
    K, s, p, S, L, div, const, full_shape = cfg
    nd = len(K)
    xa = x._data
    pads = [(p[i], full_shape[i] - S[i] - p[i]) for i in range(nd)]
    xp = _pad_arr(xa, pads)
    out = _window_sum(xp, K, s, L)
    out = out / (const if div is None else div.astype(out.dtype))
    r = _wrap(out.astype(xa.dtype, copy=False))
    if needs_grad(x):
        record(_named(_AvgPoolNode, name), r, (x,)).cfg = cfg
    return r


def _avg_pool_adjoint(g, cfg, name):
    K, s, p, S, L, div, const, full_shape = cfg
    ga = g._data
    ga = ga / (const if div is None else div.astype(ga.dtype))
    full = _window_scatter(ga.astype(g._data.dtype, copy=False), K, s, L, full_shape)
    crop = (Ellipsis,) + tuple(slice(p[i], p[i] + S[i]) for i in range(len(K)))
    r = _wrap(np.ascontiguousarray(full[crop]))
    if needs_grad(g):
        record(_named(_AvgPoolAdjointNode, name), r, (g,)).cfg = cfg
    return r


def avg_pool(x: Tensor, K, s, p, ceil_mode, count_include_pad, divisor_override, name: str) -> Tensor:
    """Average pooling over the trailing len(K) dims."""
    nd = len(K)
    S = x._data.shape[-nd:]
    L = _pool_out(S, K, s, p, (1,) * nd, ceil_mode)
    div, const = _avg_divisor(S, K, s, p, L, count_include_pad, divisor_override)
    full_shape = [max(S[i] + 2 * p[i], (L[i] - 1) * s[i] + K[i]) for i in range(nd)]
    cfg = (tuple(K), tuple(s), tuple(p), tuple(S), tuple(L), div, const, full_shape)
    return _avg_pool_apply(x, cfg, name)


# ------------------------------------------------------------------- separable linear resampling
class _ResampleNode(Node):
    __slots__ = ("mats",)

    def backward(self, g):
        return (resample(g, [m.T for m in self.mats], type(self).__name__ + "Backward"),)


def _resample_arr(xa, mats):
    nd = len(mats)
    out = xa
    for i, m in enumerate(mats):
        axis = xa.ndim - nd + i
        m = m.astype(xa.dtype, copy=False)
        if axis == xa.ndim - 1:
            out = out @ m.T
        else:
            out = np.moveaxis(np.moveaxis(out, axis, -1) @ m.T, -1, axis)
    return np.ascontiguousarray(out)


def resample(x: Tensor, mats, name: str) -> Tensor:
    """Apply one matrix per trailing dim: out = A_0 (x) A_1 ... (interpolation, adaptive
    average pooling); its gradient is the same op with the transposed matrices."""
    r = _wrap(_resample_arr(x._data, mats).astype(x._data.dtype, copy=False))
    if needs_grad(x):
        record(_named(_ResampleNode, name), r, (x,)).mats = mats
    return r


# ------------------------------------------------------------------------------ unfold / fold
class Im2ColBackward0(Node):
    __slots__ = ("cfg",)

    def backward(self, g):
        return (fold_op(g, *self.cfg, name="Col2ImBackward0_"),)


class Col2ImBackward0(Node):
    __slots__ = ("cfg",)

    def backward(self, g):
        S, K, d, p, s = self.cfg
        return (unfold_op(g, K, d, p, s),)


def unfold_op(x: Tensor, K, d, p, s) -> Tensor:
    """im2col: (N, C, *S) -> (N, C*prod(K), L)."""
    xa = x._data
    nd = len(K)
    S = xa.shape[2:]
    pads = [(p[i], p[i]) for i in range(nd)]
    L = _out_size(S, K, s, pads, d)
    V = _windows(_pad_arr(xa, pads), K, s, d, L)                       # (N, C, *L, *K)
    N, C = xa.shape[:2]
    perm = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    out = V.transpose(perm).reshape(N, C * _prod(K), _prod(L))
    r = _wrap(np.ascontiguousarray(out))
    if needs_grad(x):
        record(Im2ColBackward0, r, (x,)).cfg = (tuple(S), tuple(K), tuple(d), tuple(p), tuple(s))
    return r


def fold_op(x: Tensor, S, K, d, p, s, name: str = "Col2ImBackward0") -> Tensor:
    """col2im: (N, C*prod(K), L) -> (N, C, *S), summing overlapping values."""
    xa = x._data
    nd = len(K)
    pads = [(p[i], p[i]) for i in range(nd)]
    L = _out_size(S, K, s, pads, d)
    N = xa.shape[0]
    C = xa.shape[1] // _prod(K)
    cols = xa.reshape((N, C) + tuple(K) + tuple(L))
    full_shape = [max(S[i] + 2 * p[i], (L[i] - 1) * s[i] + d[i] * (K[i] - 1) + 1) for i in range(nd)]
    full = np.zeros((N, C) + tuple(full_shape), dtype=xa.dtype)
    for k in _it.product(*[range(v) for v in K]):
        full[(slice(None), slice(None)) + _spatial_slices(k, s, d, L)] += cols[(slice(None), slice(None)) + k]
    crop = (slice(None), slice(None)) + tuple(slice(p[i], p[i] + S[i]) for i in range(nd))
    r = _wrap(np.ascontiguousarray(full[crop]))
    if needs_grad(x):
        cls = Col2ImBackward0 if name == "Col2ImBackward0" else _named(Col2ImBackward0, name)
        record(cls, r, (x,)).cfg = (tuple(S), tuple(K), tuple(d), tuple(p), tuple(s))
    return r


# --------------------------------------------------------------------------------- embedding
class EmbeddingBackward0(Node):
    """weight: the output gradient's rows added into the rows that were looked up (except
    padding_idx)."""

    __slots__ = ("indices", "num_weights", "padding_idx")

    def backward(self, g):
        return (embedding_dense_backward(g, self.indices, self.num_weights, self.padding_idx),)


class EmbeddingDenseBackwardBackward0(Node):
    __slots__ = ("indices", "padding_idx")

    def backward(self, gg):
        out = embedding(gg, self.indices)
        if self.padding_idx is not None:
            mask = (self.indices != self.padding_idx).astype(gg._data.dtype)[..., None]
            out = out * _wrap(mask)
        return (out,)


def embedding(weight: Tensor, indices, padding_idx=None) -> Tensor:
    """Rows of ``weight`` at integer ``indices`` (array)."""
    r = _wrap(weight._data[indices])
    if needs_grad(weight):
        n = record(EmbeddingBackward0, r, (weight,))
        n.indices, n.num_weights, n.padding_idx = indices, weight._data.shape[0], padding_idx
    return r


def embedding_dense_backward(g: Tensor, indices, num_weights: int, padding_idx=None) -> Tensor:
    ga = g._data
    D_ = ga.shape[-1]
    flat = indices.reshape(-1)
    g2 = ga.reshape(-1, D_)
    if padding_idx is not None:
        keep = flat != padding_idx
        flat, g2 = flat[keep], g2[keep]
    out = np.zeros((num_weights, D_), dtype=ga.dtype)
    if flat.size:
        # rows grouped by index (a stable sort), each group summed by one reduceat: ~2x faster
        # than np.add.at's element-wise scatter
        order = np.argsort(flat, kind="stable")
        s = flat[order]
        starts = np.flatnonzero(np.r_[True, s[1:] != s[:-1]])
        out[s[starts]] = np.add.reduceat(g2[order], starts, axis=0)
    r = _wrap(out)
    if needs_grad(g):
        n = record(EmbeddingDenseBackwardBackward0, r, (g,))
        n.indices, n.padding_idx = indices, padding_idx
    return r


# ------------------------------------------------------------------------ pixel / channel shuffle
class _PermuteNode(Node):
    """A reshape-permute-reshape op; the gradient applies the inverse."""

    __slots__ = ("mid", "perm", "in_shape")

    def backward(self, g):
        inv = tuple(np.argsort(self.perm))
        mid_out = tuple(self.mid[i] for i in self.perm)
        return (reshuffle(g, mid_out, inv, self.in_shape, type(self).__name__ + "Backward"),)


def reshuffle(x: Tensor, mid, perm, out_shape, name: str) -> Tensor:
    """x.reshape(mid).permute(perm).reshape(out_shape), as one op named ``name``."""
    r = _wrap(np.ascontiguousarray(x._data.reshape(mid).transpose(perm)).reshape(out_shape))
    if needs_grad(x):
        n = record(_named(_PermuteNode, name), r, (x,))
        n.mid, n.perm, n.in_shape = tuple(mid), tuple(perm), x._data.shape
    return r


# ------------------------------------------------------------------------------ vector norm
class _NormNode(Node):
    """p-norm over dims: grad * x * |x|^(p-2) / norm^(p-1) (0 where the norm is 0)."""

    __slots__ = ("self_", "result_", "p", "dims", "keepdim")

    def backward(self, g):
        x = self.self_.unpack()
        r = self.result_.unpack(self)
        if not self.keepdim and self.dims is not None:
            for d in sorted(self.dims):
                g = g.unsqueeze(d)
                r = r.unsqueeze(d)
        elif self.dims is None and not self.keepdim:
            g = g.reshape((1,) * x.dim())
            r = r.reshape((1,) * x.dim())
        p = self.p
        from .. import where
        zero = r == 0
        if p == 2:
            scale = x / where(zero, 1.0, r)
        elif p == 1:
            scale = x.sign()
        elif p == float("inf") or p == float("-inf"):
            hit = (x.abs() == r).to(x.dtype)
            scale = x.sign() * hit / hit.sum(self.dims if self.dims is not None else list(range(x.dim())), keepdim=True)
        else:
            scale = x * x.abs().pow(p - 2) / where(zero, 1.0, r).pow(p - 1)
        return (where(zero, 0.0, g * scale),)


def vector_norm(x: Tensor, p=2.0, dims=None, keepdim: bool = False, name: str = "LinalgVectorNormBackward0") -> Tensor:
    """||x||_p over ``dims`` (all dims when None)."""
    xa = x._data
    ax = None if dims is None else tuple(dims)
    a = np.abs(xa)
    if p == float("inf"):
        out = a.max(axis=ax, keepdims=keepdim)
    elif p == float("-inf"):
        out = a.min(axis=ax, keepdims=keepdim)
    elif p == 0:
        out = (a != 0).sum(axis=ax, keepdims=keepdim).astype(xa.dtype)
    elif p == 1:
        out = a.sum(axis=ax, keepdims=keepdim)
    elif p == 2:
        out = np.sqrt((a * a).sum(axis=ax, keepdims=keepdim))
    else:
        out = (a ** p).sum(axis=ax, keepdims=keepdim) ** (1.0 / p)
    r = _wrap(np.asarray(out, dtype=xa.dtype))
    if needs_grad(x):
        n = record(_named(_NormNode, name), r, (x,))
        n.self_ = SavedTensor(x)
        n.result_ = SavedTensor(r, n)
        n.p, n.dims, n.keepdim = p, ax, keepdim
    return r


# ------------------------------------------------------------------------------ renaming
class _AliasNode(Node):
    __slots__ = ()

    def backward(self, g):
        return (g,)


def renamed(t: Tensor, name: str) -> Tensor:
    """``t`` behind an identity node named ``name`` (for composite ops that torch runs as one
    kernel, so that ``grad_fn`` shows torch's name)."""
    if t.grad_fn is None:
        return t
    r = _wrap(t._data)
    record(_named(_AliasNode, name), r, (t,))
    return r


# ------------------------------------------------------------------------------ normalization
class _NativeNormNode(Node):
    """Gradients of (x - mean) * invstd * w + b, with statistics over ``axes`` of the grouped
    view of x (or fixed running statistics in eval); written in ember ops, recomputing the
    statistics from x so that double backward is exact."""

    __slots__ = ("x_", "w_", "cfg", "stats")

    def backward(self, g):
        nf = self.next_functions
        x = self.x_.unpack()
        w = self.w_.unpack() if self.w_ is not None else None
        view_shape, axes, eps, wshape, gdims, fixed = self.cfg
        if not STATE.grad_enabled and fixed is None and self.stats is not None:
            return self._first_order(g._data, x._data, None if w is None else w._data)
        xs = x.shape
        if fixed is not None:
            mean_c, invstd_c = fixed
            mean_t, invstd_t = _wrap(mean_c), _wrap(invstd_c)
            xhat = (x - mean_t) * invstd_t
            gx = None
            if nf[0][0] is not None:
                gx = g * invstd_t if w is None else g * (w.reshape(wshape) * invstd_t)
        else:
            xv = x.reshape(view_shape)
            mu = xv.mean(axes, keepdim=True)
            xc = xv - mu
            invstd = ((xc * xc).mean(axes, keepdim=True) + eps).pow(-0.5)
            xhat_v = xc * invstd
            xhat = xhat_v.reshape(xs)
            gx = None
            if nf[0][0] is not None:
                gh = g if w is None else g * w.reshape(wshape)
                gh = gh.reshape(view_shape)
                gx = invstd * (gh - gh.mean(axes, keepdim=True) - xhat_v * (gh * xhat_v).mean(axes, keepdim=True))
                gx = gx.reshape(xs)
        gw = (g * xhat).sum(gdims).reshape(self._meta[1][0]) if len(nf) > 1 and nf[1][0] is not None else None
        gb = g.sum(gdims).reshape(self._meta[2][0]) if len(nf) > 2 and nf[2][0] is not None else None
        return gx, gw, gb


    def _first_order(self, ga, xa, wa):
        """First-order gradients on arrays, with the forward's mean and 1/std (as torch's native
        batch norm backward): for batch norm, where the statistics and the affine parameters
        share the reduced dims, the two means in the input gradient are the weight and bias
        gradients over n, so the input gradient is one fused per-channel affine combination."""
        nf = self.next_functions
        view_shape, axes, eps, wshape, gdims, _ = self.cfg
        mean, invstd = self.stats
        xs = xa.shape
        gdims_t = tuple(gdims)
        xhat = ((xa.reshape(view_shape) - mean) * invstd).reshape(xs)
        need_w = len(nf) > 1 and nf[1][0] is not None
        need_b = len(nf) > 2 and nf[2][0] is not None
        gx = gw = gb = None
        if tuple(view_shape) == tuple(xs) and tuple(axes) == gdims_t:
            n = xa.size // max(mean.size, 1)
            gsum = ga.sum(axis=gdims_t, keepdims=True)
            gxh = (ga * xhat).sum(axis=gdims_t, keepdims=True)
            if nf[0][0] is not None:
                scale = invstd if wa is None else invstd * wa.reshape(wshape)
                gx = ga * scale
                gx -= xhat * (scale * gxh / n)
                gx -= scale * gsum / n
                gx = _wrap(gx.astype(xa.dtype, copy=False))
            if need_w:
                gw = _wrap(gxh.reshape(self._meta[1][0]).astype(xa.dtype, copy=False))
            if need_b:
                gb = _wrap(gsum.reshape(self._meta[2][0]).astype(xa.dtype, copy=False))
            return gx, gw, gb
        if nf[0][0] is not None:
            gh = ga if wa is None else ga * wa.reshape(wshape)
            ghv = gh.reshape(view_shape)
            xhv = xhat.reshape(view_shape)
            gxv = ghv - ghv.mean(axis=tuple(axes), keepdims=True)
            gxv -= xhv * (ghv * xhv).mean(axis=tuple(axes), keepdims=True)
            gxv *= invstd
            gx = _wrap(gxv.reshape(xs).astype(xa.dtype, copy=False))
        if need_w:
            gw = _wrap((ga * xhat).sum(axis=gdims_t).reshape(self._meta[1][0]).astype(xa.dtype, copy=False))
        if need_b:
            gb = _wrap(ga.sum(axis=gdims_t).reshape(self._meta[2][0]).astype(xa.dtype, copy=False))
        return gx, gw, gb


def native_norm(x: Tensor, w, b, view_shape, axes, eps, wshape, gdims, name, fixed=None):
    """Normalise ``x`` over ``axes`` of ``x.reshape(view_shape)`` (or with ``fixed`` =
    (mean, invstd) arrays broadcastable to x), then scale by ``w`` and shift by ``b`` (both
    reshaped to ``wshape``). Returns (out, mean, biased var) arrays of the statistics."""
    xa = x._data
    acc = np.float64 if xa.dtype == np.float64 else np.float32
    scaled = False
    if fixed is None:
        xv = xa.reshape(view_shape)
        mean = xv.mean(axis=axes, keepdims=True, dtype=acc)
        xc = xv - mean
        var = (xc * xc).mean(axis=axes, keepdims=True, dtype=acc)
        invstd = 1.0 / np.sqrt(var + eps)
        if tuple(view_shape) == xa.shape and w is not None:
            # batch norm: scale by invstd * w per channel in one pass
            out = xc * (invstd * w._data.reshape(wshape))
            scaled = True
        else:
            out = (xc * invstd).reshape(xa.shape)
    else:
        mean = var = None
        out = (xa - fixed[0]) * fixed[1]
    if w is not None and not scaled:
        out = out * w._data.reshape(wshape)
    if b is not None:
        out += b._data.reshape(wshape)
    r = _wrap(np.ascontiguousarray(out, dtype=xa.dtype))
    if needs_grad(x, w, b):
        n = record(_named(_NativeNormNode, name), r, (x, w, b))
        n.x_ = SavedTensor(x)
        n.w_ = SavedTensor(w) if w is not None else None
        n.cfg = (tuple(view_shape), tuple(axes), eps, tuple(wshape), list(gdims), fixed)
        n.stats = None if fixed is not None else (mean, invstd)
    return r, mean, var


# ---------------------------------------------------------------------------- constant padding
class ConstantPadNdBackward0(Node):
    """grad: the gradient cropped back (padding by the negated widths)."""

    __slots__ = ("pairs",)

    def backward(self, g):
        return (constant_pad(g, [(-lo, -hi) for lo, hi in self.pairs], 0.0),)


def constant_pad(x: Tensor, pairs, value) -> Tensor:
    """Pad (or, for negative widths, crop) the last len(pairs) dims with ``value``."""
    xa = x._data
    k = len(pairs)
    lead = xa.ndim - k
    crop = [slice(None)] * lead + [slice(max(-lo, 0), xa.shape[lead + i] - max(-hi, 0)) for i, (lo, hi) in enumerate(pairs)]
    a = xa[tuple(crop)]
    width = [(0, 0)] * lead + [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    out = np.pad(a, width, mode="constant", constant_values=value) if any(w != (0, 0) for w in width) else a.copy()
    r = _wrap(out)
    if needs_grad(x):
        record(ConstantPadNdBackward0, r, (x,)).pairs = list(pairs)
    return r
