"""Matrix products, each with its derivative.

>>> import ember
>>> a = ember.ones(2, 3)
>>> (a @ ember.ones(3)).shape
torch.Size([2])
"""
from __future__ import annotations

from ._util import M, Node, SavedTensor, Tensor, _wrap, binary, methods, needs_grad, np, record
from .shape import _contig

__all__ = ["matmul", "mm", "dot", "mv", "bmm"]


def _col_major(a) -> bool:
    """A 2-d array laid out column by column (a transposed contiguous matrix, e.g. ``w.t()``)."""
    return a.ndim == 2 and not a.flags.c_contiguous and a.flags.f_contiguous


def _mat1_grad(g, mat2, mat1_col_major):
    # NOTE: as torch's mm_mat1_backward: when mat1 was column-major, compute the transposed
    # product so that the gradient comes out in mat1's own layout (no transposing copy later).
    if mat1_col_major:
        return mat2.mm(g.t()).t()
    return g.mm(mat2.t())


def _mat2_grad(g, mat1, mat2_col_major):
    # NOTE: as torch's mm_mat2_backward: for a column-major mat2 (Linear's ``weight.t()``) the
    # gradient is computed as (grad^T @ mat1)^T, so after the transpose node it is contiguous.
    if mat2_col_major:
        return g.t().mm(mat1).t()
    return mat1.t().mm(g)


class MmBackward0(Node):
    """self: grad @ mat2.T; mat2: self.T @ grad."""

    __slots__ = ("self_", "mat2", "m1_cm", "m2_cm")

    def backward(self, g):
        nf = self.next_functions
        ga = _mat1_grad(g, self.mat2.unpack(), self.m1_cm) if nf[0][0] is not None else None
        gb = _mat2_grad(g, self.self_.unpack(), self.m2_cm) if nf[1][0] is not None else None
        return ga, gb


class DotBackward0(Node):
    __slots__ = ("self_", "other")

    def backward(self, g):
        ga = g * self.other.unpack() if self.next_functions[0][0] is not None else None
        gb = g * self.self_.unpack() if self.next_functions[1][0] is not None else None
        return ga, gb


class MvBackward0(Node):
    __slots__ = ("self_", "vec")

    def backward(self, g):
        ga = g.unsqueeze(1) * self.vec.unpack().unsqueeze(0) if self.next_functions[0][0] is not None else None
        gb = self.self_.unpack().t().mv(g) if self.next_functions[1][0] is not None else None
        return ga, gb


class BmmBackward0(Node):
    __slots__ = ("self_", "mat2")

    def backward(self, g):
        ga = g.matmul(self.mat2.unpack().transpose(-1, -2)) if self.next_functions[0][0] is not None else None
        gb = self.self_.unpack().transpose(-1, -2).matmul(g) if self.next_functions[1][0] is not None else None
        return ga, gb


class UnsafeViewBackward0(Node):
    def backward(self, g):
        return (g.reshape(self._meta[0][0]),)


def _unsafe_view(t, shape):
    """A reshape recorded as torch's ``_unsafe_view`` (what matmul ends with)."""
    r = _wrap(t._data.reshape(shape))
    if needs_grad(t):
        record(UnsafeViewBackward0, r, (t,))
    return r


def _save2(n, ta, tb, name_a, name_b):
    setattr(n, name_a, SavedTensor(ta) if tb._rg else None)
    setattr(n, name_b, SavedTensor(tb) if ta._rg else None)


def _promote(a, b):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        raise TypeError("matmul(): argument 'other' (position 1) must be Tensor, not " + type(b).__name__)
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype.name} != {b.dtype.name}"
                           .replace("float32", "float").replace("float64", "double").replace("int64", "long int"))
    return a._data, b._data


