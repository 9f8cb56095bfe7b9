"""The seed notes' CNN case: LeNet classifies CIFAR-10, as the notes wrote it (a PyTorch program).

    python -m numtorch run examples/lenet_cifar10.py [--root DIR] [--epochs N] [--out DIR]

CIFAR-10 is read from ROOT/cifar-10-batches-py (or extracted from ROOT/cifar-10-python.tar.gz); with no
copy there the dataset tries to download it and, offline, says which file to put where. The program is the
notes' own: the model, the transforms, the loaders, Adam at lr 1e-4, a progress line every 500 batches,
reloading Lenet.pth when one exists and saving it at the end. Only the paths and the loop's sizes became
options. Two things are kept on purpose as the notes have them: the Softmax at the end of forward (which
CrossEntropyLoss does not want: it applies log-softmax itself, so training is slower; train_digits.py
drops it) and the single 5,000-image evaluation batch.
"""
import argparse
import os

import torch
import torch.nn as nn
import torch.optim as optim
import torchvision
import torchvision.transforms as transforms


class LeNet(nn.Module):
    def __init__(self):
        super(LeNet, self).__init__()

        self.conv_block = nn.Sequential(
            nn.Conv2d(3, 16, 5),  # 3 x 32 x 32 -> 16 x 28 x 28
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2, 2),  # 16 x 14 x 14
            nn.Conv2d(16, 32, 5),  # 32 x 10 x 10
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2, 2),  # 32 x 5 x 5
        )

        self.classifier = nn.Sequential(
            nn.Linear(32 * 5 * 5, 120),  # fc1
            nn.ReLU(inplace=True),
            nn.Linear(120, 84),  # fc2
            nn.ReLU(inplace=True),
            nn.Linear(84, 10)  # fc3
        )

    def forward(self, x):
        features = self.conv_block(x)
        flat_features = torch.flatten(features, start_dim=1)
        out = torch.nn.Softmax(dim=1)(self.classifier(flat_features))
        return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="./", help="where cifar-10-batches-py (or the .tar.gz) is")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--print-every", type=int, default=500, help="batches between progress lines")
    parser.add_argument("--out", default="./", help="directory of the Lenet.pth checkpoint")
    args = parser.parse_args()
    model_path = os.path.join(args.out, "Lenet.pth")

    transform = transforms.Compose(
        [transforms.ToTensor(),
         transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5))])

    train_set = torchvision.datasets.CIFAR10(root=args.root, train=True, download=True, transform=transform)
    train_loader = torch.utils.data.DataLoader(train_set, batch_size=36, shuffle=True, num_workers=0)
    val_set = torchvision.datasets.CIFAR10(root=args.root, train=False, download=True, transform=transform)
    val_loader = torch.utils.data.DataLoader(val_set, batch_size=5000, shuffle=False, num_workers=0)
    val_data_iter = iter(val_loader)
    val_image, val_label = next(val_data_iter)

    net = LeNet()
    if os.path.exists(model_path):
        net.load_state_dict(torch.load(model_path))
        print("loaded the saved model")

    loss_function = nn.CrossEntropyLoss()
    optimizer = optim.Adam(net.parameters(), lr=0.0001)

    for epoch in range(args.epochs):
        running_loss = 0.0
        for step, data in enumerate(train_loader, start=0):
            inputs, labels = data
            optimizer.zero_grad()
            outputs = net(inputs)
            loss = loss_function(outputs, labels)
            loss.backward()
            optimizer.step()

            running_loss += loss.item()
            if step % args.print_every == args.print_every - 1:
                with torch.no_grad():
                    outputs = net(val_image)
                    predict_y = torch.max(outputs, dim=1)[1]
                    accuracy = torch.eq(predict_y, val_label).sum().item() / val_label.size(0)
                    print('[%d, %5d] train_loss: %.3f  test_accuracy: %.3f' %
                          (epoch + 1, step + 1, running_loss / args.print_every, accuracy))
                    running_loss = 0.0

    print('Finished Training')
    torch.save(net.state_dict(), model_path)


if __name__ == '__main__':
    main()
