"""SQLAlchemy models of the service-center console: staff, their sessions, consultations and versions.

Nothing here is ever overwritten silently: a consultation is a header row plus numbered
versions; an edit appends a version, the earlier ones stay.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models import Base


class AppSetting(Base):
    """Small key/value settings kept in the database (the session-signing secret when HUIQI_SECRET is unset)."""

    __tablename__ = "app_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Staff(Base):
    """A staff account of the service center; failed logins are counted here (5 → locked for 15 min)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LoginAttempt(Base):
    """Every login attempt, kept for audit (who, when, from where, whether it succeeded)."""

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_name_at", "name", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ok: Mapped[bool] = mapped_column(Boolean)
    client: Mapped[str | None] = mapped_column(String(64), nullable=True)


class StaffSession(Base):
    """A logged-in browser: the cookie carries the signed id; logout deletes the row."""

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"))
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Consultation(Base):
    """One enterprise's consultation; its content lives in numbered versions."""

    __tablename__ = "consultations"
    __table_args__ = (Index("ix_consultations_code", "credit_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    credit_code: Mapped[str | None] = mapped_column(String(18), nullable=True)
    enterprise_name: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[int] = mapped_column(ForeignKey("staff.id"))


class ConsultationVersion(Base):
    """One saved state of a consultation: who, when, the profile, its sources, the result snapshot, the note."""

    __tablename__ = "consultation_versions"
    __table_args__ = (
        UniqueConstraint("consultation_id", "version", name="uq_consultation_versions_version"),
        Index("ix_consultation_versions_at", "saved_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    saved_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    label: Mapped[str | None] = mapped_column(Text, nullable=True)
    profile: Mapped[dict[str, Any]] = mapped_column(JSON)
    sources: Mapped[dict[str, str]] = mapped_column(JSON, doc="profile path -> registry | declared")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, doc="the Result as contract JSON")
    rules_version: Mapped[str] = mapped_column(String(64))
    rules_release: Mapped[str | None] = mapped_column(Text, nullable=True, doc="release name (rules/release.yaml)")
    rules_release_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    eligible: Mapped[str] = mapped_column(Text, doc="eligible measure ids as ',M30,M43,' (for filtering)")
    note: Mapped[str] = mapped_column(Text, default="")
