"""Real pictures for the upload tests, made with Pillow (a JPEG may carry an EXIF GPS block)."""

from __future__ import annotations

import io

from PIL import Image

# EXIF tags: GPSInfo in the main directory; latitude and longitude inside it.
GPS_INFO = 0x8825
GPS_LATITUDE = 2
GPS_LONGITUDE = 4


def jpeg_bytes(*, size: tuple[int, int] = (800, 600), gps: bool = False) -> bytes:
    """A JPEG of ``size``; with ``gps`` it carries an EXIF position (36.8°N 117.8°E)."""
    image = Image.new("RGB", size, (200, 40, 40))
    out = io.BytesIO()
    if gps:
        exif = Image.Exif()
        exif[0x010F] = "TestCam"  # Make
        exif.get_ifd(GPS_INFO).update(
            {
                1: "N",
                GPS_LATITUDE: (36.0, 48.0, 0.0),
                3: "E",
                GPS_LONGITUDE: (117.0, 48.0, 0.0),
            }
        )
        image.save(out, format="JPEG", exif=exif)
    else:
        image.save(out, format="JPEG")
    return out.getvalue()


def png_bytes(*, size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (10, 120, 200, 255)).save(out, format="PNG")
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    """Whether the picture's EXIF holds a GPS block."""
    exif = Image.open(io.BytesIO(data)).getexif()
    return bool(exif.get_ifd(GPS_INFO)) or GPS_INFO in exif


JPEG = jpeg_bytes()
PNG = png_bytes()
