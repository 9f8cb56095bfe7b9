"""A small denoising autoencoder squeezes the 8x8 handwritten digits through an 8-number code and back.

    python -m numtorch run examples/autoencoder.py [--epochs N] [--out DIR]   # numtorch
    python examples/autoencoder.py [--epochs N] [--out DIR]                    # the same file under PyTorch

Shows a custom nn.Module made of two nn.Sequential halves, noise from torch.randn_like, Adam, binary
cross-entropy on pixel intensities, and a reconstruction grid written with torchvision.utils.save_image
when torchvision is there.
"""
import argparse
import os

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from digits_data import atomic_write, digits_tensors, output_dir

try:
    from torchvision.utils import save_image
except ImportError:  # real PyTorch without torchvision: train and report, skip the picture
    save_image = None


class AutoEncoder(nn.Module):
    def __init__(self, pixels=64, code=8):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(pixels, 32), nn.ReLU(), nn.Linear(32, code))
        self.decoder = nn.Sequential(nn.Linear(code, 32), nn.ReLU(), nn.Linear(32, pixels))

    def forward(self, x):
        return self.decoder(self.encoder(x))


def train_epoch(model, loader, optimizer, noise):
    total = 0.0
    for (images,) in loader:
        # Denoising: the model sees a noisy copy and is scored on bringing back the clean digit.
        noisy = (images + noise * torch.randn_like(images)).clamp(0, 1)
        loss = F.binary_cross_entropy_with_logits(model(noisy), images)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(images)
    return total / len(loader.dataset)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--noise", type=float, default=0.2, help="std of the noise added to training inputs")
    parser.add_argument("--out", help="output directory (default: $NUMTORCH_RUNS/autoencoder or ./runs/...)")
    args = parser.parse_args()

    torch.manual_seed(0)
    train_x, _ = digits_tensors(train=True)
    test_x, _ = digits_tensors(train=False)
    loader = DataLoader(TensorDataset(train_x), batch_size=64, shuffle=True)
    model = AutoEncoder()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    for epoch in range(1, args.epochs + 1):
        train_loss = train_epoch(model, loader, optimizer, args.noise)
        with torch.no_grad():
            recon = torch.sigmoid(model(test_x))
        test_mse = F.mse_loss(recon, test_x).item()
        print(f"epoch {epoch:3d}  train loss {train_loss:.4f}  test mse {test_mse:.5f}")

    if save_image is not None:
        # Top row: test digits; bottom row: what the 8-number code brings back.
        pairs = torch.cat([test_x[:16], recon[:16]]).reshape(32, 1, 8, 8)
        pairs = F.interpolate(pairs, scale_factor=4, mode="nearest")  # 8x8 is too small to see
        path = os.path.join(output_dir("autoencoder", args.out), "reconstructions.png")
        atomic_write(path, lambda tmp: save_image(pairs, tmp, nrow=16, padding=2, format="png"))
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
