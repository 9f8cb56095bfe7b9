"""What bounds the nn ratios (issue 6): the NumPy work numtorch cannot avoid, against torch doing the same.

In the ``numtorch`` column these workloads run plain NumPy -- the BLAS products, or the ufunc loops, that
numtorch's kernels are built from -- with no numtorch code around them; in the ``torch`` column torch runs
the same products (or its whole layer). Their ratio is a floor under the matching nn workload's ratio.
"""
import numpy as np

from harness import workload
from workloads_nn_conv import conv2d_train_step

_MLP = ((128, 784, 256), (128, 256, 256), (128, 256, 10))


def _mlp_products(lib):
    # the eight products of one training step of the MLP workload, in the layouts linear() uses: x @ W.T
    # forward, g @ W for the input gradients (all but the first layer's), g.T @ x for the weight gradients
    rng = np.random.default_rng(0)
    arrays = [(rng.standard_normal((b, i), dtype=np.float32), rng.standard_normal((o, i), dtype=np.float32),
               rng.standard_normal((b, o), dtype=np.float32)) for b, i, o in _MLP]
    if lib.__name__ == "torch":
        arrays = [tuple(lib.from_numpy(a) for a in t) for t in arrays]
        mm = lib.mm
    else:
        mm = np.matmul
    products = [(x, w.T) for x, w, g in arrays] + [(g, w) for x, w, g in arrays[1:]] + [
        (g.T, x) for x, w, g in arrays]

    def step():
        for a, b in products:
            mm(a, b)
    return step


@workload("bound: the MLP step's 8 GEMMs alone, NumPy (OpenBLAS) vs torch (MKL)",
          target="report ratio (floor of the MLP ratio's GEMM share)")
def mlp_gemms(lib):
    return _mlp_products(lib)


def _conv_gemms_numpy():
    # numtorch's conv runs its GEMMs on ~1 MB column blocks that stay in cache, half the blocks on each of
    # two threads: the same products here, on one block re-used (so no column copy is counted)
    from numtorch._ops import _parallel
    rng = np.random.default_rng(0)
    positions, block = 32 * 32 * 32, 448
    w = rng.standard_normal((64, 576), dtype=np.float32)
    cols = rng.standard_normal((576, block), dtype=np.float32)
    g = rng.standard_normal((64, block), dtype=np.float32)

    def work(part):
        out = np.empty((64, block), np.float32)
        acc = np.zeros((576, 64), np.float32)
        for _ in part:
            np.matmul(w, cols, out=out)      # forward
            acc += cols @ g.T                # weight gradient
            np.matmul(w, cols, out=out)      # input gradient (the flipped-kernel convolution)
    blocks = list(range(positions // block))
    return lambda: _parallel.split(work, blocks, blas_single=True)


@workload("bound: Conv2d 64->64 3x3 fwd+bwd's GEMMs alone (NumPy) vs torch's whole fwd+bwd",
          target="report ratio (floor of the Conv2d ratio before any im2col copy)", max_repeat=7)
def conv_gemms(lib):
    return _conv_gemms_numpy() if lib.__name__ != "torch" else conv2d_train_step(lib)


@workload("bound: one ufunc pass over a 32x16x32x32 float32 activation (x + x), NumPy vs torch",
          target="report ratio (NumPy's loops run on one thread; torch splits this size over two)")
def activation_add(lib):
    x = np.random.default_rng(0).standard_normal((32, 16, 32, 32), dtype=np.float32)
    out = np.empty_like(x)
    if lib.__name__ == "torch":
        tx, tout = lib.from_numpy(x), lib.from_numpy(out)
        return lambda: lib.add(tx, tx, out=tout)
    return lambda: np.add(x, x, out=out)


@workload("bound: LeNet's second conv forward, its one GEMM alone (NumPy) vs torch's whole conv2d",
          target="report ratio (OpenBLAS on a 16-row product; torch's oneDNN convolves directly)")
def lenet_conv2_gemm(lib):
    rng = np.random.default_rng(0)
    if lib.__name__ == "torch":
        x = lib.from_numpy(rng.standard_normal((64, 6, 14, 14), dtype=np.float32))
        w = lib.from_numpy(rng.standard_normal((16, 6, 5, 5), dtype=np.float32))
        b = lib.zeros(16)
        return lambda: lib.conv2d(x, w, b)
    # 6 channels x 5 x 5 taps by the 64 images' 10 x 10 output positions
    w = rng.standard_normal((16, 150), dtype=np.float32)
    cols = rng.standard_normal((150, 64 * 100), dtype=np.float32)
    out = np.empty((16, 64 * 100), np.float32)
    return lambda: np.matmul(w, cols, out=out)
