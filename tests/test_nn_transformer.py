"""scaled_dot_product_attention, MultiheadAttention and the Transformer family against torch:
outputs, input and parameter gradients in train (dropout 0) and eval mode, masks, reprs,
state_dict keys and initialisation."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.functional_b as EF
import torch.nn.functional as TF
from oracle import assert_close, check, fd_check, same_error

rng = np.random.default_rng(0)
X = rng.standard_normal((5, 3, 8)).astype(np.float32)
M = rng.standard_normal((4, 3, 6)).astype(np.float32)
TG = rng.standard_normal((4, 3, 8)).astype(np.float32)
FM = rng.standard_normal((4, 5)).astype(np.float32)
BM = rng.random((4, 5)) > 0.3
BM[0] = False


def F(T):
    return EF if T is ember else TF


def copy_params(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


def parity_module(tm, em, inputs, train=True, kw_t=None, kw_e=None):
    copy_params(tm, em)
    tm.train(train)
    em.train(train)
    xt = [torch.tensor(a, requires_grad=True) for a in inputs]
    xe = [ember.tensor(a.copy(), requires_grad=True) for a in inputs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ot = tm(*xt, **(kw_t or {}))
        oe = em(*xe, **(kw_e or {}))
    ot = ot if isinstance(ot, tuple) else (ot,)
    oe = oe if isinstance(oe, tuple) else (oe,)
    r = np.random.default_rng(7)
    lt = le = 0
    for a, b in zip(ot, oe):
        if a is None:
            assert b is None
            continue
        assert_close(b, a, atol=1e-5, rtol=1e-4)
        w = r.standard_normal(tuple(a.shape)).astype(np.float32)
        lt = lt + (a * torch.tensor(w)).sum()
        le = le + (b * ember.tensor(w)).sum()
    lt.backward()
    le.backward()
    for a, b in zip(xt, xe):
        assert_close(b.grad, a.grad, atol=1e-5, rtol=1e-4, what="input grad")
    for (n, p), (n2, q) in zip(tm.named_parameters(), em.named_parameters()):
        assert n == n2
        if p.grad is None:
            assert q.grad is None, n
        else:
            assert_close(q.grad, p.grad, atol=1e-5, rtol=1e-4, what=n)


# ---- scaled_dot_product_attention ----
def test_sdpa():
    s4 = [(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8)]
    check(lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v), s4)
    check(lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v, is_causal=True, scale=0.3), [s4[0]] * 3)
    check(lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v, attn_mask=T.tensor(BM)), s4)
    check(lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v, attn_mask=T.tensor(FM)), s4)
    check(lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v, enable_gqa=True),
          [(2, 4, 4, 8), (2, 2, 5, 8), (2, 2, 5, 8)])
    check(lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v), [(3, 4, 8), (3, 5, 8), (3, 5, 8)], meta=False)


def test_sdpa_second_order():
    fd_check(lambda T, q, k, v: EF.scaled_dot_product_attention(q, k, v, is_causal=True),
             [rng.standard_normal((1, 2, 3, 4)) for _ in range(3)])


def test_sdpa_mask_and_causal_combine():
    m = np.ones((4, 4), bool)
    m[2, 1] = False
    check(lambda T, q, k, v: F(T).scaled_dot_product_attention(q, k, v, attn_mask=T.tensor(m), is_causal=True),
          [(1, 2, 4, 8)] * 3)


# ---- MultiheadAttention ----
@pytest.mark.parametrize("kw", [{}, dict(add_bias_kv=True, add_zero_attn=True), dict(bias=False)])
@pytest.mark.parametrize("need_weights", [True, False])
@pytest.mark.parametrize("train", [True, False])
def test_mha_self_attention(kw, need_weights, train):
    torch.manual_seed(0)
    tm, em = torch.nn.MultiheadAttention(8, 2, **kw), ember.nn.MultiheadAttention(8, 2, **kw)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    am = rng.standard_normal((5, 5)).astype(np.float32)
    parity_module(tm, em, [X, X, X], train, dict(key_padding_mask=torch.tensor(kpm), attn_mask=torch.tensor(am),
                                                 need_weights=need_weights),
                  dict(key_padding_mask=ember.tensor(kpm), attn_mask=ember.tensor(am), need_weights=need_weights))
    parity_module(tm, em, [X, X, X], train, dict(average_attn_weights=False, need_weights=need_weights),
                  dict(average_attn_weights=False, need_weights=need_weights))


def test_mha_kdim_batch_first_unbatched():
    torch.manual_seed(0)
    parity_module(torch.nn.MultiheadAttention(8, 2, kdim=6, vdim=6), ember.nn.MultiheadAttention(8, 2, kdim=6, vdim=6),
                  [X, M, M])
    tm, em = torch.nn.MultiheadAttention(8, 2, batch_first=True), ember.nn.MultiheadAttention(8, 2, batch_first=True)
    parity_module(tm, em, [X, X, X])
    parity_module(tm, em, [X[:, 0], X[:, 0], X[:, 0]])
    causal = torch.nn.Transformer.generate_square_subsequent_mask(3)
    parity_module(tm, em, [X, X, X], kw_t=dict(attn_mask=causal, is_causal=True, need_weights=False),
                  kw_e=dict(attn_mask=ember.nn.Transformer.generate_square_subsequent_mask(3), is_causal=True,
                            need_weights=False))


def test_mha_repr_state_dict_init():
    for kw in ({}, dict(add_bias_kv=True), dict(kdim=6, vdim=4)):
        torch.manual_seed(5)
        ember.manual_seed(5)
        a, b = torch.nn.MultiheadAttention(8, 2, **kw), ember.nn.MultiheadAttention(8, 2, **kw)
        assert repr(a) == repr(b)
        assert list(a.state_dict()) == list(b.state_dict())
        for p, q in zip(a.parameters(), b.parameters()):
            np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())


def test_mha_errors():
    same_error(lambda T: T.nn.MultiheadAttention(0, 2))
    same_error(lambda T: T.nn.MultiheadAttention(8, 2)(T.ones(5, 3, 8), T.ones(5, 3, 8), T.ones(5, 3, 8),
                                                       attn_mask=T.ones(4, 4)))


# ---- Transformer layers ----
@pytest.mark.parametrize("kw", [{}, dict(norm_first=True, activation="gelu"), dict(batch_first=True)])
@pytest.mark.parametrize("train", [True, False])
def test_encoder_decoder_layers(kw, train):
    torch.manual_seed(0)
    bf = kw.get("batch_first", False)
    xx = X.transpose(1, 0, 2).copy() if bf else X
    tt = TG.transpose(1, 0, 2).copy() if bf else TG
    tm = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw)
    em = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw)
    parity_module(tm, em, [xx], train)
    kpm = np.zeros((3, 5), bool)
    kpm[1, 3:] = True
    parity_module(tm, em, [xx], train,
                  dict(src_mask=torch.nn.Transformer.generate_square_subsequent_mask(5),
                       src_key_padding_mask=torch.tensor(kpm)),
                  dict(src_mask=ember.nn.Transformer.generate_square_subsequent_mask(5),
                       src_key_padding_mask=ember.tensor(kpm)))
    tm = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw)
    em = ember.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, **kw)
    parity_module(tm, em, [tt, xx], train)


def _small_transformer(lib):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lib.nn.Transformer(8, 2, 2, 2, 16, dropout=0.0)


def test_transformer_parity_repr_state_dict():
    torch.manual_seed(0)
    tm, em = _small_transformer(torch), _small_transformer(ember)
    assert repr(tm) == repr(em)
    assert list(tm.state_dict()) == list(em.state_dict())
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    emask = ember.nn.Transformer.generate_square_subsequent_mask(4)
    parity_module(tm, em, [X, TG], True, dict(tgt_mask=tmask), dict(tgt_mask=emask))
    parity_module(tm, em, [X, TG], False, dict(tgt_mask=tmask, tgt_is_causal=True),
                  dict(tgt_mask=emask, tgt_is_causal=True))
    torch.manual_seed(1)
    ember.manual_seed(1)
    a, b = _small_transformer(torch), _small_transformer(ember)
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())


def test_custom_activation_module_and_stack_norm():
    torch.manual_seed(0)
    tl = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=torch.nn.GELU())
    el = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, activation=ember.nn.GELU())
    assert repr(tl) == repr(el)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = torch.nn.TransformerEncoder(tl, 2, norm=torch.nn.LayerNorm(8))
        em = ember.nn.TransformerEncoder(el, 2, norm=ember.nn.LayerNorm(8))
    assert list(tm.state_dict()) == list(em.state_dict())
    parity_module(tm, em, [X])


def test_misc_messages():
    np.testing.assert_array_equal(ember.nn.Transformer.generate_square_subsequent_mask(3).numpy(),
                                  torch.nn.Transformer.generate_square_subsequent_mask(3).numpy())
    msgs = []
    for lib in (ember, torch):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(8, 2, 16), 2)
        msgs.append([str(a.message) for a in w])
    assert msgs[0] == msgs[1]
    same_error(lambda T: _small_transformer(T)(T.ones(5, 3, 8), T.ones(4, 2, 8)))
    same_error(lambda T: T.nn.TransformerEncoderLayer(8, 2, activation="tanh"))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape,ns,affine,bias", [((16, 8, 32), (32,), True, True), ((3, 4, 5), (4, 5), True, False),
                                                  ((3, 5), (5,), False, False), ((6,), (6,), True, True)])
def test_layer_norm_module_fused_op(dtype, shape, ns, affine, bias):
    # nn.LayerNorm runs the fused op: values, input/weight/bias gradients and grad_fn as torch's
    rng = np.random.default_rng(6)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    tm = torch.nn.LayerNorm(ns, elementwise_affine=affine, bias=bias, dtype=getattr(torch, dtype))
    em = ember.nn.LayerNorm(ns, elementwise_affine=affine, bias=bias, dtype=getattr(ember, dtype))
    with torch.no_grad():
        for p in tm.parameters():
            p.copy_(torch.tensor(rng.standard_normal(p.shape).astype(dtype)))
    copy_params(tm, em)
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x.copy(), requires_grad=True)
    ot, oe = tm(xt), em(xe)
    assert oe.grad_fn.name() == type(ot.grad_fn).__name__ == "NativeLayerNormBackward0"
    assert_close(oe, ot)
    g = rng.standard_normal(shape).astype(dtype)
    ot.backward(torch.tensor(g))
    oe.backward(ember.tensor(g))
    assert_close(xe.grad, xt.grad)
    for pe, pt in zip(em.parameters(), tm.parameters()):
        assert_close(pe.grad, pt.grad, atol=1e-4 if dtype == "float32" else None)


def test_layer_norm_module_double_backward_and_fallbacks():
    rng = np.random.default_rng(7)
    m = ember.nn.LayerNorm(3, dtype=ember.float64)
    with ember.no_grad():
        m.weight.copy_(ember.tensor(rng.uniform(0.5, 1.5, 3)))
        m.bias.copy_(ember.tensor(rng.standard_normal(3)))
    fd_check(lambda T, x: m(x) ** 2, [rng.standard_normal((2, 3))])
    fd_check(lambda T, w, b, x: ember.nn.functional_b._layer_norm(x, (3,), w, b) ** 2,
             [rng.uniform(0.5, 1.5, 3), rng.standard_normal(3), rng.standard_normal((2, 3))])
    # mismatched shapes and dtypes are reported as torch does (through F.layer_norm)
    same_error(lambda T: T.nn.LayerNorm(4)(T.ones(2, 3)))
    same_error(lambda T: T.nn.LayerNorm(3)(T.ones(2, 3, dtype=T.float64)))
    same_error(lambda T: T.nn.LayerNorm(3, dtype=T.float64)(T.ones(2, 3)))
