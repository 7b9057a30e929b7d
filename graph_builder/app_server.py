"""The served app's front door: sign-in, the gate every request passes, recordings, TLS rules.

streamlit_app.py declares the app as `st.App(..., routes=ROUTES, middleware=MIDDLEWARE,
lifespan=lifespan)`, so every way of starting it (`testimony serve`, `streamlit run
streamlit_app.py`, `python streamlit_app.py`, `uvicorn streamlit_app:app`) goes through here:

- **The gate** (`SignInGate`, an ASGI middleware in front of all of Streamlit's routes): with
  accounts (`testimony users`), a request without a live session (graph_builder/sessions.py)
  gets the sign-in page (pages) or 401 (the WebSocket, /media/ recordings and downloads,
  /recordings/, /_stcore/metrics, anything else); only /signin and the health check answer
  without one. A request from beyond this machine (or relayed by a proxy) is refused outright
  when there are no accounts, and when it came over plain HTTP: serve with a certificate.
- **/signin** checks a password against the accounts file (argon2id), throttled server-side
  per address and per account, locked out after repeated failures, every outcome in the
  audit log; a success sets an HttpOnly, SameSite=Strict session cookie (Secure under TLS)
  the browser forgets when it closes. **/signout** ends the session.
- **/recordings/<interview id>** streams an interview's recording from disk in byte ranges
  (the player seeks without the file being read whole), only from the transcript's folder or
  the media root (TESTIMONY_MEDIA_ROOT).
- **No outbound calls**: Streamlit's lookups of this machine's public address (an outside
  IP-echo service, a UDP socket pointed at 8.8.8.8) are switched off at import.
- **At start** (`lifespan`), the app refuses to come up on an address beyond localhost
  without accounts, or without TLS (`server.sslCertFile`/`sslKeyFile`, which `testimony serve
  --tls-cert/--tls-key` set).
"""
from __future__ import annotations

import html
import ipaddress
import logging
import mimetypes
import os
import re
import time
from contextlib import asynccontextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from graph_builder import accounts, audit
from graph_builder.errors import TestimonyError
from graph_builder.sessions import SESSION_COOKIE, SESSIONS, THROTTLE

log = logging.getLogger("testimony.server")

SIGNIN, SIGNOUT, RECORDINGS = "/signin", "/signout", "/recordings"
OPEN_PATHS = frozenset({SIGNIN, "/_stcore/health", "/healthz"})
# Streamlit's own OIDC routes: open when an identity provider is configured
AUTH_LOGIN, AUTH_LOGOUT, OAUTH_CALLBACK = "/auth/login", "/auth/logout", "/oauth2callback"
USER_COOKIE = "_streamlit_user"
FORWARDING_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")
FAILED_SIGNIN_PAUSE = 0.5  # seconds every wrong password costs its sender, on top of the throttle


def no_outbound_calls() -> None:
    """Switch off every lookup Streamlit would make of this machine's public address."""
    from streamlit import net_util

    net_util.get_external_ip = lambda: None  # type: ignore[assignment]
    net_util._make_blocking_http_get = lambda *a, **k: None  # type: ignore[attr-defined]
    # and the "Network URL": it is found by pointing a UDP socket at 8.8.8.8
    net_util.get_internal_ip = lambda: None  # type: ignore[assignment]


no_outbound_calls()


# --------------------------------------------------------------------------------------------
# Who asks, from where
# --------------------------------------------------------------------------------------------

def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _headers(scope: dict) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers") or ()}


def client_address(scope: dict) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


def from_beyond(scope: dict) -> bool:
    """Whether the request comes from another machine, or through a proxy that relays others."""
    headers = _headers(scope)
    return (not is_loopback(client_address(scope))
            or any(h in headers for h in FORWARDING_HEADERS))


def over_tls(scope: dict) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    # behind a TLS-terminating proxy on this machine, the proxy says how the client came in
    proto = _headers(scope).get(b"x-forwarded-proto", b"").decode("latin-1").lower()
    return bool(proto) and proto.split(",")[0].strip() == "https" and is_loopback(client_address(scope))


