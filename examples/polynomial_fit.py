"""Fit y = sin(x) on [-pi, pi] with a cubic, using nothing but tensors and autograd.

The four coefficients are leaf tensors with ``requires_grad=True``; each step computes the
squared error, calls ``backward()`` and moves the coefficients against their gradient inside
``torch.no_grad()``. No nn, no optim.

Quality of a full run (``python examples/polynomial_fit.py``, 5000 steps, about 3 s): the sum of
squared errors over the 2000 points falls from 2.2e5 to 8.8172, the least-squares optimum for a
cubic (NumPy's ``lstsq`` gives 8.8172 too); the fit is y = 0.8567 x - 0.0933 x^3.

``--tiny`` (or ``EMBER_EXAMPLES_TINY=1``) runs 300 steps, for smoke tests.
"""
import argparse
import math
import os

import numpy as np

import ember as torch


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=5000)
    parser.add_argument("--tiny", action="store_true", default=os.environ.get("EMBER_EXAMPLES_TINY") == "1")
    args = parser.parse_args()
    steps = 300 if args.tiny else args.steps

    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a, b, c, d = (torch.randn((), requires_grad=True) for _ in range(4))

    # x^3 reaches 31 at the ends: the learning rate must be small for the cubic term
    learning_rate = 2e-6
    for t in range(steps):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        if t % (steps // 10) == 0:
            print(f"step {t:5d}  loss {loss.item():12.4f}")
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                p.grad = None

    X = np.stack([np.ones(2000), x.numpy(), x.numpy() ** 2, x.numpy() ** 3], 1)
    best = np.linalg.lstsq(X, y.numpy(), rcond=None)[1][0]
    print(f"fit: y = {a.item():.4f} {b.item():+.4f} x {c.item():+.4f} x^2 {d.item():+.4f} x^3")
    print(f"least-squares optimum: {best:.4f}")
    print(f"RESULT: polynomial_fit loss={loss.item():.4f}")


if __name__ == "__main__":
    main()
