"""numtorch.nn: modules, parameters, functional, init (torch.nn's API).

Each family adds its re-export line here (layers live in nn/modules/, math in numtorch/_ops/).
"""
from . import functional  # noqa: F401
