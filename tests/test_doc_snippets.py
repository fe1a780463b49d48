"""The Python code of the README and the docs' pages runs, page by page.

Each page's ``python`` blocks (Markdown fences, reStructuredText
``code-block`` directives) run in order in one namespace, in a temporary
directory, as a reader pasting them one after another would run them.
"""

import re
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

#: page: the optional packages its code imports
PAGES = {
    "README.md": ["sktime"],
    "docs/index.rst": [],
    "docs/getting_started.rst": ["sktime"],
    "docs/user_guide.rst": ["sktime", "matplotlib"],
    "docs/deploying.md": ["skops", "onnx", "onnxruntime", "skl2onnx", "sktime"],
}

#: page: why its code is not run here
NOT_RUN = {
    "docs/scaling_out.md": (
        "starts process pools, dask clusters and ray (a minute or more); its set-up "
        "block runs in test_scaling_out_set_up_defines_the_pages_data, and "
        "tests/test_scaling.py and tests/test_sktime_scaling.py make the same calls"
    ),
}


def python_blocks(path):
    """The ``python`` code blocks of a Markdown or reStructuredText page."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md":
        return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        if re.match(r"\s*\.\. code-block:: python\s*$", lines[i]):
            i += 1
            body = []
            while i < len(lines) and (not lines[i].strip() or lines[i][0].isspace()):
                body.append(lines[i])
                i += 1
            blocks.append(textwrap.dedent("\n".join(body)).strip("\n") + "\n")
        else:
            i += 1
    return blocks


def test_every_page_with_python_code_is_run_or_says_why_not():
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")),
             *sorted((ROOT / "docs").glob("*.rst"))]
    with_code = {p.relative_to(ROOT).as_posix() for p in pages if python_blocks(p)}
    assert with_code == set(PAGES) | set(NOT_RUN)


def test_blocks_are_found_in_both_markups(tmp_path):
    (tmp_path / "a.md").write_text("x\n```python\na = 1\n```\n```bash\nls\n```\n")
    (tmp_path / "b.rst").write_text(
        "x\n\n.. code-block:: python\n\n   a = 1\n\n   b = a\n\nText\n"
    )
    assert python_blocks(tmp_path / "a.md") == ["a = 1\n"]
    assert python_blocks(tmp_path / "b.rst") == ["a = 1\n\nb = a\n"]


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("page", list(PAGES))
def test_page_code_runs(page, tmp_path, monkeypatch):
    for module in PAGES[page]:
        pytest.importorskip(module)
    if "matplotlib" in PAGES[page]:
        import matplotlib

        matplotlib.use("Agg")
    blocks = python_blocks(ROOT / page)
    assert blocks
    monkeypatch.chdir(tmp_path)  # the pages save models to the working directory
    namespace = {"__name__": "__doc_snippets__"}
    try:
        for k, block in enumerate(blocks):
            exec(compile(block, f"{page}, python block {k + 1}", "exec"), namespace)
    finally:
        if "matplotlib" in PAGES[page]:
            import matplotlib.pyplot as plt

            plt.close("all")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_deploying_classifier_pipeline_runs_in_onnx_runtime():
    # the converted classifier pipeline of a float64 sample converted, but
    # ONNX Runtime refused to load it (float32 probabilities, declared float64)
    for module in ("onnx", "onnxruntime", "skl2onnx"):
        pytest.importorskip(module)
    blocks = python_blocks(ROOT / "docs/deploying.md")
    pipeline_block = next(k for k, block in enumerate(blocks) if "clf_pipe" in block)
    namespace = {"__name__": "__doc_snippets__"}
    for k in (0, pipeline_block):
        exec(compile(blocks[k], f"docs/deploying.md, python block {k + 1}", "exec"), namespace)
    clf_pipe, rows = namespace["clf_pipe"], namespace["X_table"][-5:]
    assert rows.dtype == np.float64
    np.testing.assert_array_equal(namespace["label"], clf_pipe.predict(rows))
    assert namespace["proba"].dtype == np.float64
    np.testing.assert_allclose(namespace["proba"], clf_pipe.predict_proba(rows),
                               rtol=1e-5, atol=1e-6)


def test_scaling_out_set_up_defines_the_pages_data():
    # the page's blocks use X, y and y_panel; its first block defines them
    pytest.importorskip("sktime")
    from sktime.datatypes import check_is_mtype

    blocks = python_blocks(ROOT / "docs/scaling_out.md")
    namespace = {"__name__": "__doc_snippets__"}
    exec(compile(blocks[0], "docs/scaling_out.md, python block 1", "exec"), namespace)
    assert namespace["X"].shape == (276, 24, 1) and namespace["y"].shape == (276,)
    assert check_is_mtype(namespace["y_panel"], "pd-multiindex", scitype="Panel")
    assert namespace["y_panel"].index.get_level_values(0).nunique() == 20


@pytest.mark.slow
def test_getting_started_own_data_reads_the_table_as_described():
    # "Your own data": passed as it is, the table's rows would be 3-step
    # univariate sequences; with n_channels=X.shape[1], one step of 3 channels
    from sklearn_rnn import LSTMRegressor

    blocks = python_blocks(ROOT / "docs/getting_started.rst")
    first = next(k for k, block in enumerate(blocks) if "pd.DataFrame" in block)
    namespace = {"__name__": "__doc_snippets__", "np": np, "LSTMRegressor": LSTMRegressor}
    for k, block in enumerate(blocks[first:], first):
        exec(compile(block, f"docs/getting_started.rst, python block {k + 1}", "exec"),
             namespace)
    reg, pipe = namespace["reg"], namespace["pipe"]
    table = namespace["X_table"]
    assert namespace["X_win"].shape == (476, 24, 1)
    assert pipe[-1].n_channels_in_ == 3 and pipe[-1].n_timesteps_in_ == 24
    as_is = LSTMRegressor(max_iter=1).fit(table[:50], namespace["y_next"][:50])
    assert (as_is.n_channels_in_, as_is.n_timesteps_in_) == (1, 3)
    one_step = LSTMRegressor(n_channels=table.shape[1], max_iter=1).fit(
        table[:50], namespace["y_next"][:50])
    assert (one_step.n_channels_in_, one_step.n_timesteps_in_) == (3, 1)
    assert reg.n_channels_in_ == 1  # the last block's, on windows of one series
    # "Forecast past the end": make_windows' last window ends one step before
    # the series; the forecast reads the one ending at the last value
    load, last_window = namespace["load"], namespace["last_window"]
    np.testing.assert_array_equal(namespace["X_win"][-1, :, 0], load[-25:-1])
    np.testing.assert_array_equal(last_window[0, :, 0], load[-24:])
    assert reg.predict(last_window).shape == (1,)
    assert namespace["y_6"].shape == (471, 6)
    np.testing.assert_array_equal(namespace["y_6"][-1], load[-6:])
    assert namespace["reg_6"].predict(last_window).shape == (1, 6)


@pytest.mark.slow
def test_user_guide_intervals_of_a_regressor_are_read_from_its_quantiles():
    # "Prediction intervals": loss="quantile" and predict_quantiles, whose
    # levels include the median
    from sklearn_rnn import LSTMRegressor
    from sklearn_rnn.windowing import make_windows

    blocks = python_blocks(ROOT / "docs/user_guide.rst")
    block = next(b for b in blocks if "predict_quantiles" in b)
    rng = np.random.default_rng(0)
    series = np.sin(np.arange(300) * np.pi / 6) + rng.normal(scale=0.1, size=300)
    namespace = {"__name__": "__doc_snippets__", "np": np, "series": series,
                 "LSTMRegressor": LSTMRegressor, "make_windows": make_windows}
    exec(compile(block, "docs/user_guide.rst, the intervals block", "exec"), namespace)
    np.testing.assert_allclose(namespace["reg"].quantiles_, [0.1, 0.5, 0.9])
    assert namespace["q"].shape == (50, 3)
    assert (namespace["lower"] <= namespace["upper"]).all()


def test_readme_quickstart_says_what_its_regressor_learned():
    # The quickstart's comment: y is linear in X, so the regressor stays its
    # least-squares start (training_improvement_ 0.0).
    namespace = {"__name__": "__doc_snippets__"}
    exec(compile(python_blocks(ROOT / "README.md")[0], "README.md quickstart", "exec"),
         namespace)
    assert "reg.training_improvement_" in python_blocks(ROOT / "README.md")[0]
    assert namespace["reg"].training_improvement_ == 0.0
    assert namespace["reg"].best_epoch_ == 0


def test_user_guide_callbacks_under_clone_keep_state_outside_the_callable():
    # The user guide and the callbacks entry: clones' callbacks are deep
    # copies, so a callable object records nothing under cross_val_score,
    # while a function's list outside it, and history_, do.
    import numpy as np
    from sklearn.model_selection import cross_val_score, cross_validate

    from sklearn_rnn import LSTMRegressor

    class Recorder:
        def __init__(self):
            self.epochs = []

        def __call__(self, estimator, record):
            self.epochs.append(record["epoch"])

    X = np.random.RandomState(0).normal(size=(40, 6, 1))
    y = X[:, -1, 0]
    params = dict(hidden_size=4, max_iter=2, early_stopping=False, random_state=0)
    recorder, epochs = Recorder(), []
    cross_val_score(LSTMRegressor(**params, callbacks=[recorder]), X, y, cv=2)
    assert recorder.epochs == []
    cross_val_score(LSTMRegressor(**params, callbacks=[lambda e, r: epochs.append(r["epoch"])]),
                    X, y, cv=2)
    assert epochs == [1, 2, 1, 2]
    fitted = cross_validate(LSTMRegressor(**params), X, y, cv=2, return_estimator=True)
    assert [len(est.history_) for est in fitted["estimator"]] == [2, 2]
    guide = (ROOT / "docs/user_guide.rst").read_text(encoding="utf-8")
    assert "callbacks=[log_loss]" in guide and "deep copies" in LSTMRegressor.__doc__


def test_rnn_forecaster_95_percent_intervals_need_two_more_levels():
    # README and the user guide's sktime workflows: "the default quantiles
    # give intervals up to 90 %: for 95 %, add 0.025 and 0.975 to quantiles"
    # (predict_interval(coverage=0.95) raised with the defaults, unsaid)
    pytest.importorskip("sktime")
    from sktime.datasets import load_airline

    from sklearn_rnn.sktime import RNNForecaster

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    guide = " ".join((ROOT / "docs/user_guide.rst").read_text(encoding="utf-8").split())
    assert ("the default `quantiles` give intervals up to 90 %: for 95 %, add 0.025 "
            "and 0.975 to `quantiles`") in readme
    assert ("The default ``quantiles`` (0.05 to 0.95) give intervals up to 90 %: "
            "``predict_interval(coverage=0.95)`` raises") in guide
    assert "for 95 % intervals, add 0.025 and 0.975 to ``quantiles``" in guide

    default = RNNForecaster().get_params()["quantiles"]
    assert (min(default), max(default)) == (0.05, 0.95)  # 90 %: (1 - 0.9) / 2 = 0.05
    y = load_airline()
    tiny = dict(window_length=12, hidden_size=4, max_iter=2, random_state=0)
    forecaster = RNNForecaster(**tiny).fit(y, fh=[1, 2, 3])
    assert forecaster.predict_interval(coverage=0.9).shape == (3, 2)
    with pytest.raises(ValueError, match=r"\[0\.025, 0\.975\] lie outside"):
        forecaster.predict_interval(coverage=0.95)
    wider = RNNForecaster(quantiles=sorted([*default, 0.025, 0.975]), **tiny)
    interval = wider.fit(y, fh=[1, 2, 3]).predict_interval(coverage=0.95)
    assert interval.shape == (3, 2)
    assert (interval.iloc[:, 0] <= interval.iloc[:, 1]).all()


def test_readme_names_every_default_that_differs_from_mlp():
    # "Parameters follow MLPRegressor/MLPClassifier": the README lists the
    # shared parameters whose defaults differ, as `name=ours` (MLP: `theirs`),
    # with the values of the code and of scikit-learn
    import ast

    from sklearn.neural_network import MLPClassifier, MLPRegressor

    from sklearn_rnn import GRURegressor, LSTMRegressor, SequenceClassifier, SequenceRegressor

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = " ".join(text.split("\n## What you get\n", 1)[1].split("\n## ", 1)[0].split())
    stated = {name: (ast.literal_eval(ours), ast.literal_eval(theirs))
              for name, ours, theirs in re.findall(r"`(\w+)=([^`]+)` \(MLP: `([^`]+)`\)",
                                                   section)}
    differing = {}
    for ours, mlp in [(SequenceRegressor, MLPRegressor), (LSTMRegressor, MLPRegressor),
                      (GRURegressor, MLPRegressor), (SequenceClassifier, MLPClassifier)]:
        a, b = ours().get_params(), mlp().get_params()
        differing.update({k: (a[k], b[k]) for k in a.keys() & b.keys() if a[k] != b[k]})
    assert {"early_stopping", "learning_rate", "learning_rate_init",
            "n_iter_no_change"} <= differing.keys()
    assert stated == differing
    # the same value, another meaning: batch_size="auto"
    assert SequenceRegressor().batch_size == MLPRegressor().batch_size == "auto"
    assert ('`batch_size="auto"` is `n_samples // 8` clipped to [16, 200] '
            "(MLP: `min(200, n_samples)`)") in section
    assert "hold out the *last* `validation_fraction` of the rows" in section
