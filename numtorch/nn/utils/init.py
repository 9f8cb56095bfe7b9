"""torch.nn.utils.skip_init: build a module without running its parameter initialisation."""
import inspect

import numtorch


def skip_init(module_cls, *args, **kwargs):
    """Instantiates ``module_cls`` without initialising its parameters (values are unspecified)."""
    from ..modules.module import Module
    if not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    # torch builds on the meta device, which draws no random numbers: restore the RNG so none are consumed.
    state = numtorch.get_rng_state()
    try:
        return module_cls(*args, **kwargs)
    finally:
        numtorch.set_rng_state(state)
