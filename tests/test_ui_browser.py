"""What a person sees, in headless Chromium: ask a question, get an answer with figures and a
citation, change a scenario field and watch the figures and chart follow, export the report.
Screenshots land in test-artifacts/."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from test_ui_support import REPO

from bench.server import ServerProcess

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
QUESTION = "We spend $40k a month on GPT-4o for support triage. Should we fine-tune Llama 3 8B instead?"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium (apt-get install chromium)"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = ServerProcess(tmp_path_factory.mktemp("browser") / "data")
    try:
        running.wait_until("/", timeout=240)
        # answers carry citations once the knowledge base (indexed on this first start) is warm
        running.wait_for_health("knowledge", "ready", timeout=300)
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield b
        b.close()


def cumulative_totals(page) -> list[float]:
    """The last point of each line of the cumulative chart, read from the plotly graph itself."""
    return page.evaluate(
        """() => {
            const g = document.querySelector('#chart-cumulative .js-plotly-plot');
            return g ? g.data.filter(t => t.mode === 'lines').map(t => t.y[t.y.length - 1]) : [];
        }"""
    )


def charts_fit(page) -> bool:
    """Every plot is drawn no wider than the column it sits in."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.js-plotly-plot')].every(
            g => g._fullLayout && g._fullLayout.width <= g.parentElement.clientWidth + 2)"""
    )


def wait_for(predicate, timeout: float = 120.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_ask_edit_and_export(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page.set_default_timeout(120_000)
    page.goto(server.url + "/", wait_until="load")
    page.wait_for_selector("#chat-input textarea")

    # ask
    page.locator("#chat-input textarea").fill(QUESTION)
    page.locator("#chat-input textarea").press("Enter")
    chat = page.locator("#chat")
    chat.get_by_text(re.compile(r"Sources \(\d+\)")).first.wait_for()
    page.locator("#figures-box").get_by_text("Cheapest over").wait_for()
    answer = chat.inner_text()
    assert re.search(r"\$\d[\d,]*", answer), "the answer states a dollar figure"
    assert "Recommendation" in answer or "recommend" in answer.lower()
    page.screenshot(path=str(ARTIFACTS / "browser-1-answer.png"), full_page=True)

    # the chart shows five paths
    page.get_by_role("tab", name="Charts").click()
    page.wait_for_selector("#chart-cumulative .js-plotly-plot")
    before_chart = wait_for(lambda: cumulative_totals(page), what="the cumulative chart")
    assert len(before_chart) == 5
    wait_for(lambda: charts_fit(page), timeout=10, what="the charts to fit their column")
    before_figures = page.locator("#figures-box").inner_text()
    page.screenshot(path=str(ARTIFACTS / "browser-2-charts.png"), full_page=True)

    # edit a field: 5% monthly growth
    page.get_by_role("tab", name="Scenario").click()
    growth = page.locator("#field-usage-monthly-growth input")
    growth.fill("0.05")
    growth.press("Enter")
    wait_for(lambda: page.locator("#figures-box").inner_text() != before_figures, what="new figures")
    chat.get_by_text("Scenario edited in the panel").first.wait_for()
    page.get_by_role("tab", name="Charts").click()
    after_chart = wait_for(
        lambda: (t := cumulative_totals(page)) and t != before_chart and t, what="the chart to change"
    )
    wait_for(lambda: charts_fit(page), timeout=10, what="the charts to fit their column")
    # growth only adds usage: no path gets cheaper, and the API path (pure usage) costs more
    assert all(a >= b - 1e-6 for a, b in zip(after_chart, before_chart, strict=True))
    assert after_chart[0] > before_chart[0]
    page.screenshot(path=str(ARTIFACTS / "browser-3-after-edit.png"), full_page=True)

    # export the report
    page.get_by_role("tab", name="Export & share").click()
    with page.expect_download() as download_info:
        page.locator("#export-report").click()
    report_path = ARTIFACTS / "browser-report.md"
    download_info.value.save_as(report_path)
    report = report_path.read_text(encoding="utf-8")
    assert "## Figures" in report and "## Assumptions" in report
    page.screenshot(path=str(ARTIFACTS / "browser-4-export.png"), full_page=True)
    page.close()


def test_embed_view_in_a_narrow_iframe(server, browser):
    page = browser.new_page(viewport={"width": 400, "height": 800})
    page.goto(server.url + "/embed/", wait_until="load")
    page.wait_for_selector("#chat-input textarea")
    assert page.locator("#figures-box").count() == 0  # chat only
    # nothing wider than the frame: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 400
    page.screenshot(path=str(ARTIFACTS / "browser-5-embed-narrow.png"))
    page.close()


def test_markup_in_a_message_is_inert(server, browser):
    """HTML, a script and a javascript: link typed into the chat are shown as text; none runs."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.set_default_timeout(120_000)
    page.goto(server.url + "/", wait_until="load")
    page.wait_for_selector("#chat-input textarea")
    hostile = (
        '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> '
        "[click me](javascript:window.__pwned=3) We spend $20k a month on GPT-4o, should we fine-tune?"
    )
    page.locator("#chat-input textarea").fill(hostile)
    page.locator("#chat-input textarea").press("Enter")
    chat = page.locator("#chat")
    chat.get_by_text(re.compile(r"Sources \(\d+\)")).first.wait_for()  # the answer is complete
    page.locator("#figures-box").get_by_text("Cheapest over").wait_for()
    chat.get_by_text("<img src=x").first.wait_for()  # the markup is shown as typed
    for link in chat.locator("a").all():  # a javascript: link is never made clickable
        assert not (link.get_attribute("href") or "").lower().startswith("javascript:")
    assert chat.locator('img[src="x"]').count() == 0
    assert chat.locator("script").count() == 0
    assert page.evaluate("window.__pwned") is None
    page.screenshot(path=str(ARTIFACTS / "browser-6-inert-markup.png"))
    page.close()
