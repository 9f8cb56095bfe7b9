"""Randomness: numtorch's generator must give torch's numbers bit for bit on CPU."""
import numpy as np
import pytest

import numtorch
from conftest import need_torch, to_np

SEEDS = [0, 7, 2 ** 31 - 1, 2 ** 40 + 5]
SIZES = [1, 7, 15, 16, 17, 100, 4097]
FLOATS = ["float16", "bfloat16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


def _seeded(seed, fn):
    """Run ``fn(lib)`` after ``lib.manual_seed(seed)`` in torch and numtorch; compare bit for bit."""
    torch = need_torch()
    res = {}
    for lib in (torch, numtorch):
        lib.manual_seed(seed)
        out = fn(lib)
        res[lib] = out if isinstance(out, tuple) else (out,)
    for t, n in zip(res[torch], res[numtorch]):
        assert str(n.dtype) == str(t.dtype)
        assert tuple(n.shape) == tuple(t.shape)
        np.testing.assert_array_equal(to_np(n), to_np(t))


def _raises(fn):
    torch = need_torch()
    with pytest.raises(Exception) as et:
        fn(torch)
    with pytest.raises(Exception) as en:
        fn(numtorch)
    assert type(en.value) is type(et.value), (en.value, et.value)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["rand", "randn"])
def test_rand_randn(seed, n, dtype, name):
    def fn(m):
        f = getattr(m, name)
        return f(n, dtype=getattr(m, dtype)), f(n, dtype=getattr(m, dtype))
    _seeded(seed, fn)


def test_randn_large_float32():
    # several of the transform's cache-sized runs, a partial last run and the redrawn tail
    _seeded(3, lambda m: m.randn(3 * 10 ** 5 + 5))
    _seeded(4, lambda m: (m.randn(2 ** 16 + 16), m.randn(2 ** 15 + 3, dtype=m.float64),
                          m.randn(2 ** 15 + 17, dtype=m.float16)))


@pytest.mark.parametrize("fn", [
    lambda m: (m.randn(3), m.randn(3), m.randn(1, dtype=m.float64), m.randn(20), m.randn(5)),
    lambda m: (m.randn(()), m.randn(0), m.randn(2, 0, 3), m.rand(()), m.randn(4, 5)),
    lambda m: m.empty(40, 30).t().normal_(),
    lambda m: m.empty(40, 30)[:, ::2].normal_(),
    lambda m: m.empty(8, 9, dtype=m.float64).t().uniform_(-1, 2),
    lambda m: m.empty(5, 8).t()[1:].uniform_(-3, 3),
    lambda m: (m.empty(100).normal_(1.5, 0.3), m.empty(100, dtype=m.float64).normal_(-2.5, 3.3)),
    lambda m: (m.empty(7).normal_(0.2, 2.7), m.empty(37, dtype=m.float16).normal_(1, 2)),
    lambda m: (m.empty(33, dtype=m.bfloat16).normal_(), m.empty(15, dtype=m.float64).normal_(std=0.0)),
], ids=["cached-normal", "shapes", "normal-T", "normal-slice", "uniform-T64", "uniform-T-slice",
        "normal-mean-std", "normal-small-half", "normal-bf16"])
def test_sequences_and_layouts(fn):
    for seed in (0, 2 ** 40 + 5):
        _seeded(seed, fn)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("bounds", [(0, 1), (-0.1, 0.1), (-1 / 3 ** 0.5, 1 / 3 ** 0.5), (-2.3, 7.1), (5, 5),
                                    (0, 1000)])
def test_uniform_(dtype, bounds):
    _seeded(1, lambda m: m.empty(300, dtype=getattr(m, dtype)).uniform_(*bounds))


