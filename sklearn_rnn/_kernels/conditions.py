"""Which calls of a recurrent module the CPU kernels may stand in for.

The small-batch predict shortcuts
(:mod:`sklearn_rnn._kernels.gru_small_batch` and
:mod:`sklearn_rnn._kernels.lstm_small_batch`) are checked bit for bit
against the module's own float32 CPU kernels at inference, and apply only
there (:func:`float32_cpu_inference`). The training paths (the GRU kernel of
:mod:`sklearn_rnn._kernels.gru_training` and the time chunks of
:mod:`sklearn_rnn._kernels.time_chunks`) apply only to batch-first CPU
forwards in training with gradients (:func:`cpu_training`), each with
conditions of its own on top.
"""

import torch

__all__ = ["cpu_training", "float32_cpu_inference"]


def cpu_training(rnn, x):
    """Whether ``rnn(x)`` is a batch-first CPU forward in training.

    Returns True in training mode with gradients enabled, for a batch-first
    module and a 3D input on the CPU.
    """
    return (
        rnn.training
        and rnn.batch_first
        and x.dim() == 3
        and x.device.type == "cpu"
        and torch.is_grad_enabled()
    )


def float32_cpu_inference(rnn, x):
    """Whether ``rnn(x)`` is a float32, batch-first CPU forward at inference.

    Returns True in eval mode, without gradients or CPU autocast, for a 3D
    float32 CPU input and float32 weights.
    """
    return (
        not rnn.training
        and rnn.batch_first
        and x.dim() == 3
        and x.device.type == "cpu"
        and x.dtype == torch.float32
        and rnn.weight_hh_l0.dtype == torch.float32
        and not torch.is_grad_enabled()
        and not torch.is_autocast_enabled("cpu")
    )
