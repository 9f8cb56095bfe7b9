"""Memory formats (channels-last layouts) against torch: values and strides of results and gradients.

Layout rules checked here (torch's CPU kernels): ``contiguous``/``clone``/``to``/``empty``/``*_like`` follow
the requested format (preserve: a dense input's own strides, else dense strides in its order); layers
(conv, batch/group norm, pools, interpolation, pads, shuffles, cat) give the layout the input's strides
suggest; ``.grad`` of a leaf takes the leaf's strides.
"""
import numpy as np
import pytest

import numtorch
import numtorch.nn  # noqa: F401
from conftest import assert_same, check, check_raises, need_torch, rand


def F(lib):
    return lib.nn.functional


def cl(lib, t):
    """``t`` converted to channels-last (4-D) or channels-last-3d (5-D)."""
    return t.contiguous(memory_format=lib.channels_last if t.dim() == 4 else lib.channels_last_3d)


def sliced(lib, t):
    """A non-dense channels-last view: every other row of a channels-last copy."""
    return cl(lib, t)[:, :, ::2]


def one_channel(lib, t):
    """The first channel of a channels-last copy: size-1 channels, not dense."""
    return cl(lib, t)[:, :1]


def permuted(lib, t):
    return t.transpose(-1, -2)


def _tensor(lib, a):
    # NumPy zeroes an empty array's strides, and torch.tensor would keep them
    return lib.tensor(a) if a.size else lib.zeros(a.shape, dtype=getattr(lib, str(a.dtype)))


def run(fn, *inputs, grad=True, seed=None, atol=1e-5, rtol=1e-4, grad_strides=True):
    """``fn(lib, *tensors)`` under torch and numtorch; compares the results (values, dtypes, strides) and
    the gradients of the inputs (values and, with ``grad_strides``, strides) for a deterministic output
    gradient (contiguous, or laid out by ``seed(lib, t)``). Inputs are arrays or (array, layout) pairs;
    the laid-out tensors are the leaves, so their gradients show the op's own layout."""
    need_torch()
    import torch
    res = {}
    for lib in (torch, numtorch):
        leaves = []
        for item in inputs:
            a, layout = item if isinstance(item, tuple) else (item, None)
            t = _tensor(lib, a)
            t = (layout(lib, t) if layout else t).detach()
            if grad and t.is_floating_point():
                t.requires_grad_()
            leaves.append(t)
        try:
            out = fn(lib, *leaves)
        except Exception as e:  # compared below
            res[lib] = e
            continue
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        grads = ()
        if grad:
            diff = [o for o in outs if o.requires_grad]
            seeds = []
            for i, o in enumerate(diff):
                s = _tensor(lib, rand(*o.shape, seed=10 + i, dtype=str(o.dtype).split(".")[1]))
                seeds.append(seed(lib, s) if seed else s)
            wrt = [t for t in leaves if t.requires_grad]
            grads = lib.autograd.grad(diff, wrt, seeds, allow_unused=True)
        res[lib] = outs, grads
    if isinstance(res[torch], Exception) or isinstance(res[numtorch], Exception):
        assert type(res[torch]) is type(res[numtorch]), f"numtorch {res[numtorch]!r}, torch {res[torch]!r}"
        return
    (t_out, t_g), (n_out, n_g) = res[torch], res[numtorch]
    assert_same(n_out, t_out, atol, rtol, strides=True)
    if callable(grad_strides):
        grad_strides = grad_strides(t_out)
    for i, (a, b) in enumerate(zip(n_g, t_g)):
        assert (a is None) == (b is None), f"grad[{i}]"
        if b is not None:
            assert_same(a, b, atol * 10, rtol * 10, strides=grad_strides, what=f"grad[{i}]")


X4 = rand(2, 3, 6, 7)
X5 = rand(2, 3, 4, 5, 6, seed=1)
LAYOUTS = [None, cl, sliced, one_channel, permuted]


def _name(f):
    return getattr(f, "__name__", "contiguous")


# ------------------------------------------------------------------------------------- is_contiguous

@pytest.mark.parametrize("size,stride", [
    ((2, 3, 4, 5), (60, 1, 15, 3)), ((2, 3, 4, 5), (60, 20, 5, 1)), ((2, 1, 4, 5), (20, 1, 5, 1)),
    ((2, 1, 4, 5), (20, 20, 5, 1)), ((2, 3, 1, 1), (3, 1, 3, 3)), ((2, 3, 1, 1), (3, 1, 1, 1)),
    ((1, 3, 4, 5), (1, 1, 15, 3)), ((2, 3, 4, 1), (12, 1, 3, 3)), ((2, 3, 4, 5), (0, 1, 15, 3)),
    ((2, 3, 4, 5), (60, 0, 15, 3)), ((2, 1, 1, 1), (1, 1, 1, 1)), ((0, 3, 4, 5), (60, 1, 15, 3)),
    ((0, 3, 4, 5), (60, 20, 5, 1)), ((2, 3, 4, 5, 6), (360, 1, 90, 18, 3)), ((2, 3, 4, 5, 6), (360, 120, 30, 6, 1)),
    ((3, 4), (4, 1)), ((3, 4), (1, 3)),
])
def test_is_contiguous_and_suggested_format(size, stride):
    """is_contiguous for each format, and the format the strides suggest (to() aliases exactly then)."""
    def fn(lib, _):
        t = lib.empty_strided(size, stride)
        fmts = [lib.contiguous_format, lib.channels_last, lib.channels_last_3d, lib.preserve_format]
        flags = [t.is_contiguous(memory_format=f) for f in fmts] + [t.is_contiguous()]
        ranks = {4: lib.channels_last, 5: lib.channels_last_3d}
        targets = [lib.contiguous_format, lib.preserve_format] + ([ranks[t.dim()]] if t.dim() in ranks else [])
        return flags + [t.to(memory_format=f) is t for f in targets]
    check(fn, X4, grad=False)


