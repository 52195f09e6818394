"""The authorization matrix as data: for every page of the URL conf and every operation of the REST API,
who may use it and how its parameters are filled in and out of the persona's scope.

test_authz_matrix.py reads this module: a route or API operation without a case here fails the test, and
so does every cell (route × persona × scope) that does not answer as written here.

Slots such as {library} in paths and bodies are filled by the test from objects it creates once per module:

- in scope: things of Perpustakaan Desa Sembung (Kab. Lamongan, 35.24), which every signed-in persona
  reaches: its manager, the Lamongan facilitator, the East Java officer and the national team;
- near: the same things of Perpustakaan Desa Labruk Kidul (Kab. Lumajang, 35.08), another kabupaten of
  the same province: only the East Java officer and the national team reach them;
- out of scope: the same things of Perpustakaan Desa Belo Laut (Kab. Bangka Barat, 19.05), which only
  the national team reaches;
- things a person owns (API tokens, export jobs, uploaded import files): in = the persona's own, out =
  those of the Bangka Barat facilitator, which nobody else reaches, not even the national team.

| slot | in | near | out |
|---|---|---|---|
| {library} | Sembung's id | Labruk Kidul's id | Belo Laut's id |
| {region}, {region_flat} | 35.24, 3524 | 35.08, 3508 | 19.05, 1905 |
| {pelibatan} ... {pengunjung} | a record of that type of Sembung | of Labruk Kidul | of Belo Laut |
| {replikasi} | a replication of Kab. Lamongan | of Kab. Lumajang | of Kab. Bangka Barat |
| {photo} | a photo of Sembung's activity | of Labruk Kidul's | of Belo Laut's |
| {token} | the persona's API token | | the Bangka Barat facilitator's |
| {job} | the persona's finished export | | the Bangka Barat facilitator's |
| {import_file} | the persona's uploaded account import | | the Bangka Barat facilitator's |
| {invitation} | an open activation link of Perpustakaan Daerah Lamongan | | |
| {scheme} | the default KPI scheme | | |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PERSONAS = ("anonymous", "manager", "facilitator_3524", "province_35", "national")
# in: Sembung, Kab. Lamongan; near: Labruk Kidul, Kab. Lumajang (another kabupaten of the same province);
# out: Belo Laut, Kab. Bangka Barat (another province).
SCOPES = ("in", "near", "out")
REACHED_BY = {
    "in": frozenset({"manager", "facilitator_3524", "province_35", "national"}),
    "near": frozenset({"province_35", "national"}),
    "out": frozenset({"national"}),
}

SIGNED_IN = frozenset(PERSONAS) - {"anonymous"}
EVERYONE = frozenset(PERSONAS)
FACILITATOR_UP = frozenset({"facilitator_3524", "province_35", "national"})
PROVINCE_UP = frozenset({"province_35", "national"})
NATIONAL = frozenset({"national"})

# What a cell expects besides a bare status code.
OK = "ok"  # 2xx, or a redirect that does not lead to the sign-in page
ACCEPTED = "accepted"  # a write with a dummy body by someone allowed: anything but 401/403/404 (and never 5xx)
LOGIN = "login"  # a redirect to the sign-in page

# What "out of scope" means for a case.
NONE = "none"  # nothing scoped to fill: only the "in" cell exists
REGION = "region"  # near = Lumajang, out = Bangka Barat: 404 for whoever does not reach them (REACHED_BY)
OWNER = "owner"  # out = another person's object: 404 for everybody
PUBLIC = "public"  # out = Bangka Barat, but the data is public: answered as in scope

RECORD_TYPES = ("pelibatan", "advokasi", "publikasi", "peningkatan", "pengunjung", "replikasi")
LIBRARY_RECORD_TYPES = RECORD_TYPES[:-1]

# A manager's scope is one library, not an area: a region filter, even their own kabupaten, lies outside it.
MANAGER_REGION_FILTER: dict[tuple[str, str], int | str] = {("manager", "in"): 404}
# A replication (replikasi mandiri) belongs to a kabupaten, not to a library: outside a manager's scope.
MANAGER_NO_REPLICATION: dict[tuple[str, str], int | str] = {("manager", "in"): 404}


@dataclass(frozen=True)
class Case:
    """One way to call a route; `route` is a URL name, or "METHOD /api/v1/path" for an API operation."""

    route: str
    path: str
    allowed: frozenset[str]
    reach: str = REGION
    method: str = "GET"
    data: dict[str, Any] | None = None
    label: str = ""
    # When a denied persona asks for an object outside their scope: True when the view fetches the object
    # in scope (404) before it checks the role (403).
    fetch_first: bool = False
    overrides: dict[tuple[str, str], int | str] = field(default_factory=dict)

    @property
    def api(self) -> bool:
        return self.route.split(" ", 1)[0] in {"GET", "POST", "PUT", "PATCH", "DELETE"}

    @property
    def scopes(self) -> tuple[str, ...]:
        if self.reach == NONE:
            return ("in",)
        return ("in", "out") if self.reach == OWNER else SCOPES

    @property
    def name(self) -> str:
        return f"{self.route}[{self.label}]" if self.label else self.route

    def expected(self, persona: str, scope: str) -> int | str:
        if (persona, scope) in self.overrides:
            return self.overrides[(persona, scope)]
        allowed = OK if self.method == "GET" else ACCEPTED
        if persona not in self.allowed:
            if persona == "anonymous":
                return 401 if self.api else LOGIN
            if scope != "in" and self.fetch_first and self.reach in (REGION, OWNER):
                return 404
            return 403
        if scope == "out" and self.reach == OWNER:
            return 404
        if self.reach == REGION and persona not in REACHED_BY[scope]:
            return 404
        return allowed


def everyone_gets(status: int) -> dict[tuple[str, str], int | str]:
    """The same answer for every persona, whoever asks."""
    return {(persona, scope): status for persona in PERSONAS for scope in SCOPES}


def _pages() -> list[Case]:
    """Every named page of the URL conf outside /api/v1/."""
    return [
        Case("home", "/", SIGNED_IN, NONE),
        # The installable app's files and its offline page are the same for everyone: they hold no data.
        Case("offline:service_worker", "/sw.js", EVERYONE, NONE),
        Case("offline:manifest", "/manifest.webmanifest", EVERYONE, NONE),
        Case("offline:page", "/luring/", EVERYONE, NONE),
        # Accounts: the sign-in pages are public; a signed-in person is sent on from the sign-in page.
        Case("accounts:login", "/akun/masuk/", EVERYONE, NONE),
        # Signing out always ends on the sign-in page.
        Case("accounts:logout", "/akun/keluar/", EVERYONE, NONE, method="POST", data={}, overrides=everyone_gets(302)),
        Case("accounts:password_change", "/akun/kata-sandi/", SIGNED_IN, NONE),
        Case("accounts:password_change_done", "/akun/kata-sandi/selesai/", SIGNED_IN, NONE),
        Case("accounts:password_reset", "/akun/lupa-sandi/", EVERYONE, NONE),
        Case("accounts:password_reset_done", "/akun/lupa-sandi/terkirim/", EVERYONE, NONE),
        Case("accounts:password_reset_confirm", "/akun/lupa-sandi/MQ/tidak-sah/", EVERYONE, NONE),
        Case("accounts:password_reset_complete", "/akun/lupa-sandi/selesai/", EVERYONE, NONE),
        Case("accounts:activate", "/akun/aktivasi/{invitation}/", EVERYONE, NONE),
        Case("api_tokens:list", "/akun/token/", SIGNED_IN, NONE),
        Case("api_tokens:revoke", "/akun/token/{token}/cabut/", SIGNED_IN, OWNER, method="POST", data={}),
        # Partner registry.
        Case("libraries:list", "/mitra/?region={region}", SIGNED_IN, overrides=MANAGER_REGION_FILTER),
        Case("libraries:create", "/mitra/baru/", PROVINCE_UP, NONE),
        Case("libraries:detail", "/mitra/{library}/", SIGNED_IN),
        Case("libraries:edit", "/mitra/{library}/ubah/", FACILITATOR_UP, fetch_first=True),
        Case(
            "libraries:set_active",
            "/mitra/{library}/status/",
            PROVINCE_UP,
            method="POST",
            data={"active": "1"},
            fetch_first=True,
        ),
        Case("libraries:invite", "/mitra/{library}/undang/", FACILITATOR_UP, fetch_first=True),
        Case("libraries:onboarding", "/mitra/akun/?wilayah={region}", FACILITATOR_UP),
        Case(
            "libraries:qr_sheet", "/mitra/akun/lembar-qr/", FACILITATOR_UP, method="POST", data={"wilayah": "{region}"}
        ),
        Case("libraries:import", "/mitra/impor/", FACILITATOR_UP, NONE),
        Case("libraries:import_template", "/mitra/impor/templat/akun.csv", FACILITATOR_UP, NONE, label="akun"),
        Case("libraries:import_template", "/mitra/impor/templat/mitra.xlsx", PROVINCE_UP, NONE, label="mitra"),
        Case("libraries:import_preview", "/mitra/impor/akun/pratinjau/", FACILITATOR_UP, NONE, method="POST", data={}),
        Case(
            "libraries:import_apply",
            "/mitra/impor/akun/terapkan/",
            FACILITATOR_UP,
            OWNER,
            method="POST",
            data={"token": "{import_file}"},
        ),
        Case("regions:search", "/wilayah/cari/?q=sembung", SIGNED_IN, NONE),
        # Records and verification.
        Case("reports:list", "/laporan/?perpustakaan={library}", SIGNED_IN),
        Case("reports:list_type", "/laporan/advokasi/?region={region}", SIGNED_IN, overrides=MANAGER_REGION_FILTER),
        Case("reports:queue", "/laporan/verifikasi/", FACILITATOR_UP, NONE),
        Case("reports:queue_type", "/laporan/verifikasi/publikasi/", FACILITATOR_UP, NONE),
        Case(
            "reports:queue_bulk_verify",
            "/laporan/verifikasi/pelibatan/massal/",
            FACILITATOR_UP,
            NONE,
            method="POST",
            data={"ids": "{pelibatan}"},
        ),
        Case("reports:photo", "/laporan/foto/{photo}/thumb/", SIGNED_IN),
        Case("reports:new", "/laporan/pelibatan/baru/?perpustakaan={library}", SIGNED_IN, label="pelibatan"),
        Case("reports:new", "/laporan/replikasi/baru/", FACILITATOR_UP, NONE, label="replikasi"),
        Case("reports:detail", "/laporan/pelibatan/{pelibatan}/", SIGNED_IN, label="pelibatan"),
        Case(
            "reports:detail",
            "/laporan/replikasi/{replikasi}/",
            SIGNED_IN,
            label="replikasi",
            overrides=MANAGER_NO_REPLICATION,
        ),
        Case("reports:edit", "/laporan/pengunjung/{pengunjung}/ubah/", SIGNED_IN, label="pengunjung"),
        Case(
            "reports:edit",
            "/laporan/replikasi/{replikasi}/ubah/",
            SIGNED_IN,
            label="replikasi",
            overrides=MANAGER_NO_REPLICATION,
        ),
        *[
            Case(
                "reports:action",
                f"/laporan/{t}/{{{t}}}/verify/",
                FACILITATOR_UP,
                method="POST",
                data={},
                label=f"{t}-verify",
                fetch_first=True,
                overrides=MANAGER_NO_REPLICATION if t == "replikasi" else {},
            )
            for t in ("pelibatan", "replikasi")
        ],
        Case(
            "reports:action",
            "/laporan/advokasi/{advokasi}/withdraw/",
            SIGNED_IN,
            method="POST",
            data={},
            label="advokasi-withdraw",
        ),
        # KPI.
        Case("kpi:ranking", "/iku/?region={region}", SIGNED_IN, overrides=MANAGER_REGION_FILTER),
        Case("kpi:schemes", "/iku/skema/", NATIONAL, NONE),
        Case("kpi:scheme_new", "/iku/skema/baru/", NATIONAL, NONE),
        Case("kpi:scheme_edit", "/iku/skema/{scheme}/", NATIONAL, NONE),
        # The national audit trail of every change to shared data.
        Case("audit:list", "/audit/", NATIONAL, NONE),
        # Dashboards and reports.
        Case("dashboards:region", "/dasbor/?wilayah={region}", FACILITATOR_UP),
        Case("public:figures", "/capaian/?wilayah={region}", EVERYONE, PUBLIC),
        Case("reportcards:report_card", "/rapor/{library}/", SIGNED_IN),
        Case("reportcards:report_card_pdf", "/rapor/{library}/pdf/", SIGNED_IN),
        Case("reportcards:gathering", "/laporan-gathering/?wilayah={region}", FACILITATOR_UP),
        Case("reportcards:gathering_pdf", "/laporan-gathering/pdf/?wilayah={region}", FACILITATOR_UP),
        # Exports: every list, with the region filter of its page.
        Case(
            "exports:download",
            "/ekspor/mitra.csv?region={region}",
            SIGNED_IN,
            label="mitra",
            overrides=MANAGER_REGION_FILTER,
        ),
        *[
            Case(
                "exports:download",
                f"/ekspor/{t}.xlsx?region={{region}}",
                SIGNED_IN,
                label=t,
                overrides=MANAGER_REGION_FILTER,
            )
            for t in RECORD_TYPES
        ],
        Case(
            "exports:download",
            "/ekspor/peringkat.csv?region={region}",
            SIGNED_IN,
            label="peringkat",
            overrides=MANAGER_REGION_FILTER,
        ),
        Case("exports:download", "/ekspor/wilayah.csv?wilayah={region}", FACILITATOR_UP, label="wilayah"),
        Case("exports:job", "/ekspor/{job}/", SIGNED_IN, OWNER),
        Case("exports:job_download", "/ekspor/{job}/unduh/", SIGNED_IN, OWNER),
        # The real SIM's public endpoints and the API's own pages.
        Case("sim", "/api/pelibatan{region_flat}?tanggal_awal=01/01/2026", EVERYONE, PUBLIC),
        Case("sim_unknown", "/api/tidak-ada", frozenset(), NONE, overrides=everyone_gets(404)),
        Case("api-v1:openapi-json", "/api/v1/openapi.json", EVERYONE, NONE),
        Case("api-v1:openapi-view", "/api/v1/docs", EVERYONE, NONE),
        Case("api-v1:api-root", "/api/v1/", frozenset(), NONE, overrides=everyone_gets(404)),
    ]


def _record_payload(record_type: str) -> dict[str, Any]:
    """A body the API's schema accepts for a new record of this type (the service may still refuse it)."""
    dated = {"date": "2026-03-14", "title": "Uji matriks otorisasi"}
    monthly = {"year": 2026, "month": 5}
    return {
        "pelibatan": {**dated, "activity_field": "Pendidikan", "activity_kind": "Pelatihan", "audience": "Umum"},
        "advokasi": {**dated, "targets": ["Kepala Desa"], "outcome": "Dana"},
        "publikasi": {**dated, "media_kind": "Media Cetak", "media_name": "Radar", "link": "https://radar.example/a"},
        "peningkatan": monthly,
        "pengunjung": monthly,
        "replikasi": {"region": "{region}", "year": 2026, "funds": 1000, "funding_source": "APBD", "villages": 1},
    }[record_type]


