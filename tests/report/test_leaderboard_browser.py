"""The leaderboard page in a real headless browser (Debian's chromium): it renders, every table states its
order and keeps it, and no script runs, not even one injected into the page."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from lmms_compgap.report.files.leaderboard_folder import write_leaderboard
from tests.helpers import HOSTILE_NAME, Field

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian: apt-get install chromium): the page needs a browser"
)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WINDOW = (1400, 1800)


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    """Run chromium headless with a fresh profile; fail with its stderr when it fails."""
    assert CHROMIUM is not None
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        result = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120
        )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


class RenderedPage(HTMLParser):
    """What the checks read of a DOM as the browser left it: title, body attributes, script elements, tables."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.title = ""
        self.body: dict[str, str | None] = {}
        self.scripts = 0
        self.tables: list[dict[str, Any]] = []
        self._text: list[str] | None = None
        self._attributes: dict[str, str | None] = {}
        self._in_head = False
        self.feed(dom)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        elif tag == "body":
            self.body = dict(attrs)
        elif tag == "table":
            self.tables.append({"caption": "", "headers": [], "sorted_by": None, "rows": []})
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr" and self.tables and not self._in_head:
            self.tables[-1]["rows"].append([])
        elif tag in ("title", "caption", "th", "td"):
            self._text, self._attributes = [], dict(attrs)

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "thead":
            self._in_head = False
        if tag not in ("title", "caption", "th", "td") or self._text is None:
            return
        text, self._text = " ".join("".join(self._text).split()), None
        if tag == "title":
            self.title = text
        elif tag == "caption":
            self.tables[-1]["caption"] = text
        elif tag == "th":
            table = self.tables[-1]
            if self._attributes.get("aria-sort") == "descending":
                table["sorted_by"] = len(table["headers"])
            table["headers"].append(text)
        else:
            self.tables[-1]["rows"][-1].append(text)


def rendered(page: Path) -> RenderedPage:
    return RenderedPage(chromium("--dump-dom", page.as_uri()).stdout)


@pytest.fixture(scope="module")
def page(leaderboard_field: Field, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser")
    write_leaderboard(leaderboard_field.board, out)
    return out / "leaderboard.html"


def _number(cell: str) -> float:
    match = re.match(r"[+-]?\d+(\.\d+)?", cell)
    assert match, f"no number at the start of {cell!r}"
    return float(match.group())


def test_the_page_renders_every_table_with_its_order_stated_and_kept(page: Path) -> None:
    dom = rendered(page)
    assert dom.title == "lmms-compgap leaderboard"
    assert len(dom.tables) == 4 and all(table["caption"] for table in dom.tables)
    ranking = dom.tables[0]
    assert ranking["headers"][:3] == ["rank", "model", "composed ▼"] and ranking["sorted_by"] == 2
    assert [row[1] for row in ranking["rows"]][:2] == ["demo/strong-composer", "demo/sandbagger"]
    assert [row[0] for row in ranking["rows"]] == ["1=", "1=", "3", "4", "5", "6"]
    for table in dom.tables:
        if table["sorted_by"] is None:  # the per-family table follows the ranking, as its caption says
            assert table["caption"].startswith("In the order of the ranking")
            continue
        values = [_number(row[table["sorted_by"]]) for row in table["rows"]]
        assert values == sorted(values, reverse=True), (table["caption"], values)
    by_direct = dom.tables[2]
    assert by_direct["headers"][2] == "direct ▼"
    assert by_direct["rows"][0][1] == "demo/strong-direct-weak-language"


def test_a_screenshot_shows_the_page(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "leaderboard.png"
    chromium("--hide-scrollbars", f"--window-size={WINDOW[0]},{WINDOW[1]}", f"--screenshot={shot}", page.as_uri())
    with Image.open(shot) as image:
        assert image.size == WINDOW
        colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
    assert colours is None or len(colours) > 50  # text, tables and shading, not a blank or error page


def test_no_script_runs_and_a_hostile_model_name_is_shown_as_text(page: Path) -> None:
    dom = rendered(page)
    assert dom.scripts == 0 and dom.title == "lmms-compgap leaderboard"
    apart = dom.tables[1]
    assert HOSTILE_NAME in [row[0] for row in apart["rows"]]


def test_the_content_security_policy_stops_an_injected_script_and_handler(page: Path, tmp_path: Path) -> None:
    injected = (
        '<script>document.body.setAttribute("data-script-ran", "yes")</script>'
        "<img src=\"x\" onerror=\"document.body.setAttribute('data-handler-ran', 'yes')\">"
    )
    text = page.read_text(encoding="utf-8").replace("</body>", injected + "</body>")
    guarded = tmp_path / "guarded.html"
    guarded.write_text(text, encoding="utf-8")
    body = rendered(guarded).body
    assert "data-script-ran" not in body and "data-handler-ran" not in body
    # The same injection without the page's policy runs: the check above can see a script that runs.
    unguarded = tmp_path / "unguarded.html"
    unguarded.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", text), encoding="utf-8")
    body = rendered(unguarded).body
    assert body.get("data-script-ran") == "yes" and body.get("data-handler-ran") == "yes"
