"""What a signed-in user may see and do, resolved once per request from their memberships."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from tpbis.accounts.models import ROLE_RANK, Membership, Role, User


@dataclass(frozen=True)
class Scope:
    """The regions and libraries a user covers, and their role over each."""

    national: bool = False
    provinces: frozenset[str] = field(default_factory=frozenset)
    regencies: frozenset[str] = field(default_factory=frozenset)
    libraries: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_empty(self) -> bool:
        return not (self.national or self.provinces or self.regencies or self.libraries)

    @property
    def highest_role(self) -> str | None:
        if self.national:
            return Role.NATIONAL
        if self.provinces:
            return Role.PROVINCE
        if self.regencies:
            return Role.FACILITATOR
        if self.libraries:
            return Role.MANAGER
        return None

    def library_filter(self, prefix: str = "") -> Q:
        """A Q selecting the libraries in scope; `prefix` reaches them through a relation ("library__")."""
        if self.national:
            return Q()
        q = Q(pk__in=[]) if not prefix else Q(**{f"{prefix}pk__in": []})
        if self.provinces:
            q |= Q(**{f"{prefix}province_id__in": sorted(self.provinces)})
        if self.regencies:
            q |= Q(**{f"{prefix}regency_id__in": sorted(self.regencies)})
        if self.libraries:
            q |= Q(**{f"{prefix}pk__in": sorted(self.libraries)})
        return q

    def region_filter(self) -> Q:
        """A Q over Region rows: the regions this user may browse (their areas and everything below)."""
        if self.national:
            return Q()
        q = Q(code__in=[])
        for code in self.provinces | self.regencies:
            q |= Q(code=code) | Q(code__startswith=code + ".")
        return q

    def role_for_region(self, code: str) -> str | None:
        """The strongest role over a region (a library's region, or a region being browsed)."""
        if self.national:
            return Role.NATIONAL
        if code[:2] in self.provinces:
            return Role.PROVINCE
        if len(code) >= 5 and code[:5] in self.regencies:
            return Role.FACILITATOR
        return None

    def role_for_library(self, *, library_id: int, region_code: str) -> str | None:
        role = self.role_for_region(region_code)
        if role is None and library_id in self.libraries:
            return Role.MANAGER
        return role

    def covers_region(self, code: str) -> bool:
        return self.role_for_region(code) is not None

    @staticmethod
    def at_least(role: str | None, minimum: str) -> bool:
        return role is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


EMPTY_SCOPE = Scope()


def scope_for_user(user: User | AnonymousUser) -> Scope:
    """Resolve the user's memberships into a Scope (one query)."""
    if not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    national = False
    provinces: set[str] = set()
    regencies: set[str] = set()
    libraries: set[int] = set()
    rows = Membership.objects.filter(user_id=user.pk).values_list("role", "region_id", "library_id")
    for role, region_id, library_id in rows:
        if role == Role.NATIONAL:
            national = True
        elif role == Role.PROVINCE and region_id:
            provinces.add(region_id)
        elif role == Role.FACILITATOR and region_id:
            regencies.add(region_id)
        elif role == Role.MANAGER and library_id:
            libraries.add(library_id)
    return Scope(
        national=national,
        provinces=frozenset(provinces),
        regencies=frozenset(regencies),
        libraries=frozenset(libraries),
    )
