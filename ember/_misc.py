"""Process-wide settings real scripts touch: threads, default device, determinism, compile.

>>> import ember
>>> ember.compile(abs) is abs
True
"""
from __future__ import annotations

import os

__all__ = ["set_num_threads", "get_num_threads", "set_num_interop_threads", "get_num_interop_threads",
           "set_default_device", "get_default_device", "use_deterministic_algorithms",
           "are_deterministic_algorithms_enabled", "compile", "set_float32_matmul_precision",
           "get_float32_matmul_precision", "typename", "set_flush_denormal", "is_storage",
           "set_warn_always", "is_warn_always_enabled", "is_nonzero", "is_same_size", "autocast"]

_state = {"threads": int(os.environ.get("OMP_NUM_THREADS", 0) or os.environ.get("OPENBLAS_NUM_THREADS", 0) or os.cpu_count() or 1), "interop": os.cpu_count() or 1, "deterministic": False,
          "matmul_precision": "highest", "warn_always": False}


def _blas_set_threads(n: int) -> bool:
    """Resize NumPy's OpenBLAS thread pool through its C API (found among the loaded libraries)."""
    import ctypes
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "openblas" in line.lower() and ".so" in line}
    except OSError:
        return False
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for sym in ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads",
                    "openblas_set_num_threads64_", "openblas_set_num_threads"):
            fn = getattr(lib, sym, None)
            if fn is not None:
                fn(ctypes.c_int(n))
                return True
    return False


def set_num_threads(n: int) -> None:
    """Set the number of threads of NumPy's BLAS (the pool ember's matrix products run on).

    >>> import ember
    >>> ember.set_num_threads(1); ember.get_num_threads()
    1
    """
    if n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _state["threads"] = int(n)
    _blas_set_threads(int(n))


def get_num_threads() -> int:
    return _state["threads"]


def set_num_interop_threads(n: int) -> None:
    _state["interop"] = int(n)


def get_num_interop_threads() -> int:
    return _state["interop"]


def set_default_device(device) -> None:
    """Only the CPU holds tensors here; other devices raise as CPU-only torch does."""
    from ._tensor import _check_device, device as _dev
    if device is not None:
        _check_device(_dev(device) if not isinstance(device, _dev) else device)


def get_default_device():
    from ._tensor import device
    return device("cpu")


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted: every ember op is already deterministic."""
    _state["deterministic"] = bool(mode)


def are_deterministic_algorithms_enabled() -> bool:
    return _state["deterministic"]


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,  # noqa: A001
            options=None, disable=False):
    """Returns the function or module unchanged (ember runs eagerly)."""
    if model is None:
        return lambda m: m
    return model


def set_float32_matmul_precision(precision: str) -> None:
    _state["matmul_precision"] = precision


def get_float32_matmul_precision() -> str:
    return _state["matmul_precision"]


def set_warn_always(b: bool) -> None:
    _state["warn_always"] = bool(b)


def is_warn_always_enabled() -> bool:
    return _state["warn_always"]


def typename(obj) -> str:
    from ._tensor import Tensor
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__module__ + "." + type(obj).__qualname__


def set_flush_denormal(mode: bool) -> bool:
    return False


def is_storage(obj) -> bool:
    return False


def is_nonzero(input) -> bool:
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous" if input.numel() else
                           "Boolean value of Tensor with no values is ambiguous")
    return bool(input.item())


def is_same_size(a, b) -> bool:
    return tuple(a.shape) == tuple(b.shape)


from .amp import autocast  # noqa: E402
