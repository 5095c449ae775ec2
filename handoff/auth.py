"""Staff accounts (argon2 hashes), console sessions that expire, and login throttling:
after five wrong passwords for a user name *from one address*, further attempts from there
are refused for a while that doubles with every new failure (so a guesser elsewhere cannot
lock the real user out), and one address gets fifty failures over all user names.

Admins bound to a center manage that center's accounts only; an admin with no center (a
global admin) manages every center."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select

from core.clock import utc_now
from core.db import session_scope
from handoff.models import ROLES, LoginThrottle, Staff, StaffSession
from handoff.settings import database_url

FREE_ATTEMPTS = 5  # per (user name, address)
FREE_ATTEMPTS_PER_ADDRESS = 50  # one address trying many user names
FIRST_BLOCK_SECONDS = 30
MAX_BLOCK_SECONDS = 3600
MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"[A-Za-z0-9_.@-]{2,64}")

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so both cases cost the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AuthError(ValueError):
    """Bad account data (user name, role, weak password)."""


@dataclass(frozen=True)
class StaffView:
    """What a request knows about the logged-in staff member."""

    id: int
    username: str
    display_name: str
    role: str
    center: str | None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class LoginResult:
    staff: StaffView | None = None
    token: str | None = None
    blocked_until: datetime | None = None


def _view(staff: Staff) -> StaffView:
    return StaffView(staff.id, staff.username, staff.display_name, staff.role, staff.center)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add_staff(
    username: str,
    password: str,
    *,
    role: str = "agent",
    display_name: str | None = None,
    center: str | None = None,
    url: str | None = None,
    by: StaffView | None = None,
) -> StaffView:
    """Create an account; an existing user name is refused (nothing changes). ``by``: the
    admin creating it in the console (None: the ``ippc staff add`` command, run by whoever
    runs the server): a center's admin creates accounts of that center only."""
    center = center_for_new_account(by, center)
    if not USERNAME.fullmatch(username or ""):
        raise AuthError("user name: 2–64 letters, digits or _ . @ -")
    if role not in ROLES:
        raise AuthError(f"role must be one of {', '.join(ROLES)}")
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AuthError(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    with session_scope(database_url(url)) as session:
        if session.execute(select(Staff.id).where(Staff.username == username)).first():
            raise AuthError(f"user {username!r} already exists")
        staff = Staff(
            username=username,
            display_name=(display_name or username).strip()[:100],
            password_hash=_hasher.hash(password),
            role=role,
            center=center or None,
            active=True,
            created_at=utc_now(),
        )
        session.add(staff)
        session.flush()
        return _view(staff)


def center_for_new_account(by: StaffView | None, center: str | None) -> str | None:
    """The center a new account gets: a center's admin can only give their own (an empty
    field means their own; an account without a center would see every center)."""
    center = (center or "").strip() or None
    if by is None or by.center is None:
        return center
    if center not in (None, by.center):
        raise AuthError("you can only create accounts of your own center")
    return by.center


def list_staff(url: str | None = None, viewer: StaffView | None = None) -> list[StaffView]:
    """Active accounts; a center's admin sees that center's only."""
    with session_scope(database_url(url)) as session:
        query = select(Staff).where(Staff.active).order_by(Staff.username)
        if viewer is not None and viewer.center is not None:
            query = query.where(Staff.center == viewer.center)
        return [_view(s) for s in session.execute(query).scalars()]


def _blocked_until(session, keys: list[str], now: datetime) -> datetime | None:  # noqa: ANN001
    rows = session.execute(select(LoginThrottle).where(LoginThrottle.key.in_(keys))).scalars()
    until = [row.blocked_until for row in rows if row.blocked_until and row.blocked_until > now]
    return max(until) if until else None


def _record_failure(session, keys: list[str], now: datetime) -> None:  # noqa: ANN001
    for key in keys:
        row = session.get(LoginThrottle, key) or LoginThrottle(key=key, failures=0)
        row.failures += 1
        row.last_failure_at = now
        free = FREE_ATTEMPTS_PER_ADDRESS if key.startswith("addr:") else FREE_ATTEMPTS
        extra = row.failures - free
        if extra >= 0:
            seconds = min(MAX_BLOCK_SECONDS, FIRST_BLOCK_SECONDS * 2**extra)
            row.blocked_until = now + timedelta(seconds=seconds)
        session.add(row)


def login(
    username: str,
    password: str,
    client: str,
    *,
    session_minutes: int,
    now: datetime | None = None,
    url: str | None = None,
) -> LoginResult:
    """Check the password; a session token on success. While blocked, even the right
    password is refused, so guessing cannot go faster than the block allows."""
    now = now or utc_now()
    address = client[:120]
    keys = [f"user:{username.lower()[:64]}@{address}", f"addr:{address}"]
    with session_scope(database_url(url)) as session:
        blocked = _blocked_until(session, keys, now)
        if blocked:
            return LoginResult(blocked_until=blocked)
        staff = session.execute(
            select(Staff).where(Staff.username == username, Staff.active)
        ).scalar_one_or_none()
        try:
            _hasher.verify(staff.password_hash if staff else _DUMMY_HASH, password)
            ok = staff is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
        if not ok:
            _record_failure(session, keys, now)
            return LoginResult()
        session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys[0]))
        if _hasher.check_needs_rehash(staff.password_hash):
            staff.password_hash = _hasher.hash(password)
        token = secrets.token_urlsafe(32)
        session.add(
            StaffSession(
                token_hash=_token_hash(token),
                staff_id=staff.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                expires_at=now + timedelta(minutes=session_minutes),
            )
        )
        session.execute(delete(StaffSession).where(StaffSession.expires_at <= now))
        return LoginResult(staff=_view(staff), token=token)


def session_for(
    token: str | None, now: datetime | None = None, url: str | None = None
) -> tuple[StaffView, str] | None:
    """(staff, CSRF token) of a live session, or None when unknown or expired."""
    if not token:
        return None
    now = now or utc_now()
    with session_scope(database_url(url)) as session:
        row = session.get(StaffSession, _token_hash(token))
        if row is None or row.expires_at <= now or not row.staff.active:
            return None
        return _view(row.staff), row.csrf_token


def logout(token: str | None, url: str | None = None) -> None:
    if not token:
        return
    with session_scope(database_url(url)) as session:
        session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def purge_throttle(before: datetime, url: str | None = None) -> int:
    """Forget failed logins last seen before ``before`` (and sessions that have expired)."""
    with session_scope(database_url(url)) as session:
        result = session.execute(
            delete(LoginThrottle).where(LoginThrottle.last_failure_at < before)
        )
        session.execute(delete(StaffSession).where(StaffSession.expires_at <= utc_now()))
        return result.rowcount or 0