@pytest.mark.parametrize("fn", [
    lambda m: (m.randint(10, (100,)), m.randint(-5, 5, (3, 4)), m.randint(0, 2 ** 30, (50,))),
    lambda m: (m.randint(0, 2 ** 40, (50,)), m.randint(-2 ** 63, 2 ** 63 - 1, (20,))),
    lambda m: (m.randint(3, 9, (10,), dtype=m.int8), m.randint(0, 100, (10,), dtype=m.float32)),
    lambda m: (m.randint(0, 2, (10,), dtype=m.bool), m.randint(5, (0,)), m.randint(5, ())),
    lambda m: tuple(m.empty(30, dtype=getattr(m, d)).random_() for d in INTS + FLOATS + ["bool"]),
    lambda m: (m.empty(30, dtype=m.int64).random_(7), m.empty(30).random_(3, 9)),
    lambda m: (m.empty(30, dtype=m.int32).random_(-4, None),
               m.empty(10, dtype=m.int64).random_(-2 ** 63, None)),
    lambda m: (m.empty(10, dtype=m.int16).random_(-100, 3),
               m.empty(6, 4, dtype=m.int64).t().random_(0, 1000)),
    lambda m: (m.randint_like(m.zeros(5), 10), m.randint_like(m.zeros(5, dtype=m.int32), 3, 8)),
], ids=["randint", "randint-64bit", "randint-dtypes", "randint-bool-empty", "random_-default",
        "random_-to", "random_-open", "random_-neg-T", "randint_like"])
def test_integers(fn):
    for seed in SEEDS:
        _seeded(seed, fn)


@pytest.mark.parametrize("n", [0, 1, 2, 10, 1000, 70000])
def test_randperm(n):
    _seeded(5, lambda m: (m.randperm(n), m.randperm(n, dtype=m.int32), m.rand(3)))


@pytest.mark.parametrize("fn", [
    lambda m: (m.empty(100).bernoulli_(0.3), m.empty(10, dtype=m.int64).bernoulli_(0.5)),
    lambda m: (m.empty(17, dtype=m.bool).bernoulli_(0.9), m.empty(6, 5).t().bernoulli_(0.4)),
    lambda m: (m.bernoulli(m.linspace(0, 1, 50)), m.bernoulli(m.linspace(0, 1, 50, dtype=m.float64))),
    lambda m: (m.empty(4, 6).bernoulli_(m.linspace(0, 1, 6)), m.bernoulli(m.full((3, 4), 0.5).t())),
    lambda m: (m.bernoulli(m.ones(5), 0.25), m.rand(5).bernoulli()),
    lambda m: (m.empty(50).exponential_(), m.empty(50, dtype=m.float64).exponential_(2.5)),
    lambda m: (m.empty(20, dtype=m.float16).exponential_(0.5), m.empty(20).exponential_(lambd=3)),
    lambda m: (m.empty(50).geometric_(0.3), m.empty(50, dtype=m.int64).geometric_(0.05)),
    lambda m: (m.empty(50).log_normal_(), m.empty(51, dtype=m.float64).log_normal_(0.5, 0.25), m.randn(3)),
    lambda m: (m.empty(50).cauchy_(), m.empty(50, dtype=m.float64).cauchy_(1, 2)),
    lambda m: (m.empty(5, dtype=m.bfloat16).cauchy_(sigma=0.1), m.empty(3).log_normal_(std=0.5)),
], ids=["bernoulli_p", "bernoulli_p-T", "bernoulli-tensor", "bernoulli-broadcast-T", "bernoulli-float",
        "exponential", "exponential-half", "geometric", "log_normal", "cauchy", "cauchy-bf16"])
def test_samplers(fn):
    for seed in SEEDS:
        _seeded(seed, fn)


