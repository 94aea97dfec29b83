"""Uploaded images: checks before anything is decoded, safe stored names, type detection."""

from __future__ import annotations

import hashlib
import secrets
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.conf import settings
from PIL import Image

from parley.core.errors import ValidationFailed

# Pillow format -> (content type, extension on disk). Only these are ever parsed.
ALLOWED_IMAGE_FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "GIF": ("image/gif", ".gif"),
    "WEBP": ("image/webp", ".webp"),
}
SAFE_EXTENSIONS = {ext for _, ext in ALLOWED_IMAGE_FORMATS.values()}
# The file signatures of the allowed formats, for what is already on disk.
_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"WEBP", 8, "image/webp"),
)
SIGNATURE_BYTES = 12
MAX_DESCRIPTION_CHARS = 1500


@dataclass(frozen=True)
class CheckedImage:
    """What an upload turned out to be, once it passed every check."""

    content_type: str
    extension: str
    width: int
    height: int
    sha256: str


def matrix_limit() -> int:
    """Most pixels (width x height) an image may have; advertised in /api/v2/instance."""
    return settings.PARLEY_MEDIA_MATRIX_LIMIT


def validate_image(upload) -> CheckedImage:
    """Return what ``upload`` is, or raise ValidationFailed. Never decodes an image whose
    header claims more pixels than the matrix limit."""
    if upload.size > settings.PARLEY_MAX_MEDIA_BYTES:
        limit_mb = settings.PARLEY_MAX_MEDIA_BYTES // (1024 * 1024)
        raise ValidationFailed(f"File is too large ({limit_mb} MB at most)")
    upload.seek(0)
    image_format, width, height = _inspect(upload)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    content_type, extension = ALLOWED_IMAGE_FORMATS[image_format]
    return CheckedImage(content_type, extension, width, height, digest.hexdigest())


def _inspect(upload) -> tuple[str, int, int]:
    # Malformed files make Pillow raise almost anything (OSError, SyntaxError, ValueError,
    # struct.error, EOFError, IndexError, DecompressionBombError, ...): all of them mean
    # "not an image we accept", never a server error.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(upload, formats=list(ALLOWED_IMAGE_FORMATS)) as image:
                image_format = image.format
                width, height = image.size
                _check_dimensions(width, height)
                image.load()
    except ValidationFailed:
        raise
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except Exception as exc:  # noqa: BLE001 - see above
        raise ValidationFailed(
            "File is not a supported image (JPEG, PNG, GIF and WebP are)"
        ) from exc
    return image_format, width, height


def _check_dimensions(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise ValidationFailed("File is not a supported image (it has no pixels)")
    if width * height > matrix_limit():
        raise _too_many_pixels()


def _too_many_pixels() -> ValidationFailed:
    return ValidationFailed(
        f"Image is too large: at most {matrix_limit()} pixels (width x height)"
    )


def detect_content_type(head: bytes) -> str | None:
    """The image type the first bytes of a stored file show, or None for anything else."""
    for signature, offset, content_type in _SIGNATURES:
        if head[offset : offset + len(signature)] == signature:
            if content_type == "image/webp" and not head.startswith(b"RIFF"):
                continue
            return content_type
    return None


def clean_description(text: str | None) -> str:
    """An image description as stored: no NUL characters (PostgreSQL refuses them), 1500
    characters at most."""
    return (text or "").replace("\x00", "")[:MAX_DESCRIPTION_CHARS]


def random_stored_name(prefix: str, extension: str) -> str:
    """An unguessable path under ``prefix`` that keeps nothing of the client's filename."""
    if extension not in SAFE_EXTENSIONS:
        extension = ".bin"
    token = secrets.token_hex(16)
    return f"{prefix}/{token[:2]}/{token}{extension}"


def media_upload_to(instance, filename: str) -> str:
    # Services name an upload "image<ext>" after detecting its type; only such an
    # extension survives, so a client filename never reaches the disk.
    return random_stored_name("media", PurePosixPath(filename).suffix.lower())


def avatar_upload_to(instance, filename: str) -> str:
    return random_stored_name("avatars", PurePosixPath(filename).suffix.lower())


def header_upload_to(instance, filename: str) -> str:
    return random_stored_name("headers", PurePosixPath(filename).suffix.lower())


def name_upload(upload, checked: CheckedImage):
    """Give ``upload`` a name built only from its detected type."""
    upload.name = f"image{checked.extension}"
    return upload
