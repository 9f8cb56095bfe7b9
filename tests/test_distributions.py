"""torch.distributions against real torch: values, shapes, dtypes, seeded samples, gradients, errors."""
import numpy as np
import pytest

import numtorch
from conftest import check, check_raises, need_torch, rand


def pos(*shape, seed=0, dtype="float32"):
    return rand(*shape, seed=seed, low=0.5, high=2.0, dtype=dtype)


def prob(*shape, seed=0, dtype="float32"):
    return rand(*shape, seed=seed, low=0.05, high=0.95, dtype=dtype)


def D(lib):
    return lib.distributions


def loc_scale(s, d):
    return rand(*s, dtype=d), pos(*s, seed=1, dtype=d)


def two_pos(s, d):
    return pos(*s, dtype=d), pos(*s, seed=1, dtype=d)


# name -> (constructor(lib, *params), params data builder(shape, dtype), log_prob value builder)
FAMILIES = {
    "Normal": (lambda m, a, b: D(m).Normal(a, b), loc_scale,
               lambda s, d: rand(*s, seed=2, dtype=d)),
    "Laplace": (lambda m, a, b: D(m).Laplace(a, b), loc_scale,
                lambda s, d: rand(*s, seed=2, dtype=d)),
    "Cauchy": (lambda m, a, b: D(m).Cauchy(a, b), loc_scale,
               lambda s, d: rand(*s, seed=2, dtype=d)),
    "Uniform": (lambda m, a, b: D(m).Uniform(a, a + b), loc_scale,
                lambda s, d: rand(*s, seed=0, dtype=d) + 0.25),
    "Exponential": (lambda m, a: D(m).Exponential(a), lambda s, d: (pos(*s, dtype=d),),
                    lambda s, d: pos(*s, seed=2, dtype=d)),
    "Bernoulli": (lambda m, a: D(m).Bernoulli(a), lambda s, d: (prob(*s, dtype=d),),
                  lambda s, d: (rand(*s, seed=2) > 0).astype(d)),
    "BernoulliLogits": (lambda m, a: D(m).Bernoulli(logits=a), lambda s, d: (rand(*s, dtype=d),),
                        lambda s, d: (rand(*s, seed=2) > 0).astype(d)),
    "Geometric": (lambda m, a: D(m).Geometric(a), lambda s, d: (prob(*s, dtype=d),),
                  lambda s, d: np.floor(np.asarray(pos(*s, seed=2) * 3)).astype(d)),
    "LogNormal": (lambda m, a, b: D(m).LogNormal(a, b), loc_scale, lambda s, d: pos(*s, seed=2, dtype=d)),
    "Gumbel": (lambda m, a, b: D(m).Gumbel(a, b), loc_scale, lambda s, d: rand(*s, seed=2, dtype=d)),
    "HalfNormal": (lambda m, a: D(m).HalfNormal(a), lambda s, d: (pos(*s, dtype=d),),
                   lambda s, d: pos(*s, seed=2, dtype=d)),
    "RelaxedBernoulli": (lambda m, t, a: D(m).RelaxedBernoulli(t, a),
                         lambda s, d: (pos(*s, dtype=d), prob(*s, dtype=d)),
                         lambda s, d: prob(*s, seed=2, dtype=d)),
    "LogitRelaxedBernoulli": (lambda m, t, a: D(m).relaxed_bernoulli.LogitRelaxedBernoulli(t, logits=a),
                              lambda s, d: (pos(*s, dtype=d), rand(*s, dtype=d)),
                              lambda s, d: rand(*s, seed=2, dtype=d)),
    "HalfCauchy": (lambda m, a: D(m).HalfCauchy(a), lambda s, d: (pos(*s, dtype=d),),
                   lambda s, d: pos(*s, seed=2, dtype=d)),
    "Pareto": (lambda m, a, b: D(m).Pareto(a, b + 2), two_pos,
               lambda s, d: pos(*s, seed=2, dtype=d) + 2),
    "Weibull": (lambda m, a, b: D(m).Weibull(a, b), lambda s, d: (pos(*s, dtype=d), pos(*s, seed=1, dtype=d)),
                lambda s, d: pos(*s, seed=2, dtype=d)),
    "Gamma": (lambda m, a, b: D(m).Gamma(a, b), two_pos, lambda s, d: pos(*s, seed=2, dtype=d)),
    "Chi2": (lambda m, a: D(m).Chi2(a), lambda s, d: (np.asarray(pos(*s, dtype=d) * 2),),
             lambda s, d: pos(*s, seed=2, dtype=d)),
    "StudentT": (lambda m, a, b, c: D(m).StudentT(a + 1.5, b, c),
                 lambda s, d: (pos(*s, dtype=d), rand(*s, seed=1, dtype=d), pos(*s, seed=3, dtype=d)),
                 lambda s, d: rand(*s, seed=2, dtype=d)),
    "InverseGamma": (lambda m, a, b: D(m).InverseGamma(a + 2, b), two_pos,
                     lambda s, d: pos(*s, seed=2, dtype=d)),
    "FisherSnedecor": (lambda m, a, b: D(m).FisherSnedecor(a * 5, b * 5), two_pos,
                       lambda s, d: pos(*s, seed=2, dtype=d)),
    "Beta": (lambda m, a, b: D(m).Beta(a, b), two_pos, lambda s, d: prob(*s, seed=2, dtype=d)),
    "Kumaraswamy": (lambda m, a, b: D(m).Kumaraswamy(a, b), two_pos,
                    lambda s, d: prob(*s, seed=2, dtype=d)),
    "ContinuousBernoulli": (lambda m, a: D(m).ContinuousBernoulli(a), lambda s, d: (prob(*s, dtype=d),),
                            lambda s, d: prob(*s, seed=2, dtype=d)),
    "ContinuousBernoulliLogits": (lambda m, a: D(m).ContinuousBernoulli(logits=a),
                                  lambda s, d: (rand(*s, dtype=d),), lambda s, d: prob(*s, seed=2, dtype=d)),
    "Poisson": (lambda m, a: D(m).Poisson(a), lambda s, d: (np.asarray(pos(*s, dtype=d) * 3),),
                lambda s, d: np.floor(np.asarray(pos(*s, seed=2) * 3)).astype(d)),
}
SHAPES = [(), (3,), (2, 3)]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", list(FAMILIES))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_prob_and_grad(name, shape, dtype):
    make, params, value = FAMILIES[name]
    v = value(shape, dtype)
    check(lambda m, *ps: make(m, *ps).log_prob(m.tensor(v)), *params(shape, dtype))


@pytest.mark.parametrize("name", [n for n in FAMILIES if n != "Poisson"])
@pytest.mark.parametrize("shape", SHAPES)
def test_entropy(name, shape):
    make, params, _ = FAMILIES[name]
    check(lambda m, *ps: make(m, *ps).entropy(), *params(shape, "float64"))


@pytest.mark.parametrize("name", list(FAMILIES))
@pytest.mark.parametrize("attr", ["mean", "variance", "stddev", "mode"])
def test_moments(name, attr):
    make, params, _ = FAMILIES[name]
    check(lambda m, *ps: getattr(make(m, *ps), attr), *params((2, 3), "float64"), grad=attr != "mode")


