"""``save`` and ``load`` in PyTorch's checkpoint format, with ``weights_only`` loading.

``save`` writes the zip format ``torch.save`` writes (``<name>/data.pkl`` whose tensors point
by persistent id to raw storages ``<name>/data/<key>``, plus ``byteorder``, ``version`` and
``.data/serialization_id`` records), so ``torch.load`` reads ember's files and ember reads
torch's. Tensors viewing one storage are saved once and come back as views of one array.

``load`` defaults to ``weights_only=True``: a restricted unpickler that rebuilds only tensors,
primitive containers, numbers, strings, dtypes, ``Size``, devices and ``OrderedDict`` (plus what
:func:`add_safe_globals` allows); any other global is refused with torch's
``pickle.UnpicklingError`` and nothing in the file is executed. ``weights_only=False`` is the
explicit opt-in to plain pickle (only for trusted files).

>>> import io, ember
>>> buf = io.BytesIO()
>>> ember.serialization.save({"w": ember.tensor([1.0, 2.0])}, buf)
>>> _ = buf.seek(0)
>>> ember.serialization.load(buf)
{'w': tensor([1., 2.])}
"""
from __future__ import annotations

import _compat_pickle
import contextlib
import io
import os
import pickle
import struct
import sys
import zipfile
from collections import Counter, OrderedDict
from typing import Any, BinaryIO, Callable, Dict, Iterable, List, Optional, Tuple, Union

import numpy as np

from . import _dtype as D
from ._tensor import Size, Tensor, _init_fields, _wrap, device as _device

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals", "DEFAULT_PROTOCOL"]

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C  # the legacy (non-zip) format's first pickle
PROTOCOL_VERSION = 1001
_STORAGE_ALIGNMENT = 64

FileLike = Union[str, os.PathLike, BinaryIO]

# dtype -> torch's legacy storage class name (what torch.save writes for each dtype)
_STORAGE_NAMES = {
    "float16": "HalfStorage", "float32": "FloatStorage", "float64": "DoubleStorage",
    "bfloat16": "BFloat16Storage", "int8": "CharStorage", "int16": "ShortStorage",
    "int32": "IntStorage", "int64": "LongStorage", "uint8": "ByteStorage", "bool": "BoolStorage",
    "complex64": "ComplexFloatStorage", "complex128": "ComplexDoubleStorage",
}
# torch dtype name -> (NumPy dtype of the stored bytes, ember dtype it loads as)
_LOAD_DTYPES = {
    "float16": (np.float16, D.float16), "float32": (np.float32, D.float32),
    "float64": (np.float64, D.float64), "bfloat16": (np.uint16, D.bfloat16),
    "int8": (np.int8, D.int8), "int16": (np.int16, D.int16), "int32": (np.int32, D.int32),
    "int64": (np.int64, D.int64), "uint8": (np.uint8, D.uint8), "bool": (np.bool_, D.bool),
    "complex64": (np.complex64, D.complex64), "complex128": (np.complex128, D.complex128),
    "uint16": (np.uint16, D.int32), "uint32": (np.uint32, D.int64), "uint64": (np.uint64, D.int64),
    "half": (np.float16, D.float16), "float": (np.float32, D.float32), "double": (np.float64, D.float64),
    "long": (np.int64, D.int64), "int": (np.int32, D.int32), "short": (np.int16, D.int16),
    "cfloat": (np.complex64, D.complex64), "cdouble": (np.complex128, D.complex128),
}
_STORAGE_TO_DTYPE = {v: k for k, v in _STORAGE_NAMES.items()}

# ----------------------------------------------------------------------------- messages
UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, "
    "but it can result in arbitrary code execution. Do it only if you got the file from a "
    "trusted source."
)
DOCS_MESSAGE = (
    "\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
    "weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
)
CENTRAL_DIRECTORY = (
    "PytorchStreamReader failed reading zip archive: failed finding central directory. This is an "
    "internal miniz error. If you are seeing this error, there is a high likelihood that your "
    "checkpoint file is corrupted. This can happen if the checkpoint was not saved properly, was "
    "transferred incorrectly, or the file was modified after saving."
)
CUDA_LOCATION = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
    "If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU."
)


