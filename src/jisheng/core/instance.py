"""The instance folder: where one installation keeps its database, keys and uploads."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path


def instance_home() -> Path:
    """Return ``$JISHENG_HOME`` (default ``./var``), created with owner-only permissions."""
    home = Path(os.environ.get("JISHENG_HOME", "var")).resolve()
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    return home


def write_private_file(path: Path, content: str) -> None:
    """Create ``path`` readable by the owner only; never overwrite an existing key."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(content)


def load_or_create_secret_key(home: Path) -> str:
    """Django's signing key, generated once per instance and kept outside the database."""
    path = home / "keys" / "secret_key"
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process created it first
            write_private_file(path, secrets.token_urlsafe(50))
    return path.read_text(encoding="ascii").strip()