@pytest.mark.parametrize("name", ["Normal", "Laplace", "Cauchy", "Uniform", "Exponential", "LogNormal",
                                  "Gumbel", "HalfNormal", "HalfCauchy", "Pareto", "Weibull",
                                  "ContinuousBernoulli"])
@pytest.mark.parametrize("fn", ["cdf", "icdf"])
def test_cdf_icdf(name, fn):
    make, params, value = FAMILIES[name]
    v = prob(2, 3, seed=5, dtype="float64") if fn == "icdf" else value((2, 3), "float64")
    check(lambda m, *ps: getattr(make(m, *ps), fn)(m.tensor(v)), *params((2, 3), "float64"))


@pytest.mark.parametrize("name", list(FAMILIES))
@pytest.mark.parametrize("sample_shape", [(), (4,), (2, 5)])
def test_seeded_sample(name, sample_shape):
    make, params, _ = FAMILIES[name]

    def fn(m, *ps):
        m.manual_seed(7)
        d = make(m, *ps)
        return d.sample(sample_shape), d.sample()
    check(fn, *params((3,), "float32"), grad=False)


RSAMPLE = ["Normal", "Laplace", "Cauchy", "Uniform", "Exponential", "LogNormal", "Gumbel", "HalfNormal",
           "RelaxedBernoulli", "HalfCauchy", "Pareto", "Weibull", "Gamma", "Chi2", "StudentT", "InverseGamma",
           "FisherSnedecor", "Beta", "Kumaraswamy", "ContinuousBernoulli"]


@pytest.mark.parametrize("name", RSAMPLE)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_seeded_rsample_grad(name, dtype):
    make, params, _ = FAMILIES[name]

    def fn(m, *ps):
        m.manual_seed(3)
        d = make(m, *ps)
        assert d.has_rsample
        return d.rsample((4,))
    check(fn, *params((2, 3), dtype), atol=1e-5)


def test_logit_relaxed_bernoulli_rsample():
    def fn(m, t, a):
        m.manual_seed(3)
        d = D(m).relaxed_bernoulli.LogitRelaxedBernoulli(t, a)
        return d.has_rsample, d.rsample((4,)), d.expand((2, 3)).rsample(), d.param_shape
    check(fn, pos(3), prob(3, seed=1))


def test_sample_no_grad():
    def fn(m, a, b):
        s = D(m).Normal(a, b).sample((2,))
        return s, s.requires_grad
    check(fn, rand(3), pos(3), grad=True)


@pytest.mark.parametrize("name", list(FAMILIES))
def test_expand(name):
    make, params, value = FAMILIES[name]

    def fn(m, *ps):
        m.manual_seed(1)
        d = make(m, *ps).expand((4, 3))
        return (d.batch_shape, d.event_shape, d.sample(), d.log_prob(m.tensor(value((3,), "float32"))),
                d._validate_args, type(d).__name__)
    check(fn, *params((3,), "float32"))


@pytest.mark.parametrize("scalar", [True, False])
def test_number_params(scalar):
    def fn(m):
        d = D(m).Normal(0.5, 2.0) if scalar else D(m).Normal(m.zeros(2, dtype=m.float64), 1.0)
        return d.batch_shape, d.loc, d.scale, repr(d), d.log_prob(m.tensor(0.25, dtype=d.loc.dtype))
    check(fn)


# ---- Categorical --------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 1, 5)])
@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_categorical(shape, kind):
    data = pos(*shape) if kind == "probs" else rand(*shape)
    idx = (np.arange(int(np.prod(shape[:-1]))) % shape[-1]).reshape(shape[:-1])

    def fn(m, p):
        d = D(m).Categorical(**{kind: p})
        return (d.log_prob(m.tensor(idx)), d.entropy(), d.probs, d.logits, d.mode, d.mean, d.batch_shape,
                d.param_shape, d.enumerate_support(), d.enumerate_support(expand=False))
    check(fn, data)


@pytest.mark.parametrize("sample_shape", [(), (6,), (2, 3)])
def test_categorical_sample(sample_shape):
    def fn(m, p):
        m.manual_seed(11)
        d = D(m).Categorical(p)
        return d.sample(sample_shape), d.expand((4, 2)).sample((3,))
    check(fn, pos(2, 5), grad=False)


def test_categorical_zero_prob_entropy():
    check(lambda m, p: D(m).Categorical(p).entropy(), np.array([[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]]))


def test_bernoulli_extra():
    def fn(m, p):
        d = D(m).Bernoulli(p)
        return d.enumerate_support(), d.enumerate_support(False), d.logits, d.param_shape, d.perplexity()
    check(fn, np.array([0.1, 0.5, 0.9]))
    check(lambda m, p: D(m).Bernoulli(p).mode, np.array([0.1, 0.5, 0.9]), grad=False)


# ---- KL -----------------------------------------------------------------------------------------------

KL_PAIRS = [("Normal", "Normal"), ("Laplace", "Laplace"), ("Cauchy", "Cauchy"),
            ("Exponential", "Exponential"),
            ("Bernoulli", "Bernoulli"), ("BernoulliLogits", "Bernoulli"), ("Geometric", "Geometric"),
            ("Poisson", "Poisson"), ("Uniform", "Uniform"), ("Bernoulli", "Poisson"),
            ("Exponential", "Normal"), ("Laplace", "Normal"), ("Normal", "Laplace"), ("Uniform", "Normal"),
            ("Uniform", "Exponential"), ("Normal", "Uniform"), ("Normal", "Exponential"),
            ("Laplace", "Uniform"), ("Exponential", "Uniform"), ("Poisson", "Bernoulli"),
            ("Gumbel", "Gumbel"), ("HalfNormal", "HalfNormal"), ("LogNormal", "LogNormal"),
            ("Gumbel", "Normal"), ("Normal", "Gumbel"), ("Exponential", "Gumbel"), ("Uniform", "Gumbel"),
            ("Gumbel", "Uniform"), ("Gumbel", "Exponential"), ("Pareto", "Pareto"), ("Pareto", "Exponential"),
            ("Pareto", "Normal"), ("Uniform", "Pareto"), ("Normal", "Pareto"), ("Pareto", "Uniform"),
            ("Gamma", "Gamma"), ("Exponential", "Gamma"), ("Gamma", "Exponential"), ("Gamma", "Gumbel"),
            ("Gamma", "Normal"), ("Pareto", "Gamma"), ("Uniform", "Gamma"), ("Normal", "Gamma"),
            ("Gamma", "Uniform"), ("Chi2", "Gamma"), ("Beta", "Beta"), ("Beta", "Exponential"),
            ("Beta", "Gamma"), ("Beta", "Normal"), ("Beta", "Uniform"), ("Uniform", "Beta"),
            ("Normal", "Beta"), ("Beta", "Pareto"), ("Gamma", "Beta"),
            ("ContinuousBernoulli", "ContinuousBernoulli"),
            ("ContinuousBernoulliLogits", "ContinuousBernoulli"), ("Beta", "ContinuousBernoulli"),
            ("ContinuousBernoulli", "Exponential"), ("ContinuousBernoulli", "Normal"),
            ("ContinuousBernoulli", "Uniform"), ("Uniform", "ContinuousBernoulli"),
            ("Normal", "ContinuousBernoulli"), ("ContinuousBernoulli", "Pareto")]


