"""Where BZPEER keeps its data, and the secret it signs with.

Nothing here imports Django: the ``bzpeer init`` command and the settings
module both use it before Django is configured.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
SECRET_FILE = "secret_key"


def home_dir(environ: Mapping[str, str]) -> Path:
    """``BZPEER_HOME`` when set; else the source checkout this package runs
    from (an editable install, as ``make`` makes); else ``~/.local/share/bzpeer``.

    Never the current folder: a command run from elsewhere must find the
    same database, not create an empty one where it stands."""
    configured = environ.get("BZPEER_HOME", "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    checkout = _PACKAGE.parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "src" / "bzpeer").is_dir():
        return checkout
    return Path.home() / ".local" / "share" / "bzpeer"


def read_secret(var_dir: Path) -> str:
    """The secret kept in ``var/secret_key``, or '' when there is none."""
    try:
        return (var_dir / SECRET_FILE).read_text(encoding="ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return ""


def ensure_secret(var_dir: Path) -> bool:
    """Write a random secret to ``var/secret_key`` (readable by its owner
    only) unless one is there; True when it wrote one."""
    if read_secret(var_dir):
        return False
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / SECRET_FILE
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(secrets.token_urlsafe(50) + "\n", encoding="ascii")
    return True
