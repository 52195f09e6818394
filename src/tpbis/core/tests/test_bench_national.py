"""`bench/bench_national.py` (`make bench`, `make bench-national`): on a tiny generated national set it
measures every page for every period and a record entry, leaves the database as it was, and reports a
failing page as a note instead of stopping. No timing is asserted: the figures only have to be there."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction

from tpbis.accounts.models import User
from tpbis.demo.national import national_generate
from tpbis.reports.models import CommunityEngagement

BENCH = Path(settings.BASE_DIR) / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import bench_national  # noqa: E402  (bench/ is not a package)


@pytest.fixture(scope="module")
def report(django_db_setup: None, django_db_blocker: Any) -> Iterator[bench_national.Report]:
    """Twelve partners with two years of records, measured once (one request per page), then rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            national_generate(libraries=12, years=2, seed=5)
            records = CommunityEngagement.objects.count()
            result = bench_national.national_report(repeat=1, entries=2)
            assert CommunityEngagement.objects.count() == records, "the entries are rolled back"
            assert not User.objects.filter(email__startswith="bench-national").exists()
            yield result
        finally:
            transaction.set_rollback(True)


def test_every_page_has_figures_for_every_period(report: bench_national.Report) -> None:
    periods = {row.period for row in report.pages if row.period != "–"}
    assert len(periods) == 5
    pages = {row.page.split(" (")[0] for row in report.pages}
    assert {
        "national dashboard",
        "province dashboard",
        "kabupaten dashboard",
        "kecamatan dashboard",
        "village dashboard",
        "gathering report",
        "stats JSON",
        "public page",
        "rapor",
        "rapor PDF",
        "library page",
    } <= pages
    assert len(report.pages) == 5 * 11 + 1
    for row in report.pages:
        assert row.server_ms is not None and row.floor_ms is not None and row.queries, (row.page, row.period, row.note)
        assert row.ratio is not None and row.ratio > 0
    assert report.entry is not None
    assert report.entry.server_ms is not None and report.entry.queries, report.entry.note


def test_the_markdown_report_has_a_line_per_page(report: bench_national.Report) -> None:
    text = report.markdown()
    assert text.count("| national dashboard |") == 5
    assert "| record entry (service layer) |" in text
    assert f"{report.libraries:,} libraries" in text


def test_the_periods_start_or_end_mid_month_and_span_five_years() -> None:
    spans = bench_national.spans(dt.date(2026, 12, 7))
    assert [(s.start, s.end) for s in spans] == [
        (dt.date(2026, 1, 1), dt.date(2026, 12, 7)),
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        (dt.date(2025, 3, 15), dt.date(2025, 8, 14)),
        (dt.date(2026, 1, 15), dt.date(2026, 11, 14)),
        (dt.date(2022, 1, 1), dt.date(2026, 12, 7)),
    ]
    assert spans[0].dashboard_query() == "periode=ytd"
    assert spans[2].dashboard_query() == "mulai=2025-03-15&sampai=2025-08-14"
    assert spans[2].api_query() == "start=2025-03-15&end=2025-08-14"


def test_a_failing_page_is_a_note_not_a_stop(db: None) -> None:
    class Answer:
        status_code = 404

    row = bench_national.measure_page("missing page", "this year", Answer, 1)
    assert row.server_ms is None and row.note == "HTTP 404"

    def broken() -> Any:
        raise RuntimeError("not built yet")

    row = bench_national.measure_page("broken page", "this year", broken, 1)
    assert row.note == "RuntimeError: not built yet"
    assert (
        "| broken page | this year | – | – | – | – | RuntimeError: not built yet |"
        in bench_national.Report(pages=[row]).markdown()
    )


def test_a_command_reports_its_own_time_and_peak_memory() -> None:
    run = bench_national.run_command("version", ["version"])
    assert run.note == "" and run.output.count(".") >= 1
    assert run.seconds is not None and run.seconds > 0
    assert run.peak_mb is not None and run.peak_mb > 10  # a Python process with Django loaded