@pytest.mark.parametrize("p,q", KL_PAIRS)
def test_kl(p, q):
    mp, pp, _ = FAMILIES[p]
    mq, pq, _ = FAMILIES[q]
    a, b = pp((2, 3), "float64"), pq((2, 3), "float64")
    b = tuple(x[::-1].copy() for x in b)

    def fn(m, *ps):
        return D(m).kl_divergence(mp(m, *ps[:len(a)]), mq(m, *ps[len(a):]))
    check(fn, *a, *b)


def test_kl_expfamily_bregman():
    # Normal-vs-Normal has a closed form; the generic Bregman path must agree with torch's too.
    def fn(m, a, b, c, d):
        kl = D(m).kl._kl_expfamily_expfamily
        return kl(D(m).Normal(a, b), D(m).Normal(c, d)), kl(D(m).Exponential(b), D(m).Exponential(d))
    check(fn, rand(3), pos(3), rand(3, seed=3), pos(3, seed=4), atol=1e-5)


def test_kl_categorical():
    check(lambda m, p, q: D(m).kl_divergence(D(m).Categorical(p), D(m).Categorical(q)),
          pos(2, 4), pos(2, 4, seed=1))
    check(lambda m, p, q: D(m).kl_divergence(D(m).Categorical(p), D(m).Categorical(q)),
          np.array([0.0, 0.5, 0.5]), np.array([0.5, 0.5, 0.0]), grad=False)


def test_kl_uniform_infinite():
    check(lambda m: D(m).kl_divergence(D(m).Uniform(m.tensor([0., 0.]), m.tensor([2., 1.])),
                                       D(m).Uniform(m.tensor([0.5, 0.]), m.tensor([2., 3.]))))


def test_kl_not_implemented():
    for fn in (lambda m: D(m).kl_divergence(D(m).Normal(0., 1.), D(m).Bernoulli(0.5)),
               lambda m: D(m).kl_divergence(D(m).Cauchy(0., 1.), D(m).Normal(0., 1.))):
        ne, te = check_raises(fn)
        assert str(ne) == str(te)


def test_register_kl_dispatch():
    need_torch()
    for m in (numtorch, lib_torch()):
        class MyNormal(D(m).Normal):
            pass

        @D(m).register_kl(MyNormal, D(m).Normal)
        def _kl(p, q):
            return m.zeros(())
        assert D(m).kl_divergence(MyNormal(0., 1.), D(m).Normal(1., 1.)).item() == 0
        assert D(m).kl_divergence(D(m).Normal(0., 1.), MyNormal(0., 1.)).item() == 0
        del D(m).kl._KL_REGISTRY[MyNormal, D(m).Normal]
        D(m).kl._KL_MEMOIZE.clear()


def lib_torch():
    return need_torch()


# ---- validation ---------------------------------------------------------------------------------------

BAD_ARGS = [
    lambda m: D(m).Normal(m.tensor([0.0]), m.tensor([-1.0])),
    lambda m: D(m).Normal(m.tensor([np.nan]), m.tensor([1.0])),
    lambda m: D(m).Uniform(1.0, 0.0),
    lambda m: D(m).Bernoulli(m.tensor(1.5)),
    lambda m: D(m).Bernoulli(),
    lambda m: D(m).Bernoulli(0.5, logits=0.1),
    lambda m: D(m).Categorical(m.tensor([0.5, -0.1])),
    lambda m: D(m).Categorical(m.tensor(0.5)),
    lambda m: D(m).Categorical(logits=m.tensor(0.5)),
    lambda m: D(m).Geometric(m.tensor([0.0, 0.5])),
    lambda m: D(m).Exponential(m.tensor(0.0)),
    lambda m: D(m).Poisson(m.tensor(-1.0)),
    lambda m: D(m).Normal(m.tensor([0.0]), m.tensor([1.0])).log_prob([0.0]),
    lambda m: D(m).Normal(m.zeros(3), m.ones(3)).log_prob(m.zeros(2)),
    lambda m: D(m).Exponential(m.ones(3)).log_prob(-m.ones(3)),
    lambda m: D(m).Categorical(m.ones(3)).log_prob(m.tensor(3)),
    lambda m: D(m).Bernoulli(m.tensor(0.3)).log_prob(m.tensor(0.5)),
    lambda m: D(m).Uniform(0.0, 1.0).log_prob(m.tensor(2.0)),
    lambda m: D(m).Poisson(m.tensor(1.0)).log_prob(m.tensor(0.5)),
    lambda m: D(m).Normal(0.0, 1.0).entropy().__class__ and D(m).Poisson(m.tensor(1.0)).entropy(),
    lambda m: D(m).Distribution.set_default_validate_args(3),
    lambda m: D(m).Normal("a", 1.0),
]


@pytest.mark.parametrize("i", range(len(BAD_ARGS)))
def test_validation_errors(i):
    ne, te = check_raises(BAD_ARGS[i])
    if isinstance(te, (ValueError, NotImplementedError)):
        assert str(ne) == str(te)


def test_validate_args_off():
    def fn(m):
        d = D(m).Normal(m.tensor([0.0]), m.tensor([-1.0]), validate_args=False)
        e = D(m).Exponential(m.ones(2), validate_args=False)
        return d.log_prob(m.tensor([0.5])), e.log_prob(-m.ones(2))
    check(fn)


def test_set_default_validate_args():
    need_torch()
    for m in (numtorch, lib_torch()):
        D(m).Distribution.set_default_validate_args(False)
        try:
            D(m).Normal(0.0, -1.0)
        finally:
            D(m).Distribution.set_default_validate_args(True)
        with pytest.raises(ValueError):
            D(m).Normal(0.0, -1.0)


def test_sample_n_warns():
    def fn(m, a):
        m.manual_seed(0)
        return D(m).Normal(a, 1.0).sample_n(3)
    check(fn, rand(2), grad=False)


def test_base_class_and_attrs():
    def fn(m):
        d = D(m).Normal(m.zeros(2), m.ones(2))
        u = D(m).Uniform(m.zeros(2), m.ones(2))
        return (repr(d.support), repr(d.arg_constraints["scale"]), repr(u.support),
                repr(u.arg_constraints["low"]),
                D(m).Normal.has_rsample, D(m).Categorical.has_rsample, D(m).Categorical.has_enumerate_support,
                repr(D(m).Categorical(m.ones(3)).support), repr(D(m).Categorical.arg_constraints["logits"]),
                repr(D(m).Bernoulli(0.5)), repr(D(m).Poisson.support), repr(D(m).Exponential.support))
    check(fn)


def test_base_not_implemented():
    check_raises(lambda m: D(m).Distribution().rsample())
    check_raises(lambda m: D(m).Distribution().mode)
    check_raises(lambda m: D(m).Bernoulli(0.5).rsample())


# ---- constraints --------------------------------------------------------------------------------------

