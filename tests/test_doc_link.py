"""The HTML repr's documentation link (issue 23): our API pages, our version.

The "?" icon of an estimator's HTML repr (Jupyter, ``estimator_html_repr``)
leads to the page the docs build generates for the class (docs/api.rst,
``:toctree: gen_modules/``), on the Read the Docs version of the installed
release, or ``latest`` for a development version.
"""

import importlib
import re
from pathlib import Path

import pytest
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_html_repr

import sklearn_rnn
from sklearn_rnn import LSTMRegressor, WindowTrimmer
from sklearn_rnn._doc_link import DOC_URL, _DocLinkMixin, doc_version
from sklearn_rnn.utils.discovery import all_estimators

ROOT = Path(__file__).resolve().parent.parent
ESTIMATORS = all_estimators()


def _api_pages():
    """The public names docs/api.rst gives a page under ``gen_modules/``."""
    pages, module, toctree, in_summary = set(), "", None, False
    for line in (ROOT / "docs" / "api.rst").read_text(encoding="utf-8").splitlines():
        if line.startswith(".. currentmodule::"):
            module = line.split("::", 1)[1].strip()
        elif line.startswith(".. autosummary::"):
            in_summary, toctree = True, None
        elif in_summary and line.startswith("   :"):  # an option
            if line.strip().startswith(":toctree:"):
                toctree = line.split(":toctree:", 1)[1].strip()
        elif in_summary and line.startswith("   "):  # an entry
            if toctree == "gen_modules/":
                pages.add(f"{module}.{line.strip()}")
        elif in_summary and line.strip():
            in_summary = False
    return pages


def _resolve(public_name):
    module, _, name = public_name.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_api_pages_parsed():
    pages = _api_pages()
    assert {"sklearn_rnn.LSTMRegressor", "sklearn_rnn.windowing.WindowTrimmer",
            "sklearn_rnn.sktime.RNNForecaster"} <= pages


def test_every_estimator_checked():
    names = {name for name, _ in ESTIMATORS}
    assert {"SequenceRegressor", "LSTMRegressor", "GRURegressor", "SequenceClassifier",
            "WindowTrimmer", "LagWindowTransformer"} <= names


@pytest.mark.parametrize("name, Estimator", ESTIMATORS, ids=[n for n, _ in ESTIMATORS])
def test_link_is_the_api_page(name, Estimator):
    link = Estimator()._get_doc_link()
    version = doc_version(sklearn_rnn.__version__)
    prefix = f"{DOC_URL}en/{version}/gen_modules/"
    assert link.startswith(prefix), link
    page = link[len(prefix):]
    assert page.endswith(".html") and "/" not in page, link
    public_name = page[: -len(".html")]
    # a page autosummary generates, and the page of this very class
    assert public_name in _api_pages(), f"{link}: no such page in docs/api.rst"
    assert _resolve(public_name) is Estimator


@pytest.mark.parametrize("name", ["RNNForecaster", "RNNClassifier"])
def test_sktime_adapters_link_their_api_page(monkeypatch, name):
    adapters = pytest.importorskip("sklearn_rnn.sktime")
    monkeypatch.setattr(sklearn_rnn, "__version__", "0.3.0")
    Adapter = getattr(adapters, name)
    link = f"{DOC_URL}en/0.3.0/gen_modules/sklearn_rnn.sktime.{name}.html"
    assert Adapter()._get_doc_link() == link
    assert f"sklearn_rnn.sktime.{name}" in _api_pages()
    # sktime's own HTML repr shows it
    assert f'href="{link}"' in Adapter()._repr_html_()


def test_the_development_version_links_latest():
    # main carries a development version: its links go to "latest"
    assert doc_version(sklearn_rnn.__version__) == "latest"
    assert "/en/latest/" in LSTMRegressor()._get_doc_link()


