"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` and the cells ``RNNCell``, ``LSTMCell``,
``GRUCell``.

Each layer and direction of ``RNN``/``LSTM``/``GRU`` runs as **one fused op** (one graph node
for the whole sequence): the forward projects all time steps' inputs with one GEMM, then loops
over time in NumPy; the backward is a NumPy backpropagation-through-time loop that produces the
gradients of the input, the initial states and every weight (the input-weight gradient is one
GEMM at the end). When a gradient graph is being recorded (``create_graph=True``) the fused
node's backward instead replays the layer op by op (the same cell functions the ``*Cell``
modules use) and differentiates that, so higher-order gradients work.

>>> import ember
>>> lstm = ember.nn.LSTM(4, 8, num_layers=2)
>>> out, (h, c) = lstm(ember.randn(5, 3, 4))
>>> out.shape, h.shape
(torch.Size([5, 3, 8]), torch.Size([2, 3, 8]))
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import List, Optional, Tuple

from ... import _dtype as D
from ..._backend import np
from ..._creation import empty, zeros
from ..._ops._util import Node, SavedTensor, needs_grad, record
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import STATE
from .. import init
from ..functional_b import _cat, _stack
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _index_select
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


# ------------------------------------------------------------------------------------------
# cell functions in ember ops (the *Cell modules, and the replay used for double backward)
def _linear(x: Tensor, w: Tensor, b: Optional[Tensor]) -> Tensor:
    from .. import functional as F
    return F.linear(x, w, b)