CONSTRAINTS = [
    lambda c: c.real, lambda c: c.positive, lambda c: c.nonnegative, lambda c: c.unit_interval,
    lambda c: c.boolean, lambda c: c.nonnegative_integer, lambda c: c.positive_integer,
    lambda c: c.integer_interval(0, 2), lambda c: c.interval(-1.0, 1.0),
    lambda c: c.half_open_interval(-1, 1),
    lambda c: c.greater_than(0.5), lambda c: c.greater_than_eq(0.5), lambda c: c.less_than(1.0),
    lambda c: c.simplex, lambda c: c.real_vector, lambda c: c.one_hot, lambda c: c.independent(c.positive, 2),
    lambda c: c.lower_triangular, lambda c: c.lower_cholesky, lambda c: c.square, lambda c: c.symmetric,
    lambda c: c.positive_definite, lambda c: c.positive_semidefinite, lambda c: c.multinomial(3),
    lambda c: c.corr_cholesky, lambda c: c.cat([c.positive, c.real], lengths=[1, 2], dim=-1),
    lambda c: c.stack([c.positive, c.real, c.unit_interval], dim=-1),
    lambda c: c.MixtureSameFamilyConstraint(c.positive), lambda c: c.MixtureSameFamilyConstraint(c.simplex),
]
CVALUES = [np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5], [1.0, 2.0, np.nan]]),
           np.array([[1.0, 0.0, 0.0], [0.5, 1.0, 0.0], [0.1, 0.2, 3.0]]),
           np.array([[2.0, 0.5, 0.0], [0.5, 2.0, 0.0], [0.0, 0.0, 2.0]])]


@pytest.mark.parametrize("i", range(len(CONSTRAINTS)))
def test_constraints(i):
    def fn(m, v):
        c = CONSTRAINTS[i](D(m).constraints)
        return c.check(v), repr(c), c.is_discrete, c.event_dim
    for v in CVALUES:
        check(fn, v, grad=False, warns=False)


def test_dependent_constraint():
    check_raises(lambda m: D(m).constraints.dependent.check(m.ones(2)))
    check_raises(lambda m: D(m).constraints.dependent.event_dim)
    check(lambda m: (D(m).constraints.is_dependent(D(m).constraints.dependent),
                     D(m).constraints.is_dependent(D(m).Uniform.support),
                     D(m).Uniform.support.event_dim, D(m).constraints.dependent(event_dim=1).event_dim))


def test_empty_batch():
    def fn(m, a, b):
        d = D(m).Normal(a, b)
        m.manual_seed(0)
        return d.sample((2,)), d.log_prob(m.zeros(0, 3)), d.entropy(), d.batch_shape
    check(fn, rand(0, 3), pos(0, 3))


def test_utils():
    def fn(m, p):
        u = D(m).utils
        v = u.tril_matrix_to_vec(m.arange(9.).reshape(3, 3))
        return (u.probs_to_logits(p), u.probs_to_logits(p, True), u.logits_to_probs(p), u.clamp_probs(p), v,
                u.vec_to_tril_matrix(v), u.broadcast_all(p, 1.0))
    check(fn, prob(2, 3))


# ---- Independent, OneHotCategorical, MultivariateNormal -----------------------------------------------


@pytest.mark.parametrize("ndims", [0, 1, 2])
def test_independent(ndims):
    v = rand(2, 3, seed=4)

    def fn(m, a, b):
        m.manual_seed(2)
        d = D(m).Independent(D(m).Normal(a, b), ndims)
        e = d.expand((4,) + tuple(d.batch_shape))
        return (d.batch_shape, d.event_shape, d.log_prob(m.tensor(v)), d.entropy(), d.rsample((3,)), d.mean,
                d.variance, d.mode, d.has_rsample, d.has_enumerate_support, repr(d), repr(d.support),
                e.batch_shape, e.event_shape, e.sample())
    check(fn, rand(2, 3), pos(2, 3, seed=1))


def test_independent_errors_and_kl():
    check_raises(lambda m: D(m).Independent(D(m).Normal(m.zeros(3), 1.0), 2))
    check_raises(lambda m: D(m).Independent(D(m).Bernoulli(m.ones(3) / 2), 1).enumerate_support())
    check(lambda m: D(m).Independent(D(m).Bernoulli(m.ones(3) / 3), 0).enumerate_support(), grad=False)

    def fn(m, a, b, c, d):
        p = D(m).Independent(D(m).Normal(a, b), 1)
        q = D(m).Independent(D(m).Normal(c, d), 1)
        return D(m).kl_divergence(p, q)
    check(fn, rand(2, 3), pos(2, 3, seed=1), rand(2, 3, seed=2), pos(2, 3, seed=3))


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_one_hot_categorical(kind):
    data = pos(2, 4) if kind == "probs" else rand(2, 4)
    v = np.eye(4, dtype="float32")[[1, 3]]

    def fn(m, p):
        m.manual_seed(5)
        d = D(m).OneHotCategorical(**{kind: p})
        st = D(m).OneHotCategoricalStraightThrough(**{kind: p})
        return (d.sample((3,)), d.log_prob(m.tensor(v)), d.entropy(), d.mean, d.mode, d.variance, d.probs,
                d.logits, d.param_shape, d.event_shape, d.enumerate_support(), d.enumerate_support(False),
                d.expand((3, 2)).sample(), st.rsample((2,)))
    check(fn, data)
    check(lambda m, p, q: D(m).kl_divergence(D(m).OneHotCategorical(p), D(m).OneHotCategorical(q)),
          pos(2, 4), pos(2, 4, seed=1))
    check_raises(lambda m: D(m).OneHotCategorical(m.ones(3)).log_prob(m.tensor([0.5, 0.5, 0.0])))


def spd(n, batch=(), seed=0):
    a = rand(*batch, n, n, seed=seed, dtype="float64")
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


@pytest.mark.parametrize("param", ["covariance_matrix", "precision_matrix", "scale_tril"])
@pytest.mark.parametrize("batch", [(), (2,)])
def test_multivariate_normal(param, batch):
    mat = spd(3, batch)
    if param == "scale_tril":
        mat = np.linalg.cholesky(mat)
    v = rand(4, *batch, 3, seed=7, dtype="float64")

    def fn(m, loc, mt):
        m.manual_seed(9)
        d = D(m).MultivariateNormal(loc, **{param: mt})
        return (d.log_prob(m.tensor(v)), d.entropy(), d.rsample((2,)), d.sample(), d.mean, d.variance, d.mode,
                d.covariance_matrix, d.precision_matrix, d.scale_tril, d.batch_shape, d.event_shape,
                d.expand((5,) + tuple(batch)).log_prob(m.tensor(v[0])))
    check(fn, rand(*batch, 3, dtype="float64"), mat, atol=1e-5, rtol=1e-4)


def test_multivariate_normal_broadcast_and_kl():
    def fn(m, loc, cov, loc2, cov2):
        p = D(m).MultivariateNormal(loc, cov)
        q = D(m).MultivariateNormal(loc2, scale_tril=m.linalg.cholesky(cov2))
        return p.batch_shape, p.log_prob(loc2), D(m).kl_divergence(p, q), D(m).kl_divergence(q, p)
    check(fn, rand(2, 3, dtype="float64"), spd(3), rand(3, seed=1, dtype="float64"), spd(3, (2,), seed=2),
          atol=1e-5, rtol=1e-4)


