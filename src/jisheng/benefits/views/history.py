"""Historic payments page: a past period's payouts of one program, imported from a workbook."""

from __future__ import annotations

from typing import IO, Any

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from jisheng.benefits import selectors
from jisheng.benefits.forms import HistoryImportForm
from jisheng.benefits.models import PaymentBatch
from jisheng.benefits.services import history
from jisheng.core.actors import Actor, request_user
from jisheng.core.errors import JishengError
from jisheng.core.exports import write_xlsx, xlsx_response
from jisheng.core.pages import form_page, posted
from jisheng.core.permissions import require_capability
from jisheng.core.roles import Capability


@require_http_methods(["GET", "POST"])
@require_capability(Capability.REVIEW_BENEFITS)
def history_import(request: HttpRequest) -> HttpResponse:
    """The import form; bad rows show the form again with each row's problems."""
    user = request_user(request)
    form = HistoryImportForm(
        posted(request),
        request.FILES if request.method == "POST" else None,
        programs=selectors.program_list(user),
    )

    def run(actor: Actor, data: dict[str, Any]) -> PaymentBatch:
        upload = data["file"]
        if upload.size is None or upload.size > history.MAX_BYTES:
            raise JishengError(_("The file is larger than 5 MB."), code="file_too_large")
        rows = history.read_history_file(upload)
        return history.history_import(
            actor=actor,
            program=data["program"],
            period_text=data["period"],
            rows=rows,
            file_name=upload.name or "",
        )

    return form_page(
        request,
        form=form,
        operation=run,
        success=_("The historic payments were recorded."),
        next_url=lambda batch: reverse("benefits:batch_detail", args=[batch.pk]),
        template="benefits/history_form.html",
        cancel_url=reverse("benefits:batch_list"),
    )


@require_GET
@require_capability(Capability.REVIEW_BENEFITS)
def history_template(request: HttpRequest) -> FileResponse:
    """An empty history workbook with its header and one example line."""
    header, rows = history.history_template_rows()

    def write(handle: IO[bytes]) -> None:
        write_xlsx(handle, header, rows, title="历史发放", text_columns=(0,), widths={0: 22})

    return xlsx_response(write, filename="历史发放导入模板.xlsx")