def mm(input, mat2) -> Tensor:
    """Matrix product of two 2-d tensors."""
    a, b = _promote(input, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"{'self' if a.ndim != 2 else 'mat2'} must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(M.MATMUL_SHAPES.format(a0=a.shape[0], a1=a.shape[1], b0=b.shape[0], b1=b.shape[1]))
    r = _wrap(np.matmul(a, b))
    if needs_grad(input, mat2):
        n = record(MmBackward0, r, (input, mat2))
        _save2(n, input, mat2, "self_", "mat2")
        n.m1_cm, n.m2_cm = _col_major(a), _col_major(b)
    return r


def dot(input, other) -> Tensor:
    """Dot product of two 1-d tensors."""
    a, b = _promote(input, other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively")
    r = _wrap(np.asarray(np.dot(a, b)))
    if needs_grad(input, other):
        _save2(record(DotBackward0, r, (input, other)), input, other, "self_", "other")
    return r


def mv(input, vec) -> Tensor:
    """Matrix-vector product."""
    a, b = _promote(input, vec)
    if a.ndim != 2 or b.ndim != 1 or a.shape[1] != b.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({a.shape[0]}x{a.shape[1] if a.ndim > 1 else ''}), vec ({b.shape[0]})")
    r = _wrap(np.matmul(a, b))
    if needs_grad(input, vec):
        _save2(record(MvBackward0, r, (input, vec)), input, vec, "self_", "vec")
    return r


def bmm(input, mat2) -> Tensor:
    """Batched matrix product of two 3-d tensors."""
    a, b = _promote(input, mat2)
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if a.ndim != 3 else "batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, {a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    r = _wrap(np.matmul(a, b))
    if needs_grad(input, mat2):
        _save2(record(BmmBackward0, r, (input, mat2)), input, mat2, "self_", "mat2")
    return r


def _should_fold(a, b):
    """torch's test for folding the batch of the larger operand into one GEMM."""
    da, db = a._data.ndim, b._data.ndim
    larger = da >= db
    t1 = a._data if larger else np.swapaxes(b._data, -1, -2)
    dim_t2 = db if larger else da
    if not (t1.ndim >= 3 and dim_t2 <= 2):
        return False
    if (b if larger else a)._rg:
        return True
    if da == 2:
        return False
    if t1.size == 0:
        return True
    st = [s // t1.itemsize for s in t1.strides]
    return all(st[i] == st[i + 1] * t1.shape[i + 1] for i in range(t1.ndim - 2))


def matmul(input, other) -> Tensor:
    """Matrix product with torch's rules for 1-d, 2-d and batched (broadcast) operands.

    # NOTE: the decomposition (dot/mv/mm, folding a batch into one mm, or expand+bmm) follows
    # torch's, so the graph shows the same nodes (e.g. UnsafeViewBackward0 over MmBackward0).

    >>> matmul(ember.ones(2, 3), ember.ones(3, 4)).shape
    torch.Size([2, 4])
    """
    a, b = _promote(input, other)
    da, db = a.ndim, b.ndim
    if da == 0 or db == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
    if da == 1 and db == 1:
        return dot(input, other)
    if da == 2 and db == 1:
        return mv(input, other)
    if da == 1 and db == 2:
        return _squeeze4(mm(input.unsqueeze(0), other), 0)
    if da == 2 and db == 2:
        return mm(input, other)
    if _should_fold(input, other):
        transpose = db > da
        t1 = other.mT if transpose else input
        t2 = (input.t() if da == 2 else input) if transpose else other
        s1 = t1._data.shape
        out_shape = s1[:-1]
        folded = int(np.prod(out_shape))
        t1f = t1.reshape(folded, s1[-1])
        if t2._data.ndim == 2:
            out = _unsafe_view(mm(t1f, t2), out_shape + (t2._data.shape[1],))
            return out.mT.contiguous() if transpose else out
        return _unsafe_view(mv(t1f, t2), out_shape)
    n = a.shape[-2] if da > 1 else 1
    m1 = a.shape[-1]
    batch1 = a.shape[:max(da - 2, 0)]
    m2 = b.shape[-2] if db > 1 else b.shape[0]
    p = b.shape[-1] if db > 1 else 1
    batch2 = b.shape[:max(db - 2, 0)]
    if da == 3 and db == 3 and batch1[0] != batch2[0]:
        if batch1[0] == 1 and input._rg:
            return matmul(input.squeeze(0), other)
        if batch2[0] == 1 and other._rg:
            return matmul(input, other.squeeze(0))
    if m1 != m2:
        raise RuntimeError(M.MATMUL_SHAPES.format(a0=int(np.prod(a.shape[:-1])), a1=m1, b0=m2, b1=p) if db > 1 else
                           f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{int(np.prod(np.broadcast_shapes(batch1, batch2)))}, {m1}] but got: "
                           f"[{int(np.prod(np.broadcast_shapes(batch1, batch2)))}, {m2}].")
    try:
        batch = tuple(np.broadcast_shapes(batch1, batch2))
    except ValueError:
        from ._util import broadcast_error
        raise broadcast_error(batch1, batch2) from None
    nb = int(np.prod(batch))
    x = input.expand(batch + (n, m1)).reshape(nb, n, m1)
    if db == 1:
        y = other.expand(batch + (m2,)).reshape(nb, m2).unsqueeze(2)
    else:
        y = other.expand(batch + (m2, p)).reshape(nb, m2, p)
    out_shape = batch + ((n,) if da > 1 else ()) + ((p,) if db > 1 else ())
    r = bmm(x, y)
    if db == 1:
        r = r.squeeze(-1)
    return _unsafe_view(r, out_shape)


class SqueezeBackward4(Node):
    def backward(self, g):
        return (g.reshape(self._meta[0][0]),)


def _squeeze4(t, dim):
    r = _wrap(np.squeeze(t._data, dim))
    if needs_grad(t):
        record(SqueezeBackward4, r, (t,))
    return r


methods(matmul=matmul, mm=mm, dot=dot, mv=mv, bmm=bmm, __matmul__=matmul,
        __rmatmul__=lambda self, other: matmul(other, self))


# ------------------------------------------------------------------------------------------
# more products


class VdotBackward0(Node):
    __slots__ = ("self_", "other")

    def backward(self, g):
        ga = self.other.unpack().conj() * g.conj() if self.next_functions[0][0] is not None else None
        gb = self.self_.unpack() * g if self.next_functions[1][0] is not None else None
        return ga, gb


def vdot(input, other) -> Tensor:
    """Dot product of two 1-d tensors, conjugating the first."""
    a, b = _promote(input, other)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have "
                           f"the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively")
    r = _wrap(np.asarray(np.vdot(a, b)))
    if needs_grad(input, other):
        _save2(record(VdotBackward0, r, (input, other)), input, other, "self_", "other")
    return r


def outer(input, vec2) -> Tensor:
    """Outer product of two 1-d tensors (as torch: a column times a row, MulBackward0)."""
    if input._data.ndim != 1 or vec2._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input._data.ndim}-D"
                           if input._data.ndim != 1 else f"outer: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    return input.reshape(input._data.shape[0], 1) * vec2


ger = outer


def tensordot(a, b, dims=2, out=None) -> Tensor:
    """Contract ``dims`` (an int: the last/first ``dims`` dims; or two lists of dims)."""
    na, nb = a._data.ndim, b._data.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
    for x, y in zip(da, db):
        if a._data.shape[x] != b._data.shape[y]:
            # NOTE: torch names the dims as given (an int ``dims`` gives negative ones for a)
            xn = x - na if isinstance(dims, int) else x
            raise RuntimeError(f"contracted dimensions need to match, but first has size {a._data.shape[x]} in dim "
                               f"{xn} and second has size {b._data.shape[y]} in dim {y}")
    da = [d % na for d in da]
    db = [d % nb for d in db]
    fa = [d for d in range(na) if d not in da]
    fb = [d for d in range(nb) if d not in db]
    sa = int(np.prod([a._data.shape[d] for d in fa]))
    sb = int(np.prod([b._data.shape[d] for d in fb]))
    k = int(np.prod([a._data.shape[d] for d in da]))
    x = a.permute(fa + da).reshape(sa, k)
    y = b.permute(db + fb).reshape(k, sb)
    shape = tuple(a._data.shape[d] for d in fa) + tuple(b._data.shape[d] for d in fb)
    return mm(x, y).view(shape)


