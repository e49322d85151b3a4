"""The HTML report renders in a real browser, offline: headless Chromium driven by Selenium.

Every formula is MathML (no script, nothing fetched), so the checks are: no visible text is raw TeX,
every ``<math>`` element has a nonzero box, fractions are laid out as fractions (numerator above
denominator, which plain text would not do), and a screenshot is taken and is not blank.

CI installs ``chromium`` and ``chromium-driver`` and sets ``LOSSGEOM_REQUIRE_BROWSER=1``, so there a
missing browser fails instead of skipping; elsewhere the tests skip without it.
"""

import os
import re
import shutil

import pytest

from lossgeom.cli import main
from lossgeom.commands.report import general_proofs_of, render_document
from lossgeom.proofs import get_claim, list_claims
from lossgeom.report import Report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
if (CHROMIUM is None or DRIVER is None) and os.environ.get("LOSSGEOM_REQUIRE_BROWSER") == "1":
    raise RuntimeError("LOSSGEOM_REQUIRE_BROWSER=1 but chromium or chromedriver is not installed "
                       "(apt-get install chromium chromium-driver)")
pytestmark = pytest.mark.skipif(CHROMIUM is None or DRIVER is None, reason="chromium/chromedriver not installed")

#: claims whose statements use environments, binomials, roots, fences, blackboard bold and text
CLAIMS = ["yun2019.data-conditions", "baldi_hornik1989.critical-value-count", "milne2019.origin-h1",
          "choromanska2015.bernoulli-expectation", "botev2017.layer-convex-across-kinks"]

#: what raw TeX looks like on a page: a command, inline or display math delimiters
TEX_MARKERS = re.compile(r"\\[A-Za-z]+|\$[^$\n]+\$|\\\(|\\\[")

BOXES = """return Array.from(document.querySelectorAll('math')).map(m => {
    const b = m.getBoundingClientRect(); return [b.width, b.height]; });"""
FRACTIONS = """return Array.from(document.querySelectorAll('mfrac')).map(f => {
    const n = f.children[0].getBoundingClientRect(), d = f.children[1].getBoundingClientRect();
    return [n.bottom, d.top]; });"""


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    yield driver
    driver.quit()


def _check_page(driver, path, formulas, shot):
    driver.get(path.as_uri())
    assert driver.execute_script("return document.readyState") == "complete"
    assert driver.execute_script("return document.querySelectorAll('script, link, img, iframe').length") == 0
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0  # nothing fetched
    text = driver.find_element("tag name", "body").text
    assert "The lossgeom claims catalog" in text
    assert TEX_MARKERS.findall(text) == []
    boxes = driver.execute_script(BOXES)
    assert len(boxes) == formulas
    assert all(w > 0 and h > 0 for w, h in boxes), [i for i, (w, h) in enumerate(boxes) if not (w > 0 and h > 0)]
    fractions = driver.execute_script(FRACTIONS)
    assert fractions and all(bottom <= top + 1 for bottom, top in fractions)  # stacked, not run into one line
    assert driver.save_screenshot(str(shot))
    from matplotlib.image import imread
    pixels = imread(str(shot))
    assert pixels.shape[0] > 100 and pixels.shape[1] > 100
    assert pixels[..., :3].min() < 0.2 and pixels[..., :3].max() > 0.9  # dark text on a light page, not blank


def _proof_formulas(reports):
    """The general proofs the page shows and their formulas: the statement, each step, each hypothesis."""
    proofs = general_proofs_of(reports)
    return proofs, sum(1 + len(p.steps) + sum(1 for s in p.steps if s.hypothesis) for p in proofs)


def _unrun(claims):
    return [Report(c.id, "inconclusive", "not run (rendering test)", statement=c.statement, source=c.source,
                   scope=c.scope, expect=c.expect) for c in claims]


def test_cli_report_renders_offline(browser, tmp_path):
    out = tmp_path / "catalog.html"
    assert main(["report", *CLAIMS, "--out", str(out), "--quiet"]) == 0
    page = out.read_text()
    assert "<script" not in page
    proofs, n = _proof_formulas(_unrun([get_claim(c) for c in CLAIMS]))
    assert proofs and page.count('<section class="proof">') == len(proofs)  # bernoulli-expectation's proof
    _check_page(browser, out, len(CLAIMS) + n, tmp_path / "report.png")


def test_every_catalog_statement_renders(browser, tmp_path):
    """All statements of the catalog on one page (rendering only: the claims are not run here)."""
    claims = list_claims()
    reports = _unrun(claims)
    out = tmp_path / "all.html"
    out.write_text(render_document(reports, {c.id: get_claim(c.id) for c in claims}, "html", 50, 0))
    proofs, n = _proof_formulas(reports)
    from lossgeom.symbolic.general_proofs import PROOFS
    assert len(proofs) == len(PROOFS)  # every general proof of the catalog is on the page
    _check_page(browser, out, len(claims) + n, tmp_path / "all.png")
    text = browser.find_element("tag name", "body").text
    assert "Proofs for every width and depth" in text and text.count("General proof: ") == len(PROOFS)
    assert "Outcome: proved." in text
