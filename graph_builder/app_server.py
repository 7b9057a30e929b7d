"""Start the Streamlit app with nothing reaching out: `python -m graph_builder.app_server run
streamlit_app.py ...` is `streamlit run ...` with Streamlit's external-IP lookup switched off.

Served beyond localhost, Streamlit asks an outside IP-echo service for the machine's address
(to print an "External URL", and as a fallback when it checks a request's origin), and
points a socket at 8.8.8.8 to learn its own network address. A tool
holding witness testimony makes no outbound call of any kind, so the lookup answers "unknown"
before the server starts; `testimony serve` starts the app through here.
"""
from __future__ import annotations

import sys


def no_outbound_calls() -> None:
    """Switch off every lookup Streamlit would make of this machine's public address."""
    from streamlit import net_util

    net_util.get_external_ip = lambda: None  # type: ignore[assignment]
    net_util._make_blocking_http_get = lambda *a, **k: None  # type: ignore[attr-defined]
    # and the "Network URL": it is found by pointing a UDP socket at 8.8.8.8
    net_util.get_internal_ip = lambda: None  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    no_outbound_calls()
    from streamlit.web import cli as streamlit_cli

    sys.argv = ["streamlit", *(sys.argv[1:] if argv is None else argv)]
    return streamlit_cli.main()


if __name__ == "__main__":
    sys.exit(main())
