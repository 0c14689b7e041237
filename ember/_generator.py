"""A random number generator that reproduces PyTorch's CPU generator bit for bit.

The engine is the 32-bit Mersenne Twister (mt19937) that PyTorch's ``CPUGeneratorImpl`` uses.
NumPy's ``MT19937`` bit generator runs the very same engine, so after both are seeded the
same way they produce the same stream of 32-bit words; everything in this module is about
turning those words into numbers exactly the way PyTorch's CPU kernels do.

Only this module touches the bit stream. The rest of ember calls the array-level sampling
methods of :class:`Generator` (``uniform``, ``normal``, ``random_``, ...) which return NumPy
arrays, and wraps the result into tensors.

>>> g = Generator().manual_seed(0)
>>> [round(float(v), 4) for v in g.uniform((3,), np.float32)]
[0.4963, 0.7682, 0.0885]

See ``docs/random.md`` for what is bit-identical and what is not.
"""
from __future__ import annotations

import math
import os
import struct
from typing import Optional, Sequence, Tuple, Union

import numpy as np

__all__ = ["Generator", "default_generator", "DEFAULT_SEED", "STATE_SIZE"]

# torch's seed for the default CPU generator when nothing else seeded it.
DEFAULT_SEED = 67280421310721

_N = 624  # mt19937 state words
# Layout of torch's CPUGeneratorImplState (x86-64, little endian):
#   0  uint64 the_initial_seed     8  int32 left      12 int32 seeded     16 uint64 next
#  24  uint64 state[624]        5016  double normal_x 5024 double normal_y 5032 double normal_rho
# 5040 int32 normal_is_valid    (pad to 5048)
# 5048 float next_float_normal_sample   5052 bool is_next_float_normal_sample_valid (pad to 5056)
STATE_SIZE = 5056
_LEGACY_STATE_SIZE = 5048
_OFF_STATE = 24
_OFF_TAIL = _OFF_STATE + 8 * _N

_U32 = np.uint32
_U64 = np.uint64
_TWO_PI_F32 = np.float32(2.0 * math.pi)
_CHUNK = 1 << 15  # elements per block in the vectorised kernels (keeps temporaries in cache)

ShapeLike = Union[int, Sequence[int]]


def _shape(shape: ShapeLike) -> Tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in shape)


def _numel(shape: Tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


# ----------------------------------------------------------------------------- libm
# PyTorch calls glibc's log/log1p/sin/cos/tan/exp for doubles. NumPy's float64 ufuncs call
# the same functions on most machines, but may use their own SIMD versions (for example on
# AVX-512). A one-off self-check decides whether the fast NumPy path may be used.
_LIBM_OK: dict = {}


def _libm(name: str, x: np.ndarray) -> np.ndarray:
    """``name`` (a ``math`` function) applied to a float64 array, bit-identical to libm."""
    ok = _LIBM_OK.get(name)
    if ok is None:
        f, g = getattr(np, name), getattr(math, name)
        probe = np.random.default_rng(12345).random(4096)
        if name in ("log1p",):
            probe = -probe
        elif name in ("sin", "cos", "tan"):
            probe = probe * 6.5
        elif name == "exp":
            probe = probe * 20.0 - 10.0
        ok = bool(np.array_equal(f(probe), np.array([g(v) for v in probe.tolist()])))
        _LIBM_OK[name] = ok
    if ok:
        return getattr(np, name)(x)
    g = getattr(math, name)
    flat = np.asarray(x, np.float64).ravel().tolist()
    out = []
    for v in flat:
        try:
            out.append(g(v))
        except (ValueError, OverflowError):
            out.append(getattr(np, name)(np.float64(v)))
    return np.array(out, np.float64).reshape(np.shape(x))


# ----------------------------------------------------------------------------- exact FMA
def _two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _split(a):
    t = a * 134217729.0  # 2**27 + 1
    hi = t - (t - a)
    return hi, a - hi


def _add_round_odd(a, b):
    """``a + b`` rounded to odd (float64): the emulation step of an exactly rounded FMA."""
    s, e = _two_sum(a, b)
    fix = (e != 0) & ((s.view(np.int64) & 1) == 0)
    if fix.any():
        s = np.where(fix, np.nextafter(s, np.where(e > 0, np.inf, -np.inf)), s)
    return s


def fma64(a, b, c) -> np.ndarray:
    """``a * b + c`` for float64 arrays with a single rounding, like C's ``fma``.

    >>> float(fma64(np.array([0.1]), np.array([10.0]), np.array([-1.0]))[0])
    5.551115123125783e-17
    """
    a, b, c = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(b, np.float64),
                                  np.asarray(c, np.float64))
    p = a * b
    ah, al = _split(a)
    bh, bl = _split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    th, tl = _two_sum(c, p)
    v = _add_round_odd(tl, e)
    out = th + v
    # Infinite/NaN or overflowing operands: the plain expression is what the hardware gives.
    bad = ~np.isfinite(out) | ~np.isfinite(p) | (np.abs(a) > 1e300) | (np.abs(b) > 1e300)
    if bad.any():
        out = np.where(bad, p + c, out)
    return out


def fma32(a, b, c) -> np.ndarray:
    """``a * b + c`` for float32 arrays with a single rounding (like ``vfmadd...ps``).

    >>> fma32(np.float32(3), np.float32(1/3), np.float32(-1)).dtype
    dtype('float32')
    """
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    c = np.asarray(c, np.float32)
    s = np.multiply(a, b, dtype=np.float64)  # the product is exact in float64
    s += c
    out = np.atleast_1d(s.astype(np.float32))
    sus = _f32_suspect(s).reshape(-1)
    if sus.any():
        shape = s.shape
        p = np.broadcast_to(np.multiply(a, b, dtype=np.float64), shape).reshape(-1)[sus]
        cc = np.broadcast_to(c.astype(np.float64), shape).reshape(-1)[sus]
        out = out.reshape(-1).copy()
        out[sus] = _add_round_odd(p, cc).astype(np.float32)
        out = out.reshape(shape)
    return out.reshape(s.shape)


