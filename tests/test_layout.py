"""The package layout rules of docs/development.md, checked on the source.

- no module over 600 lines, ``_base.py`` under 400;
- no ``torch._C`` (torch's private C bindings);
- ``sklearn_rnn/sktime/`` imports only public ``sklearn_rnn`` names (and the
  documentation link's mixin, ``SKTIME_PRIVATE_ALLOWED``);
- imports go one way, down the ranks of ``RANKS`` (docs/development.md's rank
  table lists the same); the torch side imports no scikit-learn; optional
  dependencies stay in the modules that need them; scikit-learn's private
  modules and names are imported in ``_compat.py`` only.

A new module or subpackage needs a rank in ``RANKS`` and a line in
docs/development.md.
"""

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "sklearn_rnn"
SOURCES = sorted(PACKAGE.rglob("*.py"))
MAX_LINES = 600
MAX_BASE_LINES = 400

# A module may import only modules of a lower rank (and, inside a subpackage,
# its own modules). Units are the top-level modules and subpackages of
# sklearn_rnn; "__init__" is the package's own namespace (``from .. import X``).
# The modules of ``utils/`` are independent public helpers, each its own unit
# ("utils.docstrings").
RANKS = {
    # NumPy moments the building blocks share, and the check of a table's
    # columns: import nothing from sklearn_rnn
    "_moments": 0,
    "_columns": 0,
    # building blocks: import only _moments
    "_compat": 1,
    "_convolution": 1,
    "_divergence": 1,
    "_float32": 1,
    "_doc_link": 1,
    "utils.__init__": 1,
    "utils.docstrings": 1,
    "_kernels": 1,
    "_losses": 1,
    "_optimizers": 1,
    "_portable": 1,
    "_prediction": 1,
    "_progress": 1,
    "_random": 1,
    "_ridge_start": 1,
    "_sequences": 1,
    "_warm_start": 1,
    "_window_normalization": 1,
    "_versions": 1,
    "_threads": 1,
    "plotting": 1,
    # torch modules, input checks, and the public windowing tools
    "_networks": 2,
    "_training": 2,
    "_validation": 2,
    "windowing": 2,
    "_initialization": 3,
    "_stacking": 3,
    # the shared estimator core, then the estimators
    "_base": 4,
    "_classification": 5,
    "_regression": 5,
    # deploying fitted estimators (ONNX, skl2onnx, skops)
    "export": 6,
    # the public namespace, then the optional sktime adapters
    "__init__": 7,
    "utils.discovery": 7,
    "sktime": 8,
}
# The torch side: no scikit-learn (estimator semantics stay in the estimators).
TORCH_SIDE = {"_convolution", "_divergence", "_float32", "_initialization", "_kernels", "_losses",
              "_moments",
              "_networks", "_optimizers",
              "_portable", "_prediction", "_progress", "_ridge_start", "_stacking", "_threads",
              "_training",
              "_window_normalization"}
# Optional dependencies, and the only units that may import them.
OPTIONAL = {"matplotlib": {"plotting"}, "pandas": {"sktime"}, "sktime": {"sktime"},
            "onnx": {"export"}, "onnxruntime": set(), "skl2onnx": {"export"},
            "skops": {"export"}}


def _rel(path):
    return path.relative_to(PACKAGE.parent).as_posix()


def _package_parts(path):
    """The package holding ``path``, as parts: ``["sklearn_rnn", "sktime"]``."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return parts[:-1]


def _unit(path):
    """The top-level module or subpackage of sklearn_rnn that ``path`` belongs to."""
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    if parts[0] == "utils" and len(parts) > 1:
        return f"utils.{parts[1]}"
    return parts[0]


def _imports(path):
    """``(lineno, module, names)`` of every import in ``path``, absolute.

    ``names`` holds the imported names of ``from module import names``, and is
    empty for ``import module``. Imports inside functions count too.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, ()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = _package_parts(path)
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([module] if module else []))
            found.append((node.lineno, module, tuple(a.name for a in node.names)))
    return found


def _internal_targets(module, names):
    """The sklearn_rnn units an import reaches."""
    parts = module.split(".")
    if parts[0] != "sklearn_rnn":
        return set()
    if parts[1:2] == ["utils"]:
        if len(parts) > 2:
            return {f"utils.{parts[2]}"}
        return {f"utils.{name}" if (PACKAGE / "utils" / f"{name}.py").exists()
                else "utils.__init__" for name in names or ("__init__",)}
    if len(parts) > 1:
        return {parts[1]}
    # ``from sklearn_rnn import X``: a submodule, or a name of the namespace
    units = set()
    for name in names or ("__init__",):
        is_module = (PACKAGE / f"{name}.py").exists() or (PACKAGE / name).is_dir()
        units.add(name if is_module else "__init__")
    return units


