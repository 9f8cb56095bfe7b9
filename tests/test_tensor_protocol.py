"""Tensor protocol against torch: attributes, layout, item/tolist, conversions, to(), copy_, Size, device."""
import copy
import pickle
import warnings

import numpy as np
import pytest

import numtorch
from conftest import need_torch


def outcome(m, expr):
    """Result (as text, torch's names) of ``expr`` with T = m, its exception type, and the warning count."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            r = repr(eval(expr, {"T": m, "np": np, "copy": copy, "pickle": pickle}))
        except Exception as e:
            r = type(e).__name__
    return r.replace("numtorch", "torch"), len(w)


CASES = [
    'T.ones(2,3).size()', 'T.ones(2,3).size(-1)', 'T.ones(2,3).size(2)', 'T.ones(2,3).dim()',
    'T.ones(2,3).ndimension()', 'T.ones(2,3).nelement()', 'T.ones(2,3).is_cuda', 'T.ones(2,3).T.shape',
    'T.ones(2,3,4).T.shape', 'T.ones(3).T.shape', 'T.ones(2,3,4).mT.shape', 'T.ones(3).mT',
    'T.ones(2,3).T.stride()', 'T.ones(4,6)[1:, ::2].stride()', 'T.ones(4,6)[1:, ::2].storage_offset()',
    'T.ones(4,6)[1:, ::2].is_contiguous()', 'T.ones(4,6).T.is_contiguous()',
    'T.ones(4,6).T.contiguous().stride()', 'T.ones(1,6)[:, ::2].is_contiguous()',
    'T.ones(4,6).element_size()', 'T.ones(4,6,dtype=T.float64).itemsize', 'T.ones(4,6,dtype=T.int16).nbytes',
    'T.ones(4,6)[:, ::2].nbytes', 'T.tensor(2.5).item()', 'T.tensor([2]).item()', 'T.tensor([1,2]).item()',
    'T.tensor(2.5,dtype=T.bfloat16).item()', 'T.tensor(2.5,dtype=T.float16).item()',
    'type(T.tensor(2.5,dtype=T.float16).item())', 'type(T.tensor(True).item())',
    'T.tensor([[1.5,2]],dtype=T.bfloat16).tolist()', 'T.tensor([True]).tolist()', 'T.tensor(3).tolist()',
    'T.tensor([1j]).tolist()', 'len(T.ones(3,2))', 'len(T.tensor(1))', 'list(T.tensor([1,2]))',
    'iter(T.tensor(1))', 'bool(T.tensor([1]))', 'bool(T.tensor([1,2]))', 'bool(T.tensor([]))',
    'float(T.tensor([1.5]))', 'float(T.tensor([1,2]))', 'int(T.tensor(2.7))', 'int(T.tensor([1,2]))',
    '[1,2,3][T.tensor(1)]', '[1,2,3][T.tensor(1.0)]', '[1,2,3][T.tensor([1])]', '[1,2,3][T.tensor(True)]',
    '2 in T.tensor([1,2])', '5 in T.tensor([1,2])', 'T.tensor([1]) in T.tensor([1,2])',
    "'a' in T.tensor([1,2])", "f'{T.tensor(2.5):.2f}'", "f'{T.tensor([2.5]):.2f}'", "f'{T.tensor([2.5])}'",
    "f'{T.tensor(3):d}'", 'format(T.tensor(2.5))', 'T.ones(2).int().dtype', 'T.ones(2).long().dtype',
    'T.ones(2).half().dtype', 'T.ones(2).bfloat16().dtype', 'T.ones(2).bool().dtype',
    'T.ones(2).byte().dtype', 'T.ones(2).char().dtype', 'T.ones(2).short().dtype', 'T.ones(2).double().dtype',
    'T.ones(2).float().dtype', '(lambda x: x.to(T.float32) is x)(T.ones(2))',
    "(lambda x: x.to('cpu') is x)(T.ones(2))", '(lambda x: x.to(T.float32, copy=True) is x)(T.ones(2))',
    '(lambda x: x.to(x) is x)(T.ones(2))', '(lambda x: x.cpu() is x)(T.ones(2))',
    'T.ones(2).to(T.ones(1,dtype=T.int8)).dtype', "T.ones(2).to('cpu', T.float64).dtype",
    "T.ones(2).to(device='cpu', dtype=T.int32).dtype", 'T.ones(2).to(T.float64, non_blocking=True).dtype',
    'T.ones(2).cuda()', 'T.ones(2).type_as(T.ones(1,dtype=T.int64)).dtype', "T.ones(2).to('cuda')",
    'T.ones(2).to(1)', "T.ones(2).to('foo')", 'T.Tensor().copy_(T.ones(2))',
    'T.zeros(2,3).copy_(T.tensor([1.,2,3]))', 'T.zeros(2,dtype=T.int32).copy_(T.tensor([1.7,2]))',
    'T.zeros(3).copy_(T.ones(2))', 'T.zeros(2).copy_([1,2])', 'T.zeros(2).fill_(3)',
    'T.zeros(2,dtype=T.uint8).fill_(300)', 'T.zeros(2).fill_(T.tensor(2.))',
    'T.zeros(2).fill_(T.tensor([2.]))', 'T.ones(2).zero_()', 'T.Size([2,3])', 'T.Size([2,3]).numel()',
    'T.Size([2,3])[1:]', 'T.Size([2,3]) + (4,)', '(4,) + T.Size([2,3])', 'T.Size([2,3]) + T.Size([1])',
    'T.Size([])', 'T.Size([2.5])', 'T.Size(3)', 'str(T.Size([1]))', 'T.Size([2,3]) == (2,3)',
    'T.Size([2]) * 2', 'T.is_tensor(T.ones(1))', 'T.is_tensor(1)', 'T.numel(T.ones(2,3))', 'T.numel([1])',
    "T.device('cpu')", "T.device('cuda:1')", "T.device('cuda', 2)", "str(T.device('cuda', 2))",
    "T.device('cpu') == 'cpu'", "T.device('cpu:0') == T.device('cpu')", "T.device('gpu')",
    "T.device('cuda:-1')", "T.device('cuda:a')", 'T.device(0)', "T.device('cuda:1', 2)",
    "T.device('cpu', -1)", "hash(T.device('cpu')) == hash(T.device('cpu'))", "T.device('mps')",
    "T.device('meta')", "T.device(T.device('cuda:3'))", "T.device('cpu').index", "T.device('cuda:0').type",
    'T.device(1.5)', 'T.cuda.is_available()', 'T.cuda.current_device()', 'T.cuda.device(0) is not None',
    'T.cuda.device_count()', 'T.ones(2,3).untyped_storage().nbytes()',
    'T.ones(2,3)[1].untyped_storage().nbytes()', 'len(T.ones(2,3).untyped_storage())',
    'T.ones(2, dtype=T.int64).untyped_storage().size()', 'T.ones(2).contiguous().stride()',
    'T.tensor(5).stride()', 'T.ones(2,3).stride(1)', 'T.ones(2,3).stride(-3)',
]


@pytest.mark.parametrize("expr", CASES)
def test_protocol(expr):
    assert outcome(numtorch, expr) == outcome(need_torch(), expr)


def test_hash_is_identity():
    a = numtorch.ones(1)
    assert hash(a) == id(a) and {a: 1}[a] == 1


def test_storage_shared_by_views():
    a = numtorch.ones(2, 3)
    assert a[1].untyped_storage().data_ptr() == a.untyped_storage().data_ptr()
    assert a[1].data_ptr() == a.data_ptr() + 3 * 4
    assert a.T.untyped_storage().nbytes() == 24


def test_to_returns_self_or_copy():
    a = numtorch.ones(2)
    assert a.to(numtorch.float32) is a and a.to("cpu") is a
    b = a.to(numtorch.float32, copy=True)
    assert b is not a and b.data_ptr() != a.data_ptr()


def test_copy_does_not_resize():
    with pytest.raises(RuntimeError):
        numtorch.Tensor().copy_(numtorch.ones(2))
