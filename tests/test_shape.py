"""Shape ops against the torch oracle: values, dtypes, shapes, strides, gradients and errors."""
import numpy as np
import pytest

from conftest import check, check_raises, rand

A = rand(4, 6)
B3 = rand(2, 3, 4, seed=1)
S = rand()
E = rand(0, 3)
ONES = rand(1, 4, 1, seed=2)



def _has_empty(fn, data):
    """Whether torch's result holds an empty tensor (numtorch reports contiguous strides for those)."""
    import torch
    try:
        out = fn(torch, *[torch.tensor(d) for d in data])
    except Exception:
        return False
    outs = out if isinstance(out, (tuple, list)) else (out,)
    return any(o.numel() == 0 for o in outs)


def check_strided(fn, data):
    check(fn, *data, strides=not _has_empty(fn, data))


# (name, fn, inputs)
VIEWS = [
    ("view", lambda m, x: x.view(6, 4), (A,)),
    ("view_tuple", lambda m, x: x.view((2, -1, 3)), (A,)),
    ("view_size1", lambda m, x: x.view(24, 1), (A,)),
    ("view_0d", lambda m, x: x.view(1, 1), (S,)),
    ("view_to_0d", lambda m, x: x.view(()), (rand(1),)),
    ("view_empty", lambda m, x: x.view(3, 0), (E,)),
    ("view_empty_infer", lambda m, x: x.view(-1, 3), (E,)),
    ("view_T_ok", lambda m, x: x.t().view(6, 1, 4), (A,)),
    ("view_slice", lambda m, x: x[:, :4].view(4, 2, 2), (A,)),
    ("view_as", lambda m, x, y: x.view_as(y), (A, rand(3, 8))),
    ("reshape", lambda m, x: m.reshape(x, (3, 8)), (A,)),
    ("reshape_T", lambda m, x: x.t().reshape(-1), (A,)),
    ("reshape_expand", lambda m, x: x[:1].expand(3, 6).reshape(18), (A,)),
    ("reshape_0d", lambda m, x: x.reshape(1, 1, 1), (S,)),
    ("reshape_as", lambda m, x, y: x.t().reshape_as(y), (A, rand(3, 8))),
    ("flatten", lambda m, x: m.flatten(x), (B3,)),
    ("flatten_range", lambda m, x: x.flatten(1, 2), (B3,)),
    ("flatten_neg", lambda m, x: x.flatten(-3, -2), (B3,)),
    ("flatten_same", lambda m, x: x.flatten(1, 1), (B3,)),
    ("flatten_T", lambda m, x: x.transpose(0, 2).flatten(), (B3,)),
    ("flatten_0d", lambda m, x: x.flatten(), (S,)),
    ("unflatten", lambda m, x: x.unflatten(1, (2, 3)), (A,)),
    ("unflatten_neg", lambda m, x: m.unflatten(x, -1, (3, -1)), (A,)),
    ("ravel", lambda m, x: x.ravel(), (B3,)),
    ("ravel_T", lambda m, x: m.ravel(x.t()), (A,)),
    ("squeeze", lambda m, x: x.squeeze(), (ONES,)),
    ("squeeze_dim", lambda m, x: m.squeeze(x, -1), (ONES,)),
    ("squeeze_dim_noop", lambda m, x: x.squeeze(1), (ONES,)),
    ("squeeze_dims", lambda m, x: x.squeeze((0, 2)), (ONES,)),
    ("squeeze_0d", lambda m, x: x.squeeze(0), (S,)),
    ("squeeze_0d_all", lambda m, x: x.squeeze(), (S,)),
    ("squeeze_empty", lambda m, x: x.view(0, 1, 3).squeeze(), (E,)),
    ("unsqueeze", lambda m, x: x.unsqueeze(1), (A,)),
    ("unsqueeze_neg", lambda m, x: m.unsqueeze(x, -1), (A,)),
    ("unsqueeze_0d", lambda m, x: x.unsqueeze(0), (S,)),
    ("unsqueeze_T", lambda m, x: x.t().unsqueeze(1), (A,)),
    ("transpose", lambda m, x: m.transpose(x, 0, 2), (B3,)),
    ("transpose_neg", lambda m, x: x.transpose(-1, -2), (B3,)),
    ("transpose_0d", lambda m, x: x.transpose(0, -1), (S,)),
    ("swapaxes", lambda m, x: m.swapaxes(x, 0, 1), (B3,)),
    ("swapdims", lambda m, x: x.swapdims(1, 2), (B3,)),
    ("t", lambda m, x: m.t(x), (A,)),
    ("t_1d", lambda m, x: x.t(), (rand(5),)),
    ("t_0d", lambda m, x: x.t(), (S,)),
    ("adjoint", lambda m, x: m.adjoint(x), (B3,)),
    ("permute", lambda m, x: x.permute(2, 0, 1), (B3,)),
    ("permute_tuple", lambda m, x: m.permute(x, (-1, 0, 1)), (B3,)),
    ("permute_0d", lambda m, x: x.permute(()), (S,)),
    ("movedim", lambda m, x: m.movedim(x, 0, 2), (B3,)),
    ("movedim_neg", lambda m, x: x.movedim(-1, 0), (B3,)),
    ("movedim_tuple", lambda m, x: x.movedim((0, 1), (2, 0)), (B3,)),
    ("moveaxis", lambda m, x: m.moveaxis(x, 1, 0), (B3,)),
    ("expand", lambda m, x: x.expand(3, 4, 1), (ONES,)),
    ("expand_keep", lambda m, x: x.expand(2, -1, -1, 5), (ONES,)),
    ("expand_0d", lambda m, x: x.expand(2, 3), (S,)),
    ("expand_empty", lambda m, x: x.view(0, 1, 3).expand(0, 4, 3), (E,)),
    ("expand_as", lambda m, x, y: x.expand_as(y), (rand(4, 1), A)),
    ("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 4, 6)), (A,)),
    ("narrow", lambda m, x: x.narrow(1, 1, 3), (A,)),
    ("narrow_neg", lambda m, x: m.narrow(x, -1, -2, 2), (A,)),
    ("narrow_empty", lambda m, x: x.narrow(0, 4, 0), (A,)),
    ("narrow_T", lambda m, x: x.t().narrow(0, 2, 2), (A,)),
    ("narrow_copy", lambda m, x: m.narrow_copy(x, 1, 1, 3), (A,)),
    ("select", lambda m, x: x.select(1, 2), (A,)),
    ("select_neg", lambda m, x: m.select(x, -1, -1), (B3,)),
    ("select_1d", lambda m, x: x.select(0, 3), (rand(5),)),
    ("unfold", lambda m, x: x.unfold(1, 2, 2), (A,)),
    ("unfold_overlap", lambda m, x: x.unfold(1, 3, 1), (A,)),
    ("unfold_step", lambda m, x: x.unfold(0, 2, 3), (rand(8, 2),)),
    ("unfold_neg", lambda m, x: x.unfold(-1, 4, 1), (B3,)),
    ("unfold_T", lambda m, x: x.t().unfold(0, 2, 1), (A,)),
    ("unfold_0d", lambda m, x: x.unfold(0, 1, 1), (S,)),
    ("unfold_full", lambda m, x: x.unfold(1, 6, 1), (A,)),
    ("unfold_size0", lambda m, x: x.unfold(1, 0, 1), (A,)),
    ("diagonal", lambda m, x: m.diagonal(x), (A,)),
    ("diagonal_off", lambda m, x: x.diagonal(2), (A,)),
    ("diagonal_negoff", lambda m, x: x.diagonal(-2), (A,)),
    ("diagonal_dims", lambda m, x: x.diagonal(1, 2, 0), (B3,)),
    ("diagonal_negdims", lambda m, x: m.diagonal(x, 0, -1, -2), (B3,)),
    ("diagonal_empty", lambda m, x: x.diagonal(7), (A,)),
    ("diagonal_T", lambda m, x: x.t().diagonal(-1), (A,)),
    ("as_strided", lambda m, x: x.as_strided((2, 2), (1, 2), 1), (A,)),
    ("as_strided_overlap", lambda m, x: m.as_strided(x, (3, 3), (1, 1)), (A,)),
    ("as_strided_view", lambda m, x: x[1:].as_strided((2, 3), (6, 2)), (A,)),
    ("as_strided_T", lambda m, x: x.t().as_strided((4,), (7,), 0), (A,)),
]


@pytest.mark.parametrize("fn,data", [c[1:] for c in VIEWS], ids=[c[0] for c in VIEWS])
def test_views(fn, data):
    check_strided(fn, data)


@pytest.mark.parametrize("fn,data", [c[1:] for c in VIEWS], ids=[c[0] for c in VIEWS])
def test_views_share_memory(fn, data, oracle):
    import numtorch
    res = {}
    for lib in (oracle, numtorch):
        xs = [lib.tensor(d) for d in data]
        out = fn(lib, *xs)
        src = xs[0]
        full = out.numel() > 0
        res[lib] = (out._base is not None, full and out.storage_offset(), full and out.is_contiguous(),
                    not full or out.data_ptr() == src.data_ptr() + out.storage_offset() * out.element_size()
                    - src.storage_offset() * src.element_size())
    assert res[numtorch] == res[oracle]


MULTI = [
    ("split", lambda m, x: x.split(4, 1), (A,)),
    ("split_exact", lambda m, x: m.split(x, 2), (A,)),
    ("split_big", lambda m, x: x.split(10, 1), (A,)),
    ("split_list", lambda m, x: x.split([1, 0, 5], 1), (A,)),
    ("split_empty", lambda m, x: x.split(2), (E,)),
    ("split_empty0", lambda m, x: x.split(0), (E,)),
    ("split_with_sizes", lambda m, x: x.split_with_sizes([3, 1], 0), (A,)),
    ("chunk", lambda m, x: x.chunk(3, 1), (A,)),
    ("chunk_uneven", lambda m, x: m.chunk(x, 4, 1), (A,)),
    ("chunk_more", lambda m, x: x.chunk(10, 0), (A,)),
    ("chunk_empty", lambda m, x: x.chunk(2), (E,)),
    ("chunk_neg", lambda m, x: x.chunk(2, -1), (B3,)),
    ("unbind", lambda m, x: x.unbind(1), (A,)),
    ("unbind_fn", lambda m, x: m.unbind(x, -1), (B3,)),
    ("unbind_empty", lambda m, x: x.unbind(1), (E,)),
    ("iter", lambda m, x: tuple(x), (A,)),
    ("tensor_split", lambda m, x: x.tensor_split(4, 1), (A,)),
    ("tensor_split_idx", lambda m, x: m.tensor_split(x, [1, 4], 1), (A,)),
    ("tensor_split_unsorted", lambda m, x: x.tensor_split([4, 1, 9], 1), (A,)),
    ("tensor_split_negidx", lambda m, x: x.tensor_split([-2], 1), (A,)),
    ("tensor_split_t0d", lambda m, x: x.tensor_split(m.tensor(3), 1), (A,)),
    ("tensor_split_t1d", lambda m, x: x.tensor_split(m.tensor([2, 3]), 0), (A,)),
    ("hsplit", lambda m, x: m.hsplit(x, 2), (A,)),
    ("hsplit_1d", lambda m, x: x.hsplit([2]), (rand(5),)),
    ("vsplit", lambda m, x: m.vsplit(x, [1, 3]), (A,)),
    ("dsplit", lambda m, x: m.dsplit(x, 2), (B3,)),
    ("broadcast_tensors", lambda m, x, y: m.broadcast_tensors(x, y), (A, rand(4, 1))),
    ("broadcast_tensors3", lambda m, x, y, z: m.broadcast_tensors(x, y, z), (rand(3, 1), rand(4), S)),
    ("atleast_1d", lambda m, x: m.atleast_1d(x), (S,)),
    ("atleast_2d", lambda m, x, y: m.atleast_2d(x, y), (S, rand(3))),
    ("atleast_3d", lambda m, x, y, z: m.atleast_3d((x, y, z)), (S, rand(3), A)),
    ("atleast_3d_same", lambda m, x: m.atleast_3d(x), (B3,)),
]


@pytest.mark.parametrize("fn,data", [c[1:] for c in MULTI], ids=[c[0] for c in MULTI])
def test_multi_views(fn, data):
    check_strided(fn, data)


COPIES = [
    ("clone", lambda m, x: m.clone(x), (A,)),
    ("clone_T", lambda m, x: x.t().clone(), (A,)),
    ("clone_slice_T", lambda m, x: x.t()[::2].clone(), (A,)),
    ("clone_expand", lambda m, x: x.expand(3, 4, 2).clone(), (ONES,)),
    ("contiguous", lambda m, x: x.t().contiguous(), (A,)),
    ("flip", lambda m, x: m.flip(x, (0,)), (A,)),
    ("flip_dims", lambda m, x: x.flip(0, -1), (B3,)),
    ("flip_T", lambda m, x: x.t().flip(0), (A,)),
    ("flip_0d", lambda m, x: x.flip(0), (S,)),
    ("flip_none", lambda m, x: x.flip(()), (A,)),
    ("fliplr", lambda m, x: m.fliplr(x), (A,)),
    ("flipud", lambda m, x: x.flipud(), (B3,)),
    ("roll", lambda m, x: m.roll(x, 1, 0), (A,)),
    ("roll_flat", lambda m, x: x.roll(-3), (A,)),
    ("roll_multi", lambda m, x: x.roll((1, -2), (0, 2)), (B3,)),
    ("roll_T", lambda m, x: x.t().roll(2, 0), (A,)),
    ("roll_empty", lambda m, x: x.roll(1, 0), (E,)),
    ("rot90", lambda m, x: m.rot90(x), (A,)),
    ("rot90_T", lambda m, x: x.t().rot90(), (A,)),
    ("rot90_k2", lambda m, x: x.rot90(2, (1, 2)), (B3,)),
    ("rot90_k3", lambda m, x: x.rot90(-1), (A,)),
    ("rot90_k0", lambda m, x: x.t().rot90(4), (A,)),
    ("repeat", lambda m, x: x.repeat(2, 1), (A,)),
    ("repeat_more", lambda m, x: x.repeat(2, 1, 3), (A,)),
    ("repeat_0d", lambda m, x: x.repeat(3), (S,)),
    ("repeat_zero", lambda m, x: x.repeat(0, 2), (A,)),
    ("repeat_T", lambda m, x: x.t().repeat(1, 2), (A,)),
    ("tile", lambda m, x: m.tile(x, (2,)), (A,)),
    ("tile_more", lambda m, x: x.tile((2, 1, 2)), (A,)),
    ("repeat_interleave", lambda m, x: x.repeat_interleave(2), (A,)),
    ("repeat_interleave_dim", lambda m, x: m.repeat_interleave(x, 3, dim=1), (A,)),
    ("repeat_interleave_neg", lambda m, x: x.repeat_interleave(2, -1), (B3,)),
    ("repeat_interleave_tensor", lambda m, x: x.repeat_interleave(m.tensor([1, 0, 2, 3]), dim=0), (A,)),
    ("repeat_interleave_t1", lambda m, x: x.repeat_interleave(m.tensor(2), dim=1), (A,)),
    ("repeat_interleave_0d", lambda m, x: x.repeat_interleave(3), (S,)),
    ("repeat_interleave_idx", lambda m, x: m.repeat_interleave(m.tensor([2, 0, 1])), ()),
    ("tril", lambda m, x: m.tril(x), (A,)),
    ("tril_k", lambda m, x: x.tril(-1), (B3,)),
    ("triu", lambda m, x: m.triu(x, 2), (A,)),
    ("triu_T", lambda m, x: x.t().triu(), (A,)),
]


@pytest.mark.parametrize("fn,data", [c[1:] for c in COPIES], ids=[c[0] for c in COPIES])
def test_copies(fn, data):
    check_strided(fn, data)


@pytest.mark.parametrize("dtype", ["int64", "bool", "float16", "float64", "int32"])
@pytest.mark.parametrize("fn", [
    lambda m, x: x.t().reshape(-1), lambda m, x: x.unfold(1, 2, 1), lambda m, x: x.diagonal(1),
    lambda m, x: x.flip(1), lambda m, x: x.roll(1, 1), lambda m, x: x.repeat(2, 2), lambda m, x: x.split(2, 1),
    lambda m, x: x.tril(), lambda m, x: x.rot90(), lambda m, x: x.repeat_interleave(2, 0),
    lambda m, x: m.cat([x, x], 1), lambda m, x: m.stack([x, x], -1), lambda m, x: x.as_strided((3,), (2,), 1)])
def test_dtypes(fn, dtype):
    check(fn, rand(4, 6, dtype=dtype), strides=True)


CATS = [
    ("cat", lambda m, x, y: m.cat([x, y]), (A, rand(2, 6))),
    ("cat_dim", lambda m, x, y: m.cat((x, y), dim=-1), (A, rand(4, 2))),
    ("cat_T", lambda m, x, y: m.cat([x.t(), y.t()], 1), (A, A)),
    ("cat_legacy_empty", lambda m, x, y: m.cat([x, y, x], 1), (A, rand(0))),
    ("cat_all_empty", lambda m, x, y: m.cat([x, y]), (rand(0), rand(0))),
    ("cat_empty2d", lambda m, x, y: m.cat([x, y]), (E, rand(2, 3))),
    ("cat_promote", lambda m, x, y: m.cat([x, y]), (A, rand(2, 6, dtype="int64"))),
    ("cat_promote_f64", lambda m, x, y: m.cat([x, y]), (A, rand(2, 6, dtype="float64"))),
    ("cat_one", lambda m, x: m.cat([x], 1), (A,)),
    ("concat", lambda m, x, y: m.concat([x, y], 1), (A, A)),
    ("concatenate", lambda m, x, y: m.concatenate([x, y], 0), (A, A)),
    ("stack", lambda m, x, y: m.stack([x, y]), (A, A)),
    ("stack_dim", lambda m, x, y: m.stack([x, y], -1), (A, A)),
    ("stack_0d", lambda m, x, y: m.stack([x, y]), (S, S)),
    ("stack_promote", lambda m, x, y: m.stack([x, y], 1), (A, rand(4, 6, dtype="int32"))),
    ("hstack", lambda m, x, y: m.hstack([x, y]), (A, A)),
    ("hstack_1d", lambda m, x, y: m.hstack([x, y]), (rand(3), S)),
    ("vstack", lambda m, x, y: m.vstack([x, y]), (rand(6), A)),
    ("row_stack", lambda m, x, y: m.row_stack((x, y)), (rand(6), A)),
    ("dstack", lambda m, x, y: m.dstack([x, y]), (A, A)),
    ("dstack_1d", lambda m, x, y: m.dstack([x, y]), (rand(3), rand(3))),
    ("column_stack", lambda m, x, y, z: m.column_stack([x, y, z]), (rand(4), rand(4, 2), rand(4))),
    ("column_stack_0d", lambda m, x, y: m.column_stack([x, y]), (S, S)),
]


@pytest.mark.parametrize("fn,data", [c[1:] for c in CATS], ids=[c[0] for c in CATS])
def test_cat_stack(fn, data):
    check_strided(fn, data)


@pytest.mark.parametrize("name", ["cat", "stack", "hstack", "vstack"])
def test_out(name, oracle):
    import numtorch
    res = []
    for lib in (oracle, numtorch):
        x = lib.tensor(A)
        out = lib.empty(0, dtype=lib.float64)
        r = getattr(lib, name)([x, x], out=out)
        res.append((r is out, tuple(out.shape), str(out.dtype), out.sum().item()))
    assert res[0][:3] == res[1][:3] and np.isclose(res[0][3], res[1][3])


def test_out_bad_dtype():
    check_raises(lambda m, x: m.cat([x, x], out=m.empty(8, 6, dtype=m.long)), A)


def test_broadcast_shapes(oracle):
    import numtorch
    for shapes in [((2, 1), (3,)), ((), (4, 1), (1, 5)), (3, (2, 1)), ((0, 1), (4,))]:
        assert tuple(numtorch.broadcast_shapes(*shapes)) == tuple(oracle.broadcast_shapes(*shapes))
        assert type(numtorch.broadcast_shapes(*shapes)).__name__ == "Size"
    check_raises(lambda m: m.broadcast_shapes((2, 1), (3, 4)))


ERRORS = [
    ("view_bad", lambda m, x: x.view(5, 5), (A,)),
    ("view_two_infer", lambda m, x: x.view(-1, -1), (A,)),
    ("view_noncontig", lambda m, x: x.t().view(24), (A,)),
    ("view_neg", lambda m, x: x.view(-2, 12), (A,)),
    ("reshape_bad", lambda m, x: x.reshape(5), (A,)),
    ("flatten_order", lambda m, x: x.flatten(2, 0), (B3,)),
    ("flatten_dim", lambda m, x: x.flatten(0, 3), (B3,)),
    ("unflatten_bad", lambda m, x: x.unflatten(1, (4, 2)), (A,)),
    ("unflatten_empty", lambda m, x: x.unflatten(1, ()), (A,)),
    ("squeeze_dim", lambda m, x: x.squeeze(3), (B3,)),
    ("squeeze_dup", lambda m, x: x.squeeze((0, 0)), (ONES,)),
    ("unsqueeze_dim", lambda m, x: x.unsqueeze(4), (B3,)),
    ("transpose_dim", lambda m, x: x.transpose(0, 3), (B3,)),
    ("transpose_0d", lambda m, x: x.transpose(0, 1), (S,)),
    ("t_3d", lambda m, x: x.t(), (B3,)),
    ("adjoint_1d", lambda m, x: x.adjoint(), (rand(3),)),
    ("permute_len", lambda m, x: x.permute(0, 1), (B3,)),
    ("permute_dup", lambda m, x: x.permute(0, 0, 1), (B3,)),
    ("permute_range", lambda m, x: x.permute(0, 1, 3), (B3,)),
    ("movedim_len", lambda m, x: x.movedim((0, 1), (0,)), (B3,)),
    ("movedim_dup", lambda m, x: x.movedim((0, 0), (0, 1)), (B3,)),
    ("movedim_range", lambda m, x: x.movedim(3, 0), (B3,)),
    ("expand_bad", lambda m, x: x.expand(3, 6), (A,)),
    ("expand_few", lambda m, x: x.expand(6), (A,)),
    ("expand_lead", lambda m, x: x.expand(-1, 4, 6), (A,)),
    ("expand_neg", lambda m, x: x.expand(2, -2, 6), (A,)),
    ("narrow_start", lambda m, x: x.narrow(0, 5, 0), (A,)),
    ("narrow_len", lambda m, x: x.narrow(0, 2, 3), (A,)),
    ("narrow_neglen", lambda m, x: x.narrow(0, 0, -1), (A,)),
    ("narrow_0d", lambda m, x: x.narrow(0, 0, 1), (S,)),
    ("select_index", lambda m, x: x.select(0, 4), (A,)),
    ("select_0d", lambda m, x: x.select(0, 0), (S,)),
    ("select_dim", lambda m, x: x.select(2, 0), (A,)),
    ("unbind_0d", lambda m, x: x.unbind(), (S,)),
    ("split_neg", lambda m, x: x.split(-1), (A,)),
    ("split_zero", lambda m, x: x.split(0), (A,)),
    ("split_sum", lambda m, x: x.split([1, 2]), (A,)),
    ("split_0d", lambda m, x: x.split(1), (S,)),
    ("chunk_zero", lambda m, x: x.chunk(0), (A,)),
    ("tensor_split_zero", lambda m, x: x.tensor_split(0), (A,)),
    ("tensor_split_float", lambda m, x: x.tensor_split(m.tensor([1.0])), (A,)),
    ("tensor_split_0d", lambda m, x: x.tensor_split(2), (S,)),
    ("hsplit_div", lambda m, x: x.hsplit(4), (A,)),
    ("hsplit_0d", lambda m, x: x.hsplit(1), (S,)),
    ("vsplit_1d", lambda m, x: x.vsplit(2), (rand(4),)),
    ("dsplit_2d", lambda m, x: x.dsplit(2), (A,)),
    ("unfold_size", lambda m, x: x.unfold(1, 7, 1), (A,)),
    ("unfold_step", lambda m, x: x.unfold(1, 2, 0), (A,)),
    ("unfold_dim", lambda m, x: x.unfold(2, 2, 1), (A,)),
    ("diagonal_same", lambda m, x: x.diagonal(0, 0, 0), (A,)),
    ("diagonal_1d", lambda m, x: x.diagonal(), (rand(3),)),
    ("as_strided_oob", lambda m, x: x.as_strided((5, 5), (6, 1)), (A,)),
    ("as_strided_neg", lambda m, x: x.as_strided((2,), (-1,)), (A,)),
    ("flip_dup", lambda m, x: x.flip(0, 0), (A,)),
    ("flip_int", lambda m, x: m.flip(x, 0), (A,)),
    ("flip_dim", lambda m, x: x.flip(2), (A,)),
    ("fliplr_1d", lambda m, x: x.fliplr(), (rand(3),)),
    ("flipud_0d", lambda m, x: x.flipud(), (S,)),
    ("roll_align", lambda m, x: x.roll((1, 2), (0,)), (A,)),
    ("roll_dim", lambda m, x: x.roll(1, 2), (A,)),
    ("rot90_dims", lambda m, x: x.rot90(1, (0,)), (A,)),
    ("rot90_same", lambda m, x: x.rot90(1, (0, 0)), (A,)),
    ("rot90_1d", lambda m, x: x.rot90(), (rand(3),)),
    ("repeat_few", lambda m, x: x.repeat(2), (A,)),
    ("repeat_neg", lambda m, x: x.repeat(-1, 1), (A,)),
    ("ri_neg", lambda m, x: x.repeat_interleave(-1), (A,)),
    ("ri_size", lambda m, x: x.repeat_interleave(m.tensor([1, 2]), dim=0), (A,)),
    ("ri_negt", lambda m, x: x.repeat_interleave(m.tensor([1, -1, 1, 1]), dim=0), (A,)),
    ("tril_1d", lambda m, x: x.tril(), (rand(3),)),
    ("cat_0d", lambda m, x: m.cat([x, x]), (S,)),
    ("cat_ndim", lambda m, x, y: m.cat([x, y]), (A, rand(6))),
    ("cat_size", lambda m, x, y: m.cat([x, y]), (A, rand(4, 2))),
    ("cat_dim", lambda m, x: m.cat([x, x], 2), (A,)),
    ("cat_tensor", lambda m, x: m.cat(x), (A,)),
    ("cat_nolist", lambda m, x: m.cat([]), (A,)),
    ("stack_size", lambda m, x, y: m.stack([x, y]), (A, rand(6))),
    ("stack_dim", lambda m, x: m.stack([x, x], 3), (A,)),
    ("stack_empty", lambda m, x: m.stack([]), (A,)),
]


@pytest.mark.parametrize("fn,data", [c[1:] for c in ERRORS], ids=[c[0] for c in ERRORS])
def test_errors(fn, data):
    check_raises(fn, *data)


NODES = [c for c in VIEWS + MULTI + COPIES + CATS if c[2]]


@pytest.mark.parametrize("fn,data", [c[1:] for c in NODES], ids=[c[0] for c in NODES])
def test_node_names(fn, data, oracle):
    import numtorch

    def names(lib):
        xs = [lib.tensor(d, requires_grad=d.dtype.kind == "f") * 1 for d in data]
        out = fn(lib, *xs)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        return [(o.grad_fn.name() if o.grad_fn is not None else None, o._base is not None) for o in outs]

    assert names(numtorch) == names(oracle)


@pytest.mark.parametrize("fn,data", [
    (lambda m, x: x.unfold(1, 3, 1) ** 2, (rand(3, 6, dtype="float64"),)),
    (lambda m, x: x.diagonal(1) ** 2, (rand(4, 5, dtype="float64"),)),
    (lambda m, x: x.as_strided((3, 3), (1, 1)) ** 2, (rand(4, 5, dtype="float64"),)),
    (lambda m, x: x.repeat(2, 3) ** 2, (rand(2, 3, dtype="float64"),)),
    (lambda m, x: x.repeat_interleave(m.tensor([2, 1]), dim=0) ** 2, (rand(2, 3, dtype="float64"),)),
    (lambda m, x: m.cat(x.split(2, 1), 0) ** 2, (rand(2, 4, dtype="float64"),)),
    (lambda m, x: x.roll(1, 0).rot90() ** 2, (rand(3, 4, dtype="float64"),)),
])
def test_double_backward(fn, data, oracle):
    import numtorch
    res = []
    for lib in (oracle, numtorch):
        x = lib.tensor(data[0], requires_grad=True)
        (g,) = lib.autograd.grad(fn(lib, x).sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        res.append((g.detach().numpy().copy(), gg.numpy().copy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-10)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-10)