def test_is_contiguous_errors():
    check_raises(lambda lib, x: x.is_contiguous(memory_format=3), X4)
    check_raises(lambda lib, x: x.is_contiguous(lib.channels_last), X4)


# ------------------------------------------------------------------------------------- tensor conversions

FORMATS = ["contiguous_format", "channels_last", "channels_last_3d", "preserve_format"]
SOURCES = {
    "4d": (X4, None), "4d_cl": (X4, cl), "4d_sliced": (X4, sliced), "4d_one_channel": (X4, one_channel),
    "4d_permuted": (X4, permuted), "5d": (X5, None), "5d_cl": (X5, cl), "3d": (X4[0], None), "2d": (X4[0, 0], None),
    "0d": (np.array(1.5, np.float32), None), "4d_expanded": (X4[:1, :, :1], lambda lib, t: t.expand(2, 3, 4, 7)),
    "4d_size1": (X4[:, :, :1, :1], cl), "4d_empty": (X4[:0], cl),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("src", list(SOURCES))
def test_contiguous_clone_to(src, fmt):
    """contiguous / clone / to(memory_format) (with and without a dtype) / *_like: strides, values, errors,
    and gradients through the copies."""
    a, layout = SOURCES[src]

    def fmt_of(lib):
        return getattr(lib, fmt)
    for fn in (lambda lib, x: x.contiguous(memory_format=fmt_of(lib)),
               lambda lib, x: x.clone(memory_format=fmt_of(lib)),
               lambda lib, x: lib.clone(x, memory_format=fmt_of(lib)),
               lambda lib, x: x.to(memory_format=fmt_of(lib)),
               lambda lib, x: x.to(lib.float64, memory_format=fmt_of(lib)),
               lambda lib, x: x.double(memory_format=fmt_of(lib)),
               lambda lib, x: x.to("cpu", lib.float16, memory_format=fmt_of(lib)),
               lambda lib, x: x.to(x, copy=True, memory_format=fmt_of(lib))):
        if layout is None:
            run(fn, a)
        else:
            # the layout is applied inside: the gradient reaches a contiguous leaf
            run(lambda lib, x, fn=fn: fn(lib, layout(lib, x)), a)
    for like in ("empty_like", "zeros_like", "ones_like", "rand_like", "randn_like"):
        def fn(lib, x, like=like):
            lib.manual_seed(0)
            out = getattr(lib, like)(layout(lib, x) if layout else x, memory_format=fmt_of(lib))
            return out.stride() if like == "empty_like" else out
        check(fn, a, grad=False, strides=True)
    check(lambda lib, x: lib.full_like(layout(lib, x) if layout else x, 2.5, memory_format=fmt_of(lib)), a,
          grad=False, strides=True)
    check(lambda lib, x: (lib.manual_seed(0), lib.randint_like(layout(lib, x) if layout else x, 9,
                                                              memory_format=fmt_of(lib)))[1],
          a, grad=False, strides=True)


@pytest.mark.parametrize("src", ["4d", "4d_cl", "4d_sliced", "4d_permuted", "2d"])
def test_to_returns_self_as_torch(src):
    """to() aliases when nothing changes, including a memory format the strides already suggest."""
    a, layout = SOURCES[src]

    def fn(lib, x):
        x = layout(lib, x) if layout else x
        fmts = [None, lib.preserve_format, lib.contiguous_format] + ([lib.channels_last] if x.dim() == 4 else [])
        res = [x.to(memory_format=f) is x for f in fmts]
        res += [x.to(x.dtype, memory_format=f) is x for f in fmts]
        res += [x.to(lib.float64) is x, x.to(copy=True) is x, x.float() is x, x.cpu() is x]
        res += [x.float(memory_format=f) is x for f in fmts]
        return res
    check(fn, a, grad=False)


def test_copies_keep_layout_by_default():
    """Default copies preserve the layout: to(copy=True), dtype casts, clone, type_as."""
    for fn in (lambda lib, x: x.to(copy=True), lambda lib, x: x.double(), lambda lib, x: x.half(),
               lambda lib, x: x.int(), lambda lib, x: x.clone(), lambda lib, x: x.type_as(x.double()),
               lambda lib, x: x.detach().clone(), lambda lib, x: x.cpu(memory_format=lib.channels_last)):
        for layout in (cl, sliced, one_channel):
            check(lambda lib, x: fn(lib, layout(lib, x)), X4, grad=False, strides=True)


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (0, 3, 4, 5), (2, 0, 4, 5), (2, 1, 4, 5), (2, 3, 1, 1),
                                   (2, 3, 4, 5, 6), (2, 3, 0, 5, 6), (1, 1, 1, 1), (3, 4), (3,)])
@pytest.mark.parametrize("fmt", FORMATS + [None])
def test_empty(shape, fmt):
    def fn(lib, _):
        kw = {} if fmt is None else {"memory_format": getattr(lib, fmt)}
        t = lib.empty(*shape, **kw)
        return t.stride(), t.is_contiguous(), str(t.dtype), lib.empty(shape, dtype=lib.float64, **kw).stride()
    check(fn, X4, grad=False)