def _fma32_scalar_bc(x: np.ndarray, b: np.float32, c: np.float32) -> np.ndarray:
    """``fma32(x, b, c)`` for a float32 array and float32 scalars (the uniform/normal case).

    ``x * b + c`` is computed in float64 (the product is exact) and rounded to float32; only
    lanes where the float64 sum is exactly half-way between two floats need the slow exact
    path. A float32-subnormal result is exact in float64 (so safe) as long as every term's
    last bit is >= 2**-178; for the uniform and normal kernels (|x| >= 2**-39) that holds
    unless ``b`` is below 2**-90, which is decided once from the scalar.
    """
    s = np.multiply(x, b, dtype=np.float64)
    s += c
    out = s.astype(np.float32)
    bits = s.view(np.uint64)
    sus = (bits & _U64(0x1FFFFFFF)) == _U64(0x10000000)
    if (b != 0 and abs(float(b)) < 2.0 ** -90) or (c != 0 and abs(float(c)) < 2.0 ** -100):
        sus |= np.abs(s) < 2.0 ** -125
    if sus.any():
        out[sus] = fma32(x[sus], b, c)
    return out


def _f32_suspect(s: np.ndarray) -> np.ndarray:
    """Where rounding the float64 ``s`` to float32 may differ from rounding the exact value.

    That happens only when ``s`` lies exactly half-way between two float32 numbers (or in the
    float32 subnormal range, which is treated the slow way).
    """
    bits = np.atleast_1d(s).view(np.uint64)
    mid = (bits & _U64(0x1FFFFFFF)) == _U64(0x10000000)
    tiny = (bits & _U64(0x7FF0000000000000)) < _U64(0x3820000000000000)  # |s| < 2**-125
    return (mid | tiny).reshape(np.shape(s))


# ----------------------------------------------------------------------------- helpers
def _u32_to_unit_f32(w: np.ndarray) -> np.ndarray:
    """Torch's float uniform in [0, 1): the low 24 bits of a 32-bit word times 2**-24."""
    x = (w & _U32(0xFFFFFF)).astype(np.float32)
    x *= _F(2.0 ** -24)
    return x


def _round_bf16(x: np.ndarray) -> np.ndarray:
    """Round float32 values to bfloat16 (nearest, ties to even), kept in float32 storage."""
    x = np.asarray(x, np.float32)
    b = x.view(np.uint32).astype(np.uint64)
    nan = np.isnan(x)
    b = ((b + _U64(0x7FFF) + ((b >> _U64(16)) & _U64(1))) & _U64(0xFFFF0000)).astype(np.uint32)
    out = b.view(np.float32)
    if nan.any():
        out = np.where(nan, x, out)
    return out


def _cast_from_double(x: np.ndarray, dtype) -> np.ndarray:
    """``static_cast<scalar_t>(double)`` as torch does it for floating dtypes."""
    dtype = np.dtype(dtype) if not isinstance(dtype, str) else dtype
    if dtype == "bfloat16":
        return _round_bf16(np.asarray(x, np.float64).astype(np.float32))
    if dtype == np.float16:
        # NOTE: c10::Half converts through float, so a double is rounded twice.
        return np.asarray(x, np.float64).astype(np.float32).astype(np.float16)
    return np.asarray(x, np.float64).astype(dtype)


_FLOAT_DIGITS = {np.dtype(np.float16): 11, np.dtype(np.float32): 24, np.dtype(np.float64): 53}


def _is_bf16(dtype) -> bool:
    return isinstance(dtype, str) and dtype == "bfloat16"


def _np_dtype(dtype):
    """A NumPy dtype, or the string ``"bfloat16"`` (stored as float32)."""
    if _is_bf16(dtype):
        return dtype
    name = getattr(dtype, "name", None)
    if name == "bfloat16" and not isinstance(dtype, np.dtype):
        return "bfloat16"
    np_ = getattr(dtype, "np", None)  # an ember dtype
    if np_ is not None:
        return np.dtype(np_)
    return np.dtype(dtype)


def _storage(dtype) -> np.dtype:
    return np.dtype(np.float32) if _is_bf16(dtype) else np.dtype(dtype)


# ----------------------------------------------------------------------------- AVX2 Box-Muller
# Float32 constants of the vectorised log/sin/cos torch uses (Cephes via "avx_mathfun").
_F = np.float32
_LOG_P = [_F(v) for v in (7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1,
                          1.4249322787E-1, -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1,
                          3.3333331174E-1)]
_LOG_Q1 = _F(-2.12194440e-4)
_LOG_Q2 = _F(0.693359375)
_SQRTHF = _F(0.707106781186547524)
_DP1 = _F(-0.78515625)
_DP2 = _F(-2.4187564849853515625e-4)
_DP3 = _F(-3.77489497744594108e-8)
_SIN_P = [_F(v) for v in (-1.9515295891E-4, 8.3321608736E-3, -1.6666654611E-1)]
_COS_P = [_F(v) for v in (2.443315711809948E-005, -1.388731625493765E-003, 4.166664568298827E-002)]
_FOPI = _F(1.27323954473516)


def _fma32_fast(a, b, c):
    """Float32 FMA through float64 without the half-way check (see ``_avx2_radius``)."""
    s = np.multiply(a, b, dtype=np.float64)
    s += c
    return s.astype(np.float32)


def _avx2_radius(a: np.ndarray, fma=_fma32_fast) -> np.ndarray:
    """``sqrt(-2 * log(1 - a))`` exactly as torch's AVX2 kernel computes it (float32).

    The compiled kernel evaluates Cephes' ``logf`` with fused multiply-adds. An FMA done in
    float64 and rounded to float32 is exact unless the float64 sum lands exactly half-way
    between two floats; since ``a`` can only take the 2**24 values ``k * 2**-24``, the test
    suite checks all of them against an exactly rounded FMA, so no check is needed here.
    """
    one = _F(1.0)
    x = one - a
    bits = x.view(np.int32)
    e = (bits >> 23).astype(np.float32)
    e -= _F(126.0)  # (exponent - 127) + 1
    xm = ((bits & 0x007FFFFF) | 0x3F000000).view(np.float32)
    fm = (xm < _SQRTHF).astype(np.float32)
    e -= fm
    # x = (xm - 1) + (xm if xm < sqrt(1/2) else 0): both forms are exact, so equal.
    x = xm * (one + fm)
    x -= one
    x64 = x.astype(np.float64)
    z = x * x
    y = fma(_LOG_P[0], x64, _LOG_P[1])
    for p in _LOG_P[2:]:
        y = fma(y, x64, p)
    y *= x
    y = fma(y, z, e * _LOG_Q1)
    z *= _F(0.5)
    y -= z  # vfnmadd with an exact product: one rounding either way
    x += y
    e *= _LOG_Q2  # vfmadd with an exact product (small integer times 0.693359375)
    e += x
    e *= _F(-2.0)
    return np.sqrt(e, out=e)


