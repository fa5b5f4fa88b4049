"""Open data: /data/, the files publish_data writes, and the matrix as CSV."""

import csv
import io
import json
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.signals import request_finished
from django.urls import reverse

from exchange import opendata
from exchange.format import load_schema
from tests.factories import (
    ArticleFactory,
    DeclarationFactory,
    GroupFactory,
    MembershipFactory,
    SeriesFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

pytestmark = pytest.mark.django_db

DATA = reverse("exchange:data")


@pytest.fixture(autouse=True)
def data_root(settings, tmp_path):
    settings.DATA_ROOT = tmp_path / "data"
    return settings.DATA_ROOT


def download(client, name):
    return client.get(reverse("exchange:data_file", args=[name]))


def read_csv(content):
    assert content.startswith("\ufeff".encode()), "no byte-order mark"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def record():
    """Published content with accents and partial dates, and drafts beside it."""
    turkiye = SignatoryFactory(name="Türkiye", country="TR")
    series = SeriesFactory(name="AI summits")
    summit = SummitFactory(name="Paris AI Action Summit", series=series)
    paris = DeclarationFactory(title="Paris statement", summit=summit, slug="paris")
    position = SignatureFactory(signatory=turkiye, declaration=paris)
    position.signed_on_precision = "month"
    position.save()
    MembershipFactory(group=GroupFactory(name="G20"), signatory=turkiye)
    ArticleFactory(title="What Paris agreed")
    # Drafts and scheduled items, which no file may contain.
    secret = DeclarationFactory(title="Embargoed pledge", draft=True, summit=None)
    SignatureFactory(signatory=SignatoryFactory(name="Atlantis"), declaration=secret)
    DeclarationFactory(title="Scheduled accord", scheduled=True, summit=None)
    SummitFactory(name="Secret summit", draft=True)
    ArticleFactory(title="Unpublished article", draft=True)
    SeriesFactory(name="Hidden series")
    return paris


def test_publish_data_writes_every_file_and_a_dated_snapshot(record, data_root):
    call_command("publish_data", verbosity=0)
    names = {p.name for p in data_root.iterdir()}
    assert {f.name for f in opendata.DATA_FILES} <= names
    snapshots = list((data_root / "snapshots").iterdir())
    assert len(snapshots) == 1
    assert opendata.SNAPSHOT_NAME.fullmatch(snapshots[0].name)
    # No temporary file is left behind.
    assert not list(data_root.rglob(".*.tmp"))


def test_no_draft_is_in_any_file(record, data_root, client):
    call_command("publish_data", verbosity=0)
    for path in data_root.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            for secret in (
                "Embargoed", "Atlantis", "Scheduled accord", "Secret summit",
                "Unpublished article", "Hidden series",
            ):  # fmt: skip
                assert secret not in text, (path.name, secret)


def test_the_export_is_a_valid_version_2_document(record, data_root):
    import jsonschema

    call_command("publish_data", verbosity=0)
    document = json.loads((data_root / "summitwatch.json").read_text())
    assert document["schema"] == "summitwatch.export/2"
    jsonschema.validate(document, load_schema())
    assert [d["slug"] for d in document["declarations"]] == ["paris"]


def test_the_positions_csv_has_iso_codes_and_partial_dates(record, client):
    call_command("publish_data", verbosity=0)
    response = download(client, "positions.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(b"".join(response.streaming_content))
    assert len(rows) == 1
    row = rows[0]
    assert row["signatory_name"] == "Türkiye"
    assert (row["iso_alpha2"], row["iso_alpha3"]) == ("TR", "TUR")
    assert row["signed_on"] == "2024-05"  # known to the month only
    assert row["status"] == "signed"
    assert row["declaration"] == "paris"


def test_each_table_has_its_csv(record, client):
    call_command("publish_data", verbosity=0)

    def rows(name):
        return read_csv(b"".join(download(client, name).streaming_content))

    assert [r["name"] for r in rows("summits.csv")] == ["Paris AI Action Summit"]
    assert [r["title"] for r in rows("declarations.csv")] == ["Paris statement"]
    assert [r["signed_count"] for r in rows("declarations.csv")] == ["1"]
    assert [r["name"] for r in rows("signatories.csv")] == ["Türkiye"]
    assert [r["name"] for r in rows("series.csv")] == ["AI summits"]
    assert [(r["group_name"], r["signatory_name"]) for r in rows("groups.csv")] == [
        ("G20", "Türkiye")
    ]
    assert [r["title"] for r in rows("articles.csv")] == ["What Paris agreed"]


def test_files_are_served_with_types_and_caching(record, client):
    call_command("publish_data", verbosity=0)
    response = download(client, "summitwatch.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age=900" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response["Last-Modified"]
    again = client.get(
        reverse("exchange:data_file", args=["summitwatch.json"]),
        HTTP_IF_NONE_MATCH=response["ETag"],
    )
    assert again.status_code == 304
    assert (
        download(client, "LICENCE.txt")["Content-Type"] == "text/plain; charset=utf-8"
    )
    assert "CC BY 4.0" in download(client, "LICENCE.txt").getvalue().decode()


@pytest.fixture
def json_url(record):
    """The address of the published summitwatch.json."""
    call_command("publish_data", verbosity=0)
    return reverse("exchange:data_file", args=["summitwatch.json"])


def fetched(client, url, **headers):
    """A GET whose streamed body is read to the end, as a client reads it
    (which closes it as the test client closes it: not by hand)."""
    response = client.get(url, **headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


@pytest.mark.parametrize("encoding", ["identity", "gzip"])
def test_a_304_for_a_file_carries_the_vary_of_its_200(json_url, client, encoding):
    # A cache that revalidates keeps the stored 200 per Accept-Encoding only
    # if the 304 says so too (RFC 9110 15.4.5: a 304 repeats Vary and ETag).
    first = fetched(client, json_url, HTTP_ACCEPT_ENCODING=encoding)
    assert first.status_code == 200
    assert "Accept-Encoding" in first["Vary"]
    again = client.get(
        json_url, HTTP_ACCEPT_ENCODING=encoding, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]
    assert "Accept-Encoding" in again["Vary"]
    assert again["Last-Modified"] == first["Last-Modified"]
    # The other variant's tag names other bytes: the whole file again.
    other = "gzip" if encoding == "identity" else "identity"
    changed = fetched(
        client, json_url, HTTP_ACCEPT_ENCODING=other, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert changed.status_code == 200


def test_a_304_ends_the_request_once_and_closes_the_file(json_url, client):
    first = fetched(client, json_url)
    opened = []
    real_open = Path.open

    def watched_open(path, *args, **kwargs):
        opened.append(real_open(path, *args, **kwargs))
        return opened[-1]

    ends = []

    def on_request_finished(**kwargs):
        ends.append([file.closed for file in opened])

    request_finished.connect(on_request_finished)
    try:
        with mock.patch.object(Path, "open", watched_open):
            again = client.get(json_url, HTTP_IF_NONE_MATCH=first["ETag"])
    finally:
        request_finished.disconnect(on_request_finished)

    assert again.status_code == 304
    # One end of the request, after the file the view opened was closed: an
    # early request_finished would close the database connection mid-request.
    assert ends == [[True]]


def test_a_file_answers_if_modified_since_and_a_feed_does_not(json_url, client):
    first = fetched(client, json_url)
    again = client.get(json_url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    assert "Accept-Encoding" in again["Vary"]
    # A feed's Last-Modified is its newest item's date, which unpublishing
    # that item moves back: it is no validator, and the feed is sent again.
    feed_url = reverse("articles:feed_rss")
    feed = client.get(feed_url)
    assert feed.status_code == 200 and feed.has_header("Last-Modified")
    again = client.get(feed_url, HTTP_IF_MODIFIED_SINCE=feed["Last-Modified"])
    assert again.status_code == 200


@pytest.mark.parametrize(
    "name", ["secret.json", "..%2Fdb.sqlite3", ".summitwatch.json.x.tmp", "snapshots"]
)
def test_an_unknown_file_is_a_404(record, client, name):
    call_command("publish_data", verbosity=0)
    assert client.get(f"/data/{name}").status_code == 404


def test_a_failure_part_way_leaves_the_previous_files(record, data_root, monkeypatch):
    call_command("publish_data", verbosity=0)
    before = {p: p.read_bytes() for p in data_root.rglob("*") if p.is_file()}
    DeclarationFactory(title="A newer declaration")

    def broken(out):
        out.write("half a file")
        raise OSError("disk full")

    failing = opendata.DataFile("articles.csv", opendata.CSV_TYPE, "", broken)
    files = [failing if f.name == "articles.csv" else f for f in opendata.DATA_FILES]
    monkeypatch.setattr(opendata, "DATA_FILES", files)
    with pytest.raises(CommandError, match="previous files are unchanged"):
        call_command("publish_data", verbosity=0)

    after = {p: p.read_bytes() for p in data_root.rglob("*") if p.is_file()}
    assert after == before


def test_dry_run_writes_nothing(record, data_root):
    out = io.StringIO()
    call_command("publish_data", dry_run=True, stdout=out)
    assert "Would write" in out.getvalue()
    assert not Path(data_root).exists()


def test_the_licence_is_a_setting(record, client, settings):
    settings.DATA_LICENCE = "CC0 1.0"
    call_command("publish_data", verbosity=0)
    page = client.get(DATA).content.decode()
    assert (
        'href="https://creativecommons.org/publicdomain/zero/1.0/" rel="license"'
        in page
    )
    assert "CC0 1.0" in download(client, "LICENCE.txt").getvalue().decode()


def test_the_data_page_lists_the_files_without_a_query_of_its_own(
    record, client, django_assert_num_queries
):
    call_command("publish_data", verbosity=0)
    # Only the menus of editors' pages (base.html): the files are read from
    # the file system.
    with django_assert_num_queries(1):
        page = client.get(DATA).content.decode()
    for data_file in opendata.DATA_FILES:
        assert f'href="/data/{data_file.name}"' in page
    assert "/data/summitwatch-" in page  # the snapshot


def test_before_the_first_run_the_page_says_so(client):
    page = client.get(DATA).content.decode()
    assert "have not been published yet" in page
    assert download(client, "positions.csv").status_code == 404


# ---------------------------------------------------------------- the matrix


def test_the_matrix_downloads_as_csv_with_its_filters(record, client):
    other = DeclarationFactory(title="Bletchley", slug="bletchley")
    SignatureFactory(
        signatory=SignatoryFactory(name="Chile", country="CL"), declaration=other
    )
    url = reverse("summits:declaration_compare") + "?kind=all&d=paris"
    page = client.get(url).content.decode()
    assert 'href="?kind=all&amp;d=paris&amp;format=csv"' in page

    response = client.get(url + "&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(response.content)
    assert rows == [
        {
            "signatory": "Türkiye",
            "iso_alpha2": "TR",
            "iso_alpha3": "TUR",
            "Paris statement": "Signed",
        }
    ]


def test_the_matrix_csv_never_names_a_draft(record, client):
    url = reverse("summits:declaration_compare") + "?kind=all&d=all&format=csv"
    text = client.get(url).content.decode("utf-8-sig")
    assert "Embargoed" not in text and "Atlantis" not in text


def test_a_download_answers_get_and_head_only(record, client):
    call_command("publish_data", verbosity=0)
    url = reverse("exchange:data_file", args=["positions.csv"])
    assert client.get(url).status_code == 200
    assert client.head(url).status_code == 200
    for method in ("post", "put", "delete", "patch", "trace"):
        assert getattr(client, method)(url).status_code == 405, method
