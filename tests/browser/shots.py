"""Screenshots for the handbooks in docs/: the browser tests take them at the moments the text describes, so the
pictures show the pages as they are today. ``shot(page, "committee-vote-desk")`` writes
docs/screenshots/committee-vote-desk.png; tests/test_docs.py fails when a picture the docs show is missing.

Kept small enough to commit on every page change: CSS pixels (not the phone's doubled device pixels), the
viewport rather than the whole page unless asked, and a 256-colour palette, which flat page colours and text
survive unchanged.
"""

import io
import os
import re
import tempfile
from pathlib import Path

from PIL import Image

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
# A run rewrites the pictures only when asked (`make screenshots`): receipts, dates and ports differ on every run,
# and a test run should leave the work tree as it found it. Otherwise they go to a scratch folder, so every
# shot is still taken (a broken selector still fails the test).
SCREENSHOTS = (
    DOCS_SCREENSHOTS
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.gettempdir()) / "gongjian-screenshots"
)
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# A full-page shot stops at this many CSS pixels: the handbook shows a page's start, not a scroll of it.
MAX_HEIGHT = 1600


def shot(page, name, at=None, full_page=False):
    """Save what the user sees now; ``at`` (a selector) first scrolls that element to the top of the window."""
    if not NAME.fullmatch(name):
        raise ValueError(f"screenshot names are lower-case words joined by hyphens, not {name!r}")
    scrolled = page.evaluate("[window.scrollX, window.scrollY]")
    if at:
        page.locator(at).first.evaluate("el => el.scrollIntoView({block: 'start'})")
    image = Image.open(
        io.BytesIO(page.screenshot(full_page=full_page, scale="css", animations="disabled", caret="hide"))
    )
    if image.height > MAX_HEIGHT:
        image = image.crop((0, 0, image.width, MAX_HEIGHT))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    image.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE).save(
        SCREENSHOTS / f"{name}.png", optimize=True
    )
    page.evaluate("([x, y]) => window.scrollTo(x, y)", scrolled)  # leave the page as the test found it
