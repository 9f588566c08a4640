"""Checks on uploaded scans and photos: size, and that the bytes are what the name says.

Photos go further (:func:`checked_image`): Pillow decodes them whole, so a renamed program or
a cut-off picture is refused; the pixel count is bounded before decoding (decompression
bombs); the picture is re-encoded, which drops EXIF (GPS position, camera, owner) and every
other metadata chunk; a thumbnail is made. Files are stored under a random name in the
instance folder (``MEDIA_ROOT``) and served only by views that check scope.
"""

from __future__ import annotations

import io
import mimetypes
import secrets
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from jisheng.core.errors import JishengError, NotFound

MAX_BYTES = 10 * 1024 * 1024
# 40 megapixels: more than any phone camera; a small file claiming more is a decompression bomb.
MAX_PIXELS = 40_000_000
THUMBNAIL_SIZE = (320, 320)
JPEG_QUALITY = 88

_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
DOCUMENT_SUFFIXES = (".pdf", *IMAGE_SUFFIXES)
# What Pillow must find inside a file of each suffix.
_IMAGE_FORMATS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}


def _suffix(upload: UploadedFile[bytes]) -> str:
    name = (upload.name or "").lower()
    return name[name.rfind(".") :] if "." in name else ""


def check_upload(upload: UploadedFile[bytes], *, allowed: tuple[str, ...]) -> None:
    """Refuse files that are too large, of another type, or whose content does not match."""
    suffix = _suffix(upload)
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


@dataclass(frozen=True)
class CheckedImage:
    """A photo that decoded whole, re-encoded without metadata, with its thumbnail (JPEG)."""

    content: bytes
    suffix: str
    thumbnail: bytes
    width: int
    height: int

    def files(self) -> tuple[ContentFile[bytes], ContentFile[bytes]]:
        """The picture and its thumbnail as files under random names (the uploaded name may
        carry a family's name into the file system)."""
        stem = secrets.token_hex(12)
        return (
            ContentFile(self.content, name=f"{stem}{self.suffix}"),
            ContentFile(self.thumbnail, name=f"{stem}.thumb.jpg"),
        )


def _refused() -> JishengError:
    return JishengError(_("The file is not a readable JPEG or PNG picture."), code="bad_image")


def _decoded(data: bytes, expected: str) -> Image.Image:
    """The picture fully decoded; refused when unreadable, cut off, of another format or
    with more pixels than MAX_PIXELS (checked from the header, before decoding)."""
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb check warns, then raises at twice its limit; ours comes first.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format != expected:
                raise _refused()
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise JishengError(
                    _("The picture has more than %(n)d million pixels.")
                    % {"n": MAX_PIXELS // 1_000_000},
                    code="image_too_large",
                )
            image.load()  # a truncated file raises here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refused() from None
    except Image.DecompressionBombWarning:
        raise _refused() from None
    return image


def checked_image(upload: UploadedFile[bytes]) -> CheckedImage:
    """A JPEG or PNG upload checked by content and re-encoded without EXIF or other
    metadata (turned upright first), plus a thumbnail; else a 400 saying why."""
    check_upload(upload, allowed=IMAGE_SUFFIXES)
    suffix = _suffix(upload)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    image = _decoded(data, _IMAGE_FORMATS[suffix])
    # The orientation lives in EXIF, which goes: apply it to the pixels first.
    upright = ImageOps.exif_transpose(image)
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    if upright.mode == "P":
        clean.putpalette(upright.getpalette() or [])
    out = io.BytesIO()
    if suffix == ".png":
        clean.save(out, format="PNG", optimize=True)
    else:
        if clean.mode not in ("RGB", "L"):
            clean = clean.convert("RGB")
        clean.save(out, format="JPEG", quality=JPEG_QUALITY)
    thumb = clean.convert("RGB") if clean.mode not in ("RGB", "L") else clean.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, format="JPEG", quality=80)
    return CheckedImage(
        content=out.getvalue(),
        suffix=".png" if suffix == ".png" else ".jpg",
        thumbnail=thumb_out.getvalue(),
        width=clean.width,
        height=clean.height,
    )


def stored_file_response(file: FieldFile, *, download_name: str = "") -> FileResponse:
    """A stored scan or photo for a view that has checked scope: never cached, never sniffed;
    ``download_name`` makes the browser save it under that name instead of showing it."""
    content_type = mimetypes.guess_type(file.name or "")[0] or "application/octet-stream"
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise NotFound() from None
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=bool(download_name),
        filename=download_name,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@contextmanager
def spooled(upload: UploadedFile[bytes]) -> Iterator[Path]:
    """The upload as a private temporary file (mode 0600) for a reader that takes a path,
    removed on leaving. It keeps the uploaded suffix: file readers tell a workbook from a CSV
    by it."""
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name or "").suffix.lower()) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
        handle.flush()
        yield Path(handle.name)
