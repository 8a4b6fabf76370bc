"""SQLAlchemy models: batch runs, their committed chunks, results, rejections, and the registry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class BatchRun(Base):
    """One ``huiqi batch`` run: what went in, with which rules, and what came out."""

    __tablename__ = "batch_runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done
    engine: Mapped[str] = mapped_column(String(16), default="local")  # local | dask
    rules_version: Mapped[str] = mapped_column(String(64))
    rules_release: Mapped[str | None] = mapped_column(Text, nullable=True, doc="release name (rules/release.yaml)")
    rules_release_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    input_path: Mapped[str] = mapped_column(Text)
    input_format: Mapped[str] = mapped_column(String(16))
    input_fingerprint: Mapped[str] = mapped_column(String(64))
    as_of: Mapped[dt.date] = mapped_column(Date)
    measures: Mapped[list[str]] = mapped_column(JSON)
    only_auto: Mapped[bool] = mapped_column(default=False)
    chunk_size: Mapped[int] = mapped_column(Integer)
    out_dir: Mapped[str | None] = mapped_column(Text, nullable=True)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    matched: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unmatched: Mapped[int | None] = mapped_column(Integer, nullable=True)
    rejected: Mapped[int | None] = mapped_column(Integer, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class BatchChunk(Base):
    """A committed chunk: its position in the input stream and its counts (the resume marker)."""

    __tablename__ = "batch_chunks"

    run_id: Mapped[str] = mapped_column(ForeignKey("batch_runs.id", ondelete="CASCADE"), primary_key=True)
    chunk_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    rows: Mapped[int] = mapped_column(Integer)
    matched: Mapped[int] = mapped_column(Integer)
    unmatched: Mapped[int] = mapped_column(Integer)
    rejected: Mapped[int] = mapped_column(Integer)


class BatchResult(Base):
    """One eligible (enterprise, measure) pair of a run: a line of a handling unit's list."""

    __tablename__ = "batch_results"
    __table_args__ = (
        UniqueConstraint("run_id", "credit_code", "measure", name="uq_batch_results_run_code_measure"),
        Index("ix_batch_results_run_measure_code", "run_id", "measure", "credit_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("batch_runs.id", ondelete="CASCADE"))
    chunk_no: Mapped[int] = mapped_column(Integer)
    credit_code: Mapped[str] = mapped_column(String(18))
    measure: Mapped[str] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    district: Mapped[str | None] = mapped_column(String(16), nullable=True)
    zone: Mapped[str | None] = mapped_column(String(16), nullable=True)
    amount_kind: Mapped[str] = mapped_column(String(8))
    amount_yuan: Mapped[Decimal | None] = mapped_column(Numeric(19, 2), nullable=True)
    formula: Mapped[str | None] = mapped_column(Text, nullable=True)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    units: Mapped[list[str]] = mapped_column(JSON)
    provenance: Mapped[str | None] = mapped_column(Text, nullable=True, doc="数据来源: sources of the facts relied on")


class BatchRejection(Base):
    """A line of a run's report: an input row that failed validation (file, line, field, reason), or,
    for department sources, a notice (a disagreement between sources, a row of no registry enterprise…)."""

    __tablename__ = "batch_rejections"
    __table_args__ = (Index("ix_batch_rejections_run", "run_id", "chunk_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("batch_runs.id", ondelete="CASCADE"))
    chunk_no: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    line: Mapped[int] = mapped_column(Integer)
    credit_code: Mapped[str | None] = mapped_column(Text, nullable=True)
    field: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(20), default="rejected", server_default="rejected")
    source_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    sheet: Mapped[str | None] = mapped_column(Text, nullable=True)
    column_name: Mapped[str | None] = mapped_column(Text, nullable=True)


class BatchMember(Base):
    """An enterprise a run evaluated, with the digest of the profile it evaluated (see ProfileSnapshot)."""

    __tablename__ = "batch_members"

    run_id: Mapped[str] = mapped_column(ForeignKey("batch_runs.id", ondelete="CASCADE"), primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    profile_digest: Mapped[str] = mapped_column(String(32))


class ProfileSnapshot(Base):
    """A profile a run evaluated that the registry no longer holds, once per content (BLAKE2b-128 of its JSON).

    The registry keeps each enterprise's latest profile (and its digest); before a run replaces it by a
    different one, the old one is kept here. So every run's profiles can be read again exactly
    (``huiqi batch what-if``), and a first import stores each profile once."""

    __tablename__ = "profile_snapshots"

    digest: Mapped[str] = mapped_column(String(32), primary_key=True)
    profile: Mapped[dict] = mapped_column(JSON)


class RegistryEnterprise(Base):
    """The imported registry: the latest valid profile of each enterprise, by credit code."""

    __tablename__ = "registry_enterprises"

    credit_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    name: Mapped[str | None] = mapped_column(Text, nullable=True)
    district: Mapped[str | None] = mapped_column(String(16), nullable=True)
    profile: Mapped[dict] = mapped_column(JSON)
    profile_digest: Mapped[str | None] = mapped_column(String(32), nullable=True, doc="see ProfileSnapshot")
    source: Mapped[str] = mapped_column(Text, doc="file:line the profile came from")
    run_id: Mapped[str] = mapped_column(String(40), doc="the batch run that imported it last")
    provenance: Mapped[dict | None] = mapped_column(
        JSON, nullable=True, doc="department sources: {fact path: {source, department, file, sheet, row}}")
