"""Fine-tuning with frozen layers: reuse features learned on digits 0-4 to learn digits 5-9
from only 10 labelled images per class.

1. Pre-train a small CNN on all training images of digits 0-4.
2. Keep its convolutional feature extractor, freeze it (``requires_grad_(False)``), put a new
   5-way head on top for digits 5-9, and train only the head (the optimizer gets only the
   parameters that require grad) on 50 labelled images. The frozen weights do not move.
3. Unfreeze the second convolution and fine-tune it too, with a 10x smaller learning rate
   (two parameter groups).
For comparison the same network is trained from scratch on the same 50 images.

Quality of a full run (``python examples/finetune_frozen.py``, about 20 s of CPU time), test
accuracy on the 178 test images of digits 5-9: from scratch 82.6%, frozen features + new head
87.1%, after also fine-tuning the second convolution 88.2% (the same as under PyTorch).

``--tiny`` (or ``EMBER_EXAMPLES_TINY=1``) trains 1 epoch per stage, for smoke tests.
"""
import argparse
import os

import numpy as np
from sklearn.datasets import load_digits

import ember as torch
import ember.nn.functional as F
from ember import nn
from ember.utils.data import DataLoader, TensorDataset


def make_features():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
    )


def make_head():
    return nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 5))


def split(x, y, classes):
    keep = (y >= classes[0]) & (y <= classes[-1])
    return x[keep], y[keep] - classes[0]


def train(model, params, x, y, epochs, lr):
    optimizer = torch.optim.Adam(params, lr=lr)
    loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    model.train()
    for _ in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--tiny", action="store_true", default=os.environ.get("EMBER_EXAMPLES_TINY") == "1")
    args = parser.parse_args()
    pre_epochs, head_epochs = (1, 1) if args.tiny else (10, 60)
    torch.set_num_threads(1)
    torch.manual_seed(0)

    data = load_digits()
    x = torch.tensor(data.images[:, None].astype(np.float32) / 16.0)
    y = torch.tensor(data.target)
    test = torch.arange(len(y)) % 5 == 0
    xa, ya = split(x[~test], y[~test], range(0, 5))         # digits 0-4: plenty of labels
    xb_all, yb_all = split(x[~test], y[~test], range(5, 10))
    xb_test, yb_test = split(x[test], y[test], range(5, 10))
    # only a few labelled images of each new class
    pick = torch.cat([torch.nonzero(yb_all == c).flatten()[:args.per_class] for c in range(5)])
    xb, yb = xb_all[pick], yb_all[pick]
    print(f"pre-training on {len(ya)} images of digits 0-4; {len(yb)} labelled images of digits 5-9")

    # 1. pre-train on digits 0-4
    features = make_features()
    model_a = nn.Sequential(features, make_head())
    train(model_a, model_a.parameters(), xa, ya, pre_epochs, 2e-3)
    print(f"digits 0-4 after pre-training: {100 * accuracy(model_a, *split(x[test], y[test], range(5))):.1f}%")

    # baseline: the same network from scratch on the few labelled images
    scratch = nn.Sequential(make_features(), make_head())
    train(scratch, scratch.parameters(), xb, yb, head_epochs, 2e-3)
    acc_scratch = accuracy(scratch, xb_test, yb_test)
    print(f"from scratch on {len(yb)} images:           {100 * acc_scratch:.1f}%")

    # 2. freeze the features, train a new head only
    for p in features.parameters():
        p.requires_grad_(False)
    model_b = nn.Sequential(features, make_head())
    frozen_before = [p.clone() for p in features.parameters()]
    trainable = [p for p in model_b.parameters() if p.requires_grad]
    print(f"trainable tensors: {len(trainable)} of {len(list(model_b.parameters()))}")
    train(model_b, trainable, xb, yb, head_epochs, 1e-2)
    unchanged = all(torch.equal(a, b) for a, b in zip(frozen_before, features.parameters()))
    acc_head = accuracy(model_b, xb_test, yb_test)
    print(f"frozen features + new head:         {100 * acc_head:.1f}%  (frozen weights unchanged: {unchanged})")

    # 3. unfreeze the last feature layer, fine-tune it with a smaller learning rate
    last = features[3]                       # the second convolution
    for p in last.parameters():
        p.requires_grad_(True)
    optimizer_groups = [{"params": model_b[1].parameters(), "lr": 1e-2},
                        {"params": last.parameters(), "lr": 1e-3}]
    optimizer = torch.optim.Adam(optimizer_groups)
    loader = DataLoader(TensorDataset(xb, yb), batch_size=32, shuffle=True)
    model_b.train()
    for _ in range(head_epochs // 2):
        for xs, ys in loader:
            optimizer.zero_grad()
            F.cross_entropy(model_b(xs), ys).backward()
            optimizer.step()
    acc_ft = accuracy(model_b, xb_test, yb_test)
    print(f"+ fine-tuned last feature layer:    {100 * acc_ft:.1f}%")
    print(f"RESULT: finetune_frozen scratch={100 * acc_scratch:.1f}% head={100 * acc_head:.1f}% "
          f"finetuned={100 * acc_ft:.1f}% frozen_unchanged={unchanged}")


if __name__ == "__main__":
    main()