def _record_operations(t: str) -> list[Case]:
    base = f"/api/v1/records/{t}"
    create = _record_payload(t) if t == "replikasi" else {**_record_payload(t), "library_id": "{library}"}
    # Only facilitators and above record a replication; a manager's region filter is outside their scope.
    create_allowed = FACILITATOR_UP if t == "replikasi" else SIGNED_IN
    own = MANAGER_NO_REPLICATION if t == "replikasi" else {}
    # A region is public reference data: a replication for a kabupaten outside the caller's area is refused
    # as invalid input (422 with the reason, like the web form's field error), not hidden.
    create_overrides: dict[tuple[str, str], int | str] = (
        {("facilitator_3524", "near"): 422, ("facilitator_3524", "out"): 422, ("province_35", "out"): 422}
        if t == "replikasi"
        else {}
    )
    return [
        Case(f"GET {base}", f"{base}?region={{region}}", SIGNED_IN, overrides=MANAGER_REGION_FILTER),
        Case(f"POST {base}", base, create_allowed, method="POST", data=create, overrides=create_overrides),
        Case(f"GET {base}/{{record_id}}", f"{base}/{{{t}}}", SIGNED_IN, overrides=own),
        Case(
            f"PUT {base}/{{record_id}}",
            f"{base}/{{{t}}}",
            SIGNED_IN,
            method="PUT",
            data=_record_payload(t),
            overrides=own,
        ),
        Case(
            f"POST {base}/{{record_id}}/withdraw",
            f"{base}/{{{t}}}/withdraw",
            SIGNED_IN,
            method="POST",
            data={},
            overrides=own,
        ),
        Case(
            f"POST {base}/{{record_id}}/submit",
            f"{base}/{{{t}}}/submit",
            SIGNED_IN,
            method="POST",
            data={},
            overrides=own,
        ),
        Case(
            f"POST {base}/{{record_id}}/verify",
            f"{base}/{{{t}}}/verify",
            FACILITATOR_UP,
            method="POST",
            data={},
            fetch_first=True,
            overrides=own,
        ),
        Case(
            f"POST {base}/{{record_id}}/return",
            f"{base}/{{{t}}}/return",
            FACILITATOR_UP,
            method="POST",
            data={"comment": "Foto kurang jelas"},
            fetch_first=True,
            overrides=own,
        ),
        Case(
            f"GET /api/v1/records/verification-queue/{t}",
            f"/api/v1/records/verification-queue/{t}",
            FACILITATOR_UP,
            NONE,
        ),
    ]


