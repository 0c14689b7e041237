"""``default_collate`` and ``default_convert``: turn a list of samples into a batch, with
torch's rules (tensors stacked, NumPy arrays and numbers made tensors, Python floats as float64,
ints as int64, strings kept as lists, containers collated element by element).

>>> default_collate([(1, 2.0), (3, 4.0)])
[tensor([1, 3]), tensor([2., 4.], dtype=torch.float64)]
"""
from __future__ import annotations

import collections.abc
import copy
import re
from typing import Any, Callable, Dict, Optional, Tuple, Type, Union

import numpy as np

from .... import _dtype as D
from ...._tensor import Tensor, _wrap

__all__ = ["default_collate", "default_convert", "collate", "default_collate_fn_map",
           "collate_tensor_fn", "collate_numpy_array_fn", "collate_numpy_scalar_fn",
           "collate_float_fn", "collate_int_fn", "collate_str_fn"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}"
)


def _np_to_tensor(a) -> Tensor:
    """``torch.as_tensor`` of a NumPy array or scalar: same dtype, memory shared for arrays."""
    arr = np.asarray(a)
    if arr.dtype.kind == "u" and arr.dtype != np.uint8:
        arr = arr.astype(D.from_np(arr.dtype).np)
    return _wrap(arr)


def _stack(batch) -> Tensor:
    import ember
    stack = getattr(ember, "stack", None)
    if stack is not None:
        return stack(batch, 0)
    first = batch[0]._data
    dt = D.from_np(first.dtype)
    for i, t in enumerate(batch):
        if t._data.shape != first.shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(first.shape)} "
                               f"at entry 0 and {list(t._data.shape)} at entry {i}")
        dt = D.promote_types(dt, D.from_np(t._data.dtype))
    return _wrap(np.stack([t._data for t in batch]).astype(dt.np, copy=False))


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays and scalars (also inside containers) to tensors; leave the rest.

    This is the DataLoader's collate function when automatic batching is off
    (``batch_size=None``).

    >>> default_convert({"x": np.array([1, 2], dtype=np.int32)})
    {'x': tensor([1, 2], dtype=torch.int32)}
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_", "bytes_"):
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return _np_to_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({k: default_convert(data[k]) for k in data})
                return clone
            return elem_type({k: default_convert(data[k]) for k in data})
        except TypeError:
            return {k: default_convert(data[k]) for k in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # NOTE: torch gives a list for tuples here
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map: Optional[Dict[Union[Type, Tuple[Type, ...]], Callable]] = None):
    """Collate ``batch`` with per-type functions from ``collate_fn_map`` (exact type first,
    then the first key ``batch[0]`` is an instance of), recursing into containers.

    >>> collate([1, 2], collate_fn_map={int: lambda b, *, collate_fn_map: sum(b)})
    3
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for key in collate_fn_map:
            if isinstance(elem, key):
                return collate_fn_map[key](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update({k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem})
                return clone
            return elem_type({k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem})
        except TypeError:
            return {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        size = len(next(it))
        if not all(len(e) == size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            # NOTE: torch returns a list for a batch of tuples (backwards compatibility).
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, s in enumerate(transposed):
                    clone[i] = collate(s, collate_fn_map=collate_fn_map)
                return clone
            return elem_type([collate(s, collate_fn_map=collate_fn_map) for s in transposed])
        except TypeError:
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None) -> Tensor:
    return _stack(batch)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([_np_to_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None) -> Tensor:
    return _np_to_tensor(np.array(batch))


def collate_float_fn(batch, *, collate_fn_map=None) -> Tensor:
    # NOTE: Python floats collate to float64 whatever the default dtype (as torch).
    return _wrap(np.array(batch, dtype=np.float64))


def collate_int_fn(batch, *, collate_fn_map=None) -> Tensor:
    # ints (and bools, which are ints) as torch.tensor(batch) makes them: int64 or bool.
    arr = np.array(batch)
    if arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)
    return _wrap(arr)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: Dict[Union[Type, Tuple[Type, ...]], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch (the DataLoader's default ``collate_fn``).

    >>> import ember
    >>> default_collate([ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0])])
    tensor([[1., 2.],
            [3., 4.]])
    >>> default_collate([{"a": 1, "s": "x"}, {"a": 2, "s": "y"}])
    {'a': tensor([1, 2]), 's': ['x', 'y']}
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
