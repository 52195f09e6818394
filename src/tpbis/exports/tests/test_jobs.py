"""Large exports: a background job queued on commit, a progress page, and a download for its owner only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage

from conftest import World
from tpbis.exports import renderers
from tpbis.exports.models import ExportFormat, ExportJob, JobStatus
from tpbis.exports.services import export_job_create, export_run, params_to_query
from tpbis.exports.tests.helpers import DAY, body, csv_rows, engagement, xlsx_rows
from tpbis.reports.models import CommunityEngagement


def _engagements(world: World, n: int) -> None:
    CommunityEngagement.objects.bulk_create(
        CommunityEngagement(
            library=world.lamongan_village,
            date=DAY,
            title=f"Kegiatan {i}",
            activity_field="Pendidikan",
            activity_kind="Pelatihan",
            audience="Umum",
            participants=10 + i,
            input_date=DAY,
        )
        for i in range(n)
    )


@pytest.fixture
def small_limit(settings: Any) -> None:
    settings.EXPORT_SYNC_LIMIT = 5


def test_it_sends_a_large_export_to_the_background_and_builds_a_file_with_every_row(
    world: World, small_limit: None, django_capture_on_commit_callbacks: Any
) -> None:
    _engagements(world, 12)
    engagement(world.belo_laut)  # outside the facilitator's kabupaten
    client = world.client_for(world.facilitator_3524)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.get("/ekspor/pelibatan.xlsx?status=submitted")
    # The task queued on commit; running it at once, it queues the email telling its owner the file is ready.
    assert len(callbacks) == 2
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/ekspor/{job.pk}/"
    assert job.status == JobStatus.DONE
    assert (job.rows_done, job.rows_total) == (12, 12)
    assert job.params == {"status": ["submitted"]}
    assert job.file.name.startswith(f"exports/{world.facilitator_3524.pk}/")
    assert job.filename.startswith("pelibatan-35.24-")

    page = client.get(f"/ekspor/{job.pk}/")
    assert page.status_code == 200
    assert 'hx-trigger="every 2s"' not in page.content.decode()
    assert f"/ekspor/{job.pk}/unduh/" in page.content.decode()
    download = client.get(f"/ekspor/{job.pk}/unduh/")
    assert download.status_code == 200
    assert f'filename="{job.filename}"' in download["Content-Disposition"]
    rows = xlsx_rows(body(download))
    assert len(rows) == 13
    assert {row[rows[0].index("Perpustakaan")] for row in rows[1:]} == {world.lamongan_village.name}


def test_it_streams_a_small_export_at_once(world: World, small_limit: None) -> None:
    _engagements(world, 5)
    response = world.client_for(world.facilitator_3524).get("/ekspor/pelibatan.csv")
    assert response.status_code == 200
    assert len(csv_rows(response)) == 6
    assert not ExportJob.objects.exists()


def test_it_queues_the_task_only_when_the_transaction_commits(
    world: World, small_limit: None, django_capture_on_commit_callbacks: Any
) -> None:
    _engagements(world, 8)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        world.client_for(world.facilitator_3524).get("/ekspor/pelibatan.csv")
    job = ExportJob.objects.get()
    assert job.status == JobStatus.QUEUED  # nothing ran before the commit
    assert len(callbacks) == 1


def test_it_shows_progress_and_polls_every_two_seconds_until_done(world: World) -> None:
    job = ExportJob.objects.create(
        user=world.province_35, kind="mitra", format=ExportFormat.CSV, rows_total=20_000, rows_done=5_000
    )
    client = world.client_for(world.province_35)
    page = client.get(f"/ekspor/{job.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert "5.000 / 20.000" in page or "5,000 / 20,000" in page
    assert "25%" in page
    assert "/unduh/" not in page
    partial = client.get(f"/ekspor/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial
    assert 'id="export-progress"' in partial


def test_it_hides_a_job_and_its_file_from_another_user(world: World) -> None:
    job = ExportJob.objects.create(user=world.facilitator_3524, kind="mitra", format=ExportFormat.CSV)
    export_run(job_id=job.pk)
    owner = world.client_for(world.facilitator_3524)
    assert owner.get(f"/ekspor/{job.pk}/unduh/").status_code == 200
    for other in (world.national, world.province_35, world.facilitator_1905):
        client = world.client_for(other)
        assert client.get(f"/ekspor/{job.pk}/").status_code == 404
        assert client.get(f"/ekspor/{job.pk}/unduh/").status_code == 404


def test_it_has_no_download_before_the_file_is_done(world: World) -> None:
    job = ExportJob.objects.create(user=world.national, kind="mitra", format=ExportFormat.CSV)
    assert world.client_for(world.national).get(f"/ekspor/{job.pk}/unduh/").status_code == 404


def test_it_runs_the_service_directly_and_reports_progress(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _engagements(world, 7)
    monkeypatch.setattr(renderers, "PROGRESS_EVERY", 3)
    seen: list[int] = []
    job = export_job_create(
        user=world.facilitator_3524,
        kind="pelibatan",
        params=params_to_query({"region": ["35.24"]}),
        format=ExportFormat.CSV,
        language="id",
    )
    real_csv_write = renderers.csv_write

    def recording_csv_write(exporter: Any, target: Any, progress: Any = None) -> None:
        def record(done: int) -> None:
            seen.append(done)
            progress(done)

        real_csv_write(exporter, target, record)

    monkeypatch.setattr("tpbis.exports.services.csv_write", recording_csv_write)
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert seen == [3, 6, 7]
    assert job.status == JobStatus.DONE
    assert (job.rows_done, job.rows_total) == (7, 7)
    assert job.finished_at is not None
    with default_storage.open(job.file.name, "rb") as stored:
        content = stored.read()
    assert content.startswith("\ufeff".encode())
    assert content.decode("utf-8-sig").count("\n") == 8


def test_it_runs_a_job_only_once(world: World) -> None:
    job = ExportJob.objects.create(user=world.national, kind="mitra", format=ExportFormat.CSV)
    export_run(job_id=job.pk)
    job.refresh_from_db()
    first_file = job.file.name
    export_run(job_id=job.pk)  # a second delivery of the same task
    job.refresh_from_db()
    assert job.file.name == first_file


def test_it_fails_a_job_whose_owner_lost_the_region_with_a_message(world: World) -> None:
    job = ExportJob.objects.create(
        user=world.facilitator_1905, kind="mitra", format=ExportFormat.XLSX, params={"region": ["35.24"]}
    )
    export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error
    page = world.client_for(world.facilitator_1905).get(f"/ekspor/{job.pk}/").content.decode()
    assert job.error in page
    assert 'hx-trigger="every 2s"' not in page