def _lstm_cell(x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    gates = _linear(x, w_ih, b_ih) + _linear(h, w_hh, b_hh)
    H = w_hh.shape[0] // 4
    i = gates[..., 0:H].sigmoid()
    f = gates[..., H:2 * H].sigmoid()
    g = gates[..., 2 * H:3 * H].tanh()
    o = gates[..., 3 * H:4 * H].sigmoid()
    c_new = f * c + i * g
    h_new = o * c_new.tanh()
    if w_hr is not None:
        h_new = _linear(h_new, w_hr, None)
    return h_new, c_new


def _gru_cell(x, h, w_ih, w_hh, b_ih, b_hh):
    gi = _linear(x, w_ih, b_ih)
    gh = _linear(h, w_hh, b_hh)
    H = w_hh.shape[1]
    r = (gi[..., 0:H] + gh[..., 0:H]).sigmoid()
    z = (gi[..., H:2 * H] + gh[..., H:2 * H]).sigmoid()
    n = (gi[..., 2 * H:3 * H] + r * gh[..., 2 * H:3 * H]).tanh()
    return n + z * (h - n)


def _rnn_cell(x, h, w_ih, w_hh, b_ih, b_hh, relu: bool):
    pre = _linear(x, w_ih, b_ih) + _linear(h, w_hh, b_hh)
    return pre.relu() if relu else pre.tanh()


def _layer_replay(mode, x, h0, c0, weights, batch_sizes, reverse):
    """The fused layer written op by op (differentiable to any order)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = weights
    packed = x.dim() == 2
    bs = batch_sizes
    T = len(bs)
    offsets = np.concatenate([[0], np.cumsum(bs)[:-1]]).astype(int)
    order = range(T - 1, -1, -1) if reverse else range(T)
    h, c = h0, c0
    outs = [None] * T
    for t in order:
        b = int(bs[t])
        xt = x[int(offsets[t]):int(offsets[t]) + b] if packed else x[t]
        hp = h[:b] if b < h.shape[0] else h
        if mode == "LSTM":
            cp = c[:b] if b < c.shape[0] else c
            hn, cn = _lstm_cell(xt, hp, cp, w_ih, w_hh, b_ih, b_hh, w_hr)
            c = _cat([cn, c[b:]], 0) if b < c.shape[0] else cn
        elif mode == "GRU":
            hn = _gru_cell(xt, hp, w_ih, w_hh, b_ih, b_hh)
        else:
            hn = _rnn_cell(xt, hp, w_ih, w_hh, b_ih, b_hh, mode == "RNN_RELU")
        h = _cat([hn, h[b:]], 0) if b < h.shape[0] else hn
        outs[t] = hn
    out = _cat(outs, 0) if packed else _stack(outs, 0)
    return (out, h, c) if mode == "LSTM" else (out, h)


# ------------------------------------------------------------------------------------------
# the fused layer op
def _sigmoid_(a: np.ndarray) -> np.ndarray:
    np.negative(a, out=a)
    np.exp(a, out=a)
    a += 1
    np.reciprocal(a, out=a)
    return a


class _RnnLayerBase(Node):
    """One layer and direction of a recurrent net over a whole sequence.

    Inputs (in order): x, h0, [c0], w_ih, w_hh, b_ih, b_hh, [w_hr]. Saved: the inputs (version
    checked) and the per-step activations the BPTT loop needs.
    """

    __slots__ = ("saved", "bs", "reverse", "acts", "mode")

    def _inputs(self):
        return [s.unpack() if s is not None else None for s in self.saved]

    def apply(self, grads):
        if STATE.grad_enabled:
            return self._replay_backward(grads)
        return self._bptt(grads)

    def _replay_backward(self, grads):
        """``create_graph=True``: differentiate the op-by-op replay of the layer."""
        from ...autograd import grad as _grad
        ins = self._inputs()
        mode = self.mode
        if mode == "LSTM":
            x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = ins
        else:
            x, h0, w_ih, w_hh, b_ih, b_hh = ins
            c0 = w_hr = None
        outs = _layer_replay(mode, x, h0, c0, (w_ih, w_hh, b_ih, b_hh, w_hr), self.bs, self.reverse)
        pairs = [(o, g) for o, g in zip(outs, grads) if g is not None]
        wanted = [i for i, (f, _) in enumerate(self.next_functions) if f is not None]
        res = _grad([o for o, _ in pairs], [ins[i] for i in wanted], [g for _, g in pairs],
                    create_graph=True, allow_unused=True)
        out = [None] * len(ins)
        for i, r in zip(wanted, res):
            out[i] = r
        return tuple(out)


def _run_info(x_arr, batch_sizes):
    """(flat 2-d input, step offsets, batch sizes, processing order)."""
    X2 = x_arr.reshape(-1, x_arr.shape[-1])
    bs = np.asarray(batch_sizes, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(bs)[:-1]]).astype(np.int64)
    return X2, offsets, bs


class MkldnnRnnLayerBackward0(_RnnLayerBase):
    """The fused LSTM layer (torch's CPU kernel has the same shape and name)."""

    __slots__ = ()

    def _bptt(self, grads):
        x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = self._inputs()
        g_out, g_h, g_c = (list(grads) + [None] * 3)[:3]
        A, Cprev, TC, Hprev, HH, X2, offsets = self.acts
        dt = A.dtype
        bs = self.bs
        N = A.shape[0]
        H = w_hh._data.shape[0] // 4
        B, Hout = h0._data.shape
        Whh = w_hh._data
        Whr = w_hr._data if w_hr is not None else None
        dh = g_h._data.astype(dt, copy=True) if g_h is not None else np.zeros((B, Hout), dt)
        dc = g_c._data.astype(dt, copy=True) if g_c is not None else np.zeros((B, H), dt)
        dout = g_out._data.reshape(N, Hout) if g_out is not None else None
        dG = np.empty((N, 4 * H), dt)
        dWhr = np.zeros_like(Whr) if Whr is not None else None
        T = len(bs)
        order = range(T) if self.reverse else range(T - 1, -1, -1)
        for t in order:
            s, b = int(offsets[t]), int(bs[t])
            rows = slice(s, s + b)
            dht = dh[:b]
            if dout is not None:
                dht = dht + dout[rows]
            if Whr is not None:
                dWhr += dht.T @ HH[rows]
                dht = dht @ Whr
            a = A[rows]
            i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
            tc = TC[rows]
            dct = dc[:b] + dht * o * (1 - tc * tc)
            d = dG[rows]
            np.multiply(dct * g, i * (1 - i), out=d[:, :H])
            np.multiply(dct * Cprev[rows], f * (1 - f), out=d[:, H:2 * H])
            np.multiply(dct * i, 1 - g * g, out=d[:, 2 * H:3 * H])
            np.multiply(dht * tc, o * (1 - o), out=d[:, 3 * H:])
            dc[:b] = dct * f
            dh[:b] = d @ Whh
        nf = self.next_functions
        gx = _wrap((dG @ w_ih._data).reshape(x._data.shape)) if nf[0][0] is not None else None
        gw_ih = _wrap(dG.T @ X2) if nf[3][0] is not None else None
        gw_hh = _wrap(dG.T @ Hprev) if nf[4][0] is not None else None
        db = dG.sum(0)
        gb_ih = _wrap(db) if nf[5][0] is not None else None
        gb_hh = _wrap(db.copy()) if nf[6][0] is not None else None
        gw_hr = _wrap(dWhr) if Whr is not None and nf[7][0] is not None else None
        gh0 = _wrap(dh) if nf[1][0] is not None else None
        gc0 = _wrap(dc) if nf[2][0] is not None else None
        return gx, gh0, gc0, gw_ih, gw_hh, gb_ih, gb_hh, gw_hr


def _lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, reverse):
    xa = x._data
    dt = xa.dtype
    X2, offsets, bs = _run_info(xa, batch_sizes)
    H = w_hh._data.shape[0] // 4
    XW = X2 @ w_ih._data.T
    if b_ih is not None:
        XW += b_ih._data + b_hh._data
    WhhT = np.ascontiguousarray(w_hh._data.T)
    WhrT = np.ascontiguousarray(w_hr._data.T) if w_hr is not None else None
    N = X2.shape[0]
    h = np.array(h0._data, dtype=dt, copy=True)
    c = np.array(c0._data, dtype=dt, copy=True)
    Hout = h.shape[1]
    rec = needs_grad(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
    A = np.empty((N, 4 * H), dt)
    out = np.empty((N, Hout), dt)
    Cprev = np.empty((N, H), dt) if rec else None
    TC = np.empty((N, H), dt) if rec else None
    Hprev = np.empty((N, Hout), dt) if rec else None
    HH = np.empty((N, H), dt) if rec and w_hr is not None else None
    T = len(bs)
    order = range(T - 1, -1, -1) if reverse else range(T)
    with np.errstate(over="ignore"):
        for t in order:
            s, b = int(offsets[t]), int(bs[t])
            rows = slice(s, s + b)
            hp, cp = h[:b], c[:b]
            a = A[rows]
            np.matmul(hp, WhhT, out=a)
            a += XW[rows]
            _sigmoid_(a[:, :2 * H])
            np.tanh(a[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
            _sigmoid_(a[:, 3 * H:])
            if rec:
                Cprev[rows] = cp
                Hprev[rows] = hp
            cn = a[:, H:2 * H] * cp
            cn += a[:, :H] * a[:, 2 * H:3 * H]
            tc = np.tanh(cn)
            hh = a[:, 3 * H:] * tc
            if rec:
                TC[rows] = tc
            if WhrT is not None:
                if rec:
                    HH[rows] = hh
                hh = hh @ WhrT
            c[:b] = cn
            h[:b] = hh
            out[rows] = hh
    o = _wrap(out.reshape(xa.shape[:-1] + (Hout,)))
    hn, cn_t = _wrap(h), _wrap(c)
    if rec:
        n = record(MkldnnRnnLayerBackward0, (o, hn, cn_t), (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr))
        n.saved = [SavedTensor(v) if v is not None else None for v in (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)]
        n.bs, n.reverse, n.mode = bs, reverse, "LSTM"
        n.acts = (A, Cprev, TC, Hprev, HH, X2, offsets)
    return o, hn, cn_t


MkldnnRnnLayerBackward0._n_outputs = 3


class GruFusedLayerBackward0(_RnnLayerBase):
    """The fused GRU layer."""

    __slots__ = ()
    _n_outputs = 2

    def _bptt(self, grads):
        x, h0, w_ih, w_hh, b_ih, b_hh = self._inputs()
        g_out, g_h = (list(grads) + [None] * 2)[:2]
        R, Z, Nn, HWn, Hprev, X2, offsets = self.acts
        dt = R.dtype
        bs = self.bs
        N = R.shape[0]
        H = w_hh._data.shape[1]
        B = h0._data.shape[0]
        Whh = w_hh._data
        dh = g_h._data.astype(dt, copy=True) if g_h is not None else np.zeros((B, H), dt)
        dout = g_out._data.reshape(N, H) if g_out is not None else None
        dGx = np.empty((N, 3 * H), dt)
        dGh = np.empty((N, 3 * H), dt)
        T = len(bs)
        order = range(T) if self.reverse else range(T - 1, -1, -1)
        for t in order:
            s, b = int(offsets[t]), int(bs[t])
            rows = slice(s, s + b)
            dht = dh[:b]
            if dout is not None:
                dht = dht + dout[rows]
            r, z, n = R[rows], Z[rows], Nn[rows]
            dn = dht * (1 - z) * (1 - n * n)
            dz = dht * (Hprev[rows] - n) * z * (1 - z)
            dr = dn * HWn[rows] * r * (1 - r)
            gx, gh = dGx[rows], dGh[rows]
            gx[:, :H] = dr
            gx[:, H:2 * H] = dz
            gx[:, 2 * H:] = dn
            gh[:, :2 * H] = gx[:, :2 * H]
            np.multiply(dn, r, out=gh[:, 2 * H:])
            dh[:b] = dht * z + gh @ Whh
        nf = self.next_functions
        gx = _wrap((dGx @ w_ih._data).reshape(x._data.shape)) if nf[0][0] is not None else None
        gw_ih = _wrap(dGx.T @ X2) if nf[2][0] is not None else None
        gw_hh = _wrap(dGh.T @ Hprev) if nf[3][0] is not None else None
        gb_ih = _wrap(dGx.sum(0)) if nf[4][0] is not None else None
        gb_hh = _wrap(dGh.sum(0)) if nf[5][0] is not None else None
        gh0 = _wrap(dh) if nf[1][0] is not None else None
        return gx, gh0, gw_ih, gw_hh, gb_ih, gb_hh


def _gru_layer(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse):
    xa = x._data
    dt = xa.dtype
    X2, offsets, bs = _run_info(xa, batch_sizes)
    H = w_hh._data.shape[1]
    XW = X2 @ w_ih._data.T
    if b_ih is not None:
        XW += b_ih._data
    WhhT = np.ascontiguousarray(w_hh._data.T)
    bhh = b_hh._data if b_hh is not None else None
    N = X2.shape[0]
    h = np.array(h0._data, dtype=dt, copy=True)
    rec = needs_grad(x, h0, w_ih, w_hh, b_ih, b_hh)
    out = np.empty((N, H), dt)
    R = np.empty((N, H), dt)
    Z = np.empty((N, H), dt)
    Nn = np.empty((N, H), dt)
    HWn = np.empty((N, H), dt) if rec else None
    Hprev = np.empty((N, H), dt) if rec else None
    T = len(bs)
    order = range(T - 1, -1, -1) if reverse else range(T)
    with np.errstate(over="ignore"):
        for t in order:
            s, b = int(offsets[t]), int(bs[t])
            rows = slice(s, s + b)
            hp = h[:b]
            hw = hp @ WhhT
            if bhh is not None:
                hw += bhh
            xw = XW[rows]
            r = _sigmoid_(np.add(xw[:, :H], hw[:, :H], out=R[rows]))
            z = _sigmoid_(np.add(xw[:, H:2 * H], hw[:, H:2 * H], out=Z[rows]))
            n = Nn[rows]
            np.multiply(r, hw[:, 2 * H:], out=n)
            n += xw[:, 2 * H:]
            np.tanh(n, out=n)
            if rec:
                HWn[rows] = hw[:, 2 * H:]
                Hprev[rows] = hp
            hn = n + z * (hp - n)
            h[:b] = hn
            out[rows] = hn
    o = _wrap(out.reshape(xa.shape[:-1] + (H,)))
    hn_t = _wrap(h)
    if rec:
        nd = record(GruFusedLayerBackward0, (o, hn_t), (x, h0, w_ih, w_hh, b_ih, b_hh))
        nd.saved = [SavedTensor(v) if v is not None else None for v in (x, h0, w_ih, w_hh, b_ih, b_hh)]
        nd.bs, nd.reverse, nd.mode = bs, reverse, "GRU"
        nd.acts = (R, Z, Nn, HWn, Hprev, X2, offsets)
    return o, hn_t


class RnnFusedLayerBackward0(_RnnLayerBase):
    """The fused Elman (tanh / relu) layer."""

    __slots__ = ()
    _n_outputs = 2

    def _bptt(self, grads):
        x, h0, w_ih, w_hh, b_ih, b_hh = self._inputs()
        g_out, g_h = (list(grads) + [None] * 2)[:2]
        Hs, Hprev, X2, offsets = self.acts
        dt = Hs.dtype
        bs = self.bs
        N, H = Hs.shape
        B = h0._data.shape[0]
        Whh = w_hh._data
        dh = g_h._data.astype(dt, copy=True) if g_h is not None else np.zeros((B, H), dt)
        dout = g_out._data.reshape(N, H) if g_out is not None else None
        dG = np.empty((N, H), dt)
        relu = self.mode == "RNN_RELU"
        T = len(bs)
        order = range(T) if self.reverse else range(T - 1, -1, -1)
        for t in order:
            s, b = int(offsets[t]), int(bs[t])
            rows = slice(s, s + b)
            dht = dh[:b]
            if dout is not None:
                dht = dht + dout[rows]
            hs = Hs[rows]
            d = dG[rows]
            if relu:
                np.multiply(dht, hs > 0, out=d)
            else:
                np.multiply(dht, 1 - hs * hs, out=d)
            dh[:b] = d @ Whh
        nf = self.next_functions
        gx = _wrap((dG @ w_ih._data).reshape(x._data.shape)) if nf[0][0] is not None else None
        gw_ih = _wrap(dG.T @ X2) if nf[2][0] is not None else None
        gw_hh = _wrap(dG.T @ Hprev) if nf[3][0] is not None else None
        db = dG.sum(0)
        gb_ih = _wrap(db) if nf[4][0] is not None else None
        gb_hh = _wrap(db.copy()) if nf[5][0] is not None else None
        gh0 = _wrap(dh) if nf[1][0] is not None else None
        return gx, gh0, gw_ih, gw_hh, gb_ih, gb_hh


def _rnn_layer(x, h0, w_ih, w_hh, b_ih, b_hh, batch_sizes, reverse, relu):
    xa = x._data
    dt = xa.dtype
    X2, offsets, bs = _run_info(xa, batch_sizes)
    H = w_hh._data.shape[1]
    XW = X2 @ w_ih._data.T
    if b_ih is not None:
        XW += b_ih._data + b_hh._data
    WhhT = np.ascontiguousarray(w_hh._data.T)
    N = X2.shape[0]
    h = np.array(h0._data, dtype=dt, copy=True)
    rec = needs_grad(x, h0, w_ih, w_hh, b_ih, b_hh)
    out = np.empty((N, H), dt)
    Hprev = np.empty((N, H), dt) if rec else None
    T = len(bs)
    order = range(T - 1, -1, -1) if reverse else range(T)
    for t in order:
        s, b = int(offsets[t]), int(bs[t])
        rows = slice(s, s + b)
        hp = h[:b]
        if rec:
            Hprev[rows] = hp
        o = out[rows]
        np.matmul(hp, WhhT, out=o)
        o += XW[rows]
        if relu:
            np.maximum(o, 0, out=o)
        else:
            np.tanh(o, out=o)
        h[:b] = o
    o_t = _wrap(out.reshape(xa.shape[:-1] + (H,)))
    hn_t = _wrap(h)
    if rec:
        nd = record(RnnFusedLayerBackward0, (o_t, hn_t), (x, h0, w_ih, w_hh, b_ih, b_hh))
        nd.saved = [SavedTensor(v) if v is not None else None for v in (x, h0, w_ih, w_hh, b_ih, b_hh)]
        nd.bs, nd.reverse, nd.mode = bs, reverse, "RNN_RELU" if relu else "RNN_TANH"
        nd.acts = (out, Hprev, X2, offsets)
    return o_t, hn_t


# ------------------------------------------------------------------------------------------
# modules
class RNNBase(Module):
    """Shared parameters, checks and the layer loop of ``RNN``, ``LSTM`` and ``GRU``."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, device=None, dtype=None) -> None:
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                          f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gate_size = {"LSTM": 4 * hidden_size, "GRU": 3 * hidden_size, "RNN_TANH": hidden_size,
                     "RNN_RELU": hidden_size}.get(mode)
        if gate_size is None:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                real_hidden = proj_size if proj_size > 0 else hidden_size
                layer_input = input_size if layer == 0 else real_hidden * num_directions
                w_ih = Parameter(empty((gate_size, layer_input), dtype=dtype))
                w_hh = Parameter(empty((gate_size, real_hidden), dtype=dtype))
                b_ih = Parameter(empty(gate_size, dtype=dtype))
                b_hh = Parameter(empty(gate_size, dtype=dtype))
                if proj_size == 0:
                    params = (w_ih, w_hh, b_ih, b_hh) if bias else (w_ih, w_hh)
                else:
                    w_hr = Parameter(empty((proj_size, hidden_size), dtype=dtype))
                    params = (w_ih, w_hh, b_ih, b_hh, w_hr) if bias else (w_ih, w_hh, w_hr)
                suffix = "_reverse" if direction == 1 else ""
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    names += ["weight_hr_l{}{}"]
                names = [n.format(layer, suffix) for n in names]
                for name, p in zip(names, params):
                    setattr(self, name, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self) -> List[Optional[Tensor]]:
        return [getattr(self, n, None) for n in self._flat_weights_names]

    def flatten_parameters(self) -> None:
        """A no-op (weights are always used as they are)."""

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), in
        registration order (as torch draws them)."""
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    @property
    def all_weights(self) -> List[List[Parameter]]:
        return [[getattr(self, w) for w in ws] for ws in self._all_weights]

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- checks (torch's messages) ----
    def check_input(self, input: Tensor, batch_sizes) -> None:
        w = self._flat_weights[0]
        if input.dtype != w.dtype:
            raise ValueError(f"input must have the type {w.dtype}, got type {input.dtype}")
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input: Tensor, batch_sizes) -> Tuple[int, int, int]:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        nd = 2 if self.bidirectional else 1
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * nd, mini_batch, h)

    def check_hidden_size(self, hx: Tensor, expected, msg: str = "Expected hidden size {}, got {}") -> None:
        if tuple(hx.size()) != tuple(expected):
            raise RuntimeError(msg.format(tuple(expected), list(hx.size())))

    def check_forward_args(self, input: Tensor, hidden: Tensor, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _index_select(hx, 1, permutation._data)

    # ---- the layer loop ----
    def _run(self, x: Tensor, hx: Tensor, cx: Optional[Tensor], batch_sizes: np.ndarray):
        """x: (T, B, I) time-major, or (N, I) packed rows; hx/cx: (L*D, B, *)."""
        from .. import functional as F
        nd = 2 if self.bidirectional else 1
        hs, cs = [], []
        layer_input = x
        mode = self.mode
        for layer in range(self.num_layers):
            outs = []
            for d in range(nd):
                k = layer * nd + d
                names = self._all_weights[k]
                ws = [getattr(self, n) for n in names]
                w_ih, w_hh = ws[0], ws[1]
                b_ih, b_hh = (ws[2], ws[3]) if self.bias else (None, None)
                w_hr = ws[-1] if self.proj_size > 0 else None
                if mode == "LSTM":
                    o, h, c = _lstm_layer(layer_input, hx[k], cx[k], w_ih, w_hh, b_ih, b_hh, w_hr, batch_sizes, d == 1)
                    cs.append(c)
                elif mode == "GRU":
                    o, h = _gru_layer(layer_input, hx[k], w_ih, w_hh, b_ih, b_hh, batch_sizes, d == 1)
                else:
                    o, h = _rnn_layer(layer_input, hx[k], w_ih, w_hh, b_ih, b_hh, batch_sizes, d == 1,
                                      mode == "RNN_RELU")
                outs.append(o)
                hs.append(h)
            out = outs[0] if nd == 1 else _cat(outs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                out = F.dropout(out, self.dropout, True)
            layer_input = out
        h_n = _stack(hs, 0)
        c_n = _stack(cs, 0) if mode == "LSTM" else None
        return layer_input, h_n, c_n

    def _prepare(self, input, name: str):
        """Unpack input: (x time-major, batch_sizes, sorted_indices, unsorted_indices, is_batched,
        max_batch, the input as torch's size checks see it)."""
        if isinstance(input, PackedSequence):
            x, bs, si, ui = input
            bsa = bs._data.astype(np.int64)
            return x, bsa, si, ui, True, int(bsa[0]), x
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D instead")
        is_batched = input.dim() == 3
        batch_dim = 0 if self.batch_first else 1
        if not is_batched:
            input = input.unsqueeze(batch_dim)
        # torch checks the sizes of the input as given (batch-first or not)
        checked = input
        if self.batch_first:
            input = input.transpose(0, 1)
        return input, None, None, None, is_batched, input.size(1), checked

    def _zeros(self, B: int, size: int, like: Tensor) -> Tensor:
        nd = 2 if self.bidirectional else 1
        return zeros((self.num_layers * nd, B, size), dtype=like.dtype)

    def _finish(self, orig, out, batch_sizes_t, si, ui, is_batched):
        if isinstance(orig, PackedSequence):
            return PackedSequence(out, orig.batch_sizes, si, ui)
        if self.batch_first:
            out = out.transpose(0, 1)
        if not is_batched:
            out = out.squeeze(0 if self.batch_first else 1)
        return out

    def _forward_simple(self, input, hx: Optional[Tensor], name: str):
        """forward of RNN and GRU (one hidden state)."""
        orig = input
        x, bs, si, ui, is_batched, B, checked = self._prepare(input, name)
        if isinstance(orig, PackedSequence):
            hx = self._zeros(B, self.hidden_size, x) if hx is None else self.permute_hidden(hx, si)
        else:
            if hx is not None:
                if not is_batched and hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                if is_batched and hx.dim() != 3:
                    raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
                if not is_batched:
                    hx = hx.unsqueeze(1)
            else:
                hx = self._zeros(B, self.hidden_size, x)
        self.check_forward_args(checked, hx, bs)
        steps = bs if bs is not None else np.full(x.shape[0], x.shape[1], dtype=np.int64)
        out, h_n, _ = self._run(x, hx, None, steps)
        out = self._finish(orig, out, bs, si, ui, is_batched)
        if isinstance(orig, PackedSequence):
            return out, self.permute_hidden(h_n, ui)
        if not is_batched:
            h_n = h_n.squeeze(1)
        return out, h_n


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or relu).

    >>> rnn = ember.nn.RNN(3, 5)
    >>> rnn(ember.randn(4, 2, 3))[0].shape
    torch.Size([4, 2, 5])
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx: Optional[Tensor] = None):
        return self._forward_simple(input, hx, "RNN")


class LSTM(RNNBase):
    """Long short-term memory, with optional projections (``proj_size``).

    >>> lstm = ember.nn.LSTM(3, 5, batch_first=True)
    >>> out, (h, c) = lstm(ember.randn(2, 4, 3))
    >>> out.shape
    torch.Size([2, 4, 5])
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input: Tensor, batch_sizes) -> Tuple[int, int, int]:
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        nd = 2 if self.bidirectional else 1
        return (self.num_layers * nd, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes) -> None:
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return _index_select(hx[0], 1, permutation._data), _index_select(hx[1], 1, permutation._data)

    def forward(self, input, hx=None):
        orig = input
        x, bs, si, ui, is_batched, B, checked = self._prepare(input, "LSTM")
        real_hidden = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            hx = (self._zeros(B, real_hidden, x), self._zeros(B, self.hidden_size, x))
        elif isinstance(orig, PackedSequence):
            hx = self.permute_hidden(hx, si)
        elif is_batched:
            if hx[0].dim() != 3 or hx[1].dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx and cx should also be 3-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
        else:
            if hx[0].dim() != 2 or hx[1].dim() != 2:
                raise RuntimeError(f"For unbatched 2-D input, hx and cx should also be 2-D but got ({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(checked, hx, bs)
        steps = bs if bs is not None else np.full(x.shape[0], x.shape[1], dtype=np.int64)
        out, h_n, c_n = self._run(x, hx[0], hx[1], steps)
        out = self._finish(orig, out, bs, si, ui, is_batched)
        if isinstance(orig, PackedSequence):
            return out, self.permute_hidden((h_n, c_n), ui)
        if not is_batched:
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return out, (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit.

    >>> gru = ember.nn.GRU(3, 5)
    >>> gru(ember.randn(4, 2, 3))[1].shape
    torch.Size([1, 2, 5])
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx: Optional[Tensor] = None):
        return self._forward_simple(input, hx, "GRU")


# ------------------------------------------------------------------------------------------
# cells
class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None, dtype=None) -> None:
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl = getattr(self, "nonlinearity", "tanh")
        if nl != "tanh":
            s += f", nonlinearity={nl}"
        return s

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batch(self, input: Tensor, hx, name: str):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            hs = hx if isinstance(hx, tuple) else (hx,)
            for h in hs:
                if h.dim() not in (1, 2):
                    raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        return input, is_batched

    def _check(self, input: Tensor, hx: Tensor, idx: str = "") -> None:
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        if input.size(0) != hx.size(0):
            raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{idx} batch size {hx.size(0)}")
        if hx.size(1) != self.hidden_size:
            raise RuntimeError(f"hidden{idx} has inconsistent hidden_size: got {hx.size(1)}, expected {self.hidden_size}")


class RNNCell(RNNCellBase):
    """One Elman step: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or relu).

    >>> ember.nn.RNNCell(3, 4)(ember.randn(2, 3)).shape
    torch.Size([2, 4])
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        x, batched = self._batch(input, hx, "RNNCell")
        if hx is None:
            hx = zeros((x.size(0), self.hidden_size), dtype=x.dtype)
        elif not batched:
            hx = hx.unsqueeze(0)
        self._check(x, hx)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        h = _rnn_cell(x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, self.nonlinearity == "relu")
        return h if batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step; returns (h', c').

    >>> h, c = ember.nn.LSTMCell(3, 4)(ember.randn(2, 3))
    >>> h.shape
    torch.Size([2, 4])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=4, dtype=dtype)

    def forward(self, input: Tensor, hx=None):
        x, batched = self._batch(input, hx, "LSTMCell")
        if hx is None:
            z = zeros((x.size(0), self.hidden_size), dtype=x.dtype)
            hx = (z, z)
        elif not batched:
            hx = (hx[0].unsqueeze(0), hx[1].unsqueeze(0))
        self._check(x, hx[0], "[0]")
        self._check(x, hx[1], "[1]")
        h, c = _lstm_cell(x, hx[0], hx[1], self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        if not batched:
            h, c = h.squeeze(0), c.squeeze(0)
        return h, c


class GRUCell(RNNCellBase):
    """One GRU step.

    >>> ember.nn.GRUCell(3, 4)(ember.randn(2, 3)).shape
    torch.Size([2, 4])
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None) -> None:
        super().__init__(input_size, hidden_size, bias, num_chunks=3, dtype=dtype)

    def forward(self, input: Tensor, hx: Optional[Tensor] = None) -> Tensor:
        x, batched = self._batch(input, hx, "GRUCell")
        if hx is None:
            hx = zeros((x.size(0), self.hidden_size), dtype=x.dtype)
        elif not batched:
            hx = hx.unsqueeze(0)
        self._check(x, hx)
        h = _gru_cell(x, hx, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return h if batched else h.squeeze(0)
