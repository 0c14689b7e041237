"""Layers and their functional forms against torch: outputs, input and parameter gradients,
grad_fn names, buffers after several steps, train/eval, and double backward."""
import numpy as np
import pytest
import torch

import ember
from oracle import assert_close, check, fd_check, grad_fn_name, rand, same_error


def copy_params(em, tm):
    """Load torch's parameters and buffers into the ember module."""
    sd = {k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()}
    em.load_state_dict(sd)


def parity(make, shapes, train=True, steps=1, dtype="float32", atol=None, rtol=None, int_inputs=None, grads=True):
    """Build the layer in both libraries, copy parameters, run ``steps`` forward/backward passes
    and compare outputs, grad_fn names, input/parameter gradients and buffers."""
    tm, em = make(torch), make(ember)
    if dtype == "float64":
        tm, em = tm.double(), em.double()
    copy_params(em, tm)
    tm.train(train)
    em.train(train)
    for step in range(steps):
        if int_inputs is not None:
            arrays = int_inputs
        else:
            arrays = [rand(s, dtype, seed=step * 7 + i) for i, s in enumerate(shapes)]
        rg = int_inputs is None
        ts = [torch.tensor(a.copy(), requires_grad=rg) for a in arrays]
        es = [ember.tensor(a.copy(), requires_grad=rg) for a in arrays]
        to, eo = tm(*ts), em(*es)
        to_l = list(to) if isinstance(to, tuple) else [to]
        eo_l = list(eo) if isinstance(eo, tuple) else [eo]
        for e, t in zip(eo_l, to_l):
            assert_close(e, t, atol, rtol)
            assert grad_fn_name(e) == grad_fn_name(t), (grad_fn_name(e), grad_fn_name(t))
        if grads and to_l[0].requires_grad:
            w = np.random.default_rng(step).uniform(-1, 1, size=tuple(to_l[0].shape)).astype(dtype)
            (to_l[0] * torch.tensor(w)).sum().backward()
            (eo_l[0] * ember.tensor(w)).sum().backward()
            for e, t in zip(es, ts):
                if t.grad is not None:
                    assert_close(e.grad, t.grad, atol, rtol, what="input grad")
            for (n, ep), (_, tp) in zip(em.named_parameters(), tm.named_parameters()):
                if tp.grad is None:
                    assert ep.grad is None, n
                else:
                    assert_close(ep.grad, tp.grad, atol, rtol, what=f"grad of {n}")
    for (n, eb), (_, tb) in zip(em.named_buffers(), tm.named_buffers()):
        assert_close(eb, tb, atol, rtol, what=f"buffer {n}")
    return em, tm


CONV_CASES = [
    ("conv1d", lambda T: T.nn.Conv1d(3, 4, 3), [(2, 3, 9)]),
    ("conv1d_stride_pad", lambda T: T.nn.Conv1d(3, 4, 3, stride=2, padding=2, dilation=2), [(2, 3, 11)]),
    ("conv2d", lambda T: T.nn.Conv2d(3, 4, 3), [(2, 3, 7, 6)]),
    ("conv2d_same", lambda T: T.nn.Conv2d(3, 4, (3, 4), padding="same"), [(2, 3, 7, 6)]),
    ("conv2d_valid", lambda T: T.nn.Conv2d(3, 4, 2, padding="valid", bias=False), [(2, 3, 5, 5)]),
    ("conv2d_groups", lambda T: T.nn.Conv2d(4, 6, 3, stride=(2, 1), padding=1, groups=2), [(2, 4, 7, 6)]),
    ("conv2d_depthwise", lambda T: T.nn.Conv2d(4, 4, 3, padding=1, groups=4), [(1, 4, 5, 5)]),
    ("conv2d_dil", lambda T: T.nn.Conv2d(2, 3, 3, dilation=2, padding=1, stride=2), [(2, 2, 9, 8)]),
    ("conv2d_reflect", lambda T: T.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), [(2, 2, 5, 5)]),
    ("conv2d_replicate", lambda T: T.nn.Conv2d(2, 3, 3, padding=2, padding_mode="replicate"), [(2, 2, 5, 5)]),
    ("conv2d_circular", lambda T: T.nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"), [(2, 2, 5, 5)]),
    ("conv2d_unbatched", lambda T: T.nn.Conv2d(2, 3, 3), [(2, 5, 5)]),
    ("conv3d", lambda T: T.nn.Conv3d(2, 3, 2, padding=1), [(1, 2, 4, 3, 4)]),
    ("convT1d", lambda T: T.nn.ConvTranspose1d(3, 2, 3, stride=2, padding=1, output_padding=1), [(2, 3, 5)]),
    ("convT2d", lambda T: T.nn.ConvTranspose2d(3, 4, 3), [(2, 3, 4, 5)]),
    ("convT2d_stride", lambda T: T.nn.ConvTranspose2d(4, 2, (3, 2), stride=2, padding=1, output_padding=1,
                                                      groups=2, dilation=(1, 2)), [(2, 4, 3, 4)]),
]


