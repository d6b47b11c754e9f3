"""External programs a few tests need (poppler's pdftoppm and pdftotext to read PDFs back as images and text).

Missing on a developer's machine, the test skips and says why; in CI (``CI`` set, or ``REQUIRE_BROWSER=1`` as
``.ci/run`` sets, which installs poppler) a missing program fails instead of passing without its check.
"""

import os
import shutil

import pytest


def require_program(name, package="poppler-utils"):
    if shutil.which(name):
        return
    reason = f"{name} is not installed (apt-get install {package}; .ci/run installs it)"
    if os.environ.get("CI", "").lower() not in ("", "0", "false") or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and this run requires every check")
    pytest.skip(reason)
