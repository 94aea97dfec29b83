"""Checks on uploaded images: size, type and real decodability."""

from __future__ import annotations

import hashlib

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from parley.core.errors import ValidationFailed

ALLOWED_IMAGE_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}


def validate_image(upload) -> tuple[str, int, int, str]:
    """Return (content_type, width, height, sha256) or raise ValidationFailed."""
    if upload.size > settings.PARLEY_MAX_MEDIA_BYTES:
        limit_mb = settings.PARLEY_MAX_MEDIA_BYTES // (1024 * 1024)
        raise ValidationFailed(f"File is too large ({limit_mb} MB at most)")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            image.verify()
            image_format = image.format
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise ValidationFailed("File is not a supported image") from exc
    if image_format not in ALLOWED_IMAGE_FORMATS:
        raise ValidationFailed("Only JPEG, PNG, GIF and WebP images are supported")
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return ALLOWED_IMAGE_FORMATS[image_format], width, height, digest.hexdigest()
