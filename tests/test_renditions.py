"""Images that fit: renditions made once per upload, served as <picture>."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.markdown import render_markdown
from core.renditions import WIDTHS, make_renditions, renditions_for
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(media_storage):
    """Every story twice: media on the local disk, then in an S3 bucket."""
    return media_storage


def image_bytes(size=(1200, 630), image_format="JPEG", mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, "steelblue").save(buffer, format=image_format)
    return buffer.getvalue()


def stored(name, data):
    return default_storage.save(name, io.BytesIO(data))


def size_of(name):
    with default_storage.open(name, "rb") as handle:
        image = Image.open(handle)
        return image.format, image.size


def test_a_cover_gets_webp_and_jpeg_renditions_at_each_width():
    name = stored("covers/cover.jpg", image_bytes())
    renditions = make_renditions(name)
    assert (renditions.width, renditions.height) == (1200, 630)
    assert [w for _, w in renditions.sources["image/webp"]] == [380, 760, 1200]
    for kind, expected_format in (("image/webp", "WEBP"), ("image/jpeg", "JPEG")):
        for rendition, width in renditions.sources[kind]:
            image_format, (w, h) = size_of(rendition)
            assert image_format == expected_format
            assert w == width and h == round(630 * width / 1200)


def test_a_small_image_is_never_enlarged_and_transparency_keeps_png():
    name = stored("uploads/icon.png", image_bytes((500, 300), "PNG", "RGBA"))
    renditions = make_renditions(name)
    assert renditions.fallback_type == "image/png"
    assert [w for _, w in renditions.sources["image/png"]] == [380, 500]
    assert size_of(renditions.sources["image/png"][-1][0]) == ("PNG", (500, 300))


def test_renditions_are_made_once():
    name = stored("covers/once.jpg", image_bytes())
    first = make_renditions(name)
    again = make_renditions(name)
    assert again.as_dict() == first.as_dict()
    assert renditions_for(name).as_dict() == first.as_dict()
    assert renditions_for("covers/never.jpg") is None


def test_the_article_page_sends_a_picture_sized_for_its_slot(client):
    upload = SimpleUploadedFile("cover.jpg", image_bytes(), content_type="image/jpeg")
    article = ArticleFactory(cover_image=upload, cover_image_alt="Delegates seated")
    article.refresh_from_db()
    assert article.cover_renditions["width"] == 1200

    html = client.get(article.get_absolute_url()).content.decode()
    figure = html.split('<figure class="article__cover">')[1].split("</figure>")[0]
    assert '<picture><source type="image/webp" srcset="' in figure
    assert " 380w, " in figure and " 760w, " in figure and " 1200w" in figure
    assert 'sizes="(min-width: 46rem) 44rem, calc(100vw - 2rem)"' in figure
    assert 'width="1200" height="630"' in figure
    assert 'fetchpriority="high"' in figure and 'loading="lazy"' not in figure
    assert 'alt="Delegates seated"' in figure
    # The fallback <img> is a JPEG rendition, not the original file.
    assert f'src="{article.cover_image.url}"' not in figure


def test_saving_again_keeps_the_renditions_and_a_new_cover_gets_new_ones():
    upload = SimpleUploadedFile("a.jpg", image_bytes(), content_type="image/jpeg")
    article = ArticleFactory(cover_image=upload, cover_image_alt="A")
    first = dict(article.cover_renditions)
    article.title = "Renamed"
    article.save()
    assert article.cover_renditions == first
    article.cover_image = SimpleUploadedFile(
        "b.jpg", image_bytes((800, 400)), content_type="image/jpeg"
    )
    article.save()
    assert article.cover_renditions["width"] == 800
    article.cover_image = None
    article.save()
    article.refresh_from_db()
    assert article.cover_renditions == {}


def test_markdown_images_with_renditions_become_pictures(settings):
    media_url = settings.MEDIA_URL
    name = stored("uploads/photo.jpg", image_bytes((2000, 1000)))
    make_renditions(name)
    html = render_markdown(
        f'![A "quoted" <alt>]({media_url}{name}) and '
        "![elsewhere](https://example.org/x.jpg)"
        f" and ![old]({media_url}uploads/no-renditions.jpg)"
    )
    assert html.count("<picture>") == 1
    assert 'alt="A &quot;quoted&quot; &lt;alt&gt;"' in html
    assert 'width="2000" height="1000"' in html and 'loading="lazy"' in html
    assert f'srcset="{media_url}renditions/' in html
    assert '<img alt="elsewhere" src="https://example.org/x.jpg">' in html
    assert f'<img alt="old" src="{media_url}uploads/no-renditions.jpg">' in html


def test_editors_cannot_write_picture_or_srcset_themselves():
    html = render_markdown(
        '<picture><source srcset="https://evil.example/x.jpg 1w"></picture>'
        '<img src="/media/a.jpg" srcset="javascript:alert(1) 1w" onerror="x()">'
    )
    assert "<picture" not in html and "<source" not in html
    assert "srcset" not in html and "onerror" not in html


def test_the_editor_upload_makes_renditions(admin_client, media):
    upload = SimpleUploadedFile("drop.png", image_bytes((900, 600), "PNG"))
    response = admin_client.post(
        "/markdownx/upload/", {"image": upload, "alt_text": "A drop"}
    )
    assert response.status_code == 200
    url = json.loads(response.content)["url"]
    name = media.name_of(url)
    renditions = renditions_for(name)
    assert [w for _, w in renditions.sources["image/webp"]] == [380, 760, 900]
    assert max(WIDTHS) == 1200
