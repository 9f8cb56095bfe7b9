"""In-place writes through views (CopySlices), version counters, in-place metadata ops and resize_."""
import numpy as np
import pytest

import numtorch
from conftest import assert_same, check, check_raises, need_torch, rand

A = rand(4, 6)
B3 = rand(2, 3, 4, seed=1)

# Views of ``base`` written in place: (name, view function, input)
VIEW_FNS = [
    ("narrow", lambda b: b.narrow(1, 1, 3), A),
    ("select", lambda b: b.select(0, 2), A),
    ("transpose", lambda b: b.transpose(0, 1), A),
    ("t", lambda b: b.t(), A),
    ("diagonal", lambda b: b.diagonal(), A),
    ("diagonal_off", lambda b: b.diagonal(-1, 1, 2), B3),
    ("unfold", lambda b: b.unfold(1, 2, 2), A),
    ("view", lambda b: b.view(3, 8), A),
    ("permute", lambda b: b.permute(2, 0, 1), B3),
    ("squeeze_unsqueeze", lambda b: b.unsqueeze(0).squeeze(0), A),
    ("chain", lambda b: b.t().narrow(0, 1, 4).select(1, 2), A),
    ("as_strided", lambda b: b.as_strided((2, 3), (6, 2), 1), A),
    ("tensor_split", lambda b: b.tensor_split(2, 1)[1], A),
    ("movedim", lambda b: b.movedim(0, 1), A),
]


@pytest.mark.parametrize("vfn,data", [c[1:] for c in VIEW_FNS], ids=[c[0] for c in VIEW_FNS])
def test_inplace_on_view_grad(vfn, data):
    def fn(m, x):
        base = x * 1
        v = vfn(base)
        v.mul_(2)
        return base, base.grad_fn.name(), base._version
    check(fn, data)


@pytest.mark.parametrize("vfn,data", [c[1:] for c in VIEW_FNS], ids=[c[0] for c in VIEW_FNS])
def test_inplace_on_view_with_value_grad(vfn, data):
    def fn(m, x, y):
        base = x * 1
        v = vfn(base)
        v.copy_(y.sum() * v.detach().clone() + y.mean())
        return base * base
    check(fn, data, rand(3, seed=5))


@pytest.mark.parametrize("vfn,data", [c[1:] for c in VIEW_FNS], ids=[c[0] for c in VIEW_FNS])
def test_view_version_shared(vfn, data):
    def fn(m, x):
        base = x.clone()
        v = vfn(base)
        v.add_(1)
        w = vfn(base)
        return base, v._version, base._version, w._version
    check(fn, data, grad=False)


def test_view_then_view_modified_grad():
    def fn(m, x):
        base = x * 1
        v = base[1:]
        base.narrow(1, 0, 2).zero_()
        return v * 3, base.grad_fn.name()
    check(fn, A)


def test_view_of_leaf_inplace():
    check_raises(lambda m, x: x.requires_grad_().view(24).mul_(2), A)
    check_raises(lambda m, x: x.requires_grad_().narrow(0, 0, 2).zero_(), A)
    check_raises(lambda m, x: x.requires_grad_().t_(), A)
    check_raises(lambda m, x: x.requires_grad_().view(24).unsqueeze_(0), A)


def test_leaf_view_allowed_without_grad():
    def fn(m, x):
        with m.no_grad():
            x.narrow(0, 0, 2).mul_(2)
        return x * 1
    check(fn, A)


def test_expanded_write_raises():
    check_raises(lambda m, x: x[:1].expand(3, 6).mul_(2), A)
    check_raises(lambda m, x: x.expand(2, 4, 6).add_(1), A)
    check(lambda m, x: x.detach()[:1].expand(1, 6).mul_(2), A)


@pytest.mark.parametrize("kind", ["split", "chunk", "unbind", "iter", "split_sizes"])
def test_multi_view_inplace_error(kind):
    def pieces(b):
        if kind == "split":
            return b.split(2)
        if kind == "chunk":
            return b.chunk(2, 1)
        if kind == "unbind":
            return b.unbind(1)
        if kind == "iter":
            return list(b)
        return b.split([1, 3])
    check_raises(lambda m, x: pieces(x.requires_grad_() * 1)[1].mul_(2), A)

    def allowed(m, x):
        b = x.detach() * 1
        pieces(b)[0].mul_(2)
        with m.no_grad():
            pieces(x * 1)[0].mul_(2)
        return b
    check(allowed, A)


METADATA = [
    ("squeeze_", lambda b: b.squeeze_(), rand(1, 4, 1)),
    ("squeeze_dim", lambda b: b.squeeze_(0), rand(1, 4, 1)),
    ("squeeze_dims", lambda b: b.squeeze_((0, 2)), rand(1, 4, 1)),
    ("unsqueeze_", lambda b: b.unsqueeze_(1), A),
    ("unsqueeze_neg", lambda b: b.unsqueeze_(-1), A),
    ("t_", lambda b: b.t_(), A),
    ("t_1d", lambda b: b.t_(), rand(3)),
    ("transpose_", lambda b: b.transpose_(0, 2), B3),
    ("swapdims_", lambda b: b.swapdims_(1, 0), B3),
    ("swapaxes_", lambda b: b.swapaxes_(-1, 0), B3),
    ("as_strided_", lambda b: b.as_strided_((2, 2), (1, 2), 1), A),
]