def _wo_message(message: str) -> str:
    """torch's wrapping of a weights-only unpickler error."""
    if "was not an allowed global by default." in message:
        out = ("Weights only load failed. This file can still be loaded, to do so you have two options, "
               "\033[1mdo those steps only if you trust the source of the checkpoint\033[0m. "
               f"\n\t(1) {UNSAFE_MESSAGE}\n\t(2) Alternatively, to load with `weights_only=True` please check "
               "the recommended steps in the following error message.\n\tWeightsUnpickler error: " + message)
    else:
        out = f"Weights only load failed. {UNSAFE_MESSAGE}\n"
        if "is blocked" not in message:
            out += ("Please file an issue with the following so that we can make "
                    "`weights_only=True` compatible with your use case: WeightsUnpickler error: ")
        out += "\n\n" + message
    return out + DOCS_MESSAGE


# ----------------------------------------------------------------------------- pickling (IPC)
def _reduce_tensor(t: Tensor):
    """``Tensor.__reduce_ex__``: the array, requires_grad, class and attributes.

    Used by ``pickle``/``copy``/``multiprocessing`` (DataLoader workers); ``save`` writes
    torch's format instead.
    """
    # Autograd's bookkeeping is not pickled (a view's link to its base, the gradient, hooks,
    # weak references): the copy is a leaf of its own, as in torch.
    state = {k: v for k, v in t.__dict__.items() if k not in _AUTOGRAD_FIELDS} or None
    return (_rebuild_pickled, (type(t), t._data, t._rg, state))


_AUTOGRAD_FIELDS = frozenset({"_base", "_view_fn", "_views", "_acc", "_grad", "_hooks",
                              "_post_acc_hooks", "_retains", "_output_nr"})


def _rebuild_pickled(cls, arr, requires_grad, state=None):
    t = Tensor.__new__(cls) if cls is not Tensor else object.__new__(Tensor)
    _init_fields(t, arr, bool(requires_grad))
    if state:
        t.__dict__.update(state)
    return t


# ----------------------------------------------------------------------------- save
class _Global:
    """A stand-in for a torch global (``torch._utils._rebuild_tensor_v2``...), pickled by name
    so that ember writes torch's pickles without importing torch."""

    __slots__ = ("module", "name")
    _cache: Dict[Tuple[str, str], "_Global"] = {}

    def __new__(cls, module: str, name: str):
        key = (module, name)
        g = cls._cache.get(key)
        if g is None:
            g = object.__new__(cls)
            g.module, g.name = module, name
            cls._cache[key] = g
        return g

    def __call__(self, *args):  # pickle requires a callable in a reduce tuple
        raise TypeError(f"{self.module}.{self.name} is a placeholder")


class _StorageRef:
    """One storage to write: its key, dtype name and raw bytes source."""

    __slots__ = ("key", "dtype_name", "array")

    def __init__(self, key: str, dtype_name: str, array: np.ndarray):
        self.key, self.dtype_name, self.array = key, dtype_name, array

    @property
    def numel(self) -> int:
        return self.array.size

    def tobytes(self) -> bytes:
        a = self.array
        if self.dtype_name == "bfloat16":
            a = _float32_to_bf16_bits(a)
        return np.ascontiguousarray(a).astype(a.dtype.newbyteorder("<"), copy=False).tobytes()


def _float32_to_bf16_bits(a: np.ndarray) -> np.ndarray:
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16  # round to nearest even
    out = rounded.astype(np.uint16)
    nan = np.isnan(np.asarray(a, np.float32))
    out[nan] = (bits[nan] >> 16).astype(np.uint16) | 0x40
    return out


def _root_array(arr: np.ndarray) -> np.ndarray:
    root = arr
    while isinstance(root.base, np.ndarray) and root.base.dtype == arr.dtype:
        root = root.base
    return root


def _parameter_class(load: bool = False):
    """``ember.nn.Parameter``; when saving only if ``ember.nn`` is loaded (else no parameter
    can exist), when loading importing it."""
    nn = sys.modules.get("ember.nn")
    if nn is None and load:
        try:
            import ember.nn as nn
        except ImportError:  # pragma: no cover - nn is part of ember
            return None
    return getattr(nn, "Parameter", None) if nn is not None else None