def session_token(scope: dict) -> str | None:
    raw = _headers(scope).get(b"cookie")
    if not raw:
        return None
    jar = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1"))
    except Exception:  # noqa: BLE001 - a malformed cookie header is no session
        return None
    morsel = jar.get(SESSION_COOKIE)
    return morsel.value if morsel else None


_accounts_cache: dict[str, Any] = {"key": None, "names": frozenset()}


def account_names() -> frozenset[str]:
    """The accounts' names, reread when the accounts file changes."""
    path = accounts.users_path()
    try:
        st = path.stat()
        key = (str(path), st.st_mtime_ns, st.st_size)
    except OSError:
        key = (str(path), None, None)
    if _accounts_cache["key"] != key:
        _accounts_cache["names"] = frozenset(a.name for a in accounts.accounts()) if key[1] else frozenset()
        _accounts_cache["key"] = key
    return _accounts_cache["names"]


# --------------------------------------------------------------------------------------------
# Identity providers (OIDC, through Streamlit's own login)
# --------------------------------------------------------------------------------------------

def identity_providers() -> list[str]:
    """The providers configured in the secrets' [auth] section (Streamlit's OIDC login):
    "default" for the section's own client_id, and each named [auth.NAME]; [] for none."""
    try:
        from streamlit.runtime.secrets import secrets_singleton

        if not secrets_singleton.load_if_toml_exists():
            return []
        auth = secrets_singleton.get("auth")
    except Exception:  # noqa: BLE001 - no secrets, or an unreadable file: no provider
        return []
    if not auth:
        return []
    names = ["default"] if auth.get("client_id") else []
    names += [k for k, v in auth.items() if hasattr(v, "get") and v.get("client_id")]
    return names


def signin_link(provider: str) -> str:
    """Where "Sign in with ..." sends the browser: Streamlit's login, for that provider."""
    from streamlit.auth_util import encode_provider_token

    return f"{base_path()}{AUTH_LOGIN}?provider={quote(encode_provider_token(provider), safe='')}"


def _cookies(scope: dict) -> dict[str, str]:
    raw = _headers(scope).get(b"cookie")
    jar = SimpleCookie()
    try:
        jar.load(raw.decode("latin-1") if raw else "")
    except Exception:  # noqa: BLE001 - a malformed cookie header holds no cookie
        return {}
    return {k: m.value for k, m in jar.items()}


def oidc_email(cookies: dict[str, str]) -> str | None:
    """The e-mail address an identity provider vouched for, from Streamlit's signed user
    cookie (its signature and origin checked as Streamlit checks them), or None."""
    if USER_COOKIE not in cookies:
        return None
    try:
        from streamlit.auth_util import get_origin_from_redirect_uri
        from streamlit.web.server.starlette.starlette_websocket import (
            _get_signed_cookie_with_chunks, _parse_decoded_user_cookie)

        decoded = _get_signed_cookie_with_chunks(cookies, USER_COOKIE)
        origin = get_origin_from_redirect_uri()
        if not decoded or not origin:
            return None
        user = _parse_decoded_user_cookie(decoded, origin)
    except Exception:  # noqa: BLE001 - a forged or stale cookie is nobody
        return None
    email = user.get("email") if user.get("is_logged_in") else None
    return email if isinstance(email, str) and email else None


def _session_cookies_only(send):  # noqa: ANN001, ANN202 - ASGI send
    """Streamlit keeps its sign-in cookie for 30 days; here a sign-in lasts for the browser
    session, as a password's does: the cookie's Max-Age and Expires are dropped."""
    async def wrapped(message):  # noqa: ANN001, ANN202
        if message.get("type") == "http.response.start":
            headers = []
            for k, v in message.get("headers", []):
                if k.lower() == b"set-cookie" and not re.search(rb"max-age=0\b", v, re.I):
                    v = re.sub(rb";\s*(max-age|expires)=[^;]*", b"", v, flags=re.I)
                headers.append((k, v))
            message = {**message, "headers": headers}
        await send(message)
    return wrapped


def base_path() -> str:
    try:
        from streamlit import config
        base = (config.get_option("server.baseUrlPath") or "").strip("/")
    except Exception:  # noqa: BLE001 - outside a Streamlit process
        base = ""
    return f"/{base}" if base else ""