def _operations() -> list[Case]:
    """Every operation of the REST API v1 (GET /api/v1/openapi.json)."""
    return [
        Case("GET /api/v1/me", "/api/v1/me", SIGNED_IN, NONE),
        # Regions are public reference data, like the web region picker: any signed-in caller reads any.
        Case("GET /api/v1/regions", "/api/v1/regions?parent={region}", SIGNED_IN, PUBLIC),
        Case("GET /api/v1/regions/{code}", "/api/v1/regions/{region}", SIGNED_IN, PUBLIC),
        Case("GET /api/v1/partners", "/api/v1/partners?region={region}", SIGNED_IN),
        Case("GET /api/v1/partners/{library_id}", "/api/v1/partners/{library}", SIGNED_IN),
        *[case for t in RECORD_TYPES for case in _record_operations(t)],
        Case("GET /api/v1/kpi/libraries/{library_id}", "/api/v1/kpi/libraries/{library}", SIGNED_IN),
        Case(
            "GET /api/v1/kpi/regions", "/api/v1/kpi/regions?region={region}", SIGNED_IN, overrides=MANAGER_REGION_FILTER
        ),
        Case(
            "GET /api/v1/kpi/ranking", "/api/v1/kpi/ranking?region={region}", SIGNED_IN, overrides=MANAGER_REGION_FILTER
        ),
        Case("GET /api/v1/stats", "/api/v1/stats?region={region}", EVERYONE, PUBLIC),
    ]


def _app_cases() -> list[Case]:
    """Cases kept beside each app, in src/tpbis/<app>/tests/authz_cases.py as a list named CASES."""
    import importlib
    import pkgutil

    import tpbis

    cases: list[Case] = []
    for app in sorted(module.name for module in pkgutil.iter_modules(tpbis.__path__)):
        try:
            module = importlib.import_module(f"tpbis.{app}.tests.authz_cases")
        except ModuleNotFoundError as error:
            if error.name not in (f"tpbis.{app}.tests", f"tpbis.{app}.tests.authz_cases"):
                raise
            continue
        cases.extend(module.CASES)
    return cases


CASES: list[Case] = _pages() + _operations() + _app_cases()

# Routes checked elsewhere or not pages of this system: the Django admin (its own staff check; the test
# only checks that no persona gets past its login), the language switch and the JavaScript catalog.
SKIPPED_PREFIXES = ("admin/", "i18n/", "jsi18n/", "static/", "media/")
