"""The lower bounds pyproject.toml declares are the releases CI tests.

``make test-oldest`` runs the suite on ``.ci/constraints-oldest.txt``; a
bound raised in one file and not the other would go untested, and the
installation page would state the wrong releases.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

Requirement = pytest.importorskip("packaging.requirements").Requirement

ROOT = Path(__file__).resolve().parents[1]
#: The extras whose bounds users install against (the others are for
#: developing: tests, docs and benchmarks).
USER_EXTRAS = ("sktime", "plot", "onnx", "skops", "dask", "ray")
#: How the installation page names each package.
DISPLAY = {"numpy": "NumPy", "scipy": "SciPy", "scikit-learn": "scikit-learn",
           "torch": "PyTorch", "sktime": "sktime", "pandas": "pandas"}


def _lower_bounds(pyproject):
    requirements = list(pyproject["dependencies"])
    for extra in USER_EXTRAS:
        requirements += pyproject["optional-dependencies"][extra]
    bounds = {}
    for line in requirements:
        req = Requirement(line)
        lower = [spec.version for spec in req.specifier if spec.operator == ">="]
        assert len(lower) == 1, f"{line!r} has no single lower bound"
        bounds.setdefault(req.name, set()).add(lower[0])
    return bounds


def _oldest_pins():
    pins = {}
    for line in (ROOT / ".ci" / "constraints-oldest.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[name.strip()] = version.strip()
    return pins


def test_every_lower_bound_is_pinned_for_make_test_oldest(pyproject):
    pins = _oldest_pins()
    for name, bounds in _lower_bounds(pyproject).items():
        assert len(bounds) == 1, f"{name} has different lower bounds: {sorted(bounds)}"
        (bound,) = bounds
        assert name in pins, f"{name}>={bound} is not pinned in .ci/constraints-oldest.txt"
        assert (pins[name] + ".").startswith(bound + "."), (
            f"{name}>={bound} in pyproject.toml, but make test-oldest installs {pins[name]}"
        )


def test_the_installation_page_states_the_bounds(pyproject):
    text = " ".join((ROOT / "docs" / "getting_started.rst").read_text(encoding="utf-8").split())
    python = Requirement(f"python{pyproject['requires-python']}").specifier
    (minimum,) = [spec.version for spec in python if spec.operator == ">="]
    assert f"Python {minimum}" in text
    bounds = _lower_bounds(pyproject)
    for name, shown in DISPLAY.items():
        (bound,) = bounds[name]
        assert f"{shown} {bound}" in text, f"the installation page does not say {shown} {bound}"


def test_the_scale_out_page_states_the_engines_bounds(pyproject):
    text = " ".join((ROOT / "docs" / "scaling_out.md").read_text(encoding="utf-8").split())
    bounds = _lower_bounds(pyproject)
    for name, shown in {"dask": "`dask[distributed]`", "ray": "`ray`"}.items():
        (bound,) = bounds[name]
        assert f"Install {shown} {bound} or later" in text, (
            f"docs/scaling_out.md does not say {name} {bound}"
        )
        assert f'pip install "sklearn-rnn[{name}]"' in text


CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def _torch_install_line(tmp_path, *variables):
    make = shutil.which("make")
    if make is None:
        pytest.skip("needs make")
    out = subprocess.run([make, "-n", "-C", str(ROOT), "install", f"VENV={tmp_path}/venv",
                          *variables], capture_output=True, text=True, check=True).stdout
    (line,) = [line for line in out.splitlines() if "torch==" in line]
    return line


def test_make_install_takes_torch_from_the_index_named_by_torch_index(tmp_path):
    # A version pin does not choose torch's CPU build: by default the torch
    # line uses pip's configured index (the project's machines reach only
    # theirs); TORCH_INDEX names PyTorch's CPU index elsewhere.
    line = _torch_install_line(tmp_path)
    assert "--index-url" not in line and "-c .ci/constraints.txt torch==2.13.0" in line
    line = _torch_install_line(tmp_path, f"TORCH_INDEX={CPU_INDEX}")
    assert f"--index-url {CPU_INDEX} -c .ci/constraints.txt torch==2.13.0" in line
    for page in ("README.md", "docs/getting_started.rst"):
        text = " ".join((ROOT / page).read_text(encoding="utf-8").split())
        assert f"TORCH_INDEX={CPU_INDEX}" in text and f"--index-url {CPU_INDEX}" in text, page
        assert "no CUDA build is ever pulled" not in text, page
