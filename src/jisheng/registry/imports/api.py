"""API of resident imports: upload a file, then follow its state, counts and bad rows."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.http import HttpRequest
from ninja import File, Router, Schema, Status, UploadedFile
from ninja.params.functions import Form as FormParam

from jisheng.core.actors import Actor, client_ip, request_user
from jisheng.core.api_helpers import PathId
from jisheng.core.lookups import visible_or_404
from jisheng.core.models import OrgUnit
from jisheng.core.pages import MAX_ID
from jisheng.registry.imports import selectors
from jisheng.registry.imports import services as imports
from jisheng.registry.models import PersonImport

router = Router(tags=["registry"])


class ImportErrorRow(Schema):
    row: int
    problems: list[str]


class PersonImportStatus(Schema):
    id: int
    state: str
    file_name: str
    community_id: int
    total_rows: int
    created_count: int
    unchanged_count: int
    error_count: int
    errors_omitted: int
    progress_percent: int
    message: str
    error_rows: list[ImportErrorRow]
    created_at: dt.datetime


def _status(person_import: PersonImport) -> PersonImportStatus:
    return PersonImportStatus(
        id=person_import.pk,
        state=person_import.state,
        file_name=person_import.file_name,
        community_id=person_import.community_id,
        total_rows=person_import.total_rows,
        created_count=person_import.created_count,
        unchanged_count=person_import.unchanged_count,
        error_count=selectors.error_count(person_import),
        errors_omitted=selectors.omitted_error_rows(person_import),
        progress_percent=selectors.progress_percent(person_import),
        message=person_import.message,
        error_rows=[
            ImportErrorRow(**entry) for entry in selectors.listed_error_rows(person_import)
        ],
        created_at=person_import.created_at,
    )


@router.post(
    "/imports/persons",
    response={201: PersonImportStatus},
    summary="导入居民（.xlsx 或 .csv）",
    description=(
        "整份文件先校验：有任何错误行则全部不导入（state=invalid，error_rows 列出每行问题）。"
        "身份证号码已登记的行计为 unchanged 并跳过。小文件当场完成；大文件在后台运行，"
        "用 GET /imports/persons/{import_id} 查询进度。"
    ),
)
def person_import_create(
    request: HttpRequest,
    file: File[UploadedFile],
    community_id: Annotated[int | None, FormParam(None, ge=1, le=MAX_ID)] = None,
) -> Status[PersonImportStatus]:
    user = request_user(request)
    community = None
    if community_id is not None:
        community = visible_or_404(OrgUnit, user=user, pk=community_id)
    person_import = imports.person_import_start(
        actor=Actor(user=user, ip=client_ip(request)), upload=file, community=community
    )
    return Status(201, _status(person_import))


@router.get("/imports/persons/{import_id}", response=PersonImportStatus, summary="居民导入的状态")
def person_import_status(request: HttpRequest, import_id: PathId) -> PersonImportStatus:
    return _status(
        selectors.person_import_for_owner(user=request_user(request), import_id=import_id)
    )