class _TorchPickler(pickle._Pickler):
    """Pickles ember objects as torch's names: tensors via ``_rebuild_tensor_v2`` with
    persistent storage ids, ``Parameter`` via ``_rebuild_parameter``, dtypes as ``torch.float32``,
    ``Size`` as ``torch.Size``, devices as ``torch.device``."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol: int, legacy: bool = False):
        super().__init__(file, protocol)
        self.storages: Dict[int, _StorageRef] = {}
        self._keepalive: List[Any] = []
        self.legacy = legacy

    def _save_torch_global(self, obj: _Global) -> None:
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[_Global] = _save_torch_global

    def _save_dtype(self, obj: D.dtype) -> None:
        self.save(_Global("torch", obj.name))

    dispatch[D.dtype] = _save_dtype

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            storage_type = _Global("torch", _STORAGE_NAMES[obj.dtype_name])
            if self.legacy:
                return ("storage", storage_type, obj.key, "cpu", obj.numel, None)
            return ("storage", storage_type, obj.key, "cpu", obj.numel)
        return None

    def _storage_for(self, t: Tensor) -> Tuple[_StorageRef, int, Tuple[int, ...]]:
        """The storage holding ``t`` (shared with other tensors viewing the same memory),
        its element offset and element strides."""
        arr = t._data
        name = t.dtype.name
        root = _root_array(arr)
        item = arr.itemsize
        ok = (root.dtype == arr.dtype and (root.flags.c_contiguous or root.flags.f_contiguous)
              and item > 0 and arr.size > 0)
        if ok:
            off_bytes = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
            strides = arr.strides
            ok = (off_bytes >= 0 and off_bytes % item == 0 and all(s >= 0 and s % item == 0 for s in strides))
        if ok:
            offset = off_bytes // item
            estrides = tuple(s // item for s in strides)
            last = offset + sum((n - 1) * s for n, s in zip(arr.shape, estrides))
            ok = last < root.size
        if not ok:  # a private copy (negative strides, reinterpreted dtype, empty...)
            root = np.ascontiguousarray(arr)
            self._keepalive.append(root)
            offset, estrides = 0, tuple(s // max(item, 1) for s in root.strides)
            if root.size == 0:
                estrides = t.stride()
        ref = self.storages.get(id(root))
        if ref is None:
            flat = root.ravel(order="K") if root.ndim != 1 else root
            ref = _StorageRef(str(len(self.storages)), name, flat)
            self.storages[id(root)] = ref
            self._keepalive.append(root)
        return ref, offset, estrides

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            P = _parameter_class()
            if P is not None and isinstance(obj, P):
                plain = _wrap(obj._data)
                return (_Global("torch._utils", "_rebuild_parameter"), (plain, obj._rg, OrderedDict()))
            ref, offset, strides = self._storage_for(obj)
            return (_Global("torch._utils", "_rebuild_tensor_v2"),
                    (ref, offset, tuple(obj.shape), tuple(strides), obj._rg, OrderedDict()))
        if type(obj) is Size:
            return (_Global("torch", "Size"), (tuple(obj),))
        if type(obj) is _device:
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return (_Global("torch", "device"), args)
        return NotImplemented


def _archive_name(f) -> str:
    if isinstance(f, (str, os.PathLike)):
        base = os.path.basename(os.fspath(f))
        stem = os.path.splitext(base)[0]
        return stem or "archive"
    return "archive"


def _aligned_extra(header_offset: int, name: bytes) -> bytes:
    """An extra field padding a record's data to a multiple of 64 bytes (as torch aligns)."""
    start = header_offset + 30 + len(name) + 4
    pad = (-start) % _STORAGE_ALIGNMENT
    return struct.pack("<HH", 0x4246, pad) + b"Z" * pad


