"""Uploaded photos: only JPEG/PNG/WebP, re-encoded so no metadata survives.

A picture's size is read from its header before any pixel is decoded: a small file can
claim a huge canvas (a "decompression bomb"), and decoding it would take seconds of CPU
and a gigabyte of memory. JPEGs are decoded at a reduced scale when they will be shrunk.
"""

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
MAX_PIXELS = 40_000_000
ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's own guard, behind ours


def clean_image(upload, *, max_bytes=MAX_UPLOAD_BYTES):
    """Return a ContentFile holding the re-encoded picture, or raise ValidationError."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("사진이 너무 큽니다. {mb}MB 이하로 올려 주세요.").format(mb=max_bytes // (1024 * 1024)),
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:  # reads the header only
            kind = probe.format
            width, height = probe.size
            if kind not in ALLOWED:
                raise ValidationError(_("사진은 JPEG, PNG, WebP 형식만 올릴 수 있습니다."), code="format")
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("사진의 화소가 너무 많습니다({w}×{h}). 4,000만 화소 이하로 올려 주세요.").format(
                        w=width, h=height
                    ),
                    code="too_many_pixels",
                )
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as original:
            original.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at 1/2, 1/4 or 1/8 scale when shrinking
            picture = ImageOps.exif_transpose(original)
            picture.thumbnail((MAX_SIDE, MAX_SIDE))
            has_alpha = picture.mode in ("RGBA", "LA") or "transparency" in picture.info
            # A fresh image from the pixels alone: EXIF, GPS, ICC and comments stay behind.
            clean = Image.new("RGBA" if has_alpha else "RGB", picture.size)
            clean.paste(picture.convert(clean.mode))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(
            _("사진 파일을 읽을 수 없습니다. JPEG, PNG, WebP 사진을 올려 주세요."), code="invalid"
        ) from None
    out = io.BytesIO()
    if kind == "JPEG" and not has_alpha:
        clean.save(out, "JPEG", quality=85, optimize=True)
        ext = "jpg"
    elif kind == "PNG":
        clean.save(out, "PNG", optimize=True)
        ext = "png"
    else:
        clean.save(out, "WEBP", quality=85)
        ext = "webp"
    # A random name: an upload's address tells nothing about who sent it or when.
    return ContentFile(out.getvalue(), name=f"{secrets.token_urlsafe(12)}.{ext}")
