"""sktime adapters: a native RNN forecaster and classifier.

Importing this module needs sktime 1.2 or later (``pip install
"sklearn-rnn[sktime]"``); ``import sklearn_rnn`` never imports it.
"""

try:
    import sktime
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise ImportError(
        "sklearn_rnn.sktime needs sktime, which is not installed. "
        'Install it with: pip install "sklearn-rnn[sktime]"'
    ) from exc

from sklearn.utils.fixes import parse_version

#: The oldest sktime the adapters pass sktime's checks with (the ``sktime``
#: extra's bound in pyproject.toml; ``make test-oldest`` runs the suite on it).
_MIN_SKTIME = "1.2"

# (exercised in a subprocess: tests/test_sktime_forecasting.py)
if parse_version(sktime.__version__) < parse_version(_MIN_SKTIME):  # pragma: no cover
    raise ImportError(
        f"sklearn_rnn.sktime needs sktime {_MIN_SKTIME} or later, and sktime "
        f"{sktime.__version__} is installed (older releases lack capability tags the "
        f"adapters set, or fail sktime's own checks). Upgrade it with: "
        f"pip install --upgrade 'sktime>={_MIN_SKTIME}'"
    )

from ._classification import RNNClassifier  # noqa: E402
from ._forecasting import RNNForecaster  # noqa: E402

__all__ = ["RNNClassifier", "RNNForecaster"]
