"""A third-party usage sink, found through the ``regctl.usage_sinks`` entry point group."""

from __future__ import annotations

from typing import Any


class CsvSink:
    """Appends ``model,cost`` lines to the file named in the spec (``csvfile:PATH``)."""

    def __init__(self, path: str) -> None:
        self.path = path

    def emit(self, event: Any) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(f"{event.model},{event.cost}\n")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass
