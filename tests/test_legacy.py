"""Legacy typed constructors (torch.Tensor, FloatTensor...), Tensor.type(), new(), default tensor type."""
import warnings

import numpy as np
import pytest

import numtorch
from conftest import need_torch

CASES = [
    "T.Tensor(2, 3).shape", "T.Tensor([1, 3])", "T.Tensor(np.array([1, 2]))",
    "T.Tensor(T.Size([2, 3])).shape",
    "T.Tensor()", "T.FloatTensor([1.5])", "T.DoubleTensor([1])", "T.HalfTensor([1])", "T.IntTensor([1.7, 2])",
    "T.LongTensor([1, 2])", "T.ShortTensor([1])", "T.ByteTensor([1, 255])", "T.CharTensor([-1])",
    "T.BoolTensor([1, 0])", "T.BFloat16Tensor([1.5])", "T.Tensor(2.5)", "T.Tensor('a')",
    "T.Tensor([[1, 2], [3]])",
    "T.Tensor(T.tensor([1, 2]))", "T.Tensor(T.tensor([1., 2.]))", "T.IntTensor(T.tensor([1, 2]))",
    "T.Tensor(-1)",
    "T.Tensor(2, 3.0)", "T.Tensor((2, 3))", "T.Tensor([])", "T.Tensor(np.float64(2))", "T.Tensor(3).shape",
    "T.Tensor([True, 2])", "T.ByteTensor([-1])", "T.ByteTensor([256])", "T.tensor([1.]).type()",
    "T.tensor([1]).type()", "T.tensor([True]).type()", "T.tensor([1.]).type(T.IntTensor)",
    "T.tensor([1.5]).type('torch.DoubleTensor')", "T.tensor([1.5]).type(T.float64)",
    "T.tensor([1.5]).type('torch.Foo')",
    "T.tensor([1.5]).type(int)", "isinstance(T.ones(2), T.FloatTensor)",
    "isinstance(T.ones(2), T.DoubleTensor)",
    "isinstance(T.ones(2, dtype=T.int64), T.LongTensor)", "isinstance(T.ones(2), T.Tensor)",
    "T.ones(2).new(T.ones(3)).shape", "T.ones(2).new()", "T.ones(2, dtype=T.int32).new(2, 3).dtype",
    "T.ones(2).new([1, 2])", "T.ones(2, dtype=T.int64).new([1.5, 2])", "T.Tensor.new(T.ones(2), 3).shape",
    "T.FloatTensor.dtype", "T.FloatTensor.is_cuda", "type(T.FloatTensor([1])).__name__",
    "T.Tensor(2, 3).dtype",
    "T.tensor([1.]).type('torch.cuda.FloatTensor')", "T.Tensor([1], device='cpu')",
    "T.FloatTensor(2, device='cpu').shape",
    "T.tensor([1.5]).type(T.DoubleTensor).dtype", "T.Tensor([1, 2]).dtype", "T.Tensor([[1, 2]]).shape",
    "T.Tensor(np.array([1, 2], dtype=np.int32))", "T.tensor([1.]).type(T.cuda.FloatTensor)",
    "T.ones(2).new(T.ones(2, dtype=T.int64))", "T.Tensor(T.ones(2, dtype=T.int64))",
    "T.tensor([1.]).type(dtype=T.float16)",
    "T.tensor([1.]).type(non_blocking=True)", "T.tensor([1, 2], dtype=T.int8).type(T.FloatTensor)",
    "T.ones(2, dtype=T.float64).new_tensor([1, 2]).type()", "T.zeros(2, 3).type(T.ByteTensor).type()",
    "T.Tensor([1, 2]).requires_grad", "T.Tensor(T.ones(2)).requires_grad", "T.cuda.FloatTensor.dtype",
    "T.Tensor(2, device='cuda')", "T.HalfTensor(2).type()", "T.BFloat16Tensor(np.array([1.5])).type()",
]


def outcome(m, expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            r = eval(expr, {"T": m, "np": np})
        except Exception as e:
            return type(e).__name__
    return str(r).replace("numtorch", "torch")


@pytest.mark.parametrize("expr", CASES)
def test_legacy_cases(expr):
    assert outcome(numtorch, expr) == outcome(need_torch(), expr)


def test_tensor_of_tensor_aliases():
    for m in (need_torch(), numtorch):
        a = m.ones(3)
        b = m.Tensor(a)
        b[0] = 5
        assert a[0].item() == 5
        c = m.Tensor(np.zeros(2))
        assert c.dtype is m.float32


def test_legacy_from_numpy_of_other_dtype_copies():
    a = np.zeros(2, np.float64)
    t = numtorch.Tensor(a)
    a[0] = 1
    assert t[0].item() == 0


@pytest.mark.parametrize("arg",
                         ["torch.DoubleTensor", "torch.FloatTensor", "torch.IntTensor",
                          "torch.cuda.FloatTensor",
                                 "DoubleTensor", "torch.Foo", 3])
def test_set_default_tensor_type(arg):
    torch = need_torch()
    res = {}
    for m in (torch, numtorch):
        t = getattr(m, arg.split(".")[-1], None) if isinstance(arg, str) and arg.count(".") == 1 else None
        for a in ([arg, t] if t is not None else [arg]):
            with warnings.catch_warnings(record=True) as w:
                warnings.simplefilter("always")
                try:
                    m.set_default_tensor_type(a)
                    r = (str(m.get_default_dtype()), str(m.tensor([1.5]).dtype), m.Tensor(1).type())
                except Exception as e:
                    r = type(e).__name__
            res.setdefault(m, []).append((r, [str(x.message)[:60] for x in w]))
            m.set_default_dtype(m.float32)
    assert res[numtorch] == res[torch]


def test_set_default_tensor_type_cuda_class():
    torch = need_torch()
    for m in (torch, numtorch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(TypeError):
                m.set_default_tensor_type(m.cuda.FloatTensor)
