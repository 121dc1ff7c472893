"""Running the command line in tests."""

from __future__ import annotations

from ganbench.cli import main


def one_line_error(capsys, *argv) -> str:
    """Run `ganbench ARGV`; assert it failed with exit code 2 and exactly one error line, no traceback; that line."""
    code = main([str(a) for a in argv])
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("ganbench: error:")]
    assert code == 2 and len(errors) == 1 and "Traceback" not in err, err
    return errors[0]