def test_memory_format_argument_errors():
    for fn in (lambda lib, x: lib.empty(2, 3, memory_format=3),
               lambda lib, x: lib.empty(2, 3, 4, 5, memory_format=lib.channels_last, out=lib.empty(0)),
               lambda lib, x: x.contiguous(memory_format=3),
               lambda lib, x: x.clone(memory_format="channels_last"),
               lambda lib, x: lib.empty_like(x, memory_format=3),
               lambda lib, x: lib.zeros_like(x, memory_format=1),
               lambda lib, x: x.to(memory_format=2),
               lambda lib, x: x.transpose(2, 3).contiguous(memory_format=lib.preserve_format),
               lambda lib, x: lib.empty(2, 3, 4, 5, memory_format=lib.preserve_format),
               lambda lib, x: x[0].contiguous(memory_format=lib.channels_last),
               lambda lib, x: x.contiguous(memory_format=lib.channels_last_3d),
               lambda lib, x: x[0, 0].clone(memory_format=lib.channels_last),
               lambda lib, x: x[0, 0, 0, 0].clone(memory_format=lib.channels_last),
               lambda lib, x: x.to(memory_format=lib.channels_last_3d),
               lambda lib, x: x[0].to(lib.float64, memory_format=lib.channels_last),
               lambda lib, x: lib.empty(2, 3, 4, memory_format=lib.channels_last),
               lambda lib, x: lib.empty_like(x[0], memory_format=lib.channels_last),
               lambda lib, x: lib.ones_like(x, memory_format=lib.channels_last_3d),
               lambda lib, x: x.contiguous(memory_format=None),
               lambda lib, x: x.is_contiguous(memory_format=None),
               lambda lib, x: lib.zeros(2, 3, 4, 5, memory_format=lib.channels_last),
               lambda lib, x: lib.ones(2, 3, 4, 5, memory_format=lib.channels_last),
               lambda lib, x: lib.empty_strided((2, 3, 4, 5), (60, 1, 15, 3), memory_format=lib.channels_last),
               lambda lib, x: x.new_empty((2, 3, 4, 5), memory_format=lib.channels_last)):
        ne, te = check_raises(fn, X4)
        assert str(ne).split(":")[0].split(" - ")[0] == str(te).split(":")[0].split(" - ")[0], (ne, te)


def test_preserve_contiguous_is_a_no_op():
    """contiguous(memory_format=preserve_format) returns an already contiguous tensor itself."""
    check(lambda lib, x: x.contiguous(memory_format=lib.preserve_format) is x, X4, grad=False)


def test_contiguous_returns_self_when_already_in_format():
    def fn(lib, x):
        y = cl(lib, x)
        c1 = x[:, :1].contiguous()
        c1_last = c1.contiguous(memory_format=lib.channels_last)
        return [y.contiguous(memory_format=lib.channels_last) is y, y.contiguous() is y, c1_last is c1,
                c1_last.stride()]
    check(fn, X4, grad=False)


# ------------------------------------------------------------------------------------- nn.Module.to

def _module(lib):
    lib.manual_seed(0)
    m = lib.nn.Sequential(lib.nn.Conv2d(2, 3, 2), lib.nn.BatchNorm2d(3))
    m.register_buffer("index", lib.zeros(2, 3, 4, 5, dtype=lib.int64))
    m[0].weight.grad = lib.ones(3, 2, 2, 2)
    return m


def _state(m, w):
    tensors = list(m.parameters()) + list(m.buffers()) + [m[0].weight.grad]
    return [(t.stride(), str(t.dtype)) for t in tensors] + [m[0].weight is w]


@pytest.mark.parametrize("args", [
    ((), {"memory_format": "channels_last"}), (("cpu",), {"memory_format": "channels_last"}),
    (("float64",), {"memory_format": "channels_last"}), (("cpu", "float64", False), {"memory_format": "channels_last"}),
    ((), {"dtype": "float64", "memory_format": "contiguous_format"}), ((), {"memory_format": "preserve_format"}),
    (("float16",), {}), ((), {"memory_format": "channels_last_3d"}), (("int32",), {}), (("float64", False, True), {}),
    ((), {"copy": True}), ((), {"memory_format": 2}), ((), {"device": "cpu", "non_blocking": True}),
])
def test_module_to(args):
    def fn(lib, _):
        pos = tuple(getattr(lib, a) if a in ("float64", "float16", "int32") else a for a in args[0])
        kw = {k: getattr(lib, v) if isinstance(v, str) and k != "device" else v for k, v in args[1].items()}
        m = _module(lib)
        w = m[0].weight
        r = m.to(*pos, **kw)
        return [r is m] + _state(m, w) + [_state(m.to(memory_format=lib.contiguous_format), w)]
    check(fn, X4, grad=False)


def test_module_to_3d():
    def fn(lib, _):
        lib.manual_seed(0)
        m = lib.nn.Conv3d(2, 3, 2).to(memory_format=lib.channels_last_3d)
        return m.weight.stride(), m.bias.stride()
    check(fn, X4, grad=False)
    check_raises(lambda lib, _: lib.nn.Conv3d(2, 3, 2).to(memory_format=lib.channels_last), X4)


# ------------------------------------------------------------------------------------- convolutions

