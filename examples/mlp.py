"""A multilayer perceptron classifies the 8x8 handwritten digits (64 pixels -> 10 classes).

    python -m numtorch run examples/mlp.py [--epochs N]     # numtorch
    python examples/mlp.py [--epochs N]                      # the same file under PyTorch

Shows nn.Sequential with Dropout, a DataLoader over a TensorDataset, SGD with momentum and weight decay,
a StepLR schedule, train/eval modes and evaluation under torch.no_grad().
"""
import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from digits_data import digits_tensors


def make_model():
    return nn.Sequential(
        nn.Linear(64, 128), nn.ReLU(), nn.Dropout(0.2),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 10),
    )


def train_epoch(model, loader, optimizer):
    model.train()
    total = 0.0
    for images, labels in loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(images), labels)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(labels)
    return total / len(loader.dataset)


@torch.no_grad()
def evaluate(model, images, labels):
    model.eval()
    logits = model(images)
    accuracy = (logits.argmax(dim=1) == labels).float().mean().item()
    return F.cross_entropy(logits, labels).item(), accuracy


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()

    torch.manual_seed(0)
    train_x, train_y = digits_tensors(train=True)
    test_x, test_y = digits_tensors(train=False)
    loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size, shuffle=True)
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
    print(f"{sum(p.numel() for p in model.parameters())} parameters, {len(train_y)} training digits")
    for epoch in range(1, args.epochs + 1):
        train_loss = train_epoch(model, loader, optimizer)
        scheduler.step()
        test_loss, accuracy = evaluate(model, test_x, test_y)
        print(f"epoch {epoch:3d}  train loss {train_loss:.4f}  test loss {test_loss:.4f}  "
              f"test accuracy {accuracy:.2%}")


if __name__ == "__main__":
    main()
