"""Errors a source raises when what it fetched or read is not what the publisher is known to serve."""


class SourceError(Exception):
    """Base class: every message names the source and the file or URL concerned."""


class SourceFormatError(SourceError):
    """A file's layout is not the expected one: missing or renamed columns, an HTML page, a truncated archive."""

    def __init__(self, source: str, file_name: str, problem: str, expected=None, found=None):
        self.source, self.file_name, self.problem = source, file_name, problem
        self.expected, self.found = expected, found
        message = f"{source}: {file_name}: {problem}"
        if expected is not None:
            message += f"; expected {_show(expected)}"
        if found is not None:
            message += f"; found {_show(found)}"
        super().__init__(message)


class FetchError(SourceError):
    """A download failed for good, after the retries the client allows."""


def _show(value) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    return repr(value)
