"""The main job: train a small CNN on scikit-learn's bundled 8x8 handwritten digits.

Run with ``python -m ember.examples.digits`` (or the ``ember-demo`` command). Nothing is
downloaded: the 1797 digits ship with scikit-learn. It trains with a ``DataLoader``, shows a
tqdm progress bar per epoch and the validation accuracy after each, then reports the test
accuracy (98-99% with the defaults), saves a checkpoint with ``ember.save`` (and reloads it to
check it), and writes a PNG of the loss and accuracy curves. About 20 seconds on 2 CPU cores.

``--data mnist:DIR`` trains on real MNIST instead, read from the four IDX files in ``DIR``
(``train-images-idx3-ubyte`` etc., gzipped or not).

The training code is plain PyTorch: ``import ember as torch`` is the only change.
"""
from __future__ import annotations

import argparse
import math
import os
import time
from typing import Dict, List, Optional, Sequence

import ember as torch
from ember import nn
from ember.utils.data import DataLoader, random_split


class DigitsCNN(nn.Module):
    """conv(c1) -> pool -> conv(c2) -> pool -> linear(hidden) -> linear(10), for square images.

    >>> DigitsCNN(side=8)(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """

    def __init__(self, side: int = 8, n_classes: int = 10, c1: int = 32, c2: int = 64, hidden: int = 128) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, c1, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c1, c2, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        flat = c2 * (side // 4) * (side // 4)
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(flat, hidden), nn.ReLU(), nn.Dropout(0.25), nn.Linear(hidden, n_classes),
        )

    def forward(self, x):
        return self.classifier(self.features(x))


def load_data(spec: str):
    """(train, test, image side) for ``digits`` or ``mnist:DIR``."""
    from ember.vision import datasets, transforms
    if spec == "digits":
        return datasets.Digits(train=True), datasets.Digits(train=False), 8
    if spec.startswith("mnist:"):
        root = spec[len("mnist:"):]
        tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
        return (datasets.MNIST(root, train=True, transform=tf),
                datasets.MNIST(root, train=False, transform=tf), 28)
    raise SystemExit(f"--data must be 'digits' or 'mnist:DIR', got {spec!r}")


def evaluate(model: nn.Module, loader: DataLoader, loss_fn) -> Dict[str, float]:
    """Mean loss and accuracy of ``model`` over ``loader`` (no graph is recorded)."""
    model.eval()
    total, correct, loss_sum = 0, 0, 0.0
    with torch.no_grad():
        for images, labels in loader:
            logits = model(images)
            loss_sum += loss_fn(logits, labels).item() * labels.shape[0]
            correct += (logits.argmax(dim=1) == labels).sum().item()
            total += labels.shape[0]
    return {"loss": loss_sum / total, "acc": correct / total}


