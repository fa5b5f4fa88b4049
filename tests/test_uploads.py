"""Uploads: only real JPEG, PNG and WebP images get in, re-encoded and renamed.

Each refused kind is one a real attacker sends: an SVG with script, a GIF
that is also an HTML page, HTML renamed to .png, a truncated image, a
decompression bomb. The stories go through both entry points an editor has:
the markdown editor's upload and an article's cover image; each story
that stores a file runs twice, with media on the local disk and in an S3
bucket (`media_storage`, tests/object_storage.py).
"""

import io
import json
import struct
import zlib
from pathlib import PurePosixPath

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.models import Article
from core.uploads import clean_image
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/markdownx/upload/"
GPS_IFD = 0x8825


def image_bytes(fmt="JPEG", size=(64, 48), mode="RGB", exif=None, **options):
    buffer = io.BytesIO()
    image = Image.new(mode, size, (200, 30, 30) if mode == "RGB" else None)
    if exif is not None:
        options["exif"] = exif
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def gps_exif():
    exif = Image.Exif()
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "secret-laptop-v1"  # Software
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (51.0, 30.0, 26.0)
    gps[3] = "W"
    gps[4] = (0.0, 7.0, 39.0)
    return exif


def png_with_bomb_header(width, height):
    """A valid-looking, tiny PNG whose header claims `width` x `height`."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" '
    b'onload="alert(document.cookie)"><script>alert(1)</script>'
    b'<rect width="10" height="10"/></svg>'
)
HTML_PAGE = b"<!doctype html><html><body><script>alert(document.domain)</script>"
# A real GIF header followed by HTML: browsers that sniff see a page.
GIF_WITH_HTML = image_bytes("GIF", mode="P") + HTML_PAGE


def truncated_jpeg():
    data = image_bytes("JPEG", size=(400, 300), quality=95)
    return data[: len(data) // 2]


REFUSED = {
    "an SVG with script, sent as an image": (
        "logo.svg",
        SVG_WITH_SCRIPT,
        "image/svg+xml",
    ),
    "an SVG renamed to .png and sent as image/png": (
        "logo.png",
        SVG_WITH_SCRIPT,
        "image/png",
    ),
    "a GIF": ("anim.gif", image_bytes("GIF", mode="P"), "image/gif"),
    "a GIF that is also an HTML page": ("x.gif", GIF_WITH_HTML, "image/gif"),
    "an HTML page renamed to .png": ("photo.png", HTML_PAGE, "image/png"),
    "an HTML page sent as image/jpeg": ("photo.jpg", HTML_PAGE, "image/jpeg"),
    "a truncated JPEG": ("cut.jpg", truncated_jpeg(), "image/jpeg"),
    "a decompression bomb": (
        "bomb.png",
        png_with_bomb_header(100_000, 100_000),
        "image/png",
    ),
    "an image claiming 60 megapixels": (
        "huge.png",
        png_with_bomb_header(10_000, 6_000),
        "image/png",
    ),
    "an empty file": ("empty.jpg", b"", "image/jpeg"),
    "a PDF": ("doc.jpg", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>", "image/jpeg"),
}


def upload(client, name, data, content_type):
    return client.post(
        UPLOAD_URL,
        {
            "image": SimpleUploadedFile(name, data, content_type=content_type),
            "alt_text": "A test image",
        },
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )


def stored_image(media, response):
    """The stored name of the image an upload answered with."""
    image_code = response.json()["image_code"]
    assert image_code.startswith("![A test image](") and image_code.endswith(")")
    return media.name_of(image_code[len("![A test image](") : -1])


@pytest.fixture
def media(media_storage):
    return media_storage


# --- the markdown editor's upload ------------------------------------------


def test_the_upload_url_keeps_markdownxs_name():
    assert reverse("markdownx_upload") == UPLOAD_URL


@pytest.mark.parametrize("story", list(REFUSED))
def test_an_editor_cannot_upload_a_file_that_is_not_a_safe_image(
    staff_client, media, story
):
    name, data, content_type = REFUSED[story]
    response = upload(staff_client, name, data, content_type)
    assert response.status_code == 400, story
    message = response.json()["error"]
    assert len(message) > 20  # a sentence a person can act on
    assert media.uploads() == [], f"{story}: something was stored"


def test_refusals_say_what_went_wrong(staff_client, media):
    svg = upload(staff_client, *REFUSED["an SVG with script, sent as an image"])
    assert "not a JPEG, PNG or WebP image" in svg.json()["error"]
    broken = upload(staff_client, *REFUSED["a truncated JPEG"])
    assert "damaged or incomplete" in broken.json()["error"]
    bomb = upload(staff_client, *REFUSED["a decompression bomb"])
    assert "too many pixels" in bomb.json()["error"]


def test_a_file_over_the_size_cap_is_refused(staff_client, media, settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 300
    data = image_bytes("JPEG", size=(300, 300))
    assert len(data) > 300
    response = upload(staff_client, "big.jpg", data, "image/jpeg")
    assert response.status_code == 400
    assert "larger than" in response.json()["error"]
    assert media.uploads() == []


def test_a_request_without_a_file_gets_a_clear_message(staff_client, media):
    response = staff_client.post(UPLOAD_URL, {})
    assert response.status_code == 400
    assert "No image" in response.json()["error"]


@pytest.mark.parametrize(
    ("fmt", "extension"), [("JPEG", "jpg"), ("PNG", "png"), ("WEBP", "webp")]
)
def test_an_editor_uploads_a_photo_and_gets_markdown_for_it(
    staff_client, media, settings, fmt, extension
):
    # The name and content type lie; the stored file follows the real format.
    response = upload(staff_client, "holiday.gif", image_bytes(fmt), "image/gif")
    assert response.status_code == 200, response.content
    name = PurePosixPath(stored_image(media, response))
    assert name.suffix == f".{extension}"
    assert "holiday" not in name.name
    assert name.parent.name == "uploads"
    with media.open_image(str(name)) as stored:
        assert stored.format == fmt
        assert stored.size == (64, 48)


def test_gps_position_and_camera_details_are_stripped(staff_client, media, settings):
    original = image_bytes("JPEG", exif=gps_exif())
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(GPS_IFD), "the test photo must carry GPS"
    response = upload(staff_client, "phone.jpg", original, "image/jpeg")
    name = stored_image(media, response)
    data = media.read(name)
    assert b"Exif" not in data
    assert b"SpyCam" not in data and b"secret-laptop" not in data
    with media.open_image(name) as stored:
        assert not stored.getexif()
        assert not stored.getexif().get_ifd(GPS_IFD)


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_metadata_is_stripped_from_png_and_webp_too(staff_client, media, settings, fmt):
    response = upload(
        staff_client, "x.png", image_bytes(fmt, exif=gps_exif()), "image/png"
    )
    data = media.read(stored_image(media, response))
    assert b"SpyCam" not in data and b"secret-laptop" not in data


def test_a_payload_appended_to_a_real_image_is_dropped(staff_client, media, settings):
    polyglot = image_bytes("PNG") + HTML_PAGE
    response = upload(staff_client, "poly.png", polyglot, "image/png")
    assert response.status_code == 200
    assert b"<script" not in media.read(stored_image(media, response))


def test_a_huge_photo_is_scaled_down_to_the_dimension_cap(
    staff_client, media, settings
):
    settings.IMAGE_UPLOAD_MAX_DIMENSION = 100
    response = upload(
        staff_client, "wide.jpg", image_bytes("JPEG", size=(400, 200)), "image/jpeg"
    )
    with media.open_image(stored_image(media, response)) as stored:
        assert stored.size == (100, 50)


def test_the_default_caps_are_five_megabytes_and_4000_pixels():
    from core import uploads

    assert uploads.max_bytes() == 5 * 1024 * 1024
    assert uploads.max_dimension() == 4000


def test_an_upload_needs_the_csrf_token(staff_user, media):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = upload(client, "a.jpg", image_bytes("JPEG"), "image/jpeg")
    assert response.status_code == 403
    assert media.uploads() == []


# --- the cover image ---------------------------------------------------------


def cover(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_cover_image_is_re_encoded_under_a_random_name(media):
    article = ArticleFactory.build(
        cover_image=cover("Our Director At Home.jpeg", image_bytes(exif=gps_exif())),
        cover_image_alt="The summit hall",
    )
    article.full_clean()
    article.save()
    article.refresh_from_db()
    name = article.cover_image.name
    assert name.startswith("covers/") and name.endswith(".jpg")
    assert "Director" not in name
    data = media.read(name)
    assert b"SpyCam" not in data
    with media.open_image(name) as stored:
        assert not stored.getexif().get_ifd(GPS_IFD)


@pytest.mark.parametrize("story", list(REFUSED))
def test_a_cover_image_that_is_not_a_safe_image_is_refused(media, story):
    name, data, content_type = REFUSED[story]
    article = ArticleFactory.build(
        cover_image=cover(name, data, content_type), cover_image_alt="Alt"
    )
    with pytest.raises(ValidationError) as error:
        article.full_clean()
    assert "cover_image" in error.value.message_dict
    assert media.uploads() == []


def test_code_that_skips_validation_cannot_store_a_hostile_cover(media):
    article = ArticleFactory.build(
        cover_image=cover("x.png", HTML_PAGE, "image/png"), cover_image_alt="Alt"
    )
    with pytest.raises(ValidationError):
        article.save()
    assert media.uploads() == []
    assert not Article.objects.exists()


def test_saving_an_article_again_keeps_its_cover_as_it_is(media):
    article = ArticleFactory(
        cover_image=cover("a.png", image_bytes("PNG"), "image/png"),
        cover_image_alt="Alt",
    )
    first = article.cover_image.name
    article.title = "A new title"
    article.full_clean()
    article.save()
    assert article.cover_image.name == first
    assert len(media.uploads()) == 1


def test_the_clean_helper_accepts_plain_file_objects():
    image = clean_image(io.BytesIO(image_bytes("WEBP")))
    assert image.format == "WEBP" and image.content.name.endswith(".webp")


def test_json_error_body_is_valid_json_for_the_editor_script(staff_client, media):
    response = upload(staff_client, *REFUSED["a GIF"])
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["error"]
