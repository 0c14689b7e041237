"""RNN / LSTM / GRU (fused layer op) and cells against torch: outputs, final states, input,
state and every parameter gradient; packed sequences, bidirectional multi-layer LSTM with
projections, unbatched input, double backward (op-by-op replay), init, repr and state_dict."""
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn.utils.rnn as ER
import torch.nn.utils.rnn as TR
from oracle import assert_close, check, same_error


def copy_params(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


def _flat(o):
    if isinstance(o, (tuple, list)):
        out = []
        for a in o:
            out += _flat(a)
        return out
    return [o.data] if hasattr(o, "batch_sizes") else [o]


def parity(cls_name, args, kwargs, x_shape, hx=None, lengths=None, train=True):
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tm = getattr(torch.nn, cls_name)(*args, **kwargs)
    em = getattr(ember.nn, cls_name)(*args, **kwargs)
    copy_params(tm, em)
    tm.train(train)
    em.train(train)
    x = np.random.default_rng(1).standard_normal(x_shape).astype(np.float32)
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    it, ie = xt, xe
    bf = kwargs.get("batch_first", False)
    if lengths is not None:
        it = TR.pack_padded_sequence(xt, lengths, batch_first=bf, enforce_sorted=False)
        ie = ER.pack_padded_sequence(xe, lengths, batch_first=bf, enforce_sorted=False)
    hts = hes = []
    if hx is not None:
        hs = [np.random.default_rng(2 + i).standard_normal(s).astype(np.float32) for i, s in enumerate(hx)]
        hts = [torch.tensor(h, requires_grad=True) for h in hs]
        hes = [ember.tensor(h, requires_grad=True) for h in hs]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ot = tm(it, tuple(hts) if len(hts) == 2 else hts[0])
        oe = em(ie, tuple(hes) if len(hes) == 2 else hes[0])
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ot = tm(it)
        oe = em(ie)
    rng = np.random.default_rng(5)
    lt = le = 0
    for a, b in zip(_flat(ot), _flat(oe)):
        assert_close(b, a, atol=1e-5, rtol=1e-4)
        w = rng.standard_normal(tuple(a.shape)).astype(np.float32)
        lt = lt + (a * torch.tensor(w)).sum()
        le = le + (b * ember.tensor(w)).sum()
    lt.backward()
    le.backward()
    assert_close(xe.grad, xt.grad, atol=1e-5, rtol=1e-4, what="input grad")
    for a, b in zip(hts, hes):
        assert_close(b.grad, a.grad, atol=1e-5, rtol=1e-4, what="state grad")
    for (n, p), (n2, q) in zip(tm.named_parameters(), em.named_parameters()):
        assert n == n2
        assert_close(q.grad, p.grad, atol=1e-5, rtol=1e-4, what=n)


CASES = [
    ((4, 6), {}, (5, 3, 4), None, None),
    ((4, 6), dict(num_layers=2, bidirectional=True), (5, 3, 4), None, None),
    ((4, 6), dict(num_layers=2, batch_first=True, bias=False), (3, 5, 4), None, None),
    ((4, 6), dict(num_layers=2, bidirectional=True), (5, 3, 4), None, [5, 2, 3]),
    ((4, 6), dict(batch_first=True), (3, 5, 4), None, [2, 5, 4]),
    ((4, 6), {}, (5, 4), None, None),
]


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_recurrent_parity(cls, case):
    args, kw, shape, hx, lengths = CASES[case]
    parity(cls, args, kw, shape, hx, lengths)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_initial_states_and_packed(cls):
    hx = [(2, 3, 6)] if cls != "LSTM" else [(2, 3, 6), (2, 3, 6)]
    parity(cls, (4, 6), dict(bidirectional=True), (5, 3, 4), hx=hx)
    parity(cls, (4, 6), dict(bidirectional=True), (5, 3, 4), hx=hx, lengths=[4, 5, 2])


def test_relu_rnn_and_dropout_eval():
    parity("RNN", (4, 6), dict(nonlinearity="relu", num_layers=2), (5, 3, 4))
    parity("GRU", (4, 6), dict(num_layers=2, dropout=0.5), (5, 3, 4), train=False)


def test_lstm_bidirectional_multilayer_projection():
    parity("LSTM", (4, 6), dict(num_layers=2, bidirectional=True, proj_size=3), (5, 3, 4))
    parity("LSTM", (4, 6), dict(num_layers=2, bidirectional=True, proj_size=3), (5, 3, 4),
           hx=[(4, 3, 3), (4, 3, 6)], lengths=[3, 5, 1])


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells(cls):
    parity(cls, (4, 6), {}, (3, 4))
    parity(cls, (4, 6), {}, (4,))
    parity(cls, (4, 6), dict(bias=False), (3, 4))


def test_double_backward_through_fused_layer():
    x = np.random.default_rng(0).standard_normal((3, 2, 4))
    torch.manual_seed(0)
    tm = torch.nn.LSTM(4, 5, num_layers=2).double()
    em = ember.nn.LSTM(4, 5, num_layers=2).double()
    copy_params(tm, em)
    grads = []
    for lib, m in ((ember, em), (torch, tm)):
        xi = lib.tensor(x, requires_grad=True)
        o, (h, c) = m(xi)
        g, = lib.autograd.grad((o ** 2).sum() + (h * c).sum(), xi, create_graph=True)
        (g ** 2).sum().backward()
        grads.append((g.detach().numpy(), xi.grad.numpy(), m.weight_hh_l0.grad.numpy()))
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)