def inner(input, other) -> Tensor:
    """Sum product over the last dims (a scalar product for 1-d tensors)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    if input._data.shape[-1] != other._data.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"[{', '.join(map(str, input._data.shape))}] and [{', '.join(map(str, other._data.shape))}]")
    return tensordot(input, other, ([-1], [-1]))


class _EinsumNode(Node):
    """Gradient of an einsum: for each operand, an einsum of the gradient with the others."""

    __slots__ = ("eq_in", "eq_out", "operands")

    def backward(self, g):
        out = []
        ops = [o.unpack() for o in self.operands]
        for i, f in enumerate(self.next_functions):
            if f[0] is None:
                out.append(None)
                continue
            others = [ops[j] for j in range(len(ops)) if j != i]
            subs = [self.eq_in[j] for j in range(len(ops)) if j != i]
            target = self.eq_in[i]
            shape = ops[i]._data.shape
            # letters of the operand that appear nowhere else are summed: broadcast them back
            present = set(self.eq_out) | set("".join(subs))
            kept = "".join(c for c in dict.fromkeys(target) if c in present)
            gi = einsum(",".join([self.eq_out] + subs) + "->" + kept, g, *others)
            # repeated letters (a diagonal) and letters summed away: rebuild the operand's shape
            out.append(_einsum_expand(gi, kept, target, shape))
        return tuple(out)


def _einsum_expand(gi, kept, target, shape):
    sizes = dict(zip(target, shape))
    full = "".join(dict.fromkeys(target))
    # add the missing (summed-away) letters as broadcast dims
    x = gi
    cur = kept
    for c in full:
        if c not in cur:
            x = x.unsqueeze(-1)
            cur += c
    x = x.permute([cur.index(c) for c in full]).expand(tuple(sizes[c] for c in full))
    if len(full) == len(target):
        return x.permute([full.index(c) for c in target]) if full != target else x
    # repeated letters: put the values on the diagonal
    eye_terms = []
    ops = [x]
    for c in full:
        reps = target.count(c)
        if reps > 1:
            letters = c + "".join(chr(ord("A") + k) for k in range(len(eye_terms) * 4, len(eye_terms) * 4 + reps - 1))
            eye_terms.append((c, letters))
    sub = full
    rhs = list(target)
    for c, letters in eye_terms:
        n = sizes[c]
        idx = [i for i, t in enumerate(target) if t == c]
        for k, i in enumerate(idx[1:]):
            rhs[i] = letters[k + 1]
        for k in range(1, len(letters)):
            ops.append(_wrap(np.eye(n, dtype=gi._data.dtype)))
            sub += "," + c + letters[k]
    return einsum(sub + "->" + "".join(rhs), *ops)


def _parse_einsum(eq, operands):
    eq = eq.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs = eq
        counts = {}
        for c in lhs.replace(",", "").replace(".", ""):
            counts[c] = counts.get(c, 0) + 1
        rhs = "".join(sorted(c for c, n in counts.items() if n == 1))
        if "..." in lhs:
            rhs = "..." + rhs
    ins = lhs.split(",")
    if len(ins) != len(operands):
        raise RuntimeError(f"einsum(): more operands were provided than specified in the equation"
                           if len(operands) > len(ins) else
                           "einsum(): fewer operands were provided than specified in the equation")
    if "..." in eq:
        # spell the ellipsis out with unused capital letters
        nell = max((o._data.ndim - len(s.replace("...", "")) for s, o in zip(ins, operands) if "..." in s), default=0)
        free = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in eq][:nell]
        new = []
        for s, o in zip(ins, operands):
            if "..." in s:
                k = o._data.ndim - len(s.replace("...", ""))
                s = s.replace("...", "".join(free[nell - k:]))
            new.append(s)
        ins = new
        rhs = rhs.replace("...", "".join(free))
    return ins, rhs


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation, e.g. ``einsum("ij,jk->ik", a, b)``.

    >>> einsum("i,i->", ember.ones(3), ember.ones(3))
    tensor(3.)
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ins, rhs = _parse_einsum(equation, operands)
    for s, o in zip(ins, operands):
        if len(s) != o._data.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(s)}) does not match the "
                               f"number of dimensions ({o._data.ndim}) for operand {ins.index(s)} and no ellipsis "
                               f"was given")
    dt = operands[0]._data.dtype
    arr = np.einsum(",".join(ins) + "->" + rhs, *[o._data for o in operands], optimize=len(operands) > 2)
    r = _wrap(_contig(np.asarray(arr, dtype=dt)))
    if needs_grad(*operands):
        n = record(_EinsumNode, r, tuple(operands))
        n.eq_in, n.eq_out = ins, rhs
        n.operands = [SavedTensor(o) for o in operands]
    return r


_EinsumNode.__name__ = "EinsumBackward0"


class AddmmBackward0(Node):
    """self: grad * beta; mat1: grad @ mat2.T * alpha; mat2: mat1.T @ grad * alpha."""

    __slots__ = ("mat1", "mat2", "alpha", "beta", "m1_cm", "m2_cm")

    def backward(self, g):
        nf = self.next_functions
        gi = (g * self.beta if self.beta != 1 else g) if nf[0][0] is not None else None
        g1 = g2 = None
        if nf[1][0] is not None:
            g1 = _mat1_grad(g, self.mat2.unpack(), self.m1_cm)
            g1 = g1 * self.alpha if self.alpha != 1 else g1
        if nf[2][0] is not None:
            g2 = _mat2_grad(g, self.mat1.unpack(), self.m2_cm)
            g2 = g2 * self.alpha if self.alpha != 1 else g2
        return gi, g1, g2


def _check_add_shape(inp, shape, name):
    try:
        np.broadcast_to(inp._data, shape)
    except ValueError:
        raise RuntimeError(f"The expanded size of the tensor ({shape[-1]}) must match the existing size "
                           f"({inp._data.shape[-1]}) at non-singleton dimension {len(shape) - 1}.  Target sizes: "
                           f"[{', '.join(map(str, shape))}].  Tensor sizes: [{', '.join(map(str, inp._data.shape))}]") from None


def _combine(inp, prod, beta, alpha):
    x = prod * alpha if alpha != 1 else prod
    if beta == 0:
        return np.broadcast_to(x, prod.shape).astype(prod.dtype)
    return (inp * beta if beta != 1 else inp) + x


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``."""
    a, b = _promote(mat1, mat2)
    if a.ndim != 2 or b.ndim != 2:
        raise RuntimeError(f"{'mat1' if a.ndim != 2 else 'mat2'} must be a matrix, got {a.ndim if a.ndim != 2 else b.ndim}-D tensor")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(M.MATMUL_SHAPES.format(a0=a.shape[0], a1=a.shape[1], b0=b.shape[0], b1=b.shape[1]))
    _check_add_shape(input, (a.shape[0], b.shape[1]), "addmm")
    prod = a @ b
    if beta == 1 and alpha == 1 and input._data.dtype == prod.dtype and input._data.ndim <= 2:
        prod += input._data  # the common case (Linear): add the bias in place
        r = _wrap(prod)
    else:
        r = _wrap(_contig(_combine(input._data, prod, beta, alpha)))
    if needs_grad(input, mat1, mat2):
        n = record(AddmmBackward0, r, (input, mat1, mat2))
        n.mat1 = SavedTensor(mat1) if mat2._rg else None
        n.mat2 = SavedTensor(mat2) if mat1._rg else None
        n.alpha, n.beta = alpha, beta
        n.m1_cm, n.m2_cm = _col_major(a), _col_major(b)
    return r