CONV = {
    "conv2d": (lambda lib, x, w: F(lib).conv2d(x, w), (2, 3, 6, 7), (4, 3, 3, 3)),
    "conv2d_s2p1": (lambda lib, x, w: F(lib).conv2d(x, w, stride=2, padding=1), (2, 3, 6, 7), (4, 3, 3, 3)),
    "conv2d_groups": (lambda lib, x, w: F(lib).conv2d(x, w, groups=2), (2, 4, 6, 7), (4, 2, 3, 3)),
    "conv2d_dilated": (lambda lib, x, w: F(lib).conv2d(x, w, dilation=2), (2, 3, 6, 7), (4, 3, 2, 2)),
    "conv2d_1x1": (lambda lib, x, w: F(lib).conv2d(x, w), (2, 3, 5, 5), (4, 3, 1, 1)),
    "conv2d_out_1x1": (lambda lib, x, w: F(lib).conv2d(x, w), (2, 3, 3, 3), (4, 3, 3, 3)),
    "conv2d_batch1": (lambda lib, x, w: F(lib).conv2d(x, w, padding="same"), (1, 3, 6, 7), (4, 3, 3, 3)),
    "conv_transpose2d": (lambda lib, x, w: F(lib).conv_transpose2d(x, w), (2, 3, 5, 6), (3, 4, 3, 3)),
    "conv_transpose2d_s2": (lambda lib, x, w: F(lib).conv_transpose2d(x, w, stride=2, output_padding=1),
                            (2, 3, 5, 6), (3, 4, 3, 3)),
    "conv3d": (lambda lib, x, w: F(lib).conv3d(x, w), (2, 3, 4, 5, 6), (4, 3, 2, 2, 2)),
    # batch 1 and a small kernel: torch's slow 3-D kernel, contiguous-only
    "conv3d_batch1": (lambda lib, x, w: F(lib).conv3d(x, w), (1, 3, 4, 5, 6), (4, 3, 2, 2, 2)),
    "conv3d_batch1_k4": (lambda lib, x, w: F(lib).conv3d(x, w), (1, 3, 5, 5, 6), (4, 3, 1, 4, 4)),
    "conv_transpose3d": (lambda lib, x, w: F(lib).conv_transpose3d(x, w), (2, 3, 4, 5, 6), (3, 4, 2, 2, 2)),
    # output padding as large as the stride: not torch's oneDNN kernel
    "conv_transpose3d_big_output_padding": (
        lambda lib, x, w: F(lib).conv_transpose3d(x, w, dilation=2, output_padding=1), (2, 3, 4, 4, 5),
        (3, 4, 2, 2, 2)),
}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layouts", [(None, None), (cl, None), (None, cl), (cl, cl), (sliced, None)],
                         ids=["nchw", "x_cl", "w_cl", "both_cl", "x_sliced"])
@pytest.mark.parametrize("case", list(CONV))
def test_conv_layouts(case, layouts, dtype):
    """Channels-last input or weight gives channels-last outputs and gradients (float64 3-D: contiguous)."""
    fn, xs, ws = CONV[case]
    x, w = rand(*xs, dtype=dtype), rand(*ws, seed=1, dtype=dtype)
    for seed in (None, cl):
        # numtorch's contiguous-path weight gradient is transposed in memory (its .grad is laid out as torch's)
        run(fn, (x, layouts[0]), (w, layouts[1]), seed=seed, grad_strides=_channels_last_result, atol=1e-4)


def _channels_last_result(outs):
    return not outs[0].is_contiguous()


def test_conv_1d_and_unbatched():
    tw = (lambda lib, t: t.transpose(1, 2).contiguous().transpose(1, 2))
    run(lambda lib, x, w: F(lib).conv1d(x, w), (rand(2, 3, 7), tw), rand(4, 3, 3, seed=1),
        grad_strides=_channels_last_result)
    # a channels-last-like weight sends torch's 1-D convolution (run as 2-D) channels-last
    run(lambda lib, x, w: F(lib).conv1d(x, w), rand(2, 3, 7), (rand(4, 3, 3, seed=1), tw))
    run(lambda lib, x, w: F(lib).conv_transpose1d(x, w), rand(2, 3, 7), (rand(3, 4, 3, seed=1), tw))
    run(lambda lib, x, w: F(lib).conv2d(x, w), rand(3, 5, 5), (rand(4, 3, 3, 3, seed=1), cl))
    run(lambda lib, x, w: F(lib).conv2d(x, w), (rand(2, 1, 5, 5), cl), rand(4, 1, 3, 3, seed=1),
        grad_strides=_channels_last_result)


def test_conv_empty_batch():
    """An empty batch runs no kernel: a contiguous output, gradients laid out like the operands."""
    for layouts in ((None, cl), (cl, None)):
        run(lambda lib, x, w: F(lib).conv2d(x, w, lib.ones(4)), (rand(0, 3, 6, 7), layouts[0]),
            (rand(4, 3, 3, 3, seed=1), layouts[1]))


def test_conv_half():
    x, w = rand(2, 3, 6, 7, dtype="float16"), rand(4, 3, 3, 3, seed=1, dtype="float16")
    check(lambda lib, x, w: F(lib).conv2d(cl(lib, x), w), x, w, grad=False, strides=True, atol=1e-2, rtol=1e-2)
    x5, w5 = rand(1, 3, 4, 5, 6, dtype="float16"), rand(4, 3, 2, 2, 2, seed=1, dtype="float16")
    check(lambda lib, x, w: F(lib).conv3d(cl(lib, x), w), x5, w5, grad=False, strides=True, atol=1e-2, rtol=1e-2)


