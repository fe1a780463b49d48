"""Draw the README's figure, ``docs/_static/airline_forecast.png``.

Runs ``examples/plot_airline_demo.py`` (the ``make demo`` example, also in
the gallery) and saves the figure it draws. Run it from the repository root
when the demo or the estimators' defaults change::

    make readme-figure
"""

import os
import runpy
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib.pyplot as plt  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FIGURE = ROOT / "docs" / "_static" / "airline_forecast.png"

if __name__ == "__main__":
    runpy.run_path(str(ROOT / "examples" / "plot_airline_demo.py"), run_name="readme")
    # the title, with the MAPE the demo measured, also goes into the PNG's
    # metadata, where tests/test_defaults.py checks it against the README
    title = plt.gcf().axes[0].get_title()
    plt.gcf().savefig(FIGURE, dpi=90, metadata={"Software": None, "Title": title})
    print(f"wrote {FIGURE.relative_to(ROOT)} ({FIGURE.stat().st_size / 1024:.0f} kB)")
