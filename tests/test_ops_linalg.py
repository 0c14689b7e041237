"""Matrix products and torch.linalg against torch (values, gradients, grad_fn names) and finite
differences (first and second order) in float64."""
import warnings

import numpy as np
import pytest
import torch

import ember
from oracle import check, fd_check, rand, same_error


def spd(n, seed=0, batch=()):
    a = rand(batch + (n, n), "float64", seed=seed)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


MATMUL_SHAPES = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                 ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)), ((3,), (5, 3, 4)),
                 ((5, 2, 3), (3,)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)), ((2, 5, 2, 3), (5, 3, 4)),
                 ((4, 1, 2, 3), (3, 2)), ((2, 3), (2, 1, 3, 4)), ((0, 2, 3), (3, 4)), ((2, 3, 0), (0, 2))]


def chain(t):
    out, stack = [], [t.grad_fn]
    while stack:
        f = stack.pop(0)
        if f is None or "AccumulateGrad" in f.name():
            continue
        out.append(f.name())
        stack.extend(n for n, _ in f.next_functions)
    return out


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_vs_torch_with_graph(shapes):
    eo, to = check(lambda T, a, b: T.matmul(a, b), list(shapes))
    assert chain(eo[0]) == chain(to[0])


@pytest.mark.parametrize("shapes", [((5, 2, 3), (3, 4)), ((3,), (5, 3, 4)), ((2, 3), (5, 3, 4))], ids=str)
def test_matmul_graph_when_only_one_requires_grad(shapes):
    for i in range(2):
        arrays = [rand(s) for s in shapes]
        es = [ember.tensor(a, requires_grad=(j == i)) for j, a in enumerate(arrays)]
        ts = [torch.tensor(a, requires_grad=(j == i)) for j, a in enumerate(arrays)]
        assert chain(ember.matmul(*es)) == chain(torch.matmul(*ts))


def test_matmul_noncontiguous_and_fd():
    check(lambda T, a, b: a.transpose(0, 1) @ b, [(2, 5, 3), (3, 4)])
    fd_check(lambda T, a, b: T.matmul(a, b), [rand((2, 2, 3), "float64"), rand((3, 2), "float64", seed=1)])
    fd_check(lambda T, a, b: T.matmul(a, b), [rand((3,), "float64"), rand((2, 3, 2), "float64", seed=1)])


PRODUCTS = {
    "mm": (lambda T, a, b: T.mm(a, b), [(2, 3), (3, 4)]),
    "bmm": (lambda T, a, b: a.bmm(b), [(2, 2, 3), (2, 3, 4)]),
    "mv": (lambda T, a, b: T.mv(a, b), [(2, 3), (3,)]),
    "dot": (lambda T, a, b: a.dot(b), [(3,), (3,)]),
    "vdot": (lambda T, a, b: T.vdot(a, b), [(3,), (3,)]),
    "outer": (lambda T, a, b: T.outer(a, b), [(3,), (4,)]),
    "ger": (lambda T, a, b: a.ger(b), [(3,), (4,)]),
    "inner_1d": (lambda T, a, b: T.inner(a, b), [(3,), (3,)]),
    "inner_nd": (lambda T, a, b: T.inner(a, b), [(2, 3), (4, 3)]),
    "addmm": (lambda T, c, a, b: T.addmm(c, a, b), [(2, 4), (2, 3), (3, 4)]),
    "addmm_bcast": (lambda T, c, a, b: T.addmm(c, a, b, beta=0.5, alpha=2), [(4,), (2, 3), (3, 4)]),
    "addmv": (lambda T, c, a, b: c.addmv(a, b, alpha=3), [(2,), (2, 3), (3,)]),
    "baddbmm": (lambda T, c, a, b: T.baddbmm(c, a, b, beta=2), [(2, 2, 4), (2, 2, 3), (2, 3, 4)]),
    "addbmm": (lambda T, c, a, b: T.addbmm(c, a, b, alpha=0.5), [(2, 4), (3, 2, 3), (3, 3, 4)]),
    "tensordot": (lambda T, a, b: T.tensordot(a, b, 1), [(2, 3), (3, 4)]),
    "tensordot_dims": (lambda T, a, b: T.tensordot(a, b, ([1, 0], [0, 2])), [(2, 3, 4), (3, 5, 2)]),
    "kron": (lambda T, a, b: T.kron(a, b), [(2, 3), (2, 2)]),
    "kron_mixed": (lambda T, a, b: a.kron(b), [(3,), (2, 2)]),
    "cross": (lambda T, a, b: T.cross(a, b, dim=1), [(2, 3), (2, 3)]),
    "linalg_cross": (lambda T, a, b: T.linalg.cross(a, b), [(4, 3), (1, 3)]),
    "multi_dot": (lambda T, a, b: T.linalg.multi_dot([a, b, a]), [(3, 3), (3, 3)]),
    "matrix_power": (lambda T, a: T.linalg.matrix_power(a, 3), [(3, 3)]),
    "vecdot": (lambda T, a, b: T.linalg.vecdot(a, b), [(2, 3), (2, 3)]),
}