# --------------------------------------------------------------------------------------------
# Responses
# --------------------------------------------------------------------------------------------

SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                    (b"cache-control", b"no-store")]


async def _send(send, status: int, body: str, *, ctype: str = "text/plain; charset=utf-8",
                headers: list[tuple[bytes, bytes]] | None = None) -> None:
    data = body.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype.encode()), (b"content-length", str(len(data)).encode()),
                            *SECURITY_HEADERS, *(headers or [])]})
    await send({"type": "http.response.body", "body": data})


def _page(title: str, body: str) -> str:
    return ("<!doctype html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>"
            "body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;"
            "color:#222}input,button{font:inherit;width:100%;box-sizing:border-box;margin:.3rem 0 "
            ".9rem;padding:.5rem}button{background:#333;color:#fff;border:0;cursor:pointer}"
            ".err{color:#a00}.note{color:#555;font-size:.9rem}</style></head><body>"
            f"{body}</body></html>")


def signin_page(next_path: str = "/", message: str = "") -> str:
    providers = identity_providers()
    links = "".join(
        f"<p><a href='{html.escape(signin_link(p))}'>Sign in with "
        f"{'your organisation' if p == 'default' else html.escape(p)}</a></p>" for p in providers)
    return _page("Sign in · Testimony graph", (
        "<h1>Testimony graph</h1><p class=note>This app holds interview material that can "
        "identify witnesses. Sign in with your account.</p>"
        + (f"<p class=err role=alert>{html.escape(message)}</p>" if message else "") + links
        + f"<form method=post action='{html.escape(base_path() + SIGNIN)}'>"
        f"<input type=hidden name=next value='{html.escape(next_path)}'>"
        "<label>Account<input name=account autocomplete=username required autofocus></label>"
        "<label>Password<input name=password type=password autocomplete=current-password "
        "required></label><button type=submit>Sign in</button></form>"))


PAGE_CSP = (b"content-security-policy",
            b"default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")