def _is_private(name):
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_sources_found():
    assert PACKAGE.is_dir() and len(SOURCES) > 10


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_module_length(path):
    n_lines = len(path.read_text(encoding="utf-8").splitlines())
    limit = MAX_BASE_LINES - 1 if path == PACKAGE / "_base.py" else MAX_LINES
    assert n_lines <= limit, (
        f"{_rel(path)} has {n_lines} lines, over the limit of {limit}: split it "
        "by job (see docs/development.md)."
    )


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_no_torch_private_bindings(path):
    text = path.read_text(encoding="utf-8")
    hits = [f"line {i}" for i, line in enumerate(text.splitlines(), 1)
            if re.search(r"\btorch\._C\b", line)]
    hits += [
        f"line {lineno}"
        for lineno, module, names in _imports(path)
        if module == "torch._C" or module.startswith("torch._C.")
        or (module == "torch" and "_C" in names)
    ]
    assert not hits, f"{_rel(path)} uses torch._C at {', '.join(hits)}"


SKTIME_SOURCES = sorted((PACKAGE / "sktime").rglob("*.py"))


#: The private names the adapters may import, and why.
SKTIME_PRIVATE_ALLOWED = {
    # the HTML repr's documentation link: how the package names its own
    # pages, not an API the adapters compute with
    "sklearn_rnn._doc_link": {"_DocLinkMixin"},
    # RNNClassifier.fit checks y before sktime sorts it, with SequenceClassifier's
    # own check, so the two estimators' label checks and messages cannot drift
    "sklearn_rnn._classification": {"check_labels"},
    # a panel's variable that is not numbers is refused in the core's words
    # and by the core's rule (numbers held as objects pass), not a copy of it
    "sklearn_rnn._columns": {"refuse_non_numeric_columns"},
}


@pytest.mark.parametrize("path", SKTIME_SOURCES, ids=_rel)
def test_sktime_imports_only_public_names(path):
    private = []
    for lineno, module, names in _imports(path):
        parts = module.split(".")
        if parts[0] != "sklearn_rnn" or parts[:2] == ["sklearn_rnn", "sktime"]:
            continue  # another package, or the adapters' own modules
        if set(names) <= SKTIME_PRIVATE_ALLOWED.get(module, set()) and names:
            continue
        bad = [p for p in parts[1:] if _is_private(p)]
        bad += [n for n in names if _is_private(n)]
        if bad:
            imported = f"{module}: {', '.join(names)}" if names else module
            private.append(f"line {lineno} ({imported})")
    assert not private, (
        f"{_rel(path)} imports private sklearn_rnn names: {'; '.join(private)}. "
        "The adapters use the public API only."
    )


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_import_direction(path):
    unit = _unit(path)
    assert unit in RANKS, (
        f"{unit} ({_rel(path)}) has no rank: add it to RANKS in tests/test_layout.py "
        "and to the layout of docs/development.md."
    )
    upward = []
    for lineno, module, names in _imports(path):
        for target in _internal_targets(module, names) - {unit}:
            if target not in RANKS or RANKS[target] >= RANKS[unit]:
                upward.append(f"line {lineno} imports {target}")
    assert not upward, (
        f"{_rel(path)} (rank {RANKS[unit]}) may import only lower ranks: "
        f"{'; '.join(upward)}."
    )


def test_rank_table_of_the_docs_is_ranks():
    # docs/development.md's table of ranks, read back: every unit in RANKS
    # at its rank (it once left out _sequences)
    text = (PACKAGE.parent / "docs" / "development.md").read_text(encoding="utf-8")
    documented = {}
    for rank, modules in re.findall(r"^\| (\d+) \| ([^|]+) \|", text, flags=re.M):
        for name in re.findall(r"`([^`]+)`", modules):
            name = name.rstrip("/").replace("/", ".")
            documented[{"utils": "utils.__init__"}.get(name, name)] = int(rank)
    assert documented == RANKS


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_private_scikit_learn_imports_only_in_compat(path):
    if path == PACKAGE / "_compat.py":
        return
    private = [
        f"line {lineno} ({module}: {', '.join(names)})" if names else f"line {lineno} ({module})"
        for lineno, module, names in _imports(path)
        if module.split(".")[0] == "sklearn"
        and any(map(_is_private, module.split(".")[1:] + list(names)))
    ]
    assert not private, (
        f"{_rel(path)} imports from scikit-learn's private modules: {'; '.join(private)}. "
        "Import them through sklearn_rnn/_compat.py."
    )


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_third_party_imports(path):
    unit = _unit(path)
    wrong = []
    for lineno, module, names in _imports(path):
        top = module.split(".")[0]
        if unit in TORCH_SIDE and top in ("sklearn", "scipy"):
            wrong.append(f"line {lineno}: {module} on the torch side")
        if top in OPTIONAL and unit not in OPTIONAL[top]:
            wrong.append(f"line {lineno}: optional dependency {top}")
        if unit != "sktime" and "sktime" in _internal_targets(module, names):
            wrong.append(f"line {lineno}: sklearn_rnn.sktime needs sktime")
    assert not wrong, f"{_rel(path)}: {'; '.join(wrong)}"
