"""Packed sequences: ``PackedSequence``, ``pack_padded_sequence``, ``pad_packed_sequence``,
``pad_sequence``, ``pack_sequence``, ``unpad_sequence``, ``unpack_sequence``.

A packed sequence stores the steps of a batch of sequences (sorted by decreasing length)
time-major: ``data[offset(t) : offset(t) + batch_sizes[t]]`` are the rows alive at step ``t``.

>>> import ember
>>> from ember.nn.utils.rnn import pack_sequence
>>> p = pack_sequence([ember.tensor([1.0, 2.0]), ember.tensor([3.0])])
>>> p.batch_sizes
tensor([2, 1])
"""
from __future__ import annotations

from collections import namedtuple
from typing import List, Optional, Sequence, Tuple, Union

from ... import _dtype as D
from ..._backend import np
from ..._ops._util import Node, needs_grad, record
from ..._tensor import Tensor, _wrap

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]

_PackedSequenceBase = namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceBase):
    """Holds the data and ``batch_sizes`` of a packed batch of sequences (see module doc)."""

    def __new__(cls, data: Tensor, batch_sizes: Optional[Tensor] = None, sorted_indices: Optional[Tensor] = None,
                unsorted_indices: Optional[Tensor] = None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        # (data, batch_sizes) given as a tuple in ``data``
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def _apply_data(self, fn) -> "PackedSequence":
        return type(self)(fn(self.data), self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs) -> "PackedSequence":
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args, **kwargs) -> "PackedSequence":
        return self

    def cuda(self, *args, **kwargs):
        return self.data.cuda()

    def pin_memory(self) -> "PackedSequence":
        return self

    def double(self) -> "PackedSequence":
        return self.to(dtype=D.float64)

    def float(self) -> "PackedSequence":
        return self.to(dtype=D.float32)

    def half(self) -> "PackedSequence":
        return self.to(dtype=D.float16)

    def long(self) -> "PackedSequence":
        return self.to(dtype=D.int64)

    def int(self) -> "PackedSequence":
        return self.to(dtype=D.int32)

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Optional[Tensor]) -> Optional[Tensor]:
    """The inverse of a permutation given as an index tensor (None stays None)."""
    if permutation is None:
        return None
    p = permutation._data
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return _wrap(out)


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        return lengths._data.astype(np.int64).reshape(-1)
    return np.asarray([int(x) for x in lengths], dtype=np.int64)


def _batch_sizes(lengths: np.ndarray) -> np.ndarray:
    """batch_sizes[t] = number of sequences longer than t (lengths sorted decreasingly)."""
    T = int(lengths[0]) if lengths.size else 0
    return (lengths[None, :] > np.arange(T)[:, None]).sum(1).astype(np.int64)


def _packed_rows(batch_sizes: np.ndarray):
    """(time index, batch index) of each packed row."""
    t = np.repeat(np.arange(batch_sizes.size), batch_sizes)
    offsets = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]])
    b = np.arange(t.size) - offsets[t]
    return t, b


class PackPaddedSequenceBackward0(Node):
    """The packed rows' gradient scattered back into the padded (time-major) layout."""

    __slots__ = ("rows", "batch_first", "padded_shape")

    def backward(self, g):
        t, b = self.rows
        shape = self.padded_shape
        tm_shape = (shape[1], shape[0]) + tuple(shape[2:]) if self.batch_first else tuple(shape)
        return (_scatter_rows(g, t, b, tm_shape, self.batch_first),)


class _ScatterRowsBackward(Node):
    __slots__ = ("rows", "batch_first")

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def backward(self, g):
        t, b = self.rows
        return (_gather_rows(g, t, b, self.batch_first),)


class _GatherRowsBackward(Node):
    __slots__ = ("rows", "batch_first", "shape")

    def backward(self, g):
        t, b = self.rows
        return (_scatter_rows(g, t, b, self.shape, self.batch_first),)


def _gather_rows(x: Tensor, t, b, batch_first: bool, cls=None) -> Tensor:
    """Rows ``x[t, b]`` (``x[b, t]`` when batch_first) as one (n, *) tensor."""
    a = x._data
    out = _wrap(a[b, t] if batch_first else a[t, b])
    if needs_grad(x):
        n = record(cls or _GatherRowsBackward, out, (x,))
        n.rows, n.batch_first = (t, b), batch_first
        n.shape = tuple(a.shape[1::-1]) + tuple(a.shape[2:]) if batch_first else tuple(a.shape)
        if cls is PackPaddedSequenceBackward0:
            n.padded_shape = tuple(a.shape)
    return out


def _scatter_rows(rows: Tensor, t, b, tm_shape, batch_first: bool, padding_value: float = 0.0) -> Tensor:
    """Packed rows written into a padded tensor (time-major shape ``tm_shape``)."""
    a = rows._data
    out = np.full(tm_shape, padding_value, dtype=a.dtype)
    out[t, b] = a
    if batch_first:
        out = np.ascontiguousarray(out.swapaxes(0, 1))
    r = _wrap(out)
    if needs_grad(rows):
        n = record(_ScatterRowsBackward, r, (rows,))
        n.rows, n.batch_first = (t, b), batch_first
    return r


