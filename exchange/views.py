"""/data/: the open-data downloads `publish_data` writes, and their page.

The page and the files read the file system only (no query): what is offered
is what the last `publish_data` run wrote. Files are served with their media
type, an ETag and Last-Modified from the file, and a short public cache
lifetime, so a CDN can keep them while a new run still shows within minutes.
"""

import os
from datetime import UTC, datetime

from django.http import FileResponse, Http404
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from core.cache import mark_unstored
from core.views import NavSectionMixin
from exchange import opendata

DATA_MAX_AGE = 15 * 60


class DataView(NavSectionMixin, TemplateView):
    """The downloads, their sizes and dates, the snapshots and the licence."""

    nav_section = "data"
    template_name = "exchange/data.html"

    def render_to_response(self, context, **response_kwargs):
        # publish_data changes the files without touching the database, so
        # the page cache would not know to drop a stored copy; the page
        # costs no query, so it is not stored (ETags still answer 304s).
        return mark_unstored(super().render_to_response(context, **response_kwargs))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        files = []
        for data_file in opendata.DATA_FILES:
            found = opendata.find(data_file.name)
            stat = found[0].stat() if found else None
            files.append(
                {
                    "file": data_file,
                    "size": stat.st_size if stat else None,
                    "modified": (
                        datetime.fromtimestamp(stat.st_mtime, UTC) if stat else None
                    ),
                }
            )
        name, url = opendata.licence()
        context.update(
            files=files,
            published=any(f["size"] is not None for f in files),
            snapshots=opendata.snapshots(),
            licence_name=name,
            licence_url=url,
        )
        return context


@require_safe  # downloads answer GET and HEAD only
def data_file(request, name):
    """One published file, by its name; anything else is a 404."""
    found = opendata.find(name)
    if found is None:
        raise Http404("No such download.")
    path, content_type = found
    # The open file's own size and time: publish_data may replace the file
    # between a stat() of its path and the open().
    try:
        file = path.open("rb")
    except FileNotFoundError:
        raise Http404("No such download.") from None
    stat = os.fstat(file.fileno())
    etag = f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"'
    last_modified = http_date(stat.st_mtime)
    # The page-cache middleware answers If-None-Match and If-Modified-Since
    # (core.middleware_cache) with the Vary a 200 would carry, and the ETag
    # of the variant it sends.
    response = FileResponse(file, content_type=content_type, as_attachment=False)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    response["ETag"] = etag
    response["Last-Modified"] = last_modified
    patch_cache_control(response, public=True, max_age=DATA_MAX_AGE)
    return response