@pytest.mark.parametrize("version, slug", [
    ("0.2.0", "0.2.0"),
    ("0.1.0", "0.1.0"),
    ("1.0", "1.0"),
    ("0.2.0.post1", "0.2.0.post1"),
    ("0.2.0+local.3", "0.2.0"),
    ("0.2.0.dev0", "latest"),
    ("0.2.0.dev3+g1234abc", "latest"),
    ("0.2.0a1", "latest"),
    ("0.2.0b2", "latest"),
    ("0.2.0rc1", "latest"),
    ("", "latest"),
])
def test_doc_version(version, slug):
    assert doc_version(version) == slug


@pytest.mark.parametrize("version, slug",
                         [("0.2.0.dev0", "latest"), ("0.2.0rc1", "latest"), ("0.2.0", "0.2.0")])
def test_link_follows_the_package_version(monkeypatch, version, slug):
    monkeypatch.setattr(sklearn_rnn, "__version__", version)
    expected = f"{DOC_URL}en/{slug}/gen_modules/sklearn_rnn.LSTMRegressor.html"
    assert LSTMRegressor()._get_doc_link() == expected


def test_html_repr_links_the_docs(monkeypatch):
    monkeypatch.setattr(sklearn_rnn, "__version__", "0.3.0")
    base = f"{DOC_URL}en/0.3.0/gen_modules/"
    estimator = LSTMRegressor()
    assert f'href="{base}sklearn_rnn.LSTMRegressor.html"' in estimator._repr_html_()
    html = estimator_html_repr(make_pipeline(WindowTrimmer(), estimator))
    assert f'href="{base}sklearn_rnn.LSTMRegressor.html"' in html
    assert f'href="{base}sklearn_rnn.windowing.WindowTrimmer.html"' in html


def test_other_packages_keep_their_links():
    # a subclass defined outside sklearn_rnn gets no link to our pages
    Subclass = type("Subclass", (LSTMRegressor,), {"__module__": "user_code"})
    assert Subclass()._get_doc_link() == ""
    assert "scikit-learn.org" in estimator_html_repr(make_pipeline(LSTMRegressor()))


def test_pyproject_documentation_url(pyproject):
    assert pyproject["urls"]["Documentation"] == DOC_URL
    assert re.fullmatch(r"https://[\w.-]+\.readthedocs\.io/", DOC_URL)


def test_readthedocs_builds_like_make_docs():
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / ".readthedocs.yaml").read_text(encoding="utf-8"))
    assert config["version"] == 2
    assert config["sphinx"] == {"builder": "html", "configuration": "docs/conf.py",
                                "fail_on_warning": True}
    assert (ROOT / config["sphinx"]["configuration"]).is_file()
    assert {"method": "pip", "path": ".", "extra_requirements": ["docs"]} in (
        config["python"]["install"])
    # torch from the CPU index, at the pinned version
    assert any("download.pytorch.org/whl/cpu" in step and ".ci/constraints.txt" in step
               for step in config["build"]["jobs"]["pre_install"])


def test_doc_version_reads_versions_in_any_case():
    # PEP 440 versions are case-insensitive; Read the Docs lower-cases the tag
    assert doc_version("0.1.0.POST1") == "0.1.0.post1"
    assert doc_version("0.1.0+LOCAL.2") == "0.1.0"


def test_a_package_whose_name_starts_with_sklearn_rnn_gets_no_link():
    class Other(_DocLinkMixin):
        pass

    Other.__module__ = "sklearn_rnn_contrib.models"
    assert Other()._get_doc_link() == ""


def test_the_link_takes_the_module_up_to_its_first_private_part():
    # scikit-learn's rule (and the template's docstring); every private part
    # was dropped, so that a public module below a private one was linked
    class Inner(_DocLinkMixin):
        pass

    Inner.__module__ = "sklearn_rnn._private.public"
    assert Inner()._get_doc_link().endswith("/gen_modules/sklearn_rnn.Inner.html")
    Inner.__module__ = "sklearn_rnn.sktime._forecasting"
    assert Inner()._get_doc_link().endswith("/gen_modules/sklearn_rnn.sktime.Inner.html")
