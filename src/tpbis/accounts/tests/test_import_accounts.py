"""Bulk import of accounts: invited managers, facilitators and officers, with the importer's reach checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from conftest import World
from tpbis.accounts.imports import account_import
from tpbis.accounts.models import Invitation, Membership, Role, Title, User
from tpbis.accounts.scope import Scope, scope_for_user
from tpbis.audit.models import AuditEvent
from tpbis.core.tabular import ImportReport
from tpbis.libraries.models import AccountStatus, Library
from tpbis.libraries.selectors import with_account_status

NATION = Scope(national=True)
HEADER = "email,nama,peran,npp,kode_wilayah,jabatan"
BELO_LAUT_MANAGER = "ani@example.id,Ani Lestari,pengelola,1905012006,,"


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *rows]).encode()


def run(
    content: bytes, *, scope: Scope = NATION, dry_run: bool = False, capture: Any = None, created_by: Any = None
) -> ImportReport:
    if capture is None:
        return account_import(content=content, filename="akun.csv", scope=scope, created_by=created_by, dry_run=dry_run)
    with capture(execute=True):
        return account_import(content=content, filename="akun.csv", scope=scope, created_by=created_by, dry_run=dry_run)


def errors_of(report: ImportReport) -> list[tuple[int | None, str]]:
    return [(e.line, e.column) for e in report.errors]


def status_of(library: Library) -> str:
    return with_account_status(Library.objects.filter(pk=library.pk)).get().account_status  # type: ignore[attr-defined, no-any-return]


def test_it_creates_an_invited_manager_and_emails_the_link(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    assert status_of(world.belo_laut) == AccountStatus.NONE
    report = run(csv_bytes(BELO_LAUT_MANAGER), capture=django_capture_on_commit_callbacks, created_by=world.national)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (1, 0, 0)
    user = User.objects.get(email="ani@example.id")
    assert (user.full_name, user.has_usable_password(), user.last_login) == ("Ani Lestari", False, None)
    assert Membership.objects.filter(user=user, role=Role.MANAGER, library=world.belo_laut).exists()
    assert status_of(world.belo_laut) == AccountStatus.INVITED
    invitation = Invitation.objects.get(user=user)
    assert invitation.created_by == world.national and invitation.is_usable
    assert [m.to for m in mail.outbox] == [["ani@example.id"]]


def test_it_writes_and_sends_nothing_in_a_dry_run(world: World, django_capture_on_commit_callbacks: Any) -> None:
    report = run(csv_bytes(BELO_LAUT_MANAGER), dry_run=True, capture=django_capture_on_commit_callbacks)
    assert (report.ok, report.created, report.applied) == (True, 1, False)
    assert not User.objects.filter(email="ani@example.id").exists()
    assert mail.outbox == []


def test_it_changes_nothing_and_invites_nobody_twice_on_reimport(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    content = csv_bytes(BELO_LAUT_MANAGER, "Budi@Example.id,Budi,fasilitator,,3524,Fasda")
    run(content, capture=django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    report = run(content, capture=django_capture_on_commit_callbacks)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    assert report.summary() == "dibuat 0, diperbarui 0, tidak berubah 2"
    assert len(mail.outbox) == 2
    assert Invitation.objects.filter(user__email__in=["ani@example.id", "budi@example.id"]).count() == 2


def test_it_offers_an_existing_account_the_role_instead_of_adding_it(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    row = "lamongan@example.id,,pengelola,1905012006,,"
    report = run(csv_bytes(row), capture=django_capture_on_commit_callbacks)
    # Reads exactly like a new address: the importer learns nothing about who has an account.
    assert (report.created, report.updated) == (1, 0)
    assert report.actions[0].detail == "diundang: tautan dikirim ke email"
    assert not Membership.objects.filter(user=world.facilitator_3524, library=world.belo_laut).exists()
    offer = Invitation.objects.get(user=world.facilitator_3524)
    assert (offer.role, offer.library, offer.new_account) == (Role.MANAGER, world.belo_laut, False)
    assert [m.to for m in mail.outbox] == [["lamongan@example.id"]]
    assert "masuk dengan kata sandi Anda" in mail.outbox[0].body
    # A second import offers nothing twice.
    again = run(csv_bytes(row), capture=django_capture_on_commit_callbacks)
    assert (again.created, again.unchanged) == (0, 1)
    assert Invitation.objects.filter(user=world.facilitator_3524).count() == 1


def test_it_reads_the_same_for_a_new_and_an_existing_address(world: World) -> None:
    rows = ("lamongan@example.id,,pengelola,1905012006,,", "orang.baru@example.id,,pengelola,1905012006,,")
    report = run(csv_bytes(*rows), dry_run=True)
    assert [(a.action, a.detail) for a in report.actions] == [("create", "diundang: tautan dikirim ke email")] * 2


def test_it_accepts_titles_by_label(world: World) -> None:
    rows = (
        "a@example.id,A,provinsi,,35,PIC Provinsi",
        "b@example.id,B,provinsi,,19,Pelatih Ahli",
        "c@example.id,C,Petugas provinsi,,35,konsultan pendamping",
        "d@example.id,D,fasilitator,,35.24,PIC",
        "e@example.id,E,fasilitator,,3508,fasda",
        "f@example.id,F,provinsi,,19,PIC",
        "g@example.id,G,nasional,,,",
    )
    report = run(csv_bytes(*rows))
    assert report.ok, report.errors
    titles = dict(
        Membership.objects.filter(user__email__in=[r.split(",")[0] for r in rows]).values_list("user__email", "title")
    )
    assert titles == {
        "a@example.id": Title.PIC_PROVINCE,
        "b@example.id": Title.EXPERT_TRAINER,
        "c@example.id": Title.CONSULTANT,
        "d@example.id": Title.PIC,
        "e@example.id": Title.FASDA,
        "f@example.id": Title.PIC_PROVINCE,
        "g@example.id": "",
    }
    assert Membership.objects.get(user__email="e@example.id").region_id == "35.08"


def test_it_updates_a_changed_title(world: World) -> None:
    report = run(csv_bytes("lamongan@example.id,,fasilitator,,35.24,PIC"), created_by=world.province_35)
    assert (report.updated, report.actions[0].detail) == (1, "jabatan diubah")
    membership = Membership.objects.get(user=world.facilitator_3524)
    assert membership.title == Title.PIC
    event = AuditEvent.objects.get(action="role_change", object_id=membership.pk)
    assert event.actor == world.province_35
    assert event.changes["jabatan"] == ["Fasda (Fasilitator Daerah)", "PIC Kabupaten/Kota"]


def test_it_audits_the_roles_it_creates(world: World) -> None:
    run(csv_bytes(BELO_LAUT_MANAGER), created_by=world.facilitator_1905)
    membership = Membership.objects.get(user__email="ani@example.id")
    event = AuditEvent.objects.get(action="import", object_id=membership.pk)
    assert (event.actor, event.library_id) == (world.facilitator_1905, world.belo_laut.pk)


def test_it_reports_bad_values(world: World) -> None:
    rows = (
        "bukan-email,X,pengelola,1905012006,,",
        "a@example.id,A,kepala desa,,,",
        "b@example.id,B,fasilitator,,35.24,Pelatih Ahli",
        "c@example.id,C,pengelola,1905012006,,PIC",
        "d@example.id,D,pengelola,,,",
        "e@example.id,E,pengelola,000,,",
        "f@example.id,F,fasilitator,,35,",
        "g@example.id,G,provinsi,,35.24,",
        "h@example.id,H,fasilitator,,,",
    )
    report = run(csv_bytes(*rows))
    assert errors_of(report) == [
        (2, "email"),
        (3, "peran"),
        (4, "jabatan"),
        (5, "jabatan"),
        (6, "npp"),
        (7, "npp"),
        (8, "kode_wilayah"),
        (9, "kode_wilayah"),
        (10, "kode_wilayah"),
    ]
    assert "Fasda" in report.errors[2].message
    assert "kabupaten/kota" in report.errors[6].message
    assert not User.objects.filter(email__in=["a@example.id", "b@example.id"]).exists()


def test_it_writes_nothing_when_one_row_is_bad(world: World, django_capture_on_commit_callbacks: Any) -> None:
    report = run(
        csv_bytes(BELO_LAUT_MANAGER, "x@example.id,X,pengelola,999999,,"), capture=django_capture_on_commit_callbacks
    )
    assert errors_of(report) == [(3, "npp")]
    assert not User.objects.filter(email="ani@example.id").exists()
    assert mail.outbox == []


def test_it_reports_the_same_account_and_role_twice(world: World) -> None:
    report = run(csv_bytes(BELO_LAUT_MANAGER, "ANI@example.id,Ani,Pengelola perpustakaan,1905012006,,"))
    assert errors_of(report) == [(3, "email")]


def test_it_gives_one_new_account_several_roles(world: World) -> None:
    rows = ("ani@example.id,Ani,pengelola,1905012006,,", "ani@example.id,Ani,fasilitator,,19.05,fasda")
    report = run(csv_bytes(*rows))
    assert report.created == 2
    user = User.objects.get(email="ani@example.id")
    assert user.memberships.count() == 2
    assert Invitation.objects.filter(user=user).count() == 1


def test_it_limits_a_facilitator_to_managers_of_their_kabupaten(world: World) -> None:
    scope = scope_for_user(world.facilitator_3524)
    rows = (
        "a@example.id,A,pengelola,3524012001,,",
        "b@example.id,B,pengelola,1905012006,,",
        "c@example.id,C,fasilitator,,35.24,",
        "d@example.id,D,provinsi,,35,",
    )
    Library.objects.filter(pk=world.lamongan_village.pk).update(npp="3524012001")
    report = run(csv_bytes(*rows), scope=scope)
    assert errors_of(report) == [(3, "npp"), (4, "kode_wilayah"), (5, "peran")]
    assert "di luar wilayah kerja Anda" in report.errors[0].message
    assert "di luar wilayah kerja Anda" in report.errors[1].message


def test_it_limits_a_provincial_officer_to_their_province(world: World) -> None:
    scope = scope_for_user(world.province_35)
    rows = ("a@example.id,A,fasilitator,,35.24,", "b@example.id,B,fasilitator,,19.05,", "c@example.id,C,nasional,,,")
    report = run(csv_bytes(*rows), scope=scope)
    assert errors_of(report) == [(3, "kode_wilayah"), (4, "peran")]


def test_it_gives_no_hint_of_a_disabled_account(world: World, django_capture_on_commit_callbacks: Any) -> None:
    User.objects.filter(pk=world.facilitator_1905.pk).update(is_active=False)
    report = run(
        csv_bytes("bangkabarat@example.id,,pengelola,1905012006,,"), capture=django_capture_on_commit_callbacks
    )
    assert report.ok and report.actions[0].detail == "diundang: tautan dikirim ke email"
    assert mail.outbox == []  # nothing goes to a disabled account, and its offer can never be accepted
    assert not Membership.objects.filter(user=world.facilitator_1905, library=world.belo_laut).exists()


def test_it_refuses_an_inactive_library(world: World) -> None:
    Library.objects.filter(pk=world.belo_laut.pk).update(is_active=False)
    report = run(csv_bytes(BELO_LAUT_MANAGER))
    assert errors_of(report) == [(2, "npp")]


# --- the command and the pages --------------------------------------------------------------------


def test_it_imports_from_the_command(world: World, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "akun.csv"
    path.write_bytes(csv_bytes(BELO_LAUT_MANAGER))
    call_command("import_accounts", str(path), "--dry-run")
    assert "dibuat 1, diperbarui 0, tidak berubah 0" in capsys.readouterr().out
    assert not User.objects.filter(email="ani@example.id").exists()
    call_command("import_accounts", str(path))
    assert User.objects.filter(email="ani@example.id").exists()
    path.write_bytes(csv_bytes("zz@example.id,Z,pengelola,404,,"))
    with pytest.raises(CommandError):
        call_command("import_accounts", str(path))
    assert "baris 2, kolom npp: " in capsys.readouterr().err


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_it_lets_a_facilitator_invite_managers_from_the_page(
    world: World, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    Library.objects.filter(pk=world.lamongan_village.pk).update(npp="3524012001")
    client = world.client_for(world.facilitator_3524)
    content = csv_bytes("baru@example.id,Baru,pengelola,3524012001,,")
    response = client.post(
        reverse("libraries:import_preview", args=["akun"]), {"berkas": SimpleUploadedFile("akun.csv", content)}
    )
    assert response.status_code == 200 and response.context["report"].created == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("libraries:import_apply", args=["akun"]), {"token": response.context["token"]})
    assert response.status_code == 302
    invitation = Invitation.objects.get(user__email="baru@example.id")
    assert invitation.created_by == world.facilitator_3524
    assert [m.to for m in mail.outbox] == [["baru@example.id"]]


def test_it_forbids_the_account_import_to_a_library_manager(world: World, media: Path) -> None:
    client = world.client_for(world.manager)
    response = client.post(
        reverse("libraries:import_preview", args=["akun"]),
        {"berkas": SimpleUploadedFile("akun.csv", csv_bytes(BELO_LAUT_MANAGER))},
    )
    assert response.status_code == 403
    assert client.get(reverse("libraries:import_template", args=["akun", "xlsx"])).status_code == 403
    assert not User.objects.filter(email="ani@example.id").exists()