def _write_zip(f: BinaryIO, name: str, data_pkl: bytes, storages: Iterable[_StorageRef]) -> None:
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        seekable = True
        try:
            zf.fp.tell()
        except (OSError, AttributeError):
            seekable = False

        def record(rel: str, payload: bytes, align: bool = False) -> None:
            info = zipfile.ZipInfo(f"{name}/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            if align and seekable:
                info.extra = _aligned_extra(zf.fp.tell(), info.filename.encode("utf-8"))
            zf.writestr(info, payload)

        record("data.pkl", data_pkl)
        record(".format_version", b"1")
        record(".storage_alignment", str(_STORAGE_ALIGNMENT).encode())
        record("byteorder", b"little")
        for ref in storages:
            record(f"data/{ref.key}", ref.tobytes(), align=True)
        record("version", b"3\n")
        sid = f"{int.from_bytes(os.urandom(17), 'little'):040d}"[-40:]
        record(".data/serialization_id", sid.encode())


def _write_legacy(f: BinaryIO, obj: Any, protocol: int) -> None:
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION,
                   {"protocol_version": PROTOCOL_VERSION, "little_endian": sys.byteorder == "little",
                    "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle.dump(header, f, protocol=protocol)
    buf = io.BytesIO()
    p = _TorchPickler(buf, protocol, legacy=True)
    p.dump(obj)
    f.write(buf.getvalue())
    refs = sorted(p.storages.values(), key=lambda r: int(r.key))
    pickle.dump([r.key for r in refs], f, protocol=protocol)
    for r in refs:
        f.write(struct.pack("<q", r.numel))
        f.write(r.tobytes())


def save(obj: Any, f: FileLike, pickle_module: Any = pickle, pickle_protocol: int = DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization: bool = True, _disable_byteorder_record: bool = False) -> None:
    """Save ``obj`` (tensors, state dicts, nested containers) to a path or binary file in
    PyTorch's checkpoint format, readable by ``torch.load``.

    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> save(ember.arange(3), buf)
    >>> buf.getvalue()[:2]
    b'PK'
    """
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            _save(obj, fh, _archive_name(f), pickle_protocol, _use_new_zipfile_serialization)
    else:  # NOTE: as torch, a file object's records go under "archive/"
        _save(obj, f, "archive", pickle_protocol, _use_new_zipfile_serialization)


def _save(obj: Any, f: BinaryIO, name: str, protocol: int, zip_format: bool) -> None:
    if not zip_format:
        _write_legacy(f, obj, protocol)
        return
    buf = io.BytesIO()
    p = _TorchPickler(buf, protocol)
    p.dump(obj)
    refs = sorted(p.storages.values(), key=lambda r: int(r.key))
    _write_zip(f, name, buf.getvalue(), refs)


# ----------------------------------------------------------------------------- load: rebuilding
class _StorageType:
    """``torch.FloatStorage`` and friends as met in a checkpoint: just a dtype name
    (``None`` for ``torch.UntypedStorage``, whose tensors carry their dtype)."""

    __slots__ = ("dtype_name",)

    def __init__(self, dtype_name: Optional[str]):
        self.dtype_name = dtype_name

    def __repr__(self) -> str:
        return f"StorageType(dtype={self.dtype_name})"


class _LoadedStorage:
    """A storage read from a checkpoint: a flat NumPy array (raw bytes when untyped)."""

    __slots__ = ("array", "dtype_name", "location", "_as")

    def __init__(self, array: np.ndarray, dtype_name: Optional[str], location: str = "cpu"):
        self.array, self.dtype_name, self.location = array, dtype_name, location
        self._as: Dict[str, np.ndarray] = {}

    def _typed(self, dtype_name: str) -> np.ndarray:
        if self.dtype_name is not None:
            return self.array
        a = self._as.get(dtype_name)
        if a is None:  # one decoded array per dtype, so that its tensors share memory
            a = self._as[dtype_name] = _decode(self.array, dtype_name)
        return a


def _decode(raw: np.ndarray, dtype_name: str, big_endian: bool = False) -> np.ndarray:
    """Bytes (a uint8 array) as a flat array of ``dtype_name`` in ember's representation."""
    if dtype_name not in _LOAD_DTYPES:
        raise RuntimeError(f"ember cannot load tensors of dtype torch.{dtype_name}")
    npd, ed = _LOAD_DTYPES[dtype_name]
    npd = np.dtype(npd).newbyteorder(">" if big_endian else "<")
    if raw.size % npd.itemsize:
        raise RuntimeError(f"storage of {raw.size} bytes is not a whole number of {dtype_name} elements")
    a = raw.view(npd) if raw.flags.c_contiguous else np.frombuffer(raw.tobytes(), npd)
    if dtype_name == "bfloat16":
        return (a.astype(np.uint32) << 16).view(np.float32)
    target = ed.np
    # NOTE: the result owns its memory, so tensors built on it find it as their base when saved.
    return a.astype(target) if a.dtype != target else a.copy()


def _view(storage: _LoadedStorage, dtype_name: Optional[str], offset: int, size, stride) -> np.ndarray:
    if not isinstance(storage, _LoadedStorage):
        raise pickle.UnpicklingError(f"expected a storage, got {type(storage).__name__}")
    base = storage._typed(dtype_name) if dtype_name else storage.array
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    offset = int(offset)
    if len(size) != len(stride) or any(s < 0 for s in size) or any(s < 0 for s in stride) or offset < 0:
        raise RuntimeError(f"invalid tensor geometry: size {list(size)}, stride {list(stride)}, offset {offset}")
    numel = 1
    for s in size:
        numel *= s
    need = 0 if numel == 0 else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > base.size:
        # NOTE: torch's wording for a tensor reaching past the end of its (loaded) storage.
        raise RuntimeError("Trying to resize storage that is not resizable")
    if numel == 0:
        return np.empty(size, base.dtype)
    item = base.itemsize
    # A view whose .base is the storage array itself, so that saving it again finds the storage.
    return np.ndarray(size, base.dtype, buffer=base, offset=offset * item, strides=tuple(s * item for s in stride))


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _wrap(_view(storage, storage.dtype_name or "uint8", storage_offset, size, stride))


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                       metadata=None):
    t = _rebuild_tensor(storage, storage_offset, size, stride)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    name = dtype.name if isinstance(dtype, D.dtype) else str(dtype)
    t = _wrap(_view(storage, name, storage_offset, size, stride))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _make_parameter(data: Tensor, requires_grad: bool) -> Tensor:
    P = _parameter_class(load=True)
    if P is not None:
        return P(data, requires_grad)
    # NOTE: before ember.nn.Parameter exists a parameter loads as a leaf tensor.
    t = _wrap(data._data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _make_parameter(data, requires_grad)


def _set_state(obj, state) -> None:
    if isinstance(state, tuple) and len(state) == 2:
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    if dict_state:
        for k, v in dict_state.items():
            setattr(obj, k, v)
    if slots_state:
        for k, v in slots_state.items():
            setattr(obj, k, v)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _make_parameter(data, requires_grad)
    _set_state(p, state)
    return p


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if isinstance(new_type, type) and issubclass(new_type, Tensor) and type(ret) is not new_type:
        ret.__class__ = new_type
    if state:
        _set_state(ret, state)
    return ret


def _get_layout(name: str):
    return name


def _encode(obj, encoding="utf-8"):
    import codecs
    return codecs.encode(obj, encoding)


def _allowed_globals() -> Dict[str, Any]:
    """The globals a weights-only load may name (torch's allowlist, mapped to ember)."""
    P = _parameter_class(load=True)
    rc: Dict[str, Any] = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch.nn.parameter.Parameter": P if P is not None else _rebuild_parameter,
        "torch.serialization._get_layout": _get_layout,
        "torch.Size": Size,
        "torch.Tensor": Tensor,
        "torch.device": _device,
        "_codecs.encode": _encode,
        "builtins.bytearray": bytearray,
        "builtins.set": set,
        "builtins.complex": complex,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.storage.UntypedStorage": _StorageType(None),
        "torch.UntypedStorage": _StorageType(None),
    }
    for name in _LOAD_DTYPES:
        d = D._NAMES.get(name)
        rc[f"torch.{name}"] = d if d is not None else _UnsupportedDtype(name)
    for dname, sname in _STORAGE_NAMES.items():
        rc[f"torch.{sname}"] = _StorageType(dname)
    rc["torch.strided"] = "torch.strided"
    return rc


class _UnsupportedDtype:
    """A torch dtype ember has no equivalent for (uint16...): tensors of it load widened."""

    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name


_ALLOWED: Optional[Dict[str, Any]] = None
_user_safe_globals: List[Any] = []
_BLOCKLISTED_MODULES = ("sys", "os", "posix", "nt")


def _get_allowed() -> Dict[str, Any]:
    global _ALLOWED
    if _ALLOWED is None or _ALLOWED.get("torch.nn.parameter.Parameter") is _rebuild_parameter:
        _ALLOWED = _allowed_globals()
    return _ALLOWED


def _user_allowed() -> Dict[str, Any]:
    rc = {}
    for g in _user_safe_globals:
        if isinstance(g, tuple):
            obj, name = g
            rc[name] = obj
        else:
            rc[f"{g.__module__}.{g.__qualname__}"] = g
    return rc


def add_safe_globals(safe_globals: List[Any]) -> None:
    """Allow these classes/functions (or ``(obj, "module.name")`` pairs) in weights-only loads.

    >>> import collections
    >>> add_safe_globals([collections.deque]); collections.deque in get_safe_globals()
    True
    >>> clear_safe_globals()
    """
    for g in safe_globals:
        if g not in _user_safe_globals:
            _user_safe_globals.append(g)


def get_safe_globals() -> List[Any]:
    """The globals added with :func:`add_safe_globals`."""
    return list(_user_safe_globals)


def clear_safe_globals() -> None:
    """Forget every global added with :func:`add_safe_globals`."""
    _user_safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals: List[Any]):
    """A context in which these globals are allowed in weights-only loads.

    >>> import collections
    >>> with safe_globals([collections.deque]):
    ...     collections.deque in get_safe_globals()
    True
    """
    added = [g for g in safe_globals if g not in _user_safe_globals]
    add_safe_globals(added)
    try:
        yield
    finally:
        for g in added:
            if g in _user_safe_globals:
                _user_safe_globals.remove(g)


