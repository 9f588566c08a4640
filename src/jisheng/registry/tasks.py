"""Background work of the registry: big resident imports."""

from __future__ import annotations

from django.tasks import task

from jisheng.registry.models import PersonImport


@task()
def person_import_task(
    *, import_id: int, ip: str | None = None, language: str | None = None
) -> str:
    """Run a queued import; its progress, outcome and audit event are kept by the service."""
    from jisheng.registry.imports.services import person_import_run  # the service queues this

    person_import = person_import_run(import_id=import_id, ip=ip, language=language)
    if person_import.state == PersonImport.State.FAILED:
        raise RuntimeError(f"resident import {import_id} failed: {person_import.message}")
    return str(person_import.state)