# ------------------------------------------------------------------------------------- normalization

@pytest.mark.parametrize("layout", LAYOUTS, ids=_name)
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm(layout, training):
    """The layout the input's strides suggest, or for an input contiguous in some format that one (an ambiguous
    input reads as contiguous); the input gradient too, when the output gradient shares it."""
    def fn(lib, x, w, b):
        c = x.shape[1]
        return F(lib).batch_norm(x, lib.linspace(-1, 1, c), lib.linspace(0.5, 2, c), w[:c], b[:c], training=training)
    for seed in (None, cl):
        run(fn, (X4, layout), rand(3, seed=2), rand(3, seed=3), seed=seed)
    run(lambda lib, x: F(lib).batch_norm(x, None, None, training=True), (X5, layout))
    run(lambda lib, x: F(lib).batch_norm(x.double(), None, None, training=True), (X4, layout))


def test_batch_norm_module_running_stats():
    def fn(lib, x):
        lib.manual_seed(0)
        bn = lib.nn.BatchNorm2d(3).to(memory_format=lib.channels_last)
        y = bn(cl(lib, x))
        return y, bn.running_mean, bn.running_var, bn.eval()(cl(lib, x))
    check(fn, X4, strides=True)


@pytest.mark.parametrize("layout", [cl, sliced, one_channel, permuted], ids=_name)
def test_other_norms(layout):
    run(lambda lib, x, w, b: F(lib).group_norm(x, 3, w, b), (X4, layout), rand(3, seed=2), rand(3, seed=3))
    run(lambda lib, x, w, b: F(lib).group_norm(x, 1, w, b), (X5, cl), rand(3, seed=2), rand(3, seed=3))
    # layer norm works on a contiguous copy: contiguous output
    run(lambda lib, x: F(lib).layer_norm(x, x.shape[-2:]), (X4, layout))
    run(lambda lib, x: F(lib).instance_norm(x), (X4, layout))


# ------------------------------------------------------------------------------------- activations, dropout

ACTIVATIONS = ["relu6", "elu", "selu", "celu", "gelu", "silu", "mish", "hardtanh", "hardswish", "hardsigmoid",
               "leaky_relu", "logsigmoid", "softplus", "softshrink", "hardshrink"]


@pytest.mark.parametrize("layout", [cl, sliced, one_channel], ids=_name)
@pytest.mark.parametrize("name", ACTIVATIONS + ["relu", "sigmoid", "tanh", "threshold", "prelu"])
def test_activations(name, layout):
    """Elementwise activations keep the input's layout (log-sigmoid: contiguous, as torch allocates it)."""
    def fn(lib, x):
        if name == "threshold":
            return F(lib).threshold(x, 0.1, 2.0)
        if name == "prelu":
            return F(lib).prelu(x, lib.tensor([0.1, 0.2, 0.3])[:x.shape[1]])
        return getattr(F(lib), name)(x)
    if layout is one_channel and name in ("relu", "sigmoid", "tanh"):
        # these are Tensor ops with NumPy's layout: a strided input's size-1 dims get renumbered strides
        check(lambda lib, x: fn(lib, layout(lib, x)), X4, strides=False)
        return
    for seed in (None, cl):
        # relu's gradient is NumPy's where (torch's threshold_backward follows the input's layout)
        run(fn, (X4, layout), seed=seed, grad_strides=name != "relu")


@pytest.mark.parametrize("inplace", [False, True])
def test_relu_module_and_inplace(inplace):
    def fn(lib, x):
        y = cl(lib, x) * 1
        return lib.nn.ReLU(inplace=inplace)(y), y
    check(fn, X4, strides=True)


@pytest.mark.parametrize("layout", [cl, sliced], ids=_name)
def test_dropout_family(layout):
    """Same masks as torch (drawn in memory order) and the input's layout."""
    for fn in (lambda lib, x: F(lib).dropout(x, 0.3), lambda lib, x: F(lib).dropout2d(x, 0.3),
               lambda lib, x: F(lib).dropout(x, 0.3, training=False), lambda lib, x: F(lib).dropout(x, 0.0),
               lambda lib, x: F(lib).dropout(x, 1.0), lambda lib, x: F(lib).alpha_dropout(x, 0.3, True),
               lambda lib, x: F(lib).feature_alpha_dropout(x, 0.3, True),
               lambda lib, x: F(lib).dropout(x * 1, 0.3, inplace=True)):
        def seeded(lib, x, fn=fn):
            lib.manual_seed(0)
            return fn(lib, x)
        run(seeded, (X4, layout))


def test_random_fills_in_memory_order():
    def fn(lib, x):
        lib.manual_seed(0)
        t = cl(lib, x)
        return [lib.rand_like(t), lib.randn_like(t), lib.empty_like(t).uniform_(), lib.empty_like(t).normal_(),
                lib.empty_like(t).bernoulli_(0.5), lib.randint_like(t, 10)]
    check(fn, X4, grad=False, strides=True)


# ------------------------------------------------------------------------------------- pooling