def _fix_import(module: str, name: str) -> Tuple[str, str]:
    """Python 2 names that protocol-2 pickles use (``__builtin__.set``) as Python 3's."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    if module in _compat_pickle.IMPORT_MAPPING:
        return _compat_pickle.IMPORT_MAPPING[module], name
    return module, name


class _Loader:
    """Storages on demand, from a zip archive or (legacy format) filled in after the pickle."""

    def __init__(self, map_location, read_record: Optional[Callable[[str], bytes]], big_endian: bool):
        self.map_location = map_location
        self.read_record = read_record
        self.big_endian = big_endian
        self.storages: Dict[str, _LoadedStorage] = {}

    def _restore_location(self, storage: _LoadedStorage, location: str) -> _LoadedStorage:
        ml = self.map_location
        if ml is None:
            target = location
        elif isinstance(ml, dict):
            target = ml.get(location, location)
        elif isinstance(ml, (str, _device)) or type(ml).__name__ == "device":
            target = str(ml)
        elif callable(ml):
            res = ml(storage, location)
            if isinstance(res, _LoadedStorage):
                return res
            target = location if res is None else str(getattr(res, "location", location))
        else:
            raise ValueError(f"map_location should be a string, a device, a dict or a callable, got {type(ml).__name__}")
        target = str(target)
        if target.startswith("cuda"):
            raise RuntimeError(CUDA_LOCATION)
        storage.location = "cpu"
        return storage

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid or pid[0] != "storage":
            raise pickle.UnpicklingError(f"Unknown typename for persistent_load, expected 'storage' but got '{pid[0] if isinstance(pid, tuple) and pid else pid}'")
        if len(pid) == 6:
            _, stype, key, location, numel, view_meta = pid
        elif len(pid) == 5:
            _, stype, key, location, numel = pid
            view_meta = None
        else:
            raise pickle.UnpicklingError(f"malformed storage id {pid!r}")
        if not isinstance(stype, _StorageType):
            raise pickle.UnpicklingError(f"expected a storage type in storage id, got {stype!r}")
        key = str(key)
        st = self.storages.get(key)
        if st is None:
            st = self._make(stype, key, int(numel))
            st = self._restore_location(st, str(location))
            self.storages[key] = st
        if view_meta is not None:
            _, off, vsize = view_meta
            return _LoadedStorage(st.array[int(off): int(off) + int(vsize)], st.dtype_name, st.location)
        return st

    def _make(self, stype: _StorageType, key: str, numel: int) -> _LoadedStorage:
        if self.read_record is None:  # legacy: allocate now, fill after the pickle
            if stype.dtype_name is None:
                return _LoadedStorage(np.zeros(numel, np.uint8), None)
            return _LoadedStorage(np.zeros(numel, _LOAD_DTYPES[stype.dtype_name][1].np), stype.dtype_name)
        raw = self.read_record(f"data/{key}")
        arr = np.frombuffer(raw, np.uint8)
        if stype.dtype_name is None:
            if arr.size != numel:
                raise RuntimeError(f"storage data/{key} holds {arr.size} bytes but the checkpoint says {numel}")
            return _LoadedStorage(arr.copy(), None)
        typed = _decode(arr, stype.dtype_name, self.big_endian)
        if typed.size != numel:
            raise RuntimeError(f"storage data/{key} holds {typed.size} elements but the checkpoint says {numel}")
        return _LoadedStorage(typed, stype.dtype_name)


_OPS_REFUSED = {pickle.INST[0]: "INST", pickle.OBJ[0]: "OBJ", pickle.EXT1[0]: "EXT1",
                pickle.EXT2[0]: "EXT2", pickle.EXT4[0]: "EXT4"}


class _WeightsUnpickler(pickle._Unpickler):
    """The weights-only unpickler: only allowlisted globals, and REDUCE/BUILD/NEWOBJ only on
    them; nothing else from the file is ever called."""

    dispatch = pickle._Unpickler.dispatch.copy()

    def __init__(self, file, loader: Optional[_Loader]):
        super().__init__(file, encoding="utf-8")
        self._loader = loader
        self._allowed = dict(_get_allowed())
        self._user = _user_allowed()
        self._callables = {id(v) for v in self._allowed.values()} | {id(v) for v in self._user.values()}

    def persistent_load(self, pid):
        if self._loader is None:
            raise pickle.UnpicklingError("A load persistent id instruction was encountered, "
                                         "but no persistent_load function was specified.")
        return self._loader.persistent_load(pid)

    def find_class(self, module: str, name: str):
        module, name = _fix_import(module, name)
        full = f"{module}.{name}"
        if module in _BLOCKLISTED_MODULES:
            raise pickle.UnpicklingError(f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked.")
        if full in self._allowed:
            return self._allowed[full]
        if full in self._user:
            return self._user[full]
        shown = full
        if full.startswith("builtins"):
            rest = full[len("builtins"):]
            shown = rest[1:] if rest.startswith(".") else "builtins" + rest
        raise pickle.UnpicklingError(
            f"Unsupported global: GLOBAL {shown} was not an allowed global by default. "
            f"Please use `torch.serialization.add_safe_globals([{shown}])` or the "
            f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist this global "
            "if you trust this class/function.")

    def _refuse(self):
        raise pickle.UnpicklingError("Unsupported operand")

    for _op in _OPS_REFUSED:
        dispatch[_op] = _refuse
    del _op

    def load_reduce(self):
        args = self.stack.pop()
        func = self.stack[-1]
        if id(func) not in self._callables or not callable(func):
            raise pickle.UnpicklingError(f"Trying to call reduce for unrecognized function {func}")
        self.stack[-1] = func(*args)

    dispatch[pickle.REDUCE[0]] = load_reduce

    def load_newobj(self):
        args = self.stack.pop()
        cls = self.stack.pop()
        P = _parameter_class()
        if P is not None and cls is P:
            self.append(P(*args))
        elif id(cls) in self._callables and isinstance(cls, type):
            self.append(cls.__new__(cls, *args))
        else:
            raise pickle.UnpicklingError("Can only create new object for nn.Parameter or classes allowlisted "
                                         f"via `add_safe_globals` but got {cls}")

    dispatch[pickle.NEWOBJ[0]] = load_newobj

    def load_newobj_ex(self):
        kwargs = self.stack.pop()
        self.append(self.stack.pop())  # reuse NEWOBJ's checks for (cls, args)
        args = self.stack.pop()
        cls = self.stack.pop()
        if kwargs:
            raise pickle.UnpicklingError(f"Can only create new object with keyword arguments for classes "
                                         f"allowlisted via `add_safe_globals` but got {cls}")
        self.append(cls)
        self.append(args)
        self.load_newobj()

    dispatch[pickle.NEWOBJ_EX[0]] = load_newobj_ex

    def load_build(self):
        state = self.stack[-1]
        inst = self.stack[-2]
        t = type(inst)
        P = _parameter_class()
        if isinstance(inst, Tensor) and (t is Tensor or t is P):
            self.stack.pop()
            if isinstance(state, dict) or (isinstance(state, tuple) and len(state) == 2):
                _set_state(inst, state)
            elif isinstance(state, tuple) and len(state) == 4 and state[1]:
                inst.requires_grad_(True)  # torch's legacy (set_, requires_grad, _, hooks) state
            return
        if t is OrderedDict:
            self.stack.pop()
            inst.__dict__.update(state)
            return
        if id(t) in {id(v) for v in self._user.values()}:
            return pickle._Unpickler.load_build(self)
        raise pickle.UnpicklingError("Can only build Tensor, Parameter, OrderedDict or types allowlisted "
                                     f"via `add_safe_globals`, but got {t}")

    dispatch[pickle.BUILD[0]] = load_build


class _FullUnpickler(pickle.Unpickler):
    """``weights_only=False``: ordinary pickle, with torch's names mapped to ember."""

    def __init__(self, file, loader: Optional[_Loader]):
        super().__init__(file, encoding="utf-8")
        self._loader = loader

    def persistent_load(self, pid):
        return self._loader.persistent_load(pid)

    def find_class(self, module: str, name: str):
        full = f"{module}.{name}"
        allowed = _get_allowed()
        if full in allowed:
            return allowed[full]
        if module == "torch" or module.startswith("torch."):
            import importlib
            try:
                return getattr(importlib.import_module("ember" + module[len("torch"):]), name)
            except (ImportError, AttributeError):
                raise pickle.UnpicklingError(f"ember has no equivalent of {full} to load this checkpoint") from None
        return super().find_class(module, name)