@pytest.mark.parametrize("name,make,shapes", CONV_CASES, ids=[c[0] for c in CONV_CASES])
def test_conv_layers(name, make, shapes):
    parity(make, shapes)


def test_conv_transpose_output_size():
    tm, em = torch.nn.ConvTranspose2d(2, 3, 3, stride=2), ember.nn.ConvTranspose2d(2, 3, 3, stride=2)
    copy_params(em, tm)
    x = rand((1, 2, 4, 4))
    to = tm(torch.tensor(x), output_size=[10, 10])
    eo = em(ember.tensor(x), output_size=[10, 10])
    assert_close(eo, to)


def test_conv_double_backward_finite_differences():
    # WGAN-GP style: gradient of a gradient through conv and conv_transpose
    x = rand((1, 2, 4, 4), "float64")
    w = rand((3, 2, 2, 2), "float64", seed=3)
    fd_check(lambda T, x, w: T.nn.functional.conv2d(x, w, stride=2, padding=1), [x, w], atol=1e-4)
    fd_check(lambda T, x, w: T.nn.functional.conv2d(x, w, dilation=2, padding=1) ** 2, [x, w], atol=1e-4)
    wt = rand((2, 3, 2, 2), "float64", seed=4)
    fd_check(lambda T, x, w: T.nn.functional.conv_transpose2d(x, w, stride=2) ** 2, [x, wt], atol=1e-4)


