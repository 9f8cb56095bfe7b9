"""``torch.distributions``: parameterizable probability distributions and sampling functions."""
from . import constraints
from .bernoulli import Bernoulli
from .categorical import Categorical
from .cauchy import Cauchy
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .exponential import Exponential
from .geometric import Geometric
from .kl import kl_divergence, register_kl
from .laplace import Laplace
from .normal import Normal
from .poisson import Poisson
from .uniform import Uniform

__all__ = ["Bernoulli", "Categorical", "Cauchy", "Distribution", "Exponential", "ExponentialFamily",
           "Geometric", "Laplace", "Normal", "Poisson", "Uniform", "constraints", "kl_divergence",
           "register_kl"]
