"""Console storage: staff accounts and logins, sessions, the signing secret, registry lookup, consultations.

Functions take an ``Engine`` and open their own short transaction, like ``store.runs``.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.console_models import AppSetting, Consultation, ConsultationVersion, LoginAttempt, Staff, StaffSession
from store.models import RegistryEnterprise

LOCAL_TZ = ZoneInfo(os.environ.get("HUIQI_TZ", "Asia/Shanghai"))  # dates staff type and read are Beijing time
MAX_FAILURES = 5
LOCK_FOR = dt.timedelta(minutes=15)
SESSION_LIFETIME = dt.timedelta(hours=8)
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("not a password of anyone")  # unknown names cost the same time as known ones


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes; everything here is stored in UTC."""
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


# --- secret ------------------------------------------------------------------------------

def app_secret(engine: Engine) -> str:
    """HUIQI_SECRET if set, else the secret generated on first start and kept in ``app_settings``."""
    configured = os.environ.get("HUIQI_SECRET")
    if configured:
        return configured
    with Session(engine) as session:
        row = session.get(AppSetting, "secret")
        if row is not None:
            return row.value
        session.add(AppSetting(key="secret", value=secrets.token_urlsafe(48)))
        try:
            session.commit()
        except IntegrityError:  # another worker generated it first: use theirs
            session.rollback()
        return session.get(AppSetting, "secret").value  # type: ignore[union-attr]


# --- staff and logins ----------------------------------------------------------------------

class StaffExists(Exception):
    pass


def add_staff(engine: Engine, name: str, password: str, admin: bool = False) -> int:
    if not name.strip() or len(name) > 64:
        raise ValueError("用户名不能为空，且不超过 64 个字符")
    if len(password) < 8:
        raise ValueError("密码至少 8 个字符")
    with Session(engine) as session:
        staff = Staff(name=name.strip(), password_hash=_HASHER.hash(password), is_admin=admin, active=True,
                      failed_logins=0, created_at=now())
        session.add(staff)
        try:
            session.commit()
        except IntegrityError as exc:
            raise StaffExists(name) from exc
        return staff.id


@dataclass(frozen=True)
class LoginOutcome:
    staff_id: int | None
    message: str = ""  # why it failed, in Chinese (never says whether the name exists)
    failure: str | None = None  # wrong_password | locked (for the metrics; never shown)
    locked_now: bool = False  # this attempt locked the account


def authenticate(engine: Engine, name: str, password: str, client: str | None = None,
                 at: dt.datetime | None = None) -> LoginOutcome:
    """Check a password; 5 failures in a row lock the account for 15 minutes (recorded in ``staff``)."""
    at = at or now()
    with Session(engine) as session:
        staff = session.scalar(select(Staff).where(Staff.name == name.strip()))
        outcome = _check(session, staff, password, at)
        session.add(LoginAttempt(name=name.strip()[:64], at=at, ok=outcome.staff_id is not None,
                                 client=(client or "")[:64] or None))
        session.commit()
        return outcome


