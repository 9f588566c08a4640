"""Checks on uploaded scans and photos: size, and that the bytes are what the name says."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from jisheng.core.errors import JishengError

MAX_BYTES = 10 * 1024 * 1024

_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
DOCUMENT_SUFFIXES = (".pdf", *IMAGE_SUFFIXES)


def check_upload(upload: UploadedFile[bytes], *, allowed: tuple[str, ...]) -> None:
    """Refuse files that are too large, of another type, or whose content does not match."""
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in allowed:
        raise JishengError(
            _("Only these file types can be attached: %(types)s.") % {"types": " ".join(allowed)}
        )
    if upload.size is None or upload.size > MAX_BYTES:
        raise JishengError(_("The file is larger than 10 MB."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(_SIGNATURES[suffix]):
        raise JishengError(_("The file's content does not match its type."))
