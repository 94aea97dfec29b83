"""Settings pages for a member's own data: the archive download, CSV exports and imports."""

from __future__ import annotations

import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from parley.core import ratelimits
from parley.core.errors import RateLimited
from parley.portability import member_archive, member_csv
from parley.web import links
from parley.web.forms import ImportListForm
from parley.web.views import rate_limited

SKIPPED_SHOWN = 20


@login_required
def data_settings(request: HttpRequest) -> HttpResponse:
    form = ImportListForm(request.POST or None, request.FILES or None)
    exports = [(member_csv.LABELS[kind], name) for kind, name in member_csv.FILENAMES.items()]
    context: dict = {"form": form, "exports": exports}
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = member_csv.import_csv(
                request.user, form.cleaned_data["kind"],
                # One byte past the bound is enough to refuse a larger file.
                form.cleaned_data["file"].read(member_csv.MAX_IMPORT_BYTES + 1),
                links.account_domain(request))
        except member_csv.MalformedImport as exc:
            form.add_error("file", f"{exc.message} Nothing was changed.")
            status = 400
        else:
            context["result"] = result
            context["skipped_shown"] = result.skipped[:SKIPPED_SHOWN]
            context["form"] = ImportListForm()
    elif form.errors:
        status = 400
    return render(request, "web/settings_data.html", context, status=status)


@login_required
@require_GET
def export_list(request: HttpRequest, filename: str) -> HttpResponse:
    kinds = {name: kind for kind, name in member_csv.FILENAMES.items()}
    if filename not in kinds:
        raise Http404("No such export")
    text = member_csv.export_csv(request.user, kinds[filename], links.account_domain(request),
                                 links.site_url(request))
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_POST
def export_archive(request: HttpRequest) -> HttpResponse:
    """Only the logged-in member's own archive; built in a temporary file, then streamed."""
    try:
        ratelimits.hit("archive_account", request.user.pk)
    except RateLimited as exc:
        return rate_limited(request, exc)
    dest = tempfile.TemporaryFile(prefix="parley-archive-")  # noqa: SIM115 (FileResponse closes it)
    try:
        member_archive.write_member_archive(request.user, links.site_url(request), dest)
    except BaseException:
        dest.close()
        raise
    dest.seek(0)
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    return FileResponse(dest, as_attachment=True, content_type="application/zip",
                        filename=f"archive-{request.user.username}-{stamp}.zip")
