"""What a reader yields: ``Record`` (one enterprise row, ready for validation) and ``Stray`` (a report
line that belongs to no enterprise)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # department sources only: the CSV index loaders need not import pyarrow
    from sources.provenance import Provenance


@dataclass(frozen=True, slots=True)
class Stray:
    """A report line that is not an enterprise's rejection: an input row that belongs to no enterprise,
    or (department sources) a notice such as two sources disagreeing. Reported, never counted."""

    source: str  # the file
    line: int
    credit_code: str | None
    field: str
    reason: str
    kind: str = "rejected"
    source_name: str | None = None  # department sources: the source's name, sheet and column
    sheet: str | None = None
    column: str | None = None

    def row(self) -> tuple[Any, ...]:
        """As stored (``store.runs.write_chunk``): file, line, code, field, reason, kind, source, sheet, column."""
        return (self.source, self.line, self.credit_code, self.field, self.reason, self.kind, self.source_name,
                self.sheet, self.column)


@dataclass(slots=True)
class Record:
    """One enterprise row, ready for validation."""

    source: str
    line: int
    data: dict[str, Any] | None  # None: no enterprise in this record (only strays)
    error: tuple[str, str] | None = None  # (field, reason) when the row could not even be read
    origins: dict[str, list[tuple[str, int]]] | None = None  # list field -> (file, line) of each item
    strays: list[Stray] = field(default_factory=list)
    provenance: Provenance | None = None  # department sources: where each fact came from
    rejects: list[Stray] = field(default_factory=list)  # department sources: every cell that rejects the row

    @property
    def counted(self) -> bool:
        return self.data is not None or self.error is not None
