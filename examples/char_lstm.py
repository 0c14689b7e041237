"""A character-level LSTM language model on a short tale (examples/data/embers.txt).

Characters -> ``nn.Embedding`` -> ``nn.LSTM`` -> ``nn.Linear`` over the vocabulary, trained
with truncated backpropagation on random windows of the text (the last 10% is held out),
gradient clipping with ``clip_grad_norm_``, then sampling from the model one character at a
time, carrying the LSTM state.

Quality of a full run (``python examples/char_lstm.py``, 100 steps, about 4 s of CPU time):
validation loss 2.04 nats per character (a uniform guess over the 52-character vocabulary is
3.95; the text is so short that longer training only memorises it: by 400 steps the training
loss is 0.2 and the validation loss climbs back to 3.2), and samples such as
"The fire thing that homner frit now and small the children on things the fire thecked...".

``--tiny`` (or ``EMBER_EXAMPLES_TINY=1``) trains 8 steps, for smoke tests.
"""
import argparse
import os

import ember as torch
from ember import nn

HERE = os.path.dirname(os.path.abspath(__file__))


class CharLSTM(nn.Module):
    def __init__(self, vocab, emb=32, hidden=128):
        super().__init__()
        self.embed = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, batch_first=True)
        self.head = nn.Linear(hidden, vocab)

    def forward(self, idx, state=None):
        out, state = self.lstm(self.embed(idx), state)
        return self.head(out), state


def batches(data, block, batch, gen):
    """Random windows: inputs and the same windows shifted by one character."""
    starts = torch.randint(0, len(data) - block - 1, (batch,), generator=gen)
    x = torch.stack([data[s:s + block] for s in starts.tolist()])
    y = torch.stack([data[s + 1:s + block + 1] for s in starts.tolist()])
    return x, y


@torch.no_grad()
def sample(model, stoi, itos, prompt, n, temperature=0.8):
    model.eval()
    idx = torch.tensor([[stoi[c] for c in prompt]])
    logits, state = model(idx)
    out = prompt
    for _ in range(n):
        probs = torch.softmax(logits[0, -1] / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1)
        out += itos[nxt.item()]
        logits, state = model(nxt.view(1, 1), state)
    model.train()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--tiny", action="store_true", default=os.environ.get("EMBER_EXAMPLES_TINY") == "1")
    args = parser.parse_args()
    steps = 8 if args.tiny else args.steps
    torch.set_num_threads(1)
    torch.manual_seed(0)

    text = open(os.path.join(HERE, "data", "embers.txt"), encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    itos = {i: c for c, i in stoi.items()}
    data = torch.tensor([stoi[c] for c in text], dtype=torch.long)
    n = int(0.9 * len(data))
    train, val = data[:n], data[n:]
    print(f"{len(text)} characters, vocabulary of {len(chars)}")

    model = CharLSTM(len(chars))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    loss_fn = nn.CrossEntropyLoss()
    gen = torch.Generator().manual_seed(0)
    block, batch = 48, 32

    def evaluate():
        model.eval()
        with torch.no_grad():
            x, y = val[:-1].unsqueeze(0), val[1:].unsqueeze(0)
            logits, _ = model(x)
            loss = loss_fn(logits.view(-1, len(chars)), y.reshape(-1)).item()
        model.train()
        return loss

    for step in range(1, steps + 1):
        x, y = batches(train, block, batch, gen)
        logits, _ = model(x)
        loss = loss_fn(logits.view(-1, len(chars)), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if step % max(1, steps // 8) == 0:
            print(f"step {step:4d}  train loss {loss.item():.3f}  val loss {evaluate():.3f}")

    print("sample:", repr(sample(model, stoi, itos, "The fire ", 120 if not args.tiny else 20)))
    print(f"RESULT: char_lstm val_loss={evaluate():.3f}")


if __name__ == "__main__":
    main()