MVN_BAD = [
    lambda m: D(m).MultivariateNormal(m.tensor(0.0), m.eye(1)),
    lambda m: D(m).MultivariateNormal(m.zeros(2)),
    lambda m: D(m).MultivariateNormal(m.zeros(2), m.eye(2), scale_tril=m.eye(2)),
    lambda m: D(m).MultivariateNormal(m.zeros(2), m.ones(2)),
    lambda m: D(m).MultivariateNormal(m.zeros(2), scale_tril=m.ones(2)),
    lambda m: D(m).MultivariateNormal(m.zeros(2), precision_matrix=m.ones(2)),
    lambda m: D(m).MultivariateNormal(m.zeros(2), m.tensor([[1.0, 2.0], [2.0, 1.0]])),
    lambda m: D(m).MultivariateNormal(m.zeros(2), scale_tril=m.tensor([[1.0, 1.0], [0.0, 1.0]])),
    lambda m: D(m).kl_divergence(D(m).MultivariateNormal(m.zeros(2), m.eye(2)),
                                 D(m).MultivariateNormal(m.zeros(3), m.eye(3))),
]


@pytest.mark.parametrize("i", range(len(MVN_BAD)))
def test_multivariate_normal_errors(i):
    ne, te = check_raises(MVN_BAD[i])
    assert str(ne) == str(te)


# ---- transforms ---------------------------------------------------------------------------------------

TRANSFORMS = {
    "Exp": (lambda T, m: T.ExpTransform(), (2, 3)),
    "Sigmoid": (lambda T, m: T.SigmoidTransform(), (2, 3)),
    "Softplus": (lambda T, m: T.SoftplusTransform(), (2, 3)),
    "Tanh": (lambda T, m: T.TanhTransform(), (2, 3)),
    "AffineScalar": (lambda T, m: T.AffineTransform(1.5, -2.0), (2, 3)),
    "AffineTensor": (lambda T, m: T.AffineTransform(m.tensor([1.0, 2.0, 3.0]), m.tensor([0.5, -1.0, 2.0])),
                     (2, 3)),
    "AffineEvent": (lambda T, m: T.AffineTransform(0.5, m.tensor([0.5, -1.0, 2.0]), event_dim=1), (2, 3)),
    "Power": (lambda T, m: T.PowerTransform(m.tensor(2.5)), (2, 3)),
    "StickBreaking": (lambda T, m: T.StickBreakingTransform(), (2, 3)),
    "LowerCholesky": (lambda T, m: T.LowerCholeskyTransform(), (2, 3, 3)),
    "Reshape": (lambda T, m: T.ReshapeTransform((3,), (3, 1)), (2, 3)),
    "Independent": (lambda T, m: T.IndependentTransform(T.SigmoidTransform(), 1), (2, 3)),
    "Compose": (lambda T, m: T.ComposeTransform([T.AffineTransform(0.5, 2.0), T.ExpTransform()]), (2, 3)),
    "ComposeEvent": (lambda T, m: T.ComposeTransform([T.ExpTransform(), T.StickBreakingTransform()]), (2, 3)),
    "Inverse": (lambda T, m: T.ExpTransform().inv, (2, 3)),
    "Identity": (lambda T, m: T.identity_transform, (2, 3)),
}


@pytest.mark.parametrize("name", list(TRANSFORMS))
def test_transform(name):
    make, shape = TRANSFORMS[name]
    x = rand(*shape, dtype="float64", low=0.2, high=1.5)

    def fn(m, x):
        T = D(m).transforms
        t = make(T, m)
        y = t(x)
        ladj = t.log_abs_det_jacobian(x, y) if name != "Identity" else y
        out = [y, t.inv(y), ladj, t.forward_shape(x.shape), t.inverse_shape(y.shape), repr(t), t.bijective,
               t.domain.event_dim, t.codomain.event_dim, t == make(T, m), t.inv.inv is t]
        try:
            out.append(t.sign)
        except NotImplementedError:
            out.append("no sign")
        return out
    check(fn, x)


def test_transform_cache_and_errors():
    def fn(m, x):
        T = D(m).transforms
        t = T.ExpTransform(cache_size=1)
        y = t(x)
        return t(x) is y, t.inv(y) is x, T.ExpTransform().with_cache(1)._cache_size, t.with_cache(1) is t
    check(fn, rand(3), grad=False)
    check_raises(lambda m: D(m).transforms.ExpTransform(cache_size=2))
    check_raises(lambda m: D(m).transforms.ReshapeTransform((2, 3), (4,)))
    check_raises(lambda m: D(m).transforms.ReshapeTransform((3,), (3,)).forward_shape((2,)))
    check_raises(lambda m: D(m).transforms.ReshapeTransform((3,), (3,)).forward_shape(()))
    check_raises(lambda m: D(m).transforms.Transform().sign)
    check_raises(lambda m: D(m).transforms.AffineTransform(0.0, 1.0).with_cache(1).inv(m.zeros(2)).bad)
    check_raises(lambda m: D(m).transforms.StickBreakingTransform().forward_shape(()))


def test_transformed_distribution():
    def fn(m, loc, scale):
        T = D(m).transforms
        m.manual_seed(4)
        d = D(m).TransformedDistribution(D(m).Normal(loc, scale),
                                         [T.AffineTransform(1.0, 2.0), T.ExpTransform()])
        sb = D(m).TransformedDistribution(D(m).Normal(loc, scale), T.StickBreakingTransform())
        flipped = D(m).TransformedDistribution(D(m).Normal(loc, scale), T.AffineTransform(0.0, -1.0))
        v = m.tensor([[0.5, 1.5, 3.0], [2.0, 0.7, 1.1]], dtype=loc.dtype)
        return (d.rsample((2,)), d.sample(), d.log_prob(v), d.cdf(v), d.icdf(m.full_like(v, 0.3)),
                d.batch_shape, d.event_shape, repr(d.support), sb.batch_shape, sb.event_shape, sb.rsample(),
                repr(sb.support),
                sb.log_prob(sb.sample()), flipped.cdf(v), d.expand((4, 2, 3)).sample().shape, d.has_rsample)
    check(fn, rand(2, 3, dtype="float64"), pos(2, 3, seed=1, dtype="float64"))
    check_raises(lambda m: D(m).TransformedDistribution(D(m).Normal(0.0, 1.0), "exp"))
    check_raises(lambda m: D(m).TransformedDistribution(D(m).Normal(0.0, 1.0), [1]))
    check_raises(lambda m: D(m).TransformedDistribution(D(m).Normal(0.0, 1.0), D(m).StickBreakingTransform()))


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_relaxed_one_hot_categorical(kind):
    data = pos(2, 4) if kind == "probs" else rand(2, 4)

    def fn(m, t, p):
        m.manual_seed(8)
        d = D(m).RelaxedOneHotCategorical(t, **{kind: p})
        e = D(m).relaxed_categorical.ExpRelaxedCategorical(t, **{kind: p})
        x = d.rsample((3,))
        return (x, d.log_prob(x), e.rsample(), e.log_prob(e.rsample((2,))), d.probs, d.logits, d.temperature,
                d.batch_shape, d.event_shape, d.expand((3, 2)).rsample().shape, e.param_shape)
    check(fn, np.asarray(0.7), data, atol=1e-5)


