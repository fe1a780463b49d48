"""Sphinx configuration for the sklearn_rnn documentation."""

import os
import re
import shutil
import sys
from datetime import date
from pathlib import Path

import sklearn_rnn

# Small recurrent networks run fastest, and reproducibly, on one torch thread.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Examples that use matplotlib draw off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")

project = "sklearn_rnn"
author = "sklearn_rnn developers"
copyright = f"{date.today().year}, {author}"
release = sklearn_rnn.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_gallery_src", "_gallery_header.rst", "Thumbs.db", ".DS_Store", "auto_examples/*.ipynb",
                    "auto_examples/*.py", "auto_examples/*.zip"]
templates_path = ["_templates"]

# -- autodoc / autosummary / numpydoc ---------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
# Cross-reference only what can be resolved; types such as "array-like" are
# prose, not objects.
numpydoc_xref_param_type = False

# -- sphinx-gallery ----------------------------------------------------------
# sphinx-gallery needs a header file (GALLERY_HEADER.rst) in the examples
# directory. Until ``examples/`` has one, the scripts are staged with
# ``_gallery_header.rst`` in ``_gallery_src/`` (ignored by git) and the gallery
# is built from there; the executed code is the same.
_HERE = Path(__file__).resolve().parent
# docs/ holds gallery_warnings.py, the examples' warning filters.
sys.path.insert(0, str(_HERE))
_EXAMPLES = _HERE.parent / "examples"
if any((_EXAMPLES / f"{stem}{ext}").is_file()
       for stem in ("GALLERY_HEADER", "README")
       for ext in (".rst", ".txt", ".md")):
    _examples_dir = "../examples"
else:
    _staged = _HERE / "_gallery_src"
    shutil.rmtree(_staged, ignore_errors=True)
    _staged.mkdir()
    for _script in sorted(_EXAMPLES.glob("*.py")):
        shutil.copy2(_script, _staged / _script.name)
    shutil.copy2(_HERE / "_gallery_header.rst", _staged / "GALLERY_HEADER.rst")
    _examples_dir = "_gallery_src"

sphinx_gallery_conf = {
    "examples_dirs": _examples_dir,
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": False,
    "reference_url": {"sklearn_rnn": None},
    "doc_module": ("sklearn_rnn",),
    "backreferences_dir": None,
    "show_memory": False,
    "within_subsection_order": "FileNameSortKey",
    # Before each example: the one sktime announcement the rendered output
    # leaves out (every other warning is shown); after it: the filters as
    # they were, so that no example's filters leak into the next.
    "reset_modules": ("matplotlib", "gallery_warnings.reset_warning_filters"),
    "reset_modules_order": "both",
}

# -- HTML ------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn_rnn {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_static_path = ["_static"]


# -- inherited scikit-learn docstrings ------------------------------------------
# Methods inherited from scikit-learn (``score``...) link to labels of
# scikit-learn's user guide, which do not exist here: keep their text.
_REF = re.compile(r":ref:`([^`<]*?)\s*(?:<[^`>]*>)?`")


def _unlink_sklearn_refs(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", "") or ""
    if module == "sklearn" or module.startswith("sklearn."):
        lines[:] = [_REF.sub(lambda m: m.group(1) or "", line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _unlink_sklearn_refs)
