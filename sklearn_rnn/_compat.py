"""Every import from scikit-learn's private modules, in one place.

scikit-learn's developer API (parameter constraints, the fit context) lives in
private modules that have moved between releases; keeping the imports here
limits what a future move can break.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_sample_weight

__all__ = ["Interval", "StrOptions", "_check_sample_weight", "_fit_context"]