def _unpickle(data: BinaryIO, loader: Optional[_Loader], weights_only: bool, pickle_module=None):
    if weights_only:
        try:
            return _WeightsUnpickler(data, loader).load()
        except pickle.UnpicklingError as e:
            raise pickle.UnpicklingError(_wo_message(str(e))) from None
    return _FullUnpickler(data, loader).load()


# ----------------------------------------------------------------------------- load: formats
def _load_zip(f: BinaryIO, map_location, weights_only: bool):
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise RuntimeError(CENTRAL_DIRECTORY) from e
    with zf:
        names = zf.namelist()
        pkl = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if not pkl:
            raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
        prefix = pkl[0][: -len("data.pkl")]

        def read_record(rel: str) -> bytes:
            name = prefix + rel
            try:
                return zf.read(name)
            except KeyError:
                raise RuntimeError(f"PytorchStreamReader failed locating file {rel}: file not found") from None
            except (zipfile.BadZipFile, zlib_error(), EOFError, OSError) as e:
                raise RuntimeError(f"PytorchStreamReader failed reading file {rel}: the checkpoint is "
                                   f"corrupted ({e})") from None

        big = False
        if prefix + "byteorder" in names:
            order = read_record("byteorder").decode("ascii", "replace").strip()
            if order not in ("little", "big"):
                raise RuntimeError(f"Unknown endianness type: {order}")
            big = order == "big"
        loader = _Loader(map_location, read_record, big)
        data = read_record("data.pkl")
        try:
            return _unpickle(io.BytesIO(data), loader, weights_only)
        except (EOFError, struct.error, IndexError) as e:
            raise RuntimeError(f"the checkpoint's data.pkl is truncated or corrupted ({type(e).__name__}: {e})") from None


