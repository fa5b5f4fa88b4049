"""Shared ground for the JSON exchange tests: running the commands, counting
rows, and a data set with every exported field filled with awkward text."""

import datetime
import json
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from articles.models import Article
from summits.models import (
    Declaration,
    Group,
    GroupMembership,
    Series,
    Signatory,
    SignatoryAlias,
    Signature,
    Summit,
)
from tests.factories import (
    AliasFactory,
    ArticleFactory,
    DeclarationFactory,
    GroupFactory,
    MembershipFactory,
    SeriesFactory,
    SignatoryFactory,
    SignatureFactory,
    SummitFactory,
)

UTC = datetime.UTC

LONG_MARKDOWN = "\n\n".join(
    [
        "# Was die Gipfel erreichten — and what they didn't",
        "Ein „Zitat“ with 'single' and \"double\" quotes, a backslash \\ and "
        "a tab\there. Emoji: 🤖🌍. Right-to-left: مرحبا. CJK: 人工知能の安全性.",
        "| country | signed |\n|---|---|\n| Côte d’Ivoire | ✓ |\n| Türkiye | ✓ |",
        "```python\nprint('<script>alert(1)</script>')\n```",
        "Line one  \nline two (hard break)\r\nWindows line ending kept.",
        "Footnote[^1].\n\n[^1]: The note.",
    ]
    + [f"Paragraph {n}: " + "lorem ipsum dolor sit amet " * 40 for n in range(30)]
)


def export(*args):
    """Run export_content; returns what it wrote to stdout."""
    out = StringIO()
    call_command(
        "export_content", *args, stdout=out, stderr=StringIO(), skip_checks=False
    )
    return out.getvalue()


def export_document(*args):
    return json.loads(export(*args))