@pytest.mark.parametrize("name", sorted(PRODUCTS))
def test_products_vs_torch(name):
    fn, shapes = PRODUCTS[name]
    check(fn, shapes)


def test_matrix_power_zero_and_negative():
    eo, to = check(lambda T, a: T.matrix_power(a, 0), [(2, 3, 3)], meta=False)
    assert type(eo[0].grad_fn).__name__ == type(to[0].grad_fn).__name__ == "CopyBackwards"
    check(lambda T, a: T.linalg.matrix_power(a, -2), None, arrays=[_square()])


@pytest.mark.parametrize("name", ["addmm_bcast", "addmv", "baddbmm", "addbmm", "tensordot_dims", "kron", "cross",
                                  "vdot", "inner_nd"])
def test_products_finite_differences(name):
    fn, shapes = PRODUCTS[name]
    fd_check(fn, [rand(s, "float64", seed=i) for i, s in enumerate(shapes)])


EINSUM = [("ij,jk->ik", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]), ("i,i->", [(3,), (3,)]),
          ("bij->bji", [(2, 3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("i,j->ij", [(2,), (3,)]),
          ("...ij,...jk", [(2, 2, 3), (3, 4)]), ("ij->", [(2, 3)]), ("ijk,ik->j", [(2, 3, 4), (2, 4)]),
          ("ij,ij,ij->i", [(2, 3), (2, 3), (2, 3)])]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e[0] for e in EINSUM])
def test_einsum(eq, shapes):
    check(lambda T, *xs: T.einsum(eq, *xs), shapes, meta=False)
    fd_check(lambda T, *xs: T.einsum(eq, *xs), [rand(s, "float64", seed=i) for i, s in enumerate(shapes)])


# ----------------------------------------------------------------- torch.linalg
def _square(n=3, batch=(), seed=0, dtype="float32"):
    return (rand(batch + (n, n), "float64", seed=seed) + 2 * np.eye(n)).astype(dtype)