def zlib_error():
    import zlib
    return zlib.error


def _load_legacy(f: BinaryIO, map_location, weights_only: bool):
    def header():
        try:
            return _WeightsUnpickler(f, None).load()
        except Exception as e:
            raise RuntimeError("Invalid magic number; corrupt file?") from e

    if header() != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    version = header()
    if version != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {version}")
    try:
        sys_info = _WeightsUnpickler(f, None).load()
        big = not sys_info.get("little_endian", True) if isinstance(sys_info, dict) else False
        loader = _Loader(map_location, None, big)
        result = _unpickle(f, loader, weights_only)
        keys = _WeightsUnpickler(f, None).load()
        for key in keys:
            st = loader.storages[str(key)]
            (count,) = struct.unpack("<q", _read_exact(f, 8))
            name = st.dtype_name or "uint8"
            item = np.dtype(_LOAD_DTYPES[name][0]).itemsize
            raw = np.frombuffer(_read_exact(f, count * item), np.uint8)
            vals = _decode(raw, name, big)
            if vals.size != st.array.size:
                raise RuntimeError(f"storage {key} holds {vals.size} elements but the checkpoint says {st.array.size}")
            st.array[...] = vals
    except (EOFError, struct.error, KeyError) as e:
        raise RuntimeError(f"the legacy checkpoint is truncated or corrupted ({type(e).__name__}: {e})") from None
    return result


