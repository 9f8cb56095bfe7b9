"""Oracle tests: our tensor repr must equal real PyTorch's, character for character."""
import math

import ml_dtypes
import numpy as np
import pytest

torch = pytest.importorskip("torch")

from numtorch import _dtype, _printing  # noqa: E402


class StandInDtype:
    def __init__(self, tdtype):
        self.name = str(tdtype)
        self.is_floating_point = tdtype.is_floating_point
        self.is_complex = tdtype.is_complex

    def __str__(self):
        return self.name


class StandInDevice:
    def __init__(self, name):
        self.name = name
        self.type = name.split(":")[0]

    def __str__(self):
        return self.name


class StandInTensor:
    """Just the attributes the printer reads, mirrored from a torch tensor."""

    def __init__(self, tt, device="cpu"):
        self._data = _to_numpy(tt.detach())
        self.dtype = StandInDtype(tt.dtype)
        self.device = StandInDevice(device)
        self.requires_grad = tt.requires_grad
        self.is_leaf = tt.is_leaf
        self.grad_fn = tt.grad_fn


def _to_numpy(tt):
    if tt.dtype == torch.bfloat16:
        # Keep the strides (non-contiguous input) while reinterpreting the bits.
        return tt.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
    return tt.numpy()


def check(tt):
    assert _printing.tensor_repr(StandInTensor(tt)) == repr(tt)


@pytest.fixture(autouse=True)
def _restore_options():
    yield
    torch.set_printoptions(profile="default")
    _printing.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    _dtype.set_default_dtype(_dtype.float32)


def both_set(**kwargs):
    torch.set_printoptions(**kwargs)
    _printing.set_printoptions(**kwargs)


nan, inf = math.nan, math.inf
ALL_DTYPES = [torch.bool, torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64,
              torch.float16, torch.bfloat16, torch.float32, torch.float64,
              torch.complex64, torch.complex128]