DECOMP = {
    "inv": (lambda T, a: T.linalg.inv(a), lambda: [_square()]),
    "inverse": (lambda T, a: T.inverse(a), lambda: [_square(batch=(2,))]),
    "inv_ex": (lambda T, a: T.linalg.inv_ex(a)[0], lambda: [_square()]),
    "det": (lambda T, a: T.linalg.det(a), lambda: [_square()]),
    "det_batch": (lambda T, a: T.det(a), lambda: [_square(batch=(2,))]),
    "slogdet": (lambda T, a: T.linalg.slogdet(a), lambda: [_square()]),
    "slogdet_t": (lambda T, a: T.slogdet(-a)[1], lambda: [_square()]),
    "logdet": (lambda T, a: T.logdet(a @ a.mT), lambda: [_square()]),
    "solve": (lambda T, a, b: T.linalg.solve(a, b), lambda: [_square(), rand((3, 2))]),
    "solve_vec": (lambda T, a, b: T.linalg.solve(a, b), lambda: [_square(), rand((3,))]),
    "solve_batch": (lambda T, a, b: T.linalg.solve(a, b), lambda: [_square(batch=(2,)), rand((2, 3, 1))]),
    "solve_right": (lambda T, a, b: T.linalg.solve(a, b, left=False), lambda: [_square(), rand((2, 3))]),
    "cholesky": (lambda T, a: T.linalg.cholesky(a @ a.mT), lambda: [_square()]),
    "cholesky_upper": (lambda T, a: T.linalg.cholesky(a @ a.mT, upper=True), lambda: [_square()]),
    "cholesky_ex": (lambda T, a: T.linalg.cholesky_ex(a @ a.mT)[0], lambda: [_square()]),
    "qr": (lambda T, a: T.linalg.qr(a), lambda: [_square()]),
    "qr_tall": (lambda T, a: T.linalg.qr(a), lambda: [rand((4, 3))]),
    "svdvals": (lambda T, a: T.linalg.svdvals(a), lambda: [rand((3, 4))]),
    "svd_product": (lambda T, a: (lambda u, s, vh: (u * s) @ vh)(*T.linalg.svd(a, full_matrices=False)),
                    lambda: [rand((4, 3))]),
    "svd_uv": (lambda T, a: (lambda u, s, vh: u[:, :2] @ vh[:2])(*T.linalg.svd(a, full_matrices=False)),
               lambda: [rand((3, 4))]),
    "svd_square": (lambda T, a: (lambda u, s, vh: (u[:, :1] * vh[:1].mT).sum(0) * s)(*T.linalg.svd(a)),
                   lambda: [_square()]),
    "eigvalsh": (lambda T, a: T.linalg.eigvalsh(a + a.mT), lambda: [_square()]),
    "eigh_vectors": (lambda T, a: (lambda l, v: (v * l) @ v.mT + v[:, :1] @ v[:, :1].mT)(*T.linalg.eigh(a + a.mT)),
                     lambda: [_square()]),
    "pinv": (lambda T, a: T.linalg.pinv(a), lambda: [rand((4, 3))]),
    "pinverse": (lambda T, a: T.pinverse(a), lambda: [rand((2, 3))]),
    "norm": (lambda T, a: T.linalg.norm(a), lambda: [rand((3, 4))]),
    "norm_ord": (lambda T, a: T.linalg.norm(a, 1, dim=1), lambda: [rand((3, 4))]),
    "norm_fro": (lambda T, a: T.linalg.norm(a, "fro"), lambda: [rand((3, 4))]),
    "vector_norm": (lambda T, a: T.linalg.vector_norm(a, 3), lambda: [rand((3, 4))]),
    "matrix_norm": (lambda T, a: T.linalg.matrix_norm(a), lambda: [rand((2, 3, 4))]),
    "diagonal": (lambda T, a: T.linalg.diagonal(a), lambda: [rand((2, 3, 4))]),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(DECOMP))
def test_linalg_vs_torch(name, dtype):
    fn, make = DECOMP[name]
    arrays = [a.astype(dtype) for a in make()]
    tol = {"float32": (1e-4, 1e-3), "float64": (1e-9, 1e-7)}[dtype]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(fn, None, arrays=arrays, atol=tol[0], rtol=tol[1])


FD = ["inv", "det", "slogdet_t", "logdet", "solve", "solve_vec", "solve_right", "cholesky", "cholesky_upper", "qr",
      "qr_tall", "svdvals", "svd_product", "svd_uv", "eigvalsh", "eigh_vectors", "pinv"]