@pytest.mark.parametrize("fn", [
    lambda m: (m.randn(3, dtype=m.complex64), m.randn(20, dtype=m.complex128), m.randn(3)),
    lambda m: (m.rand(2, 9, dtype=m.complex64), m.empty(4, dtype=m.complex64).uniform_(-1, 2)),
    lambda m: (m.normal(0, 3, (9,), dtype=m.complex64), m.empty(5, dtype=m.complex128).normal_(1.5, 2)),
    lambda m: (m.randn_like(m.zeros(3, 3, dtype=m.complex64)), m.normal(m.zeros(20, dtype=m.complex64), 2.0)),
    lambda m: m.empty(6, 4, dtype=m.complex64).t().normal_(),
], ids=["randn", "rand-uniform_", "normal", "likes-tensor-mean", "transposed"])
def test_complex_draws(fn):
    # torch draws complex numbers as a float tensor of twice the length (std / sqrt(2) for normals).
    for seed in SEEDS:
        _seeded(seed, fn)


@pytest.mark.parametrize("fn", [
    lambda m: (m.normal(2.0, 3.0, (20,)), m.normal(m.arange(20.), 1.0)),
    lambda m: m.normal(m.zeros(20, dtype=m.float64), m.linspace(0, 2, 20, dtype=m.float64)),
    lambda m: (m.normal(1.5, m.ones(3, 17)), m.normal(m.zeros(4, 1), m.ones(1, 5))),
    lambda m: (m.rand_like(m.zeros(3, 7)), m.randn_like(m.zeros(40, dtype=m.float64))),
], ids=["normal-scalars", "normal-tensors", "normal-broadcast", "likes"])
def test_normal_and_likes(fn):
    for seed in SEEDS:
        _seeded(seed, fn)


@pytest.mark.parametrize("fn", [
    lambda m: (m.multinomial(m.tensor([0.1, 0.2, 0.7]), 50, True), m.multinomial(m.rand(4, 9), 20, True)),
    lambda m: m.multinomial(m.rand(3, 5, dtype=m.float64), 7, replacement=True),
    lambda m: (m.multinomial(m.tensor([0.1, 0.2, 0.7, 0.0]), 3), m.multinomial(m.rand(4, 9), 5)),
    lambda m: (m.multinomial(m.rand(6, 5).t(), 1), m.rand(100).multinomial(10)),
    lambda m: (m.multinomial(m.rand(5, 30), 1, True), m.multinomial(m.rand(30, dtype=m.float64), 1)),
], ids=["with-replacement", "with-replacement-f64", "without", "without-T", "one-sample"])
def test_multinomial(fn):
    for seed in SEEDS:
        _seeded(seed, fn)


def test_generators_are_independent():
    def fn(m):
        g = m.Generator().manual_seed(3)
        a = m.randn(20, generator=g)
        b = m.rand(5)
        c = m.randint(0, 9, (4,), generator=m.Generator().manual_seed(4))
        d = m.randn(3, generator=g)
        e = m.empty(5).uniform_(generator=g)
        return a, b, c, d, e, m.randperm(9, generator=g)
    _seeded(0, fn)


@pytest.mark.parametrize("seed", [0, 2 ** 40 + 5, -1])
def test_state_layout_matches(seed):
    torch = need_torch()
    for lib in (torch, numtorch):
        lib.manual_seed(seed)
    assert numtorch.initial_seed() == torch.initial_seed()
    for draw in (lambda m: m.randn(1), lambda m: m.rand(624 * 2 + 3), lambda m: m.randn(5, dtype=m.float64)):
        draw(torch)
        draw(numtorch)
        np.testing.assert_array_equal(numtorch.get_rng_state().numpy(), torch.get_rng_state().numpy())
    fresh = numtorch.Generator().get_state().numpy()
    np.testing.assert_array_equal(fresh, torch.Generator().get_state().numpy())


def test_state_round_trip_across_libraries():
    torch = need_torch()
    torch.manual_seed(11)
    torch.randn(3)
    torch.rand(700)
    numtorch.set_rng_state(numtorch.tensor(torch.get_rng_state().numpy()))
    np.testing.assert_array_equal(numtorch.randn(5).numpy(), torch.randn(5).numpy())
    g = numtorch.Generator().manual_seed(9)
    numtorch.randn(3, generator=g)
    tg = torch.Generator()
    tg.set_state(torch.from_numpy(g.get_state().numpy()))
    ours = numtorch.randn(3, generator=g).numpy()
    np.testing.assert_array_equal(ours, torch.randn(3, generator=tg).numpy())
    assert tg.initial_seed() == g.initial_seed() == 9