def _read_exact(f: BinaryIO, n: int) -> bytes:
    b = f.read(n)
    if len(b) != n:
        raise EOFError(f"expected {n} bytes, got {len(b)}")
    return b


def load(f: FileLike, map_location=None, pickle_module: Any = None, *, weights_only: Optional[bool] = True,
         mmap: Optional[bool] = None, **pickle_load_args) -> Any:
    """Load an object saved with ``torch.save`` or :func:`save` (zip or legacy format).

    ``weights_only=True`` (the default) refuses anything but tensors, containers and numbers
    (see :func:`add_safe_globals`); pass ``weights_only=False`` only for trusted files.
    ``map_location`` ('cpu', a device, a dict or a callable) is accepted; tensors load on CPU.

    >>> import io, ember
    >>> buf = io.BytesIO(); save({"a": ember.ones(2)}, buf); _ = buf.seek(0)
    >>> load(buf, map_location="cpu")["a"]
    tensor([1., 1.])
    """
    if weights_only is None:
        weights_only = True
    if pickle_module is not None and weights_only:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as fh:
            return load(fh, map_location, pickle_module, weights_only=weights_only)
    if not (hasattr(f, "seek") and hasattr(f, "tell")) or not _seekable(f):
        f = io.BytesIO(f.read())
    start = f.tell()
    magic = f.read(4)
    f.seek(start)
    if len(magic) == 0:
        raise EOFError("Ran out of input: the checkpoint file is empty")
    if magic == b"PK\x03\x04":
        return _load_zip(f, map_location, weights_only)
    return _load_legacy(f, map_location, weights_only)


def _seekable(f) -> bool:
    try:
        return bool(f.seekable()) if hasattr(f, "seekable") else True
    except Exception:
        return False
