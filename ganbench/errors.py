"""The one exception type whose message is shown to users as a single line."""


class GanbenchError(Exception):
    """A problem with the user's input or environment.

    The message must be one sentence that says what was wrong and what to do;
    the CLI prints it without a traceback and exits non-zero.
    """