@pytest.mark.parametrize("fn,data", [c[1:] for c in METADATA], ids=[c[0] for c in METADATA])
def test_metadata_inplace(fn, data):
    def run(m, x):
        b = x * 1
        r = fn(b)
        return r is b, b, b.stride(), b._version, b.grad_fn.name(), b.is_contiguous()
    check(run, data)


@pytest.mark.parametrize("fn,data", [c[1:] for c in METADATA], ids=[c[0] for c in METADATA])
def test_metadata_inplace_on_view(fn, data):
    def run(m, x):
        base = x * 1
        v = base.view(base.shape)
        fn(v)
        v.mul_(3)
        return base, v, v._base is base, base._version, v.stride(), v.storage_offset()
    check(run, data)


def test_metadata_inplace_no_grad():
    def run(m, x):
        b = x.detach().clone()
        b.t_().unsqueeze_(0)
        return b, b.stride(), b._version
    check(run, A, grad=False)


def test_metadata_errors():
    check_raises(lambda m, x: (x * 1).t_(), B3)
    check_raises(lambda m, x: (x * 1).transpose_(0, 3), B3)
    check_raises(lambda m, x: (x * 1).unsqueeze_(4), B3)
    check_raises(lambda m, x: (x * 1).squeeze_(5), B3)


RESIZE = [
    ("shrink", lambda t: t.resize_(2, 3), A),
    ("same", lambda t: t.resize_(6, 4), A),
    ("to_0d", lambda t: t.resize_(()), A),
    ("empty", lambda t: t.resize_(0), A),
    ("tuple", lambda t: t.resize_((3, 2)), A),
    ("slice_shrink", lambda t: t[1:].resize_(2, 2), A),
    ("transposed", lambda t: t.t().resize_(3, 4), A),
    ("as", lambda t: t.resize_as_(t[:2, :3]), A),
    ("int", lambda t: t.resize_(2, 2), rand(3, 3, dtype="int64")),
]


@pytest.mark.parametrize("fn,data", [c[1:] for c in RESIZE], ids=[c[0] for c in RESIZE])
def test_resize(fn, data):
    def run(m, x):
        r = fn(x)
        return r, r.stride(), r.storage_offset(), r._version, r.is_contiguous()
    check(run, data, grad=False)


def test_resize_grow_keeps_prefix(oracle):
    res = []
    for lib in (oracle, numtorch):
        a = lib.tensor(np.arange(6.0, dtype="float32"))
        b = a[2:]
        b.resize_(3, 3)
        res.append((tuple(b.shape), b.stride(), b.storage_offset(), b.flatten()[:4].tolist(), b._version))
    assert res[0] == res[1]


def test_resize_errors():
    check_raises(lambda m, x: x.requires_grad_().resize_(2), A)
    check_raises(lambda m, x: x.detach().resize_(-1, 2), A)


def test_view_shares_version_with_base():
    for lib in (numtorch,):
        x = lib.zeros(4, 6)
        views = [x.view(24), x.t(), x.narrow(0, 1, 2), x.unfold(1, 2, 1), x.diagonal(), x.split(2)[0],
                 x.unbind(0)[1], x.as_strided((2,), (1,)), x.expand(2, 4, 6), x.movedim(0, 1)]
        x.add_(1)
        assert all(v._version == 1 for v in views)
        views[2].add_(1)
        assert x._version == 2 and all(v._version == 2 for v in views)


def test_reshape_copy_does_not_share(oracle):
    res = []
    for lib in (oracle, numtorch):
        x = lib.tensor(A)
        r = x.t().reshape(-1)
        v = x.reshape(-1)
        res.append((r._base is None, r.data_ptr() != x.data_ptr(), v._base is x,
                    v.data_ptr() == x.data_ptr()))
    assert res[0] == res[1]


def test_contiguous_formats(oracle):
    res = []
    for lib in (oracle, numtorch):
        x = lib.tensor(rand(2, 3, 4, 5))
        cl = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
        res.append((cl.is_contiguous(), cl.is_contiguous(memory_format=lib.channels_last), x.is_contiguous(),
                    x.is_contiguous(memory_format=lib.channels_last), x.contiguous() is x,
                    cl.contiguous().is_contiguous()))
    assert res[0] == res[1]


def test_values_after_inplace_match_numpy_semantics(oracle):
    # Writes through a view are visible in the base and in sibling views.
    outs = []
    for lib in (oracle, numtorch):
        x = lib.tensor(A).clone()
        d = x.diagonal()
        u = x.unfold(1, 2, 2)
        d.fill_(7)
        u.select(2, 1).mul_(-1)
        outs.append(x)
    assert_same(outs[1], outs[0])


@pytest.mark.parametrize("shape", [(0,), (0, 2), (2, 0, 3), (3, 0)])
def test_empty_is_contiguous(shape):
    torch = need_torch()
    for view in (lambda t: t, lambda t: t.mT if t.dim() > 1 else t, lambda t: t.unsqueeze(0).expand(2, *shape)):
        assert view(numtorch.empty(*shape)).is_contiguous() == view(torch.empty(*shape)).is_contiguous()