@pytest.mark.parametrize("name", FD)
def test_linalg_finite_differences(name):
    fn, make = DECOMP[name]
    fd_check(fn, [a.astype("float64") for a in make()], atol=1e-4, rtol=1e-3)


def test_multi_output_grad_fns():
    a = _square()
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        names = {
            "qr": [t.grad_fn.name() for t in lib.linalg.qr(x)],
            "svd": [t.grad_fn.name() for t in lib.linalg.svd(x)],
            "eigh": [t.grad_fn.name() for t in lib.linalg.eigh(x + x.mT)],
            "slogdet": [t.grad_fn.name() for t in lib.linalg.slogdet(x)],
        }
        if lib is ember:
            expected = names
        else:
            assert names == expected


def test_torch_level_aliases():
    a = _square(dtype="float64")
    s = a @ a.T
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check(lambda T, x: T.cholesky(x @ x.mT), None, arrays=[a])
        check(lambda T, x: T.svd(x)[1], None, arrays=[a])
        check(lambda T, x: (lambda u, s, v: (u * s) @ v.mT)(*T.svd(x)), None, arrays=[a])
        check(lambda T, x: T.qr(x)[1], None, arrays=[a])
    e, t = ember.linalg.slogdet(ember.tensor(s)), torch.linalg.slogdet(torch.tensor(s))
    np.testing.assert_allclose(e.logabsdet.numpy(), t.logabsdet.numpy())
    assert float(e.sign) == float(t.sign)


LINALG_ERRORS = [
    lambda T: T.linalg.inv(T.zeros(3, 3)),
    lambda T: T.linalg.inv(T.ones(2, 3)),
    lambda T: T.linalg.inv(T.ones(3)),
    lambda T: T.linalg.inv(T.ones(2, 2, dtype=T.int64)),
    lambda T: T.linalg.cholesky(-T.eye(3)),
    lambda T: T.linalg.cholesky(T.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda T: T.mm(T.zeros(2, 3), T.zeros(4, 5)),
    lambda T: T.matmul(T.zeros(2, 3), T.zeros(4, 5)),
    lambda T: T.matmul(T.zeros(3), T.zeros(())),
    lambda T: T.bmm(T.zeros(2, 2, 3), T.zeros(2, 4, 5)),
    lambda T: T.dot(T.zeros(3), T.zeros(4)),
    lambda T: T.mm(T.zeros(2, 3), T.zeros(3, 4, dtype=T.float64)),
    lambda T: T.linalg.cross(T.zeros(2, 4), T.zeros(2, 4)),
    lambda T: T.tensordot(T.zeros(2, 3), T.zeros(4, 5), 1),
]


@pytest.mark.parametrize("i", range(len(LINALG_ERRORS)))
def test_linalg_errors(i):
    same_error(LINALG_ERRORS[i])


def test_linalg_error_class():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(2, 2))


def test_linear_weight_grad_keeps_layout():
    """As torch's mm_mat2_backward: the gradient of ``w`` through ``x @ w.t()`` is contiguous."""
    import numpy as np
    import torch
    import ember
    for lib in (ember, torch):
        w = lib.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3), requires_grad=True)
        x = lib.tensor(np.ones((4, 3), np.float32), requires_grad=True)
        (x @ w.t()).sum().backward()
        (lib.addmm(lib.zeros(2), x, w.t()) * 2).sum().backward()
        assert w.grad.is_contiguous() and x.grad.is_contiguous()
    ew = ember.tensor(np.arange(6.0, dtype=np.float32).reshape(3, 2), requires_grad=True)
    tw = torch.tensor(np.arange(6.0, dtype=np.float32).reshape(3, 2), requires_grad=True)
    (ember.ones(4, 2) @ ew.t()).sum().backward()
    (torch.ones(4, 2) @ tw.t()).sum().backward()
    assert ew.grad.stride() == tw.grad.stride()
    np.testing.assert_allclose(ew.grad.numpy(), tw.grad.numpy())
