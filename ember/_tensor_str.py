"""Tensor printing: ``repr``/``str``/``format`` of tensors, character for character as torch.

Everything is computed from the tensor's NumPy array (``t._data``).  Only the elements that
are actually shown are formatted one by one; the column width, the choice between the fixed
and the scientific format and the integer-valued check are whole-array NumPy reductions, so a
large tensor (which is summarised with ``...``) prints quickly.

>>> import ember
>>> ember.tensor([1.0, 2.5])
tensor([1.0000, 2.5000])
>>> with printoptions(precision=2):
...     ember.tensor([1.0, 2.5])
tensor([1.00, 2.50])
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import Any, Iterator

from ._backend import np

__all__ = [
    "set_printoptions", "get_printoptions", "printoptions",
    "tensor_repr", "tensor_str", "format_tensor", "PRINT_OPTS",
]


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

# name -> (precision, threshold, edgeitems, linewidth)
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the options used to print tensors (same names and defaults as torch).

    ``profile`` is one of ``'default'``, ``'short'``, ``'full'``; the other arguments override
    it.  ``sci_mode`` is always set (``None``, its default, means "choose automatically").

    >>> set_printoptions(precision=2)
    >>> get_printoptions()["precision"]
    2
    >>> set_printoptions(profile="default")
    """
    if profile is not None and profile in _PROFILES:
        (PRINT_OPTS.precision, PRINT_OPTS.threshold,
         PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth) = _PROFILES[profile]
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    # NOTE: torch resets sci_mode on every call, even when only another option is given.
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for :func:`set_printoptions`.

    >>> get_printoptions()
    {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Context manager that sets print options and restores the previous ones on exit.

    >>> with printoptions(threshold=5):
    ...     get_printoptions()["threshold"]
    5
    """
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# ----------------------------------------------------------------------------- formatting

class _Formatter:
    """Column width and number style shared by every element of one tensor (or of the real,
    or the imaginary, parts of a complex tensor), decided from ``values``."""

    __slots__ = ("floating", "int_mode", "sci_mode", "width", "precision")

    def __init__(self, values, floating: bool):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        self.precision = p = PRINT_OPTS.precision
        flat = np.asarray(values).reshape(-1)
        if not floating:
            if flat.size:
                if flat.dtype == np.bool_:
                    # str(False) is the longer of the two spellings
                    self.width = 5 if not flat.all() else 4
                else:
                    lo, hi = int(flat.min()), int(flat.max())
                    self.width = max(1, len(str(lo)), len(str(hi)))
            return
        nonzero = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero.size == 0:
            return
        mag = np.abs(nonzero).astype(np.float64)
        lo, hi = mag.min(), mag.max()
        self.int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
        if PRINT_OPTS.sci_mode is None:
            with np.errstate(over="ignore"):  # 1e300 / 1e-300 is inf, which is > 1000 too
                ratio = hi / lo
            self.sci_mode = bool(ratio > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)
        else:
            self.sci_mode = bool(PRINT_OPTS.sci_mode)
        if self.sci_mode:
            spec, extra = f".{p}e", 0
        elif self.int_mode:
            # the trailing "." of an integer-valued float counts towards the width
            spec, extra = ".0f", 1
        else:
            spec, extra = f".{p}f", 0
        # The printed length grows with the magnitude within each sign, and in scientific
        # notation also with the exponent's digit count, so the widest string is one of the
        # extreme magnitudes of each sign.
        wide = nonzero.astype(np.float64)
        pos, neg = wide[wide > 0], wide[wide < 0]
        candidates = []
        if pos.size:
            candidates += [pos.min(), pos.max()]
        if neg.size:
            candidates += [neg.min(), neg.max()]
        self.width = max(1, max(len(format(float(v), spec)) + extra for v in candidates))

    def format(self, value) -> str:
        """One element (a Python number), right-aligned to the shared width."""
        if self.floating:
            if self.sci_mode:
                text = format(value, f"{self.width}.{self.precision}e")
            elif self.int_mode:
                text = format(value, ".0f")
                if math.isfinite(value):
                    text += "."
            else:
                text = format(value, f".{self.precision}f")
        else:
            text = str(value)
        return text.rjust(self.width)


def _complex_text(value: complex, real_fmt: _Formatter, imag_fmt: _Formatter) -> str:
    real = real_fmt.format(value.real)
    # NOTE: the imaginary part loses its padding; the sign (also of -0. and nan) joins the parts
    imag = (imag_fmt.format(value.imag) + "j").lstrip()
    if imag[0] in "+-":
        return real + imag
    return real + "+" + imag


def _summarized(a):
    """The elements a summarised print shows (``edgeitems`` at each end of every long axis)."""
    e = PRINT_OPTS.edgeitems
    if a.ndim == 0:
        return a
    if not e:
        # NOTE: torch takes a[:0] and a[-0:] of a 1-d tensor, i.e. all of it; n-d gives nothing.
        return a if a.ndim == 1 else a[(slice(0, 0),) * a.ndim]
    for axis, n in enumerate(a.shape):
        if n > 2 * e:
            keep = np.r_[0:e, n - e:n]
            a = np.take(a, keep, axis=axis)
    return a


def _layout(strs, shape: tuple, cut: tuple, indent: int, per_line_width: int) -> str:
    """Nest the formatted elements (a NumPy object array of ``shape``) in brackets; ``cut[k]``
    says that axis ``k`` was summarised (a ``...`` goes in its middle)."""
    e = PRINT_OPTS.edgeitems

    def block(s, depth: int, ind: int) -> str:
        dim = s.ndim
        if dim == 1:
            items = s.tolist()
            if cut[depth]:
                items = items[:e] + [" ..."] + items[e:]
            per_line = max(1, math.floor((PRINT_OPTS.linewidth - ind) / per_line_width))
            lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
            return "[" + (",\n" + " " * (ind + 1)).join(lines) + "]"
        parts = [block(s[i], depth + 1, ind + 1) for i in range(s.shape[0])]
        if cut[depth]:
            parts = parts[:e] + ["..."] + parts[e:]
        return "[" + ("," + "\n" * (dim - 1) + " " * (ind + 1)).join(parts) + "]"

    return block(strs, 0, indent)


def _data_str(a, floating: bool, is_complex: bool, indent: int) -> str:
    """The bracketed contents of a tensor whose printed text starts ``indent`` columns in."""
    if a.size == 0:
        return "[]"
    summarize = a.size > PRINT_OPTS.threshold
    e = PRINT_OPTS.edgeitems
    if summarize and not e and a.ndim:
        return "[...]"
    shown = _summarized(a) if summarize else a
    if is_complex:
        real_fmt = _Formatter(shown.real, True)
        imag_fmt = _Formatter(shown.imag, True)
        elem_width = real_fmt.width + 2 + imag_fmt.width + 1
    else:
        real_fmt = _Formatter(shown, floating)
        imag_fmt = None
        elem_width = real_fmt.width + 2

    if a.ndim == 0:
        value = a.item()
        return _complex_text(value, real_fmt, imag_fmt) if is_complex else real_fmt.format(value)

    values = shown.reshape(-1).tolist()
    if is_complex:
        texts = [_complex_text(v, real_fmt, imag_fmt) for v in values]
    else:
        fmt = real_fmt.format
        texts = [fmt(v) for v in values]
    strs = np.empty(len(texts), dtype=object)
    strs[:] = texts
    strs = strs.reshape(shown.shape)
    cut = tuple(summarize and n > 2 * e for n in a.shape)
    return _layout(strs, shown.shape, cut, indent, elem_width)


def _add_suffixes(text: str, suffixes: list, indent: int) -> str:
    out = [text]
    # NOTE: torch's "last line length" is one too long with a newline and two without one.
    last_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            out.append(",\n" + " " * indent + suffix)
            last_len = indent + len(suffix)
        else:
            out.append(", " + suffix)
            last_len += len(suffix) + 2
    out.append(")")
    return "".join(out)


def _default_dtype_name() -> str:
    try:
        from ._dtype import get_default_dtype
    except ImportError:  # pragma: no cover - the package always has _dtype
        return "float32"
    return get_default_dtype().name


def _grad_fn_name(grad_fn) -> str:
    name = getattr(grad_fn, "name", None)
    name = name() if callable(name) else type(grad_fn).__name__
    return name.rsplit("::", 1)[-1]


def tensor_repr(t, *, tensor_contents: str | None = None) -> str:
    """The text torch's ``repr(tensor)`` gives: contents, then ``size=``/``dtype=``/grad
    suffixes.  ``tensor_contents`` replaces the bracketed contents, as in torch.

    >>> import ember
    >>> tensor_repr(ember.tensor([[1, 2], [3, 4]], dtype=ember.int32))
    'tensor([[1, 2],\\n        [3, 4]], dtype=torch.int32)'
    """
    a = np.asarray(t._data)
    dtype = t.dtype
    plain = type(t).__name__ in ("Tensor", "Parameter")
    prefix = "tensor(" if plain else type(t).__name__ + "("
    indent = len(prefix)
    suffixes = []

    default = _default_dtype_name()
    default_complex = "complex128" if default == "float64" else "complex64"
    name = dtype.name
    if a.size == 0:
        # NOTE: a (0,) tensor shows no size; nothing to infer the dtype from, so any dtype but
        # the default floating one is shown (int64 and bool included).
        if a.ndim != 1:
            suffixes.append("size=" + str(tuple(a.shape)))
        if name != default:
            suffixes.append("dtype=" + repr(dtype))
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(a.shape)))
        if name not in (default, default_complex, "int64", "bool"):
            suffixes.append("dtype=" + repr(dtype))
        body = None
    if tensor_contents is not None:
        body = tensor_contents
    elif body is None:
        body = _data_str(a, bool(dtype.is_floating_point), bool(dtype.is_complex), indent)

    grad_fn = getattr(t, "grad_fn", None)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{_grad_fn_name(grad_fn)}>")
    elif getattr(t, "requires_grad", False):
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


def tensor_str(t) -> str:
    """``str(tensor)``: the same text as ``repr`` (torch defines no separate ``__str__``).

    >>> import ember
    >>> tensor_str(ember.tensor(0.5))
    'tensor(0.5000)'
    """
    return tensor_repr(t)


def format_tensor(t, spec: str) -> str:
    """``format(tensor, spec)``: a 0-d plain tensor formats its Python number with ``spec``;
    anything else goes to ``object.__format__`` (its ``str`` for an empty spec, otherwise
    the TypeError Python raises).

    >>> import ember
    >>> f"{ember.tensor(2.0):.3f}"
    '2.000'
    """
    if type(t).__name__ == "Tensor" and np.ndim(t._data) == 0:
        return np.asarray(t._data).item().__format__(spec)
    return object.__format__(t, spec)