class AddmvBackward0(Node):
    __slots__ = ("mat", "vec", "alpha", "beta")

    def backward(self, g):
        gi = (g * self.beta if self.beta != 1 else g) if self.next_functions[0][0] is not None else None
        g1 = g2 = None
        if self.next_functions[1][0] is not None:
            g1 = g.unsqueeze(1) * self.vec.unpack().unsqueeze(0)
            g1 = g1 * self.alpha if self.alpha != 1 else g1
        if self.next_functions[2][0] is not None:
            g2 = self.mat.unpack().t().mv(g)
            g2 = g2 * self.alpha if self.alpha != 1 else g2
        return gi, g1, g2


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    a, b = _promote(mat, vec)
    if a.ndim != 2 or b.ndim != 1 or a.shape[1] != b.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input._data.shape[0] if input._data.ndim else 1}), mat "
                           f"({a.shape[0]}x{a.shape[1] if a.ndim > 1 else ''}), vec ({b.shape[0]})")
    _check_add_shape(input, (a.shape[0],), "addmv")
    r = _wrap(_contig(_combine(input._data, a @ b, beta, alpha)))
    if needs_grad(input, mat, vec):
        n = record(AddmvBackward0, r, (input, mat, vec))
        n.mat = SavedTensor(mat) if vec._rg else None
        n.vec = SavedTensor(vec) if mat._rg else None
        n.alpha, n.beta = alpha, beta
    return r


class BaddbmmBackward0(Node):
    __slots__ = ("b1", "b2", "alpha", "beta")
    _sum = False

    def backward(self, g):
        gi = (g * self.beta if self.beta != 1 else g) if self.next_functions[0][0] is not None else None
        gb = g.unsqueeze(0).expand(((self._meta[1] or self._meta[2])[0][0],) + tuple(g.shape)) if self._sum else g
        g1 = g2 = None
        if self.next_functions[1][0] is not None:
            g1 = gb.bmm(self.b2.unpack().transpose(1, 2))
            g1 = g1 * self.alpha if self.alpha != 1 else g1
        if self.next_functions[2][0] is not None:
            g2 = self.b1.unpack().transpose(1, 2).bmm(gb)
            g2 = g2 * self.alpha if self.alpha != 1 else g2
        return gi, g1, g2


class AddbmmBackward0(BaddbmmBackward0):
    _sum = True


def _baddbmm(cls, input, batch1, batch2, beta, alpha):
    a, b = _promote(batch1, batch2)
    if a.ndim != 3 or b.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor" if a.ndim != 3 else "batch2 must be a 3D tensor")
    if a.shape[0] != b.shape[0] or a.shape[2] != b.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    prod = np.matmul(a, b)
    if cls._sum:
        prod = prod.sum(0)
    _check_add_shape(input, prod.shape, "")
    r = _wrap(_contig(_combine(input._data, prod, beta, alpha)))
    if needs_grad(input, batch1, batch2):
        n = record(cls, r, (input, batch1, batch2))
        n.b1 = SavedTensor(batch1) if batch2._rg else None
        n.b2 = SavedTensor(batch2) if batch1._rg else None
        n.alpha, n.beta = alpha, beta
    return r


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``."""
    return _baddbmm(BaddbmmBackward0, input, batch1, batch2, beta, alpha)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]``."""
    return _baddbmm(AddbmmBackward0, input, batch1, batch2, beta, alpha)


def kron(input, other) -> Tensor:
    """Kronecker product."""
    a, b = input, other
    nd = max(a._data.ndim, b._data.ndim)
    a = a.reshape((1,) * (nd - a._data.ndim) + a._data.shape)
    b = b.reshape((1,) * (nd - b._data.ndim) + b._data.shape)
    sa, sb = a._data.shape, b._data.shape
    ea = a.reshape(tuple(x for s in sa for x in (s, 1)))
    eb = b.reshape(tuple(x for s in sb for x in (1, s)))
    return _unsafe_view(ea * eb, tuple(x * y for x, y in zip(sa, sb)))


class LinalgCrossBackward0(Node):
    __slots__ = ("self_", "other", "dim")

    def backward(self, g):
        ga = linalg_cross(self.other.unpack(), g, dim=self.dim) if self.next_functions[0][0] is not None else None
        gb = linalg_cross(g, self.self_.unpack(), dim=self.dim) if self.next_functions[1][0] is not None else None
        return ga, gb


