"""numtorch.utils: hooks and (in later issues) data, checkpoint helpers."""
from . import hooks