POOLS = {
    "max_pool2d": lambda lib, x: F(lib).max_pool2d(x, 2),
    "max_pool2d_indices": lambda lib, x: F(lib).max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True),
    "max_pool2d_dilated": lambda lib, x: F(lib).max_pool2d(x, 2, 1, 0, 2),
    "avg_pool2d": lambda lib, x: F(lib).avg_pool2d(x, 2),
    "avg_pool2d_pad": lambda lib, x: F(lib).avg_pool2d(x, 3, 2, 1, count_include_pad=False),
    "adaptive_avg_pool2d_1": lambda lib, x: F(lib).adaptive_avg_pool2d(x, 1),
    "adaptive_avg_pool2d": lambda lib, x: F(lib).adaptive_avg_pool2d(x, (3, 2)),
    "adaptive_avg_pool2d_row": lambda lib, x: F(lib).adaptive_avg_pool2d(x, (1, 2)),
    "adaptive_max_pool2d_1": lambda lib, x: F(lib).adaptive_max_pool2d(x, 1, return_indices=True),
    "adaptive_max_pool2d": lambda lib, x: F(lib).adaptive_max_pool2d(x, (3, 2), return_indices=True),
    "lp_pool2d": lambda lib, x: F(lib).lp_pool2d(x, 2, 2),
    "max_unpool2d": lambda lib, x: F(lib).max_unpool2d(*F(lib).max_pool2d(x, 2, return_indices=True), 2,
                                                       output_size=(6, 7)),
}


@pytest.mark.parametrize("layout", LAYOUTS, ids=_name)
@pytest.mark.parametrize("name", list(POOLS))
def test_pool2d(name, layout):
    for seed in (None, cl):
        # lp pooling squares its input first: NumPy's layout for a strided single channel (see test_activations)
        run(POOLS[name], (X4, layout), seed=seed, grad_strides=not (name == "lp_pool2d" and layout is one_channel))


POOLS3 = {
    "max_pool3d": lambda lib, x: F(lib).max_pool3d(x, 2, return_indices=True),
    "avg_pool3d": lambda lib, x: F(lib).avg_pool3d(x, 2),
    "adaptive_avg_pool3d": lambda lib, x: F(lib).adaptive_avg_pool3d(x, 2),
    "adaptive_avg_pool3d_1": lambda lib, x: F(lib).adaptive_avg_pool3d(x, 1),
    "adaptive_max_pool3d": lambda lib, x: F(lib).adaptive_max_pool3d(x, 2, return_indices=True),
}


@pytest.mark.parametrize("layout", [None, cl, sliced], ids=_name)
@pytest.mark.parametrize("name", list(POOLS3))
def test_pool3d(name, layout):
    """3-D max pooling is channels-last-aware; 3-D average and adaptive pooling are contiguous-only."""
    run(POOLS3[name], (X5, layout))


def test_pool_edge_cases():
    run(lambda lib, x: F(lib).max_pool2d(x, 2), (X4[:0], cl))
    run(lambda lib, x: F(lib).avg_pool2d(x, 2), (X4[:0], cl))
    run(lambda lib, x: F(lib).adaptive_avg_pool2d(x, 2), (X4[:0], cl))
    run(lambda lib, x: F(lib).adaptive_avg_pool2d(x, 1), (X4[:0], cl))
    run(lambda lib, x: F(lib).max_pool2d(x, 2), (X4[:, :, :1, :1], cl))
    run(lambda lib, x: F(lib).max_pool2d(x, 2), (X4[0], lambda lib, t: t.permute(1, 2, 0).contiguous()
                                                 .permute(2, 0, 1)))
    run(lambda lib, x: F(lib).max_pool1d(x, 2, return_indices=True), (X4[:, 0], permuted))
    check(lambda lib, x: F(lib).max_pool2d(cl(lib, x), 2), X4, grad=False, strides=True)
    check(lambda lib, x: F(lib).max_pool2d(cl(lib, x * 9).long(), 2), X4, grad=False, strides=True)


def test_adaptive_avg_pool_1_graph():
    """A global average of a channels-last input is restrided in place, as torch's (AsStridedBackward1)."""
    def fn(lib, x):
        y = F(lib).adaptive_avg_pool2d(cl(lib, x), 1)
        return y, y.grad_fn.name(), y.grad_fn.next_functions[0][0].name()
    check(fn, X4, strides=True)


# ------------------------------------------------------------------------------------- interpolation

@pytest.mark.parametrize("layout", LAYOUTS, ids=_name)
@pytest.mark.parametrize("mode,kw", [
    ("nearest", {"scale_factor": 2}), ("nearest", {"size": (1, 1)}), ("nearest-exact", {"size": (3, 4)}),
    ("bilinear", {"scale_factor": 2}), ("bilinear", {"size": (6, 7)}),
    ("bilinear", {"size": (3, 4), "antialias": True}),
    ("bicubic", {"size": (5, 9), "align_corners": True}), ("bicubic", {"size": (3, 4), "antialias": True}),
    ("area", {"size": (3, 4)}),
])
def test_interpolate(mode, kw, layout):
    """Outputs take the input's suggested layout; the input gradient the output gradient's (nearest,
    bilinear) or contiguous (bicubic)."""
    for seed in (None, cl):
        run(lambda lib, x: F(lib).interpolate(x, mode=mode, **kw), (X4, layout), seed=seed)
    check(lambda lib, x: F(lib).interpolate(cl(lib, x).double(), mode=mode, **kw), X4, strides=True)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "trilinear"])
def test_interpolate_3d(mode):
    for layout in (None, cl, sliced):
        for seed in (None, cl):
            run(lambda lib, x: F(lib).interpolate(x, scale_factor=2, mode=mode), (X5, layout), seed=seed)


