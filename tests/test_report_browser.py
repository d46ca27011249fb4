"""report.html in a real browser (headless Chromium, from disk): no console error, no network
request, and the charts render (the screenshot is not blank and holds the charts' colours).
Skipped when no Chromium is installed; CI (.ci/run) installs Debian's `chromium`."""

from __future__ import annotations

import io

import numpy as np
import pytest
from click.testing import CliRunner

from simcore.cli.main import cli
from tests.browser_helpers import find_browser, visit
from tests.report_helpers import run_quickstart, with_extras

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason="no Chromium found (apt-get install chromium; CI installs it)"
)
CHART_COLOURS = {"blue": (0, 114, 178), "orange": (230, 159, 0)}


def _pixels(png: bytes) -> np.ndarray:
    import matplotlib.image

    return (matplotlib.image.imread(io.BytesIO(png), format="png")[..., :3] * 255).round()


def _check(folder, shots):
    page = visit((folder / "report.html").resolve().as_uri(), BROWSER)
    shots.write_bytes(page.screenshot)
    assert page.errors == [], page.console
    assert page.requests and all(u.startswith("file://") for u in page.requests), page.requests
    img = _pixels(page.screenshot)
    assert img.shape[0] > 3000 and img.shape[1] == 1100  # the whole page, not a blank frame
    assert img.std() > 20
    for name, rgb in CHART_COLOURS.items():
        near = (np.abs(img - np.array(rgb)).max(axis=2) <= 8).sum()
        assert near > 2000, f"too few {name} chart pixels ({near}): the charts did not render"
    assert page.pdf.startswith(b"%PDF") and len(page.pdf) > 20000
    return page


def test_report_in_a_browser(tmp_path):
    folder = run_quickstart(tmp_path / "qs")
    _check(folder, tmp_path / "report.png")


def test_report_with_sweep_and_optimize_in_a_browser(tmp_path):
    folder = with_extras(run_quickstart(tmp_path / "qs", "--no-report"), tmp_path / "extra")
    assert CliRunner().invoke(cli, ["report", str(folder)]).exit_code == 0
    _check(folder, tmp_path / "extra.png")