def test_gru_double_backward():
    x = np.random.default_rng(0).standard_normal((3, 2, 4))
    torch.manual_seed(0)
    tm = torch.nn.GRU(4, 3).double()
    em = ember.nn.GRU(4, 3).double()
    copy_params(tm, em)
    res = []
    for lib, m in ((ember, em), (torch, tm)):
        xi = lib.tensor(x, requires_grad=True)
        o, h = m(xi)
        g, = lib.autograd.grad((o ** 3).sum(), xi, create_graph=True)
        g.sum().backward()
        res.append(xi.grad.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-7, atol=1e-9)


def test_init_matches_torch_generator():
    for cls, kw in (("LSTM", dict(num_layers=2, proj_size=2)), ("GRU", {}), ("RNN", dict(bidirectional=True)),
                    ("LSTMCell", {})):
        torch.manual_seed(3)
        ember.manual_seed(3)
        a, b = getattr(torch.nn, cls)(4, 5, **kw), getattr(ember.nn, cls)(4, 5, **kw)
        for p, q in zip(a.parameters(), b.parameters()):
            np.testing.assert_array_equal(q.detach().numpy(), p.detach().numpy())


class _LM:
    """A two-layer LSTM language model, written once for both libraries."""

    @staticmethod
    def build(lib):
        class LM(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.lstm = lib.nn.LSTM(8, 16, num_layers=2, dropout=0.2)
                self.decoder = lib.nn.Linear(16, 10)

            def forward(self, x):
                out, _ = self.lstm(x)
                return self.decoder(out)
        return LM()


def test_lm_repr_and_state_dict_keys():
    t, e = _LM.build(torch), _LM.build(ember)
    assert repr(e) == repr(t)
    assert list(e.state_dict()) == list(t.state_dict())
    kw = dict(num_layers=2, bidirectional=True, proj_size=3, batch_first=True, bias=False, dropout=0.1)
    assert repr(ember.nn.LSTM(4, 6, **kw)) == repr(torch.nn.LSTM(4, 6, **kw))
    assert list(ember.nn.LSTM(4, 6, **kw).state_dict()) == list(torch.nn.LSTM(4, 6, **kw).state_dict())
    assert repr(ember.nn.RNN(4, 6, nonlinearity="relu")) == repr(torch.nn.RNN(4, 6, nonlinearity="relu"))
    assert repr(ember.nn.GRUCell(4, 6, bias=False)) == repr(torch.nn.GRUCell(4, 6, bias=False))
    assert repr(ember.nn.RNNCell(4, 6, nonlinearity="relu")) == repr(torch.nn.RNNCell(4, 6, nonlinearity="relu"))


def test_errors():
    same_error(lambda T: T.nn.LSTM(4, 6)(T.ones(5, 3, 3)))
    same_error(lambda T: T.nn.GRU(4, 6)(T.ones(5, 3, 4), T.ones(1, 2, 6)))
    same_error(lambda T: T.nn.LSTM(4, 6)(T.ones(5, 3, 4), (T.ones(1, 3, 6), T.ones(1, 2, 6))))
    same_error(lambda T: T.nn.LSTM(4, 6)(T.ones(5, 3, 4, 1)))
    same_error(lambda T: T.nn.LSTM(4, 6, proj_size=6))
    same_error(lambda T: T.nn.GRU(4, 6, proj_size=2))
    same_error(lambda T: T.nn.LSTMCell(4, 6)(T.ones(3, 5)))


# ---- packed-sequence utilities ----
def R(T):
    return ER if T is ember else TR


def test_pack_pad_utilities():
    check(lambda T, x: R(T).pack_padded_sequence(x, [4, 2, 3], enforce_sorted=False).data, [(4, 3, 2)])
    check(lambda T, x: R(T).pack_padded_sequence(x, [4, 3, 1], batch_first=True).data, [(3, 4, 2)])
    check(lambda T, x: R(T).pad_packed_sequence(R(T).pack_padded_sequence(x, [4, 2, 3], enforce_sorted=False),
                                                batch_first=True, total_length=6), [(4, 3, 2)])
    check(lambda T, x: R(T).pad_packed_sequence(R(T).pack_padded_sequence(x, [4, 3, 2]), padding_value=-1.0),
          [(4, 3, 2)])
    check(lambda T, x, y: R(T).pad_sequence([x, y], batch_first=True, padding_value=2.0), [(4, 2), (2, 2)])
    check(lambda T, x, y: R(T).pad_sequence([x, y], padding_side="left"), [(4, 2), (2, 2)])
    check(lambda T, x, y: R(T).pack_sequence([y, x], enforce_sorted=False).data, [(4, 2), (2, 2)])
    check(lambda T, x, y: R(T).unpack_sequence(R(T).pack_sequence([y, x], enforce_sorted=False)), [(4, 2), (2, 2)],
          meta=False)
    check(lambda T, x, y: R(T).unpad_sequence(R(T).pad_sequence([y, x]), T.tensor([2, 4])), [(4, 2), (2, 2)],
          meta=False)
    a = ER.pack_sequence([ember.ones(3, 2), ember.ones(1, 2)])
    b = TR.pack_sequence([torch.ones(3, 2), torch.ones(1, 2)])
    assert repr(a) == repr(b)
    assert ER.pack_sequence([ember.ones(1, 2), ember.ones(3, 2)], enforce_sorted=False).sorted_indices.tolist() == [1, 0]
    same_error(lambda T: R(T).pack_padded_sequence(T.ones(4, 3, 2), [2, 4, 3]))
    same_error(lambda T: R(T).pack_padded_sequence(T.ones(4, 3, 2), [4, 0, 3], enforce_sorted=False))
