"""torch.nn.parallel: module wrappers for data parallelism."""
from .data_parallel import DataParallel  # noqa: F401