def import_file(path, *args):
    """Run import_content on a file; returns (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command(
        "import_content", str(path), *args, stdout=out, stderr=err, skip_checks=False
    )
    return out.getvalue(), err.getvalue()


def write_document(tmp_path, document, name="document.json"):
    path = tmp_path / name
    text = document if isinstance(document, str) else json.dumps(document)
    path.write_text(text, encoding="utf-8")
    return path


def row_counts():
    """Every row the exchange touches, including signatures and article links."""
    return {
        "signatories": Signatory.objects.count(),
        "summits": Summit.objects.count(),
        "declarations": Declaration.objects.count(),
        "signatures": Signature.objects.count(),
        "articles": Article.objects.count(),
        "series": Series.objects.count(),
        "groups": Group.objects.count(),
        "memberships": GroupMembership.objects.count(),
        "other names": SignatoryAlias.objects.count(),
        "article summits": Article.summits.through.objects.count(),
        "article declarations": Article.declarations.through.objects.count(),
    }


def full_dataset():
    """Every exported field filled, edge-case text everywhere, plus drafts.

    Slugs like `a-b` and `ab` make sure sorting is by code point on every
    database (PostgreSQL's usual collation ignores hyphens).
    """
    published = datetime.datetime(2024, 5, 21, 9, 30, 15, 123456, tzinfo=UTC)
    eu = SignatoryFactory(
        name="European Union",
        slug="european-union",
        kind=Signatory.Kind.ORGANISATION,
        country="",
        website="https://european-union.europa.eu/",
        description='The EU signs as a "regional economic\nintegration organisation".',
    )
    ivory = SignatoryFactory(
        name="Côte d’Ivoire",
        slug="cote-d-ivoire",
        country="CI",
        website="https://www.gouv.ci/",
        description="République de Côte d’Ivoire — «signataire».",
    )
    japan = SignatoryFactory(
        name="日本 (Japan)", slug="japan", country="JP", description="日本国"
    )
    company = SignatoryFactory(
        name="Anthropic",
        slug="a-b",
        kind=Signatory.Kind.COMPANY,
        country="",
        website="https://www.anthropic.com/",
    )
    other = SignatoryFactory(
        name="Other, Inc.", slug="ab", kind=Signatory.Kind.OTHER, country=""
    )
    AliasFactory(signatory=eu, name="EU", kind="short")
    AliasFactory(signatory=eu, name="Union européenne", kind="language")
    AliasFactory(signatory=ivory, name="Ivory Coast", kind="former")
    series = SeriesFactory(
        name="AI safety summits — “the series”",
        slug="ai-safety-summits",
        organiser="Hosts in turn & co.",
        description=LONG_MARKDOWN,
    )
    SummitFactory(
        draft=True, name="Draft summit of a draft series", slug="z-draft-series",
        series=SeriesFactory(name="Only drafts", slug="only-drafts"),
    )  # fmt: skip
    group = GroupFactory(
        name="Groupe « G »", slug="g-7", kind="club", description=LONG_MARKDOWN
    )
    MembershipFactory(group=group, signatory=ivory)
    MembershipFactory(
        group=group,
        signatory=japan,
        joined_on=datetime.date(1975, 11, 15),
        left_on=datetime.date(2030, 12, 31),
    )
    GroupFactory(name="Nobody public", slug="nobody-public")
    summit = SummitFactory(
        series=series,
        name="AI Safety Summit — Bletchley Park",
        slug="ai-safety-summit-2023",
        published_at=published,
        starts_on=datetime.date(2023, 11, 1),
        ends_on=datetime.date(2023, 11, 2),
        city="Milton Keynes",
        venue="Bletchley Park, “Mansion”",
        host_country="GB",
        organiser="UK Government & friends",
        summary="Twenty-eight countries and the EU met.\nSecond line.",
        body=LONG_MARKDOWN,
        website="https://www.aisafetysummit.gov.uk/",
    )
    draft_summit = SummitFactory(draft=True, name="Secret Summit", slug="z-draft")
    declaration = DeclarationFactory(
        title="The Bletchley Declaration",
        slug="bletchley-declaration",
        summit=summit,
        published_at=published,
        kind=Declaration.Kind.DECLARATION,
        adopted_on=datetime.date(2023, 11, 1),
        binding=True,
        summary="Frontier AI risks, acknowledged.",
        text=LONG_MARKDOWN,
        source_url="https://www.gov.uk/government/publications/bletchley",
        reported_signatory_count=29,
    )
    treaty = DeclarationFactory(
        title="Framework Convention on AI",
        slug="framework-convention",
        summit=None,
        kind=Declaration.Kind.TREATY,
        binding=True,
        adopted_on=None,
        reported_signatory_count=None,
        text="",
    )
    orphan = DeclarationFactory(
        title="Statement of a draft summit",
        slug="orphan-statement",
        summit=draft_summit,
    )
    draft_declaration = DeclarationFactory(draft=True, slug="y-draft-declaration")
    for signatory, status in [
        (eu, Signature.Status.SIGNED),
        (ivory, Signature.Status.SIGNED),
        (japan, Signature.Status.WITHDRAWN),
        (company, Signature.Status.DECLINED),
        (other, Signature.Status.SIGNED),
    ]:
        # Every stage, each with its own source and a different precision,
        # on the positions that may have them.
        stages = {
            Signature.Status.SIGNED: {
                "signed_on": datetime.date(2023, 11, 1),
                "signed_source_url": f"https://example.org/signed/{signatory.slug}",
            },
            Signature.Status.WITHDRAWN: {
                "signed_on": datetime.date(2023, 11, 1),
                "withdrawn_on": datetime.date(2024, 1, 1),
                "withdrawn_on_precision": "month",
                "withdrawn_source_url": "https://example.org/withdrawn",
            },
            Signature.Status.DECLINED: {
                "declined_on": datetime.date(2023, 1, 1),
                "declined_on_precision": "year",
            },
        }[status]
        SignatureFactory(
            declaration=declaration,
            signatory=signatory,
            status=status,
            source_url=f"https://example.org/sources/{signatory.slug}",
            note=f'{signatory.name} said "yes"\nthen: ¿sí?',
            **stages,
        )
    SignatureFactory(
        declaration=treaty,
        signatory=eu,
        signed_on=datetime.date(2024, 9, 5),
        ratified_on=datetime.date(2025, 1, 1),
        ratified_on_precision="month",
        ratification_act=Signature.Act.APPROVAL,
        ratified_source_url="https://example.org/approved",
        in_force_on=datetime.date(2025, 6, 1),
        in_force_source_url="https://example.org/in-force",
        source_url="",
    )
    SignatureFactory(
        declaration=treaty,
        signatory=company,
        status=Signature.Status.UNKNOWN,
        source_url="",
    )
    SignatureFactory(declaration=draft_declaration, signatory=japan)
    press = ArticleFactory(
        title="Press: “Bletchley” in Le Monde",
        slug="press-le-monde",
        kind=Article.Kind.PRESS,
        published_at=published,
        lede="Le Monde écrit : « un premier pas ».",
        body=LONG_MARKDOWN,
        author_name="Zoë Ångström",
        outlet="Le Monde",
        original_url="https://www.lemonde.fr/article",
        original_published_on=datetime.date(2023, 11, 2),
        cover_image="covers/bletchley.jpg",
        cover_image_alt="The mansion at Bletchley Park, in fog",
    )
    press.summits.set([summit, draft_summit])
    press.declarations.set([declaration, treaty, draft_declaration])
    ArticleFactory(title="Why we march", slug="why-we-march", body="*Short*.")
    ArticleFactory(draft=True, slug="draft-article", title="Not yet")
    ArticleFactory(scheduled=True, slug="scheduled-article", title="Soon")
    return {
        "summit": summit,
        "declaration": declaration,
        "treaty": treaty,
        "orphan": orphan,
        "press": press,
        "now": timezone.now(),
    }