def _safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this server, never another site."""
    value = (value or "/").strip()
    if not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


async def _deny(scope, receive, send, status: int, reason: str) -> None:
    if scope["type"] == "websocket":
        await receive()  # the websocket.connect event
        await send({"type": "websocket.close", "code": 1008, "reason": reason[:120]})
        return
    await _send(send, status, reason + "\n")


# --------------------------------------------------------------------------------------------
# The gate
# --------------------------------------------------------------------------------------------

class SignInGate:
    """Every request passes here before Streamlit sees it."""

    def __init__(self, app) -> None:  # noqa: ANN001 - the next ASGI app
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001 - ASGI
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        path = scope.get("path", "/")
        base = base_path()
        if base and path.startswith(base):
            path = path[len(base):] or "/"
        people = account_names()
        if from_beyond(scope):
            if not people:
                return await _deny(scope, receive, send, 403,
                                   "This app is reached from beyond this machine but has no "
                                   "accounts, and the material can identify witnesses. Add "
                                   "accounts with `testimony users add NAME --role analyst`.")
            if not over_tls(scope):
                return await _deny(scope, receive, send, 403,
                                   "Refused: plain HTTP from beyond this machine would carry "
                                   "passwords and testimony in clear. Serve with a certificate "
                                   "(`testimony serve --tls-cert FILE --tls-key FILE`).")
        if not people or path in OPEN_PATHS:  # one analyst on this machine: nothing to sign into
            return await self.app(scope, receive, send)
        if path in (AUTH_LOGIN, OAUTH_CALLBACK, AUTH_LOGOUT) and identity_providers():
            return await self.app(scope, receive, _session_cookies_only(send))
        session = SESSIONS.get(session_token(scope))
        if session is not None and session.account in people:  # a removed account is out
            return await self.app(scope, receive, send)
        email = oidc_email(_cookies(scope)) if identity_providers() else None
        if email is not None:
            if accounts.identity(email) is not None:
                return await self.app(scope, receive, send)
            return await _deny(scope, receive, send, 403,
                               f"{email} is signed in with the identity provider but has no "
                               "account here. Ask an admin: `testimony users add EMAIL --role "
                               "reader --oidc`.")
        if scope["type"] == "http" and scope.get("method") in ("GET", "HEAD") and _is_page(path):
            query = scope.get("query_string", b"").decode("latin-1")
            target = quote(path + (f"?{query}" if query else ""), safe="")
            return await _send(send, 303, "sign in first\n",
                               headers=[(b"location", f"{base}{SIGNIN}?next={target}".encode())])
        return await _deny(scope, receive, send, 401, "Sign in first: this needs a signed-in session.")


def _is_page(path: str) -> bool:
    """A page an analyst opens in the browser (answered by the sign-in page), not a resource."""
    first = path.strip("/").split("/", 1)[0]
    return not first.startswith("_stcore") and first not in ("media", "static", "component",
                                                            "recordings", "app", "signout")


MIDDLEWARE_CLASS = SignInGate


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------

def _same_origin(request) -> bool:  # noqa: ANN001 - a Starlette request
    """A sign-in form posted from this site, not from another page (login CSRF): the
    browser's Sec-Fetch-Site says so, or else its Origin; a client sending neither (curl, a
    script) is no browser another site could drive."""
    site = request.headers.get("sec-fetch-site")
    if site:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == request.headers.get("host", "")


def _cookie(token: str, request, *, clear: bool = False) -> str:  # noqa: ANN001
    parts = [f"{SESSION_COOKIE}={'' if clear else token}", f"Path={base_path() or '/'}",
             "HttpOnly", "SameSite=Strict"]
    if request.url.scheme == "https":
        parts.append("Secure")
    if clear:
        parts.append("Max-Age=0")
    return "; ".join(parts)  # no Expires/Max-Age: the browser forgets it when it closes


async def signin(request):  # noqa: ANN001, ANN201 - Starlette endpoint
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import HTMLResponse, RedirectResponse

    address = request.client.host if request.client else "unknown"
    if request.method == "GET":
        nxt = _safe_next(request.query_params.get("next"))
        return HTMLResponse(signin_page(nxt), headers=dict([(k.decode(), v.decode()) for k, v in
                                                            [PAGE_CSP, *SECURITY_HEADERS]]))
    headers = {k.decode(): v.decode() for k, v in [PAGE_CSP, *SECURITY_HEADERS]}
    if not _same_origin(request):
        return HTMLResponse(signin_page("/", "This form was sent from another site."),
                            status_code=403, headers=headers)
    body = await request.body()
    form = {k: v[0] for k, v in parse_qs(body[:8192].decode("utf-8", "replace")).items()}
    name = form.get("account", "").strip()[:100]
    password = form.get("password", "")[:1024]
    nxt = _safe_next(form.get("next"))
    keys = [f"address:{address}", f"account:{name}"]
    wait = max(THROTTLE.wait(k) for k in keys)
    if wait > 0:  # not even checked: the wait is the server's
        log.warning("sign-in refused for %s from %s: throttled or locked out", name, address)
        audit.record("signin refused", name, {"wait_seconds": round(wait)}, actor=name or "-",
                     address=address)
        return HTMLResponse(signin_page(nxt, f"Too many wrong attempts: try again in "
                                             f"{wait:,.0f} seconds."), status_code=429,
                            headers={**headers, "retry-after": str(int(wait) + 1)})
    account = await run_in_threadpool(accounts.verify, name, password)
    if account is None:
        for k in keys:
            THROTTLE.failed(k)
        audit.record("signin failed", name, actor=name or "-", address=address)
        await _pause()
        return HTMLResponse(signin_page(nxt, "Wrong account or password."), status_code=401,
                            headers=headers)
    for k in keys:
        THROTTLE.succeeded(k)
    token = SESSIONS.open(account.name, account.role, address)
    audit.record("signin", account.name, actor=account.name, role=account.role, address=address)
    response = RedirectResponse(base_path() + nxt, status_code=303, headers=headers)
    response.headers.append("set-cookie", _cookie(token, request))
    return response


async def _pause() -> None:
    import asyncio
    await asyncio.sleep(FAILED_SIGNIN_PAUSE)


async def signout(request):  # noqa: ANN001, ANN201 - Starlette endpoint
    from starlette.responses import HTMLResponse

    token = request.cookies.get(SESSION_COOKIE)
    ended = SESSIONS.close(token)
    if ended is not None:
        audit.record("signout", ended.account, actor=ended.account, role=ended.role,
                     address=request.client.host if request.client else "")
    response = HTMLResponse(_page("Signed out", "<h1>Signed out</h1><p><a href='"
                                  + html.escape(base_path() + SIGNIN) + "'>Sign in again</a></p>"),
                            headers={k.decode(): v.decode() for k, v in [PAGE_CSP, *SECURITY_HEADERS]})
    response.headers.append("set-cookie", _cookie("", request, clear=True))
    return response


_store_cache: dict[str, Any] = {}


def _store():
    from graph_builder.config import Settings, open_store

    settings = Settings.from_env()
    key = repr((settings.backend, settings.sqlite_path, settings.neo4j_uri, settings.neo4j_database))
    if key not in _store_cache:
        _store_cache[key] = open_store(settings)
    return _store_cache[key]


def recording_file(interview_id: str) -> Path:
    """The recording of an interview, confined to the transcript's folder or the media root;
    NotFound-style TestimonyError with the reason otherwise."""
    from queries.render import find_media, media_kind, media_root_from_env

    summary = _store().interview_summaries([interview_id]).get(interview_id)
    if summary is None:
        raise TestimonyError(f"no interview {interview_id!r}")
    found = find_media(summary, media_root_from_env())
    if found is None or media_kind(found) is None:
        raise TestimonyError(f"interview {interview_id!r} has no playable recording here")
    return found


async def recording(request):  # noqa: ANN001, ANN201 - Starlette endpoint
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import FileResponse, PlainTextResponse

    interview_id = request.path_params["interview_id"]
    try:
        path = await run_in_threadpool(recording_file, interview_id)
    except TestimonyError as exc:
        return PlainTextResponse(str(exc) + "\n", status_code=404)
    rng = request.headers.get("range", "")
    if not rng or rng.replace(" ", "").startswith("bytes=0-"):
        who = SESSIONS.get(request.cookies.get(SESSION_COOKIE))
        audit.record("play", interview_id, actor=who.account if who else "local",
                     role=who.role if who else "admin",
                     address=request.client.host if request.client else "")
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media_type,  # answers Range requests from disk
                        headers={"cache-control": "no-store", "x-content-type-options": "nosniff"})


def routes() -> list:
    from starlette.routing import Route

    return [Route(SIGNIN, signin, methods=["GET", "POST"]),
            Route(SIGNOUT, signout, methods=["GET", "POST"]),
            Route(RECORDINGS + "/{interview_id:path}", recording, methods=["GET", "HEAD"])]


def middleware() -> list:
    from starlette.middleware import Middleware

    return [Middleware(SignInGate)]


# --------------------------------------------------------------------------------------------
# Start-up rules
# --------------------------------------------------------------------------------------------

def startup_refusal() -> str | None:
    """Why the app must not start on the configured address, or None."""
    from streamlit import config

    address = str(config.get_option("server.address") or "")
    if is_loopback(address):
        return None
    where = address or "every address"
    if not account_names():
        return (f"refusing to serve on {where} without accounts: the material can identify "
                "witnesses. Add accounts with `testimony users add NAME --role analyst`, or "
                "serve on 127.0.0.1 (the default).")
    if not (config.get_option("server.sslCertFile") and config.get_option("server.sslKeyFile")):
        return (f"refusing to serve on {where} over plain HTTP: passwords and testimony would "
                "cross the network in clear. Give a certificate and key (`testimony serve "
                "--tls-cert FILE --tls-key FILE`), or serve on 127.0.0.1 behind a TLS proxy.")
    return None


@asynccontextmanager
async def lifespan(_app):  # noqa: ANN001, ANN201 - the st.App
    reason = startup_refusal()
    if reason:
        log.error(reason)
        raise SystemExit(f"error: {reason}")
    if os.environ.get("TESTIMONY_APP_PASSWORD"):
        log.warning("TESTIMONY_APP_PASSWORD is no longer read: the app signs people in with "
                    "their own accounts (`testimony users add NAME --role analyst`).")
    yield {"started": time.time()}


ROUTES = routes()
MIDDLEWARE = middleware()
