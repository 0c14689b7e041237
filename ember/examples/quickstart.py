"""A first look: build a small graph, backpropagate, print gradients and grad_fn names.

Run with ``python -m ember.examples.quickstart``.
"""
import ember as torch


def main() -> None:
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
    y = (x * w).sigmoid()
    loss = y.sum()
    print("y    =", y)
    print("loss =", loss)
    loss.backward()
    print("dloss/dx =", x.grad)
    print("dloss/dw =", w.grad)
    print("graph:", loss.grad_fn, "<-", loss.grad_fn.next_functions[0][0])


if __name__ == "__main__":
    main()
