"""The estimators' shared parameter and attribute documentation, written once.

Public for packages that wrap sklearn_rnn's estimators and expose their
parameters (as :mod:`sklearn_rnn.sktime` does): they document those
parameters with the same text through :func:`fill_docstring`.

Each entry is written here once, in numpydoc form but without its default::

    hidden_size : int
        Number of hidden units per recurrent layer and direction.

A class's docstring holds a marker line ``{parameters}`` where its Parameters
entries go, and may hold ``{attributes}`` and other named markers;
:func:`fill_docstring` replaces them when the class is defined, so
``__doc__`` is a complete plain string for ``help()``, Sphinx and numpydoc.
The Parameters entries follow the order of the class's ``__init__`` signature
and state each default as that signature has it (``default=64``), so the
text cannot drift from the code, and a parameter without an entry fails at
import.

Entries that differ between estimators are in :data:`REGRESSOR_PARAMETERS`
and :data:`CLASSIFIER_PARAMETERS`; a class adds or replaces entries by
merging dictionaries, ``{**CLASSIFIER_PARAMETERS, **parse_entries(...)}``.
"""

from ._attributes import CLASSIFIER_ATTRIBUTES, REGRESSOR_ATTRIBUTES
from ._entries import (
    CLASSIFIER_PARAMETERS,
    INPUT_FEATURES,
    INPUT_SHAPES,
    PANEL_X,
    PARAMETERS,
    REGRESSOR_PARAMETERS,
    SAMPLE_WEIGHT,
    SEQUENCES_X,
)
from ._fill import Entry, fill_docstring, parse_entries

__all__ = [
    "CLASSIFIER_ATTRIBUTES",
    "CLASSIFIER_PARAMETERS",
    "INPUT_FEATURES",
    "INPUT_SHAPES",
    "PANEL_X",
    "PARAMETERS",
    "REGRESSOR_ATTRIBUTES",
    "REGRESSOR_PARAMETERS",
    "SAMPLE_WEIGHT",
    "SEQUENCES_X",
    "Entry",
    "fill_docstring",
    "parse_entries",
]
