"""The login gate's memory: failed attempts per client address, kept by the server process.

Streamlit reruns a script the moment a button is pressed again, so a `time.sleep` after a
wrong password slows nobody down. The throttle is therefore a time each address must wait
before its next attempt is even checked: 1, 2, 4, ... seconds after each failure (at most 60),
and after `LOCKOUT_AFTER` failures in a row the address is locked out for `LOCKOUT_SECONDS`.
Every failure and every refused attempt is logged with the address (never the password).
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

LOCKOUT_AFTER = 10
LOCKOUT_SECONDS = 15 * 60
MAX_WAIT = 60.0

log = logging.getLogger("testimony.login")


@dataclass
class _Record:
    failures: int = 0
    next_try: float = 0.0


class LoginThrottle:
    """Attempts per address: may it try now, and what a failure or a success does."""

    def __init__(self, clock=time.monotonic) -> None:  # noqa: ANN001 - a clock for tests
        self._clock = clock
        self._lock = threading.Lock()
        self._records: dict[str, _Record] = {}

    def wait(self, address: str) -> float:
        """Seconds before `address` may try again (0: now)."""
        with self._lock:
            record = self._records.get(address)
            return max(0.0, record.next_try - self._clock()) if record else 0.0

    def refused(self, address: str) -> None:
        log.warning("login attempt from %s refused: throttled or locked out", address)

    def failed(self, address: str) -> float:
        """Count a wrong password; returns the wait it earns."""
        with self._lock:
            record = self._records.setdefault(address, _Record())
            record.failures += 1
            wait = (LOCKOUT_SECONDS if record.failures >= LOCKOUT_AFTER
                    else min(MAX_WAIT, 2.0 ** (record.failures - 1)))
            record.next_try = self._clock() + wait
        log.warning("failed login from %s (%d in a row)%s", address, record.failures,
                    "; locked out" if record.failures >= LOCKOUT_AFTER else "")
        return wait

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._records.pop(address, None)
