"""What the test modules that run scikit-learn's estimator checks share."""

from inspect import signature

from sklearn.utils.estimator_checks import parametrize_with_checks

#: An expected failure that passes is an error where scikit-learn can say so
#: (``xfail_strict``; 1.6, on which ``make test-oldest`` runs the suite, has
#: none): pass as ``parametrize_with_checks(..., **STRICT)``.
STRICT = (
    {"xfail_strict": True} if "xfail_strict" in signature(parametrize_with_checks).parameters
    else {}
)
