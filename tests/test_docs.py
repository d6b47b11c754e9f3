"""The handbooks in docs/ and the README: every picture they show exists and is one the browser tests take
(tests/browser/shots.py), every relative link leads to a file, and nobody is sent to ``../shared``, which only
the people who wrote the project ever had."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCREENSHOTS = DOCS / "screenshots"
PAGES = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
HANDBOOKS = ["docs/committee.md", "docs/officials.md", "docs/domain.md"]

IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)|<img\b[^>]*\bsrc=\"([^\"]+)\"")
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")
PENDING = re.compile(r"<!--\s*screenshot pending:\s*([a-z0-9-]+)\s*-->")
SHOT_CALL = re.compile(r"\bshot\(\s*\w+\s*,\s*\"([a-z0-9-]+)\"")
# ../shared and the spec files in it (DOMAIN.md, API.md, STYLE.md), which users and maintainers do not have.
SHARED = re.compile(r"\.\./shared|/work/shared|\b(DOMAIN|API|STYLE)\.md\b")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.M)


def text(page):
    return page.read_text(encoding="utf-8")


def images(page):
    return [next(g for g in m.groups() if g) for m in IMAGE.finditer(text(page))]


def anchors(page):
    """GitHub's heading anchors: lower case, punctuation dropped (CJK kept), spaces to hyphens."""
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in HEADING.findall(text(page))}


def shown():
    """{screenshot name: the pages showing it}."""
    found = {}
    for page in PAGES:
        for src in images(page):
            target = (page.parent / src).resolve()
            if target.parent == SCREENSHOTS and target.suffix == ".png":
                found.setdefault(target.stem, []).append(page.name)
    return found


def pending():
    return {name for page in PAGES for name in PENDING.findall(text(page))}


def taken_by_browser_tests():
    return {name for test in (ROOT / "tests" / "browser").glob("test_*.py") for name in SHOT_CALL.findall(text(test))}


def test_the_handbooks_exist_and_the_readme_links_them():
    readme = text(ROOT / "README.md")
    for handbook in HANDBOOKS:
        assert (ROOT / handbook).is_file(), handbook
        assert f"]({handbook})" in readme, f"README.md does not link {handbook}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_nobody_is_sent_to_shared(page):
    found = [line for line in text(page).splitlines() if SHARED.search(line)]
    assert not found, f"{page.name} points at files users do not have: {found}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_picture_shown_exists(page):
    missing = [src for src in images(page) if not (page.parent / src).is_file()]
    assert not missing, f"{page.name} shows pictures that are not there (run the browser tests): {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_every_relative_link_leads_somewhere(page):
    """Files exist, and a #fragment names a heading of its page as GitHub spells the anchor."""
    broken = []
    for href in LINK.findall(text(page)):
        if re.match(r"[a-z]+:", href):
            continue
        path, _, fragment = href.partition("#")
        target = (page.parent / path) if path else page
        if not target.exists() or (fragment and target.suffix == ".md" and fragment not in anchors(target)):
            broken.append(href)
    assert not broken, f"{page.name} links to files or headings that do not exist: {broken}"


def test_every_screenshot_shown_is_taken_by_a_browser_test():
    """A picture drawn by hand would go stale; one a browser test takes is retaken whenever the page changes."""
    untaken = sorted(set(shown()) - taken_by_browser_tests())
    assert not untaken, f"no shot(page, name) in tests/browser takes these: {untaken}"


def test_every_screenshot_is_shown_or_awaited():
    """A PNG nobody shows is dead weight; a pending marker whose picture now exists should show it."""
    on_disk = {p.stem for p in SCREENSHOTS.glob("*.png")}
    orphans = sorted(on_disk - set(shown()) - pending())
    assert not orphans, f"docs/screenshots holds pictures no page shows: {orphans}"
    ready = sorted(pending() & on_disk)
    assert not ready, f"replace <!-- screenshot pending: NAME --> with the picture, it exists now: {ready}"
