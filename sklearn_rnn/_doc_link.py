"""The documentation's address, and the "?" link of the estimators' HTML repr.

The documentation is published on Read the Docs at :data:`DOC_URL` (the one
place the package names it; ``[project.urls]`` of pyproject.toml repeats it,
and a test checks both agree). The API reference's pages are the ones
autosummary generates under ``gen_modules/`` (docs/api.rst), one per public
name: ``gen_modules/sklearn_rnn.LSTMRegressor.html``,
``gen_modules/sklearn_rnn.windowing.LagWindowTransformer.html``.

:class:`_DocLinkMixin` points scikit-learn's HTML repr (Jupyter's diagram,
:func:`sklearn.utils.estimator_html_repr`) at those pages. Imports nothing
from sklearn_rnn: the package's version is read when a link is made.
"""

import importlib
import itertools
import re

#: Where the documentation is published (Read the Docs).
DOC_URL = "https://sklearn-rnn.readthedocs.io/"

# A final release: release segments, an optional post-release and an optional
# local label (PEP 440). Pre-releases (a, b, rc) and dev releases do not match.
_FINAL_RELEASE = re.compile(r"(\d+(?:\.\d+)*(?:\.post\d+)?)(?:\+[a-z0-9.]+)?")


def doc_version(version):
    """Return the Read the Docs version slug documenting ``version``.

    Read the Docs builds ``latest`` from the default branch and one version
    per tag, named after the lower-cased tag; releases are tagged with their
    plain version (``0.1.0``). A final release (``0.1.0``, ``0.1.0.post1``)
    therefore gets its own slug, its local label dropped; a pre-release
    (``0.2.0a1``, ``0.2.0b1``, ``0.2.0rc1``), a dev release (``0.2.0.dev0``)
    or anything unparsable gets ``latest``, built from the branch it is
    developed on.

    >>> doc_version("0.1.0"), doc_version("0.2.0rc1"), doc_version("0.2.0.dev0")
    ('0.1.0', 'latest', 'latest')
    """
    match = _FINAL_RELEASE.fullmatch(str(version).strip().lower())
    return match.group(1) if match else "latest"


def doc_link_template(version):
    """Return the address of an API page for ``version``, to be formatted.

    The template has the fields of scikit-learn's ``_get_doc_link``:
    ``{estimator_module}`` (the class's module up to its first private part,
    its public import path) and ``{estimator_name}``.
    """
    return (f"{DOC_URL}en/{doc_version(version)}/gen_modules/"
            "{estimator_module}.{estimator_name}.html")


class _DocLinkMixin:
    """Link the HTML repr's "?" icon to the class's page of our API reference.

    scikit-learn's ``BaseEstimator._get_doc_link`` reads ``_doc_link_module``
    (links only classes defined under it) and ``_doc_link_template``; put this
    mixin before ``BaseEstimator`` in the bases. The version in the link is
    ``__version__`` of the package ``_doc_link_module``, read when the link is
    made (see :func:`doc_version`).
    """

    _doc_link_module = "sklearn_rnn"
    _doc_link_url_param_generator = None

    def _get_doc_link(self):
        """The address of this class's API page ("" outside the package).

        scikit-learn's own ``_get_doc_link`` does the same from the two
        attributes; sktime's links sktime's classes only, so the sktime
        adapters need this one.
        """
        module = type(self).__module__
        if module.split(".")[0] != self._doc_link_module:
            return ""
        # scikit-learn's rule: the module up to its first private part
        public = ".".join(itertools.takewhile(lambda part: not part.startswith("_"),
                                              module.split(".")))
        return self._doc_link_template.format(
            estimator_module=public, estimator_name=type(self).__name__
        )

    @property
    def _doc_link_template(self):
        """The API page's address for this package's version (a template)."""
        package = importlib.import_module(self._doc_link_module)
        return doc_link_template(getattr(package, "__version__", ""))
