"""Uploaded photos: only JPEG/PNG/WebP, re-encoded so no metadata survives."""

import io

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_SIDE = 1600
ALLOWED = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs


def clean_image(upload, *, max_bytes=MAX_UPLOAD_BYTES):
    """Return a ContentFile holding the re-encoded picture, or raise ValidationError."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("사진이 너무 큽니다. {mb}MB 이하로 올려 주세요.").format(mb=max_bytes // (1024 * 1024)),
            code="too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            probe.verify()
        if kind not in ALLOWED:
            raise ValidationError(_("사진은 JPEG, PNG, WebP 형식만 올릴 수 있습니다."), code="format")
        upload.seek(0)
        with Image.open(upload) as original:
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
    return ContentFile(out.getvalue(), name=f"photo.{ext}")
