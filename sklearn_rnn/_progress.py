"""What a verbose fit prints: an epoch table and how training ended.

``verbose=1`` prints the table's header, a row for the starting weights
(epoch 0 of a fresh fit, when there is a validation set), the first epoch,
then at most one row every :data:`INTERVAL` seconds with the time per epoch
and an estimate of the time left (to ``max_iter``: early stopping may end
sooner), and always the last epoch and the latest best one (``*``), so that
a long fit in a notebook shows progress without flooding it. ``verbose >= 2``
prints every epoch. Both end with lines that say why training stopped and
which epoch's weights the model keeps; :func:`describe_start` adds what
training did to the starting weights.
"""

import time

__all__ = ["Progress", "INTERVAL", "describe_start"]

#: Least seconds between two rows at ``verbose=1``.
INTERVAL = 2.0


def _duration(seconds):
    """``"3.2s"``, ``"4m05s"`` or ``"1h02m"``."""
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, seconds = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def _number(value, width=11):
    return f"{'-':>{width}}" if value is None else f"{value:{width}.6g}"


class Progress:
    """The epoch table of one call of :func:`sklearn_rnn._training.train`.

    Parameters
    ----------
    verbose : int
        0 prints nothing; 1 prints throttled rows; 2 or more every row.
    first_epoch, max_iter : int
        Number of the first epoch of this call, and how many it may run.
    start_epoch : int, default=None
        The epoch whose weights training starts from (the validation row
        before the first epoch's); ``first_epoch - 1`` where None.
    has_valid, has_score : bool
        Whether rows have a validation loss and a validation score.
    clock : callable, default=time.perf_counter
        Source of the time used for throttling (tests pass their own).
    """

    def __init__(self, verbose, *, first_epoch, max_iter, has_valid, has_score,
                 start_epoch=None, clock=time.perf_counter):
        self.verbose = verbose
        self.first_epoch = first_epoch
        self.start_epoch = first_epoch - 1 if start_epoch is None else start_epoch
        self.last_epoch = first_epoch + max_iter - 1
        self.has_valid = has_valid
        self.has_score = has_score
        self.clock = clock
        self.last_print = None
        self.pending = None  # the last row, when it was not printed
        self.best_pending = None  # the latest best row, when it was not printed
        self.total_seconds = 0.0

    def _row(self, epoch, train_loss, valid_loss, score, best, dur, eta):
        cells = [f"{epoch:>7}", _number(train_loss)]
        if self.has_valid:
            cells.append(_number(valid_loss) + ("*" if best else " "))
        if self.has_score:
            cells.append(_number(score))
        cells += [f"{dur:>8}", f"{eta:>8}"]
        print("  ".join(cells), flush=True)
        self.last_print = self.clock()

    def start(self, valid_loss=None, score=None):
        """Print the header, and the starting weights' validation row."""
        if not self.verbose:
            return
        header = [f"{'epoch':>7}", f"{'train_loss':>11}"]
        if self.has_valid:
            header.append(f"{'valid_loss':>11} ")
        if self.has_score:
            header.append(f"{'valid_score':>11}")
        header += [f"{'dur':>8}", f"{'eta':>8}"]
        print("  ".join(header), flush=True)
        if self.has_valid and valid_loss is not None:
            self._row(self.start_epoch, None, valid_loss, score, False, "-", "-")

    def epoch(self, record, best):
        """Print (or hold back) the row of one epoch; ``best`` marks it ``*``."""
        if not self.verbose:
            return
        self.total_seconds += record["dur"]
        done = record["epoch"] - self.first_epoch + 1
        left = (self.last_epoch - record["epoch"]) * self.total_seconds / done
        row = (
            record["epoch"], record["train_loss"], record.get("valid_loss"),
            record.get("valid_score"), best, f"{record['dur']:.3f}s",
            _duration(left) if left else "-",
        )
        due = (
            self.verbose >= 2
            or record["epoch"] == self.first_epoch
            or self.clock() - self.last_print >= INTERVAL
        )
        if due:
            self._flush_best(before=record["epoch"])
            self._row(*row)
            self.pending = None
        else:
            self.pending = row
            if best and self.has_valid:  # marked *: the weights early stopping keeps
                self.best_pending = row

    def _flush_best(self, before):
        """Print the held-back best row, where it comes before epoch ``before``.

        The epoch whose weights training keeps is always shown (a sub-second
        fit printed its first and last rows only, not the minimum between).
        """
        if self.best_pending is not None and self.best_pending[0] < before:
            self._row(*self.best_pending)
        self.best_pending = None

    def end(self, result, *, reason, n_iter_no_change=None, tol=None, min_lr=None):
        """Print the last row if held back, then how training ended.

        ``reason`` is "rule" (no improvement), "callback", "interrupted" or
        "max_iter"; ``min_lr``, the adaptive rate's floor (its cuts end there).
        """
        if not self.verbose:
            return
        if self.pending is not None:
            self._flush_best(before=self.pending[0])
            self._row(*self.pending)
        epochs = len(result.history)
        last = self.first_epoch + epochs - 1
        watched = "validation loss" if self.has_valid else "training loss"
        if reason == "rule":
            line = (f"Stopped early at epoch {last}: the {watched} did not improve by "
                    f"more than tol={tol:g} for more than {n_iter_no_change} "
                    f"epoch{'s' if n_iter_no_change != 1 else ''} in a row")
            if min_lr is not None:  # learning_rate="adaptive": cut until its floor
                line += (f", with the learning rate cut to {result.history[-1]['lr']:g}, "
                         f"at most its floor of {min_lr:g}")
            line += "."
        elif reason == "callback":
            line = f"Stopped at epoch {last} by a callback."
        elif reason == "interrupted":
            line = f"Interrupted during epoch {last + 1}."
        elif tol is None:  # partial_fit: no stopping rule
            line = f"Trained {epochs} epoch{'s' if epochs != 1 else ''}."
        else:
            line = f"Ran all {epochs} epochs without meeting the stopping rule."
        print(line + f" {_duration(self.total_seconds)} in all.", flush=True)
        if result.best_epoch is None:
            return
        untrusted = getattr(result, "untrusted_epoch", None)
        if result.best_epoch == self.start_epoch and untrusted is not None:
            best = next(r for r in result.history if r["epoch"] == untrusted)
            print(
                f"Kept the starting weights (epoch {result.best_epoch}): epoch "
                f"{untrusted} had a lower validation loss ({best['valid_loss']:.6g}), "
                "but by less than the noise of the validation rows (the standard "
                "error of its mean gain per row).",
                flush=True,
            )
        elif result.best_epoch == self.start_epoch:
            print(
                f"Kept the starting weights (epoch {result.best_epoch}): no trained "
                "epoch beat their validation loss.",
                flush=True,
            )
        else:
            best = next(r for r in result.history if r["epoch"] == result.best_epoch)
            print(
                f"Restored the weights of epoch {result.best_epoch}, the lowest "
                f"validation loss ({best['valid_loss']:.6g}).",
                flush=True,
            )
        if result.best_epoch == self.start_epoch and untrusted is None and reason == "rule":
            # a zero output layer: the first epochs move the network off its start
            print(
                "The network begins at these weights and may need more epochs than "
                f"n_iter_no_change={n_iter_no_change} to move past them: a larger "
                "n_iter_no_change lets it train longer.",
                flush=True,
            )


def describe_start(result, linear, refitted=None):
    """Print what training did to the start (``verbose``, with early stopping).

    ``result`` is :func:`~sklearn_rnn._training.train`'s ``TrainingResult``.
    Where training kept the start, :class:`Progress` has said so; this adds
    what that start is when it is ``linear``, and what was ``refitted`` on
    every row after training (see
    :meth:`~sklearn_rnn._initialization.TargetStart.refit`).
    """
    what = "the linear least-squares start" if linear else "the starting weights"
    if not result.history or result.best_epoch == result.start_epoch:
        if linear:
            print("The starting weights are the linear least-squares start "
                  "(recurrent head at zero): the predictions are that linear "
                  "model's.", flush=True)
    else:
        print(f"Training lowered the validation loss of {what} by "
              f"{100 * result.improvement():.1f} % ({result.initial_valid_loss:.6g} to "
              f"{result.best_valid_loss:.6g}).", flush=True)
    if refitted == "start":
        print("The start, fitted on the training rows, was refitted on "
              "every row, the validation rows included.", flush=True)
    elif refitted == "skip":
        print("The linear skip layer was refitted on every row, the "
              "validation rows included, the rest of the network fixed.",
              flush=True)
