"""dtypes with torch's names, and PyTorch's type-promotion rules.

>>> import ember
>>> ember.promote_types(ember.int64, ember.float16)
torch.float16
"""
from __future__ import annotations

from ._backend import np

__all__ = [
    "dtype", "float16", "float32", "float64", "bfloat16", "int8", "int16", "int32", "int64",
    "uint8", "bool", "complex64", "complex128", "half", "float", "double", "short", "int",
    "long", "cfloat", "cdouble", "chalf", "get_default_dtype", "set_default_dtype",
    "promote_types", "result_type", "can_cast", "finfo", "iinfo",
]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type, printed as torch prints it (``torch.float32``)."""

    __slots__ = ("name", "np", "_cat", "itemsize", "is_signed", "_legacy")

    def __init__(self, name: str, np_dtype, cat: int, legacy: str):
        self.name = name
        self.np = np.dtype(np_dtype)
        self._cat = cat
        self.itemsize = self.np.itemsize
        self.is_signed = name not in ("uint8", "bool")
        self._legacy = legacy

    @property
    def is_floating_point(self) -> bool:
        return self._cat == _FLOAT

    @property
    def is_complex(self) -> bool:
        return self._cat == _COMPLEX

    def to_real(self) -> "dtype":
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self) -> "dtype":
        return {"float32": complex64, "float64": complex128, "float16": complex64}.get(self.name, self)

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))


float16 = dtype("float16", np.float16, _FLOAT, "HalfTensor")
float32 = dtype("float32", np.float32, _FLOAT, "FloatTensor")
float64 = dtype("float64", np.float64, _FLOAT, "DoubleTensor")
# NOTE: NumPy has no bfloat16; it is stored as float32 so that code naming it still runs.
bfloat16 = dtype("bfloat16", np.float32, _FLOAT, "BFloat16Tensor")
int8 = dtype("int8", np.int8, _INT, "CharTensor")
int16 = dtype("int16", np.int16, _INT, "ShortTensor")
int32 = dtype("int32", np.int32, _INT, "IntTensor")
int64 = dtype("int64", np.int64, _INT, "LongTensor")
uint8 = dtype("uint8", np.uint8, _INT, "ByteTensor")
bool = dtype("bool", np.bool_, _BOOL, "BoolTensor")  # noqa: A001  (torch's name)
complex64 = dtype("complex64", np.complex64, _COMPLEX, "ComplexFloatTensor")
complex128 = dtype("complex128", np.complex128, _COMPLEX, "ComplexDoubleTensor")

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble, chalf = complex64, complex128, complex64

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, bool, complex64, complex128)
_NAMES = {d.name: d for d in _ALL}
_NAMES["bfloat16"] = bfloat16
_FROM_NP = {d.np: d for d in _ALL}
_FROM_NP.update({np.dtype(k): v for k, v in {np.uint16: int32, np.uint32: int64, np.uint64: int64}.items()})


def _by_name(name: str) -> dtype:
    return _NAMES[name]


def from_np(np_dtype) -> dtype:
    """The ember dtype of a NumPy dtype."""
    try:
        return _FROM_NP[np_dtype]
    except KeyError:
        return _FROM_NP[np.dtype(np_dtype)]


def to_np(d) -> "np.dtype":
    """The NumPy dtype behind an ember dtype (also accepts NumPy dtypes and Python types)."""
    if d.__class__ is dtype:
        return d.np
    return as_dtype(d).np


def as_dtype(d) -> dtype:
    """Normalise a dtype argument: an ember dtype, a NumPy dtype, or a Python type."""
    if d.__class__ is dtype:
        return d
    if d is _py_float:
        return _default[0]
    if d is _py_int:
        return int64
    if d is _py_bool:
        return bool
    if d is _py_complex:
        return _default[0].to_complex()
    if isinstance(d, str):
        return _NAMES[d.replace("torch.", "")]
    return from_np(np.dtype(d))


import builtins as _b  # noqa: E402

_py_float, _py_int, _py_bool, _py_complex = _b.float, _b.int, _b.bool, _b.complex
_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype of floating-point tensors made from Python floats (``torch.float32`` at start)."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (only ``float32`` and ``float64`` are useful here)."""
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d
    _result_cache.clear()


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype to which both can be cast, as torch defines it.

    >>> promote_types(uint8, int8)
    torch.int16
    """
    if type1 is type2:
        return type1
    c1, c2 = type1._cat, type2._cat
    if c1 != c2 and min(c1, c2) <= _INT and max(c1, c2) >= _FLOAT:
        return type1 if c1 > c2 else type2
    if c1 == _BOOL:
        return type2
    if c2 == _BOOL:
        return type1
    if bfloat16 in (type1, type2) and float16 in (type1, type2):
        return float32
    return from_np(np.promote_types(type1.np, type2.np))


def _combine(higher, lower):
    # torch's combine_categories: a tier of higher priority keeps its dtype unless a lower
    # tier holds a higher category.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._cat == _COMPLEX:
        return higher
    if lower._cat == _COMPLEX:
        return higher.to_complex() if higher._cat == _FLOAT else lower
    if higher._cat == _FLOAT:
        return higher
    if higher is bool or lower._cat == _FLOAT:
        return promote_types(higher, lower)
    return higher


def _scalar_dtype(x) -> dtype:
    if isinstance(x, _py_bool):
        return bool
    if isinstance(x, _py_int):
        return int64
    if isinstance(x, _py_float):
        return _default[0]
    if isinstance(x, _py_complex):
        return _default[0].to_complex()
    if isinstance(x, np.generic):
        return _scalar_dtype(x.item())
    raise TypeError(f"unsupported operand type: {type(x).__name__}")


_result_cache: dict = {}


def result_type(*operands) -> dtype:
    """The dtype torch gives an op on these operands (tensors and Python scalars).

    Dimensioned tensors outrank 0-d tensors, which outrank Python scalars; a lower tier only
    matters when it holds a higher category (bool < integer < floating < complex).

    >>> import ember
    >>> result_type(ember.tensor([1, 2]), 2.5)
    torch.float32
    """
    tiers = [None, None, None]
    for x in operands:
        d = getattr(x, "dtype", None)
        if d is not None and d.__class__ is dtype:
            tier = 0 if x.ndim else 1
        else:
            d, tier = _scalar_dtype(x), 2
        cur = tiers[tier]
        tiers[tier] = d if cur is None else promote_types(cur, d)
    out = _combine(tiers[0], _combine(tiers[1], tiers[2]))
    return out


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether torch allows casting ``from_`` to ``to`` in an in-place op (no category drop)."""
    return from_._cat <= to._cat


class finfo:
    """Machine limits of a floating dtype, as ``torch.finfo``."""

    def __init__(self, type: dtype = None):  # noqa: A002
        type = as_dtype(type) if type is not None else _default[0]
        i = np.finfo(type.np)
        self.bits, self.eps, self.max, self.min = i.bits, _b.float(i.eps), _b.float(i.max), _b.float(i.min)
        self.tiny = self.smallest_normal = _b.float(i.tiny)
        self.resolution, self.dtype = _b.float(i.resolution), type.name


class iinfo:
    """Limits of an integer dtype, as ``torch.iinfo``."""

    def __init__(self, type: dtype):  # noqa: A002
        type = as_dtype(type)
        i = np.iinfo(type.np) if type is not bool else np.iinfo(np.uint8)
        self.bits, self.max, self.min, self.dtype = i.bits, _b.int(i.max), _b.int(i.min), type.name