def _avx2_sincos(b: np.ndarray, fma=_fma32_fast):
    """``sin`` and ``cos`` of ``2 pi b`` as torch's AVX2 kernel computes them (float32).

    Like :func:`_avx2_radius`, exhaustively checked over all 2**24 possible inputs.
    """
    theta = _TWO_PI_F32 * b  # >= 0
    j = (theta * _FOPI).astype(np.int32)
    j += 1
    j &= ~1
    yj = j.astype(np.float32)
    x = yj * _DP1  # exact products: the fused and plain forms agree
    x += theta
    x = _DP2 * yj + x
    x = fma(yj, _DP3, x)
    x64 = x.astype(np.float64)
    z = x * x
    yc = fma(_COS_P[0], z, _COS_P[1])
    yc = fma(yc, z, _COS_P[2])
    yc *= z
    yc = fma(z, yc, -(z * _F(0.5)))
    yc += _F(1.0)
    ys = fma(_SIN_P[0], z, _SIN_P[1])
    ys = fma(ys, z, _SIN_P[2])
    ys *= z
    ys = fma(ys, x64, x64)
    # Select the polynomial per lane and fix the sign with integer masks, as the kernel does
    # (the unselected lane contributes +0.0, so a -0.0 result becomes +0.0).
    keep = -(((j & 2) == 0).astype(np.int32))  # all ones where the sine polynomial is used
    ysb = ys.view(np.int32)
    ycb = yc.view(np.int32)
    sin_b = (ysb & keep) | (ycb & ~keep)
    cos_b = (ycb & keep) | (ysb & ~keep)
    sin_v = sin_b.view(np.float32) + _F(0.0)
    cos_v = cos_b.view(np.float32) + _F(0.0)
    sin_b = sin_v.view(np.int32)
    sin_b ^= (j & 4) << 29
    cos_b = cos_v.view(np.int32)
    cos_b ^= (~(j - 2) & 4) << 29
    return sin_v, cos_v


def _box_muller_avx2(u: np.ndarray, mean: np.float32, std: np.float32) -> np.ndarray:
    """Torch's AVX2 ``normal_fill_16`` applied to every block of 16 float32 uniforms.

    ``u`` has shape ``(m, 16)``; the first 8 of each block feed the radius, the last 8 the
    angle; the cosine branch goes to the first 8 outputs, the sine branch to the last 8.
    """
    m = u.shape[0]
    radius = _avx2_radius(u[:, :8])
    sin_v, cos_v = _avx2_sincos(u[:, 8:])
    out = np.empty((m, 16), np.float32)
    n1 = np.multiply(radius, cos_v, out=out[:, :8])
    n2 = np.multiply(radius, sin_v, out=out[:, 8:])
    zero = _F(0.0)
    if std == _F(1.0):
        out += mean  # n * 1 is exact: the fma is a plain add (and -0.0 + 0.0 = +0.0)
    elif mean == zero:
        out *= std
        out += zero
    else:
        out[:] = _fma32_scalar_bc(out, std, mean)
    return out


