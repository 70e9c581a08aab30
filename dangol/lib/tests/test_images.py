import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dangol.lib.images import MAX_SIDE, clean_image


def _upload(picture, fmt, name="photo"):
    out = io.BytesIO()
    picture.save(out, fmt)
    return SimpleUploadedFile(f"{name}.{fmt.lower()}", out.getvalue())


def test_a_small_file_claiming_a_huge_canvas_is_refused_before_decoding():
    bomb = _upload(Image.new("1", (8900, 8900)), "PNG")
    assert bomb.size < 400_000
    with pytest.raises(ValidationError) as refused:
        clean_image(bomb)
    assert refused.value.code == "too_many_pixels"
    assert "8900×8900" in refused.value.messages[0]


def test_a_large_photo_is_shrunk_and_keeps_no_metadata():
    picture = Image.new("RGB", (4000, 3000), "orange")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif.tobytes())
    cleaned = clean_image(SimpleUploadedFile("big.jpg", out.getvalue()))
    with Image.open(cleaned) as result:
        assert max(result.size) == MAX_SIDE
        assert not result.getexif()


def test_each_upload_gets_a_random_name():
    names = {clean_image(_upload(Image.new("RGB", (10, 10)), "PNG")).name for _ in range(3)}
    assert len(names) == 3
    assert all(name.endswith(".png") and "photo" not in name for name in names)


def test_a_gif_is_refused_with_the_formats_we_take():
    with pytest.raises(ValidationError) as refused:
        clean_image(_upload(Image.new("RGB", (10, 10)), "GIF"))
    assert "JPEG, PNG, WebP" in refused.value.messages[0]
