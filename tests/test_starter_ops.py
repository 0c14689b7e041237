"""The starter op set against torch, and against finite differences (first and second order)."""
import numpy as np
import pytest

from oracle import check, fd_check, rand

UNARY = {
    "neg": lambda T, x: -x, "exp": lambda T, x: x.exp(), "log": lambda T, x: (x.abs() + 0.5).log(),
    "sin": lambda T, x: T.sin(x), "cos": lambda T, x: T.cos(x), "tanh": lambda T, x: T.tanh(x),
    "sigmoid": lambda T, x: T.sigmoid(x), "relu": lambda T, x: T.relu(x), "abs": lambda T, x: T.abs(x),
    "sqrt": lambda T, x: (x * x + 0.1).sqrt(), "sum": lambda T, x: x.sum(), "mean": lambda T, x: x.mean(),
    "sum_dim": lambda T, x: x.sum(1), "sum_keep": lambda T, x: x.sum((0, 1), keepdim=True),
    "mean_dim": lambda T, x: x.mean(-1, keepdim=True), "view": lambda T, x: x.view(6, 2),
    "reshape": lambda T, x: x.reshape(-1), "t": lambda T, x: x[0].t(), "transpose": lambda T, x: x.transpose(0, 2),
    "unsqueeze": lambda T, x: x.unsqueeze(1), "squeeze": lambda T, x: x[:, :1].squeeze(),
    "expand": lambda T, x: x[:, :1].expand(2, 5, 2), "getitem": lambda T, x: x[1, ::2, None, ...],
    "clone": lambda T, x: x.clone(), "pow2": lambda T, x: x ** 2, "pow3": lambda T, x: x.pow(3),
    "rpow": lambda T, x: 2 ** x, "rsub": lambda T, x: 1 - x, "rdiv": lambda T, x: 2 / x,
    "scalar_ops": lambda T, x: (x + 1) * 2 - 3 / 4,
}

BINARY = {
    "add": lambda T, x, y: x + y, "sub": lambda T, x, y: x - y, "mul": lambda T, x, y: x * y,
    "div": lambda T, x, y: x / (y * y + 1), "pow": lambda T, x, y: (x * x + 1) ** y,
    "add_alpha": lambda T, x, y: T.add(x, y, alpha=2), "matmul": lambda T, x, y: x @ y.transpose(-1, -2),
}


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_vs_torch(name):
    check(UNARY[name], [(2, 3, 2)])


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", [[(2, 3), (2, 3)], [(2, 1, 3), (4, 3)], [(3,), (3,)]])
def test_binary_vs_torch(name, shapes):
    if name == "matmul" and len(shapes[1]) == 1:
        shapes = [(3,), (2, 3)]
    check(BINARY[name], shapes)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_finite_differences(name):
    x = rand((2, 3, 2), "float64") + (3.0 if name in ("rdiv",) else 0.0)
    fd_check(UNARY[name], [x])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_finite_differences(name):
    fd_check(BINARY[name], [rand((2, 3), "float64"), rand((2, 3), "float64", seed=5)])


def test_matmul_shapes():
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
                   ((5, 2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 4)), ((3,), (5, 3, 4)), ((5, 2, 3), (3,))]:
        check(lambda T, a, b: T.matmul(a, b), [sa, sb])


def test_kinks():
    # relu and abs at 0 give gradient 0; sqrt at 0 gives inf; pow with zero base
    z = np.array([0.0, 1.0, -1.0], dtype=np.float32)
    check(lambda T, x: T.relu(x), None, arrays=[z])
    check(lambda T, x: T.abs(x), None, arrays=[z])
    check(lambda T, x: T.sqrt(x.abs()), None, arrays=[z])
    check(lambda T, x: x ** 0, None, arrays=[z])
    check(lambda T, x: x ** 2.5, None, arrays=[np.abs(z)])


def test_empty_and_zero_dim():
    check(lambda T, x: (x * 2).sum(), [()])
    check(lambda T, x: x.exp().sum(), [(0,)])
    check(lambda T, x: x.mean(0), [(0, 3)])