def test_logistic_normal():
    def fn(m, loc, scale):
        m.manual_seed(6)
        d = D(m).LogisticNormal(loc, scale)
        s = D(m).LogisticNormal(0.5, 2.0)
        x = d.rsample((2,))
        return (x, d.log_prob(x), d.batch_shape, d.event_shape, d.loc, d.scale, s.batch_shape, s.event_shape,
                s.sample((3,)), d.expand((4, 2)).sample().shape)
    check(fn, rand(2, 3, dtype="float64"), pos(2, 3, seed=1, dtype="float64"), atol=1e-5)


def test_pareto_weibull_extra():
    def fn(m, a, b):
        p, w = D(m).Pareto(a, b), D(m).Weibull(a, b)
        return (p.mean, p.variance, repr(p.support), p.expand((4, 3)).batch_shape, w.mode,
                w.expand((2, 3)).log_prob(m.ones(2, 3, dtype=a.dtype)))
    check(fn, pos(3, dtype="float64"), np.array([0.5, 1.5, 3.0]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_standard_gamma_bit_exact(dtype):
    from numtorch._ops.gamma import _standard_gamma
    alpha = np.concatenate([np.exp(np.random.default_rng(0).uniform(-5, 4, 300)), [0.0, 1.0, 8.0, 1e-3]])
    alpha = alpha.astype(dtype)

    def fn(m, a):
        m.manual_seed(12)
        sg = _standard_gamma if m is numtorch else m._standard_gamma
        first = sg(a)
        return first, sg(a[:5].reshape(5, 1).expand(5, 3)), m.randn(4), m.rand(3)
    res = {}
    for m in (numtorch, need_torch()):
        res[m] = fn(m, m.tensor(alpha))
    for a, b in zip(res[numtorch], res[need_torch()]):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_standard_gamma_grad(dtype):
    from numtorch._ops.gamma import _standard_gamma, _standard_gamma_grad
    # samples straddle each branch: x < 0.8, alpha > 8 near and far from x, and the rational fit
    alpha = np.array([0.05, 0.4, 1.0, 2.5, 5.0, 7.9, 8.5, 12.0, 40.0, 200.0], dtype=dtype)
    x = np.array([0.01, 0.5, 2.0, 0.9, 6.0, 3.0, 8.4, 20.0, 39.0, 150.0], dtype=dtype)
    t = need_torch()
    n = _standard_gamma_grad(numtorch.tensor(alpha), numtorch.tensor(x))
    np.testing.assert_allclose(n.numpy(), t._standard_gamma_grad(t.tensor(alpha), t.tensor(x)).numpy(),
                               rtol=1e-5 if dtype == "float32" else 1e-12)

    def fn(m, a):
        m.manual_seed(2)
        return _standard_gamma(a) if m is numtorch else m._standard_gamma(a)
    check(fn, alpha, atol=1e-5, rtol=1e-5)
    check_raises(lambda m: (_standard_gamma if m is numtorch else m._standard_gamma)(m.ones(2, dtype=m.long)))


def test_gamma_cdf():
    # torch has no derivative of gammainc in its first argument, so only the rate gets a gradient
    v = pos(2, 3, seed=2, dtype="float64")
    check(lambda m, a, b: D(m).Gamma(a.detach(), b).cdf(m.tensor(v)), *two_pos((2, 3), "float64"))
    check_raises(lambda m: D(m).Gamma(m.ones(2), m.ones(2)).cdf(-m.ones(2)))


def test_studentt_fisher_edge_moments():
    def fn(m, df):
        t, f = D(m).StudentT(df, 1.0, 2.0), D(m).FisherSnedecor(df, df + 1)
        return t.mean, t.variance, f.mean, f.mode, f.variance, t.expand((2, 4)).batch_shape
    check(fn, np.array([0.5, 1.5, 3.0, 6.0]))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_dirichlet(dtype):
    conc = np.exp(rand(2, 4, seed=3, dtype=dtype))
    v = np.array([[0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]], dtype=dtype)

    def fn(m, c):
        m.manual_seed(13)
        d = D(m).Dirichlet(c)
        x = d.rsample((3,))
        return (x, d.sample(), d.log_prob(m.tensor(v)), d.entropy(), d.mean, d.mode, d.variance,
                d.batch_shape, d.event_shape, d.expand((5, 2)).sample().shape,
                (x * m.arange(4.0, dtype=x.dtype)).sum())
    check(fn, conc, atol=1e-5, rtol=1e-4)
    check(lambda m, c, e: D(m).kl_divergence(D(m).Dirichlet(c), D(m).Dirichlet(e)), conc,
          np.exp(rand(2, 4, seed=4, dtype=dtype)), atol=1e-5, rtol=1e-4)
    check(lambda m, c: D(m).Dirichlet(c).mode, np.array([[0.5, 0.3, 0.9], [2.0, 3.0, 0.5]]), grad=False)
    check_raises(lambda m: D(m).Dirichlet(m.tensor(1.0)))
    check_raises(lambda m: D(m).Dirichlet(m.tensor([1.0, -1.0])))


def test_dirichlet_grad_branches():
    from numtorch._ops.gamma import _dirichlet_grad
    t = need_torch()
    # x near 0, near 1, both concentrations large (near and away from the mean), and the rational fit
    x = np.array([0.01, 0.98, 0.45, 0.30, 0.5, 0.2])
    alpha = np.array([0.5, 2.0, 9.0, 10.0, 1.5, 3.0])
    total = np.array([3.0, 2.5, 20.0, 22.0, 4.0, 6.0])
    for dt in ("float32", "float64"):
        args = [a.astype(dt) for a in (x, alpha, total)]
        n = _dirichlet_grad(*(numtorch.tensor(a) for a in args)).numpy()
        np.testing.assert_allclose(n, t._dirichlet_grad(*(t.tensor(a) for a in args)).numpy(),
                                   rtol=1e-4 if dt == "float32" else 1e-10)


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_binomial_negative_binomial(kind):
    n = np.array([[5.0, 5.0, 5.0], [5.0, 5.0, 5.0]])
    p = prob(2, 3, dtype="float64") if kind == "probs" else rand(2, 3, dtype="float64")
    k = np.array([[0.0, 2.0, 5.0], [1.0, 3.0, 4.0]])

    def fn(m, n, p):
        m.manual_seed(21)
        b = D(m).Binomial(n.detach(), **{kind: p})
        nb = D(m).NegativeBinomial(n.detach() / 2, **{kind: p})
        return (b.sample((3,)), b.log_prob(m.tensor(k)), b.entropy(), b.mean, b.mode, b.variance,
                b.enumerate_support(), b.enumerate_support(False), b.expand((4, 2, 3)).sample().shape,
                repr(b.support), nb.sample((2,)), nb.log_prob(m.tensor(k)), nb.mean, nb.mode, nb.variance,
                nb.expand((2, 2, 3)).sample().shape, b.param_shape)
    check(fn, n, p, atol=1e-5)
    check(lambda m, p, q: D(m).kl_divergence(D(m).Binomial(5, p), D(m).Binomial(5, q)),
          prob(3), prob(3, seed=1))
    check(lambda m, p, q: D(m).kl_divergence(D(m).Binomial(m.tensor([5.0, 6.0]), p),
                                             D(m).Binomial(m.tensor([5.0, 5.0]), q)),
          prob(2), prob(2, seed=1))
    for bad in (lambda m: D(m).kl_divergence(D(m).Binomial(3, m.ones(2) / 2),
                                             D(m).Binomial(5, m.ones(2) / 2)),
                lambda m: D(m).Binomial(m.tensor([2.0, 3.0]), m.ones(2) / 2).entropy(),
                lambda m: D(m).Binomial(m.tensor(2.5), m.tensor(0.5)),
                lambda m: D(m).NegativeBinomial(m.tensor(2.0), m.tensor(1.0))):
        ne, te = check_raises(bad)
        assert str(ne) == str(te)
    check(lambda m, p: D(m).kl_divergence(D(m).Poisson(p * 3), D(m).Binomial(5, p)), prob(3))


def test_multinomial():
    def fn(m, p):
        m.manual_seed(17)
        d = D(m).Multinomial(6, p)
        v = m.tensor([[1.0, 2.0, 3.0, 0.0], [6.0, 0.0, 0.0, 0.0]], dtype=p.dtype)
        return (d.sample(), d.sample((3,)), d.log_prob(v), d.entropy(), d.mean, d.variance, d.logits,
                d.param_shape, d.event_shape, repr(d.support), d.expand((5, 2)).sample().shape)
    check(fn, pos(2, 4, dtype="float64"))
    check(lambda m, p: D(m).Multinomial(3, logits=p).log_prob(m.tensor([[0.0, 3.0, 0.0]])),
          np.array([[-np.inf, 0.5, 1.0]]), grad=False)
    check_raises(lambda m: D(m).Multinomial(m.tensor(3), m.ones(3)))
    check_raises(lambda m: D(m).Multinomial(3, m.ones(3)).log_prob(m.tensor([1.0, 1.0, 2.0])))


@pytest.mark.parametrize("event", [False, True])
def test_mixture_same_family(event):
    def fn(m, w, loc, scale):
        m.manual_seed(23)
        comp = D(m).Normal(loc, scale)
        if event:
            comp = D(m).Independent(comp, 1)
        d = D(m).MixtureSameFamily(D(m).Categorical(w), comp)
        x = m.zeros(d.batch_shape + d.event_shape, dtype=loc.dtype) + 0.3
        out = [d.sample(), d.sample((3,)), d.log_prob(x), d.mean, d.variance, d.batch_shape, d.event_shape,
               repr(d), repr(d.support), d.expand((4,) + tuple(d.batch_shape)).sample().shape]
        if not event:
            out.append(d.cdf(x))
        return out
    shape = (2, 3, 4) if event else (2, 3)
    check(fn, pos(2, 3), rand(*shape), pos(*shape, seed=1))
    check_raises(lambda m: D(m).MixtureSameFamily(D(m).Normal(0.0, 1.0), D(m).Normal(m.zeros(3), 1.0)))
    check_raises(lambda m: D(m).MixtureSameFamily(D(m).Categorical(m.ones(2)), D(m).Normal(m.zeros(3), 1.0)))
    check_raises(lambda m: D(m).MixtureSameFamily(D(m).Categorical(m.ones(2, 3)),
                                                  D(m).Normal(m.zeros(4, 3), 1.0)))


@pytest.mark.parametrize("batch", [(), (2,)])
def test_lowrank_multivariate_normal(batch):
    v = rand(3, *batch, 4, seed=7, dtype="float64")

    def fn(m, loc, W, Dg):
        m.manual_seed(31)
        d = D(m).LowRankMultivariateNormal(loc, W, Dg)
        return (d.rsample((2,)), d.sample(), d.log_prob(m.tensor(v)), d.entropy(), d.mean, d.variance,
                d.covariance_matrix, d.precision_matrix, d.scale_tril, d.batch_shape, d.event_shape,
                d.expand((5,) + batch).log_prob(m.tensor(v[0])))
    check(fn, rand(*batch, 4, dtype="float64"), rand(*batch, 4, 2, seed=1, dtype="float64"),
          pos(*batch, 4, seed=2, dtype="float64"), atol=1e-5, rtol=1e-4)


def test_lowrank_kl_and_errors():
    def fn(m, loc, W, Dg, loc2, W2, Dg2, cov):
        p = D(m).LowRankMultivariateNormal(loc, W, Dg)
        q = D(m).LowRankMultivariateNormal(loc2, W2, Dg2)
        r = D(m).MultivariateNormal(loc2, cov)
        kl = D(m).kl_divergence
        return kl(p, q), kl(p, r), kl(r, p)
    check(fn, rand(2, 3, dtype="float64"), rand(2, 3, 2, seed=1, dtype="float64"),
          pos(2, 3, seed=2, dtype="float64"), rand(3, seed=3, dtype="float64"),
          rand(3, 1, seed=4, dtype="float64"), pos(3, seed=5, dtype="float64"),
          spd(3, seed=6), atol=1e-5, rtol=1e-4)
    bad = [lambda m: D(m).LowRankMultivariateNormal(m.tensor(0.0), m.ones(1, 1), m.ones(1)),
           lambda m: D(m).LowRankMultivariateNormal(m.zeros(2), m.ones(2), m.ones(2)),
           lambda m: D(m).LowRankMultivariateNormal(m.zeros(2), m.ones(3, 1), m.ones(2)),
           lambda m: D(m).LowRankMultivariateNormal(m.zeros(2), m.ones(2, 1), m.ones(3)),
           lambda m: D(m).LowRankMultivariateNormal(m.zeros(3, 2), m.ones(4, 2, 1), m.ones(2)),
           lambda m: D(m).kl_divergence(D(m).LowRankMultivariateNormal(m.zeros(2), m.ones(2, 1), m.ones(2)),
                                        D(m).LowRankMultivariateNormal(m.zeros(3), m.ones(3, 1), m.ones(3))),
           lambda m: D(m).kl_divergence(D(m).LowRankMultivariateNormal(m.zeros(2), m.ones(2, 1), m.ones(2)),
                                        D(m).MultivariateNormal(m.zeros(3), m.eye(3)))]
    for fn in bad:
        ne, te = check_raises(fn)
        assert str(ne) == str(te)


def test_continuous_bernoulli_near_half():
    # probs inside (0.499, 0.501) take torch's Taylor branches
    p = np.array([0.4995, 0.5, 0.5004, 0.2, 0.9])

    def fn(m, p):
        m.manual_seed(3)
        d = D(m).ContinuousBernoulli(p)
        v = m.tensor([0.1, 0.5, 0.9, 0.3, 0.7], dtype=p.dtype)
        return (d.log_prob(v), d.mean, d.variance, d.entropy(), d.cdf(v), d.icdf(v), d.rsample((2,)),
                d.expand((2, 5)).sample().shape, d.stddev)
    check(fn, p, atol=1e-5, rtol=1e-4)
    check_raises(lambda m: D(m).ContinuousBernoulli(m.tensor([1.5]), validate_args=True))


def test_von_mises():
    def fn(m, loc, conc):
        m.manual_seed(4)
        d = D(m).VonMises(loc, conc)
        return (d.sample((5,)), d.log_prob(m.tensor([0.3, 0.2, 1.0, -3.0], dtype=loc.dtype)), d.variance,
                d.mean, d.mode, d.expand((2, 4)).sample().shape, d.batch_shape)
    check(fn, np.array([0.0, 1.0, -2.0, 3.0]), np.array([0.5, 4.0, 1e-6, 20.0]), atol=1e-5)
    def float32(m, c):
        m.manual_seed(1)
        return D(m).VonMises(0.0, c).sample((3,))
    check(float32, np.array([1.0, 2.0], dtype="float32"), grad=False)
    check_raises(lambda m: D(m).VonMises(0.0, -1.0))


@pytest.mark.parametrize("conc", [[0.3, -0.2, 0.0], [0.7, 0.1, -0.6]])
def test_generalized_pareto(conc):
    v = np.array([0.5, 1.2, 2.0])

    def fn(m, loc, scale, c):
        m.manual_seed(9)
        d = D(m).GeneralizedPareto(loc, scale, c.detach())
        x = m.tensor(v, dtype=loc.dtype) + loc.detach()
        return (d.rsample((3,)), d.log_prob(x), d.cdf(x), d.log_cdf(x), d.log_survival_function(x),
                d.icdf(m.tensor([0.1, 0.5, 0.9], dtype=loc.dtype)), d.mean, d.variance, d.entropy(), d.mode,
                d.expand((2, 3)).sample().shape, repr(d.support))
    check(fn, rand(3), pos(3, seed=1), np.array(conc, dtype="float32"), atol=1e-5, rtol=1e-4)
    check_raises(lambda m: D(m).GeneralizedPareto(0.0, 1.0, -1.0).log_prob(m.tensor(2.0)))


SEQ_TRANSFORMS = {
    "Cat": (lambda T, m: T.CatTransform([T.ExpTransform(), T.identity_transform, T.SigmoidTransform()],
                                        dim=-1, lengths=[1, 2, 1]), (3, 4)),
    "CatBatch": (lambda T, m: T.CatTransform([T.ExpTransform(), T.AffineTransform(1.0, 2.0)], dim=0,
                                             lengths=[1, 2]), (3, 4)),
    "Stack": (lambda T, m: T.StackTransform([T.ExpTransform(), T.SigmoidTransform()], dim=1), (3, 2)),
    "CorrCholesky": (lambda T, m: T.CorrCholeskyTransform(), (2, 3)),
}


@pytest.mark.parametrize("name", list(SEQ_TRANSFORMS))
def test_seq_transforms(name):
    make, shape = SEQ_TRANSFORMS[name]

    def fn(m, x):
        t = make(D(m).transforms, m)
        y = t(x)
        return (y, t.inv(y), t.log_abs_det_jacobian(x, y), t.bijective, t.domain.event_dim,
                t.codomain.event_dim, t.forward_shape(x.shape), t.inverse_shape(y.shape),
                t.with_cache(1)(x))
    check(fn, rand(*shape, dtype="float64", low=-1, high=1), atol=1e-6)
    check_raises(lambda m: make(D(m).transforms, m)(m.zeros(5, 5)))


def test_cdf_transform():
    def fn(m, loc, scale, x):
        t = D(m).transforms.CumulativeDistributionTransform(D(m).Normal(loc, scale))
        y = t(x)
        return y, t.inv(y), t.log_abs_det_jacobian(x, y), repr(t.domain), t.sign, t.with_cache(1)(x)
    check(fn, rand(3, dtype="float64"), pos(3, seed=1, dtype="float64"), rand(3, seed=2, dtype="float64"))


CONSTRAINTS_TO = [
    lambda c: c.real, lambda c: c.positive, lambda c: c.nonnegative, lambda c: c.greater_than(1.5),
    lambda c: c.greater_than_eq(-1.0), lambda c: c.less_than(2.0), lambda c: c.interval(-1.0, 3.0),
    lambda c: c.unit_interval, lambda c: c.half_open_interval(0.0, 1.0), lambda c: c.simplex,
    lambda c: c.independent(c.positive, 1), lambda c: c.lower_cholesky, lambda c: c.positive_definite,
    lambda c: c.corr_cholesky, lambda c: c.cat([c.positive, c.real], dim=-1, lengths=[1, 2]),
    lambda c: c.stack([c.positive, c.unit_interval, c.real], dim=-1),
]


@pytest.mark.parametrize("i", range(len(CONSTRAINTS_TO)))
@pytest.mark.parametrize("registry", ["biject_to", "transform_to"])
def test_constraint_registry(i, registry):
    def fn(m, x):
        dist = D(m)
        con = CONSTRAINTS_TO[i](dist.constraints)
        t = getattr(dist, registry)(con)
        v = x if con.event_dim < 2 else x.reshape(2, 3, 3)[..., :3, :3]
        T = dist.transforms
        if isinstance(t, (T.CorrCholeskyTransform, T.CatTransform, T.StackTransform)):
            v = x[:, :3]
        y = t(v)
        return y, bool(con.check(y).all()), repr(t), t.inv(y)
    check(fn, rand(2, 9, dtype="float64", low=-1, high=1), grad=False, atol=1e-6)


def test_constraint_registry_errors():
    for fn in (lambda m: D(m).biject_to(D(m).constraints.lower_cholesky),
               lambda m: D(m).transform_to(D(m).constraints.boolean),
               lambda m: D(m).biject_to.register(3, lambda c: None)):
        ne, te = check_raises(fn)
        assert str(ne) == str(te)


@pytest.mark.parametrize("dim", [2, 4])
def test_lkj_cholesky(dim):
    def fn(m, conc):
        m.manual_seed(27)
        d = D(m).LKJCholesky(dim, conc)
        x = d.sample((2,))
        return (x, d.log_prob(x), d.batch_shape, d.event_shape, d.expand((2, 3)).sample().shape,
                bool(d.support.check(x).all()))
    check(fn, np.array([0.5, 1.0, 3.0]), atol=1e-5)
    ne, te = check_raises(lambda m: D(m).LKJCholesky(1, 1.0))
    assert str(ne) == str(te)


@pytest.mark.parametrize("param", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart(param):
    mat = spd(3, (2,))
    if param == "scale_tril":
        mat = np.linalg.cholesky(mat)

    def fn(m, df, mt):
        m.manual_seed(41)
        d = D(m).Wishart(df, **{param: mt})
        x = d.rsample((2,))
        return (x, d.log_prob(x.detach()), d.entropy(), d.mean, d.mode, d.variance, d.covariance_matrix,
                d.precision_matrix, d.scale_tril, d.batch_shape, d.event_shape,
                d.expand((4, 2)).sample().shape)
    # batched: torch's backward trips over its own in-place edit of the redraw mask, so values only
    check(fn, np.array([4.0, 6.5]), mat, atol=1e-5, rtol=1e-4, grad=False)

    def single(m, df, mt):
        m.manual_seed(43)
        return D(m).Wishart(df, **{param: mt}).rsample()
    check(single, np.array(5.0), mat[0], atol=1e-5, rtol=1e-4)


def test_wishart_errors_and_warnings():
    check(lambda m: D(m).Wishart(2.5, m.eye(3)).batch_shape)  # low df warns
    for fn in (lambda m: D(m).Wishart(1.5, m.eye(3)),
               lambda m: D(m).Wishart(4.0, m.ones(3)),
               lambda m: D(m).Wishart(4.0, m.eye(3), scale_tril=m.eye(3))):
        ne, te = check_raises(fn)
        assert str(ne) == str(te)
