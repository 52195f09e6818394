"""Route × persona × in/near/out of scope: every page of the URL conf and every REST API operation
answers each persona as authz_matrix.py says (allowed, 403 for a role too weak, 404 out of scope, 401 or
the sign-in page for anonymous), never with a 5xx; and a route or operation without an entry there fails."""

from __future__ import annotations

import json
import re
import sys
import types
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client, TestCase, override_settings
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, path

from config import urls as config_urls
from conftest import World, world_build
from tpbis.accounts.services import manager_invite
from tpbis.api.tokens import token_create
from tpbis.api.v1.base import api
from tpbis.core.tests.authz_matrix import ACCEPTED, CASES, LOGIN, OK, PERSONAS, SKIPPED_PREFIXES, Case
from tpbis.exports.models import ExportFormat, ExportJob
from tpbis.exports.services import export_run
from tpbis.exports.tests.helpers import one_of_each
from tpbis.kpi.models import Scheme
from tpbis.libraries.models import Library
from tpbis.reports.photos import photos_prepare, photos_save
from tpbis.reports.tests.test_entry import jpeg

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ACCOUNT_IMPORT_CSV = b"email,nama,peran,npp,kode_wilayah,jabatan\n"


def url_conf_routes() -> dict[str, str]:
    """Route string → URL name (namespaced) of every pattern in the URL conf."""

    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), namespace + (pattern.name or "")

    return dict(walk(get_resolver().url_patterns, "", ""))


def api_operations() -> set[str]:
    """ "METHOD /api/v1/path" of every operation in the OpenAPI schema."""
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, operations in schema["paths"].items() for method in operations}


def required_routes() -> set[str]:
    """What the matrix must cover: URL names outside the API operations, plus every API operation."""
    operations = api_operations()
    operation_paths = {op.split(" ", 1)[1] for op in operations}
    names: set[str] = set()
    for route, name in url_conf_routes().items():
        if route.startswith(SKIPPED_PREFIXES):
            continue
        as_openapi = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        if as_openapi in operation_paths:
            continue  # a ninja operation: covered, with its methods, through the OpenAPI schema
        names.add(name or route)
    return names | operations


# ---------------------------------------------------------------------------------------------- coverage


def missing_routes() -> list[str]:
    return sorted(required_routes() - {case.route for case in CASES})


def test_it_has_an_entry_for_every_route_and_api_operation(capsys: pytest.CaptureFixture[str]) -> None:
    required = required_routes()
    covered = {case.route for case in CASES}
    missing = missing_routes()
    assert not missing, "\n".join(f"Route {route} has no entry in authz_matrix.py" for route in missing)
    stale = sorted(covered - required)
    assert not stale, "\n".join(f"authz_matrix.py has an entry for {route}, which no longer exists" for route in stale)
    operations = len(api_operations())
    with capsys.disabled():
        print(
            f"\nauthorization matrix: {len(required) - operations} pages + {operations} API operations = "
            f"{len(required)} routes in {len(CASES)} cases × {len(PERSONAS)} personas × in/near/out of scope "
            f"(in only where nothing is scoped, no near for owned objects) = {len(CELLS)} cells"
        )


def test_it_notices_a_new_route_without_an_entry(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    urlconf = types.ModuleType("authz_new_route_urls")
    urlconf.urlpatterns = [*config_urls.urlpatterns, path("rahasia/", lambda request: None, name="brand_new")]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, urlconf.__name__, urlconf)
    settings.ROOT_URLCONF = urlconf.__name__
    assert missing_routes() == ["brand_new"]


# ------------------------------------------------------------------------------------------------- data


@dataclass
class Matrix:
    """The world, plus the objects each slot ({library}, {record}, ...) of authz_matrix.py names, in and out of scope."""

    world: World
    shared: dict[str, dict[str, str]]  # scope -> slot -> value
    owned: dict[str, dict[str, str]]  # persona -> slot -> value of the persona's own object
    others: dict[str, str]  # slot -> value of the Bangka Barat facilitator's object
    keys: dict[str, str]  # persona -> API token key
    sessions: dict[str, str]  # persona -> session key of a signed-in browser

    def values(self, persona: str, scope: str) -> dict[str, str]:
        owner = self.owned.get(persona, self.owned["manager"])
        return {**self.shared[scope], **(owner if scope == "in" else self.others)}


def _records(library: Library) -> dict[str, str]:
    records = one_of_each(library)
    photo = photos_save(record=records["pelibatan"], prepared=photos_prepare(files=[jpeg()]), user=None)[0]
    return {**{name: str(record.pk) for name, record in records.items()}, "photo": str(photo.pk)}


def _owned(user: Any) -> tuple[dict[str, str], str]:
    token, key = token_create(user=user, name="matriks", read_only=False)
    job = ExportJob.objects.create(user=user, kind="mitra", format=ExportFormat.CSV, language="id")
    export_run(job_id=job.pk)
    import_file = uuid.uuid4().hex + ".csv"
    default_storage.save(f"imports/{user.pk}/{import_file}", ContentFile(ACCOUNT_IMPORT_CSV))
    return {"token": str(token.pk), "job": str(job.pk), "import_file": import_file}, key


def _app_slot_builders() -> list[Any]:
    """An app whose routes need objects of its own may define `matrix_slots(world)` in its authz_cases.py,
    returning {"in"/"near"/"out": {slot: value}, persona: {slot: their own object}, "others": {...}}."""
    import importlib
    import pkgutil

    import tpbis

    builders = []
    for app in sorted(module.name for module in pkgutil.iter_modules(tpbis.__path__)):
        try:
            module = importlib.import_module(f"tpbis.{app}.tests.authz_cases")
        except ModuleNotFoundError:
            continue
        if hasattr(module, "matrix_slots"):
            builders.append(module.matrix_slots)
    return builders


