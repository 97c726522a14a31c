"""Errors that carry a message fit to show a user as it is.

`DataError` is bad input (a file, a column, a row) and says what to do about it; `FetchError` is a data source that
refused or failed. Both are raised by liqcore and caught by the app, which shows the message in an error box.
"""

from __future__ import annotations


class DataError(ValueError):
    """Bad input data: the message names the file, column and row where it can, and says what to do."""


class FetchError(RuntimeError):
    """A data source refused or failed.

    `status` is the HTTP status when there was one (429 rate limit, 451/403 region block, ...), else None.
    The message is written for the user interface: plain, specific, with a next step.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status
