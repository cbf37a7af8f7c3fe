"""Background tasks of exports: thin, they load ids and call the services."""

from __future__ import annotations

from django_tasks import task

from exports import services


@task()
def build_export(export_id: int, attempt: int = 1) -> str:
    """Build export `export_id` (a rerun of a done or running one does nothing)."""
    export = services.export_build(export_id=export_id)
    return export.state if export is not None else "gone"


@task()
def recover_exports() -> int:
    """Enqueue builds that lost their worker."""
    return services.exports_recover()


@task()
def purge_exports() -> list[int]:
    """Delete expired archives; fail builds that never finished."""
    return list(services.exports_purge())