def _box_muller_f64(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """Torch's scalar ``normal_fill_16`` for doubles on blocks of 16 uniforms."""
    m = u.shape[0]
    a = u[:, :8]
    b = u[:, 8:]
    radius = np.sqrt(-2.0 * _libm("log", 1.0 - a))
    theta = (2.0 * math.pi) * b
    c = radius * _libm("cos", theta)
    s = radius * _libm("sin", theta)
    out = np.empty((m, 16), np.float64)
    if std == 1.0 and mean == 0.0:
        out[:, :8] = c + 0.0
        out[:, 8:] = s + 0.0
    else:
        out[:, :8] = fma64(c, std, mean)
        out[:, 8:] = fma64(s, std, mean)
    return out


# ----------------------------------------------------------------------------- Generator
class Generator:
    """A CPU random number generator with ``torch.Generator``'s API and bit stream.

    >>> g = Generator().manual_seed(42)
    >>> g.initial_seed()
    42
    """

    def __init__(self, device: object = "cpu") -> None:
        dev = str(getattr(device, "type", device))
        if dev.split(":")[0] != "cpu":
            raise RuntimeError(f"ember only has CPU generators, got device '{device}'")
        # self._bg (NumPy's MT19937 holding the state) and self._npg are made on first use by
        # __getattr__: importing numpy.random costs ~13 ms, a tenth of ``import ember``
        self._seed = 0
        self._next_on_twist = 0  # torch's `next` field while a twist is pending
        self._normal_double: Optional[float] = None
        self._normal_float: Optional[float] = None
        self._legacy = (0.0, 0.0)  # normal_x, normal_rho: carried through get/set_state
        self.manual_seed(DEFAULT_SEED)

    def __getattr__(self, name: str):
        # only reached while the bit generator does not exist yet (see __init__)
        if name in ("_bg", "_npg"):
            bg = np.random.MT19937(0)
            bg._legacy_seeding(self._seed & 0xFFFFFFFF)  # as manual_seed would have
            self._bg = bg
            self._npg = np.random.Generator(bg)
            return getattr(self, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    # ------------------------------------------------------------------ torch API
    @property
    def device(self):
        """The generator's device (always CPU)."""
        try:
            from ._tensor import device as _device
            return _device("cpu")
        except Exception:  # pragma: no cover - before the core exists
            return "cpu"

    def manual_seed(self, seed: int) -> "Generator":
        """Seed the generator like ``torch.Generator.manual_seed`` and return it.

        >>> Generator().manual_seed(-1).initial_seed()
        18446744073709551615
        """
        seed = int(seed)
        if not (-(1 << 63) <= seed < (1 << 64)):
            raise RuntimeError("Overflow when unpacking long long")
        seed &= (1 << 64) - 1
        self._seed = seed
        if "_bg" in self.__dict__:  # else it is seeded from self._seed when first made
            self._bg._legacy_seeding(seed & 0xFFFFFFFF)  # init_genrand on the low 32 bits
        self._next_on_twist = 0
        self._normal_double = None
        self._normal_float = None
        self._legacy = (0.0, 0.0)
        return self

    def seed(self) -> int:
        """Re-seed from the operating system's entropy and return the new seed."""
        s = int.from_bytes(os.urandom(8), "little")
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._seed

    def get_state(self):
        """The full state as torch's 5056-byte layout (a uint8 tensor once the core exists).

        >>> len(Generator().get_state())
        5056
        """
        arr = self.get_state_bytes()
        try:
            from ._tensor import _wrap
            return _wrap(arr)
        except Exception:  # pragma: no cover - before the core exists
            return arr

    def get_state_bytes(self) -> np.ndarray:
        """The state as a NumPy uint8 array in torch's layout."""
        st = self._bg.state["state"]
        key = np.asarray(st["key"], np.uint32)
        pos = int(st["pos"])
        if pos >= _N:
            left, nxt = 1, self._next_on_twist
        else:
            left, nxt = _N + 1 - pos, pos
        buf = bytearray(STATE_SIZE)
        struct.pack_into("<QiiQ", buf, 0, self._seed, left, 1, nxt)
        buf[_OFF_STATE:_OFF_TAIL] = key.astype("<u8").tobytes()
        nd = self._normal_double
        nf = self._normal_float
        struct.pack_into("<dddi", buf, _OFF_TAIL, self._legacy[0],
                         0.0 if nd is None else nd, self._legacy[1], 0 if nd is None else 1)
        struct.pack_into("<f?", buf, _OFF_TAIL + 32, 0.0 if nf is None else nf, nf is not None)
        return np.frombuffer(bytes(buf), np.uint8).copy()

    def set_state(self, new_state) -> "Generator":
        """Restore a state from :meth:`get_state` (or from ``torch.Generator.get_state``)."""
        data = getattr(new_state, "_data", None)
        if data is None and hasattr(new_state, "numpy") and not isinstance(new_state, np.ndarray):
            data = new_state.numpy()
        if data is None:
            data = new_state
        arr = np.asarray(data)
        if arr.dtype != np.uint8:
            raise RuntimeError(
                f"expected a torch.ByteTensor, but got a tensor of dtype {arr.dtype}")
        raw = arr.tobytes()
        if len(raw) not in (STATE_SIZE, _LEGACY_STATE_SIZE):
            raise RuntimeError("Expected either a THGeneratorState of size "
                               f"{_LEGACY_STATE_SIZE} or a CPUGeneratorImplState of size "
                               f"{STATE_SIZE} but found the input RNG state size to be "
                               f"{len(raw)}")
        seed, left, seeded, nxt = struct.unpack_from("<QiiQ", raw, 0)
        if not (seeded and 0 < left <= _N and nxt <= _N):
            raise RuntimeError("Invalid mt19937 state")
        key = np.frombuffer(raw[_OFF_STATE:_OFF_TAIL], "<u8").astype(np.uint32)
        nx, ny, nrho, valid = struct.unpack_from("<dddi", raw, _OFF_TAIL)
        if left == 1:
            pos = _N
        else:
            pos = int(nxt)
        self._bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._seed = seed
        self._next_on_twist = int(nxt) if left == 1 else _N
        self._normal_double = float(ny) if valid else None
        self._legacy = (nx, nrho)
        if len(raw) == STATE_SIZE:
            fv, fvalid = struct.unpack_from("<f?", raw, _OFF_TAIL + 32)
            self._normal_float = float(fv) if fvalid else None
        else:
            self._normal_float = None
        return self

    def clone_state(self) -> "Generator":
        """A new generator in the same state."""
        g = Generator()
        g.set_state(self.get_state_bytes())
        return g

    def __repr__(self) -> str:
        return f"<ember.Generator object at {hex(id(self))}>"

    # ------------------------------------------------------------------ raw draws
    def random_u32(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit words (torch's ``random()``)."""
        n = int(n)
        if n <= 0:
            return np.empty(0, np.uint32)
        self._next_on_twist = _N
        return self._npg.integers(0, 1 << 32, n, dtype=np.uint32, endpoint=False)

    def random_u64(self, n: int) -> np.ndarray:
        """The next ``n`` 64-bit words (torch's ``random64()``: first word is the high half)."""
        w = self.random_u32(2 * int(n)).astype(np.uint64)
        return (w[0::2] << _U64(32)) | w[1::2]

    # ------------------------------------------------------------------ uniforms
    def _uniform01_f32(self, n: int) -> np.ndarray:
        return _u32_to_unit_f32(self.random_u32(n))

    def _uniform01_f64(self, n: int) -> np.ndarray:
        w = self.random_u64(n)
        return (w & _U64((1 << 53) - 1)).astype(np.float64) * (2.0 ** -53)

    def uniform(self, shape: ShapeLike, dtype=np.float32, low: float = 0.0,
                high: float = 1.0) -> np.ndarray:
        """Samples like ``torch.empty(shape, dtype).uniform_(low, high)``.

        >>> Generator().manual_seed(0).uniform(2, np.float64).tolist()
        [0.9700530018065531, 0.707819864399788]
        """
        shape = _shape(shape)
        n = _numel(shape)
        dtype = _np_dtype(dtype)
        if dtype == np.float64:
            lo, hi = float(low), float(high)
            _check_uniform(lo, hi, np.finfo(np.float64).max)
            v = self._uniform01_f64(n)
            if not (lo == 0.0 and hi == 1.0):
                # NOTE: torch's kernel is compiled with FMA contraction: x * (hi - lo) + lo is
                # one fma.
                for i in range(0, n, _CHUNK):
                    v[i:i + _CHUNK] = fma64(v[i:i + _CHUNK], hi - lo, lo)
            eq = v == hi
            if eq.any():
                v[eq] = lo
            return v.reshape(shape)
        if dtype not in (np.dtype(np.float32), np.dtype(np.float16)) and not _is_bf16(dtype):
            raise RuntimeError(f"\"check_uniform_bounds\" not implemented for '{dtype}'")
        lo, hi = np.float32(low), np.float32(high)
        _check_uniform(float(lo), float(hi), float(np.finfo(np.float32).max))
        w = self.random_u32(n)
        v = np.empty(n, np.float32)
        d = hi - lo
        for i in range(0, n, _CHUNK):
            x = _u32_to_unit_f32(w[i:i + _CHUNK])
            if lo == 0 and hi == 1:
                v[i:i + _CHUNK] = x
            else:
                # NOTE: x * (to - from) + from is one fma in torch's (FMA-compiled) kernel.
                v[i:i + _CHUNK] = _fma32_scalar_bc(x, d, lo)
        if dtype == np.float32:
            eq = v == hi
            if eq.any():
                v[eq] = lo
        else:
            # NOTE: half/bfloat16 compute in float, then round; a value that rounds up to the
            # upper bound is replaced by the lower bound.
            to_s = self._to_small(np.array([float(high)]), dtype)[0]
            from_s = self._to_small(np.array([float(low)]), dtype)[0]
            v = self._to_small(v, dtype)
            v = np.where(v == to_s, from_s, v)
        return v.reshape(shape)

    @staticmethod
    def _to_small(v: np.ndarray, dtype) -> np.ndarray:
        if _is_bf16(dtype):
            return _round_bf16(np.asarray(v, np.float64).astype(np.float32))
        return np.asarray(v, np.float64).astype(np.float32).astype(np.float16)

    # ------------------------------------------------------------------ normals
    def _normal_double_scalar(self, n: int, mean: float, std: float) -> np.ndarray:
        """``n`` draws of torch's scalar ``normal_distribution<double>`` (with its cache)."""
        out = np.empty(n, np.float64)
        i = 0
        if n and self._normal_double is not None:
            out[0] = self._normal_double
            self._normal_double = None
            i = 1
        rest = n - i
        if rest:
            pairs = (rest + 1) // 2
            u = self._uniform01_f64(2 * pairs).reshape(pairs, 2)
            u1, u2 = u[:, 0], u[:, 1]
            r = np.sqrt(-2.0 * _libm("log1p", -u2))
            theta = (2.0 * math.pi) * u1
            c = r * _libm("cos", theta)
            s = r * _libm("sin", theta)
            # pair k yields cos first; sin is cached and consumed by the next draw
            vals = np.empty(2 * pairs, np.float64)
            vals[0::2] = c
            vals[1::2] = s
            out[i:] = vals[:rest]
            if rest % 2:
                self._normal_double = float(s[-1])
        # NOTE: val * std + mean is contracted into an fma in torch's kernel.
        raw = out
        if std == 1.0 and mean == 0.0:
            return raw + 0.0
        return fma64(raw, std, mean)

    def normal(self, shape: ShapeLike, dtype=np.float32, mean: float = 0.0, std: float = 1.0,
               contiguous: bool = True) -> np.ndarray:
        """Samples like ``torch.empty(shape, dtype).normal_(mean, std)``.

        ``mean``/``std`` may be arrays: then the result is ``torch.normal(mean, std)``'s, which
        draws standard normals of the broadcast shape and then multiplies and adds.
        ``contiguous=False`` selects torch's path for non-contiguous outputs (values are
        returned in the order torch writes them).

        >>> Generator().manual_seed(0).normal(2, np.float64).tolist()
        [1.5409961082440433, -0.2934289057609464]
        """
        dtype = _np_dtype(dtype)
        if np.ndim(mean) or np.ndim(std) or isinstance(mean, np.ndarray) \
                or isinstance(std, np.ndarray):
            return self._normal_tensor(shape, dtype, mean, std)
        shape = _shape(shape)
        n = _numel(shape)
        mean, std = float(mean), float(std)
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        if n >= 16 and contiguous:
            return self._normal_fill(n, dtype, mean, std).reshape(shape)
        vals = self._normal_double_scalar(n, mean, std)
        return _cast_from_double(vals, dtype).reshape(shape)

    def _normal_fill(self, n: int, dtype, mean: float, std: float) -> np.ndarray:
        storage = _storage(dtype)
        if storage == np.float64:
            u = self._uniform01_f64(n)
            out = np.empty(n, np.float64)
            full = n // 16
            for s in range(0, full, _CHUNK // 16):
                e = min(full, s + _CHUNK // 16)
                out[16 * s:16 * e] = _box_muller_f64(u[16 * s:16 * e].reshape(-1, 16),
                                                     mean, std).reshape(-1)
            if n % 16:
                # NOTE: torch refills the last 16 slots with fresh uniforms and transforms them
                # again, overwriting part of the last full block.
                tail = self._uniform01_f64(16).reshape(1, 16)
                out[n - 16:] = _box_muller_f64(tail, mean, std).reshape(-1)
            return out
        fmean, fstd = np.float32(mean), np.float32(std)
        if storage == np.float32 and not _is_bf16(dtype):
            w = self.random_u32(n)
            out = np.empty(n, np.float32)
            full = n // 16
            for i in range(0, 16 * full, _CHUNK):
                e = min(16 * full, i + _CHUNK)
                u = _u32_to_unit_f32(w[i:e]).reshape(-1, 16)
                out[i:e] = _box_muller_avx2(u, fmean, fstd).reshape(-1)
            if n % 16:
                # NOTE: torch refills the last 16 slots with fresh uniforms and transforms them
                # again, overwriting part of the last full block.
                tail = self._uniform01_f32(16).reshape(1, 16)
                out[n - 16:] = _box_muller_avx2(tail, fmean, fstd).reshape(-1)
            return out
        # float16 / bfloat16: blocks of 16 float uniforms go through a buffer, so only
        # 16 * ceil(n / 16) uniforms are drawn (unlike float/double).
        full = n // 16
        u = self._uniform01_f32(16 * full)
        res = np.empty(n, np.float32)
        if full:
            res[:16 * full] = _box_muller_avx2(u.reshape(-1, 16), fmean, fstd).reshape(-1)
        if n % 16:
            tail = self._uniform01_f32(16).reshape(1, 16)
            res[n - 16:] = _box_muller_avx2(tail, fmean, fstd).reshape(-1)
        return self._to_small(res, dtype)

    def _normal_tensor(self, shape, dtype, mean, std) -> np.ndarray:
        mean_a = np.asarray(mean)
        std_a = np.asarray(std)
        if std_a.size and (std_a < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
        if shape is None or (isinstance(shape, (tuple, list)) and len(shape) == 0
                             and (mean_a.ndim or std_a.ndim)):
            shape = np.broadcast_shapes(mean_a.shape, std_a.shape)
        shape = _shape(shape)
        out = self.normal(shape, dtype, 0.0, 1.0)
        st = _storage(dtype)
        # NOTE: torch computes output.mul_(std).add_(mean): two roundings, no fma.
        out = (out * std_a.astype(st, copy=False)).astype(st, copy=False)
        if _is_bf16(dtype):
            out = _round_bf16(out)
        out = (out + mean_a.astype(st, copy=False)).astype(st, copy=False)
        if _is_bf16(dtype):
            out = _round_bf16(out)
        return out

    # ------------------------------------------------------------------ other distributions
    def _uniform01_double_serial(self, n: int) -> np.ndarray:
        return self._uniform01_f64(n)

    def exponential(self, shape: ShapeLike, dtype=np.float32, lambd: float = 1.0) -> np.ndarray:
        """Samples like ``torch.empty(shape, dtype).exponential_(lambd)``.

        >>> Generator().manual_seed(0).exponential(1, np.float64).round(6).tolist()
        [3.508326]
        """
        shape = _shape(shape)
        dtype = _np_dtype(dtype)
        lambd = float(lambd)
        if not lambd > 0.0:
            raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
        u = self._uniform01_f64(_numel(shape))
        v = (-1.0 / lambd) * _libm("log1p", -u)
        return _cast_from_double(v, dtype).reshape(shape)

    def geometric(self, shape: ShapeLike, dtype=np.float32, p: float = 0.5) -> np.ndarray:
        """Samples like ``torch.empty(shape, dtype).geometric_(p)``."""
        shape = _shape(shape)
        dtype = _np_dtype(dtype)
        p = float(p)
        if not 0.0 < p < 1.0:
            raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
        u = self._uniform01_f64(_numel(shape))
        v = np.ceil(_libm("log", u) / math.log(1.0 - p))
        return _cast_from_double(v, dtype).reshape(shape) if _storage(dtype).kind == "f" \
            else v.astype(np.int64).astype(_storage(dtype)).reshape(shape)

    def cauchy(self, shape: ShapeLike, dtype=np.float32, median: float = 0.0,
               sigma: float = 1.0) -> np.ndarray:
        """Samples like ``torch.empty(shape, dtype).cauchy_(median, sigma)``."""
        shape = _shape(shape)
        dtype = _np_dtype(dtype)
        u = self._uniform01_f64(_numel(shape))
        t = _libm("tan", math.pi * (u - 0.5))
        # NOTE: median + sigma * tan(...) is one fma in torch's kernel.
        v = fma64(np.full_like(t, float(sigma)), t, np.full_like(t, float(median)))
        return _cast_from_double(v, dtype).reshape(shape)

    def log_normal(self, shape: ShapeLike, dtype=np.float32, mean: float = 1.0,
                   std: float = 2.0) -> np.ndarray:
        """Samples like ``torch.empty(shape, dtype).log_normal_(mean, std)``."""
        shape = _shape(shape)
        dtype = _np_dtype(dtype)
        std = float(std)
        if not std > 0.0:
            raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
        v = _libm("exp", self._normal_double_scalar(_numel(shape), float(mean), std))
        return _cast_from_double(v, dtype).reshape(shape)

    def bernoulli(self, p, shape: Optional[ShapeLike] = None, dtype=np.float32) -> np.ndarray:
        """Samples like ``torch.empty(shape, dtype).bernoulli_(p)``.

        A Python float ``p`` compares a 53-bit uniform double with ``p``; an array ``p`` (the
        tensor overload, and ``torch.bernoulli(input)``) compares a 24-bit float uniform unless
        ``p`` is float64. ``p`` is broadcast to ``shape``.

        >>> Generator().manual_seed(0).bernoulli(0.5, (4,), np.int64).tolist()
        [0, 0, 1, 0]
        """
        dtype = _np_dtype(dtype)
        st = _storage(dtype)
        if isinstance(p, np.ndarray):
            shape = p.shape if shape is None else _shape(shape)
            pa = np.broadcast_to(p, shape)
            n = _numel(shape)
            if pa.size and ((pa < 0) | (pa > 1) | np.isnan(pa)).any():
                raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
            if p.dtype == np.float64:
                u = self._uniform01_f64(n).reshape(shape)
                r = u < pa
            else:
                u = self._uniform01_f32(n).reshape(shape)
                r = u < pa.astype(np.float32)
            return r.astype(st)
        p = float(p)
        if not 0.0 <= p <= 1.0:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
        shape = _shape(shape if shape is not None else ())
        u = self._uniform01_f64(_numel(shape))
        return (u < p).astype(st).reshape(shape)

    # ------------------------------------------------------------------ integers
    def random_(self, shape: ShapeLike, dtype=np.int64, low: Optional[int] = None,
                high: Optional[int] = None) -> np.ndarray:
        """Samples like ``torch.empty(shape, dtype).random_(...)``.

        ``random_()`` is ``low=None, high=None``; ``random_(to)`` is ``low=0, high=to``;
        ``random_(from, to)`` is ``low=from, high=to``; ``random_(from, None)`` is
        ``low=from, high=None`` (up to the dtype's maximum).

        >>> Generator().manual_seed(0).random_(3, np.int64, 0, 10).tolist()
        [4, 9, 3]
        """
        shape = _shape(shape)
        n = _numel(shape)
        dtype = _np_dtype(dtype)
        st = _storage(dtype)
        if low is None and high is None:
            return self._random_default(n, dtype).reshape(shape)
        low = 0 if low is None else int(low)
        if high is not None:
            high = int(high)
            if not low < high:
                raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                                   f"from={low} >= to={high}")
            if st.kind == "f":
                low, high = _update_from(low, dtype), _update_to(high, dtype)
                if not low < high:
                    raise RuntimeError("random_ expects 'from' casted to dtype to be less than "
                                       f"'to' casted to dtype, but got from={low} >= to={high}")
            _check_from_to(low, high - 1, dtype)
            rng = (high - low) & ((1 << 64) - 1)
            return self._random_from_to(n, rng, low, dtype).reshape(shape)
        if low != -(1 << 63):
            if st.kind == "f":
                to_inc = min(1 << _digits(dtype), (1 << 63) - 1)
                low = _update_from(low, dtype)
                if not low < to_inc:
                    raise RuntimeError("random_ expects 'from' casted to dtype to be less than "
                                       "or equal to 'to_inc' casted to dtype, but got "
                                       f"from={low} > to_inc={to_inc}")
            elif st == np.bool_:
                to_inc = 1
            else:
                to_inc = int(np.iinfo(st).max)
            _check_from_to(low, to_inc, dtype)
            rng = (to_inc - low + 1) & ((1 << 64) - 1)
            return self._random_from_to(n, rng, low, dtype).reshape(shape)
        # full 64-bit range
        if not (st in (np.dtype(np.int64), np.dtype(np.float64), np.dtype(np.float32))
                or _is_bf16(dtype)):
            raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, "
                               "double, float and bfloat16")
        v = self.random_u64(n).view(np.int64)
        return _int64_to(v, dtype).reshape(shape)

    def _random_default(self, n: int, dtype) -> np.ndarray:
        st = _storage(dtype)
        if st == np.float64 or st == np.int64:
            w = self.random_u64(n)
        else:
            w = self.random_u32(n).astype(np.uint64)
        if st == np.bool_:
            return (w & _U64(1)).astype(np.bool_)
        if st.kind == "f":
            mod = (1 << _digits(dtype)) + 1
            return _int64_to((w % _U64(mod)).astype(np.int64), dtype)
        mod = int(np.iinfo(st).max) + 1
        return (w % _U64(mod)).astype(st)

    def _random_from_to(self, n: int, rng: int, base: int, dtype) -> np.ndarray:
        # NOTE: torch switches to 64-bit draws once the range reaches 2**28 (for every dtype),
        # to keep the modulo skew small.
        wide = rng >= (1 << 28) or rng == 0
        w = self.random_u64(n) if wide else self.random_u32(n).astype(np.uint64)
        if rng == 0:  # the 2**64 range of random_(from=int64.min, to=None) never gets here
            rng_u = None
        else:
            rng_u = _U64(rng)
        r = w if rng_u is None else w % rng_u
        v = (r + _U64(base & ((1 << 64) - 1))).view(np.int64)  # wraps like uint64 in C++
        return _int64_to(v, dtype)

    def randint(self, low: int, high: int, shape: ShapeLike, dtype=np.int64) -> np.ndarray:
        """Samples like ``torch.randint(low, high, shape, dtype=dtype)``.

        >>> Generator().manual_seed(0).randint(0, 10, (3,)).tolist()
        [4, 9, 3]
        """
        return self.random_(shape, dtype, int(low), int(high))

    def randperm(self, n: int, dtype=np.int64) -> np.ndarray:
        """A permutation like ``torch.randperm(n, dtype=dtype)``.

        >>> Generator().manual_seed(0).randperm(5).tolist()
        [4, 0, 1, 3, 2]
        """
        n = int(n)
        if n < 0:
            raise RuntimeError(f"randperm is only implemented for non-negative n, got {n}")
        dtype = _np_dtype(dtype)
        st = _storage(dtype)
        if n < (2 ** 32 - 1) // 20:
            # Swap i with i + random() % (n - i), for i = 0 .. n-2.
            if n > 1:
                draws = self.random_u32(n - 1).astype(np.int64)
                z = (draws % np.arange(n, 1, -1, dtype=np.int64)).tolist()
                perm = list(range(n))
                for i, d in enumerate(z):
                    if d:
                        k = i + d
                        perm[i], perm[k] = perm[k], perm[i]
                res = np.array(perm, np.int64)
            else:
                res = np.arange(n, dtype=np.int64)
        else:
            # NOTE: large n: torch's "inside-out" Fisher-Yates on 64-bit draws.
            draws = self.random_u64(n)
            z = (draws % np.arange(1, n + 1, dtype=np.uint64)).astype(np.int64).tolist()
            perm = [0] * n
            for i, k in enumerate(z):
                perm[i] = perm[k]
                perm[k] = i
            res = np.array(perm, np.int64)
        return _int64_to(res, dtype)

    def multinomial(self, probs: np.ndarray, num_samples: int,
                    replacement: bool = False) -> np.ndarray:
        """Indices like ``torch.multinomial(probs, num_samples, replacement)`` (int64).

        >>> Generator().manual_seed(0).multinomial(np.array([0.2, 0.8]), 4, True).tolist()
        [1, 1, 1, 1]
        """
        p = np.asarray(probs)
        if p.ndim not in (1, 2):
            raise RuntimeError(f"prob_dist must be 1 or 2 dim, but got {p.ndim}")
        if p.dtype.kind != "f":
            raise RuntimeError("multinomial only supports floating-point dtypes for input, "
                               f"got: {p.dtype}")
        k = int(num_samples)
        if k <= 0:
            raise RuntimeError("cannot sample n_sample <= 0 samples")
        ncat = p.shape[-1]
        if not replacement and k > ncat:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                               "replacement")
        rows = p.reshape(-1, ncat) if p.ndim == 2 else p.reshape(1, ncat)
        if not replacement or k == 1:
            if rows.size and (not (rows.max() < np.inf) or not (rows.min() >= 0)):
                raise RuntimeError("probability tensor contains either `inf`, `nan` or "
                                   "element < 0")
            if (rows.sum(axis=1) == 0).any():
                raise RuntimeError("invalid multinomial distribution (sum of probabilities "
                                   "<= 0)")
            # NOTE: torch samples argmax/topk of p / q with q ~ Exp(1) drawn in p's dtype.
            q = self.exponential(rows.shape, p.dtype, 1.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                r = (rows / q).astype(p.dtype, copy=False)
            if k == 1:
                res = np.argmax(r, axis=1)[:, None]
            else:
                res = np.argsort(-r, axis=1, kind="stable")[:, :k]
            res = res.astype(np.int64)
        else:
            res = np.empty((rows.shape[0], k), np.int64)
            acc = np.float32 if p.dtype in (np.float16,) else p.dtype
            for i in range(rows.shape[0]):
                row = rows[i].astype(acc)
                if (row < 0).any() or not np.isfinite(row).all():
                    raise RuntimeError("invalid multinomial distribution (encountering "
                                       "probability entry < 0)")
                cum = np.cumsum(row, dtype=acc)
                total = cum[-1]
                if not total > 0:
                    raise RuntimeError("invalid multinomial distribution (sum of probabilities"
                                       " <= 0)")
                cum = (cum / total).astype(acc)
                cum[-1] = 1
                u = self._uniform01_f64(k)
                res[i] = np.searchsorted(cum.astype(np.float64), u, side="left")
        return res.reshape(k) if p.ndim == 1 else res

    # ------------------------------------------------------------------ nn.init helpers
    def trunc_normal_(self, shape: ShapeLike, dtype=np.float32, mean: float = 0.0,
                      std: float = 1.0, a: float = -2.0, b: float = 2.0) -> np.ndarray:
        """Like ``nn.init.trunc_normal_`` on a fresh tensor (torch's rejection sampler).

        When ``[a, b]`` holds more than 30% of the mass, torch redraws whole normal tensors
        until every element lies in ``[a, b]``; that path is bit-identical. Otherwise it
        samples uniforms on ``[a, b]`` and accepts with ``log(u) > log_pdf``; the float32 log
        is computed through float64 here, so a draw lying exactly at the acceptance boundary
        could be decided differently from torch's vectorised log (see docs/random.md).

        >>> v = Generator().manual_seed(0).trunc_normal_(1000, np.float32, 0.0, 1.0, -1.0, 1.0)
        >>> bool((abs(v) <= 1).all())
        True
        """
        shape = _shape(shape)
        n = _numel(shape)
        dtype = _np_dtype(dtype)
        st = _storage(dtype)

        def norm_cdf(x: float) -> float:
            return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

        p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
        if n == 0:
            return np.empty(shape, st)
        if p > 0.3:
            lo, hi = float(st.type(a)), float(st.type(b))
            result = self.normal(n, dtype, mean, std)
            while True:
                mask = (result < lo) | (result > hi)
                if not mask.any():
                    break
                result = np.where(mask, self.normal(n, dtype, mean, std), result)
            return result.reshape(shape)
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def log_pdf(c: np.ndarray) -> np.ndarray:
            c = (c - st.type(mean)).astype(st)
            c = (c / st.type(std)).astype(st)
            c = (c * c).astype(st)
            c = (c * st.type(-0.5)).astype(st)
            return (c - st.type(log_peak)).astype(st)

        def accept_log() -> np.ndarray:
            u = self.uniform(n, dtype)
            with np.errstate(divide="ignore"):
                return np.log(u.astype(np.float64)).astype(st)

        result = self.uniform(n, dtype, a, b)
        pending = accept_log() > log_pdf(result)
        while pending.any():
            cand = self.uniform(n, dtype, a, b)
            result = np.where(pending, cand, result)
            pending = np.where(pending, accept_log() > log_pdf(cand), pending)
        return result.reshape(shape)

    def orthogonal_(self, rows: int, cols: int, dtype=np.float32, gain: float = 1.0) -> np.ndarray:
        """Like ``nn.init.orthogonal_`` on a ``(rows, cols)`` matrix.

        The normal draw is identical to torch's; the QR factorisation comes from NumPy's
        LAPACK, so the result can differ from torch's in the last bits.
        """
        flat = self.normal((rows, cols), dtype, 0.0, 1.0)
        if rows < cols:
            flat = flat.T
        q, r = np.linalg.qr(flat)
        d = np.sign(np.diag(r))
        q = q * d
        if rows < cols:
            q = q.T
        st = _storage(_np_dtype(dtype))
        return (q * st.type(gain)).astype(st)


def _check_uniform(lo: float, hi: float, maxv: float) -> None:
    if not lo <= hi:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={lo:g}"
                           f" > to={hi:g}")
    if not hi - lo <= maxv:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{'double' if maxv > 1e300 else 'float'}>::max(), but found to={hi:g} and from={lo:g} which result in to-from to exceed the limit")


def _digits(dtype) -> int:
    if _is_bf16(dtype):
        return 8
    return _FLOAT_DIGITS[np.dtype(dtype)]


def _int64_to(v: np.ndarray, dtype) -> np.ndarray:
    """``static_cast<scalar_t>(int64)`` for every dtype."""
    st = _storage(dtype)
    if _is_bf16(dtype):
        # int64 -> bfloat16 goes through float
        return _round_bf16(v.astype(np.float32))
    if st == np.float16:
        return v.astype(np.float32).astype(np.float16)
    if st == np.bool_:
        return v != 0
    return v.astype(st)


def _update_from(frm: int, dtype) -> int:
    """torch's adjustment of ``from`` so that it survives a cast to a floating dtype."""
    st = _storage(dtype)
    cast = int(_int64_to(np.array([frm + 1], np.int64), dtype).astype(np.float64)[0]) \
        if st.kind == "f" else frm + 1
    if cast < frm:
        f = abs(frm + 1)
        nbits = f.bit_length() - 1
        frm = cast + (1 << (nbits - _digits(dtype) + 1))
    return frm


def _update_to(to: int, dtype) -> int:
    """torch's adjustment of ``to`` so that it survives a cast to a floating dtype."""
    cast = int(_int64_to(np.array([to - 1], np.int64), dtype).astype(np.float64)[0])
    if cast >= to:  # NOTE: torch compares with >= here (and with < in update_from)
        t = abs(to - 1)
        nbits = t.bit_length() - 1
        to = cast - (1 << (nbits - _digits(dtype) + 1))
    return to


def _check_from_to(frm: int, to_inc: int, dtype) -> None:
    st = _storage(dtype)
    if st == np.bool_:
        lo, hi, name = 0, 1, "bool"
    elif st.kind == "f":
        # NOTE: torch only warns past 2**digits; it errors past the dtype's finite range.
        big = float(np.finfo(np.float32 if _is_bf16(dtype) else st).max)
        name = "bfloat16" if _is_bf16(dtype) else {2: "half", 4: "float", 8: "double"}[st.itemsize]
        if not (-big <= frm <= big):
            raise RuntimeError(f"from is out of bounds for {name}")
        if not (-big <= to_inc <= big):
            raise RuntimeError(f"to - 1 is out of bounds for {name}")
        return
    else:
        info = np.iinfo(st)
        lo, hi, name = int(info.min), int(info.max), str(st)
    if not (lo <= frm <= hi):
        raise RuntimeError(f"from is out of bounds for {name}")
    if not (lo <= to_inc <= hi):
        raise RuntimeError(f"to - 1 is out of bounds for {name}")


default_generator = Generator()
