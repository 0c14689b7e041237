"""safetensors files for ember tensors, through the ``safetensors`` package's NumPy API
(an optional dependency: ``pip install safetensors``). Files move freely between ember and
PyTorch (``safetensors.torch.load_file`` reads what ``save_file`` writes, and back).

>>> import ember, tempfile, os
>>> p = os.path.join(tempfile.mkdtemp(), "w.safetensors")
>>> save_file({"w": ember.tensor([1.0, 2.0])}, p)
>>> load_file(p)
{'w': tensor([1., 2.])}
"""
from __future__ import annotations

import os
from typing import Dict, Optional, Union

import numpy as np

from ._tensor import Tensor, _wrap

__all__ = ["save_file", "load_file", "save", "load"]


def _backend():
    try:
        import safetensors.numpy as st
    except ImportError:
        raise ImportError("ember.safetensors needs the 'safetensors' package: pip install safetensors") from None
    return st


def _to_numpy(tensors: Dict[str, Tensor]) -> Dict[str, np.ndarray]:
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    out = {}
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
        out[k] = np.ascontiguousarray(v._data)
    return out


def _from_numpy(arrays: Dict[str, np.ndarray]) -> Dict[str, Tensor]:
    out = {}
    for k, a in arrays.items():
        if a.dtype.kind == "u" and a.dtype != np.uint8:  # ember has no uint16/32/64: widen
            a = a.astype(np.int64 if a.dtype.itemsize >= 4 else np.int32)
        out[k] = _wrap(np.array(a, copy=True))
    return out


def save_file(tensors: Dict[str, Tensor], filename: Union[str, os.PathLike],
              metadata: Optional[Dict[str, str]] = None) -> None:
    """Write a dict of tensors to a ``.safetensors`` file."""
    _backend().save_file(_to_numpy(tensors), filename, metadata=metadata)


def load_file(filename: Union[str, os.PathLike], device: str = "cpu") -> Dict[str, Tensor]:
    """Read a ``.safetensors`` file as a dict of tensors (on CPU)."""
    return _from_numpy(_backend().load_file(filename))


def save(tensors: Dict[str, Tensor], metadata: Optional[Dict[str, str]] = None) -> bytes:
    """The safetensors bytes of a dict of tensors.

    >>> import ember
    >>> load(save({"x": ember.arange(3)}))
    {'x': tensor([0, 1, 2])}
    """
    return _backend().save(_to_numpy(tensors), metadata=metadata)


def load(data: bytes) -> Dict[str, Tensor]:
    """Tensors from safetensors bytes."""
    return _from_numpy(_backend().load(data))
