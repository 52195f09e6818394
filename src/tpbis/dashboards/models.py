"""Counted records summarised per area and month, so region figures never scan millions of records.

One row holds every figure of an area's month side by side (records of each type, counted and verified,
participants and visitors), so a national page sums a few thousand narrow rows instead of grouping a
million records. Three grains: per library, per kecamatan for a kabupaten's page, per kabupaten/kota for
the nation's and a province's. A record write changes only the cells of the months it touched, in the same
transaction (see `services.summaries_apply`).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tpbis.regions.models import Region

# The record types a summary counts, in display order; each has a counted and a verified column.
RECORD_TYPES = ("pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung")
# People of counted community engagement (participants) and of counted visitor reports (visitors).
PEOPLE_COLUMNS = (
    "participants",
    "participants_male",
    "participants_female",
    "participants_disability",
    "visitors",
    "visitors_male",
    "visitors_female",
)
# Monthly visitor reports of partners expected to report: received, and received by the deadline.
REPORT_COLUMNS = ("reports", "reports_on_time")
# Every summed column, in the order the selectors keep them in a vector.
FIGURE_COLUMNS = (*(c for t in RECORD_TYPES for c in (t, f"{t}_verified")), *PEOPLE_COLUMNS, *REPORT_COLUMNS)
# The record types counted by their activity date, and the columns a day holds (`RegencyDay`,
# `LibraryMonth.days`), in this order: the dated records counted and verified, and their participants.
DATED_TYPES = ("pelibatan", "advokasi", "publikasi")
DAY_COLUMNS = (*(c for t in DATED_TYPES for c in (t, f"{t}_verified")), *PEOPLE_COLUMNS[:4])


class MonthFigures(models.Model):
    """Counted records (submitted or verified) of one area's libraries in one month, and the verified ones."""

    month = models.DateField(_("bulan"), help_text=_("Hari pertama bulan kegiatan."))
    pelibatan = models.PositiveIntegerField(default=0)
    pelibatan_verified = models.PositiveIntegerField(default=0)
    advokasi = models.PositiveIntegerField(default=0)
    advokasi_verified = models.PositiveIntegerField(default=0)
    publikasi = models.PositiveIntegerField(default=0)
    publikasi_verified = models.PositiveIntegerField(default=0)
    peningkatan = models.PositiveIntegerField(default=0)
    peningkatan_verified = models.PositiveIntegerField(default=0)
    pengunjung = models.PositiveIntegerField(default=0)
    pengunjung_verified = models.PositiveIntegerField(default=0)
    participants = models.PositiveBigIntegerField(default=0)
    participants_male = models.PositiveBigIntegerField(default=0)
    participants_female = models.PositiveBigIntegerField(default=0)
    participants_disability = models.PositiveBigIntegerField(default=0)
    visitors = models.PositiveBigIntegerField(default=0)
    visitors_male = models.PositiveBigIntegerField(default=0)
    visitors_female = models.PositiveBigIntegerField(default=0)
    # Monthly visitor reports of partners expected to report that month (active, cohort year reached):
    # received, and received by the deadline (see dashboards/rates.py). 0 or 1 in a library's cell.
    reports = models.PositiveIntegerField(default=0)
    reports_on_time = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DistrictMonth(MonthFigures):
    """A kecamatan's month; libraries registered at a kabupaten/kota or a province itself have a row under
    that region's code (`regency` is then the kabupaten/kota itself, or empty for a province)."""

    area = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    regency = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+", null=True)
    province = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("ringkasan kecamatan per bulan")
        verbose_name_plural = _("ringkasan kecamatan per bulan")
        constraints = [models.UniqueConstraint(fields=["area", "month"], name="districtmonth_unique")]
        indexes = [models.Index(fields=["regency", "month"], name="districtmonth_regency")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.month:%Y-%m}"