def test_upsample_module_and_uint8():
    check(lambda lib, x: lib.nn.Upsample(scale_factor=2, mode="bilinear")(cl(lib, x)), X4, strides=True)
    img = rand(2, 3, 6, 7, dtype="uint8", low=0, high=50)
    for mode in ("nearest", "bilinear", "bicubic"):
        check(lambda lib, x: F(lib).interpolate(cl(lib, x), size=(4, 9), mode=mode), img, grad=False, strides=True)


# ------------------------------------------------------------------------------------- pads, shuffles

@pytest.mark.parametrize("layout", [None, cl, sliced, one_channel], ids=_name)
def test_pad_and_shuffles(layout):
    for fn in (lambda lib, x: F(lib).pad(x, (1, 1, 1, 1)), lambda lib, x: F(lib).pad(x, (-1, 1, 0, 1), value=2.0),
               lambda lib, x: F(lib).pad(x, (1, 2)), lambda lib, x: F(lib).pad(x, (1, 1, 2, 1), mode="reflect"),
               lambda lib, x: F(lib).pad(x, (1, 1, 1, 1), mode="replicate"),
               lambda lib, x: F(lib).pad(x, (1, 1, 1, 1), mode="circular"),
               lambda lib, x: F(lib).pixel_shuffle(lib.cat([x] * 4, 1), 2),
               lambda lib, x: F(lib).pixel_unshuffle(x[:, :, :6, :6], 2)):
        for seed in (None, cl):
            run(fn, (X4, layout), seed=seed)
    for seed in (None, cl):
        # x's two gradient parts are summed by NumPy's add (see test_activations for strided size-1 dims)
        run(lambda lib, x: F(lib).channel_shuffle(lib.cat([x, x], 1), 2), (X4, layout), seed=seed,
            grad_strides=layout is not one_channel)
    for mode in ("constant", "reflect", "replicate"):
        run(lambda lib, x: F(lib).pad(x, (1, 1, 1, 1, 1, 1), mode=mode), (X5, cl))


# ------------------------------------------------------------------------------------- elementwise, cat, views

@pytest.mark.parametrize("layout", [cl, sliced, one_channel, permuted], ids=_name)
def test_elementwise(layout):
    """Unary and binary ops keep a shared layout, also broadcasting against smaller operands."""
    for fn in (lambda lib, x: x.exp(), lambda lib, x: -x, lambda lib, x: x.abs(), lambda lib, x: x.clamp(0, 1),
               lambda lib, x: x ** 2, lambda lib, x: x * 2 + 1, lambda lib, x: x + x, lambda lib, x: x * x.sin(),
               lambda lib, x: x + lib.ones(3, 1, 1), lambda lib, x: lib.ones(1, 3, 1, 1) * x,
               lambda lib, x: x - lib.arange(7.0), lambda lib, x: lib.where(x > 0, x, 0.0), lambda lib, x: x == 0,
               lambda lib, x: x.int(), lambda lib, x: lib.maximum(x, x.t() if x.dim() == 2 else x * 0)):
        if layout is one_channel:
            check(lambda lib, x: fn(lib, layout(lib, x)), X4, strides=False)
            continue
        run(fn, (X4, layout), grad_strides=False)


def test_mixed_formats():
    """A contiguous first operand wins over a channels-last second; so do broadcast operands' own orders."""
    run(lambda lib, x, y: x + y, X4, (rand(2, 3, 6, 7, seed=1), cl), grad_strides=False)
    run(lambda lib, x, y: x * y, (X4, cl), (rand(1, 3, 1, 1, seed=1), None), grad_strides=False)
    run(lambda lib, x, y: x + y, (X4, cl), (rand(2, 3, 6, 7, seed=1), cl), grad_strides=False)


@pytest.mark.parametrize("other", [(2, 3, 6, 7), (1, 3, 1, 7)])
@pytest.mark.parametrize("op", ["add", "mul", "where", "eq", "atan2", "lerp", "addcmul"])
def test_mixed_formats_channels_last_first(other, op):
    # torch's TensorIterator orders the result's dims by the operands' strides, the first operand deciding
    # where they conflict (NumPy would fall back to row-major)
    fns = {"add": lambda lib, a, b: a + b, "mul": lambda lib, a, b: lib.mul(a, b),
           "where": lambda lib, a, b: lib.where(a > 0, a, b), "eq": lambda lib, a, b: a == b,
           "atan2": lambda lib, a, b: lib.atan2(a, b), "lerp": lambda lib, a, b: lib.lerp(a, b, 0.3),
           "addcmul": lambda lib, a, b: lib.addcmul(a, a, b)}
    check(lambda lib, x, y: fns[op](lib, cl(lib, x), y), X4, rand(*other, seed=1), grad=False, strides=True)
    check(lambda lib, x, y: fns[op](lib, x.transpose(1, 3), y.transpose(1, 3).contiguous()), X4,
          rand(*other, seed=1), grad=False, strides=True)


@pytest.mark.parametrize("layout", [cl, sliced, one_channel], ids=_name)
def test_in_place_ops_keep_strides(layout):
    def fn(lib, x, y):
        t = layout(lib, x) * 1 if layout is not sliced else cl(lib, x)[:, :, ::2]
        y = y[:, :, :t.shape[2]]
        lib.manual_seed(0)
        res = [t.add_(1), t.mul_(y), t.relu_(), t.clamp_(-1, 1), t.sigmoid_(), t.copy_(y), t.masked_fill_(y > 0, 0.5),
               t.addcmul_(y, y), t.uniform_(), F(lib).relu(t, inplace=True), F(lib).elu(t, inplace=True),
               t.__iadd__(y), t.__imul__(2)]
        t[:, 0] = 1.0
        return [r.stride() for r in res] + [t]
    check(fn, X4, rand(2, 3, 6, 7, seed=1), grad=False, strides=True)


