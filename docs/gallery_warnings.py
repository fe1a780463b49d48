"""Warning filters for the executed gallery (a sphinx-gallery reset hook).

The rendered examples show every warning they raise, ours included, with
one exception: sktime 1.2 announces the change of its ``remember_data``
default each time a forecaster is constructed. That announcement is about
sktime's ``update``, which no example calls, and is not ours to act on.

Two things are needed to keep it, and only it, out of the output:

- a filter for that one message, installed before each example and removed
  after it, together with whatever filters the example itself set, so that
  no example's filters leak into the next one;
- sktime's ``_SuppressWarningPattern`` context manager, which sktime enters
  around some pandas calls (on every ``predict``, for instance), ends by
  putting ``"default"`` for every ``FutureWarning`` at the front of the
  filter list, which re-enables any ``FutureWarning`` filtered before it. It
  is made to restore the filters it found instead.

Filters that a library sets when an example first imports it go with the
example's own. None of the examples' libraries sets any at import, except
torch and scipy, which ``docs/conf.py`` has already imported (through
sklearn_rnn) before the first example runs.

``docs/conf.py`` names :func:`reset_warning_filters` in
``sphinx_gallery_conf["reset_modules"]``, with ``reset_modules_order="both"``.
"""

import warnings

SKTIME_REMEMBER_DATA = r"The default of config ``remember_data`` will change"

_active = []


def _restore_filters_after_sktime_suppression():
    try:
        from sktime.utils import warnings as sktime_warnings
    except ImportError:
        return
    suppressor = getattr(sktime_warnings, "_SuppressWarningPattern", None)
    if suppressor is None or getattr(suppressor, "_restores_filters", False):
        return

    def __enter__(self):
        self._catcher = warnings.catch_warnings()
        self._catcher.__enter__()
        warnings.filterwarnings(
            "ignore", category=self.warning_type, message=self.message_pattern
        )

    def __exit__(self, exc_type, exc_val, exc_tb):
        self._catcher.__exit__(exc_type, exc_val, exc_tb)

    suppressor.__enter__ = __enter__
    suppressor.__exit__ = __exit__
    suppressor._restores_filters = True


def reset_warning_filters(gallery_conf, fname, when):
    """Set the gallery's warning filters before an example; drop them after.

    Parameters
    ----------
    gallery_conf : dict
        The sphinx-gallery configuration.
    fname : str or None
        The example about to run or just run.
    when : {"before", "after"}
        Whether the example is about to run or has run.
    """
    while _active:  # an example that never reached "after"
        _active.pop().__exit__(None, None, None)
    if when != "before":
        return
    _restore_filters_after_sktime_suppression()
    catcher = warnings.catch_warnings()
    catcher.__enter__()
    _active.append(catcher)
    warnings.filterwarnings(
        "ignore", message=SKTIME_REMEMBER_DATA, category=FutureWarning
    )
