"""Errors the engine raises for bad input, each pointing at a place in a file."""

from __future__ import annotations


class InputError(ValueError):
    """Bad input, with the file, line and column a person needs to fix it.

    Line and column are 1-based; they are None when the problem belongs to the
    file as a whole (for example a size range that cannot fit the people).
    Printed as ``file:line:column: message``, the form editors and CI logs link.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def located(self, file: str) -> InputError:
        """The same error, attributed to `file` when it did not name one yet."""
        if self.file is None:
            self.file = file
        return self

    def __str__(self) -> str:
        where = [str(part) for part in (self.file, self.line, self.column) if part is not None]
        return f"{':'.join(where)}: {self.message}" if where else self.message
