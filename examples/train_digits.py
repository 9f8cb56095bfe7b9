"""Train the seeds' LeNet on handwritten digits: numtorch's demo, written as a plain PyTorch program.

    python -m numtorch run examples/train_digits.py [--epochs N] [--out DIR]

The data is the UCI handwritten digits numtorch ships (1,437 training and 360 test images, 8x8, resized
to 32x32 for LeNet), so nothing is downloaded. Each epoch prints the training loss and the test accuracy;
at the end the run directory (--out, else $NUMTORCH_RUNS/train_digits, else ./runs/train_digits) holds:

    lenet_digits.pt     the trained weights (torch.save of the state dict)
    predictions.png     test digits captioned with the predicted class, red when wrong (needs Pillow)
    loss_curve.png      training loss per batch and per epoch (needs matplotlib)

A progress bar shows while tqdm is installed.

The model is the LeNet of the seeds' CIFAR-10 case with one input channel instead of three, and without
its final Softmax: CrossEntropyLoss already applies log-softmax, and a softmax before it slows training.
"""
import argparse
import importlib.util
import os
import time

import torch
import torch.nn as nn
import torchvision.transforms as T
from torch.utils.data import DataLoader, Subset, TensorDataset
from torchvision.utils import make_grid

from digits_data import atomic_write, digits_images, output_dir

try:
    from tqdm import tqdm
except ImportError:
    tqdm = None


class LeNet(nn.Module):
    """The seeds' LeNet for one-channel 32x32 images, returning logits (no final Softmax)."""

    def __init__(self, in_channels=1, num_classes=10):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.Conv2d(in_channels, 16, 5), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2),  # -> 16 x 14 x 14
            nn.Conv2d(16, 32, 5), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2),  # -> 32 x 5 x 5
        )
        self.classifier = nn.Sequential(
            nn.Linear(32 * 5 * 5, 120), nn.ReLU(inplace=True),
            nn.Linear(120, 84), nn.ReLU(inplace=True),
            nn.Linear(84, num_classes),
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.conv_block(x), start_dim=1))


def train_epoch(model, loader, loss_fn, optimizer, desc, progress):
    model.train()
    losses = []
    batches = tqdm(loader, desc=desc, leave=False, unit="batch") if progress and tqdm else loader
    for images, labels in batches:
        optimizer.zero_grad()
        loss = loss_fn(model(images), labels)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if batches is not loader:
            batches.set_postfix(loss=f"{losses[-1]:.3f}")
    return losses


@torch.no_grad()
def predict(model, loader):
    model.eval()
    return torch.cat([model(images).argmax(dim=1) for images, _ in loader])


def save_predictions(images, labels, predicted, path, columns=12, scale=3):
    """A grid of (normalised) test images, each captioned with its predicted class; mistakes in red,
    with the true class after a slash."""
    from PIL import Image, ImageDraw, ImageFont

    grid = make_grid(images * 0.5 + 0.5, nrow=columns, padding=2, pad_value=1.0)
    picture = T.ToPILImage()(grid)
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST).convert("RGB")
    try:
        font = ImageFont.load_default(size=6 * scale)
    except (TypeError, OSError):  # Pillow < 10.1, or built without FreeType: the small bitmap font
        font = ImageFont.load_default()
    draw = ImageDraw.Draw(picture)
    cell = (images.shape[-1] + 2) * scale
    for i, (label, guess) in enumerate(zip(labels.tolist(), predicted.tolist())):
        row, col = divmod(i, columns)
        right = guess == label
        caption, colour = (str(guess), (60, 220, 60)) if right else (f"{guess}/{label}", (255, 50, 50))
        draw.text((col * cell + 3 * scale, row * cell + 2 * scale), caption, fill=colour, font=font)
    atomic_write(path, lambda tmp: picture.save(tmp, format="PNG"))


def save_loss_curve(batch_losses, epoch_losses, path):
    """Loss per batch and per epoch, when matplotlib is installed; returns whether a file was written."""
    try:
        import matplotlib
    except ImportError:
        return False
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    per_epoch = len(batch_losses) / len(epoch_losses)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([i / per_epoch for i in range(len(batch_losses))], batch_losses, lw=0.6, alpha=0.5, label="batch")
    ax.plot(range(1, len(epoch_losses) + 1), epoch_losses, "o-", label="epoch mean")
    ax.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="LeNet on Digits")
    ax.legend()
    fig.tight_layout()
    atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--train-size", type=int, help="use only the first N training images (quick runs)")
    parser.add_argument("--out", help="output directory (default: $NUMTORCH_RUNS/train_digits or ./runs/...)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args()

    torch.manual_seed(0)
    # The transforms run once on the whole uint8 image batch (torchvision transforms take tensors of
    # shape (..., C, H, W)): cheaper than per-image calls, and no Pillow needed to train.
    transform = T.Compose([T.Resize(32), T.ConvertImageDtype(torch.float32), T.Normalize((0.5,), (0.5,))])
    train_images, train_labels = digits_images(train=True)
    test_images, test_labels = digits_images(train=False)
    train_set = TensorDataset(transform(train_images), train_labels)
    test_set = TensorDataset(transform(test_images), test_labels)
    if args.train_size is not None:
        train_set = Subset(train_set, range(args.train_size))
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=120)

    model = LeNet()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    out = output_dir("train_digits", args.out)
    print(f"LeNet, {sum(p.numel() for p in model.parameters())} parameters; "
          f"{len(train_set)} training and {len(test_set)} test digits; writing to {out}")

    batch_losses, epoch_losses = [], []
    start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        losses = train_epoch(model, train_loader, loss_fn, optimizer, f"epoch {epoch}/{args.epochs}",
                             not args.no_progress)
        batch_losses += losses
        epoch_losses.append(sum(losses) / len(losses))
        accuracy = (predict(model, test_loader) == test_labels).float().mean().item()
        print(f"epoch {epoch:2d}/{args.epochs}  loss {epoch_losses[-1]:.4f}  test accuracy {accuracy:.2%}  "
              f"({time.perf_counter() - start:.1f} s)")

    checkpoint = os.path.join(out, "lenet_digits.pt")
    atomic_write(checkpoint, lambda tmp: torch.save(model.state_dict(), tmp))
    print(f"saved {checkpoint}")
    if importlib.util.find_spec("PIL") is None:
        print("no Pillow: skipped predictions.png (pip install pillow, or numtorch[vision])")
    else:
        shown = test_set.tensors[0][:48]
        grid_path = os.path.join(out, "predictions.png")
        save_predictions(shown, test_labels[:48], predict(model, [(shown, None)]), grid_path)
        print(f"saved {grid_path}")
    curve_path = os.path.join(out, "loss_curve.png")
    if save_loss_curve(batch_losses, epoch_losses, curve_path):
        print(f"saved {curve_path}")
    print(f"final test accuracy {accuracy:.2%}")


if __name__ == "__main__":
    main()
