"""torch.amp: automatic mixed precision (autocast and gradient scaling)."""
from .autocast_mode import (autocast, custom_bwd, custom_fwd, get_autocast_dtype,  # noqa: F401
                            is_autocast_available, is_autocast_enabled, set_autocast_dtype,
                            set_autocast_enabled, _install)
from .grad_scaler import GradScaler  # noqa: F401

_install()
