"""Tier-3 torch-level aliases, namespace utilities and Tensor extras, against real torch."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import assert_same, check, check_raises, need_torch, rand

X3 = rand(2, 3, 9)
X4 = rand(2, 3, 6, 7, seed=1)
X5 = rand(1, 2, 4, 5, 6, seed=2)


@pytest.mark.parametrize("fn, data", [
    (lambda m, x: m.max_pool1d(x, 3), X3),
    (lambda m, x: m.max_pool1d(x, 3, 2, 1, 1, True), X3),
    (lambda m, x: m.max_pool2d(x, (2, 3)), X4),
    (lambda m, x: m.max_pool2d(x, 3, 1, 1, 2), X4),
    (lambda m, x: m.max_pool3d(x, 2), X5),
    (lambda m, x: m.avg_pool1d(x, 4, 2, 2, True, False), X3),
    (lambda m, x: m.avg_pool1d(x, 2), X3),
    (lambda m, x: m.adaptive_avg_pool1d(x, 4), X3),
    (lambda m, x: m.adaptive_max_pool1d(x, 4), X3),
    (lambda m, x: m.adaptive_max_pool1d(x, 4)[0], rand(3, 0, seed=3)),
])
def test_pool_aliases(fn, data):
    check(fn, data)


def test_pool_alias_errors():
    check_raises(lambda m, x: m.max_pool1d(x, 20), X3)
    check_raises(lambda m, x: m.adaptive_max_pool1d(x, 3), rand(2, 3, 4, 5))


def test_embedding_alias():
    w = rand(6, 3)
    idx = np.array([[0, 2, 5], [2, 2, 1]])
    check(lambda m, w, i: m.embedding(w, i), w, idx)
    check(lambda m, w, i: m.embedding(w, i, 2, True), w, idx)
    check(lambda m, w, i: m.embedding(w, i, -1, False, False), w, idx)
    check_raises(lambda m, w, i: m.embedding(w, i), w, np.array([7]))


def test_bilinear_alias():
    check(lambda m, a, b, w, c: m.bilinear(a, b, w, c), rand(4, 3), rand(4, 5, seed=1), rand(2, 3, 5, seed=2),
          rand(2, seed=3))
    check(lambda m, a, b, w: m.bilinear(a, b, w), rand(4, 3), rand(4, 5, seed=1), rand(2, 3, 5, seed=2))


@pytest.mark.parametrize("red", [0, 1, 2])
def test_loss_aliases(red):
    a, b, c = rand(4, 5), rand(4, 5, seed=1), rand(4, 5, seed=2)
    sign = np.where(rand(4, seed=4) > 0, 1.0, -1.0).astype("float32")
    prob = rand(4, 5, seed=5, low=0, high=1)
    check(lambda m, x, y: m.kl_div(m.log_softmax(x, 1), m.softmax(y, 1), red), a, b)
    check(lambda m, x, y: m.kl_div(x, y, red, log_target=True), a, b)
    check(lambda m, x, y: m.binary_cross_entropy_with_logits(x, y, None, None, red), a, prob)
    check(lambda m, x, y, w, p: m.binary_cross_entropy_with_logits(x, y, w, p, red), a, prob, rand(5, seed=6),
          rand(5, seed=7, low=0.5, high=2))
    check(lambda m, x, y, t: m.margin_ranking_loss(x, y, t, 0.3, red), a[:, 0], b[:, 0], sign)
    check(lambda m, x, t: m.hinge_embedding_loss(x, t, 0.5, red), a[0], np.tile(sign, 2)[:5])
    check(lambda m, x, y, t: m.cosine_embedding_loss(x, y, t, 0.1, red), a, b, sign)
    check(lambda m, x, y, z: m.triplet_margin_loss(x, y, z, 1.0, 2.0, 1e-6, True, red), a, b, c)
    check(lambda m, x, y: m.poisson_nll_loss(x, y, True, True, 1e-8, red), a, prob * 3)
    check(lambda m, x, y: m.poisson_nll_loss(x, y, False, False, 1e-3, red), prob, b * b)


def test_loss_alias_defaults_and_errors():
    a, b = rand(3, 4), rand(3, 4, seed=1)
    check(lambda m, x, y: m.kl_div(x, y), a, b)
    check(lambda m, x, y: m.triplet_margin_loss(x, y, x * 2), a, b)
    sign = np.where(a > 0, 1.0, -1.0).astype("float32")
    check(lambda m, x, y, t: m.margin_ranking_loss(x, y, t), a, b, sign)
    check(lambda m, x, t: m.hinge_embedding_loss(x, t), a, sign)
    check(lambda m, x, y, t: m.cosine_embedding_loss(x, y, t), a, b, sign[:, 0])
    check(lambda m, x, y: m.binary_cross_entropy_with_logits(x, y), a, b)
    check_raises(lambda m, x, y: m.kl_div(x, y, "mean"), a, b)
    check_raises(lambda m, x, y: m.kl_div(x, y, 1, True), a, b)
    for odd in (3, -1):
        check(lambda m, x, y: m.kl_div(x, y, odd), a, b)
    check_raises(lambda m, x, y: m.poisson_nll_loss(x, y, True, False, 1e-8), a, b)
    check_raises(lambda m, x, y: m.binary_cross_entropy_with_logits(x, y[:2]), a, b)
    check_raises(lambda m, x, y: m.binary_cross_entropy_with_logits(x, y[:1], None, None, 1), a, b)
    check(lambda m, x, y: m.binary_cross_entropy_with_logits(x[:1], y, None, None, 1), a, b, grad=False)


def test_namespace_constants(oracle):
    assert numtorch.newaxis is oracle.newaxis is None
    assert repr(numtorch.channels_last_3d) == repr(oracle.channels_last_3d)
    x = numtorch.tensor(rand(2, 3, 4, 5, 6)).permute(0, 2, 3, 4, 1)
    t = oracle.tensor(rand(2, 3, 4, 5, 6)).permute(0, 2, 3, 4, 1)
    for fmt in ("channels_last_3d", "contiguous_format"):
        assert x.is_contiguous(memory_format=getattr(numtorch, fmt)) == t.is_contiguous(
            memory_format=getattr(oracle, fmt))
    assert numtorch.ones(2)[numtorch.newaxis].shape == oracle.ones(2)[oracle.newaxis].shape


def test_is_storage_and_typename(oracle):
    for lib in (numtorch, oracle):
        x = lib.ones(2, dtype=lib.float64)
        assert lib.is_storage(x.untyped_storage()) and not lib.is_storage(x)
        assert not lib.is_storage([1])
    for make in (lambda m: m.ones(2, dtype=m.int32), lambda m: m.nn.Parameter, lambda m: m.nn.Linear(2, 2),
                 lambda m: 3, lambda m: int, lambda m: m.Size([2]), lambda m: None, lambda m: m.Size,
                 lambda m: m.Tensor):
        assert numtorch.typename(make(numtorch)) == oracle.typename(make(oracle))


def test_flags(oracle):
    for lib in (numtorch, oracle):
        assert lib.is_warn_always_enabled() is False
        lib.set_warn_always(True)
        assert lib.is_warn_always_enabled() is True
        lib.set_warn_always(False)
        assert lib.set_flush_denormal(False) is True
    assert numtorch.get_default_device() == numtorch.device("cpu")
    assert str(numtorch.get_default_device()) == str(oracle.get_default_device())
    for dev in ("cpu", "cpu:0", numtorch.device("cpu")):
        numtorch.set_default_device(dev)
        oracle.set_default_device(str(dev))
        assert str(numtorch.get_default_device()) == str(oracle.get_default_device())
    numtorch.set_default_device(None)
    oracle.set_default_device(None)
    assert numtorch.get_default_device().type == "cpu"
    for bad in (1, "a", None):
        check_raises(lambda m, x: m.set_flush_denormal(bad), rand(1))
        check_raises(lambda m, x: m.set_warn_always(bad), rand(1))


def test_frombuffer(oracle):
    raw = bytearray(np.arange(12, dtype=np.float32).tobytes())
    for kw in ({}, {"count": 3}, {"offset": 8}, {"count": 2, "offset": 4}):
        n = numtorch.frombuffer(raw, dtype=numtorch.float32, **kw)
        t = oracle.frombuffer(raw, dtype=oracle.float32, **kw)
        assert n.tolist() == t.tolist() and str(n.dtype) == str(t.dtype)
    n = numtorch.frombuffer(raw, dtype=numtorch.int16)
    t = oracle.frombuffer(raw, dtype=oracle.int16)
    assert n.tolist() == t.tolist()
    n[0] = 7  # shares memory with the buffer, as torch does
    assert raw[0] == 7
    for kw in ({"count": 0}, {"offset": 48}, {"count": 13}, {"offset": 3}):
        with pytest.raises(ValueError):
            oracle.frombuffer(raw, dtype=oracle.float32, **kw)
        with pytest.raises(ValueError):
            numtorch.frombuffer(raw, dtype=numtorch.float32, **kw)
    with pytest.raises(ValueError):
        oracle.frombuffer(bytearray(), dtype=oracle.float32)
    with pytest.raises(ValueError):
        numtorch.frombuffer(bytearray(), dtype=numtorch.float32)


def test_from_dlpack(oracle):
    a = np.arange(6.0).reshape(2, 3)
    n, t = numtorch.from_dlpack(a), oracle.from_dlpack(a)
    assert n.tolist() == t.tolist() and str(n.dtype) == str(t.dtype) and n.stride() == t.stride()
    a[0, 0] = 5
    assert n[0, 0].item() == 5.0
    x = numtorch.ones(3)
    assert numtorch.from_dlpack(x) is x or numtorch.from_dlpack(x).data_ptr() == x.data_ptr()


# ---------------------------------------------------------------- Tensor extras
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32"])
def test_apply_and_map(dtype):
    check(lambda m, x: x.apply_(lambda v: v * 1.7 - 3), rand(3, 4, dtype=dtype), grad=False)
    check(lambda m, x: x.apply_(lambda v: v), rand(0, 3, dtype=dtype), grad=False)
    check(lambda m, x, y: x.map_(y, lambda a, b: a * 2 + b), rand(3, 4, dtype=dtype),
          rand(4, dtype=dtype, seed=1), grad=False)


def test_apply_map_errors():
    x = rand(2, 3)
    check(lambda m, x: x.apply_(lambda v: v + 1), np.array(2.5, dtype="float32"), grad=False)
    for bad in (3, lambda v: "s", lambda v: v[0], lambda v: None):
        check_raises(lambda m, x: x.apply_(bad), x)
    check_raises(lambda m, x: x.requires_grad_().apply_(lambda v: v), x)
    check_raises(lambda m, x, y: x.map_(y, lambda a, b: a), x, rand(3, 3))
    check_raises(lambda m, x, y: x.map_(y, lambda a, b: a), x, rand(3, dtype="int64"))
    check_raises(lambda m, x: x.map_(x, 5), x)


def test_apply_shares_views():
    versions = []
    for m in (numtorch, need_torch()):
        base = m.zeros(2, 3)
        base[1].apply_(lambda v: 4.0)
        base.map_(base, lambda a, b: a + b)
        assert base.tolist() == [[0, 0, 0], [8, 8, 8]]
        versions.append(base._version)
    assert versions[0] == versions[1]


def test_set_(oracle):
    for m in (numtorch, oracle):
        a, b = m.zeros(5), m.arange(3.0)
        assert a.set_(b) is a and a.data_ptr() == b.data_ptr() and a._version == 1
        b[0] = 9
        assert a.tolist() == [9, 1, 2] and (a._version, b._version) == (1, 1)
        a.add_(1)
        assert (a._version, b._version) == (2, 1)
        base = m.zeros(5)
        view = base[1:]
        view.set_(m.ones(2))
        assert view._base is base and base._version == 1
    for args in ((2, (2, 3), (1, 2)), (), (1, (2,)), (0, (0,))):
        n = numtorch.zeros(5).set_(numtorch.arange(10.0).untyped_storage(), *args)
        t = oracle.zeros(5).set_(oracle.arange(10.0).untyped_storage(), *args)
        assert n.tolist() == t.tolist() and n.stride() == t.stride()
        assert n.storage_offset() == t.storage_offset()
    n, t = numtorch.zeros(2, 3).set_(), oracle.zeros(2, 3).set_()
    assert n.shape == t.shape and str(n.dtype) == str(t.dtype)
    check_raises(lambda m, x, y: x.set_(y), rand(5), rand(3, dtype="int64"))
    check_raises(lambda m, x, y: x.requires_grad_().set_(y), rand(5), rand(3))


def test_share_memory(oracle):
    for m in (numtorch, oracle):
        x = m.ones(4)
        v = x[1:]
        assert x.is_shared() is False
        assert x.share_memory_() is x and x.is_shared() is True and v.is_shared() is True
        assert m.ones(2).is_shared() is False


def test_resize_as():
    check(lambda m, x, y: x.resize_as(y), rand(2, 3), rand(3, 2, seed=1))
    check(lambda m, x, y: x.mT.resize_as(y), rand(2, 3), rand(6, seed=1))
    check_raises(lambda m, x, y: x.resize_as(y), rand(2, 3), rand(3))
    names = []
    for m in (numtorch, need_torch()):
        with pytest.warns(UserWarning, match="non-inplace resize_as is deprecated"):
            names.append(m.ones(2, requires_grad=True).resize_as(m.ones(1, 2)).grad_fn.name())
    assert names[0] == names[1] == "ResizeBackward"


def test_reversed_delitem():
    check(lambda m, x: list(reversed(x)), rand(3, 2))
    check(lambda m, x: reversed(x), np.array(1.5, dtype="float32"))
    check(lambda m, x: reversed(x), rand(0, 2), grad=False)
    check_raises(lambda m, x: x.__delitem__(0), rand(3))


def test_dlpack(oracle):
    for m in (numtorch, oracle):
        x = m.arange(6.0).reshape(2, 3)[:, 1:]
        dev = x.__dlpack_device__()
        assert dev == (1, 0) and type(dev[0]).__name__ == "DLDeviceType" and dev[0].name == "kDLCPU"
        arr = np.from_dlpack(x)
        assert arr.tolist() == x.tolist() and arr.__array_interface__["data"][0] == x.data_ptr()
        with pytest.raises(BufferError):
            m.ones(2, requires_grad=True).__dlpack__()
        with pytest.raises(TypeError):
            x.__dlpack__(stream="s")
        with pytest.raises(AssertionError):
            x.__dlpack__(stream=3)
        assert type(x.__dlpack__()).__name__ == "PyCapsule"


def test_storage_type(oracle):
    # (torch's TypedStorage deprecation warning fires once per process, so it is not asserted here)
    warnings.simplefilter("ignore", UserWarning)
    for dt in ("float32", "float64", "int64", "int8", "uint8", "bool", "complex64", "float16", "bfloat16"):
        n = numtorch.ones(1, dtype=getattr(numtorch, dt)).storage_type()
        t = oracle.ones(1, dtype=getattr(oracle, dt)).storage_type()
        assert repr(n) == repr(t) and n is getattr(numtorch, t.__name__)
    assert numtorch.FloatStorage(3).size() == oracle.FloatStorage(3).size()


@pytest.mark.parametrize("make", [
    lambda m: m.empty(2, 3, 5, 7),
    lambda m: m.empty(2, 3, 5, 7).transpose(1, 2),
    lambda m: m.empty(2, 3, 5, 7).permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2),
    lambda m: m.empty(1, 2, 3, 4),
    lambda m: m.empty(2, 3).expand(4, 2, 3),
    lambda m: m.empty(4, 4)[::2, ::2],
    lambda m: m.empty(5),
    lambda m: m.empty(()),
    lambda m: m.empty(3, 1, 2).permute(2, 1, 0),
])
@pytest.mark.parametrize("check", [False, True, "formats"])
def test_dim_order(make, check, oracle):
    res = []
    for m in (numtorch, oracle):
        arg = [m.contiguous_format, m.channels_last] if check == "formats" else check
        try:
            res.append(make(m).dim_order(ambiguity_check=arg))
        except Exception as e:  # compared below
            res.append(type(e))
    assert res[0] == res[1]


def test_dim_order_bad_argument():
    check_raises(lambda m, x: x.dim_order(ambiguity_check="ILLEGAL"), rand(2, 3))
    check_raises(lambda m, x: x.dim_order(ambiguity_check=[1]), rand(2, 3))


def test_as_subclass(oracle):
    for m in (numtorch, oracle):
        class Sub(m.Tensor):
            pass
        x = m.ones(3, requires_grad=True)
        s = x.as_subclass(Sub)
        assert type(s) is Sub and s.data_ptr() == x.data_ptr() and s.requires_grad and not s.is_leaf
        assert s.grad_fn.name() == "AliasBackward0"
        (s * 2).sum().backward()
        assert x.grad.tolist() == [2.0, 2.0, 2.0]
        plain = m.ones(2).as_subclass(Sub)
        assert type(plain) is Sub and plain.is_leaf and not plain.requires_grad
        with pytest.raises(TypeError):
            x.as_subclass(int)


def test_generator_device(oracle):
    for m in (numtorch, oracle):
        g = m.Generator()
        assert str(g.device) == "cpu" and isinstance(g.device, m.device)
        assert str(m.default_generator.device) == "cpu"
        with pytest.raises(AttributeError):
            g.device = m.device("cpu")


# ---------------------------------------------------------------- nn: AdaptiveLogSoftmaxWithLoss, skip_init
def _asm_pair(*args, dtype=None, **kw):
    t = need_torch()
    mods = []
    for m in (numtorch, t):
        m.manual_seed(0)
        extra = {"dtype": getattr(m, dtype)} if dtype else {}
        mods.append(m.nn.AdaptiveLogSoftmaxWithLoss(*args, **kw, **extra))
    return mods


@pytest.mark.filterwarnings("ignore:Initializing zero-element")  # the second tail projects to 8 // 16 = 0
@pytest.mark.parametrize("args, kw", [
    ((8, 10, [3, 6]), {}),
    ((16, 20, (2, 9, 15)), {"div_value": 2.0, "head_bias": True}),
    ((6, 4, [1]), {"dtype": "float64"}),
])
def test_adaptive_log_softmax(args, kw):
    t = need_torch()
    dt = kw.get("dtype")
    n_mod, t_mod = _asm_pair(*args, **kw)
    ns, ts = n_mod.state_dict(), t_mod.state_dict()
    assert list(ns) == list(ts) and repr(n_mod) == repr(t_mod)
    for k in ts:
        assert_same(ns[k], ts[k], what=k)
    in_f, n_cls = args[0], args[1]
    x = rand(7, in_f, dtype=dt or "float32", seed=3)
    tgt = np.random.default_rng(1).integers(0, n_cls, 7)
    res = {}
    for m, mod in ((numtorch, n_mod), (t, t_mod)):
        xi = m.tensor(x, requires_grad=True)
        out, loss = mod(xi, m.tensor(tgt))
        loss.backward()
        single = mod(m.tensor(x[0]), m.tensor(tgt[0]))
        res[m.__name__] = (out, loss, xi.grad, mod.head.weight.grad, mod.log_prob(m.tensor(x)),
                           mod.predict(m.tensor(x)), single.output, single.loss, type(single).__name__,
                           single._fields)
    a, b = res["numtorch"], res["torch"]
    for i in range(6):
        assert_same(a[i], b[i], atol=1e-5, what=str(i))
    assert_same(a[6], b[6], atol=1e-5)
    assert a[8:] == b[8:]


def test_adaptive_log_softmax_predict_branches():
    n_mod, t_mod = _asm_pair(4, 6, [2])
    t = need_torch()
    with numtorch.no_grad():
        n_mod.head.weight.copy_(numtorch.tensor([[5.0, 0, 0, 0], [0, 0, 0, 0], [0, 5.0, 0, 0]]))
    with t.no_grad():
        t_mod.head.weight.copy_(t.tensor([[5.0, 0, 0, 0], [0, 0, 0, 0], [0, 5.0, 0, 0]]))
    for x in (np.eye(4, dtype="float32")[:1], np.eye(4, dtype="float32")[1:2], np.eye(4, dtype="float32")):
        assert_same(n_mod.predict(numtorch.tensor(x)), t_mod.predict(t.tensor(x)))


@pytest.mark.parametrize("make", [
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, []),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [5, 3]),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 10]),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 3]),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [0, 3]),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [2.5]),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(m.ones(2, 8), m.tensor([1, 10])),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(m.ones(2, 8), m.tensor([1])),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(m.ones(2, 8), m.tensor(1)),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(m.ones(8), m.tensor([1])),
    lambda m: m.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(m.ones(2, 8), m.ones(2, 1, dtype=m.long)),
])
def test_adaptive_log_softmax_errors(make):
    types = []
    for m in (numtorch, need_torch()):
        with pytest.raises(Exception) as info:
            make(m)
        types.append(type(info.value))
    assert types[0] is types[1]


def test_skip_init(oracle):
    for m in (numtorch, oracle):
        m.manual_seed(5)
        lin = m.nn.utils.skip_init(m.nn.Linear, 4, 3, bias=False)
        assert tuple(lin.weight.shape) == (3, 4) and lin.bias is None and str(lin.weight.device) == "cpu"
        with pytest.raises(RuntimeError):
            m.nn.utils.skip_init(int)
        with pytest.raises(RuntimeError):
            m.nn.utils.skip_init(m.nn.ReLU)
    # no random numbers are consumed, as on torch's meta device
    assert numtorch.rand(3).tolist() == oracle.rand(3).tolist()


# ---------------------------------------------------------------- fractional max pooling
def _frac(fn_name, shape, *args, dtype="float32", seed=0, data=None, **kw):
    """Same seed, same input: values, indices, gradient and node name all match torch."""
    t = need_torch()
    x = rand(*shape, dtype=dtype, seed=seed) if data is None else data
    res = []
    for m in (numtorch, t):
        m.manual_seed(11)
        xi = m.tensor(x, requires_grad=True)
        out, idx = getattr(m.nn.functional, fn_name)(xi, *args, return_indices=True, **kw)
        out.backward(m.tensor(rand(*out.shape, dtype=dtype, seed=2)))
        res.append((out, idx, xi.grad, out.grad_fn.name(), m.rand(2)))
    for a, b in zip(*res):
        if isinstance(b, str):
            assert a == b
        else:
            assert_same(a, b, atol=0, rtol=0)


@pytest.mark.parametrize("shape, args, kw", [
    ((2, 3, 7, 9), (3,), {"output_size": 5}),
    ((2, 3, 7, 9), (2,), {"output_size": (4, 6)}),
    ((3, 7, 9), ((2, 3),), {"output_size": (3, 3)}),
    ((2, 3, 10, 12), ((3, 2),), {"output_ratio": (0.4, 0.7)}),
    ((2, 3, 8, 8), (2,), {"output_size": 1}),
    ((2, 3, 6, 6), (1,), {"output_size": 6}),
    ((0, 3, 6, 6), (2,), {"output_size": 3}),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fractional_max_pool2d(shape, args, kw, dtype):
    _frac("fractional_max_pool2d", shape, *args, dtype=dtype, **kw)


@pytest.mark.parametrize("shape, args, kw", [
    ((2, 3, 5, 6, 7), (2,), {"output_size": 3}),
    ((3, 5, 6, 7), ((2, 1, 3),), {"output_size": (2, 4, 3)}),
    ((1, 2, 8, 9, 10), (2,), {"output_ratio": 0.5}),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_fractional_max_pool3d(shape, args, kw, dtype):
    _frac("fractional_max_pool3d", shape, *args, dtype=dtype, **kw)


def test_fractional_ties_nan_and_samples():
    data = np.zeros((1, 2, 6, 6), "float32")
    data[0, 0, 1, 2] = data[0, 0, 3, 4] = np.nan
    data[0, 1, :, 3:] = -np.inf
    _frac("fractional_max_pool2d", (1, 2, 6, 6), 3, data=data, output_size=3)
    samples = rand(3, 2, 2, low=0, high=1, seed=4)
    check(lambda m, x, s: m.nn.functional.fractional_max_pool2d(x, 2, output_size=3, _random_samples=s),
          rand(2, 2, 7, 7), samples)
    check(lambda m, x, s: m.nn.functional.fractional_max_pool2d(x, 2, output_size=3,
                                                                _random_samples=s.detach()),
          rand(2, 2, 7, 7), samples)
    check(lambda m, x, s: m.nn.functional.fractional_max_pool3d(x, 2, output_size=3,
                                                                _random_samples=s.detach()),
          rand(2, 2, 5, 5, 5), rand(2, 2, 3, low=0, high=1, seed=5))


@pytest.mark.parametrize("fn", [
    lambda F, x: F.fractional_max_pool2d(x, 3, output_size=6),
    lambda F, x: F.fractional_max_pool2d(x, 3, output_size=(5, 8)),
    lambda F, x: F.fractional_max_pool2d(x, 3),
    lambda F, x: F.fractional_max_pool2d(x, 3, output_ratio=(0.5, 0.5, 0.5)),
    lambda F, x: F.fractional_max_pool2d(x[0, 0], 3, output_size=2),
    lambda F, x: F.fractional_max_pool2d(x, 3, output_size=2, _random_samples=x.new_ones(2, 3, 3)),
    lambda F, x: F.fractional_max_pool2d(x, 3, output_size=2, _random_samples=x.new_ones(1, 3, 2)),
    lambda F, x: F.fractional_max_pool2d(x, 3, output_size=2, _random_samples=x.new_ones(2, 3, 2).double()),
    lambda F, x: F.fractional_max_pool2d(x.int(), 3, output_size=2, _random_samples=x.new_ones(2, 3, 2)),
    lambda F, x: F.fractional_max_pool2d(x[:, :0], 3, output_size=2),
    lambda F, x: F.fractional_max_pool3d(x[..., None].expand(2, 3, 7, 9, 5), 2, output_size=(3, 3, 5)),
    lambda F, x: F.fractional_max_pool3d(x, 2, output_size=2),
    lambda F, x: F.fractional_max_pool3d(x, 1, output_size=3),
    lambda F, x: F.fractional_max_pool2d(x, 2, output_ratio=0.5),
])
def test_fractional_errors(fn):
    check_raises(lambda m, x: fn(m.nn.functional, x), rand(2, 3, 7, 9))


def test_fractional_modules(oracle):
    x = rand(2, 3, 9, 8)
    res = []
    for m in (numtorch, oracle):
        m.manual_seed(2)
        p2 = m.nn.FractionalMaxPool2d(3, output_ratio=(0.5, 0.6))
        p3 = m.nn.FractionalMaxPool3d((1, 2, 1), output_size=(2, 4, 2), return_indices=True)
        samples = m.tensor(rand(2, 3, 2, low=0, high=1))
        fixed = m.nn.FractionalMaxPool2d(2, output_size=3, _random_samples=samples)
        res.append((p2(m.tensor(x)), p3(m.tensor(x)[None]), fixed(m.tensor(x)), fixed(m.tensor(x)),
                    repr(p2), list(fixed.state_dict()), list(p2.state_dict())))
    for a, b in zip(*res):
        if isinstance(b, (str, list)):
            assert a == b
        else:
            assert_same(a, b, atol=0, rtol=0)
    for make in (lambda m: m.nn.FractionalMaxPool2d(2), lambda m: m.nn.FractionalMaxPool2d(2, 3, 0.5),
                 lambda m: m.nn.FractionalMaxPool2d(2, output_ratio=1.0),
                 lambda m: m.nn.FractionalMaxPool3d(0, output_ratio=0.5),
                 lambda m: m.nn.FractionalMaxPool3d((2, 0, 1), output_ratio=0.5)):
        for m in (numtorch, oracle):
            with pytest.raises(ValueError):
                make(m)


@pytest.mark.parametrize("dtype", ["bfloat16", "float16"])
@pytest.mark.parametrize("fn, shape, k, size", [
    ("fractional_max_pool2d", (2, 3, 7, 9), 3, 5),
    ("fractional_max_pool2d", (1, 4, 40, 40), 3, 17),
    ("fractional_max_pool3d", (2, 3, 5, 6, 7), 2, 3),
])
def test_fractional_reduced_precision(dtype, fn, shape, k, size):
    def run(m, x):
        m.manual_seed(5)
        return getattr(m.nn.functional, fn)(x.to(getattr(m, dtype)), k, output_size=size, return_indices=True)
    check(run, rand(*shape), grad=False, atol=0, rtol=0)