def plot(history: Dict[str, List[float]], test_acc: float, path: str) -> None:
    """Loss and accuracy curves, one panel each, saved as a PNG."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["train_loss"]) + 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.plot(epochs, history["train_loss"], "o-", label="train")
    ax1.plot(epochs, history["val_loss"], "s-", label="validation")
    ax1.set(title="Cross-entropy loss", xlabel="epoch", ylabel="loss", yscale="log")
    ax1.legend()
    ax1.grid(alpha=0.3)
    ax2.plot(epochs, [100 * a for a in history["train_acc"]], "o-", label="train")
    ax2.plot(epochs, [100 * a for a in history["val_acc"]], "s-", label="validation")
    ax2.axhline(100 * test_acc, color="tab:red", ls="--", label=f"test: {100 * test_acc:.2f}%")
    ax2.set(title="Accuracy", xlabel="epoch", ylabel="accuracy (%)")
    ax2.set_ylim(max(0.0, min(100 * min(history["val_acc"]), 100 * min(history["train_acc"])) - 2), 100.5)
    ax2.legend(loc="lower right")
    ax2.grid(alpha=0.3)
    fig.suptitle("ember: a small CNN on handwritten digits")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ember.examples.digits",
                                description="Train a small CNN on the 8x8 digits (or MNIST) with ember.")
    p.add_argument("--epochs", type=int, default=12)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default="./ember-digits-out", help="output folder (checkpoint, plot)")
    p.add_argument("--data", default="digits", help="'digits' (default) or 'mnist:DIR' (IDX files in DIR)")
    p.add_argument("--threads", type=int, default=1, help="BLAS threads (default 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    return p.parse_args(argv)


def train(argv: Optional[Sequence[str]] = None) -> float:
    """Train, evaluate, save, plot; returns the test accuracy."""
    from tqdm import tqdm

    args = parse_args(argv)
    start = time.perf_counter()
    # the matrices here are small: one BLAS thread is faster than a pool fighting for the cores
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)

    train_full, test_set, side = load_data(args.data)
    n_val = len(train_full) // 10
    train_set, val_set = random_split(train_full, [len(train_full) - n_val, n_val],
                                      generator=torch.Generator().manual_seed(args.seed))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(val_set, batch_size=256)
    test_loader = DataLoader(test_set, batch_size=256)
    print(f"data: {args.data}: {len(train_set)} train, {len(val_set)} validation, {len(test_set)} test images "
          f"({side}x{side})")

    model = DigitsCNN(side)
    n_params = sum(p.numel() for p in model.parameters())
    print(f"model: {n_params:,} parameters")
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * math.ceil(len(train_set) / args.batch_size)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=steps)

    history: Dict[str, List[float]] = {"train_loss": [], "train_acc": [], "val_loss": [], "val_acc": []}
    for epoch in range(1, args.epochs + 1):
        model.train()
        seen, correct, loss_sum = 0, 0, 0.0
        bar = tqdm(train_loader, desc=f"epoch {epoch:2d}/{args.epochs}", unit="batch", leave=False,
                   disable=args.no_progress, dynamic_ncols=True)
        for images, labels in bar:
            logits = model(images)
            loss = loss_fn(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            n = labels.shape[0]
            seen += n
            loss_sum += loss.item() * n
            correct += (logits.argmax(dim=1) == labels).sum().item()
            bar.set_postfix(loss=f"{loss_sum / seen:.4f}", acc=f"{100 * correct / seen:.1f}%", refresh=False)
        bar.close()
        val = evaluate(model, val_loader, loss_fn)
        history["train_loss"].append(loss_sum / seen)
        history["train_acc"].append(correct / seen)
        history["val_loss"].append(val["loss"])
        history["val_acc"].append(val["acc"])
        print(f"epoch {epoch:2d}/{args.epochs}  train loss {loss_sum / seen:.4f}  "
              f"train acc {100 * correct / seen:5.2f}%  val loss {val['loss']:.4f}  "
              f"val acc {100 * val['acc']:5.2f}%")

    test = evaluate(model, test_loader, loss_fn)
    ckpt_path = os.path.join(args.out, "digits_cnn.pt")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": args.epochs,
                "side": side, "history": history, "test_acc": test["acc"]}, ckpt_path)
    # reload into a fresh model: the checkpoint alone reproduces the test accuracy
    ckpt = torch.load(ckpt_path)
    fresh = DigitsCNN(ckpt["side"])
    fresh.load_state_dict(ckpt["model"])
    reloaded = evaluate(fresh, test_loader, loss_fn)
    plot_path = os.path.join(args.out, "curves.png")
    plot(history, test["acc"], plot_path)
    print(f"checkpoint: {ckpt_path} (reloaded: test accuracy {100 * reloaded['acc']:.2f}%)")
    print(f"plot: {plot_path}")
    print(f"time: {time.perf_counter() - start:.1f} s")
    print(f"test accuracy: {100 * test['acc']:.2f}%")
    return test["acc"]


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Entry point of ``python -m ember.examples.digits`` and of the ``ember-demo`` command."""
    train(argv)


if __name__ == "__main__":
    main()
