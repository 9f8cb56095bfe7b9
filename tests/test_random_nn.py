"""Issue 4, must show: seeded layer initialisation, dropout masks and a training step equal torch's."""
import numpy as np
import pytest

import numtorch
from conftest import need_torch, to_np


def _lenet(lib):
    """The seeds' CIFAR-10 LeNet (notes 003), softmax output included."""
    nn = lib.nn

    class LeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv_block = nn.Sequential(
                nn.Conv2d(3, 16, 5), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2),
                nn.Conv2d(16, 32, 5), nn.ReLU(inplace=True), nn.MaxPool2d(2, 2))
            self.classifier = nn.Sequential(
                nn.Linear(32 * 5 * 5, 120), nn.ReLU(inplace=True), nn.Linear(120, 84), nn.ReLU(inplace=True),
                nn.Linear(84, 10))

        def forward(self, x):
            flat = lib.flatten(self.conv_block(x), start_dim=1)
            return nn.Softmax(dim=1)(self.classifier(flat))

    return LeNet()


def _conv_bn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
        nn.Conv2d(8, 16, 3, stride=2, groups=2), nn.BatchNorm2d(16), nn.ReLU(),
        nn.ConvTranspose2d(16, 4, 2, stride=2), nn.BatchNorm2d(4, affine=False), nn.Flatten(),
        nn.Linear(4 * 14 * 14, 7))


BUILDERS = {
    "linear-784-10": lambda lib: lib.nn.Linear(784, 10),
    "lenet": _lenet,
    "conv-bn": _conv_bn,
    "lstm": lambda lib: lib.nn.LSTM(10, 20, num_layers=2, bidirectional=True),
    "gru-rnn": lambda lib: lib.nn.Sequential(lib.nn.GRU(6, 5, batch_first=True), lib.nn.RNN(5, 3)),
    "embedding-mha": lambda lib: lib.nn.ModuleList([lib.nn.Embedding(50, 8), lib.nn.MultiheadAttention(8, 2)]),
}


def _seeded_state(seed, build):
    torch = need_torch()
    out = {}
    for lib in (torch, numtorch):
        lib.manual_seed(seed)
        model = build(lib)
        out[lib] = ({k: to_np(v) for k, v in model.state_dict().items()}, to_np(lib.rand(3)))
    return out[torch], out[numtorch]


@pytest.mark.parametrize("seed", [0, 2 ** 31 - 1, 2 ** 40 + 5])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_default_init_is_bit_exact(name, seed):
    (tstate, tnext), (nstate, nnext) = _seeded_state(seed, BUILDERS[name])
    assert list(nstate) == list(tstate)
    for k in tstate:
        assert nstate[k].dtype == tstate[k].dtype, k
        np.testing.assert_array_equal(nstate[k], tstate[k], err_msg=k)
    # The generator is left where torch leaves it.
    np.testing.assert_array_equal(nnext, tnext)


def _batches(n_batches=4, batch=8):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (n_batches * batch, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, n_batches * batch)
    return x, y, batch


def _train(lib, seed, steps):
    x, y, batch = _batches()
    lib.manual_seed(seed)
    net = _lenet(lib)
    opt = lib.optim.Adam(net.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    xs, ys = lib.tensor(x), lib.tensor(y)
    order = lib.randperm(len(x))
    losses = []
    for step in range(steps):
        idx = order[step * batch:(step + 1) * batch]
        opt.zero_grad()
        loss = loss_fn(net(xs[idx]), ys[idx])
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, to_np(order)


def test_lenet_seeded_training_matches():
    torch = need_torch()
    tl, to = _train(torch, 0, 4)
    nl, no = _train(numtorch, 0, 4)
    np.testing.assert_array_equal(no, to)
    # Same weights and the same shuffled batch: the first loss agrees to float32 rounding.
    assert abs(nl[0] - tl[0]) <= 4 * np.finfo(np.float32).eps * abs(tl[0])
    np.testing.assert_allclose(nl, tl, rtol=1e-4)


def _dropout_net(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(20, 64), nn.Dropout(0.3), nn.ReLU(), nn.Linear(64, 64), nn.Dropout(0.5),
                         nn.Linear(64, 5), nn.AlphaDropout(0.2))


@pytest.mark.parametrize("seed", [0, 123, 2 ** 40 + 5])
def test_seeded_forward_dropout_masks(seed):
    torch = need_torch()
    res = {}
    x = np.random.default_rng(seed % 1000).uniform(-1, 1, (16, 20)).astype(np.float32)
    for lib in (torch, numtorch):
        lib.manual_seed(seed)
        net = _dropout_net(lib)
        inp = lib.tensor(x)
        outs = [net(inp), net(inp)]
        mask = lib.nn.functional.dropout(lib.ones(7, 9), 0.4)
        d2 = lib.nn.functional.dropout2d(lib.ones(2, 6, 3, 3), 0.5)
        net.eval()
        outs.append(net(inp))
        res[lib] = outs + [mask, d2]
    for n, t in zip(res[numtorch], res[torch]):
        # Zero pattern (the masks) exactly; values to float32 matmul rounding.
        np.testing.assert_array_equal(to_np(n) == 0, to_np(t) == 0)
        np.testing.assert_allclose(to_np(n), to_np(t), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(to_np(res[numtorch][3]), to_np(res[torch][3]))