def _check(session: Session, staff: Staff | None, password: str, at: dt.datetime) -> LoginOutcome:
    wrong = LoginOutcome(None, "用户名或密码不正确", "wrong_password")
    if staff is None or not staff.active:
        _verify(_DUMMY_HASH, password)
        return wrong
    locked_until = aware(staff.locked_until)
    if locked_until is not None and locked_until > at:
        minutes = int((locked_until - at).total_seconds() // 60) + 1
        return LoginOutcome(None, f"登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试或联系管理员", "locked")
    if not _verify(staff.password_hash, password):
        staff.failed_logins += 1
        if staff.failed_logins >= MAX_FAILURES:
            staff.failed_logins = 0
            staff.locked_until = at + LOCK_FOR
            return LoginOutcome(None, f"连续 {MAX_FAILURES} 次密码错误，账号已锁定 15 分钟", "wrong_password",
                                locked_now=True)
        return wrong
    staff.failed_logins = 0
    staff.locked_until = None
    if _HASHER.check_needs_rehash(staff.password_hash):
        staff.password_hash = _HASHER.hash(password)
    return LoginOutcome(staff.id)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def unlock(engine: Engine, name: str) -> bool:
    with Session(engine) as session:
        done = session.execute(update(Staff).where(Staff.name == name).values(failed_logins=0, locked_until=None))
        session.commit()
        return bool(done.rowcount)  # type: ignore[attr-defined]


def staff_list(engine: Engine) -> list[Staff]:
    with Session(engine) as session:
        return list(session.scalars(select(Staff).order_by(Staff.name)))


# --- sessions ------------------------------------------------------------------------------

@dataclass(frozen=True)
class CurrentStaff:
    id: int
    name: str
    is_admin: bool
    session_id: str
    csrf: str


def open_session(engine: Engine, staff_id: int) -> str:
    sid = secrets.token_urlsafe(32)
    with Session(engine) as session:
        session.execute(delete(StaffSession).where(StaffSession.created_at < now() - SESSION_LIFETIME))  # expired
        session.add(StaffSession(id=sid, staff_id=staff_id, csrf=secrets.token_urlsafe(32), created_at=now()))
        session.commit()
    return sid


def session_staff(engine: Engine, sid: str) -> CurrentStaff | None:
    with Session(engine) as session:
        row = session.execute(select(StaffSession, Staff).join(Staff, Staff.id == StaffSession.staff_id)
                              .where(StaffSession.id == sid)).first()
        if row is None:
            return None
        sess, staff = row
        if not staff.active or aware(sess.created_at) + SESSION_LIFETIME < now():  # type: ignore[operator]
            return None
        return CurrentStaff(staff.id, staff.name, staff.is_admin, sess.id, sess.csrf)


def close_session(engine: Engine, sid: str) -> None:
    with Session(engine) as session:
        row = session.get(StaffSession, sid)
        if row is not None:
            session.delete(row)
            session.commit()


# --- registry --------------------------------------------------------------------------------

@dataclass(frozen=True)
class RegistryEntry:
    credit_code: str
    name: str | None
    district: str | None
    profile: dict[str, Any]
    source: str
    provenance: dict[str, dict[str, Any]] | None = None  # department sources: fact path -> where it came from

    @property
    def departments(self) -> list[str]:
        """The departments the registry facts came from (department sources), in first-seen order."""
        return list(dict.fromkeys(p["department"] for p in (self.provenance or {}).values() if p.get("department")))


def _entry(row: RegistryEnterprise) -> RegistryEntry:
    return RegistryEntry(row.credit_code, row.name, row.district, dict(row.profile or {}), row.source,
                         dict(row.provenance) if row.provenance else None)


def registry_by_code(engine: Engine, code: str) -> RegistryEntry | None:
    with Session(engine) as session:
        row = session.get(RegistryEnterprise, code)
        return _entry(row) if row is not None else None


def _escaped(text: str) -> str:
    """``text`` for a LIKE pattern: its % and _ are literal."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def registry_by_name(engine: Engine, part: str, limit: int = 20) -> list[RegistryEntry]:
    with Session(engine) as session:
        rows = session.scalars(select(RegistryEnterprise)
                               .where(RegistryEnterprise.name.like(f"%{_escaped(part)}%", escape="\\"))
                               .order_by(RegistryEnterprise.name).limit(limit))
        return [_entry(r) for r in rows]


# --- consultations ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Saved:
    credit_code: str | None
    enterprise_name: str | None
    label: str | None
    profile: dict[str, Any]
    sources: dict[str, str]
    result: dict[str, Any]
    rules_version: str
    eligible: list[str]
    note: str
    rules_release: str | None = None  # the release name and date of the rules (rules/release.yaml)
    rules_release_date: dt.date | None = None


def save_consultation(engine: Engine, staff_id: int, saved: Saved,
                      consultation_id: int | None = None) -> tuple[int, int]:
    """A new consultation (version 1), or a new version of an existing one. Returns (id, version).

    Two staff saving the same consultation at once: the unique (consultation, version) refuses
    the second insert, which then retries with the next number; nothing is overwritten."""
    for attempt in range(5):
        try:
            return _insert_version(engine, staff_id, saved, consultation_id)
        except IntegrityError:
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def _insert_version(engine: Engine, staff_id: int, saved: Saved, consultation_id: int | None) -> tuple[int, int]:
    at = now()
    with Session(engine) as session:
        if consultation_id is None:
            header = Consultation(credit_code=saved.credit_code, enterprise_name=saved.enterprise_name,
                                  created_at=at, created_by=staff_id)
            session.add(header)
            session.flush()
            consultation_id = header.id
        elif session.get(Consultation, consultation_id) is None:
            raise LookupError(consultation_id)
        latest = session.scalar(select(func.max(ConsultationVersion.version))
                                .where(ConsultationVersion.consultation_id == consultation_id)) or 0
        session.add(ConsultationVersion(
            consultation_id=consultation_id, version=latest + 1, staff_id=staff_id, saved_at=at,
            label=saved.label, profile=saved.profile, sources=saved.sources, result=saved.result,
            rules_version=saved.rules_version, rules_release=saved.rules_release,
            rules_release_date=saved.rules_release_date, eligible="," + ",".join(saved.eligible) + ",",
            note=saved.note))
        session.commit()
        return consultation_id, latest + 1


@dataclass(frozen=True)
class VersionRow:
    consultation_id: int
    version: int
    credit_code: str | None
    enterprise_name: str | None
    adviser: str
    saved_at: dt.datetime
    label: str | None
    profile: dict[str, Any]
    sources: dict[str, str]
    result: dict[str, Any]
    rules_version: str
    eligible: list[str]
    note: str
    versions: int  # how many versions the consultation has
    rules_release: str | None = None
    rules_release_date: dt.date | None = None

    @property
    def saved_local(self) -> dt.datetime:
        return self.saved_at.astimezone(LOCAL_TZ)


@dataclass(frozen=True)
class LogFilter:
    """Dates are local (``HUIQI_TZ``, default Asia/Shanghai) and inclusive."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    adviser: str | None = None
    enterprise: str | None = None  # part of a name or a credit code
    measure: str | None = None


def _rows(session: Session, query: Any) -> list[VersionRow]:
    counts = dict(session.execute(select(ConsultationVersion.consultation_id, func.count())
                                  .group_by(ConsultationVersion.consultation_id)).all())
    out = []
    for version, header, staff in session.execute(query).all():
        out.append(VersionRow(
            header.id, version.version, header.credit_code, header.enterprise_name, staff.name,
            aware(version.saved_at), version.label, version.profile, version.sources,  # type: ignore[arg-type]
            version.result, version.rules_version, [m for m in version.eligible.split(",") if m],
            version.note, counts.get(header.id, 1), version.rules_release, version.rules_release_date))
    return out


def _joined() -> Any:
    return (select(ConsultationVersion, Consultation, Staff)
            .join(Consultation, Consultation.id == ConsultationVersion.consultation_id)
            .join(Staff, Staff.id == ConsultationVersion.staff_id))


def _start_of(day: dt.date) -> dt.datetime:
    """Local midnight, in UTC (SQLite compares the stored text, so both sides must be UTC)."""
    return dt.datetime.combine(day, dt.time(), LOCAL_TZ).astimezone(dt.UTC)


def list_consultations(engine: Engine, filters: LogFilter, limit: int = 500) -> list[VersionRow]:
    """The latest version of each consultation matching the filters, newest first."""
    latest = (select(ConsultationVersion.consultation_id, func.max(ConsultationVersion.version).label("v"))
              .group_by(ConsultationVersion.consultation_id).subquery())
    query = _joined().join(latest, (latest.c.consultation_id == ConsultationVersion.consultation_id)
                           & (latest.c.v == ConsultationVersion.version))
    if filters.date_from:
        query = query.where(ConsultationVersion.saved_at >= _start_of(filters.date_from))
    if filters.date_to:
        query = query.where(ConsultationVersion.saved_at < _start_of(filters.date_to + dt.timedelta(days=1)))
    if filters.adviser:
        query = query.where(Staff.name == filters.adviser)
    if filters.enterprise:
        like = f"%{_escaped(filters.enterprise)}%"
        query = query.where(or_(Consultation.enterprise_name.like(like, escape="\\"),
                                Consultation.credit_code.like(like, escape="\\")))
    if filters.measure:
        query = query.where(ConsultationVersion.eligible.like(f"%,{filters.measure.upper()},%"))
    query = query.order_by(ConsultationVersion.saved_at.desc(), Consultation.id.desc()).limit(limit)
    with Session(engine) as session:
        return _rows(session, query)


def history(engine: Engine, consultation_id: int) -> list[VersionRow]:
    """Every version of a consultation, oldest first (empty if there is none)."""
    query = (_joined().where(ConsultationVersion.consultation_id == consultation_id)
             .order_by(ConsultationVersion.version))
    with Session(engine) as session:
        return _rows(session, query)
