"""Request and response bodies of the REST API v1 (field names are our model's, in English)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import BeforeValidator

from tpbis.reports.rules import MAX_PHOTOS

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(value: object) -> object:
    # pydantic would read `0` or `1700000000` as a Unix time (1 January 1970): only YYYY-MM-DD is a date.
    if isinstance(value, dt.date) or (isinstance(value, str) and ISO_DATE.fullmatch(value)):
        return value
    raise ValueError(_("Tanggal harus berformat YYYY-MM-DD, mis. 2024-01-31."))


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]

PhotoId = Annotated[int, Field(ge=1, le=2**53)]
STAGED_PHOTOS = (
    "Ids of photos the web entry form kept on the server when it came back with an error (its `staged_photos` "
    "fields), added after `photos`; they count toward the 1–3 (or 0–3). Only the sender's own, attached for "
    "this library in the last 2 days and not yet used: any other id refuses the whole entry (422)."
)


class Me(Schema):
    id: int
    email: str
    full_name: str
    role: str | None
    national: bool
    provinces: list[str]
    regencies: list[str]
    libraries: list[int]
    token_read_only: bool | None = None


class RegionOut(Schema):
    code: str
    name: str
    short_name: str
    level: int
    kind: str
    parent: str | None


class PartnerOut(Schema):
    id: int
    name: str
    kind: str
    region: str
    region_name: str
    province: str
    regency: str | None
    support: str
    funding_source: str
    cohort_year: int
    npp: str | None
    is_active: bool


class LibraryRef(Schema):
    id: int
    name: str


class RecordBase(Schema):
    """What every record shows besides its own fields."""

    id: int
    type: str
    client_id: uuid.UUID
    status: str
    status_label: str
    return_comment: str
    input_date: dt.date | None
    origin: str
    verified_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    version: str = Field(
        description="Opaque; send it back unchanged as `version` with an edit so that it is refused (409 "
        "stale_version) when the record changed meanwhile."
    )
    photos: list[str] = []
    photo_ids: list[int] = Field(
        [], description="Ids of the photos stored here, in the order of `photos`; for `remove_photos` on update."
    )


class LibraryRecordBase(RecordBase):
    library: LibraryRef


# --- per type: the fields a person enters (create and update), and the record as answered ---------


DRAFT_FIELD = "Required to send; may be left out of a draft (`submit: false`)."


class EngagementFields(Schema):
    # Required to send, checked by the web form's own rules (as is everything else); a draft may lack them.
    date: dt.date | None = Field(None, description=DRAFT_FIELD)
    title: str | None = Field(None, max_length=300, description=DRAFT_FIELD)
    activity_field: str | None = Field(None, description=DRAFT_FIELD)
    activity_kind: str | None = Field(None, description=DRAFT_FIELD)
    audience: str | None = Field(None, description=DRAFT_FIELD)
    participants: int | None = Field(None, ge=0, le=2_000_000_000)
    participants_male: int | None = Field(None, ge=0, le=2_000_000_000)
    participants_female: int | None = Field(None, ge=0, le=2_000_000_000)
    participants_disability: int | None = Field(None, ge=0, le=2_000_000_000)
    story: str = ""
    photos: list[str] = Field(
        [], description="1–3 photos as base64 (or data: URLs) of JPEG, PNG, WebP or HEIC; a draft may have none."
    )
    staged_photos: list[PhotoId] = Field([], max_length=MAX_PHOTOS, description=STAGED_PHOTOS)


class AdvocacyFields(Schema):
    date: dt.date | None = Field(None, description=DRAFT_FIELD)
    title: str | None = Field(None, max_length=300, description=DRAFT_FIELD)
    targets: list[str] | None = Field(None, description=DRAFT_FIELD)
    outcome: str | None = Field(None, description="Dana, NonDana or Regulasi. " + DRAFT_FIELD)
    amount: int | None = Field(None, ge=0, le=9_000_000_000_000_000)
    resource_persons: int | None = Field(None, ge=0, le=2_000_000_000)
    goods: int | None = Field(None, ge=0, le=2_000_000_000)
    regulation_kind: str = ""
    regulation_date: dt.date | None = None
    photos: list[str] = Field([], description="Up to 3 photos as base64.")
    staged_photos: list[PhotoId] = Field([], max_length=MAX_PHOTOS, description=STAGED_PHOTOS)


class PublicityFields(Schema):
    date: dt.date | None = Field(None, description=DRAFT_FIELD)
    title: str | None = Field(None, max_length=300, description=DRAFT_FIELD)
    media_kind: str | None = Field(None, description=DRAFT_FIELD)
    media_name: str | None = Field(None, max_length=150, description=DRAFT_FIELD)
    link: str | None = Field(None, max_length=1000, description=DRAFT_FIELD)


class InformationServiceFields(Schema):
    year: int = Field(..., ge=2000, le=2100)
    month: int = Field(..., ge=1, le=12)
    books: int = Field(0, ge=0, le=2_000_000_000)
    digital_books: int = Field(0, ge=0, le=2_000_000_000)
    computers: int = Field(0, ge=0, le=2_000_000_000)
    bandwidth: Decimal = Field(Decimal(0), ge=0, lt=1_000_000, decimal_places=2)


class VisitorsFields(Schema):
    year: int = Field(..., ge=2000, le=2100)
    month: int = Field(..., ge=1, le=12)
    male: int = Field(0, ge=0, le=1_000_000_000)
    female: int = Field(0, ge=0, le=1_000_000_000)


class ReplicationFields(Schema):
    region: str = Field(..., description="Province or kabupaten/kota code, dotted or not (35, 35.13, 3513)")
    year: int = Field(..., ge=2000, le=2100)
    funds: int = Field(..., ge=1, le=9_000_000_000_000_000)
    funding_source: str
    villages: int = Field(..., ge=0, le=2_000_000_000)


class CreateExtras(Schema):
    """Fields of a new record only."""

    client_id: uuid.UUID | None = Field(
        None, description="Generated by the client; sending the same id again returns the saved record (200)."
    )
    confirm_duplicate: bool = Field(False, description="Save although a very similar record exists that day.")
    submit: bool = Field(
        True,
        description=(
            "false saves a draft instead of sending it for verification (pelibatan, advokasi, publikasi): "
            "checked as the web form checks a draft, so fields and photos may still be missing."
        ),
    )


class PhotoUpdateExtras(Schema):
    """Fields of a correction to a record with photos."""

    remove_photos: list[PhotoId] = Field(
        [],
        max_length=MAX_PHOTOS,
        description=(
            "Ids (from `photo_ids`) of this record's photos to remove in the same correction; the photos that "
            "remain plus those in `photos` must still respect the type's 1–3 (or 0–3) rule. Not for verified records."
        ),
    )


class VersionExtras(Schema):
    """Field of any correction."""

    version: str | None = Field(
        None,
        max_length=64,
        description=(
            "The `version` of the record the correction was made on. When the record changed since (verified, "
            "returned, edited), nothing is saved: 409 with code stale_version, `current` and `yours`. Without it "
            "the correction applies to the record as it is."
        ),
    )


class DraftUpdateExtras(Schema):
    """Fields of a correction to a record type that can be a draft."""

    submit: bool = Field(
        False,
        description=(
            "Only for a draft: true sends it for verification, with every check of a record sent (the form's "
            "*Kirim laporan*); false keeps it a draft, saved with what is filled in (*Simpan sebagai draf*). "
            "A correction of a record that is not a draft goes to verification either way."
        ),
    )
    confirm_duplicate: bool = Field(
        False, description="Sending a draft: send it although a very similar record exists that day."
    )


class EngagementUpdate(EngagementFields, PhotoUpdateExtras, VersionExtras, DraftUpdateExtras):
    pass


class AdvocacyUpdate(AdvocacyFields, PhotoUpdateExtras, VersionExtras, DraftUpdateExtras):
    pass


class PublicityUpdate(PublicityFields, VersionExtras, DraftUpdateExtras):
    pass


class InformationServiceUpdate(InformationServiceFields, VersionExtras):
    pass


class VisitorsUpdate(VisitorsFields, VersionExtras):
    pass


class ReplicationUpdate(ReplicationFields, VersionExtras):
    pass


class EngagementCreate(EngagementFields, CreateExtras):
    library_id: int


class AdvocacyCreate(AdvocacyFields, CreateExtras):
    library_id: int


class PublicityCreate(PublicityFields, CreateExtras):
    library_id: int


class InformationServiceCreate(InformationServiceFields, CreateExtras):
    library_id: int


class VisitorsCreate(VisitorsFields, CreateExtras):
    library_id: int


class ReplicationCreate(ReplicationFields, CreateExtras):
    pass


class EngagementOut(LibraryRecordBase):
    date: dt.date | None
    date_unknown: bool
    title: str
    activity_field: str
    activity_kind: str
    audience: str
    participants: int | None = Field(description="null only on a draft that does not say it yet.")
    participants_male: int | None
    participants_female: int | None
    participants_disability: int | None
    story: str


class AdvocacyOut(LibraryRecordBase):
    date: dt.date | None
    date_unknown: bool
    title: str
    targets: list[str]
    outcome: str
    amount: int
    resource_persons: int
    goods: int
    regulation_kind: str
    regulation_date: dt.date | None


class PublicityOut(LibraryRecordBase):
    date: dt.date | None
    title: str
    media_kind: str
    media_name: str
    link: str


class InformationServiceOut(LibraryRecordBase):
    year: int
    month: int
    books: int
    digital_books: int
    computers: int
    bandwidth: float


class VisitorsOut(LibraryRecordBase):
    year: int
    month: int
    male: int
    female: int
    total: int


class ReplicationOut(RecordBase):
    region: RegionOut
    year: int
    funds: int
    funding_source: str
    villages: int


class ReturnIn(Schema):
    comment: str = Field(..., max_length=1000)


class WithdrawIn(Schema):
    comment: str = Field("", max_length=1000)


class StatsRegion(Schema):
    code: str | None = Field(description="Kode wilayah; null untuk Indonesia.")
    name: str


class StatsPeriod(Schema):
    start: str = Field(description="YYYY-MM-DD")
    end: str = Field(description="YYYY-MM-DD")


class StatsPartners(Schema):
    total: int
    by_kind: dict[str, int]
    by_support: dict[str, int]
    without_account: int
    without_account_pct: float


class StatsRecordCounts(Schema):
    submitted: int = Field(description="Dikirim atau terverifikasi.")
    verified: int


class StatsParticipants(Schema):
    total: int
    male: int
    female: int
    disability: int


class StatsKpi(Schema):
    as_of: str = Field(description="YYYY-MM-DD")
    hijau: int
    kuning: int
    merah: int
    belum_dinilai: int


class StatsGreen(Schema):
    library: str
    region_code: str
    score: int | float | None


class StatsOut(Schema):
    """A region's figures for a period (`GET /api/v1/stats`), counted as on the dashboards."""

    region: StatsRegion
    period: StatsPeriod
    partners: StatsPartners
    records: dict[str, StatsRecordCounts] = Field(
        description="Per jenis laporan: pelibatan, advokasi, publikasi, peningkatan, pengunjung."
    )
    participants: StatsParticipants
    kpi: StatsKpi
    green_100: list[StatsGreen]
    reporting_rate: float | None = Field(
        description=(
            "Laporan pengunjung bulanan yang masuk, dalam persen dari yang diharapkan (satu desimal); null bila "
            "tidak ada yang diharapkan. Diharapkan: satu laporan per mitra aktif per bulan yang tercakup penuh "
            "dalam periode dan sudah berakhir, sejak tahun angkatan mitra."
        )
    )
    reporting_rate_on_time: float | None = Field(
        description=(
            "Laporan pengunjung yang masuk tepat waktu (tanggal input paling lambat tanggal REPORTING_DEADLINE_DAY, "
            "bawaan 10, bulan berikutnya), dalam persen dari yang diharapkan; null bila tidak ada yang diharapkan."
        )
    )
    reports_expected: int = Field(description="Laporan pengunjung bulanan yang diharapkan (mitra × bulan).")
    reports_received: int = Field(description="Laporan yang diharapkan dan masuk (dikirim atau terverifikasi).")
    reports_on_time: int = Field(description="Laporan yang masuk tepat waktu.")
