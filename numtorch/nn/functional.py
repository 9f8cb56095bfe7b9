"""torch.nn.functional: the functional form of every layer.

Re-exports only: each function is implemented with its derivative in its op family under
numtorch/_ops/ (conv, pooling, normalization, activation, loss, ...). Each family adds one import
line below.
"""
