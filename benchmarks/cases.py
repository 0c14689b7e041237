"""Benchmark cases, written once against the torch API and run with ``lib`` = ember or torch.

Each case is ``make(lib, **params) -> step`` where ``step()`` runs one measured unit (forward and
backward, and the optimizer step where the case has one).
"""
from __future__ import annotations

import numpy as np


def _seeded(lib, seed=0):
    lib.manual_seed(seed)


# ---------------------------------------------------------------- 1. per-op overhead
def op_add(lib, requires_grad=False):
    a = lib.tensor(np.ones(4, np.float32), requires_grad=requires_grad)
    b = lib.tensor(np.full(4, 2.0, np.float32))

    def step():
        for _ in range(100):
            a * b
    return step


def op_chain(lib):
    x = lib.tensor(np.ones(4, np.float32), requires_grad=True)

    def step():
        y = x
        for i in range(100):
            y = y * 1.001 if i % 2 else y + 0.5
        y.sum().backward()
    return step


# ---------------------------------------------------------------- 2. MLP
def mlp(lib, batch=32):
    nn = lib.nn
    _seeded(lib)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
    return step


# ---------------------------------------------------------------- 3. convolutional nets
def lenet(lib, batch=64):
    nn = lib.nn
    _seeded(lib)
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 1, 28, 28)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


def _resnet(lib):
    nn = lib.nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.short = nn.Sequential()
            if stride != 1 or cin != cout:
                self.short = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.bn1(self.conv1(x)).relu()
            out = self.bn2(self.conv2(out))
            return (out + self.short(x)).relu()

    class ResNet18(nn.Module):
        def __init__(self, width=64, classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(3, width, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(width)
            layers, cin = [], width
            for i, mult in enumerate((1, 2, 4, 8)):
                cout = width * mult
                layers += [Block(cin, cout, 1 if i == 0 else 2), Block(cout, cout, 1)]
                cin = cout
            self.layers = nn.Sequential(*layers)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(cin, classes)

        def forward(self, x):
            x = self.bn1(self.conv1(x)).relu()
            x = self.pool(self.layers(x)).flatten(1)
            return self.fc(x)
    return ResNet18


def resnet(lib, batch=32):
    _seeded(lib)
    model = _resnet(lib)()
    opt = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, batch))
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
    return step


# ---------------------------------------------------------------- 4. LSTM language model
def lstm_lm(lib, vocab=1000, hidden=256, seq=35, batch=20):
    nn = lib.nn
    _seeded(lib)

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(vocab, hidden)
            self.rnn = nn.LSTM(hidden, hidden, num_layers=2)
            self.out = nn.Linear(hidden, vocab)

        def forward(self, x):
            h, _ = self.rnn(self.emb(x))
            return self.out(h)

    model = LM()
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.integers(0, vocab, (seq, batch)))
    y = lib.tensor(rng.integers(0, vocab, (seq * batch,)))
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x).reshape(-1, vocab), y)
        loss.backward()
        lib.nn.utils.clip_grad_norm_(model.parameters(), 0.25)
        opt.step()
    return step


# ---------------------------------------------------------------- 5. tiny GPT
def gpt(lib, layers=4, heads=4, width=128, ctx=64, batch=16, vocab=256):
    nn = lib.nn
    F = nn.functional
    _seeded(lib)

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(width), nn.LayerNorm(width)
            self.qkv = nn.Linear(width, 3 * width)
            self.proj = nn.Linear(width, width)
            self.mlp = nn.Sequential(nn.Linear(width, 4 * width), nn.GELU(), nn.Linear(4 * width, width))

        def forward(self, x):
            B, T, C = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
            q = q.view(B, T, heads, C // heads).transpose(1, 2)
            k = k.view(B, T, heads, C // heads).transpose(1, 2)
            v = v.view(B, T, heads, C // heads).transpose(1, 2)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(y.transpose(1, 2).reshape(B, T, C))
            return x + self.mlp(self.ln2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(vocab, width)
            self.pos = nn.Embedding(ctx, width)
            self.blocks = nn.Sequential(*[Block() for _ in range(layers)])
            self.ln = nn.LayerNorm(width)
            self.head = nn.Linear(width, vocab, bias=False)

        def forward(self, idx):
            T = idx.shape[1]
            x = self.tok(idx) + self.pos(lib.arange(T))
            return self.head(self.ln(self.blocks(x)))

    model = GPT()
    opt = lib.optim.AdamW(model.parameters(), lr=3e-4)
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.integers(0, vocab, (batch, ctx)))
    y = lib.tensor(rng.integers(0, vocab, (batch * ctx,)))

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x).view(-1, vocab), y).backward()
        opt.step()
    return step


# ---------------------------------------------------------------- 7. graph scaling
def graph(lib, nodes=1000):
    x = lib.tensor(np.ones(4, np.float32), requires_grad=True)

    def step():
        y = x
        for _ in range(nodes):
            y = y * 1.0
        y.sum().backward()
    return step


# ---------------------------------------------------------------- random numbers (issue 8)
def randn_10m(lib):
    def step():
        lib.randn(10_000_000)
    return step


def numpy_randn_10m(lib):
    g = np.random.default_rng(0)

    def step():
        g.standard_normal(10_000_000, dtype=np.float32)
    return step


CASES = {
    "op_add_nograd": (op_add, {}, 2000, "one elementwise op, 4 elements, requires_grad off (x100)"),
    "op_add_grad": (lambda lib: op_add(lib, True), {}, 2000, "one elementwise op, 4 elements, requires_grad on (x100)"),
    "op_chain100": (op_chain, {}, 300, "chain of 100 elementwise ops, then sum().backward()"),
    "mlp_b32": (mlp, {"batch": 32}, 200, "MLP 784-256-256-10, CE, SGD momentum, batch 32"),
    "mlp_b128": (mlp, {"batch": 128}, 100, "MLP, batch 128"),
    "mlp_b1024": (mlp, {"batch": 1024}, 30, "MLP, batch 1024"),
    "lenet_b64": (lenet, {"batch": 64}, 30, "LeNet-5 on 1x28x28, batch 64"),
    "resnet_b32": (resnet, {"batch": 32}, 4, "ResNet-18-style on 3x32x32, batch 32"),
    "lstm_lm": (lstm_lm, {}, 10, "2-layer LSTM LM, hidden 256, seq 35, batch 20"),
    "gpt_tiny": (gpt, {}, 6, "tiny GPT: 4 layers, 4 heads, width 128, context 64, batch 16, AdamW"),
    "graph_1k": (graph, {"nodes": 1000}, 30, "backward of a 1k-node graph"),
    "graph_10k": (graph, {"nodes": 10_000}, 6, "backward of a 10k-node graph"),
    "graph_100k": (graph, {"nodes": 100_000}, 2, "backward of a 100k-node graph"),
    "randn_10m": (randn_10m, {}, 5, "10M float32 normals (vs NumPy's generator in the torch column)"),
}