def matrix_build() -> Matrix:
    world = world_build()
    common = {
        "invitation": manager_invite(library=world.lamongan_district, created_by=world.facilitator_3524).token,
        "scheme": str(Scheme.objects.order_by("pk").values_list("pk", flat=True).first()),
    }
    places = {"in": world.lamongan_village, "near": world.lumajang_village, "out": world.belo_laut}
    shared = {
        scope: {
            "library": str(library.pk),
            "region": library.regency_id or "",
            "region_flat": (library.regency_id or "").replace(".", ""),
            **_records(library),
            **common,
        }
        for scope, library in places.items()
    }
    owned: dict[str, dict[str, str]] = {}
    keys: dict[str, str] = {}
    for persona in PERSONAS[1:]:
        owned[persona], keys[persona] = _owned(getattr(world, persona))
    others, _key = _owned(world.facilitator_1905)
    for fill in _app_slot_builders():
        extra = fill(world)
        for scope, values in shared.items():
            values.update(extra.get(scope, {}))
        for persona, values in owned.items():
            values.update(extra.get(persona, {}))
        others.update(extra.get("others", {}))
    sessions = {}
    for persona in PERSONAS[1:]:
        browser = Client()
        browser.force_login(getattr(world, persona))
        sessions[persona] = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    return Matrix(world=world, shared=shared, owned=owned, others=others, keys=keys, sessions=sessions)


@pytest.fixture(scope="module")
def matrix_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("authz-media")


@pytest.fixture(scope="module")
def built(django_db_setup: None, django_db_blocker: Any, matrix_media: Path) -> Iterator[Matrix]:
    """Built once for the module inside a transaction rolled back at its end."""
    name = str(connection.settings_dict["NAME"])
    # pytest-django sets up the test database only for tests that ask for `db`: never build on a real one.
    assert name.startswith("test_") or "memory" in name, f"not a test database: {name}"
    media = override_settings(PASSWORD_HASHERS=FAST_HASHERS, MEDIA_ROOT=str(matrix_media))
    with django_db_blocker.unblock(), media, transaction.atomic():
        try:
            yield matrix_build()
        finally:
            transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _test_settings() -> None:
    """Replaces the autouse fixture of src/conftest.py: the module's settings (fast hasher, one media folder
    where the photos and files written once stay readable) hold for every cell."""


@pytest.fixture(scope="module")
def _no_foreign_key_sweep() -> Iterator[None]:
    # After each test pytest-django's `db` checks every foreign key of the database on SQLite (83,762
    # villages), which took longer than most requests here; the cells' savepoints are only rolled back.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TestCase, "_should_check_constraints", lambda self, connection: False)
        yield


@pytest.fixture
def matrix(built: Matrix, _no_foreign_key_sweep: None, db: None) -> Matrix:
    """Each cell runs in its own savepoint (`db`), so a verification or a revoked token never reaches another."""
    return built


# ------------------------------------------------------------------------------------------------ cells


CELLS = [(case, persona, scope) for case in CASES for persona in PERSONAS for scope in case.scopes]


def _fill(value: Any, values: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


# One request handler for every cell: each new one loads the middleware, and WhiteNoise's scans the
# static files (most of a cell's time otherwise).
HANDLER = ClientHandler(enforce_csrf_checks=False)


def _client(matrix: Matrix, case: Case, persona: str) -> Client:
    client = (
        Client(HTTP_AUTHORIZATION=f"Bearer {matrix.keys[persona]}") if case.api and persona in matrix.keys else Client()
    )
    client.handler = HANDLER
    if persona in matrix.sessions and not case.api:
        # The session was opened once for the module; each cell only rolls back its own changes to it.
        client.cookies[django_settings.SESSION_COOKIE_NAME] = matrix.sessions[persona]
    return client


def _send(client: Client, case: Case, path: str, data: Any) -> Any:
    if case.method == "GET":
        return client.get(path)
    if case.api:
        return client.generic(case.method, path, json.dumps(data or {}), content_type="application/json")
    return client.post(path, data or {})


def _to_login(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(resolve_url(django_settings.LOGIN_URL))


def _matches(response: Any, expected: int | str) -> bool:
    status = response.status_code
    if expected == OK:
        return 200 <= status < 300 or (300 <= status < 400 and not _to_login(response))
    if expected == ACCEPTED:
        return status not in (401, 403, 404) and status < 500 and not _to_login(response)
    if expected == LOGIN:
        return _to_login(response)
    return status == expected


@pytest.mark.parametrize(("case", "persona", "scope"), CELLS, ids=[f"{c.name}|{p}|{s}" for c, p, s in CELLS])
def test_it_answers_each_persona_as_the_matrix_says(matrix: Matrix, case: Case, persona: str, scope: str) -> None:
    values = matrix.values(persona, scope)
    path = _fill(case.path, values)
    response = _send(_client(matrix, case, persona), case, path, _fill(case.data, values))
    expected = case.expected(persona, scope)
    where = f"{case.method} {path} as {persona} ({scope} of scope)"
    assert response.status_code < 500, f"{where}: server error {response.status_code}"
    location = f" → {response['Location']}" if response.status_code in (301, 302) else ""
    assert _matches(response, expected), f"{where}: expected {expected}, got {response.status_code}{location}"


# ------------------------------------------------------------------------------------------------ admin


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_sends_every_persona_to_the_admin_login(matrix: Matrix, persona: str) -> None:
    # Django's admin has its own staff check; none of the personas is staff, so none gets past its login.
    client = Client()
    client.handler = HANDLER
    if persona in matrix.sessions:
        client.cookies[django_settings.SESSION_COOKIE_NAME] = matrix.sessions[persona]
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
