"""Named accounts with roles, for a served app: who reads, who curates, who administers.

Roles, each with what the one before may do: reader (search, read, corroborate), analyst
(curate: the decision log records the account, not a typed name), admin (accounts, reports
with interviewee attributes). Passwords are hashed with argon2id (argon2-cffi: memory-hard, the
first choice of OWASP's password storage guidance), never stored or logged. The accounts live
in one JSON file (TESTIMONY_USERS, default `testimony-users.json` beside the working
directory), written atomically and readable by its owner only; `testimony users` manages it.

An organisation with an identity provider signs people in through it instead (OIDC, with
Streamlit's own login: graph_builder/app_server.py): such an account is named by the e-mail
address the provider vouches for, holds a role like any other, and has no password here
(`testimony users add amira@example.org --role analyst --oidc`).
"""
from __future__ import annotations

import json
import re
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from graph_builder.errors import TestimonyError

USERS_ENV = "TESTIMONY_USERS"
DEFAULT_USERS = "testimony-users.json"
ROLES: tuple[str, ...] = ("reader", "analyst", "admin")
MIN_PASSWORD = 12

_hasher = PasswordHasher()
# Verified against when the name is unknown, so that a wrong name costs what a wrong password
# costs (no telling which accounts exist by the time an answer takes).
_DUMMY = _hasher.hash("not an account of this project")


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    created: str
    oidc: bool = False  # signs in through the identity provider; no password here

    def may(self, role: str) -> bool:
        """Whether this account holds `role` or one above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def users_path() -> Path:
    return Path(os.environ.get(USERS_ENV) or DEFAULT_USERS)


def _read(path: Path) -> dict[str, dict[str, str]]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return dict(data["users"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TestimonyError(f"{path}: not an accounts file ({exc}); fix it or point "
                             f"{USERS_ENV} at another") from None


def _write(path: Path, users: dict[str, dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".users-")
    try:
        os.chmod(tmp, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"users": users}, fh, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def _check(name: str, password: str | None = None, role: str | None = None, *,
           oidc: bool = False) -> None:
    if oidc:
        if not _EMAIL.match(name or ""):
            raise TestimonyError(f"account {name!r}: an identity-provider account is named by "
                                 "the e-mail address the provider gives")
    elif not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise TestimonyError(f"account name {name!r}: letters, digits, '-', '_' and '.' only")
    if role is not None and role not in ROLES:
        raise TestimonyError(f"role {role!r}: one of {', '.join(ROLES)}")
    if password is not None and len(password) < MIN_PASSWORD:
        raise TestimonyError(f"a password needs at least {MIN_PASSWORD} characters")


def accounts(path: Path | None = None) -> list[Account]:
    """Every account, by name (no hashes)."""
    users = _read(path or users_path())
    return [Account(n, u["role"], u.get("created", ""), bool(u.get("oidc")))
            for n, u in sorted(users.items())]


def add(name: str, password: str | None, role: str, path: Path | None = None, *,
        oidc: bool = False) -> Account:
    """A new account: with a password, or (`oidc`) one the identity provider signs in."""
    path = path or users_path()
    _check(name, None if oidc else password, role, oidc=oidc)
    users = _read(path)
    if name in users:
        raise TestimonyError(f"account {name!r} exists; `testimony users passwd {name}` changes "
                             "its password")
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    users[name] = ({"role": role, "oidc": True, "created": created} if oidc else
                   {"role": role, "hash": _hasher.hash(password or ""), "created": created})
    _write(path, users)
    return Account(name, role, created, oidc)


def identity(email: str | None, path: Path | None = None) -> Account | None:
    """The identity-provider account of `email` (compared without case), or None."""
    if not email:
        return None
    for a in accounts(path):
        if a.oidc and a.name.casefold() == email.strip().casefold():
            return a
    return None


def remove(name: str, path: Path | None = None) -> None:
    path = path or users_path()
    users = _read(path)
    if users.pop(name, None) is None:
        raise TestimonyError(f"no account {name!r}")
    _write(path, users)


def passwd(name: str, password: str, path: Path | None = None) -> None:
    path = path or users_path()
    _check(name, password)
    users = _read(path)
    if name not in users:
        raise TestimonyError(f"no account {name!r}")
    if users[name].get("oidc"):
        raise TestimonyError(f"{name} signs in through the identity provider: no password here")
    users[name]["hash"] = _hasher.hash(password)
    _write(path, users)


def verify(name: str, password: str, path: Path | None = None) -> Account | None:
    """The account when the name and password match, else None (in the same time either way)."""
    users = _read(path or users_path())
    user = users.get(name)
    if user is not None and "hash" not in user:
        user = None  # an identity-provider account: no password opens it
    try:
        _hasher.verify(user["hash"] if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    return Account(name, user["role"], user.get("created", ""))