def test_set_state_restores_and_fork_rng():
    numtorch.manual_seed(1)
    st = numtorch.get_rng_state()
    a = numtorch.randn(3)
    numtorch.set_rng_state(st)
    np.testing.assert_array_equal(numtorch.randn(3).numpy(), a.numpy())
    with numtorch.random.fork_rng():
        numtorch.rand(10)
    b = numtorch.randn(4)
    numtorch.set_rng_state(st)
    numtorch.randn(3)
    np.testing.assert_array_equal(numtorch.randn(4).numpy(), b.numpy())


def test_generator_api():
    g = numtorch.Generator()
    assert g.initial_seed() == 67280421310721
    assert g.manual_seed(5) is g
    assert str(g.device) == "cpu"
    s = g.seed()
    assert g.initial_seed() == s
    assert g.clone_state().get_state().numpy().tobytes() == g.get_state().numpy().tobytes()
    assert isinstance(numtorch.default_generator, numtorch.Generator)
    assert numtorch.manual_seed(3) is numtorch.default_generator


@pytest.mark.parametrize("fn", [
    lambda m: m.rand(3, dtype=m.int64), lambda m: m.randn(3, dtype=m.int32),
    lambda m: m.empty(3).uniform_(2, 1), lambda m: m.empty(3).normal_(0, -1),
    lambda m: m.empty(3).bernoulli_(1.5), lambda m: m.randint(5, 3, (2,)),
    lambda m: m.empty(3, dtype=m.int8).random_(0, 1000), lambda m: m.empty(3).exponential_(-1),
    lambda m: m.empty(3).geometric_(1.5), lambda m: m.empty(3, dtype=m.int64).exponential_(),
    lambda m: m.empty(3, dtype=m.int64).cauchy_(), lambda m: m.normal(m.zeros(3), -1.0),
    lambda m: m.normal(m.zeros(3), -m.ones(3)), lambda m: m.multinomial(m.tensor([1, 2]), 1),
    lambda m: m.multinomial(m.tensor([0.5, 0.5]), 3), lambda m: m.multinomial(m.tensor([0.5, -0.5]), 1),
    lambda m: m.multinomial(m.tensor([0., 0.]), 2, True), lambda m: m.Generator().manual_seed(2 ** 64),
    lambda m: m.Generator().manual_seed(1.5), lambda m: m.Generator().set_state(m.zeros(10, dtype=m.uint8)),
    lambda m: m.Generator().set_state(m.zeros(5056)), lambda m: m.randperm(-1),
    lambda m: m.empty(3).log_normal_(0, 0), lambda m: m.empty(3).cauchy_(0, -1),
])
def test_errors(fn):
    _raises(fn)


@pytest.mark.parametrize("seed", [True, np.int64(3), np.int32(3), 3.0, 2.7, -1, 2 ** 64, 2 ** 64 - 1, -2 ** 63, "3",
                                  None, "tensor"])
def test_manual_seed_argument_types(seed):
    # Generator.manual_seed takes Python ints only (bools, NumPy integers and tensors raise torch's errors);
    # the module-level torch.manual_seed converts with int() first
    torch = need_torch()
    res = []
    for lib in (torch, numtorch):
        value = lib.tensor(3) if isinstance(seed, str) and seed == "tensor" else seed
        out = []
        for fn in (lambda v: lib.Generator().manual_seed(v).initial_seed(),
                   lambda v: lib.manual_seed(v).initial_seed()):
            try:
                out.append(("ok", fn(value)))
            except Exception as e:  # compared below
                out.append((type(e).__name__, str(e)))
        res.append(out)
    assert res[0] == res[1]