@pytest.mark.parametrize("layout", [cl, sliced, one_channel, None], ids=_name)
def test_cat_stack_flatten_linear(layout):
    """cat keeps a format every input suggests (else contiguous); stack is cat then a view in torch."""
    other = (rand(2, 3, 6, 7, seed=1), layout)
    run(lambda lib, x, y: lib.cat([x, y], 1), (X4, layout), other, seed=cl)
    run(lambda lib, x, y: lib.cat([x, y], 0), (X4, layout), other)
    run(lambda lib, x, y: lib.cat([x, lib.empty(0), y], 1), (X4, layout), other)
    run(lambda lib, x, y: lib.cat([x, y.contiguous()], 1), (X4, layout), other)
    run(lambda lib, x, y: lib.stack([x, y], 1), (X4, layout), other)
    run(lambda lib, x, y: lib.stack([x, y], 4), (X4, layout), other)
    run(lambda lib, x: x.flatten(1), (X4, layout))
    run(lambda lib, x, w: F(lib).linear(x.flatten(1), w), (X4, layout), rand(5, 126 if layout is not sliced else 63)
        if layout is not one_channel else rand(5, 42))


def test_cat_3d():
    other = (rand(2, 3, 4, 5, 6, seed=1), cl)
    run(lambda lib, x, y: lib.cat([x, y], 1), (X5, cl), other)


# ------------------------------------------------------------------------------------- leaf gradients

@pytest.mark.parametrize("layout", [cl, one_channel, permuted, None], ids=_name)
def test_leaf_grad_takes_leaf_layout(layout):
    """AccumulateGrad lays .grad out with the leaf's strides (dense leaf) whatever the incoming gradient's."""
    def fn(lib, x):
        leaf = (layout(lib, x) if layout else x).detach().requires_grad_()
        outs = []
        for op in (lambda t: t.sum(), lambda t: (t * t.contiguous()).sum(), lambda t: F(lib).leaky_relu(t).sum(),
                   lambda t: F(lib).max_pool2d(t, 2).sum(), lambda t: t.flatten().sum() * 2):
            leaf.grad = None
            op(leaf).backward()
            outs.append(leaf.grad)
        op(leaf).backward()  # accumulates into the existing .grad
        outs.append(leaf.grad)
        leaf.grad = None
        op(leaf).backward(create_graph=True)
        outs.append(leaf.grad.detach())
        return outs
    check(fn, X4, grad=False, strides=True)


def test_non_dense_leaf_grad_is_contiguous():
    def fn(lib, x):
        leaf = cl(lib, x)[:, :, ::2].detach().requires_grad_()
        (leaf * 2).sum().backward()
        return leaf.grad
    check(fn, X4, grad=False, strides=True)


# ------------------------------------------------------------------------------------- a channels-last CNN

def _cnn(lib, x, channels_last, training):
    nn = lib.nn
    lib.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 3, stride=2, padding=1), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
                          nn.Dropout(0.2), nn.Upsample(scale_factor=2, mode="bilinear"),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 10))
    if channels_last:
        model = model.to(memory_format=lib.channels_last)
        x = x.to(memory_format=lib.channels_last)
    model.train(training)
    layers = []
    for m in model:
        m.register_forward_hook(lambda mod, i, o: layers.append(o.detach().clone(memory_format=lib.preserve_format)))
    x = x.detach().requires_grad_()
    y = model(x)
    (y * lib.linspace(-1, 1, 10)).sum().backward()
    params = list(model.parameters())
    return ([y, x.grad] + layers + params + [p.grad for p in params]
            + [b for b in model.buffers() if b.dtype.is_floating_point])


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("channels_last", [True, False])
def test_channels_last_cnn(channels_last, training):
    """conv-bn-relu-maxpool-conv-bn-relu-dropout-upsample-avgpool-flatten-linear converted with
    ``model.to(memory_format=channels_last)``: outputs, every layer's output, gradients and their strides."""
    check(lambda lib, x: _cnn(lib, x, channels_last, training), rand(4, 3, 16, 16), grad=False, strides=True,
          atol=1e-5, rtol=1e-4)


def test_channels_last_grayscale_input():
    """A one-channel image is already channels-last contiguous: to() keeps it, the model still converts."""
    check(lambda lib, x: _cnn(lib, lib.cat([x] * 3, 1)[:, :1].contiguous().expand(4, 3, 16, 16).contiguous(),
                              True, True), rand(4, 1, 16, 16), grad=False, strides=True, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("fmt", ["channels_last", "contiguous_format", "preserve_format", "channels_last_3d"])
def test_convert_conv_weight_memory_format(fmt):
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Conv2d(3, 4, 3), lib.nn.Sequential(lib.nn.ConvTranspose2d(4, 2, 2)),
                              lib.nn.Conv1d(2, 2, 1), lib.nn.Conv3d(1, 1, 2))
        got = []
        for convert in (lib.nn.utils.convert_conv2d_weight_memory_format,
                        lib.nn.utils.convert_conv3d_weight_memory_format):
            try:
                out = convert(m, getattr(lib, fmt))
                got.append((out is m, [p.stride() for p in m.parameters()], m[0].weight.detach().numpy().tolist()))
            except RuntimeError as e:
                got.append(str(e))
        res.append(got)
    assert res[0] == res[1]
