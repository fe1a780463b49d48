"""Every import from scikit-learn's private modules, in one place.

scikit-learn's developer API (parameter constraints, the fit context, the
checks of sample weights, targets and input feature names, the configured transform output) lives
in private modules that have moved between releases; keeping the imports here
limits what a future move can break.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import _check_feature_names_in, _check_sample_weight, _check_y

__all__ = ["Interval", "StrOptions", "_check_feature_names_in", "_check_sample_weight",
           "_check_y", "_fit_context", "_get_output_config"]