def linalg_cross(input, other, *, dim: int = -1, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (broadcasting the other dims)."""
    a, b = input._data, other._data
    if a.ndim != b.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions.")
    from ._util import wrap_dim
    d = wrap_dim(dim, a.ndim)
    if a.shape[d] != 3 or b.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[d]} and {b.shape[d]}")
    dt = np.result_type(a, b)
    r = _wrap(_contig(np.cross(a, b, axis=d).astype(dt, copy=False)))
    if needs_grad(input, other):
        n = record(LinalgCrossBackward0, r, (input, other))
        _save2(n, input, other, "self_", "other")
        n.dim = d
    return r


def cross(input, other, dim=None, *, out=None) -> Tensor:
    """``linalg.cross``; without ``dim``, the first dim of size 3 (torch's deprecated default)."""
    if dim is None:
        import warnings
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
            "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree with that "
            "of linalg.cross in a future release.", UserWarning, stacklevel=2)
        shape = np.broadcast_shapes(input._data.shape, other._data.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return linalg_cross(input, other, dim=dim)


def chain_matmul(*matrices) -> Tensor:
    return multi_dot(matrices)


def multi_dot(tensors, *, out=None) -> Tensor:
    """The product of a chain of matrices (first/last may be vectors)."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_vec, last_vec = ts[0]._data.ndim == 1, ts[-1]._data.ndim == 1
    if first_vec:
        ts[0] = ts[0].unsqueeze(0)
    if last_vec:
        ts[-1] = ts[-1].unsqueeze(-1)
    r = ts[0]
    for t in ts[1:]:
        r = mm(r, t)
    shape = r._data.shape
    if first_vec and last_vec:
        return r.view(())
    if first_vec:
        return r.view(shape[1:])
    if last_vec:
        return r.view(shape[:1])
    return r.view(shape)


def matrix_power(input, n: int) -> Tensor:
    """``input`` multiplied by itself ``n`` times (n < 0: of the inverse)."""
    if input._data.ndim < 2 or input._data.shape[-1] != input._data.shape[-2]:
        raise RuntimeError("linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{input._data.shape[-2] if input._data.ndim > 1 else 1} by {input._data.shape[-1]} matrices")
    if n == 0:
        from .._creation import eye
        # NOTE: as torch, a clone of the input overwritten with the identity (CopyBackwards)
        return input.clone().copy_(eye(input._data.shape[-1], dtype=input.dtype).expand(input._data.shape))
    x = input if n > 0 else inv(input)
    n = abs(n)
    if n == 1:
        return x.clone()
    r = None
    base = x
    while n:
        if n & 1:
            r = base if r is None else matmul(r, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return r


# ------------------------------------------------------------------------------------------
# decompositions and inverses (torch.linalg)


class LinAlgError(RuntimeError):
    """Raised by linear-algebra functions on singular or non-definite inputs (torch.linalg.LinAlgError)."""


LinAlgError.__name__ = "_LinAlgError"
LinAlgError.__qualname__ = "_LinAlgError"

_TYPE_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
               "float16": "Half", "bfloat16": "BFloat16"}


def _check_float_square(A, name, square=True):
    a = A._data
    if a.dtype.kind not in "fc" or a.dtype == np.float16:
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_TYPE_NAMES.get(a.dtype.name, a.dtype.name)}")
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are {a.shape[-2]} by "
                           f"{a.shape[-1]} matrices")
    return a


def _singular_index(a):
    """1-based index of the first zero pivot of LU with partial pivoting (for torch's message)."""
    m = np.array(a, dtype=np.float64 if a.dtype.kind == "f" else np.complex128)
    n = m.shape[-1]
    for k in range(n):
        p = k + int(np.argmax(np.abs(m[k:, k])))
        if m[p, k] == 0:
            return k + 1
        m[[k, p]] = m[[p, k]]
        m[k + 1:] -= np.outer(m[k + 1:, k] / m[k, k], m[k])
    return n


def _mH(t):
    return t.mT.conj() if t._data.dtype.kind == "c" else t.mT


class LinalgInvExBackward0(Node):
    __slots__ = ("inverse",)

    def backward(self, g):
        Ainv = self.inverse.unpack(self)
        AiH = _mH(Ainv)
        return (-(AiH.matmul(g).matmul(AiH)),)


def inv(A, *, out=None) -> Tensor:
    """The inverse of a square matrix (or a batch of them)."""
    a = _check_float_square(A, "linalg.inv")
    try:
        res = np.linalg.inv(a)
    except np.linalg.LinAlgError:
        bad = a.reshape((-1,) + a.shape[-2:])
        for i, m in enumerate(bad):
            try:
                np.linalg.inv(m)
            except np.linalg.LinAlgError:
                pre = f"(Batch element {i}): " if a.ndim > 2 else ""
                raise LinAlgError(f"linalg.inv: {pre}The diagonal element {_singular_index(m)} is zero, the inversion "
                                  f"could not be completed because the input matrix is singular.") from None
        raise
    r = _wrap(_contig(res.astype(a.dtype, copy=False)))
    if needs_grad(A):
        n = record(LinalgInvExBackward0, r, (A,))
        n.inverse = SavedTensor(r, n)
    return r


class _InvExResult(tuple):
    """torch.return_types.linalg_inv_ex: ``(inverse, info)``."""

    def __new__(cls, inverse, info):
        return tuple.__new__(cls, (inverse, info))

    inverse = property(lambda self: self[0])
    info = property(lambda self: self[1])


class _CholeskyExResult(tuple):
    """torch.return_types.linalg_cholesky_ex: ``(L, info)``."""

    def __new__(cls, L, info):
        return tuple.__new__(cls, (L, info))

    L = property(lambda self: self[0])
    info = property(lambda self: self[1])


def inv_ex(A, *, check_errors: bool = False, out=None):
    """``(inverse, info)``; info is 0 where the matrix was invertible."""
    r = inv(A)
    info = _wrap(np.zeros(A._data.shape[:-2], dtype=np.int32))
    return _InvExResult(r, info)


inverse = inv


class LinalgDetBackward0(Node):
    __slots__ = ("A", "det")

    def backward(self, g):
        A = self.A.unpack()
        d = self.det.unpack(self)
        # NOTE: as torch for invertible A: grad * det * A^{-H} (via a solve)
        gd = (g * d.conj()).unsqueeze(-1).unsqueeze(-1)
        return (_mH(inv(A)) * gd,)


def det(A) -> Tensor:
    """The determinant of a square matrix (or batch)."""
    a = _check_float_square(A, "linalg.det")
    r = _wrap(np.asarray(np.linalg.det(a)).astype(a.dtype, copy=False))
    if needs_grad(A):
        n = record(LinalgDetBackward0, r, (A,))
        n.A, n.det = SavedTensor(A), SavedTensor(r, n)
    return r


class LinalgSlogdetBackward0(Node):
    __slots__ = ("A",)
    _n_outputs = 2

    def apply(self, grads):
        g = grads[1]
        if g is None:
            return (None,)
        A = self.A.unpack()
        return (_mH(inv(A)) * g.unsqueeze(-1).unsqueeze(-1),)


def slogdet(A):
    """``(sign, log|det|)`` of a square matrix (or batch); only log|det| carries a gradient."""
    a = _check_float_square(A, "linalg.slogdet")
    sign, logabs = np.linalg.slogdet(a)
    s = _wrap(np.asarray(sign).astype(a.dtype, copy=False))
    la = _wrap(np.asarray(logabs).astype(a.real.dtype, copy=False))
    if needs_grad(A):
        n = record(LinalgSlogdetBackward0, (s, la), (A,))
        n.A = SavedTensor(A)
    from collections import namedtuple
    return _SlogdetResult(s, la)


class _SlogdetResult(tuple):
    def __new__(cls, sign, logabsdet):
        return tuple.__new__(cls, (sign, logabsdet))

    sign = property(lambda self: self[0])
    logabsdet = property(lambda self: self[1])

    def __repr__(self):
        return f"torch.return_types.linalg_slogdet(\nsign={self[0]!r},\nlogabsdet={self[1]!r})"


def logdet(A) -> Tensor:
    """log det A (nan for a negative determinant)."""
    from .elementwise import where
    s, la = slogdet(A)
    return where(s < 0, float("nan"), la)


class LinalgSolveExBackward0(Node):
    __slots__ = ("A", "X", "vector", "left")

    def backward(self, g):
        A = self.A.unpack()
        X = self.X.unpack(self)
        if not self.left:
            # X A = B: gB = g A^{-H}, gA = -X^H gB
            gB = solve(_mH(A), g, left=False)
            gA = -(_mH(X).matmul(gB)) if self.next_functions[0][0] is not None else None
            return gA, (gB if self.next_functions[1][0] is not None else None)
        gB = solve(_mH(A), g)
        gA = None
        if self.next_functions[0][0] is not None:
            if self.vector:
                gA = -(gB.unsqueeze(-1) * X.conj().unsqueeze(-2))
            else:
                gA = -(gB.matmul(_mH(X)))
        return gA, (gB if self.next_functions[1][0] is not None else None)


def solve(A, B, *, left: bool = True, out=None) -> Tensor:
    """X with ``A @ X = B`` (``left=False``: ``X @ A = B``)."""
    a = _check_float_square(A, "linalg.solve")
    if not left:
        b = B._data
        res = np.swapaxes(np.linalg.solve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2)), -1, -2)
        r = _wrap(_contig(res.astype(np.result_type(a, b), copy=False)))
        if needs_grad(A, B):
            n = record(LinalgSolveExBackward0, r, (A, B))
            n.A, n.X, n.vector, n.left = SavedTensor(A), SavedTensor(r, n), False, False
        return r
    b = B._data
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bb = b[..., None] if vector else b
    try:
        res = np.linalg.solve(a, bb)
    except np.linalg.LinAlgError:
        raise LinAlgError(f"torch.linalg.solve: The solver failed because the input matrix is singular.") from None
    if vector:
        res = res[..., 0]
    r = _wrap(_contig(res.astype(np.result_type(a, b), copy=False)))
    if needs_grad(A, B):
        n = record(LinalgSolveExBackward0, r, (A, B))
        n.A, n.X, n.vector, n.left = SavedTensor(A), SavedTensor(r, n), vector, True
    return r


class LinalgCholeskyExBackward0(Node):
    __slots__ = ("L", "upper")

    def backward(self, g):
        L = self.L.unpack(self)
        if self.upper:
            L, g = _mH(L), _mH(g)
        from .shape import diag_embed, diagonal, tril
        P = _mH(L).matmul(g)
        P = tril(P) - diag_embed(diagonal(P, 0, -2, -1)) * 0.5
        Linv = inv(L)
        gA = _mH(Linv).matmul(P).matmul(Linv)
        return ((gA + _mH(gA)) * 0.5,)


class CholeskyBackward0(LinalgCholeskyExBackward0):
    pass


def _cholesky(A, upper, name, cls):
    a = _check_float_square(A, name)
    try:
        L = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:
        m = a.reshape((-1,) + a.shape[-2:])
        for i, x in enumerate(m):
            for k in range(1, x.shape[-1] + 1):
                try:
                    np.linalg.cholesky(x[:k, :k])
                except np.linalg.LinAlgError:
                    pre = f"(Batch element {i}): " if a.ndim > 2 else ""
                    raise LinAlgError(f"{name}: {pre}The factorization could not be completed because the input is "
                                      f"not positive-definite (the leading minor of order {k} is not "
                                      f"positive-definite).") from None
        raise
    if upper:
        L = np.swapaxes(L, -1, -2).conj()
    r = _wrap(_contig(L.astype(a.dtype, copy=False)))
    if needs_grad(A):
        n = record(cls, r, (A,))
        n.L, n.upper = SavedTensor(r, n), upper
    return r


def cholesky(A, *, upper: bool = False, out=None) -> Tensor:
    """The Cholesky factor L (A = L L^H) of a Hermitian positive-definite matrix."""
    return _cholesky(A, upper, "linalg.cholesky", LinalgCholeskyExBackward0)


def cholesky_ex(A, *, upper: bool = False, check_errors: bool = False, out=None):
    """``(L, info)``; info is 0 where the matrix was positive definite."""
    L = linalg_cholesky(A, upper=upper)
    return _CholeskyExResult(L, _wrap(np.zeros(A._data.shape[:-2], dtype=np.int32)))


def torch_cholesky(input, upper: bool = False, *, out=None) -> Tensor:
    """Deprecated ``torch.cholesky``."""
    import warnings
    warnings.warn(
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a future PyTorch "
        "release.\nL = torch.cholesky(A)\nshould be replaced with\nL = torch.linalg.cholesky(A)\nand\nU = "
        "torch.cholesky(A, upper=True)\nshould be replaced with\nU = torch.linalg.cholesky(A).mH\nThis transform "
        "will produce equivalent results for all valid (symmetric positive definite) inputs.", UserWarning,
        stacklevel=2)
    return _cholesky(input, upper, "cholesky", CholeskyBackward0)


class _QRResult(tuple):
    def __new__(cls, Q, R):
        return tuple.__new__(cls, (Q, R))

    Q = property(lambda self: self[0])
    R = property(lambda self: self[1])


class LinalgQrBackward0(Node):
    __slots__ = ("Q", "R", "mode")
    _n_outputs = 2

    def apply(self, grads):
        from .shape import cat
        gQ, gR = grads
        if self.mode == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                               "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
                               "linalg.qr.")
        Q, R = self.Q.unpack(self), self.R.unpack(self)
        m, n = Q._data.shape[-2], R._data.shape[-1]
        if self.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if gQ is None and gR is None:
            return (None,)
        if m >= n:
            return (_qr_backward_square(gQ, gR, Q, R),)
        # NOTE: wide A = [X | Y] with R = [U | V]: (Q, U) = qr(X) and V = Q^H Y, so Y's gradient
        # is Q gV and X's is the square formula with gQ + Y gV^H
        U, V = R[..., :m], R[..., m:]
        gU = gR[..., :m] if gR is not None else None
        gV = gR[..., m:] if gR is not None else None
        if gV is not None:
            Y = Q.matmul(V)
            gQ = Y.matmul(_mH(gV)) if gQ is None else gQ + Y.matmul(_mH(gV))
            gY = Q.matmul(gV)
        else:
            gY = Q.matmul(V * 0)
        return (cat([_qr_backward_square(gQ, gU, Q, U), gY], -1),)


