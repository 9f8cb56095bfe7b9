"""Every op, one module per family; importing this package registers them all."""
from . import _registry, creation, pointwise, reduction, shape, linalg, conversion, operators, views  # noqa: F401
from . import random, indexing, sorting, statistics, unary, binary, matrix, comparison  # noqa: F401
from . import einsum, histogram, decomp, spectral, lu, scatter, masking, slicing, scatter_reduce  # noqa: F401
from . import rnn, attention  # noqa: F401
from . import activation  # noqa: F401
from . import normalization  # noqa: F401
from . import dropout  # noqa: F401
from . import pooling, sampling  # noqa: F401
from . import orthopoly, bessel, igamma, complexops, numeric, windows, solvers, lowrank, stft  # noqa: F401
from . import poisson  # noqa: F401
from . import lobpcg  # noqa: F401
from ._registry import FUNCTIONS
from .pointwise import public

for _fn in (creation.tensor, creation.as_tensor, creation.asarray, creation.from_numpy, creation.zeros,
            creation.ones, creation.empty, creation.full, creation.zeros_like, creation.ones_like,
            creation.empty_like, creation.full_like, creation.arange, creation.range, creation.linspace,
            creation.logspace, creation.eye, creation.empty_strided, creation.scalar_tensor):
    public(_fn, method=False)
for _fn in (reduction.sum, reduction.mean):
    public(_fn)
setattr(_registry.Tensor, "sum_to_size", reduction.sum_to_size)
# torch exposes these Tensor methods as functions too (the seeds call torch.detach(loss)).
FUNCTIONS["detach"] = _registry.Tensor.detach
FUNCTIONS["detach_"] = _registry.Tensor.detach_
from . import nn_linear  # noqa: F401
from . import conv  # noqa: F401
from . import loss, distance, embedding  # noqa: F401
from . import grid  # noqa: F401
from . import ctc  # noqa: F401
from . import aliases  # noqa: F401
from . import tensor_extras  # noqa: F401
