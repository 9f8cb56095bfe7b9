"""Linear regression with tensors and autograd only: fit y = w * x + b to noisy samples of y = 2x + 3.

Runs unchanged under PyTorch (``python examples/linear_regression.py``) and under numtorch
(``python -m numtorch run examples/linear_regression.py``).
"""
import argparse

import torch


def make_data(n):
    x = torch.rand(n, 1) * 4 - 2
    noise = torch.randn(n, 1) * 0.1
    return x, 2 * x + 3 + noise


def fit(x, y, steps, lr, every):
    w = torch.randn(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for step in range(steps):
        loss = ((x * w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
        if step % every == 0 or step == steps - 1:
            print(f"step {step:4d}  loss {loss.item():.6f}")
    return w, b


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--lr", type=float, default=0.02)
    parser.add_argument("--every", type=int, default=50, help="print the loss every N steps")
    args = parser.parse_args()
    torch.manual_seed(0)
    x, y = make_data(100)
    w, b = fit(x, y, args.steps, args.lr, args.every)
    print(f"fitted w = {w.item():.4f}, b = {b.item():.4f}  (true w = 2, b = 3)")


if __name__ == "__main__":
    main()
