"""Indexing and the gather/scatter family against torch (values, gradients, grad_fn chains,
view-ness, in-place on views, errors), finite differences, and hypothesis over index mixes."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from oracle import check, fd_check, pair, rand, same_error


def chain(t):
    out = []
    f = t.grad_fn
    while f is not None and f.name() not in ("MulBackward0",) and "AccumulateGrad" not in f.name():
        out.append(f.name().replace("torch::autograd::", ""))
        f = f.next_functions[0][0] if f.next_functions else None
    return out


def I(T, v):  # noqa: E743  an index tensor in library T
    return T.tensor(v)


GETITEM = {
    "int": lambda T, x: x[1],
    "neg_int": lambda T, x: x[-1, -2],
    "slice": lambda T, x: x[1:],
    "full_slice": lambda T, x: x[:],
    "full_slices": lambda T, x: x[:, :],
    "step": lambda T, x: x[::2, 1::2],
    "int_slice": lambda T, x: x[0, 1:],
    "none": lambda T, x: x[None],
    "none_mid": lambda T, x: x[:, None, 1],
    "ellipsis": lambda T, x: x[...],
    "ellipsis_int": lambda T, x: x[..., 0],
    "ellipsis_none": lambda T, x: x[None, ..., None],
    "slice_clamp": lambda T, x: x[1:100, -100:2],
    "empty_slice": lambda T, x: x[2:1],
    "zero_d_int_tensor": lambda T, x: x[I(T, 1), 1:],
    "list": lambda T, x: x[[0, 2, 0]],
    "tensor": lambda T, x: x[:, I(T, [1, 0, 1])],
    "tensor_2d": lambda T, x: x[:, I(T, [[0], [3]])],
    "two_tensors": lambda T, x: x[I(T, [0, 1]), I(T, [1, 2])],
    "broadcast_tensors": lambda T, x: x[I(T, [[0], [1]]), I(T, [1, 2])],
    "int_and_list": lambda T, x: x[0, [1, 2]],
    "int_none_list": lambda T, x: x[0, None, [1, 2]],
    "slice_and_list": lambda T, x: x[1:, [0, 0]],
    "ellipsis_list": lambda T, x: x[..., [0, 1]],
    "mask": lambda T, x: x[x > 0],
    "row_mask": lambda T, x: x[I(T, [True, False, True])],
    "list_mask": lambda T, x: x[[True, False, True]],
    "true": lambda T, x: x[True],
    "false": lambda T, x: x[False],
    "int32_index": lambda T, x: x[T.tensor([0, 2], dtype=T.int32)],
    "noncontig": lambda T, x: x.t()[1:, [0, 2]],
}


@pytest.mark.parametrize("name", sorted(GETITEM))
def test_getitem_vs_torch(name):
    fn = GETITEM[name]
    eo, to = check(lambda T, x: fn(T, x * 1), [(3, 4)])
    assert chain(eo[0]) == chain(to[0])
    assert (eo[0]._base is not None) == (to[0]._base is not None)


def test_getitem_3d_mixes():
    for fn in [lambda T, x: x[0, :, [0, 1]], lambda T, x: x[[0, 1], :, [1, 0]], lambda T, x: x[:, [0], [1]],
               lambda T, x: x[x[:, :, 0] > 0], lambda T, x: x[1, ..., [2, 3]], lambda T, x: x[:, 1:, None, [0]]]:
        eo, to = check(fn, [(2, 3, 4)])
        assert chain(eo[0]) == chain(to[0])


def test_getitem_duplicates_accumulate_and_fd():
    fd_check(lambda T, x: x[[0, 0, 1]] * x[0, [1, 1]].sum(), [rand((2, 3), "float64")])
    fd_check(lambda T, x: x[1:, ::2][..., None] * x[0], [rand((3, 4), "float64")])


def test_getitem_int_tensor_and_0d():
    check(lambda T, x: x[1], [(3,)])
    check(lambda T, x: x[...], [()])
    check(lambda T, x: x[None], [()])


GETITEM_ERRORS = [
    lambda T: T.zeros(3, 4)[5],
    lambda T: T.zeros(3, 4)[0, 5],
    lambda T: T.zeros(3, 4)[[5]],
    lambda T: T.zeros(3, 4)[:, [-7]],
    lambda T: T.zeros(2, 3, 4)[[0], :, [9]],
    lambda T: T.zeros(3, 4)[0, 0, 0],
    lambda T: T.zeros(3, 4)[T.tensor([True, False])],
    lambda T: T.zeros(3, 4)[1.0],
    lambda T: T.zeros(3, 4)[::-1],
    lambda T: T.zeros(3, 4)[T.tensor([1.0])],
    lambda T: T.zeros(3, 4)[0][0][0],
]


@pytest.mark.parametrize("i", range(len(GETITEM_ERRORS)))
def test_getitem_errors(i):
    same_error(GETITEM_ERRORS[i])


SETITEM = {
    "int_scalar": lambda T, x, v: x.__setitem__(0, 2.0),
    "int_tensor": lambda T, x, v: x.__setitem__(0, v[0]),
    "slice_tensor": lambda T, x, v: x.__setitem__((slice(None), slice(1, None)), v[:, 1:]),
    "broadcast_value": lambda T, x, v: x.__setitem__((slice(None), 1), v[0, 0]),
    "ellipsis_scalar": lambda T, x, v: x.__setitem__(Ellipsis, 1.0),
    "full_slice_tensor": lambda T, x, v: x.__setitem__(slice(None), v[1]),
    "none_scalar": lambda T, x, v: x.__setitem__(None, 1.0),
    "list": lambda T, x, v: x.__setitem__([0, 2], v[:2]),
    "mask_scalar": lambda T, x, v: x.__setitem__(x > 0, 0.0),
    "mask_tensor": lambda T, x, v: x.__setitem__(v > 0, v[v > 0] * 2),
    "int_list": lambda T, x, v: x.__setitem__((0, [1, 2]), v[0, :2]),
    "two_lists": lambda T, x, v: x.__setitem__(([0, 1], [1, 3]), v[0, :2]),
}


@pytest.mark.parametrize("name", sorted(SETITEM))
def test_setitem_vs_torch(name):
    fn = SETITEM[name]

    def f(T, x, v):
        y = x * 1
        fn(T, y, v)
        return y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eo, to = check(f, [(3, 4), (3, 4)], meta=False)
    assert type(eo[0].grad_fn).__name__ == type(to[0].grad_fn).__name__


def test_setitem_no_grad_and_version():
    for T in (ember, torch):
        x = T.zeros(3, 4)
        v = x[0]
        x[0, [1, 2]] = 5.0
        x[x > 4] += 1
        x[1:, ::2] = T.ones(2)
        assert x._version == 3 and v._version == 3
    e, t = ember.zeros(3, 4), torch.zeros(3, 4)
    for T, x in ((ember, e), (torch, t)):
        x[0, [1, 2]] = 5.0
        x[1:, ::2] = T.ones(2)
        x[..., 3] = T.arange(3.0)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_setitem_leaf_errors():
    same_error(lambda T: T.zeros(3, requires_grad=True).__setitem__(0, 1.0))
    same_error(lambda T: T.zeros(3, 4).__setitem__([0], T.zeros(2)))
    same_error(lambda T: T.zeros(3, 4).__setitem__(0, T.zeros(3)))


def test_setitem_view_of_nonleaf_then_base_grad():
    def f(T, x, v):
        y = x * 2
        w = y[1:]
        w[:, 0] = v[0, :2] ** 2
        return y, y[1:]
    eo, to = check(f, [(3, 4), (3, 4)], meta=False)
    assert type(eo[0].grad_fn).__name__ == "CopySlices"
    assert eo[1].grad_fn.name() == to[1].grad_fn.name() == "SliceBackward0"



# ----------------------------------------------------------------- gather / scatter family
IDX = np.array([[0, 2, 1], [1, 1, 0]])


OPS = {
    "gather": (lambda T, x: x.gather(1, T.tensor(IDX)), [(2, 4)]),
    "gather_small": (lambda T, x: T.gather(x, 0, T.tensor([[1, 0]])), [(3, 4)]),
    "scatter": (lambda T, x, s: x.scatter(1, T.tensor([[0, 2], [3, 1]]), s), [(2, 4), (2, 2)]),
    "scatter_big_src": (lambda T, x, s: x.scatter(1, T.tensor([[0, 2], [3, 1]]), s.detach()), [(2, 4), (2, 3)]),
    "scatter_value": (lambda T, x: T.scatter(x, 0, T.tensor([[1, 0, 1]]), 2.5), [(2, 3)]),
    "scatter_add": (lambda T, x, s: x.scatter_add(1, T.tensor(IDX), s), [(2, 4), (2, 3)]),
    "scatter_add_": (lambda T, x, s: (x * 1).scatter_add_(0, T.tensor(IDX[:, :2]), s), [(3, 2), (2, 2)]),
    "scatter_": (lambda T, x, s: (x * 1).scatter_(1, T.tensor([[0, 2], [3, 1]]), s), [(2, 4), (2, 2)]),
    "index_select": (lambda T, x: x.index_select(1, T.tensor([3, 0, 3])), [(2, 4)]),
    "index_select_0d": (lambda T, x: T.index_select(x, 0, T.tensor(1)), [(3, 2)]),
    "index_add": (lambda T, x, s: x.index_add(0, T.tensor([0, 2, 0]), s, alpha=2), [(3, 2), (3, 2)]),
    "index_add_": (lambda T, x, s: (x * 1).index_add_(1, T.tensor([1, 1]), s), [(3, 2), (3, 2)]),
    "index_copy": (lambda T, x, s: x.index_copy(0, T.tensor([2, 0]), s), [(3, 2), (2, 2)]),
    "index_copy_": (lambda T, x, s: (x * 1).index_copy_(0, T.tensor([2, 0]), s), [(3, 2), (2, 2)]),
    "index_fill": (lambda T, x: x.index_fill(1, T.tensor([0, 2]), -1.0), [(2, 3)]),
    "index_fill_tensor": (lambda T, x, v: x.index_fill(1, T.tensor([0, 2]), v.sum()), [(2, 3), (2,)]),
    "index_fill_": (lambda T, x: (x * 1).index_fill_(0, T.tensor([1]), 3.0), [(2, 3)]),
    "masked_select": (lambda T, x: x.masked_select(x > 0), [(3, 4)]),
    "masked_select_bcast": (lambda T, x: T.masked_select(x, T.tensor([True, False, True, True])), [(3, 4)]),
    "masked_scatter": (lambda T, x, s: x.masked_scatter(s > 0, s * 3), [(3, 4), (3, 4)]),
    "masked_scatter_": (lambda T, x, s: (x * 1).masked_scatter_(x > 0, s), [(3, 4), (3, 4)]),
    "take": (lambda T, x: x.take(T.tensor([[0, 5], [-1, 5]])), [(3, 4)]),
    "take_along_dim": (lambda T, x: T.take_along_dim(x, T.tensor([[0], [2], [1]]), 1), [(3, 4)]),
    "take_along_dim_flat": (lambda T, x: x.take_along_dim(T.tensor([0, 7, 7])), [(3, 4)]),
    "take_along_dim_bcast": (lambda T, x: T.take_along_dim(x, T.tensor([[[0, 3]], [[1, 1]], [[2, 0]]]), 2),
                             [(1, 2, 4)]),
    "put_": (lambda T, x, s: (x * 1).put_(T.tensor([0, 5, 11]), s[0, :3]), [(3, 4), (3, 4)]),
    "put_acc": (lambda T, x, s: (x * 1).put_(T.tensor([0, 5, 0]), s[0, :3], accumulate=True), [(3, 4), (3, 4)]),
    "put": (lambda T, x, s: T.put(x, T.tensor([1, 2]), s[0, :2]), [(3, 4), (3, 4)]),
    "index_put_": (lambda T, x, s: (x * 1).index_put_((T.tensor([0, 2]),), s[:2]), [(3, 4), (3, 4)]),
    "index_put_acc": (lambda T, x, s: (x * 1).index_put_((T.tensor([0, 0]), T.tensor([1, 1])), s[0, 0],
                                                         accumulate=True), [(3, 4), (3, 4)]),
    "index_put": (lambda T, x, s: T.index_put(x, (T.tensor([1]),), s[0]), [(3, 4), (3, 4)]),
}


@pytest.mark.parametrize("name", sorted(OPS))
def test_indexing_ops_vs_torch(name):
    fn, shapes = OPS[name]
    check(fn, shapes)


@pytest.mark.parametrize("reduce", ["sum", "mean", "amax", "amin", "prod"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce(reduce, include_self):
    def f(T, x, s):
        return x.scatter_reduce(1, T.tensor([[0, 0, 2], [1, 1, 1]]), s, reduce, include_self=include_self)
    check(f, [(2, 4), (2, 3)])


FD_OPS = ["gather", "scatter", "scatter_add", "index_select", "index_add", "index_copy", "index_fill_tensor",
          "masked_select", "masked_scatter", "take", "take_along_dim", "put_acc", "index_put_"]


@pytest.mark.parametrize("name", FD_OPS)
def test_indexing_ops_finite_differences(name):
    fn, shapes = OPS[name]
    arrays = [rand(s, "float64", seed=i) for i, s in enumerate(shapes)]
    fd_check(lambda T, *xs: fn(T, *[x * x for x in xs]), arrays)


def test_inplace_scatter_on_view_of_nonleaf():
    def f(T, x, s):
        y = x * 1
        y[1:].scatter_(1, T.tensor([[0], [1]]), s[:2, :1])
        y.t().index_fill_(0, T.tensor([2]), 0.0)
        return y
    eo, to = check(f, [(3, 4), (3, 4)], meta=False)
    assert type(eo[0].grad_fn).__name__ == type(to[0].grad_fn).__name__ == "CopySlices"


def test_nonzero_argwhere():
    for arr in [rand((3, 4)) > 0, np.array(3.0), np.zeros((2, 0)), np.array([0, 1, 2])]:
        e, t = pair(arr, requires_grad=False)
        assert ember.nonzero(e).tolist() == torch.nonzero(t).tolist()
        assert ember.argwhere(e).tolist() == torch.argwhere(t).tolist()
        assert [a.tolist() for a in e.nonzero(as_tuple=True)] == [a.tolist() for a in t.nonzero(as_tuple=True)]
        assert str(ember.nonzero(e).dtype) == str(torch.nonzero(t).dtype)


def test_one_hot():
    from ember._ops.indexing import one_hot
    F = torch.nn.functional
    for args in [([0, 2, 1], 3), ([[0, 1], [4, 2]], -1), ([1], 5)]:
        e, t = one_hot(ember.tensor(args[0]), args[1]), F.one_hot(torch.tensor(args[0]), args[1])
        assert e.tolist() == t.tolist() and str(e.dtype) == str(t.dtype)


def test_one_hot_errors():
    from ember._ops.indexing import one_hot
    F = torch.nn.functional
    for a, n in [([0, 3], 3), ([0.0, 3.0], 3), ([-1], 3)]:
        same_error(lambda T: (one_hot if T is ember else F.one_hot)(T.tensor(a), n))


OP_ERRORS = [
    lambda T: T.zeros(3, 4).gather(1, T.tensor([[0, 5]])),
    lambda T: T.zeros(3, 4).gather(1, T.tensor([0])),
    lambda T: T.zeros(3, 4).scatter(1, T.tensor([[0, 5]]), 1.0),
    lambda T: T.zeros(3, 4).index_select(0, T.tensor([3])),
    lambda T: T.zeros(3, 4).index_select(0, T.tensor([[0]])),
    lambda T: T.zeros(3, 4).masked_select(T.ones(2, dtype=T.bool)),
    lambda T: T.zeros(3, 4).index_fill(0, T.tensor([0]), T.tensor([1.0, 2])),
    lambda T: T.zeros(3, 4).take(T.tensor([12])),
    lambda T: T.zeros(3, 4).index_add(0, T.tensor([0]), T.ones(2, 4)),
    lambda T: T.zeros(3, 4).put_(T.tensor([0]), T.ones(2)),
    lambda T: T.zeros(3, 4).masked_scatter(T.ones(3, 4, dtype=T.bool), T.ones(2)),
]


@pytest.mark.parametrize("i", range(len(OP_ERRORS)))
def test_indexing_op_errors(i):
    same_error(OP_ERRORS[i])


# ----------------------------------------------------------------- hypothesis over index mixes
def _index_strategy(shape):
    def one(size):
        return st.one_of(
            st.integers(-size, size - 1),
            st.builds(lambda a, b, c: slice(a, b, c), st.one_of(st.none(), st.integers(-size - 1, size + 1)),
                      st.one_of(st.none(), st.integers(-size - 1, size + 1)), st.one_of(st.none(), st.integers(1, 3))),
            st.lists(st.integers(-size, size - 1), min_size=1, max_size=3),
            st.just(None),
        )
    return st.tuples(*[one(s) for s in shape])


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_hypothesis_getitem(data):
    shape = (3, 4, 2)
    idx = data.draw(_index_strategy(shape))
    n_lists = sum(isinstance(i, list) for i in idx)
    if n_lists > 1:
        lens = {len(i) for i in idx if isinstance(i, list)}
        if len(lens) > 1:
            return

    def f(T, x):
        return (x * 1)[tuple(T.tensor(i) if isinstance(i, list) else i for i in idx)]
    try:
        f(torch, torch.zeros(shape))
    except IndexError:
        same_error(lambda T: f(T, T.zeros(shape)))
        return
    eo, to = check(f, [shape])
    assert chain(eo[0]) == chain(to[0])
