"""Plain PyTorch modules behind the estimators.

Nothing in this module knows about scikit-learn or NumPy: a module takes
batch-first float tensors and returns float tensors, so it can be built,
tested and reused on its own.
"""

import torch
from torch import nn

from ._convolution import ConvolutionBranch, FeatureRows, RandomConvolutionBranch
from ._kernels import output_layer, pad_rows, run_recurrent
from ._window_normalization import WindowNormalization

__all__ = ["RecurrentNetwork", "CELLS", "POOLINGS"]

CELLS = {"lstm": nn.LSTM, "gru": nn.GRU}

#: How the per-timestep outputs are summarised into one vector per sequence.
POOLINGS = ("last", "mean", "max", "concat")


class RecurrentNetwork(nn.Module):
    """A stacked LSTM/GRU with a pooling summary and a linear head.

    Parameters
    ----------
    input_size : int
        Number of channels per time step.
    output_size : int
        Number of outputs per sequence (regression targets or class logits).
    cell : {"lstm", "gru"}, default="lstm"
        Recurrent cell.
    hidden_size : int, default=64
        Hidden units per direction and layer.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    bidirectional : bool, default=False
        Whether to run a second recurrent stack backwards in time.
    dropout : float, default=0.0
        Dropout between stacked layers and before the head.
    input_noise : float, default=0.0
        Standard deviation of Gaussian noise added to the standardised inputs
        in training mode (not in eval mode).
    pooling : {"last", "mean", "max", "concat"}, default="last"
        Sequence summary fed to the head: the last layer's final hidden state
        (both directions when bidirectional), the mean or the maximum of the
        outputs over the valid time steps, or all three concatenated.
    relative : bool, default=False
        If True, a :class:`~sklearn_rnn._window_normalization.WindowNormalization`
        (the attribute ``window``, else None) reads each sequence relative
        to its last valid step (``x - x[last]``, per channel), and the last
        step's values (the sequence's level, standardised by the component's
        ``level_shift``/``level_scale``) are fed to the output layers
        alongside the summary.
    skip_steps : int, default=0
        If positive, a linear skip connection maps the last ``skip_steps``
        (standardised) steps straight to the outputs, in parallel with the
        recurrent path (LSTNet's autoregressive "highway"). The level of
        relative sequences does not enter it, so it cannot extrapolate a
        trend in the level. Sequences shorter than ``skip_steps`` contribute
        zeros for the missing steps.
    differences : bool, default=False
        If True, the recurrent layers read each step's change from the
        previous step (first differences of every channel, divided by
        ``diff_scale``; zero at a sequence's first step) next to the
        standardised values. The linear skip connection reads the values
        only.
    patch_size : int, default=1
        Number of consecutive time steps the recurrent layers read as one
        step (their channels concatenated), counted back from each
        sequence's last step, so that its newest steps fill its last patch
        alike at any length; the first, partial patch is completed with
        zeros (in standardised units). Patches shorten long sequences, which recurrent
        networks learn from far more easily.
    fast_gru_training : bool, default=True
        Whether a GRU trains through
        :func:`sklearn_rnn._kernels.gru_training.gru_train` (the function
        and gradients of ``nn.GRU``, to float32 rounding, with less work per
        step) where that applies; False keeps ``nn.GRU``'s own
        autograd kernels. No effect on an LSTM or at inference.
    chunk_long_sequences : bool, default=True
        Whether long equal-length batches train in chunks of time steps
        (see :mod:`sklearn_rnn._kernels.time_chunks`: the same function and
        gradients, to float32 rounding, with buffers small enough for the
        allocator to reuse instead of mapping fresh pages every step), for
        a single-direction LSTM and for a GRU on the fast training kernel;
        False runs every sequence at once. No effect at inference, off the
        CPU, or where the whole sequence's buffers are small.

    Notes
    -----
    Inputs: ``x`` of shape ``(batch, time, input_size)`` and optionally
    ``lengths``, an int64 CPU tensor of shape ``(batch,)`` with the number of
    valid (left-aligned) steps of each sequence. With ``lengths`` each
    sequence is read to its own length only (padded on the CPU, packed
    elsewhere: see ``run_recurrent``), so padding never changes any
    sequence's output.
    Output: a tensor of shape ``(batch, output_size)``.

    The recurrent layers run through :func:`sklearn_rnn._kernels.run_recurrent`,
    which picks a faster CPU kernel where one computes the same thing. At
    CPU inference (eval mode, no gradients) the batch runs padded with zero
    rows to a multiple of four (:func:`sklearn_rnn._kernels.pad_rows`) and
    the output layer in float64 (:func:`sklearn_rnn._kernels.output_layer`),
    so that the sequences run beside a sequence change its output as little
    as they can, and the mean pooling reads a contiguous copy of the
    recurrent output (a strided view is summed in an order that follows the
    batch's layout). Measured (torch 2.13, one thread, an x86 CPU; LSTM and
    GRU, one or two directions and layers, hidden sizes 4 to 64): a batch of
    sequences of equal length gives each the bits it gets alone (batches of
    2 to 64 rows); in a batch of sequences of different lengths (run to
    the longest of them), an output is the same only to float32 rounding
    (up to 2e-6 in a classifier's log-probabilities after 20 epochs).

    The buffers ``input_shift`` and ``input_scale`` (zeros and ones unless set)
    standardise each channel on the way in, so callers need not copy their
    data to scale it.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._networks import RecurrentNetwork
    >>> net = RecurrentNetwork(input_size=3, output_size=2, hidden_size=8)
    >>> net(torch.zeros(5, 7, 3)).shape
    torch.Size([5, 2])
    """

    def __init__(
        self,
        input_size,
        output_size,
        *,
        cell="lstm",
        hidden_size=64,
        num_layers=1,
        bidirectional=False,
        dropout=0.0,
        input_noise=0.0,
        pooling="last",
        relative=False,
        skip_steps=0,
        differences=False,
        patch_size=1,
        fast_gru_training=True,
        chunk_long_sequences=True,
        conv_filters=None,
        conv_max_steps=256,
        random_biases=0,
    ):
        super().__init__()
        # Python numbers: torch's layers refuse NumPy's (a grid of np.arange)
        hidden_size, num_layers, skip_steps, patch_size, random_biases = (
            int(v) for v in (hidden_size, num_layers, skip_steps, patch_size, random_biases))
        bidirectional, differences = bool(bidirectional), bool(differences)
        dropout, input_noise = float(dropout), float(input_noise)
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")
        self.pooling = pooling
        self.input_noise = input_noise
        self.skip_steps = skip_steps
        self.patch_size = patch_size
        self.patches_from_end = True
        self.differences = differences
        self.fast_gru_training = fast_gru_training
        self.chunk_long_sequences = chunk_long_sequences
        step_size = input_size * (2 if differences else 1)
        self.rnn = CELLS[cell](
            input_size=step_size * patch_size,
            hidden_size=hidden_size,
            num_layers=num_layers,
            batch_first=True,
            bidirectional=bidirectional,
            dropout=dropout if num_layers > 1 else 0.0,
        )
        n_dir = 2 if bidirectional else 1
        summary = hidden_size * n_dir * (3 if pooling == "concat" else 1)
        self.window = WindowNormalization(input_size) if relative else None
        level = input_size if relative else 0
        self.conv = None
        if conv_filters:
            self.conv = ConvolutionBranch(input_size, conv_filters, conv_max_steps)
            summary += self.conv.output_size
        self.random_conv = None
        if random_biases:
            # its size is known once fit_random_convolutions has seen the data
            self.random_conv = RandomConvolutionBranch(input_size, random_biases)
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(summary + level, output_size)
        self._head_inputs = summary + level
        self.skip = (
            nn.Linear(skip_steps * input_size, output_size)
            if skip_steps > 0
            else None
        )
        # Fixed per-channel standardisation, set by the estimator from the
        # training data: x -> (x - input_shift) / input_scale.
        self.register_buffer("input_shift", torch.zeros(input_size))
        self.register_buffer("input_scale", torch.ones(input_size))
        # Scale of the first differences (their root mean square in the
        # training data), when ``differences``.
        self.register_buffer("diff_scale", torch.ones(input_size))

    def forward(self, x, lengths=None, fixed=None):
        """Summarise each sequence and map it to the outputs.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, time, input_size)
            Batch-first sequences, padded at the end when ``lengths`` is given.
        lengths : torch.Tensor of shape (batch,), default=None
            Valid steps per sequence (int64, on the CPU); ``None`` when all
            sequences use every step.
        fixed : torch.Tensor of shape (batch, n_fixed), default=None
            These rows of :meth:`fixed_inputs`, computed once per fit; from
            ``x`` when None.

        Returns
        -------
        torch.Tensor of shape (batch, output_size)
            The head's outputs.
        """
        rows = x.shape[0]
        # At CPU inference, a multiple of four rows: see _kernels.pad_rows.
        x, lengths = pad_rows(self, x, lengths)
        diffs = _differences(x, lengths) / self.diff_scale if self.differences else None
        x, level = self._standardized(x, lengths)
        steps = x if diffs is None else torch.cat([x, diffs], dim=2)
        clean = x
        if self.training and self.input_noise > 0:
            steps = steps + self.input_noise * torch.randn_like(steps)
            x = steps[..., : x.shape[2]]
        step_lengths = lengths
        if self.patch_size > 1:
            steps, step_lengths = _patches(
                steps, lengths, self.patch_size,
                # modules pickled before patches were counted from the end
                from_end=getattr(self, "patches_from_end", False))
        out, h_n = run_recurrent(
            self.rnn,
            steps,
            step_lengths,
            real_rows=rows,
            keep_outputs=self.pooling != "last",  # "last" reads h_n only
            # getattr: modules pickled before these options existed
            fast_gru_training=getattr(self, "fast_gru_training", True),
            chunk_long_sequences=getattr(self, "chunk_long_sequences", True),
        )
        summary = self._summarise(out, h_n, step_lengths)
        if getattr(self, "conv", None) is not None:
            summary = torch.cat([summary, self.conv(x, lengths)], dim=1)
        if getattr(self, "random_conv", None) is not None:
            if fixed is None and rows < len(clean):  # the padding rows' features: zeros
                fixed = self.random_conv(
                    clean[:rows], None if lengths is None else lengths[:rows])
            summary = torch.cat([summary, self.random_conv(clean, lengths, fixed)], dim=1)
        if level is not None:
            summary = torch.cat([summary, level], dim=1)
        output = output_layer(self.head, self.dropout(summary))
        if self.skip is not None:
            skipped = _last_steps(x, lengths, self.skip_steps).flatten(1)
            output = output + output_layer(self.skip, skipped)
        return output[:rows]

    def fit_random_convolutions(self, x, lengths=None, weight=None):
        """Set up the random convolutions from raw training sequences ``x``
        (rows weighed by ``weight``, their sample weights, where given).

        Returns the standardised features of ``x``, of shape ``(batch,
        random_conv.output_size)``; they go last in the head's inputs. Above
        the branch's memory budget, a
        :class:`~sklearn_rnn._convolution.FeatureRows` that computes those
        of the rows asked for.
        """
        raw, (x, _) = x, self._standardized(x, lengths)
        features = self.random_conv.fit(x, lengths, weight=weight)
        if self.random_conv.fits_budget(len(x)):  # for fixed_inputs, once
            self._fitted = ((raw, lengths), features)
        else:
            self.random_conv.warn_over_budget(len(x))
        old = self.head
        self.head = nn.Linear(self._head_inputs + self.random_conv.output_size,
                              old.out_features)
        return features

    def fixed_inputs(self, x, lengths=None, keep=False):
        """What :meth:`forward` takes as ``fixed`` for raw sequences ``x``, or None.

        The random convolutions' standardised features (see
        :meth:`~sklearn_rnn._convolution.RandomConvolutionBranch.table`):
        None without them or over their memory budget. Those of the
        sequences :meth:`fit_random_convolutions` was just given (the same
        tensor), or the last call with ``keep``, are handed over, not
        computed again.
        """
        fitted_on, features = self.__dict__.pop("_fitted", ((None, None), None))
        if getattr(self, "random_conv", None) is None:
            return None
        if all(map(_same_tensor, fitted_on, (x, lengths))):
            return features
        features = self.random_conv.table(self._standardized(x, lengths)[0], lengths)
        if keep and features is not None:
            self._fitted = ((x, lengths), features)
        return features

    def feature_rows(self, x, lengths=None):
        """The random convolutions' standardised features of raw sequences
        ``x``, computed for the rows asked for
        (:class:`~sklearn_rnn._convolution.FeatureRows`)."""
        return FeatureRows(self.random_conv, self._standardized(x, lengths)[0], lengths)

    def skip_features(self, x, lengths=None):
        """Inputs of the linear skip connection for raw sequences ``x``.

        Parameters
        ----------
        x : torch.Tensor of shape (batch, time, input_size)
            Sequences as passed to :meth:`forward`.
        lengths : torch.Tensor of shape (batch,), default=None
            Valid steps per sequence.

        Returns
        -------
        torch.Tensor of shape (batch, skip_steps * input_size)
            The last ``skip_steps`` steps, standardised (and relative to the
            last step when ``relative``).
        """
        if x.shape[1] <= self.skip_steps:
            return _last_steps(self._standardized(x, lengths)[0], lengths,
                               self.skip_steps).flatten(1)
        # The last steps cut first, so that the standardisation reads them
        # only, not every padded step (review s35 rvD F2); the same values:
        # the last step stays last, and missing steps are zeros after it.
        valid = None if lengths is None else _last_steps(
            torch.ones_like(x[:, :1, :1]).expand(-1, x.shape[1], 1), lengths,
            self.skip_steps)
        cut = _last_steps(x, lengths, self.skip_steps)
        features = self._standardized(cut, None)[0]
        return (features if valid is None else features * valid).flatten(1)

    def _standardized(self, x, lengths):
        """The inputs the branches read, and the level (None without ``relative``).

        Raw sequences ``x`` relative to their last valid step when
        ``relative`` (that step, the level, returned beside them), then
        standardised: ``(x - input_shift) / input_scale``.
        """
        level = None
        if self.window is not None:
            x, level = self.window(x, lengths)
        return (x - self.input_shift) / self.input_scale, level

    def _summarise(self, out, h_n, lengths):
        parts = []
        if self.pooling in ("last", "concat"):
            parts.append(_last_hidden(h_n, self.rnn.bidirectional))
        if self.pooling in ("mean", "concat", "max"):
            mask = None if lengths is None else _valid_steps(out, lengths)
            if self.pooling in ("mean", "concat"):
                if mask is None:
                    # A full batch's recurrent output is a strided view whose sum
                    # follows the batch's layout: contiguous at CPU inference, a
                    # sequence's mean has the same bits in any batch of its length.
                    copy = not torch.is_grad_enabled() and out.device.type == "cpu"
                    parts.append((out.contiguous() if copy else out).mean(dim=1))
                else:
                    total = (out * mask).sum(dim=1)
                    parts.append(total / lengths.to(out.device, out.dtype)[:, None])
            if self.pooling in ("max", "concat"):
                masked = out if mask is None else out.masked_fill(~mask, float("-inf"))
                parts.append(masked.amax(dim=1))
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)

    def __getstate__(self):
        state = super().__getstate__().copy()
        state.pop("_fitted", None)  # training features: never kept with the model
        return state

    def __setstate__(self, state):
        # Networks pickled before WindowNormalization held its flag and
        # buffers themselves.
        relative = state.pop("relative", None)
        level = [state["_buffers"].pop(f"level_{n}", None) for n in ("shift", "scale")]
        super().__setstate__(state)
        if relative is not None:
            self.window = None
            if relative:
                self.window = WindowNormalization(len(level[0]))
                self.window.level_shift, self.window.level_scale = level

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # State dicts saved before WindowNormalization: its buffers' old keys.
        for name in ("level_shift", "level_scale"):
            value = state_dict.pop(prefix + name, None)
            if value is not None and self.window is not None:
                state_dict.setdefault(f"{prefix}window.{name}", value)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


