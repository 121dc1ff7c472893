"""The test run itself: its own ganbench cache, no temporary folders left behind by passing tests, and a closing
line when the browser tests could not run."""

from __future__ import annotations

from pathlib import Path


def test_the_tests_use_a_ganbench_cache_of_their_own(tmp_path_factory):
    from ganbench.paths import cache_dir

    home_cache = Path.home() / ".cache" / "ganbench"
    assert cache_dir() != home_cache and not cache_dir().is_relative_to(home_cache)
    assert cache_dir().is_relative_to(tmp_path_factory.getbasetemp())


def test_passing_tests_leave_no_temporary_folders(request):
    assert request.config.getini("tmp_path_retention_policy") == "failed"


def test_a_run_whose_browser_tests_skipped_says_so_in_its_last_lines(pytester):
    pytester.makeconftest("from support.skipped_browser import pytest_unconfigure  # noqa: F401\n")
    pytester.makepyfile(
        test_pages="""
import pytest

@pytest.mark.parametrize("page", [1, 2, 3])
def test_page(page):
    pytest.skip("no chromium: install it with apt-get install chromium")

def test_other():
    pytest.skip("needs a CUDA device")
"""
    )
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(skipped=4)
    last = result.stdout.lines[-1]
    assert "3 browser tests" in last and "apt-get install chromium" in last, result.stdout.str()


def test_a_run_with_chromium_adds_no_line(pytester):
    pytester.makeconftest("from support.skipped_browser import pytest_unconfigure  # noqa: F401\n")
    pytester.makepyfile(test_pages="def test_page():\n    pass\n")
    result = pytester.runpytest("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "browser" not in result.stdout.str()
