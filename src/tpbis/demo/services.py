"""Demo data: partner libraries in Jawa Timur and Kepulauan Bangka Belitung, and one login per role.

The figures follow the seeds (see docs in /work/shared/DOMAIN.md): about 70% of East Java's partners
have no SIM account, Bangka Belitung's twelve green libraries report actively. Everything is placed on
real Kemendagri codes, and the random part is seeded so every machine gets the same demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from tpbis.accounts.models import Membership, Role, Title, User
from tpbis.accounts.services import manager_invite
from tpbis.core.text import fold
from tpbis.demo.records import demo_records_load
from tpbis.libraries.models import Library, LibraryKind, Support
from tpbis.libraries.services import library_create, library_set_active
from tpbis.practices.demo import practices_demo_load
from tpbis.profiles.demo import profiles_demo_load
from tpbis.regions.models import Kind, Level, Region

DEMO_DOMAIN = "demo.sim-tpbis.id"
DEFAULT_PASSWORD = "tpbis-demo"
NATIONAL_EMAIL = f"nasional@{DEMO_DOMAIN}"
SEED = 2024


class DemoDataError(Exception):
    """The region table does not hold a village the demo relies on."""


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    scope: str


@dataclass(frozen=True)
class DemoResult:
    libraries: int
    users: int
    invitations: int
    records: int


# (kabupaten code, village name, code the seeds give): the name is looked up inside its kabupaten
# and must land on the seeds' code, so a renamed or re-coded village fails loudly instead of drifting.
SEED_VILLAGES: tuple[tuple[str, str, str], ...] = (
    ("19.06", "Cendil", "19.06.04.2003"),
    ("19.01", "Sempan", "19.01.05.2004"),
    ("19.05", "Air Belo", "19.05.01.2005"),
    ("19.05", "Belo Laut", "19.05.01.2006"),
    ("19.05", "Teluk Limau", "19.05.06.2010"),
    ("19.05", "Rambat", "19.05.02.2007"),
    ("19.05", "Bukit Terak", "19.05.02.2012"),
    ("19.05", "Ranggi Asam", "19.05.03.2008"),
    ("19.05", "Ketap", "19.05.03.2009"),
    ("19.05", "Benteng Kota", "19.05.05.2006"),
    ("19.05", "Sekar Biru", "19.05.06.2001"),
    ("19.05", "Puput", "19.05.06.2005"),
    ("19.03", "Tanjung Labu", "19.03.02.2001"),
    ("35.08", "Labruk Kidul", "35.08.21.2004"),
    ("35.05", "Klemunan", "35.05.17.1006"),
)
# The twelve village libraries green with score 100 at the Bangka Belitung gathering (September 2024).
GREEN_BABEL = {row[2] for row in SEED_VILLAGES if row[2].startswith("19.") and row[2] != "19.03.02.2001"}

PROVINCIAL_LIBRARIES = (
    ("35", "Dinas Perpustakaan dan Kearsipan Provinsi Jawa Timur", 2018),
    ("19", "Dinas Perpustakaan dan Kearsipan Provinsi Kepulauan Bangka Belitung", 2018),
)
REGENCY_LIBRARIES = (
    ("35.24", "Perpustakaan Daerah Lamongan", 2019),
    ("19.05", "Dinas Perpustakaan dan Kearsipan Kabupaten Bangka Barat", 2019),
    ("19.06", "Dinas Perpustakaan dan Kearsipan Kabupaten Belitung Timur", 2020),
    ("35.08", "Dinas Perpustakaan dan Kearsipan Kabupaten Lumajang", 2019),
    ("35.05", "Dinas Perpustakaan dan Kearsipan Kabupaten Blitar", 2020),
    ("35.72", "Dinas Perpustakaan Kota Blitar", 2021),
    ("35.13", "Dinas Perpustakaan dan Kearsipan Kabupaten Probolinggo", 2018),
)
# How many generated partners each kabupaten/kota gets on top of the named ones.
GENERATED_PER_REGENCY = {
    "35.24": 42,
    "35.08": 24,
    "35.05": 22,
    "35.72": 8,
    "35.13": 34,
    "19.05": 18,
    "19.06": 12,
    "19.01": 16,
    "19.03": 12,
}
# Share of partners (none, invited): the rest is activated. East Java's 70% comes from its gathering.
ACCOUNT_SHARES = {"35": (0.70, 0.12), "19": (0.35, 0.20)}

TBM_WORDS = ("Cahaya", "Pelangi", "Tunas Harapan", "Bina Ilmu", "Sinar", "Mutiara", "Jendela Dunia", "Lentera")
FIRST_NAMES = (
    "Siti",
    "Nur",
    "Dewi",
    "Sri",
    "Ahmad",
    "Muhammad",
    "Agus",
    "Budi",
    "Rina",
    "Eko",
    "Yuni",
    "Hendra",
    "Wahyu",
    "Lestari",
    "Fitri",
    "Rudi",
)
LAST_NAMES = (
    "Rahayu",
    "Wulandari",
    "Santoso",
    "Hidayat",
    "Setiawan",
    "Kurniawati",
    "Saputra",
    "Handayani",
    "Prasetyo",
    "Maulana",
    "Susanti",
    "Firmansyah",
)


def demo_is_loaded() -> bool:
    """The demo is loaded as a whole (one transaction), so its national user marks it."""
    return User.objects.filter(email=NATIONAL_EMAIL).exists()


def demo_logins() -> list[DemoLogin]:
    """One login per role, as the demo creates them (all share the demo password)."""
    return [
        DemoLogin(NATIONAL_EMAIL, str(Role.NATIONAL.label), _("Nasional (juga admin Django)")),
        DemoLogin(f"provinsi.jatim@{DEMO_DOMAIN}", str(Role.PROVINCE.label), _("Jawa Timur (PIC Provinsi)")),
        DemoLogin(
            f"konsultan@{DEMO_DOMAIN}",
            str(Role.PROVINCE.label),
            _("Jawa Timur dan Kep. Bangka Belitung (Konsultan Pendamping)"),
        ),
        DemoLogin(f"fasda.lamongan@{DEMO_DOMAIN}", str(Role.FACILITATOR.label), _("Kab. Lamongan (Fasda)")),
        DemoLogin(f"pic.bangkabarat@{DEMO_DOMAIN}", str(Role.FACILITATOR.label), _("Kab. Bangka Barat (PIC)")),
        DemoLogin(f"pengelola.belolaut@{DEMO_DOMAIN}", str(Role.MANAGER.label), "Perpustakaan Desa Belo Laut"),
    ]


def demo_load(*, password: str = DEFAULT_PASSWORD) -> DemoResult:
    """Create the demo libraries, their managers, the demo logins and their records, in one transaction."""
    # Invitation emails are queued on commit; the demo addresses are fictitious, so drop them
    # instead of flooding the console backend with a hundred activation mails.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
        return _Loader(password=password).run()


class _Loader:
    def __init__(self, *, password: str) -> None:
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        # Hashing once: the default hasher takes a noticeable fraction of a second per call, and every
        # demo login shares the same password anyway.
        self.password_hash = make_password(password)
        self.emails: set[str] = set()
        self.invitations = 0
        self.users = 0

    def run(self) -> DemoResult:
        named = self._named_libraries()
        generated = self._generated_libraries(taken={lib.region_id for lib in named})
        libraries = named + generated
        national = self._staff_users()
        green = [lib for lib in named if lib.region_id in GREEN_BABEL]
        for library in green:
            self._activated_manager(library=library, email=self._manager_email(library))
        self._assign_accounts(libraries=libraries, fixed={lib.pk for lib in green}, invited_by=national)
        records = demo_records_load(rng=self.rng, domain=DEMO_DOMAIN, green_regions=GREEN_BABEL)
        practices_demo_load(reviewer=User.objects.get(email=f"provinsi.jatim@{DEMO_DOMAIN}"))
        profiles_demo_load(rng=self.rng, actor=national)
        return DemoResult(libraries=len(libraries), users=self.users, invitations=self.invitations, records=records)

    def _named_libraries(self) -> list[Library]:
        areas = Region.objects.in_bulk([row[0] for row in PROVINCIAL_LIBRARIES + REGENCY_LIBRARIES])
        libraries = []
        for code, name, year in PROVINCIAL_LIBRARIES:
            libraries.append(self._library(name=name, kind=LibraryKind.PROVINCE, region=areas[code], cohort_year=year))
        for code, name, year in REGENCY_LIBRARIES:
            libraries.append(self._library(name=name, kind=LibraryKind.REGENCY, region=areas[code], cohort_year=year))
        for regency, village_name, expected in SEED_VILLAGES:
            village = _village_in(regency=regency, name=village_name)
            if village.code != expected:
                raise DemoDataError(f"{village_name} in {regency} is {village.code}, expected {expected}")
            libraries.append(
                self._library(
                    name=_village_library_name(village),
                    kind=LibraryKind.VILLAGE,
                    region=village,
                    # Bangka Belitung's partners named in the seeds are full-support villages.
                    support=Support.FULL if village.province_code == "19" else None,
                    npp=village.undotted_code + "0001" if village.code in GREEN_BABEL else None,
                )
            )
        return libraries

    def _generated_libraries(self, *, taken: set[str]) -> list[Library]:
        libraries = []
        for regency, count in GENERATED_PER_REGENCY.items():
            villages = [
                v
                for v in Region.objects.filter(level=Level.VILLAGE, code__startswith=regency + ".").order_by("code")
                if v.code not in taken
            ]
            for village in self.rng.sample(villages, count):
                taken.add(village.code)
                is_tbm = self.rng.random() < 0.15
                name = f"TBM {self.rng.choice(TBM_WORDS)} {village.name}" if is_tbm else _village_library_name(village)
                library = self._library(
                    name=name,
                    kind=LibraryKind.TBM if is_tbm else LibraryKind.VILLAGE,
                    region=village,
                    npp=village.undotted_code + f"{self.rng.randint(2, 9999):04d}" if self.rng.random() < 0.3 else None,
                    is_active=self.rng.random() >= 0.04,
                )
                libraries.append(library)
        return libraries

    def _library(
        self,
        *,
        name: str,
        kind: str,
        region: Region,
        cohort_year: int | None = None,
        support: str | None = None,
        npp: str | None = None,
        is_active: bool = True,
    ) -> Library:
        rng = self.rng
        support = support or rng.choices([Support.FULL, Support.BOOKS, Support.REPLICATION], weights=[45, 25, 30])[0]
        has_contact = rng.random() < 0.55
        library = library_create(
            name=name,
            kind=kind,
            region=region,
            support=support,
            funding_source=rng.choice(["APBD Kabupaten/Kota", "APBDes"]) if support == Support.REPLICATION else "",
            cohort_year=cohort_year or rng.randint(2018, 2025),
            npp=npp,
            contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}" if has_contact else "",
            contact_phone=f"08{rng.randint(11, 59)}{rng.randint(10_000_000, 99_999_999)}" if has_contact else "",
        )
        if not is_active:
            library_set_active(library=library, active=False)
        return library

    def _staff_users(self) -> User:
        national = self._user(email=NATIONAL_EMAIL, full_name="Tim Nasional Perpusnas", admin=True)
        Membership.objects.create(user=national, role=Role.NATIONAL)
        memberships = (
            (f"provinsi.jatim@{DEMO_DOMAIN}", "PIC Provinsi Jawa Timur", Role.PROVINCE, ["35"], Title.PIC_PROVINCE),
            (f"konsultan@{DEMO_DOMAIN}", "Konsultan Pendamping", Role.PROVINCE, ["35", "19"], Title.CONSULTANT),
            (f"fasda.lamongan@{DEMO_DOMAIN}", "Fasda Lamongan", Role.FACILITATOR, ["35.24"], Title.FASDA),
            (f"pic.bangkabarat@{DEMO_DOMAIN}", "PIC Bangka Barat", Role.FACILITATOR, ["19.05"], Title.PIC),
        )
        for email, full_name, role, regions, title in memberships:
            user = self._user(email=email, full_name=full_name)
            for region in regions:
                Membership.objects.create(user=user, role=role, region_id=region, title=title)
        return national

    def _user(self, *, email: str, full_name: str, admin: bool = False, last_login_days: int | None = None) -> User:
        last_login = None
        if last_login_days is not None:
            last_login = self.now - timedelta(days=last_login_days, hours=self.rng.randint(0, 23))
        user = User.objects.create(
            email=email,
            password=self.password_hash,
            full_name=full_name,
            is_staff=admin,
            is_superuser=admin,
            last_login=last_login,
        )
        self.emails.add(email)
        self.users += 1
        return user

    def _activated_manager(self, *, library: Library, email: str) -> None:
        user = self._user(
            email=email,
            full_name=library.contact_name or f"Pengelola {library.name}",
            last_login_days=self.rng.randint(0, 60),
        )
        Membership.objects.create(user=user, role=Role.MANAGER, library=library)

    def _invited_manager(self, *, library: Library, email: str, invited_by: User) -> None:
        # The account is created when its owner follows the emailed link (invitations never make accounts).
        manager_invite(library=library, created_by=invited_by, email=email, name=library.contact_name)
        self.invitations += 1

    def _manager_email(self, library: Library) -> str:
        if library.kind in (LibraryKind.PROVINCE, LibraryKind.REGENCY):
            local = "pengelola.perpusda" + library.region_id.replace(".", "")
        else:
            base = slugify(library.name.removeprefix("Perpustakaan ").removeprefix("Desa ").removeprefix("Kelurahan "))
            local = "pengelola." + base.replace("-", "")
        if f"{local}@{DEMO_DOMAIN}" in self.emails:
            # Village names repeat across kabupaten; the code keeps the address unique.
            local += library.region_id.replace(".", "")
        return f"{local}@{DEMO_DOMAIN}"

    def _assign_accounts(self, *, libraries: list[Library], fixed: set[int], invited_by: User) -> None:
        """Give exact shares per province of partners without account, invited and activated."""
        for province, (none_share, invited_share) in ACCOUNT_SHARES.items():
            in_province = [lib for lib in libraries if lib.province_id == province]
            pool = [lib for lib in in_province if lib.pk not in fixed]
            self.rng.shuffle(pool)
            n_none = round(none_share * len(in_province))
            n_invited = round(invited_share * len(in_province))
            for library in pool[n_none : n_none + n_invited]:
                email = self._manager_email(library)
                self.emails.add(email)
                self._invited_manager(library=library, email=email, invited_by=invited_by)
            for library in pool[n_none + n_invited :]:
                self._activated_manager(library=library, email=self._manager_email(library))


def _village_in(*, regency: str, name: str) -> Region:
    """The village of that name inside one kabupaten/kota (names repeat across the country)."""
    matches = list(Region.objects.filter(level=Level.VILLAGE, code__startswith=regency + ".", search_name=fold(name)))
    if len(matches) != 1:
        raise DemoDataError(f"{len(matches)} villages named {name!r} in {regency}; run load_regions first")
    return matches[0]


def _village_library_name(village: Region) -> str:
    prefix = "Perpustakaan Kelurahan" if village.kind == Kind.KELURAHAN else "Perpustakaan Desa"
    return f"{prefix} {village.name}"
