"""When a small-batch predict shortcut may stand in for a recurrent module.

Both shortcuts (:mod:`sklearn_rnn._gru_scan` and
:mod:`sklearn_rnn._lstm_rows`) are checked bit for bit against the module's
own float32 CPU kernels at inference, and apply only there.
"""

import torch

__all__ = ["float32_cpu_inference"]


def float32_cpu_inference(rnn, x):
    """Whether ``rnn(x)`` is a float32, batch-first CPU forward at inference.

    Parameters
    ----------
    rnn : torch.nn.Module
        A recurrent module (``nn.GRU`` or ``nn.LSTM``).
    x : torch.Tensor
        Its input.

    Returns
    -------
    bool
        True in eval mode, without gradients or CPU autocast, for a 3D
        float32 CPU input and float32 weights.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._cpu_inference import float32_cpu_inference
    >>> gru = torch.nn.GRU(1, 8, batch_first=True).eval()
    >>> with torch.inference_mode():
    ...     float32_cpu_inference(gru, torch.zeros(4, 10, 1))
    True
    >>> float32_cpu_inference(gru, torch.zeros(4, 10, 1))  # gradients on
    False
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