def _qr_backward_square(gQ, gR, Q, R):
    """The gradient of A = QR for m >= n (R square and invertible)."""
    from .shape import tril
    if gQ is None:
        gQ = Q * 0
    if gR is None:
        gR = R * 0
    # NOTE: M = R gR^H - gQ^H Q; gA = (gQ + Q copyltu(M)) R^{-H}
    Mt = R.matmul(_mH(gR)) - _mH(gQ).matmul(Q)
    low = tril(Mt, -1)
    copyltu = low + _mH(low) + (Mt - tril(Mt, -1) - (Mt - tril(Mt, 0)))
    b = gQ + Q.matmul(copyltu)
    return b.matmul(_mH(inv(R)))


def qr(A, mode: str = "reduced", *, out=None):
    """The QR decomposition ``(Q, R)`` (``mode``: "reduced", "complete" or "r")."""
    a = _check_float_square(A, "linalg.qr", square=False)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'")
    q, r_ = np.linalg.qr(a, mode="complete" if mode == "complete" else "reduced")
    Q = _wrap(_contig(q.astype(a.dtype, copy=False)) if mode != "r" else np.zeros((0,), dtype=a.dtype))
    R = _wrap(_contig(r_.astype(a.dtype, copy=False)))
    if needs_grad(A):
        n = record(LinalgQrBackward0, (Q, R), (A,))
        n.Q, n.R, n.mode = SavedTensor(Q, n), SavedTensor(R, n), mode
    return _QRResult(Q, R)


