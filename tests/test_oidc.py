"""Signing in through an organisation's identity provider (OIDC, Streamlit's own login), end
to end in a real browser: a FICTIONAL provider on this machine (discovery, authorize, token,
keys; HS256 id tokens) stands in for the organisation's. Only an e-mail address an admin
gave an account gets in, under that account's role; the sign-in lasts for the browser
session; anyone else the provider vouches for is refused.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from graph_builder import accounts, audit
from tests.test_e2e_browser import _copy, _free_port, _idle, browser_page, running_app

CLIENT_ID, CLIENT_SECRET = "testimony-test", "a fictional client secret"
KEY = b"a fictional signing key of the provider, 32+ bytes long"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _id_token(claims: dict) -> str:
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "k1"}).encode())
    body = _b64(json.dumps(claims).encode())
    sig = hmac.new(KEY, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(sig)}"


class Provider:
    """A fictional OIDC provider: whoever is `self.email` signs in at once."""

    def __init__(self) -> None:
        self.email = "amira@example.org"
        self.codes: dict[str, str] = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # noqa: ANN002
                pass

            def _json(self, data: dict) -> None:
                body = json.dumps(data).encode()
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                url = urllib.parse.urlsplit(self.path)
                q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json({
                        "issuer": provider.url, "authorization_endpoint": provider.url + "/authorize",
                        "token_endpoint": provider.url + "/token", "jwks_uri": provider.url + "/jwks",
                        "response_types_supported": ["code"], "subject_types_supported": ["public"],
                        "id_token_signing_alg_values_supported": ["HS256"],
                        "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                                  "client_secret_post"]})
                if url.path == "/jwks":
                    return self._json({"keys": [{"kty": "oct", "kid": "k1", "alg": "HS256",
                                                 "use": "sig", "k": _b64(KEY)}]})
                if url.path == "/authorize":
                    code = _b64(hashlib.sha256(q["state"].encode()).digest())[:20]
                    provider.codes[code] = q.get("nonce", "")
                    target = q["redirect_uri"] + "?" + urllib.parse.urlencode(
                        {"code": code, "state": q["state"]})
                    self.send_response(302)
                    self.send_header("location", target)
                    self.end_headers()
                    return None
                self.send_error(404)
                return None

            def do_POST(self) -> None:  # noqa: N802
                form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["content-length"])).decode())
                nonce = provider.codes.pop(form["code"][0])
                now = int(time.time())
                claims = {"iss": provider.url, "aud": CLIENT_ID, "sub": provider.email,
                          "email": provider.email, "email_verified": True, "iat": now,
                          "exp": now + 600, "nonce": nonce}
                self._json({"access_token": "fictional", "token_type": "Bearer",
                            "expires_in": 600, "id_token": _id_token(claims)})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_the_identity_provider_signs_in_only_those_with_an_account(sample_db, tmp_path: Path) -> None:
    provider = Provider()
    port = _free_port()
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a fictional cookie secret for this test"\n'
        f'client_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n',
        encoding="utf-8")
    users = tmp_path / "users.json"
    accounts.add("amira@example.org", None, "analyst", users, oidc=True)
    accounts.add("lead", "admin passphrase 12", "admin", users)
    assert accounts.verify("amira@example.org", "", users) is None  # no password opens it
    db = _copy(sample_db, tmp_path / "oidc.db")
    with running_app(db, tmp_path / "server.log", port=port,
                     extra_args=("--secrets.files", str(secrets)),
                     TESTIMONY_USERS=str(users)) as url, browser_page() as page:
        page.goto(url + "/curation")
        page.get_by_text("Sign in with your organisation").click()
        page.wait_for_url(f"{url}/**")
        _idle(page)
        page.goto(url + "/curation")
        _idle(page)
        page.get_by_text("Decisions are logged as").wait_for()
        assert "amira@example.org" in page.get_by_text("Decisions are logged as").inner_text()
        cookie = next(c for c in page.context.cookies() if c["name"].startswith("_streamlit_user"))
        assert cookie["expires"] == -1  # a browser-session cookie, not Streamlit's 30 days
        # someone the provider vouches for, without an account here: refused
        provider.email = "stranger@example.org"
        page.context.clear_cookies()
        page.goto(url + "/signin")
        page.get_by_text("Sign in with your organisation").click()
        page.wait_for_load_state()
        time.sleep(1)
        assert "has no account here" in page.content()
    entries, _ = audit.entries(path=tmp_path / "audit.db", limit=100)
    assert any(e.actor == "amira@example.org" and e.action == "signin" for e in entries)
