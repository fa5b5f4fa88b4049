"""Image upload validation: decode, check, re-encode, rename.

Every image an editor uploads (the markdownx editor's drag-and-drop and an
article's cover image) passes through `clean_image`. An uploaded file is
hostile until proven otherwise, so:

- What it *is* is decided by decoding it with Pillow, limited to JPEG, PNG and
  WebP. The browser's content type and the file name's extension are ignored:
  both are chosen by whoever sends the file (an HTML page sent as image/gif,
  an SVG with onload, HTML renamed to .png).
- The pixel count is read from the header and checked *before* the pixels are
  decoded, so a small file claiming 100,000 x 100,000 pixels (a decompression
  bomb) is refused without exhausting memory.
- The image is fully decoded (a truncated file fails here) and written out
  again from its pixels alone. That drops EXIF (GPS position, camera serial),
  comments, text chunks and anything appended after the image data, such as a
  ZIP or HTML payload in a polyglot file.
- Images larger than the dimension cap are scaled down, not refused: editors
  drop photos straight from a camera.
- The stored name is random, with the extension of the real format, so a file
  can never choose its own name, path or type on our domain.
"""

import io
import uuid
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

# Pillow format name -> extension we store it under.
ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_DIMENSION = 4000
# Decoding cost is about width x height x 4 bytes; 50 megapixels is a large
# camera photo (about 200 MB while decoding) and far below what a bomb claims.
DEFAULT_MAX_PIXELS = 50_000_000

JPEG_QUALITY = 88
WEBP_QUALITY = 85

NOT_AN_IMAGE = (
    "This file is not a JPEG, PNG or WebP image. Other formats (SVG, GIF, "
    "HTML, PDF…) cannot be uploaded; save the picture as JPEG or PNG and try again."
)
BROKEN_IMAGE = (
    "This image is damaged or incomplete and cannot be read. "
    "Save it again from the original and upload the new copy."
)


def max_bytes():
    return getattr(settings, "IMAGE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def max_dimension():
    return getattr(settings, "IMAGE_UPLOAD_MAX_DIMENSION", DEFAULT_MAX_DIMENSION)


def max_pixels():
    return getattr(settings, "IMAGE_UPLOAD_MAX_PIXELS", DEFAULT_MAX_PIXELS)


@dataclass(frozen=True)
class CleanImage:
    """A re-encoded image, ready to store: `content.name` is random."""

    content: ContentFile
    format: str
    width: int
    height: int


def _read_capped(upload, limit):
    """Read at most `limit` bytes; refuse anything longer.

    `upload.size` comes from the request and is checked first as a shortcut,
    but the bytes actually read are what count.
    """
    size = getattr(upload, "size", None)
    too_large = ValidationError(
        "This image is larger than %(limit)s. Make it smaller (for example, "
        "export it at a lower quality) and try again.",
        code="too_large",
        params={"limit": filesizeformat(limit)},
    )
    if size is not None and size > limit:
        raise too_large
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large
    if not data:
        raise ValidationError(
            "The file is empty. Choose the image again and retry.", code="empty"
        )
    return data


def _open(data):
    """Open `data` as one of the accepted formats, with bomb protection."""
    try:
        with warnings.catch_warnings():
            # Pillow only *warns* between MAX_IMAGE_PIXELS and twice that;
            # for uploads a warning is as good as a refusal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS))
    except UnidentifiedImageError as error:
        raise ValidationError(NOT_AN_IMAGE, code="invalid_image") from error
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _too_many_pixels() from error
    except Exception as error:  # Pillow raises many kinds on malformed headers.
        raise ValidationError(BROKEN_IMAGE, code="broken_image") from error
    if image.format not in ACCEPTED_FORMATS:
        raise ValidationError(NOT_AN_IMAGE, code="invalid_image")
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels():
        raise _too_many_pixels()
    return image


def _too_many_pixels():
    return ValidationError(
        "This image has too many pixels to process safely (at most "
        "%(limit)s million). Scale it down and try again.",
        code="too_many_pixels",
        params={"limit": max_pixels() // 1_000_000},
    )


def _decode(data):
    """Verify the structure, then decode every pixel; raise on any damage."""
    image = _open(data)
    try:
        # verify() checks chunk CRCs and structure without decoding; it leaves
        # the image unusable, so decode from a fresh open afterwards.
        image.verify()
        image = _open(data)
        limit = max_dimension()
        if image.format == "JPEG" and max(image.size) > 2 * limit:
            # Decode at 1/2, 1/4 or 1/8 scale straight away: the pixels would
            # be scaled down anyway, and a full decode of a huge photo costs
            # hundreds of megabytes.
            image.draft("RGB", (limit, limit))
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
    except ValidationError:
        raise
    except Image.DecompressionBombWarning as error:
        raise _too_many_pixels() from error
    except Exception as error:  # truncated data, bad CRC, bad Huffman table…
        raise ValidationError(BROKEN_IMAGE, code="broken_image") from error
    return image


def _pixels_only(image, image_format):
    """A new image holding only pixels (and the colour profile), upright."""
    icc_profile = image.info.get("icc_profile")
    # Apply the EXIF orientation before EXIF is dropped, or phone photos
    # would turn sideways.
    # In place: a copy of a large image is as big again.
    ImageOps.exif_transpose(image, in_place=True)
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    limit = max_dimension()
    if image.width > limit or image.height > limit:
        # In place too: the image was decoded from the upload's bytes, ours.
        image.thumbnail((limit, limit), Image.Resampling.LANCZOS)
    # A fresh image from the pixel data: no EXIF, XMP, comments, text chunks
    # or other metadata can ride along, whatever the source format carried.
    clean = Image.new(image.mode, image.size)
    if image.mode == "P":
        clean.putpalette(image.getpalette())
        if "transparency" in image.info:
            clean.info["transparency"] = image.info["transparency"]
    clean.paste(image)
    return clean, icc_profile


def _encode(image, image_format, icc_profile):
    buffer = io.BytesIO()
    options = {}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if image_format == "JPEG":
        options.update(quality=JPEG_QUALITY, optimize=True)
    elif image_format == "WEBP":
        options.update(quality=WEBP_QUALITY)
    elif image_format == "PNG":
        options.update(optimize=True)
        if "transparency" in image.info:
            options["transparency"] = image.info["transparency"]
    image.save(buffer, format=image_format, **options)
    return buffer.getvalue()


def clean_image(upload):
    """Validate and re-encode an uploaded image; raise ValidationError if bad.

    `upload` is any file-like object (an UploadedFile, a File, BytesIO).
    Returns a `CleanImage` whose `content` has a random name with the
    extension of the decoded format. Nothing is stored here.
    """
    data = _read_capped(upload, max_bytes())
    image = _decode(data)
    image_format = image.format
    try:
        clean, icc_profile = _pixels_only(image, image_format)
        encoded = _encode(clean, image_format, icc_profile)
    except Exception as error:
        raise ValidationError(BROKEN_IMAGE, code="broken_image") from error
    name = f"{uuid.uuid4().hex}.{ACCEPTED_FORMATS[image_format]}"
    return CleanImage(
        content=ContentFile(encoded, name=name),
        format=image_format,
        width=clean.width,
        height=clean.height,
    )
