"""Layer classes, one module per family; each family adds its re-export line here."""
from .module import Module  # noqa: F401
