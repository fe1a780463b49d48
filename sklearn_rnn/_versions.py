"""The warning of an estimator loaded under other versions than saved it."""

from sklearn.exceptions import InconsistentVersionWarning

__all__ = ["VersionWarning"]


class VersionWarning(InconsistentVersionWarning):
    """A saved estimator loaded under another sklearn_rnn, torch or scikit-learn.

    A subclass of scikit-learn's ``InconsistentVersionWarning``, so that a
    filter on that class (``warnings.simplefilter("error",
    InconsistentVersionWarning)``, as scikit-learn's documentation advises
    for services) catches it too. ``package`` names the library whose
    version differs; ``original_sklearn_version`` and
    ``current_sklearn_version`` hold that library's versions (scikit-learn's
    names for the two).

    Examples
    --------
    >>> from sklearn.exceptions import InconsistentVersionWarning
    >>> warning = VersionWarning(estimator_name="LSTMRegressor", package="torch",
    ...                          original_version="2.4.1", current_version="2.13.0")
    >>> isinstance(warning, InconsistentVersionWarning), warning.package
    (True, 'torch')
    """

    def __init__(self, *, estimator_name, package, original_version, current_version):
        super().__init__(estimator_name=estimator_name,
                         current_sklearn_version=current_version,
                         original_sklearn_version=original_version)
        self.package = package

    def __str__(self):
        return (
            f"Trying to unpickle estimator {self.estimator_name} from {self.package} "
            f"version {self.original_sklearn_version} when using version "
            f"{self.current_sklearn_version}. This might lead to breaking code or "
            "invalid results. Use at your own risk; refit it, or load it with the "
            "versions that saved it."
        )
