"""numtorch.optim: optimizers and learning-rate schedulers, numerically as torch.optim."""
from . import lr_scheduler
from .adadelta import Adadelta
from .adafactor import Adafactor
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .muon import Muon
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["ASGD", "Adadelta", "Adafactor", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "Muon", "NAdam",
           "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "lr_scheduler", "swa_utils"]


def __getattr__(name):
    # swa_utils builds on numtorch.nn, which is imported after numtorch.optim: load it on first use.
    if name == "swa_utils":
        import importlib
        return importlib.import_module(__name__ + ".swa_utils")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
