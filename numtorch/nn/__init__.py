"""numtorch.nn: modules, parameters, functional, init (torch.nn's API).

Each family adds its re-export line here (layers live in nn/modules/, math in numtorch/_ops/).
"""
from . import functional  # noqa: F401
from . import init  # noqa: F401
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401
from .modules.module import Module  # noqa: F401
from .modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase  # noqa: F401
