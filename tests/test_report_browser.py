"""report.html in a real browser (headless Chromium, from disk): no console error, no network
request, and the charts render (the screenshot is not blank and holds the charts' colours).
Skipped when no Chromium is installed; CI (.ci/run) installs Debian's `chromium`."""

from __future__ import annotations

import io

import numpy as np
import pytest

from tests.browser_helpers import find_browser, visit
from tests.report_helpers import optimize_folder, run_quickstart, sweep_folder

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium found (apt-get install chromium; CI installs it)"
)
CHART_COLOURS = {"blue": (0, 114, 178), "orange": (230, 159, 0)}


def _pixels(png: bytes) -> np.ndarray:
    import matplotlib.image

    return (matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3] * 255).round()


def _check(folder, shots, colours=CHART_COLOURS, least=2000):
    page = visit((folder / "report.html").resolve().as_uri(), BROWSER)
    shots.write_bytes(page.screenshot)
    assert page.errors == [], page.console
    assert page.requests and all(u.startswith("file://") for u in page.requests), page.requests
    img = _pixels(page.screenshot)
    assert img.shape[0] > 3000 and img.shape[1] == 1100  # the whole page, not a blank frame
    assert img.std() > 20
    for name, rgb in colours.items():
        near = (np.abs(img - np.array(rgb)).max(axis=2) <= 8).sum()
        assert near > least, f"too few {name} chart pixels ({near}): the charts did not render"
    assert page.pdf.startswith(b"%PDF") and len(page.pdf) > 20000
    return page


def test_report_in_a_browser(tmp_path):
    folder = run_quickstart(tmp_path / "qs")
    _check(folder, tmp_path / "report.png")


def test_sweep_report_in_a_browser(tmp_path):
    folder = sweep_folder(tmp_path / "sweep")
    _check(folder, tmp_path / "sweep.png")


def test_optimize_report_in_a_browser(tmp_path):
    folder = optimize_folder(tmp_path / "opt")
    # (its charts: the finalists and the strategies scored in greys, the recommended one blue)
    greys = {"finalist grey": (122, 133, 148), "scored grey": (154, 165, 180)}
    _check(folder, tmp_path / "optimize.png", greys)


def test_college_report_in_a_browser(tmp_path):
    """A weighted college's page, with its first preferences and shares by section."""
    from click.testing import CliRunner

    from simcore.cli.main import cli
    from tests.test_college_sim import SMALL

    scenario = tmp_path / "college.toml"
    text = SMALL.format(method="weighted-irv", w1='"1/3"', w2='"2/3"')
    for name in ("A", "B"):  # (on slate a: its colour in the charts)
        text = text.replace(f'name = "{name}"\n', f'name = "{name}"\nslate = "a"\n')
    scenario.write_text(text)
    folder = tmp_path / "college"
    args = ["run", str(scenario), "--sims", "80", "--seed", "4", "--out", str(folder), "-q"]
    assert CliRunner().invoke(cli, args).exit_code == 0
    # (one slate, blue; fewer chart pixels: two candidates, each winning under some strategies)
    _check(folder, tmp_path / "college.png", {"blue": CHART_COLOURS["blue"]}, least=1000)