def _same_tensor(a, b):
    """Whether ``a`` and ``b`` view the same memory alike (``a`` keeps it alive)."""
    if a is None or b is None:
        return a is b
    return (a.device == b.device and a.data_ptr() == b.data_ptr() and a.dtype == b.dtype
            and a.shape == b.shape and a.stride() == b.stride())


def _patches(x, lengths, size, from_end=True):
    """Group ``size`` consecutive steps into one, counted back from each
    sequence's last step (``from_end``; else from its first step).

    The partial patch (the first, or with ``from_end=False`` the last) is
    completed with zeros, as are the steps past a sequence's length, so a
    sequence's patches are the same whether it is predicted alone or in a
    padded batch, whatever the padding holds (NaN too), and its newest
    steps fill its last patch alike at any length.
    """
    batch, steps, channels = x.shape
    if lengths is None:
        missing = -steps % size
        if missing:
            pad = x.new_zeros(batch, missing, channels)
            x = torch.cat([pad, x] if from_end else [x, pad], dim=1)
        return x.reshape(batch, (steps + missing) // size, size * channels), None
    width = steps + (-steps % size)
    lead = torch.remainder(-lengths, size) if from_end else torch.zeros_like(lengths)
    on_device, lead_on_device = lengths.to(x.device), lead.to(x.device)
    source = torch.arange(width, device=x.device)[None, :] - lead_on_device[:, None]
    valid = ((source >= 0) & (source < on_device[:, None]))[:, :, None]
    # both bounds given: an omitted min is an empty input of ONNX's Clip
    index = torch.clamp(source, min=0, max=steps - 1)[:, :, None].expand(-1, -1, channels)
    x = torch.where(valid, x.gather(1, index), torch.zeros((), dtype=x.dtype, device=x.device))
    patched = torch.div(lengths + lead + size - 1, size, rounding_mode="floor")
    return x.reshape(batch, width // size, size * channels), patched


def _differences(x, lengths):
    """First differences along time, zero at the first step and past the end."""
    diffs = torch.diff(x, dim=1, prepend=x[:, :1])
    if lengths is not None:  # where, not a product: NaN padding stays out
        diffs = torch.where(_valid_steps(x, lengths), diffs,
                            torch.zeros((), dtype=diffs.dtype, device=diffs.device))
    return diffs


def _valid_steps(x, lengths):
    """Mask of shape (batch, time, 1): True at each sequence's valid steps."""
    steps = torch.arange(x.shape[1], device=x.device)
    return (steps[None, :] < lengths.to(x.device)[:, None]).unsqueeze(2)


def _last_steps(x, lengths, k):
    """The last ``k`` valid steps of each sequence, zeros where missing."""
    batch, steps, channels = x.shape
    if lengths is None:
        if steps >= k:
            return x[:, steps - k :]
        return torch.cat([x.new_zeros(batch, k - steps, channels), x], dim=1)
    ends = lengths.to(x.device).view(-1, 1)
    index = ends - k + torch.arange(k, device=x.device).view(1, -1)
    valid = (index >= 0).unsqueeze(2)
    index = index.clamp_min(0).unsqueeze(2).expand(-1, -1, channels)
    return x.gather(1, index) * valid


def _last_hidden(h_n, bidirectional):
    """Final hidden state of the last layer, directions concatenated."""
    if isinstance(h_n, tuple):  # LSTM returns (h_n, c_n)
        h_n = h_n[0]
    if bidirectional:
        return torch.cat([h_n[-2], h_n[-1]], dim=1)
    return h_n[-1]
