"""What the README and the gallery's header say of ``examples/``, checked on
the scripts' text (running the gallery takes minutes: ``make docs`` does).
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted(p.name for p in (ROOT / "examples").glob("plot_*.py"))

#: words naming a simple baseline in a printed label
BASELINES = ("naive", "nearest-neighbour")
#: the examples whose metric is not a model's score: what each prints instead
NOT_SCORED = {"plot_onnx_export.py": "difference to forecaster.predict()"}


def _strings(path):
    """The string literals of a script's code (f-strings' text parts
    included), not its docstrings or comments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    return [node.value for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docstrings]


def _calls_print(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return any(isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"
               for node in ast.walk(tree))


def test_readme_lists_every_example():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Examples\n", 1)[1].split("\n## ", 1)[0]
    listed = sorted(set(re.findall(r"\(examples/(plot_\w+\.py)\)", section)))
    assert listed == SCRIPTS
    assert ("Each forecasting and\nclassification example prints its metric next "
            "to a simple baseline") in section
    assert "the ONNX example prints how far ONNX\nRuntime's forecast is" in section


def test_gallery_headers_say_the_same():
    # docs/conf.py falls back to docs/_gallery_header.rst without the first
    header = (ROOT / "examples" / "GALLERY_HEADER.rst").read_text(encoding="utf-8")
    assert (ROOT / "docs" / "_gallery_header.rst").read_text(encoding="utf-8") == header
    assert "Each forecasting and classification example prints its metrics" in (
        " ".join(header.split()))


@pytest.mark.parametrize("script", SCRIPTS)
def test_each_example_prints_its_metric_next_to_a_baseline(script):
    # README: "Each forecasting and classification example prints its metric
    # next to a simple baseline (a naive forecast, or 1-nearest-neighbour);
    # the ONNX example prints how far ONNX Runtime's forecast is from the
    # forecaster's own". plot_sequence_classification.py printed no baseline.
    path = ROOT / "examples" / script
    assert _calls_print(path)
    strings = [s.lower() for s in _strings(path)]
    if script in NOT_SCORED:
        assert any(NOT_SCORED[script] in s for s in strings)
    else:
        assert any(word in s for s in strings for word in BASELINES), (
            f"{script} prints no baseline (a label naming one of {BASELINES})")