class _SVDResult(tuple):
    def __new__(cls, U, S, V):
        return tuple.__new__(cls, (U, S, V))

    U = property(lambda self: self[0])
    S = property(lambda self: self[1])
    Vh = property(lambda self: self[2])
    V = property(lambda self: self[2])


class LinalgSvdBackward0(Node):
    __slots__ = ("U", "S", "Vh", "full")
    _n_outputs = 3

    def apply(self, grads):
        from .shape import diag_embed
        gU, gS, gVh = grads
        U, S, Vh = self.U.unpack(self), self.S.unpack(self), self.Vh.unpack(self)
        k = S._data.shape[-1]
        if self.full:
            U, Vh = U[..., :k], Vh[..., :k, :]
            gU = gU[..., :k] if gU is not None else None
            gVh = gVh[..., :k, :] if gVh is not None else None
        V = _mH(Vh)
        m, n = U._data.shape[-2], V._data.shape[-2]
        # NOTE: real SVD gradient (distinct, non-zero singular values):
        # gA = U[(J + J^T) S + diag(gS) + S (K + K^T)]V^T + (I - UU^T) gU S^-1 V^T + U S^-1 gV^T (I - VV^T)
        s2 = S * S
        diff = s2.unsqueeze(-2) - s2.unsqueeze(-1)
        eye = _wrap(np.eye(k, dtype=S._data.dtype))
        F = (1 - eye) / (diff + eye)
        inner = diag_embed(gS) if gS is not None else None
        Sm = diag_embed(S)
        Sinv = diag_embed(1 / S)
        out = None
        if gU is not None:
            UtgU = U.mT.matmul(gU)
            J = F * (UtgU - UtgU.mT)
            t = J.matmul(Sm)
            inner = t if inner is None else inner + t
            out = (gU - U.matmul(UtgU)).matmul(Sinv).matmul(Vh) if m > k else None
        if gVh is not None:
            gV = gVh.mT
            VtgV = V.mT.matmul(gV)
            K = F * (VtgV - VtgV.mT)
            t = Sm.matmul(K)
            inner = t if inner is None else inner + t
            if n > k:
                t2 = U.matmul(Sinv).matmul(gV.mT - VtgV.mT.matmul(V.mT))
                out = t2 if out is None else out + t2
        gA = U.matmul(inner).matmul(Vh) if inner is not None else None
        if out is not None:
            gA = out if gA is None else gA + out
        return (gA,)


