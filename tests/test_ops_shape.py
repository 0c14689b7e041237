"""Shape ops and views against torch: values, gradients, grad_fn names, view-ness and memory
sharing, errors; finite differences (first and second order) in float64."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import ember
from oracle import check, fd_check, pair, rand, same_error

# name -> (fn(T, x), input shape)
CASES = {
    "view": (lambda T, x: x.view(4, 6), (2, 3, 4)),
    "view_infer": (lambda T, x: x.view(-1, 4), (2, 3, 4)),
    "view_as": (lambda T, x: x.view_as(T.zeros(6, 4)), (2, 3, 4)),
    "reshape_view": (lambda T, x: x.reshape(6, 4), (2, 3, 4)),
    "reshape_copy": (lambda T, x: x.transpose(0, 2).reshape(-1), (2, 3, 4)),
    "reshape_as": (lambda T, x: x.reshape_as(T.zeros(4, 6)), (2, 3, 4)),
    "flatten": (lambda T, x: x.flatten(), (2, 3, 4)),
    "flatten_mid": (lambda T, x: T.flatten(x, 1, 2), (2, 3, 4)),
    "flatten_0d": (lambda T, x: x.flatten(), ()),
    "unflatten": (lambda T, x: x.unflatten(2, (2, -1)), (2, 3, 4)),
    "squeeze": (lambda T, x: x.squeeze(), (2, 1, 3, 1)),
    "squeeze_dim": (lambda T, x: x.squeeze(1), (2, 1, 3, 1)),
    "squeeze_tuple": (lambda T, x: x.squeeze((1, -1)), (2, 1, 3, 1)),
    "squeeze_noop": (lambda T, x: x.squeeze(0), (2, 1, 3, 1)),
    "unsqueeze_neg": (lambda T, x: x.unsqueeze(-1), (2, 3)),
    "transpose": (lambda T, x: x.transpose(0, -1), (2, 3, 4)),
    "swapaxes": (lambda T, x: T.swapaxes(x, 0, 1), (2, 3, 4)),
    "t": (lambda T, x: x.t(), (2, 3)),
    "t_1d": (lambda T, x: x.t(), (3,)),
    "T_2d": (lambda T, x: x.T, (2, 3)),
    "mT": (lambda T, x: x.mT, (2, 3, 4)),
    "permute": (lambda T, x: x.permute(2, 0, 1), (2, 3, 4)),
    "permute_neg": (lambda T, x: T.permute(x, (-1, 0, 1)), (2, 3, 4)),
    "movedim": (lambda T, x: x.movedim(0, -1), (2, 3, 4)),
    "movedim_multi": (lambda T, x: T.movedim(x, (0, 1), (2, 0)), (2, 3, 4)),
    "expand": (lambda T, x: x.expand(4, 2, 3), (2, 1)),
    "expand_neg": (lambda T, x: x.expand(2, -1, 3), (2, 1)),
    "expand_as": (lambda T, x: x.expand_as(T.zeros(3, 2, 5)), (2, 1)),
    "broadcast_to": (lambda T, x: T.broadcast_to(x, (3, 2, 4)), (2, 1)),
    "repeat": (lambda T, x: x.repeat(2, 1, 3), (2, 3)),
    "repeat_same": (lambda T, x: x.repeat(1, 1), (2, 3)),
    "repeat_interleave": (lambda T, x: x.repeat_interleave(2), (2, 3)),
    "repeat_interleave_dim": (lambda T, x: T.repeat_interleave(x, 3, dim=1), (2, 3)),
    "repeat_interleave_tensor": (lambda T, x: x.repeat_interleave(T.tensor([1, 0, 2]), dim=1), (2, 3)),
    "tile": (lambda T, x: x.tile((2,)), (2, 3)),
    "tile_more": (lambda T, x: T.tile(x, (2, 1, 2)), (2, 3)),
    "contiguous": (lambda T, x: x.t().contiguous(), (2, 3)),
    "narrow": (lambda T, x: x.narrow(1, 1, 2), (2, 4)),
    "narrow_neg": (lambda T, x: T.narrow(x, -1, -3, 2), (2, 4)),
    "select": (lambda T, x: x.select(1, -1), (2, 4)),
    "chunk": (lambda T, x: x.chunk(3, 1), (2, 7)),
    "split": (lambda T, x: x.split(3, 1), (2, 7)),
    "split_sizes": (lambda T, x: T.split(x, [1, 4, 2], 1), (2, 7)),
    "tensor_split": (lambda T, x: x.tensor_split(3, 1), (2, 7)),
    "tensor_split_idx": (lambda T, x: T.tensor_split(x, [1, 5], dim=1), (2, 7)),
    "unbind": (lambda T, x: x.unbind(1), (2, 3)),
    "unbind_some": (lambda T, x: x.unbind(0)[1], (2, 3)),
    "split_some": (lambda T, x: x.split(2)[0], (5, 2)),
    "flip": (lambda T, x: x.flip(0, 2), (2, 3, 4)),
    "fliplr": (lambda T, x: T.fliplr(x), (2, 3)),
    "flipud": (lambda T, x: x.flipud(), (2, 3)),
    "roll": (lambda T, x: x.roll(2), (2, 3)),
    "roll_dims": (lambda T, x: T.roll(x, (1, -1), (0, 1)), (2, 3)),
    "diag_1d": (lambda T, x: T.diag(x), (3,)),
    "diag_1d_off": (lambda T, x: x.diag(-1), (3,)),
    "diag_2d": (lambda T, x: x.diag(), (3, 4)),
    "diag_2d_off": (lambda T, x: T.diag(x, 1), (3, 4)),
    "diagonal": (lambda T, x: x.diagonal(), (3, 4)),
    "diagonal_args": (lambda T, x: T.diagonal(x, -1, 2, 0), (3, 4, 5)),
    "diag_embed": (lambda T, x: x.diag_embed(), (2, 3)),
    "diag_embed_args": (lambda T, x: T.diag_embed(x, 1, 0, 2), (2, 3)),
    "tril": (lambda T, x: x.tril(), (3, 4)),
    "triu": (lambda T, x: T.triu(x, -1), (2, 3, 4)),
    "trace": (lambda T, x: x.trace(), (3, 4)),
    "as_strided": (lambda T, x: x.as_strided((2, 2), (1, 2)), (3, 4)),
    "as_strided_overlap": (lambda T, x: T.as_strided(x, (3, 3), (1, 1), 1), (3, 4)),
    "unfold": (lambda T, x: x.unfold(1, 2, 1), (3, 4)),
    "unfold_step": (lambda T, x: x.unfold(0, 2, 2), (5, 2)),
    "broadcast_tensors": (lambda T, x: T.broadcast_tensors(x, x[0], x[:, :1]), (2, 3)),
    "atleast_1d": (lambda T, x: T.atleast_1d(x), ()),
    "atleast_2d": (lambda T, x: T.atleast_2d(x), (3,)),
    "atleast_2d_0d": (lambda T, x: T.atleast_2d(x), ()),
    "atleast_3d_1d": (lambda T, x: T.atleast_3d(x), (3,)),
    "atleast_3d_2d": (lambda T, x: T.atleast_3d(x), (2, 3)),
    "atleast_multi": (lambda T, x: T.atleast_2d(x, x[0]), (2, 3)),
    "cat": (lambda T, x: T.cat([x, x * 2, x[:1]]), (2, 3)),
    "cat_dim": (lambda T, x: T.cat((x, x[:, :1]), dim=-1), (2, 3)),
    "cat_legacy_empty": (lambda T, x: T.cat([x, T.zeros(0)]), (2, 3)),
    "concat": (lambda T, x: T.concat([x, x], 1), (2, 3)),
    "stack": (lambda T, x: T.stack([x, x * 2]), (2, 3)),
    "stack_neg": (lambda T, x: T.stack([x, x], -1), (2, 3)),
    "hstack": (lambda T, x: T.hstack([x, x]), (2, 3)),
    "hstack_1d": (lambda T, x: T.hstack([x[0], x[1]]), (2, 3)),
    "vstack": (lambda T, x: T.vstack([x, x[0]]), (2, 3)),
    "dstack": (lambda T, x: T.dstack([x, x]), (2, 3)),
    "column_stack": (lambda T, x: T.column_stack([x[0], x[1]]), (2, 3)),
    "noncontig_view_chain": (lambda T, x: x.t()[1:].unsqueeze(0).expand(2, 3, 2), (2, 4)),
    "empty_cat": (lambda T, x: T.cat([x, x], 0), (0, 3)),
    "empty_split": (lambda T, x: x.split(2, 1), (0, 3)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_shape_vs_torch(name):
    fn, shape = CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eo, to = check(fn, [shape])
    for e, t in zip(eo, to):
        if isinstance(t, torch.Tensor):
            assert (e._base is not None) == (t._base is not None), f"{name}: view-ness differs"


FD = ["view", "reshape_copy", "squeeze_tuple", "permute", "expand", "repeat", "repeat_interleave", "tile",
      "narrow", "select", "chunk", "split_sizes", "tensor_split", "unbind", "flip", "roll_dims", "diag_1d_off",
      "diag_2d_off", "diagonal_args", "diag_embed_args", "triu", "trace", "as_strided_overlap", "unfold",
      "broadcast_tensors", "cat_dim", "stack_neg", "dstack", "movedim_multi", "unflatten"]


@pytest.mark.parametrize("name", FD)
def test_shape_finite_differences(name):
    fn, shape = CASES[name]
    fd_check(lambda T, x: fn(T, x * x), [rand(shape, "float64")])


VIEWS = ["view", "reshape_view", "flatten", "unflatten", "squeeze", "unsqueeze_neg", "transpose", "t", "mT",
         "permute", "movedim", "expand", "narrow", "select", "diagonal", "as_strided", "unfold", "unbind_some",
         "split_some"]


@pytest.mark.parametrize("name", VIEWS)
def test_views_share_memory_and_version(name):
    fn, shape = CASES[name]
    arr = rand(shape)
    for T in (ember, torch):
        x = T.tensor(arr.copy())
        v = fn(T, x)
        v0 = v.detach().clone()
        assert v._base is x
        x.add_(1.0)
        assert v._version == x._version == 1
        assert np.allclose(v.numpy(), v0.numpy() + 1)


def test_inplace_on_view_updates_base_grad():
    def f(T, x):
        y = x * 1
        d = y.diagonal()
        d.mul_(3)
        return y, d
    eo, to = check(f, [(3, 3)], meta=False)  # torch's CopySlices.name() is namespaced
    assert type(eo[0].grad_fn).__name__ == "CopySlices" == type(to[0].grad_fn).__name__
    assert eo[1].grad_fn.name() == "AsStridedBackward0" == to[1].grad_fn.name()


def test_transpose_then_narrow_inplace():
    def f(T, x):
        y = x.clone()
        y.t().narrow(0, 1, 1).zero_()
        return y
    check(f, [(2, 3)], meta=False)


def test_split_grad_partial():
    # only one output of a multi-output view op used: the others get zero gradient
    check(lambda T, x: x.split([1, 2])[1] * 2, [(3, 2)])
    check(lambda T, x: x.unbind()[0].exp(), [(3, 2)])


def test_tril_inplace():
    check(lambda T, x: (x * 1).tril_(1), [(3, 3)])
    check(lambda T, x: (x * 1).triu_(), [(3, 3)])


def test_cat_promotes_dtypes():
    e, t = pair(np.arange(3, dtype=np.int64))
    ef, tf = pair(rand((2,)))
    r1, r2 = ember.cat([e, ef]), torch.cat([t, tf])
    assert str(r1.dtype) == str(r2.dtype)
    np.testing.assert_allclose(r1.detach().numpy(), r2.detach().numpy())


def test_int_shape_ops():
    arr = np.arange(12).reshape(3, 4)
    for fn in [lambda T, x: x.trace(), lambda T, x: x.flip(0), lambda T, x: x.diag(), lambda T, x: x.roll(1, 1),
               lambda T, x: x.repeat_interleave(2), lambda T, x: T.stack([x, x])]:
        check(fn, None, arrays=[arr])


def test_T_deprecation_warning_and_identity_0d():
    for T in (ember, torch):
        x = T.ones(2, 3, 4)
        with pytest.warns(UserWarning, match="is deprecated"):
            assert tuple(x.T.shape) == (4, 3, 2)


def test_repeat_interleave_counts_only():
    e, t = ember.tensor([2, 0, 1]), torch.tensor([2, 0, 1])
    assert ember.repeat_interleave(e).tolist() == torch.repeat_interleave(t).tolist()


def test_broadcast_shapes():
    assert tuple(ember.broadcast_shapes((2, 1), (3, 1, 4))) == tuple(torch.broadcast_shapes((2, 1), (3, 1, 4)))


ERRORS = [
    lambda T: T.zeros(2, 3).view(5, 2),
    lambda T: T.zeros(2, 3).view(4, -1),
    lambda T: T.zeros(2, 3).view(-1, -1),
    lambda T: T.zeros(2, 3).t().view(-1),
    lambda T: T.zeros(2, 3).reshape(7),
    lambda T: T.zeros(3, 4).select(0, 5),
    lambda T: T.zeros(3, 4).narrow(1, 3, 2),
    lambda T: T.zeros(3, 4).permute(0),
    lambda T: T.cat([T.zeros(3, 4), T.zeros(2, 3)], 1),
    lambda T: T.cat([T.zeros(3, 4), T.zeros(2, 3)]),
    lambda T: T.cat([]),
    lambda T: T.cat([T.zeros(2), T.zeros(2, 2)]),
    lambda T: T.stack([T.zeros(3, 4), T.zeros(2, 4)]),
    lambda T: T.stack([]),
    lambda T: T.zeros(3, 4).unbind(3),
    lambda T: T.zeros(3, 4).split(0),
    lambda T: T.zeros(3, 4).chunk(0),
    lambda T: T.zeros(3, 4).flip(3),
    lambda T: T.zeros(3, 4).diagonal(0, 0, 0),
    lambda T: T.zeros(3, 4).unflatten(1, (3, 2)),
    lambda T: T.zeros(3, 4).repeat(2),
    lambda T: T.zeros(3, 4).movedim(0, 5),
    lambda T: T.zeros(3, 4).expand(2, 4),
    lambda T: T.zeros(3, 4).expand(4),
    lambda T: T.zeros(3, 4).squeeze(4),
    lambda T: T.zeros(3, 4).transpose(0, 3),
    lambda T: T.zeros(3).trace(),
    lambda T: T.zeros(3, 4).roll(1, (0, 1)),
    lambda T: T.zeros(3, 4).unfold(1, 5, 1),
    lambda T: T.zeros(3, 4).unfold(1, 2, 0),
    lambda T: T.zeros(3).tril(),
    lambda T: T.zeros(3).fliplr(),
    lambda T: T.zeros(3, 4).split([1, 1]),
    lambda T: T.zeros(3, 4).as_strided((4, 4), (4, 1)),
    lambda T: T.broadcast_tensors(T.zeros(2, 3), T.zeros(4)),
    lambda T: T.zeros(3, 4).tensor_split(0),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_shape_errors(i):
    same_error(ERRORS[i])


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=1, max_size=4), st.data())
def test_hypothesis_expand_permute(shape, data):
    nd = len(shape)
    perm = data.draw(st.permutations(range(nd)))
    extra = data.draw(st.lists(st.integers(1, 3), max_size=2))
    target = tuple(extra) + tuple(s if s != 1 else data.draw(st.integers(1, 3)) for s in shape)
    check(lambda T, x: x.expand(target).permute(*range(len(extra)), *[p + len(extra) for p in perm]).reshape(-1),
          [tuple(shape)])


def _views_after_inplace(T, through_view: bool):
    x = T.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    base = x * 1
    v1 = base[0]
    v2 = base[:, 0]           # made before the write: torch regenerates its grad_fn
    if through_view:
        v1.mul_(2)
    else:
        base.mul_(2)
    name = v2.grad_fn.name()
    v2.sum().backward()
    return name, x.grad.numpy().copy()


@pytest.mark.parametrize("through_view", [True, False])
def test_sibling_view_grad_fn_after_inplace(through_view):
    ne, ge = _views_after_inplace(ember, through_view)
    nt, gt = _views_after_inplace(torch, through_view)
    np.testing.assert_array_equal(ge, gt)
    assert ne == nt


def test_sum_to_size_dtypes_and_graph():
    import torch
    import ember
    from oracle import check
    for lib in (ember, torch):
        assert str(lib.ones(2, 3, dtype=lib.int32).sum_to_size(3).dtype) == "torch.int64"
    check(lambda T, x: x.sum_to_size(1, 3), [(4, 3)])
    check(lambda T, x: x.sum_to_size(3), [(2, 4, 3)])
    check(lambda T, x: (x * 2).sum_to_size(3, 1), [(3, 5)])