# NOTE: torch builds padded tensors with sliced in-place copies, so its graph shows CopySlices
_ScatterRowsBackward.__name__ = _ScatterRowsBackward.__qualname__ = "CopySlices"
_GatherRowsBackward.__name__ = _GatherRowsBackward.__qualname__ = "IndexBackward0"


class IndexSelectBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, g):
        inv = np.empty_like(self.index)
        inv[self.index] = np.arange(self.index.size)
        return (_index_select(g, self.dim, inv),)


def _index_select(x: Tensor, dim: int, index: np.ndarray) -> Tensor:
    """``x.index_select(dim, index)`` for a permutation ``index``."""
    r = _wrap(np.take(x._data, index, axis=dim))
    if needs_grad(x):
        n = record(IndexSelectBackward0, r, (x,))
        n.dim, n.index = dim, index
    return r


def pack_padded_sequence(input: Tensor, lengths: Union[Tensor, List[int]], batch_first: bool = False,
                         enforce_sorted: bool = True) -> PackedSequence:
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``) of given lengths.

    >>> x = ember.zeros(3, 2, 1)
    >>> pack_padded_sequence(x, [3, 1]).batch_sizes
    tensor([2, 1, 1])
    """
    lengths = _lengths_array(lengths)
    sorted_indices = None
    if enforce_sorted:
        if lengths.size > 1 and (np.diff(lengths) > 0).any():
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = order.astype(np.int64)
        lengths = lengths[order]
        input = _index_select(input, 0 if batch_first else 1, sorted_indices)
    if lengths.size and lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0")
    bs = _batch_sizes(lengths)
    t, b = _packed_rows(bs)
    data = _gather_rows(input, t, b, batch_first, PackPaddedSequenceBackward0)
    si = _wrap(sorted_indices) if sorted_indices is not None else None
    return PackedSequence(data, _wrap(bs), si, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: Optional[int] = None) -> Tuple[Tensor, Tensor]:
    """Undo ``pack_padded_sequence``: the padded batch and the lengths (original order)."""
    bs = sequence.batch_sizes._data.astype(np.int64)
    T = bs.size
    if total_length is not None:
        if total_length < T:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {T}")
        T = total_length
    B = int(bs[0]) if bs.size else 0
    data = sequence.data
    t, b = _packed_rows(bs)
    padded = _scatter_rows(data, t, b, (T, B) + tuple(data.shape[1:]), batch_first, padding_value)
    lengths = (bs[None, :] > np.arange(B)[:, None]).sum(1).astype(np.int64)
    if sequence.unsorted_indices is not None:
        ui = sequence.unsorted_indices._data
        padded = _index_select(padded, 0 if batch_first else 1, ui)
        lengths = lengths[ui]
    return padded, _wrap(lengths)


def pad_sequence(sequences: Union[Tensor, Sequence[Tensor]], batch_first: bool = False,
                 padding_value: float = 0.0, padding_side: str = "right") -> Tensor:
    """Stack sequences of different lengths into one padded tensor (T, B, *) / (B, T, *).

    >>> pad_sequence([ember.ones(2), ember.ones(1)]).shape
    torch.Size([2, 2])
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    seqs = list(sequences)
    T = max(s.shape[0] for s in seqs)
    trailing = tuple(seqs[0].shape[1:])
    lengths = np.asarray([s.shape[0] for s in seqs], dtype=np.int64)
    dt = seqs[0]._data.dtype
    out = np.full((T, len(seqs)) + trailing, padding_value, dtype=dt)
    for i, s in enumerate(seqs):
        L = s.shape[0]
        if padding_side == "right":
            out[:L, i] = s._data
        else:
            out[T - L:, i] = s._data
    if batch_first:
        out = np.ascontiguousarray(out.swapaxes(0, 1))
    r = _wrap(out)
    if needs_grad(*seqs):
        n = record(_PadSequenceBackward, r, tuple(seqs))
        n.lengths, n.batch_first, n.left = lengths, batch_first, padding_side == "left"
    return r


class _PadSequenceBackward(Node):
    __slots__ = ("lengths", "batch_first", "left")

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def backward(self, g):
        if self.batch_first:
            g = g.transpose(0, 1)
        T = g.shape[0]
        out = []
        for i, ((f, _), L) in enumerate(zip(self.next_functions, self.lengths)):
            if f is None:
                out.append(None)
            else:
                L = int(L)
                out.append(g[T - L:, i] if self.left else g[:L, i])
        return tuple(out)


_PadSequenceBackward.__name__ = _PadSequenceBackward.__qualname__ = "CopySlices"


def unpad_sequence(padded_sequences: Tensor, lengths: Tensor, batch_first: bool = False) -> List[Tensor]:
    """Split a padded batch back into its sequences."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    out = []
    for seq, L in zip(padded_sequences, _lengths_array(lengths)):
        out.append(seq[_wrap(np.arange(int(L)))])
    return out


def pack_sequence(sequences: Sequence[Tensor], enforce_sorted: bool = True) -> PackedSequence:
    """``pack_padded_sequence(pad_sequence(sequences), lengths)``."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> List[Tensor]:
    """The list of sequences a ``PackedSequence`` holds (original order)."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