def test_conv_gradient_penalty_vs_torch():
    for lib in (torch, ember):
        lib.manual_seed(0) if hasattr(lib, "manual_seed") else None
    arrays = [rand((2, 2, 5, 5), "float64"), rand((3, 2, 3, 3), "float64", seed=1), rand((3,), "float64", seed=2)]
    res = {}
    for lib in (torch, ember):
        x, w, b = [lib.tensor(a.copy(), requires_grad=True) for a in arrays]
        out = lib.nn.functional.conv2d(x, w, b, padding=1).tanh().sum()
        (gx,) = lib.autograd.grad(out, x, create_graph=True)
        pen = (gx ** 2).sum()
        pen.backward()
        res[lib.__name__] = (pen.detach().numpy(), w.grad.numpy(), x.grad.numpy(), b.grad.numpy())
    for a, b in zip(res["ember"], res["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


CONV_LAYOUT_CASES = [  # (N, C, O, K, stride, padding, dilation, groups, size)
    (2, 4, 6, (3,), (2,), (2,), (2,), 2, 11),
    (2, 3, 4, (3, 3), (1, 1), (1, 1), (1, 1), 1, 7),
    (2, 4, 6, (3, 2), (2, 1), (1, 0), (1, 2), 2, 8),
    (2, 4, 4, (3, 3), (1, 1), (1, 1), (1, 1), 4, 6),
    (2, 4, 8, (1, 1), (2, 2), (0, 0), (1, 1), 1, 8),
    (3, 2, 3, (2, 2, 2), (1, 2, 1), (1, 0, 1), (1, 1, 2), 1, 5),
    (5, 1, 6, (5, 5), (1, 1), (2, 2), (1, 1), 1, 12),
]


@pytest.mark.parametrize("layout", ["cf", "bi"])
@pytest.mark.parametrize("case", CONV_LAYOUT_CASES, ids=[str(i) for i in range(len(CONV_LAYOUT_CASES))])
def test_conv_column_layouts(monkeypatch, layout, case):
    # both im2col layouts (channel-first and batch-innermost), forward and first-order backward
    from ember._ops import conv as C
    monkeypatch.setattr(C, "_conv_layout", lambda *a: layout)
    N, Cin, O, K, s, p, d, G, S = case
    nd = len(K)
    arrays = [rand((N, Cin) + (S,) * nd, seed=1), rand((O, Cin // G) + K, seed=2), rand((O,), seed=3)]
    check(lambda T, x, w, b: getattr(T.nn.functional, f"conv{nd}d")(x, w, b, s, p, d, G), None, arrays=arrays,
          atol=1e-4, rtol=1e-4)


def test_conv_kept_columns_retain_graph_and_inplace():
    x0, w0 = rand((2, 3, 6, 6), seed=1), rand((4, 3, 3, 3), seed=2)
    res = {}
    for lib in (torch, ember):
        x, w = lib.tensor(x0.copy(), requires_grad=True), lib.tensor(w0.copy(), requires_grad=True)
        y = lib.nn.functional.conv2d(x.tanh(), w, padding=1)
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        res[lib.__name__] = (w.grad.numpy().copy(), x.grad.numpy().copy())
    for a, b in zip(res["ember"], res["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)

    def modified(T):
        x = T.ones(1, 1, 4, 4, requires_grad=True).clone()
        w = T.ones(2, 1, 3, 3, requires_grad=True)
        y = T.nn.functional.conv2d(x, w)
        x.mul_(2)
        y.sum().backward()
    same_error(modified)


def test_conv_errors():
    same_error(lambda T: T.nn.functional.conv2d(T.ones(2, 5, 8, 8), T.ones(4, 3, 3, 3)))
    same_error(lambda T: T.nn.Conv2d(3, 4, 3, groups=2))
    same_error(lambda T: T.nn.Conv2d(4, 3, 3, groups=2))
    same_error(lambda T: T.nn.Conv2d(4, 4, 3, stride=2, padding="same"))
    same_error(lambda T: T.nn.Conv2d(4, 4, 3, padding="full"))
    same_error(lambda T: T.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"))


POOL_CASES = [
    ("maxpool2d", lambda T: T.nn.MaxPool2d(2), [(2, 3, 6, 7)]),
    ("maxpool2d_s", lambda T: T.nn.MaxPool2d(3, stride=2, padding=1), [(2, 3, 7, 7)]),
    ("maxpool2d_ceil", lambda T: T.nn.MaxPool2d(3, stride=2, ceil_mode=True), [(1, 2, 8, 8)]),
    ("maxpool2d_dil", lambda T: T.nn.MaxPool2d(2, stride=1, dilation=2), [(1, 2, 6, 6)]),
    ("maxpool1d", lambda T: T.nn.MaxPool1d(3, stride=2, padding=1), [(2, 3, 9)]),
    ("avgpool2d", lambda T: T.nn.AvgPool2d(2), [(2, 3, 6, 7)]),
    ("avgpool2d_pad", lambda T: T.nn.AvgPool2d(3, stride=2, padding=1), [(2, 3, 7, 6)]),
    ("avgpool2d_nopad", lambda T: T.nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), [(2, 3, 7, 6)]),
    ("avgpool2d_ceil", lambda T: T.nn.AvgPool2d(3, stride=2, ceil_mode=True, padding=1), [(1, 2, 8, 8)]),
    ("avgpool2d_div", lambda T: T.nn.AvgPool2d(2, divisor_override=3), [(1, 2, 4, 4)]),
    ("avgpool1d", lambda T: T.nn.AvgPool1d(3, stride=2, padding=1), [(2, 3, 9)]),
    ("aap2d", lambda T: T.nn.AdaptiveAvgPool2d((3, 4)), [(2, 3, 7, 9)]),
    ("aap2d_1", lambda T: T.nn.AdaptiveAvgPool2d(1), [(2, 3, 7, 9)]),
    ("aap2d_none", lambda T: T.nn.AdaptiveAvgPool2d((None, 2)), [(2, 3, 5, 7)]),
    ("aap1d", lambda T: T.nn.AdaptiveAvgPool1d(4), [(2, 3, 10)]),
    ("amp2d", lambda T: T.nn.AdaptiveMaxPool2d((3, 2)), [(2, 3, 7, 9)]),
    ("amp1d", lambda T: T.nn.AdaptiveMaxPool1d(3), [(2, 3, 8)]),
]


@pytest.mark.parametrize("name,make,shapes", POOL_CASES, ids=[c[0] for c in POOL_CASES])
def test_pool_layers(name, make, shapes):
    parity(make, shapes)


def test_max_pool_indices_and_unpool():
    x = rand((2, 3, 6, 6))
    out = {}
    for lib in (torch, ember):
        t = lib.tensor(x.copy(), requires_grad=True)
        y, i = lib.nn.functional.max_pool2d(t, 2, return_indices=True)
        u = lib.nn.MaxUnpool2d(2)(y, i)
        (u * lib.tensor(rand((2, 3, 6, 6), seed=5))).sum().backward()
        out[lib.__name__] = (y, i, u, t.grad)
    for e, t in zip(out["ember"], out["torch"]):
        assert_close(e, t)
    assert grad_fn_name(out["ember"][2]) == grad_fn_name(out["torch"][2])
    check(lambda T, x: T.nn.functional.max_pool1d(x, 2, return_indices=True), [(2, 3, 8)])
    check(lambda T, x: T.nn.functional.adaptive_max_pool2d(x, 3, return_indices=True), [(2, 3, 7, 8)])


MAXPOOL_EDGE = [(2, 2, 2, 0, 1, False), (2, 3, 1, 1, 1, False), (2, 3, 2, 1, 2, True), (1, 3, 2, 1, 1, True),
                (3, 2, 1, 0, 1, False), (3, 3, 2, 1, 1, True)]


@pytest.mark.parametrize("nd,k,s,p,d,ceil", MAXPOOL_EDGE)
def test_max_pool_ties_nan_and_indices(nd, k, s, p, d, ceil):
    # ties keep the first element, a NaN wins (the last NaN of a window), -0.0 stays -0.0;
    # overlapping windows add their gradients
    x = rand((2, 3) + (7,) * nd, seed=nd * 10 + k)
    rng = np.random.default_rng(k + s)
    x[rng.random(x.shape) < 0.3] = 0.5
    x[rng.random(x.shape) < 0.1] = -0.0
    x[rng.random(x.shape) < 0.04] = np.nan
    fn = f"max_pool{nd}d"
    res = {}
    for lib in (torch, ember):
        t = lib.tensor(x.copy(), requires_grad=True)
        y, i = getattr(lib.nn.functional, fn)(t, k, s, p, d, ceil, True)
        (y * lib.tensor(rand(tuple(y.shape), seed=3))).sum().backward()
        res[lib.__name__] = (y.detach().numpy(), i.numpy(), t.grad.numpy(), grad_fn_name(y))
    (ey, ei, eg, en), (ty, ti, tg, tn) = res["ember"], res["torch"]
    np.testing.assert_array_equal(ey, ty)
    np.testing.assert_array_equal(np.signbit(ey), np.signbit(ty))
    np.testing.assert_array_equal(ei, ti)
    np.testing.assert_allclose(eg, tg, rtol=1e-6, atol=1e-6)
    assert en == tn


def test_max_pool_create_graph_vs_torch():
    x = rand((2, 2, 6, 6), "float64")
    out = {}
    for lib in (torch, ember):
        t = lib.tensor(x.copy(), requires_grad=True)
        y = lib.nn.functional.max_pool2d(t, 3, stride=1, padding=1)
        (gx,) = lib.autograd.grad((y ** 2).sum(), t, create_graph=True)
        (gx * lib.tensor(rand((2, 2, 6, 6), "float64", seed=4))).sum().backward()
        out[lib.__name__] = (gx.detach().numpy(), t.grad.numpy())
    for a, b in zip(out["ember"], out["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_pool_double_backward():
    x = rand((1, 2, 5, 5), "float64")
    fd_check(lambda T, x: T.nn.functional.avg_pool2d(x, 3, stride=2, padding=1) ** 2, [x])
    fd_check(lambda T, x: T.nn.functional.max_pool2d(x, 2) ** 2, [x])
    fd_check(lambda T, x: T.nn.functional.adaptive_avg_pool2d(x, 3) ** 2, [x])


def test_pool_errors():
    same_error(lambda T: T.nn.functional.max_pool2d(T.ones(1, 1, 4, 4), 2, padding=2))


NORM_CASES = [
    ("bn1d", lambda T: T.nn.BatchNorm1d(4), [(5, 4)], 3),
    ("bn1d_3d", lambda T: T.nn.BatchNorm1d(4), [(5, 4, 3)], 3),
    ("bn2d", lambda T: T.nn.BatchNorm2d(3), [(4, 3, 5, 5)], 3),
    ("bn2d_cma", lambda T: T.nn.BatchNorm2d(3, momentum=None), [(4, 3, 2, 2)], 3),
    ("bn2d_noaffine", lambda T: T.nn.BatchNorm2d(3, affine=False), [(4, 3, 2, 2)], 2),
    ("bn2d_notrack", lambda T: T.nn.BatchNorm2d(3, track_running_stats=False), [(4, 3, 2, 2)], 2),
    ("ln", lambda T: T.nn.LayerNorm(5), [(3, 4, 5)], 1),
    ("ln2", lambda T: T.nn.LayerNorm((4, 5), elementwise_affine=False), [(3, 4, 5)], 1),
    ("ln_nobias", lambda T: T.nn.LayerNorm(5, bias=False), [(3, 5)], 1),
    ("gn", lambda T: T.nn.GroupNorm(2, 4), [(3, 4, 3, 3)], 1),
    ("gn_noaffine", lambda T: T.nn.GroupNorm(4, 4, affine=False), [(3, 4, 5)], 1),
    ("in2d", lambda T: T.nn.InstanceNorm2d(3), [(2, 3, 4, 4)], 1),
    ("in2d_affine_track", lambda T: T.nn.InstanceNorm2d(3, affine=True, track_running_stats=True), [(2, 3, 4, 4)], 3),
    ("in1d", lambda T: T.nn.InstanceNorm1d(3, affine=True), [(2, 3, 6)], 1),
    ("rms", lambda T: T.nn.RMSNorm(5), [(3, 4, 5)], 1),
    ("rms_eps", lambda T: T.nn.RMSNorm([4, 5], eps=1e-3), [(3, 4, 5)], 1),
    ("lrn", lambda T: T.nn.LocalResponseNorm(3), [(2, 5, 3, 3)], 1),
    ("lrn3d", lambda T: T.nn.LocalResponseNorm(2), [(2, 5, 4)], 1),
]


@pytest.mark.parametrize("name,make,shapes,steps", NORM_CASES, ids=[c[0] for c in NORM_CASES])
def test_norm_layers_train(name, make, shapes, steps):
    parity(make, shapes, train=True, steps=steps)


@pytest.mark.parametrize("name,make,shapes,steps", NORM_CASES[:6] + NORM_CASES[12:13], ids=[c[0] for c in NORM_CASES[:6] + NORM_CASES[12:13]])
def test_norm_layers_eval_after_training(name, make, shapes, steps):
    tm, em = make(torch), make(ember)
    copy_params(em, tm)
    for s in range(steps):
        x = rand(shapes[0], seed=s)
        tm(torch.tensor(x))
        em(ember.tensor(x))
    parity(lambda T: em if T is ember else tm, shapes, train=False, steps=1)


@pytest.mark.parametrize("make,shape", [
    (lambda T: T.nn.BatchNorm2d(8), (6, 8, 5, 4)),
    (lambda T: T.nn.BatchNorm2d(8, affine=False), (6, 8, 5, 4)),
    (lambda T: T.nn.BatchNorm1d(5), (7, 5)),
    (lambda T: T.nn.GroupNorm(2, 8), (3, 8, 4, 4)),
    (lambda T: T.nn.LayerNorm((4, 4)), (3, 8, 4, 4)),
])
def test_norm_first_order_and_create_graph_agree(make, shape):
    # the fused first-order backward and the differentiable one give torch's gradients
    for create_graph in (False, True):
        res = {}
        for lib in (torch, ember):
            m = make(lib).double()
            if lib is ember:
                copy_params(m, res["torch_module"])
            x = lib.tensor(rand(shape, "float64", seed=5), requires_grad=True)
            y = m(x)
            gy = lib.tensor(rand(shape, "float64", seed=6))
            params = [x] + list(m.parameters())
            gs = lib.autograd.grad((y * gy).sum(), params, create_graph=create_graph)
            res[lib.__name__] = [g.detach().numpy() for g in gs]
            res["torch_module"] = m
        for a, b in zip(res["ember"], res["torch"]):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


def test_batchnorm_num_batches_and_state_dict():
    tm, em = torch.nn.BatchNorm2d(3), ember.nn.BatchNorm2d(3)
    for s in range(4):
        x = rand((2, 3, 2, 2), seed=s)
        tm(torch.tensor(x))
        em(ember.tensor(x))
    assert em.num_batches_tracked.item() == tm.num_batches_tracked.item() == 4
    assert em.num_batches_tracked.dtype == ember.int64
    assert list(em.state_dict()) == list(tm.state_dict())
    # a version-1 checkpoint without num_batches_tracked still loads strictly
    for lib, m in ((torch, tm), (ember, em)):
        sd = m.state_dict()
        del sd["num_batches_tracked"]
        sd._metadata[""]["version"] = 1
        assert str(m.load_state_dict(sd)) == "<All keys matched successfully>"


def test_norm_double_backward():
    x = rand((3, 2, 2), "float64")
    w, b = rand((2,), "float64", seed=1), rand((2,), "float64", seed=2)
    fd_check(lambda T, x, w, b: T.nn.functional.batch_norm(x, None, None, w, b, training=True), [x, w, b], atol=1e-4)
    fd_check(lambda T, x, w, b: T.nn.functional.layer_norm(x, (2,), w, b) ** 2, [x, w, b], atol=1e-4)
    fd_check(lambda T, x: T.nn.functional.group_norm(x, 2) ** 2, [rand((2, 4, 3), "float64")], atol=1e-4)


def test_norm_errors():
    same_error(lambda T: T.nn.BatchNorm2d(3)(T.ones(2, 3, 4)))
    same_error(lambda T: T.nn.BatchNorm1d(3)(T.ones(1, 3)))
    same_error(lambda T: T.nn.GroupNorm(3, 4))
    same_error(lambda T: T.nn.functional.group_norm(T.ones(2, 4, 3), 3))
    same_error(lambda T: T.nn.functional.layer_norm(T.ones(2, 4, 3), (4,)))


def test_dropout_masks_match_torch():
    x = rand((4, 5, 3, 3))
    for name, fn in [("dropout", lambda T, t: T.nn.functional.dropout(t, 0.3)),
                     ("dropout2d", lambda T, t: T.nn.functional.dropout2d(t, 0.4)),
                     ("dropout1d", lambda T, t: T.nn.functional.dropout1d(t[..., 0], 0.5)),
                     ("alpha", lambda T, t: T.nn.functional.alpha_dropout(t, 0.2, training=True)),
                     ("module", lambda T, t: T.nn.Dropout(0.6)(t))]:
        torch.manual_seed(3)
        ember.manual_seed(3)
        te, tt = ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        eo, to = fn(ember, te), fn(torch, tt)
        assert_close(eo, to, what=name)
        assert grad_fn_name(eo) == grad_fn_name(to), name
        eo.sum().backward()
        to.sum().backward()
        assert_close(te.grad, tt.grad, what=name)


def test_dropout_eval_and_edge_cases():
    for lib in (torch, ember):
        x = lib.ones(3, 4, requires_grad=True)
        d = lib.nn.Dropout(0.5)
        d.eval()
        assert d(x) is x
        assert lib.nn.functional.dropout(x, 0.0) is x
        assert float(lib.nn.functional.dropout(x, 1.0).sum()) == 0.0
    same_error(lambda T: T.nn.Dropout(1.5))
    same_error(lambda T: T.nn.functional.dropout(T.ones(2), 1.5))
    assert repr(ember.nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))


def test_embedding():
    idx = np.array([[1, 2, 0], [3, 1, 1]])
    parity(lambda T: T.nn.Embedding(5, 3), None, int_inputs=[idx], grads=False)
    for kw in [{}, {"padding_idx": 1}, {"padding_idx": -1}, {"max_norm": 1.0}]:
        tm, em = torch.nn.Embedding(5, 3, **kw), ember.nn.Embedding(5, 3, **kw)
        copy_params(em, tm)
        to, eo = tm(torch.tensor(idx)), em(ember.tensor(idx))
        assert_close(eo, to)
        assert grad_fn_name(eo) == "EmbeddingBackward0"
        w = rand(tuple(to.shape), seed=2)
        (to * torch.tensor(w)).sum().backward()
        (eo * ember.tensor(w)).sum().backward()
        assert_close(em.weight.grad, tm.weight.grad)
        assert_close(em.weight, tm.weight)
        assert repr(em) == repr(tm)
    pre = rand((4, 2))
    te = torch.nn.Embedding.from_pretrained(torch.tensor(pre))
    ee = ember.nn.Embedding.from_pretrained(ember.tensor(pre))
    assert ee.weight.requires_grad is te.weight.requires_grad is False
    same_error(lambda T: T.nn.Embedding(3, 2)(T.tensor([3])))
    fd_check(lambda T, w: T.nn.functional.embedding(T.tensor(idx), w) ** 2, [rand((5, 3), "float64")])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag(mode):
    idx = np.array([1, 2, 4, 4, 3, 0, 2])
    off = np.array([0, 2, 2, 5])
    tm, em = torch.nn.EmbeddingBag(5, 3, mode=mode), ember.nn.EmbeddingBag(5, 3, mode=mode)
    copy_params(em, tm)
    to, eo = tm(torch.tensor(idx), torch.tensor(off)), em(ember.tensor(idx), ember.tensor(off))
    assert_close(eo, to)
    assert repr(em) == repr(tm)
    if mode != "max":
        assert grad_fn_name(eo) == grad_fn_name(to)
        w = rand(tuple(to.shape), seed=1)
        (to * torch.tensor(w)).sum().backward()
        (eo * ember.tensor(w)).sum().backward()
        assert_close(em.weight.grad, tm.weight.grad)
    idx2 = np.array([[1, 2], [3, 3]])
    assert_close(em(ember.tensor(idx2)), tm(torch.tensor(idx2)))


MISC_CASES = [
    ("linear", lambda T: T.nn.Linear(4, 3), [(2, 4)]),
    ("linear_3d", lambda T: T.nn.Linear(4, 3), [(2, 5, 4)]),
    ("linear_1d", lambda T: T.nn.Linear(4, 3), [(4,)]),
    ("linear_nobias", lambda T: T.nn.Linear(4, 3, bias=False), [(2, 5, 4)]),
    ("bilinear", lambda T: T.nn.Bilinear(3, 4, 2), [(5, 3), (5, 4)]),
    ("flatten", lambda T: T.nn.Flatten(), [(2, 3, 4)]),
    ("unflatten", lambda T: T.nn.Unflatten(1, (2, 6)), [(2, 12, 3)]),
    ("zeropad2d", lambda T: T.nn.ZeroPad2d((1, 2, 0, 3)), [(2, 3, 4, 4)]),
    ("zeropad1d", lambda T: T.nn.ZeroPad1d(2), [(2, 3, 4)]),
    ("constpad3d", lambda T: T.nn.ConstantPad3d(1, 2.5), [(1, 2, 2, 3, 2)]),
    ("constpad_neg", lambda T: T.nn.ConstantPad2d((-1, 2, 1, -1), 1.0), [(1, 2, 4, 4)]),
    ("reflect1d", lambda T: T.nn.ReflectionPad1d((2, 1)), [(2, 3, 5)]),
    ("reflect2d", lambda T: T.nn.ReflectionPad2d(2), [(2, 3, 4, 5)]),
    ("replicate1d", lambda T: T.nn.ReplicationPad1d(3), [(2, 3, 4)]),
    ("replicate2d", lambda T: T.nn.ReplicationPad2d((1, 0, 2, 3)), [(2, 3, 4, 5)]),
    ("circular2d", lambda T: T.nn.CircularPad2d(1), [(2, 3, 4, 5)]),
    ("pixelshuffle", lambda T: T.nn.PixelShuffle(2), [(2, 8, 3, 3)]),
    ("pixelunshuffle", lambda T: T.nn.PixelUnshuffle(2), [(2, 2, 4, 6)]),
    ("channelshuffle", lambda T: T.nn.ChannelShuffle(3), [(2, 6, 2, 2)]),
    ("up_nearest", lambda T: T.nn.Upsample(scale_factor=2), [(2, 3, 3, 4)]),
    ("up_nearest_size", lambda T: T.nn.Upsample(size=(5, 7)), [(2, 3, 3, 4)]),
    ("up_bilinear", lambda T: T.nn.Upsample(scale_factor=2, mode="bilinear"), [(2, 3, 3, 4)]),
    ("up_bilinear_ac", lambda T: T.nn.UpsamplingBilinear2d(size=(5, 7)), [(2, 3, 3, 4)]),
    ("up_nearest2d", lambda T: T.nn.UpsamplingNearest2d(scale_factor=3), [(1, 2, 2, 3)]),
    ("up_bicubic", lambda T: T.nn.Upsample(scale_factor=1.5, mode="bicubic"), [(2, 3, 4, 4)]),
    ("up_bicubic_ac", lambda T: T.nn.Upsample(size=(6, 5), mode="bicubic", align_corners=True), [(2, 3, 4, 4)]),
    ("up_linear", lambda T: T.nn.Upsample(scale_factor=2.5, mode="linear"), [(2, 3, 4)]),
    ("up_nearest1d", lambda T: T.nn.Upsample(size=7), [(2, 3, 4)]),
    ("up_nearest_exact", lambda T: T.nn.Upsample(size=(5, 3), mode="nearest-exact"), [(2, 3, 4, 4)]),
    ("down_bilinear", lambda T: T.nn.Upsample(size=(3, 2), mode="bilinear"), [(2, 3, 7, 5)]),
    ("unfold", lambda T: T.nn.Unfold(2, dilation=1, padding=1, stride=2), [(2, 3, 5, 4)]),
    ("fold", lambda T: T.nn.Fold((4, 5), 2, padding=1), [(2, 12, 30)]),
    ("cosine", lambda T: T.nn.CosineSimilarity(dim=1), [(3, 4), (3, 4)]),
    ("pairwise", lambda T: T.nn.PairwiseDistance(), [(3, 4), (3, 4)]),
    ("pairwise_p1", lambda T: T.nn.PairwiseDistance(p=1, keepdim=True), [(3, 4), (3, 4)]),
    ("identity", lambda T: T.nn.Identity(3, foo=1), [(2, 3)]),
]


@pytest.mark.parametrize("name,make,shapes", MISC_CASES, ids=[c[0] for c in MISC_CASES])
def test_misc_layers(name, make, shapes):
    em, tm = parity(make, shapes)
    assert repr(em) == repr(tm)


REPRS = [
    lambda T: T.nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False),
    lambda T: T.nn.Conv2d(3, 8, (3, 5), dilation=2, groups=1, padding_mode="reflect", padding=2),
    lambda T: T.nn.Conv2d(4, 8, 3, padding="same", groups=2),
    lambda T: T.nn.Conv1d(3, 8, 3),
    lambda T: T.nn.ConvTranspose2d(3, 8, 3, stride=2, output_padding=1),
    lambda T: T.nn.MaxPool2d(3, 2, 1), lambda T: T.nn.MaxPool1d(2), lambda T: T.nn.AvgPool2d(2),
    lambda T: T.nn.AvgPool1d(3), lambda T: T.nn.AdaptiveAvgPool2d((1, 1)), lambda T: T.nn.AdaptiveMaxPool2d(2),
    lambda T: T.nn.MaxUnpool2d(2), lambda T: T.nn.BatchNorm1d(4, momentum=None),
    lambda T: T.nn.BatchNorm2d(4, affine=False), lambda T: T.nn.LayerNorm([3, 4]), lambda T: T.nn.GroupNorm(2, 4),
    lambda T: T.nn.InstanceNorm2d(3), lambda T: T.nn.RMSNorm(4), lambda T: T.nn.LocalResponseNorm(2),
    lambda T: T.nn.Dropout2d(), lambda T: T.nn.AlphaDropout(0.1), lambda T: T.nn.Embedding(5, 2, padding_idx=0),
    lambda T: T.nn.Flatten(0), lambda T: T.nn.Unflatten(1, (2, 3)), lambda T: T.nn.ReflectionPad2d(1),
    lambda T: T.nn.ConstantPad1d(2, 3.5), lambda T: T.nn.Upsample(size=4), lambda T: T.nn.Fold(3, 2),
    lambda T: T.nn.Unfold((2, 3)), lambda T: T.nn.PairwiseDistance(), lambda T: T.nn.Bilinear(2, 3, 4),
    lambda T: T.nn.Linear(2, 3, bias=False), lambda T: T.nn.Identity(),
]


@pytest.mark.parametrize("i", range(len(REPRS)))
def test_layer_reprs(i):
    assert repr(REPRS[i](ember)) == repr(REPRS[i](torch))


def test_default_init_matches_torch_stream():
    for make in [lambda T: T.nn.Linear(5, 4), lambda T: T.nn.Conv2d(3, 4, 3), lambda T: T.nn.Embedding(6, 3),
                 lambda T: T.nn.ConvTranspose2d(3, 2, 2), lambda T: T.nn.Bilinear(2, 3, 2)]:
        torch.manual_seed(7)
        ember.manual_seed(7)
        tm, em = make(torch), make(ember)
        for (n, ep), (_, tp) in zip(em.named_parameters(), tm.named_parameters()):
            np.testing.assert_array_equal(ep.detach().numpy(), tp.detach().numpy(), err_msg=n)


def test_functional_forms():
    F = "nn.functional"
    check(lambda T, x, w, b: T.nn.functional.linear(x, w, b), [(3, 4), (2, 4), (2,)])
    check(lambda T, x, w: T.nn.functional.conv2d(x, w, stride=2), [(2, 3, 6, 6), (4, 3, 2, 2)])
    check(lambda T, x, w: T.nn.functional.conv_transpose1d(x, w, stride=3), [(2, 3, 4), (3, 2, 2)])
    check(lambda T, x, w: T.nn.functional.conv3d(x, w, stride=(1, 2, 1)), [(1, 2, 3, 4, 3), (2, 2, 2, 2, 2)])
    check(lambda T, x: T.nn.functional.pad(x, (1, 2), mode="reflect"), [(2, 3, 5)])
    check(lambda T, x: T.nn.functional.pad(x, (1, 1, 1, 1, 1, 1), mode="replicate"), [(1, 1, 3, 3, 3)])
    check(lambda T, x: T.nn.functional.pad(x, (1, 1), value=3.0), [(2, 3)])
    check(lambda T, x: T.nn.functional.interpolate(x, scale_factor=(2, 3), mode="nearest"), [(1, 2, 3, 3)])
    check(lambda T, x: T.nn.functional.interpolate(x, size=(4, 6), mode="area"), [(1, 2, 8, 9)])
    check(lambda T, x: T.nn.functional.interpolate(x, scale_factor=0.5, mode="bilinear", align_corners=True), [(1, 2, 8, 6)])
    check(lambda T, x: T.nn.functional.normalize(x, dim=-1), [(3, 4)])
    check(lambda T, x: T.nn.functional.normalize(x, p=1, dim=0), [(3, 4)])
    check(lambda T, x, y: T.nn.functional.cosine_similarity(x, y, dim=-1), [(2, 3, 4), (3, 4)])
    check(lambda T, x: T.nn.functional.local_response_norm(x, 3, alpha=0.1), [(2, 4, 3, 3)])
    check(lambda T, x: T.nn.functional.rms_norm(x, (3,)), [(2, 3)])
    check(lambda T, x: T.nn.functional.instance_norm(x), [(2, 3, 4)])
    check(lambda T, th: T.nn.functional.affine_grid(th, (2, 1, 3, 4), align_corners=False), [(2, 2, 3)])
    check(lambda T, th: T.nn.functional.affine_grid(th, (2, 1, 3, 4), align_corners=True), [(2, 2, 3)])
    g = rand((2, 3, 4, 2), low=-0.95, high=0.95)
    for mode in ("bilinear", "nearest"):
        for pm in ("zeros", "border"):
            check(lambda T, x, g: T.nn.functional.grid_sample(x, g, mode=mode, padding_mode=pm, align_corners=False),
                  [(2, 2, 4, 5), None], arrays=[rand((2, 2, 4, 5)), g], grad=mode == "bilinear")
    out = check(lambda T, x: T.nn.functional.one_hot(x, 4), None, arrays=[np.array([0, 3, 1])], grad=False)
    assert F


def test_interpolate_errors():
    same_error(lambda T: T.nn.functional.interpolate(T.ones(1, 1, 2, 2), scale_factor=2, align_corners=True))
    same_error(lambda T: T.nn.functional.interpolate(T.ones(1, 1, 2, 2)))
    same_error(lambda T: T.nn.functional.pad(T.ones(1, 1, 2), (1,)))
