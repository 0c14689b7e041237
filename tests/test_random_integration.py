"""Seeded streams through the whole library equal torch's: layer initialisation, dropout masks,
DataLoader shuffling, random_split, and a few SGD steps of a small CNN (issue 8)."""
import numpy as np
import pytest
import torch

import ember


def _params(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


LAYERS = {
    "linear": lambda T: T.nn.Linear(7, 5),
    "conv1d": lambda T: T.nn.Conv1d(3, 4, 3),
    "conv2d": lambda T: T.nn.Conv2d(3, 6, 5, groups=3),
    "conv3d": lambda T: T.nn.Conv3d(2, 2, 2),
    "convT2d": lambda T: T.nn.ConvTranspose2d(3, 4, 3),
    "embedding": lambda T: T.nn.Embedding(10, 4, padding_idx=1),
    "rnn": lambda T: T.nn.RNN(4, 6, num_layers=2),
    "lstm": lambda T: T.nn.LSTM(4, 6, bidirectional=True, proj_size=3),
    "gru": lambda T: T.nn.GRU(3, 5, batch_first=True),
    "batchnorm": lambda T: T.nn.BatchNorm2d(4),
    "layernorm": lambda T: T.nn.LayerNorm(6),
    "mha": lambda T: T.nn.MultiheadAttention(8, 2),
}


@pytest.mark.parametrize("name", sorted(LAYERS))
@pytest.mark.parametrize("seed", [0, 1234])
def test_default_init_is_bit_identical(name, seed):
    torch.manual_seed(seed)
    ember.manual_seed(seed)
    t, e = LAYERS[name](torch), LAYERS[name](ember)
    for a, b in zip(_params(e), _params(t)):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert (a.view(np.uint8) == b.view(np.uint8)).all()
    # and the generator is in the same state afterwards
    assert (ember.rand(5).numpy() == torch.rand(5).numpy()).all()


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_dropout_masks(p):
    torch.manual_seed(3)
    ember.manual_seed(3)
    x = np.ones((4, 33), np.float32)
    a = ember.nn.functional.dropout(ember.tensor(x), p).numpy()
    b = torch.nn.functional.dropout(torch.tensor(x), p).numpy()
    assert (a == b).all()
    a = ember.nn.Dropout2d(p)(ember.tensor(np.ones((2, 5, 3, 3), np.float32))).numpy()
    b = torch.nn.Dropout2d(p)(torch.tensor(np.ones((2, 5, 3, 3), np.float32))).numpy()
    assert (a == b).all()


def test_dataloader_shuffle_and_random_split():
    for seed in (0, 7):
        torch.manual_seed(seed)
        ember.manual_seed(seed)
        data_t = torch.utils.data.TensorDataset(torch.arange(20))
        data_e = ember.utils.data.TensorDataset(ember.arange(20))
        for _ in range(2):  # two epochs: the second order comes from the advanced generator
            bt = [b[0].tolist() for b in torch.utils.data.DataLoader(data_t, batch_size=6, shuffle=True)]
            be = [b[0].tolist() for b in ember.utils.data.DataLoader(data_e, batch_size=6, shuffle=True)]
            assert be == bt
        st = torch.utils.data.random_split(range(10), [0.3, 0.7], generator=torch.Generator().manual_seed(seed))
        se = ember.utils.data.random_split(range(10), [0.3, 0.7], generator=ember.Generator().manual_seed(seed))
        assert [list(s) for s in se] == [list(s) for s in st]


def _cnn(T):
    nn = T.nn
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 8, 3),
                         nn.ReLU(), nn.Flatten(), nn.Dropout(0.2), nn.Linear(8 * 2 * 2, 10))


def test_seeded_cnn_trains_like_torch():
    torch.manual_seed(0)
    ember.manual_seed(0)
    mt, me = _cnn(torch), _cnn(ember)
    for a, b in zip(_params(me), _params(mt)):
        assert (a == b).all()
    x = np.random.default_rng(0).standard_normal((8, 1, 8, 8)).astype(np.float32)
    y = np.arange(8) % 10
    ot = torch.optim.SGD(mt.parameters(), lr=0.1)
    oe = ember.optim.SGD(me.parameters(), lr=0.1)
    for _ in range(3):
        lt = torch.nn.functional.cross_entropy(mt(torch.tensor(x)), torch.tensor(y))
        le = ember.nn.functional.cross_entropy(me(ember.tensor(x)), ember.tensor(y))
        np.testing.assert_allclose(le.item(), lt.item(), rtol=1e-5, atol=1e-6)
        ot.zero_grad()
        oe.zero_grad()
        lt.backward()
        le.backward()
        ot.step()
        oe.step()
