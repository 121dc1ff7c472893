"""The closing line of a test run whose browser tests skipped for want of chromium (imported by conftest.py)."""

from __future__ import annotations

#: the start of the skip reason of a browser test without chromium (tests/support/browser.py)
NO_BROWSER = "no chromium"


def pytest_unconfigure(config):
    """The last line of the run, when the browser tests of `ganbench report` skipped for want of chromium: how
    many and how to run them, so a green run never hides that the page was not checked in a browser."""
    terminalreporter = config.pluginmanager.get_plugin("terminalreporter")
    if terminalreporter is None:
        return
    skipped = [
        report for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and NO_BROWSER in str(report.longrepr[-1])
    ]
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} browser tests of `ganbench report` skipped: chromium is not installed. To run them, "
            "install it (Debian: `apt-get install chromium`, or run .ci/run, which does) and rerun pytest.",
            yellow=True, bold=True,
        )
