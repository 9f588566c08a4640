"""Checks on an adjustment's evidence file: size, type, and bytes that match the type.

The same rule as the benefit documents' check; domain apps may not import each other, so
the check sits here until it moves into core for both (noted for the integrator)."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from jisheng.core.errors import JishengError

MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {
    ".pdf": b"%PDF-",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
}


def check_evidence(upload: UploadedFile[bytes] | None) -> None:
    """Refuse a missing file, one over 10 MB, or one that is not a PDF, JPEG or PNG."""
    if upload is None:
        raise JishengError(_("Attach the evidence (PDF, JPG or PNG)."), code="evidence")
    name = (upload.name or "").lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix not in SIGNATURES:
        raise JishengError(
            _("Only these file types can be attached: %(types)s.")
            % {"types": " ".join(SIGNATURES)},
            code="evidence",
        )
    if upload.size is None or upload.size > MAX_BYTES:
        raise JishengError(_("The file is larger than 10 MB."), code="evidence")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[suffix]):
        raise JishengError(_("The file's content does not match its type."), code="evidence")
