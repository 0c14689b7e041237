"""A tiny GPT: a character-level transformer with causal self-attention, trained on a short
tale (examples/data/embers.txt) and sampled from.

Token and position embeddings, ``n_layer`` pre-norm blocks of multi-head causal
self-attention (the mask hides future positions) and an MLP with GELU (tanh form, as GPT-2),
a final LayerNorm and a head tied to the token embedding; dropout 0.2 on the embeddings, the
attention and the residual branches. Trained with ``AdamW`` (weight decay on matrices only), a
linear warm-up followed by a cosine decay (``LambdaLR``) and gradient clipping; then sampled
with temperature and top-k.

Quality of a full run (``python examples/tiny_gpt.py``, 400 steps, about 20 s of CPU time):
validation loss 2.23 nats per character (a uniform guess over the 52 characters is 3.95; the
4.5 KB text is too short for more: without the dropout the model memorises it), and samples in
the shape of the tale, such as "The keeper he le oow atchet thore dowalkat ld whired tore.".
The same script under PyTorch prints the same numbers and the same sample.

``--tiny`` (or ``EMBER_EXAMPLES_TINY=1``) trains 6 steps, for smoke tests.
"""
import argparse
import math
import os

import ember as torch
import ember.nn.functional as F
from ember import nn

HERE = os.path.dirname(os.path.abspath(__file__))


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.n_head = n_head
        self.drop = nn.Dropout(dropout)
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.proj = nn.Linear(n_embd, n_embd)
        mask = torch.tril(torch.ones(block_size, block_size, dtype=torch.bool))
        self.register_buffer("mask", mask.view(1, 1, block_size, block_size), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        # (B, T, C) -> (B, heads, T, head size)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(k.size(-1))
        att = att.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))   # no peeking ahead
        att = self.drop(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        return self.drop(self.proj(y))


class Block(nn.Module):
    def __init__(self, n_embd, n_head, block_size, dropout):
        super().__init__()
        self.ln1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head, block_size, dropout)
        self.ln2 = nn.LayerNorm(n_embd)
        self.mlp = nn.Sequential(nn.Linear(n_embd, 4 * n_embd), nn.GELU(approximate="tanh"),
                                 nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout))

    def forward(self, x):
        x = x + self.attn(self.ln1(x))
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    def __init__(self, vocab, block_size=64, n_embd=64, n_head=4, n_layer=2, dropout=0.2):
        super().__init__()
        self.block_size = block_size
        self.tok = nn.Embedding(vocab, n_embd)
        self.pos = nn.Embedding(block_size, n_embd)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.Sequential(*[Block(n_embd, n_head, block_size, dropout) for _ in range(n_layer)])
        self.ln_f = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab, bias=False)
        self.head.weight = self.tok.weight          # weight tying
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(self, idx, targets=None):
        T = idx.size(1)
        x = self.drop(self.tok(idx) + self.pos(torch.arange(T)))
        logits = self.head(self.ln_f(self.blocks(x)))
        loss = None if targets is None else F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
        return logits, loss

    @torch.no_grad()
    def generate(self, idx, n, temperature=0.8, top_k=10):
        for _ in range(n):
            logits, _ = self(idx[:, -self.block_size:])
            logits = logits[:, -1, :] / temperature
            v, _ = torch.topk(logits, top_k)
            logits[logits < v[:, [-1]]] = float("-inf")
            nxt = torch.multinomial(F.softmax(logits, dim=-1), num_samples=1)
            idx = torch.cat((idx, nxt), dim=1)
        return idx


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--tiny", action="store_true", default=os.environ.get("EMBER_EXAMPLES_TINY") == "1")
    args = parser.parse_args()
    steps = 6 if args.tiny else args.steps
    torch.set_num_threads(1)
    torch.manual_seed(0)

    text = open(os.path.join(HERE, "data", "embers.txt"), encoding="utf-8").read()
    chars = sorted(set(text))
    stoi = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([stoi[c] for c in text])
    n = int(0.9 * len(data))
    train, val = data[:n], data[n:]

    block, batch = 32, 32
    model = GPT(len(chars), block_size=block)
    print(f"{sum(p.numel() for p in model.parameters()):,} parameters")

    # weight decay on matrices only (not on biases, LayerNorm weights or embeddings' rows alone)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1},
                                   {"params": no_decay, "weight_decay": 0.0}], lr=3e-3, betas=(0.9, 0.95))
    warmup = max(1, steps // 10)

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

    def get_batch(split):
        src = train if split == "train" else val
        ix = torch.randint(len(src) - block - 1, (batch,))
        x = torch.stack([src[i:i + block] for i in ix.tolist()])
        y = torch.stack([src[i + 1:i + block + 1] for i in ix.tolist()])
        return x, y

    @torch.no_grad()
    def val_loss():
        model.eval()
        losses = [model(*get_batch("val"))[1].item() for _ in range(4)]
        model.train()
        return sum(losses) / len(losses)

    for step in range(steps):
        x, y = get_batch("train")
        _, loss = model(x, y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if (step + 1) % max(1, steps // 6) == 0:
            print(f"step {step + 1:4d}  lr {scheduler.get_last_lr()[0]:.5f}  train loss {loss.item():.3f}  "
                  f"val loss {val_loss():.3f}")

    prompt = torch.tensor([[stoi[c] for c in "The keeper "]])
    out = model.generate(prompt, 20 if args.tiny else 200)
    print("sample:", repr("".join(chars[i] for i in out[0].tolist())))
    print(f"RESULT: tiny_gpt val_loss={val_loss():.3f}")


if __name__ == "__main__":
    main()