class RegencyMonth(MonthFigures):
    """A kabupaten/kota's month (a province's own libraries have a row under the province's code): the
    sums of its `DistrictMonth` rows."""

    area = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("ringkasan kabupaten/kota per bulan")
        verbose_name_plural = _("ringkasan kabupaten/kota per bulan")
        constraints = [models.UniqueConstraint(fields=["area", "month"], name="regencymonth_unique")]
        indexes = [
            models.Index(fields=["month"], name="regencymonth_month"),
            models.Index(fields=["province", "month"], name="regencymonth_province"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.month:%Y-%m}"


class LibraryMonth(MonthFigures):
    """A library's month, with every figure of the area rows: the most active libraries of a period are read
    from here instead of grouping a province's records, and a record write changes its area's rows by the
    difference it made to its library's cell."""

    # Its unique and covering (library, month) indexes serve the library look-ups: none on the column alone.
    library = models.ForeignKey("libraries.Library", on_delete=models.CASCADE, related_name="+", db_index=False)
    # The month's days with counted dated records: {"14": [the DAY_COLUMNS of the 14th], ...}; a write adds
    # the difference it made to a day to the kabupaten/kota's `RegencyDay`.
    days = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("ringkasan perpustakaan per bulan")
        verbose_name_plural = _("ringkasan perpustakaan per bulan")
        constraints = [models.UniqueConstraint(fields=["library", "month"], name="librarymonth_unique")]
        # Both cover the most active libraries of a period (the gathering report): an index-only scan instead
        # of reading the wide rows. A province's or kabupaten's libraries are looked up one by one in the
        # library index (East Java's year on the whole country: 112 -> 39 ms, instead of walking the
        # country's months), the nation's months in the month index. (Not the unique constraint with the
        # figures included: SQLite, which has no covering indexes, would then get no unique index at all.)
        indexes = [
            models.Index(
                fields=["month", "library"],
                include=["pelibatan", "advokasi", "publikasi"],
                name="librarymonth_month_cover",
            ),
            models.Index(
                fields=["library", "month"],
                include=["pelibatan", "advokasi", "publikasi"],
                name="librarymonth_library_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.library_id} {self.month:%Y-%m}"


class RegencyDay(models.Model):
    """A kabupaten/kota's day of dated records (community engagement, advocacy, publicity) and participants,
    keyed like `RegencyMonth` (a province's own libraries under the province's code): the days of a month
    that a period cuts are summed from here for the nation's and a province's pages."""

    area = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("tanggal"))
    pelibatan = models.PositiveIntegerField(default=0)
    pelibatan_verified = models.PositiveIntegerField(default=0)
    advokasi = models.PositiveIntegerField(default=0)
    advokasi_verified = models.PositiveIntegerField(default=0)
    publikasi = models.PositiveIntegerField(default=0)
    publikasi_verified = models.PositiveIntegerField(default=0)
    participants = models.PositiveBigIntegerField(default=0)
    participants_male = models.PositiveBigIntegerField(default=0)
    participants_female = models.PositiveBigIntegerField(default=0)
    participants_disability = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("ringkasan kabupaten/kota per hari")
        verbose_name_plural = _("ringkasan kabupaten/kota per hari")
        constraints = [models.UniqueConstraint(fields=["area", "day"], name="regencyday_unique")]
        indexes = [
            models.Index(fields=["day"], name="regencyday_day"),
            models.Index(fields=["province", "day"], name="regencyday_province"),
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.day:%Y-%m-%d}"


class ReportDeadline(models.Model):
    """One row: the deadline day (`REPORTING_DEADLINE_DAY`) the `reports_on_time` cells were counted with.

    The reporting rates read the cells only while the setting still says this day; after the setting
    changed they count from the records until `summaries_rebuild` counts the cells again.
    """

    day = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("batas hari laporan ringkasan")
        verbose_name_plural = _("batas hari laporan ringkasan")

    def __str__(self) -> str:
        return str(self.day)
