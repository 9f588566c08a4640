"""Photos are checked by what they are, not by their names: decoded whole by Pillow,
bounded in size and pixels, re-encoded without EXIF, and given a thumbnail."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from jisheng.core.errors import JishengError
from jisheng.core.uploads import MAX_BYTES, THUMBNAIL_SIZE, checked_image
from support.images import PNG, has_gps, jpeg_bytes


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_a_renamed_program_is_refused() -> None:
    with pytest.raises(JishengError):
        checked_image(upload("活动.jpg", b"MZ\x90\x00" + b"\x00" * 200))


def test_a_program_behind_a_jpeg_signature_is_refused_by_decoding() -> None:
    # The first bytes say JPEG, so only decoding the whole picture finds it out.
    with pytest.raises(JishengError) as refused:
        checked_image(upload("活动.jpg", b"\xff\xd8\xff\xe0MZ" + b"\x90" * 500))
    assert refused.value.code == "bad_image"


def test_a_cut_off_picture_is_refused() -> None:
    whole = jpeg_bytes()
    with pytest.raises(JishengError) as refused:
        checked_image(upload("cut.jpg", whole[: len(whole) // 2]))
    assert refused.value.code == "bad_image"


def test_a_png_named_jpeg_is_refused() -> None:
    with pytest.raises(JishengError):
        checked_image(upload("photo.jpg", PNG))


def test_a_file_over_the_size_limit_is_refused() -> None:
    with pytest.raises(JishengError):
        checked_image(upload("big.jpg", b"\xff\xd8\xff" + b"\x00" * MAX_BYTES))


def test_too_many_pixels_are_refused_before_decoding() -> None:
    out = io.BytesIO()
    Image.new("1", (8000, 6000)).save(out, format="PNG")  # 48 million pixels in a small file
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(JishengError) as refused:
        checked_image(SimpleUploadedFile("bomb.png", out.getvalue(), content_type="image/png"))
    assert refused.value.code == "image_too_large"


def test_exif_gps_is_removed_and_a_thumbnail_made() -> None:
    original = jpeg_bytes(size=(1600, 1200), gps=True)
    assert has_gps(original)

    checked = checked_image(upload("IMG_0001.JPG", original))

    assert not has_gps(checked.content)
    assert not Image.open(io.BytesIO(checked.content)).getexif()
    assert (checked.width, checked.height, checked.suffix) == (1600, 1200, ".jpg")
    thumbnail = Image.open(io.BytesIO(checked.thumbnail))
    assert thumbnail.format == "JPEG"
    assert max(thumbnail.size) == max(THUMBNAIL_SIZE)
    assert not thumbnail.getexif()


def test_files_get_random_names_not_the_uploaded_one() -> None:
    picture, thumbnail = checked_image(upload("张三家门口.jpg", jpeg_bytes())).files()
    assert "张三" not in (picture.name or "")
    assert (picture.name or "").endswith(".jpg")
    assert (thumbnail.name or "").endswith(".thumb.jpg")


def test_png_stays_png() -> None:
    checked = checked_image(SimpleUploadedFile("a.png", PNG, content_type="image/png"))
    assert Image.open(io.BytesIO(checked.content)).format == "PNG"
    assert checked.suffix == ".png"