CASES = {
    "float_1d": lambda: torch.tensor([1.5, -2.25, 3.0]),
    "float_integral": lambda: torch.tensor([1.0, -2.0, 300.0]),
    "float_big_integral": lambda: torch.tensor([1e10, 1.0]),
    "sci_small": lambda: torch.tensor([1e-5, 1.0]),
    "sci_ratio": lambda: torch.tensor([0.5, 1000.0]),
    "no_sci_ratio_1000": lambda: torch.tensor([1.0, 1000.0]),
    "sci_huge": lambda: torch.tensor([1e9, 2e9]),
    "nan_inf": lambda: torch.tensor([nan, inf, -inf, 1.5]),
    "only_nonfinite": lambda: torch.tensor([nan, -inf, 0.0]),
    "neg_zero": lambda: torch.tensor([-0.0, 1.0, 0.0]),
    "neg_zero_frac": lambda: torch.tensor([-0.0, 1.5]),
    "neg_align": lambda: torch.tensor([[-1.5, 2.0], [3.25, -400.0]]),
    "zeros": lambda: torch.zeros(2, 3),
    "float64": lambda: torch.tensor([1.0, 2.123456789], dtype=torch.float64),
    "float16": lambda: torch.tensor([0.1, 65504.0, -3.3], dtype=torch.float16),
    "float16_sub": lambda: torch.tensor([1e-7, 0.5], dtype=torch.float16),
    "bfloat16": lambda: torch.tensor([0.1, 1e30, -3.3], dtype=torch.bfloat16),
    "int64_huge": lambda: torch.tensor([2**62, -(2**63), 7]),
    "int32": lambda: torch.tensor([[1, -20], [300, 4]], dtype=torch.int32),
    "uint8": lambda: torch.tensor([0, 255, 17], dtype=torch.uint8),
    "int8": lambda: torch.tensor([-128, 127], dtype=torch.int8),
    "bool": lambda: torch.tensor([True, False, True]),
    "bool_all_true": lambda: torch.tensor([[True, True]]),
    "complex": lambda: torch.tensor([1 + 2j, -0.5 - 1e-5j]),
    "complex_int": lambda: torch.tensor([[1 + 2j, -3 - 0j], [0 + 0j, 4 - 5j]]),
    "complex_nan": lambda: torch.tensor([complex(nan, inf), 1 - 1j]),
    "complex128": lambda: torch.tensor([1.25 + 2j, 3j], dtype=torch.complex128),
    "complex_neg_zero_imag": lambda: torch.complex(torch.tensor([1.0, 2.0]), torch.tensor([-0.0, 0.0])),
    "scalar_float": lambda: torch.tensor(3.5),
    "scalar_sci": lambda: torch.tensor(1e-8),
    "scalar_nan": lambda: torch.tensor(nan),
    "scalar_complex": lambda: torch.tensor(1e10 + 1j),
    "empty_1d": lambda: torch.tensor([]),
    "empty_2d": lambda: torch.zeros(0, 3),
    "empty_3d": lambda: torch.zeros(2, 0, 4),
    "empty_int": lambda: torch.zeros(0, dtype=torch.int64),
    "empty_bool": lambda: torch.zeros(0, 2, dtype=torch.bool),
    "empty_complex": lambda: torch.zeros(0, dtype=torch.complex64),
    "empty_f64": lambda: torch.zeros(3, 0, dtype=torch.float64),
    "empty_grad": lambda: torch.zeros(0, 3, requires_grad=True),
    "3d": lambda: torch.arange(24.0).reshape(2, 3, 4) / 7,
    "4d": lambda: torch.arange(48).reshape(2, 2, 3, 4) - 20,
    "5d": lambda: torch.arange(32.0).reshape(2, 2, 2, 2, 2),
    "wide_row": lambda: torch.arange(40.0) / 3,
    "wide_int_row": lambda: torch.arange(100) * 1001,
    "wide_matrix": lambda: torch.arange(60.0).reshape(2, 30) * 1.5,
    "wide_complex": lambda: torch.arange(30.0) * (1 + 0.5j),
    "long_1d_sum": lambda: torch.arange(2000.0),
    "int_1d_sum": lambda: torch.arange(2000),
    "2d_sum": lambda: torch.arange(10000.0).reshape(100, 100) / 3,
    "2d_sum_narrow": lambda: torch.arange(3000.0).reshape(1000, 3),
    "3d_sum": lambda: torch.arange(8000).reshape(20, 20, 20),
    "4d_sum": lambda: torch.ones(2, 40, 5, 6),
    "complex_sum": lambda: torch.arange(1200.0).to(torch.complex64) * 1j,
    "bool_sum": lambda: torch.arange(1500) % 3 == 0,
    "sum_hidden_outliers": lambda: torch.cat([torch.ones(3), torch.full((1000,), 1e-9), torch.ones(3)]),
    "transposed": lambda: torch.arange(12.0).reshape(3, 4).t(),
    "strided": lambda: torch.arange(40).reshape(5, 8)[::2, 1::3],
    "bf16_transposed": lambda: torch.arange(6.0, dtype=torch.bfloat16).reshape(2, 3).t() / 3,
    "leaf_grad": lambda: torch.tensor([1.0, 2.0], requires_grad=True),
    "scalar_grad_fn": lambda: torch.tensor(1.75, requires_grad=True) * 2,
    "grad_fn_2d": lambda: torch.ones(2, 2, requires_grad=True).sum(0),
    "suffix_wrap": lambda: (torch.arange(20.0, dtype=torch.float64) / 3).requires_grad_(),
    "suffix_wrap_2d": lambda: torch.ones(2, 17, dtype=torch.float16, requires_grad=True) * 2,
    "suffix_wrap_int": lambda: torch.arange(19, dtype=torch.int16).reshape(1, 19) * 1000,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_case(name):
    check(CASES[name]())


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_scalar_each_dtype(dtype):
    check(torch.tensor(7, dtype=dtype))
    check(torch.tensor(0, dtype=dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_small_each_dtype(dtype):
    check(torch.tensor([[0, 1, 5], [3, 2, 1]], dtype=dtype))


def _random_tensor(rng, max_len=6):
    shape = tuple(int(n) for n in rng.integers(1, max_len, size=rng.integers(0, 5)))
    kind = rng.integers(4)
    if kind == 0:
        return torch.from_numpy(rng.integers(-10**rng.integers(1, 12), 10**rng.integers(1, 12),
                                             size=shape))
    scale = 10.0 ** rng.integers(-9, 12)
    vals = rng.standard_normal(shape) * scale
    if rng.random() < 0.3:
        vals = np.round(vals)
    if vals.ndim and rng.random() < 0.3:
        vals.flat[rng.integers(vals.size)] = rng.choice([nan, inf, -inf, 0.0, -0.0])
    tt = torch.from_numpy(np.asarray(vals))
    if kind == 3:
        return (tt + 1j * torch.from_numpy(np.asarray(rng.standard_normal(shape)))).to(torch.complex64)
    dtype = [torch.float16, torch.bfloat16, torch.float32, torch.float64][rng.integers(4)]
    return tt.to(dtype)


def test_random_fuzz():
    rng = np.random.default_rng(0)
    for _ in range(400):
        check(_random_tensor(rng))


def test_random_fuzz_with_options():
    rng = np.random.default_rng(1)
    for _ in range(200):
        options = dict(precision=int(rng.integers(0, 7)), threshold=int(rng.integers(0, 300)),
                       edgeitems=int(rng.integers(0, 4)), linewidth=int(rng.integers(10, 120)),
                       sci_mode=[None, True, False][rng.integers(3)])
        both_set(**options)
        check(_random_tensor(rng, max_len=12))


@pytest.mark.parametrize("profile", ["default", "short", "full"])
def test_profiles(profile):
    both_set(profile=profile)
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()
    for tt in (torch.arange(2000.0) / 3, torch.arange(1200).reshape(40, 30), torch.tensor([1.23456])):
        check(tt)


@pytest.mark.parametrize("precision", [0, 1, 2, 8])
def test_precision(precision):
    both_set(precision=precision)
    for tt in (torch.tensor([1.23456789, -2.5]), torch.tensor([1e-6, 3.0]), torch.tensor(0.5 + 1.25j)):
        check(tt)


@pytest.mark.parametrize("threshold", [0, 5, 50, math.inf])
def test_threshold(threshold):
    both_set(threshold=threshold)
    for tt in (torch.arange(10), torch.arange(60.0).reshape(3, 4, 5), torch.tensor(2.5)):
        check(tt)


@pytest.mark.parametrize("edgeitems", [0, 1, 2, 5])
def test_edgeitems(edgeitems):
    both_set(edgeitems=edgeitems, threshold=10)
    for tt in (torch.arange(30), torch.arange(600.0).reshape(6, 10, 10),
               torch.arange(12.0).reshape(3, 4), torch.tensor(1.5)):
        check(tt)


@pytest.mark.parametrize("linewidth", [1, 20, 45, 200])
def test_linewidth(linewidth):
    both_set(linewidth=linewidth)
    for tt in (torch.arange(50.0) / 7, torch.arange(60).reshape(3, 20),
               torch.ones(3, requires_grad=True), torch.arange(6.0).to(torch.complex64)):
        check(tt)


@pytest.mark.parametrize("sci_mode", [True, False])
def test_sci_mode(sci_mode):
    both_set(sci_mode=sci_mode)
    for tt in (torch.tensor([1.0, 2.0]), torch.tensor([1e-8, 1e8]), torch.tensor([0.0, nan]),
               torch.tensor(123.0), torch.tensor([1e20, 1.5]), torch.tensor([1 + 1e-9j])):
        check(tt)


def test_set_printoptions_semantics():
    _printing.set_printoptions(precision=2, sci_mode=True)
    _printing.set_printoptions(linewidth=100)  # sci_mode goes back to automatic
    assert _printing.get_printoptions() == dict(precision=2, threshold=1000, edgeitems=3,
                                                linewidth=100, sci_mode=None)
    _printing.set_printoptions(profile="full", edgeitems=1)
    assert _printing.get_printoptions()["threshold"] == math.inf
    assert _printing.get_printoptions()["edgeitems"] == 1
    with _printing.printoptions(precision=7):
        assert _printing.PRINT_OPTS.precision == 7
    assert _printing.PRINT_OPTS.precision == 4


def test_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    _dtype.set_default_dtype(_dtype.float64)
    for dtype in ALL_DTYPES:
        check(torch.tensor([1, 2], dtype=dtype))
        check(torch.zeros(0, dtype=dtype))


def test_device_suffix():
    t = StandInTensor(torch.tensor([1.0, 2.0], requires_grad=True), device="cuda:0")
    assert _printing.tensor_repr(t) == "tensor([1., 2.], device='cuda:0', requires_grad=True)"
    t = StandInTensor(torch.tensor([1, 2], dtype=torch.int32), device="cuda:1")
    assert _printing.tensor_repr(t) == "tensor([1, 2], device='cuda:1', dtype=torch.int32)"


def test_parameter_prefix():
    p = torch.nn.Parameter(torch.arange(6.0).reshape(2, 3))
    assert "Parameter containing:\n" + _printing.tensor_repr(StandInTensor(p)) == repr(p)
