"""Check every source URL on record and note which links have died.

    manage.py check_sources [--dry-run] [--workers 8] [--timeout 10]

Collects the URLs from every model that lists `source_url_fields` (positions'
stage sources, declarations' official texts, press items' originals), asks
each once with HEAD (GET where HEAD is refused), eight at a time, through
`core.fetch` (http and https only, no private addresses, size cap, timeouts),
and records the outcome in `SourceLink`. A link is dead at once on 404/410,
otherwise after failing on two checks at least a day apart; every problem is
recorded as a reason and the run goes on. Editors see the dead ones in the
admin's data-quality view. Run it daily from cron.
"""

from concurrent.futures import ThreadPoolExecutor, as_completed

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from core.fetch import FetchError, fetch
from editorial.models import SourceLink

# Servers that do not answer HEAD say so in one of these ways.
HEAD_REFUSED = {403, 405, 501}
# A link checker needs the status, not the page: read little of any body.
MAX_BYTES = 1024 * 1024


def models_with_sources():
    return [m for m in apps.get_models() if getattr(m, "source_url_fields", None)]


def source_urls():
    """Every distinct URL in any model's source fields (one query per model)."""
    urls = set()
    for model in models_with_sources():
        fields = model.source_url_fields
        for row in model._default_manager.values_list(*fields):
            urls.update(url for url in row if url)
    return sorted(urls)


def check_url(url, timeout):
    """(status, error) for one URL: HEAD, then GET if HEAD is refused."""
    options = {"timeout": timeout, "raise_for_status": False, "purpose": "link checker"}
    try:
        result = fetch(url, method="HEAD", **options)
        if result.status in HEAD_REFUSED:
            result = fetch(url, method="GET", max_bytes=MAX_BYTES, **options)
        return result.status, ""
    except FetchError as error:
        return error.status, error.reason
    except Exception as error:  # noqa: BLE001 - one odd URL must not stop the run
        return None, f"unexpected error: {error.__class__.__name__}: {error}"


class Command(BaseCommand):
    help = "Check every source URL and record which links are dead."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="List the URLs that would be checked, and check none.",
        )
        parser.add_argument("--workers", type=int, default=8)
        parser.add_argument(
            "--timeout", type=float, default=10.0, help="Seconds per request."
        )

    def handle(self, *args, dry_run=False, workers=8, timeout=10.0, **options):
        verbosity = options["verbosity"]
        urls = source_urls()
        if dry_run:
            for url in urls:
                self.stdout.write(url)
            self.stdout.write(f"{len(urls)} URL(s) would be checked.")
            return
        known = SourceLink.objects.in_bulk(urls, field_name="url")
        progress = verbosity >= 1 and self.stdout.isatty()
        outcomes, failing = {}, 0
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            futures = {pool.submit(check_url, url, timeout): url for url in urls}
            for done, future in enumerate(as_completed(futures), 1):
                url = futures[future]
                status, error = future.result()
                outcomes[url] = (status, error)
                if status is None or status >= 400:
                    failing += 1
                if verbosity >= 2:
                    self.stdout.write(f"{status or '---'} {url} {error}".rstrip())
                elif progress:
                    self.stdout.write(
                        f"\rChecked {done}/{len(urls)}, {failing} failing",
                        ending="",
                    )
                    self.stdout.flush()
        if progress and verbosity < 2:
            self.stdout.write("")
        self.record(outcomes, known)
        if verbosity >= 1:
            dead = SourceLink.objects.filter(url__in=urls, dead=True).count()
            self.stdout.write(
                f"Checked {len(urls)} URL(s): {failing} failing, {dead} dead."
            )

    @transaction.atomic
    def record(self, outcomes, known):
        now = timezone.now()
        created, updated = [], []
        for url, (status, error) in outcomes.items():
            link = known.get(url)
            if link is None:
                link = SourceLink(url=url)
                created.append(link)
            else:
                updated.append(link)
            link.record(status, error, now=now)
        SourceLink.objects.bulk_create(created)
        SourceLink.objects.bulk_update(updated, SourceLink.CHECK_FIELDS)