def svd(A, full_matrices: bool = True, *, driver=None, out=None):
    """The singular value decomposition ``(U, S, Vh)`` with A = U diag(S) Vh."""
    a = _check_float_square(A, "linalg.svd", square=False)
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    U = _wrap(_contig(u.astype(a.dtype, copy=False)))
    S = _wrap(_contig(s.astype(a.real.dtype, copy=False)))
    Vh = _wrap(_contig(vh.astype(a.dtype, copy=False)))
    if needs_grad(A):
        n = record(LinalgSvdBackward0, (U, S, Vh), (A,))
        n.U, n.S, n.Vh = SavedTensor(U, n), SavedTensor(S, n), SavedTensor(Vh, n)
        n.full = full_matrices and a.shape[-1] != a.shape[-2]
    return _SVDResult(U, S, Vh)


def svdvals(A, *, driver=None, out=None) -> Tensor:
    """The singular values (descending)."""
    return linalg_svd(A, full_matrices=False)[1]


def torch_svd(input, some: bool = True, compute_uv: bool = True, *, out=None):
    """``torch.svd``: ``(U, S, V)`` with V (not V^H)."""
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return _SVDResult(U, S, _mH(Vh))


class _EighResult(tuple):
    def __new__(cls, L, V):
        return tuple.__new__(cls, (L, V))

    eigenvalues = property(lambda self: self[0])
    eigenvectors = property(lambda self: self[1])


class LinalgEighBackward0(Node):
    __slots__ = ("L", "V")
    _n_outputs = 2

    def apply(self, grads):
        from .shape import diag_embed
        gL, gV = grads
        L, V = self.L.unpack(self), self.V.unpack(self)
        n = L._data.shape[-1]
        inner = diag_embed(gL) if gL is not None else None
        if gV is not None:
            VhgV = _mH(V).matmul(gV)
            skew = (VhgV - _mH(VhgV)) * 0.5
            E = L.unsqueeze(-2) - L.unsqueeze(-1)
            eye = _wrap(np.eye(n, dtype=L._data.dtype))
            t = skew * ((1 - eye) / (E + eye))
            inner = t if inner is None else inner + t
        return (V.matmul(inner).matmul(_mH(V)),)


def eigh(A, UPLO: str = "L", *, out=None):
    """Eigenvalues (ascending) and eigenvectors of a Hermitian matrix (only the ``UPLO`` triangle is read)."""
    a = _check_float_square(A, "linalg.eigh")
    w, v = np.linalg.eigh(a, UPLO=UPLO)
    L = _wrap(_contig(w.astype(a.real.dtype, copy=False)))
    V = _wrap(_contig(v.astype(a.dtype, copy=False)))
    if needs_grad(A):
        n = record(LinalgEighBackward0, (L, V), (A,))
        n.L, n.V = SavedTensor(L, n), SavedTensor(V, n)
    return _EighResult(L, V)


def eigvalsh(A, UPLO: str = "L", *, out=None) -> Tensor:
    return eigh(A, UPLO)[0]


class LinalgPinvBackward0(Node):
    __slots__ = ("A", "P")

    def backward(self, g):
        A, P = self.A.unpack(), self.P.unpack(self)
        from .._creation import eye
        m, n = A._data.shape[-2], A._data.shape[-1]
        Im = eye(m, dtype=A.dtype)
        In = eye(n, dtype=A.dtype)
        Ph, gh = _mH(P), _mH(g)
        # NOTE: the derivative of the pseudo-inverse of a matrix of constant rank (Golub & Pereyra)
        return (-(Ph.matmul(g).matmul(Ph)) + (Im - A.matmul(P)).matmul(gh).matmul(P).matmul(Ph)
                + Ph.matmul(P).matmul(gh).matmul(In - P.matmul(A)),)


def pinv(A, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse."""
    a = _check_float_square(A, "linalg.pinv", square=False)
    if rtol is None:
        rtol = max(a.shape[-2:]) * np.finfo(a.real.dtype).eps if atol is None else 0.0
    res = np.linalg.pinv(a, rcond=rtol, hermitian=hermitian)
    r = _wrap(_contig(res.astype(a.dtype, copy=False)))
    if needs_grad(A):
        n = record(LinalgPinvBackward0, r, (A,))
        n.A, n.P = SavedTensor(A), SavedTensor(r, n)
    return r


def pinverse(input, rcond: float = 1e-15) -> Tensor:
    return pinv(input, rtol=rcond)


def matrix_rank(A, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    a = _check_float_square(A, "linalg.matrix_rank", square=False)
    s = np.linalg.svd(a, compute_uv=False)
    tol = s.max(-1, initial=0) * (rtol if rtol is not None else max(a.shape[-2:]) * np.finfo(a.real.dtype).eps)
    if atol is not None:
        tol = np.maximum(tol, atol)
    return _wrap(np.asarray((s > np.asarray(tol)[..., None]).sum(-1), dtype=np.int64))


def vecdot(x, y, *, dim: int = -1, out=None) -> Tensor:
    """Dot product of vectors along ``dim`` (conjugating x)."""
    if x._data.ndim == 1 and y._data.ndim == 1:
        return vdot(x, y)
    return ((x.conj() if x._data.dtype.kind == "c" else x) * y).sum(dim)


__all__ += ["vdot", "outer", "ger", "tensordot", "inner", "einsum", "addmm", "addmv", "baddbmm", "addbmm", "kron",
            "cross", "chain_matmul", "inverse", "det", "slogdet", "logdet", "pinverse", "matrix_power"]

methods(vdot=vdot, outer=outer, ger=outer, inner=inner, addmm=addmm, addmv=addmv, baddbmm=baddbmm, addbmm=addbmm,
        kron=kron, cross=cross, inverse=inv, det=det, slogdet=slogdet, logdet=logdet, pinverse=pinverse,
        matrix_power=matrix_power, cholesky=torch_cholesky, svd=torch_svd,
        qr=lambda self, some=True: linalg_qr(self, "reduced" if some else "complete"))

# torch.cholesky / torch.svd / torch.qr are the older forms; torch.linalg gets the linalg_* ones
linalg_cholesky, linalg_svd, linalg_qr = cholesky, svd, qr
cholesky, svd = torch_cholesky, torch_svd


def qr(input, some: bool = True, *, out=None):  # noqa: F811
    """``torch.qr``: reduced (``some``) or complete QR."""
    return linalg_qr(input, "reduced" if some else "complete")


__all__ += ["cholesky", "svd", "qr"]
