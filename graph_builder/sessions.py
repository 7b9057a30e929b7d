"""Who is signed in to the served app, and how fast a wrong password may be tried again.

A sign-in (graph_builder/app_server.py, the /signin page) opens a session: a random token
in an HttpOnly cookie that the browser forgets when it closes, and a record here, in the
server process, of the account and role it stands for. Every request (pages, the app's
WebSocket, media, downloads, recordings, metrics) is let through only with a live token, and
the app's script reads the same record to know who is working (the decision and audit logs
record that account). A session ends at sign-out, after `IDLE_SECONDS` without a request, or
`MAX_SECONDS` after sign-in; a server restart ends them all.

The throttle is server-side, per client address and per account name: after each wrong
password the next attempt is not even checked for 1, 2, 4, ... seconds (at most 60), and after
`LOCKOUT_AFTER` failures in a row the address or account is locked out for `LOCKOUT_SECONDS`.
"""
from __future__ import annotations

import logging
import secrets
import threading
import time
from dataclasses import dataclass, field

SESSION_COOKIE = "testimony_session"
IDLE_SECONDS = 2 * 3600
MAX_SECONDS = 12 * 3600
LOCKOUT_AFTER = 10
LOCKOUT_SECONDS = 15 * 60
MAX_WAIT = 60.0

log = logging.getLogger("testimony.signin")


@dataclass
class Session:
    account: str
    role: str
    address: str
    opened: float
    seen: float = field(default=0.0)


class Sessions:
    """The live sign-ins of this server process, by token."""

    def __init__(self, clock=time.monotonic) -> None:  # noqa: ANN001 - a clock for tests
        self._clock = clock
        self._lock = threading.Lock()
        self._live: dict[str, Session] = {}

    def open(self, account: str, role: str, address: str) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._live[token] = Session(account, role, address, now, now)
        return token

    def get(self, token: str | None) -> Session | None:
        """The session `token` stands for, while it lives (each call counts as activity)."""
        if not token:
            return None
        now = self._clock()
        with self._lock:
            s = self._live.get(token)
            if s is None:
                return None
            if now - s.seen > IDLE_SECONDS or now - s.opened > MAX_SECONDS:
                del self._live[token]
                return None
            s.seen = now
            return s

    def close(self, token: str | None) -> Session | None:
        with self._lock:
            return self._live.pop(token, None) if token else None

    def close_account(self, account: str) -> int:
        """End every session of `account` (its password changed, or it was removed)."""
        with self._lock:
            ended = [t for t, s in self._live.items() if s.account == account]
            for t in ended:
                del self._live[t]
        return len(ended)


@dataclass
class _Record:
    failures: int = 0
    next_try: float = 0.0


class LoginThrottle:
    """Attempts per key (an address, an account): may it try now, what a failure does."""

    def __init__(self, clock=time.monotonic) -> None:  # noqa: ANN001 - a clock for tests
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[str, _Record] = {}

    def wait(self, key: str) -> float:
        """Seconds before `key` may try again (0: now)."""
        with self._lock:
            record = self._records.get(key)
            return max(0.0, record.next_try - self._clock()) if record else 0.0

    def failed(self, key: str) -> float:
        """Count a wrong password; returns the wait it earns."""
        with self._lock:
            record = self._records.setdefault(key, _Record())
            record.failures += 1
            wait = (LOCKOUT_SECONDS if record.failures >= LOCKOUT_AFTER
                    else min(MAX_WAIT, 2.0 ** (record.failures - 1)))
            record.next_try = self._clock() + wait
            failures = record.failures
        log.warning("failed sign-in for %s (%d in a row)%s", key, failures,
                    "; locked out" if failures >= LOCKOUT_AFTER else "")
        return wait

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)


# One of each per server process: the HTTP gate and the app's script share them.
SESSIONS = Sessions()
THROTTLE = LoginThrottle()
