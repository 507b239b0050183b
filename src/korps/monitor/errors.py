"""A refused monitor input: a Dutch message, the field it concerns and (imports) the line."""

from __future__ import annotations


class MonitorRefused(ValueError):
    def __init__(self, field: str, message: str, line: int | None = None) -> None:
        self.field = field
        self.message = message
        self.line = line
        where = f"regel {line}: " if line is not None else ""
        super().__init__(f"{where}{field}: {message}")
