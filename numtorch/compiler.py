"""``torch.compiler``: compilation controls. numtorch runs compiled code eagerly (see ``numtorch.compile``)."""
from ._compile import (compile, disable, is_compiling, is_dynamo_compiling, is_exporting, list_backends,  # noqa: F401
                       reset)

__all__ = ["compile", "disable", "is_compiling", "is_dynamo_compiling", "is_exporting", "list_backends", "reset"]
