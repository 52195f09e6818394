"""Gathering pages: the list, the plan, the page used before, during and after the meeting, and the
printable after-event report."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from tpbis.accounts.models import User
from tpbis.accounts.scope import Scope
from tpbis.core.links import absolute_url
from tpbis.gatherings.forms import (
    AttendanceForm,
    FollowUpForm,
    GatheringForm,
    InviteesForm,
    MaterialForm,
    PracticeForm,
)
from tpbis.gatherings.frozen import report_thaw
from tpbis.gatherings.models import Attendance, FollowUp, Gathering, Material, Registration
from tpbis.gatherings.selectors import (
    attendance_count,
    can_organise,
    gathering_get_for_user,
    gathering_list_for_user,
    invited_library_of,
    invited_managers,
    is_staff,
    organisable_regions,
    region_partners,
)
from tpbis.gatherings.services import (
    GatheringError,
    attendance_mark,
    checkin_open,
    followup_add,
    followup_done,
    gathering_check_in,
    gathering_create,
    gathering_freeze,
    gathering_invitees_set,
    gathering_register,
    gathering_update,
    material_add,
    practice_share,
    whatsapp_text,
)
from tpbis.reportcards.formatting import headline_text

PAGE_SIZE = 30


def qr_svg(url: str) -> str:
    """The check-in link as an inline SVG QR code, large enough to scan from a shared screen."""
    return str(segno.make(url, error="m", micro=False).svg_inline(scale=8, border=2))


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _organised(request: HttpRequest, pk: int) -> Gathering:
    """A gathering the person runs: 404 outside their sight, 403 when they only attend it."""
    gathering = gathering_get_for_user(scope=_scope(request), pk=pk)
    if not can_organise(_scope(request), gathering.region_id):
        raise PermissionDenied
    return gathering


def _form_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@login_required
@require_safe
def gathering_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if scope.is_empty:
        raise PermissionDenied
    page = Paginator(gathering_list_for_user(scope=scope), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "gatherings/list.html",
        {"page": page, "can_create": is_staff(scope) and organisable_regions(scope=scope).exists()},
    )


@login_required
def gathering_create_view(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if not is_staff(scope):
        raise PermissionDenied
    form = GatheringForm(request.POST or None, scope=scope)
    if request.method == "POST" and form.is_valid():
        try:
            gathering = gathering_create(actor=_user(request), scope=scope, data=form.gathering_data())
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("Gathering dibuat."))
            if not gathering.invite_all:
                return redirect("gatherings:invitees", pk=gathering.pk)
            return redirect("gatherings:detail", pk=gathering.pk)
    return render(request, "gatherings/form.html", {"form": form, "gathering": None})


@login_required
def gathering_edit(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = _organised(request, pk)
    scope = _scope(request)
    form = GatheringForm(request.POST or None, scope=scope, gathering=gathering)
    if request.method == "POST" and form.is_valid():
        try:
            gathering = gathering_update(
                actor=_user(request), scope=scope, gathering_id=gathering.pk, data=form.gathering_data()
            )
        except ValidationError as error:
            _form_errors(form, error)
        except GatheringError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Perubahan disimpan."))
            return redirect("gatherings:detail", pk=gathering.pk)
    return render(request, "gatherings/form.html", {"form": form, "gathering": gathering})


@login_required
def gathering_invitees(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = _organised(request, pk)
    partners = region_partners(region_code=gathering.region_id).select_related("region")
    initial = {"libraries": list(gathering.invitees.values_list("library_id", flat=True))}
    form = InviteesForm(request.POST or None, partners=partners, initial=initial)
    if request.method == "POST" and form.is_valid():
        ids = [library.pk for library in form.cleaned_data["libraries"]]
        gathering_invitees_set(actor=_user(request), gathering_id=gathering.pk, library_ids=ids)
        messages.success(request, _("Daftar undangan disimpan; pengelola yang baru diundang mendapat notifikasi."))
        return redirect("gatherings:detail", pk=gathering.pk)
    return render(request, "gatherings/invitees.html", {"form": form, "gathering": gathering})


def _auto_start(request: HttpRequest, gathering: Gathering) -> Gathering:
    """The organiser's first look after the start time starts it, should nobody have pressed "Mulai"."""
    if (
        gathering.is_started
        or timezone.now() < gathering.starts_at
        or not can_organise(_scope(request), gathering.region_id)
    ):
        return gathering
    try:
        gathering = gathering_freeze(actor=_user(request), gathering_id=gathering.pk)
    except GatheringError:
        gathering.refresh_from_db()
        return gathering
    messages.info(request, _("Jam mulai sudah lewat: gathering dimulai dan angka wilayah dibekukan."))
    return gathering


def _common(request: HttpRequest, gathering: Gathering) -> dict[str, Any]:
    """What both the working page and the after-event report show."""
    attendances = (
        Attendance.objects.filter(gathering=gathering)
        .select_related("user", "library")
        .order_by("library__name", "user__full_name")
    )
    frozen = gathering.frozen_report
    report = report_thaw(frozen) if frozen else None
    return {
        "gathering": gathering,
        "organiser": can_organise(_scope(request), gathering.region_id),
        "invited_count": gathering.invitees.count(),
        "count": attendance_count(gathering),
        "attendances": attendances,
        "practices": gathering.practices.select_related("library").all(),
        "followups": gathering.followups.select_related("library", "owner").all(),
        "materials": gathering.materials.all(),
        "report": report,
        "headline": headline_text(report.headline) if report else "",
        "elis_core": (frozen or {}).get("elis_core"),
    }


@login_required
@require_safe
def gathering_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = _auto_start(request, gathering_get_for_user(scope=_scope(request), pk=pk))
    context = _common(request, gathering)
    user = _user(request)
    context["my_library"] = invited_library_of(gathering=gathering, user=user)
    context["registered"] = Registration.objects.filter(gathering=gathering, user=user).exists()
    context["checked_in"] = Attendance.objects.filter(gathering=gathering, user=user).exists()
    context["registrations"] = gathering.registrations.count()
    if context["organiser"]:
        checkin_url = absolute_url(reverse("gatherings:checkin", args=[gathering.pk, gathering.checkin_token]))
        share = whatsapp_text(gathering)
        context.update(
            {
                "checkin_url": checkin_url,
                "checkin_qr": qr_svg(checkin_url),
                "checkin_open": checkin_open(gathering),
                "share_text": share,
                "share_url": "https://wa.me/?text=" + quote(share),
                "practice_form": PracticeForm(gathering=gathering, prefix="praktik"),
                "followup_form": FollowUpForm(gathering=gathering, prefix="tl"),
                "material_form": MaterialForm(prefix="materi"),
            }
        )
    return render(request, "gatherings/detail.html", context)


@login_required
@require_safe
def gathering_report(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = gathering_get_for_user(scope=_scope(request), pk=pk)
    return render(request, "gatherings/report.html", _common(request, gathering))


@login_required
@require_POST
def gathering_start(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = _organised(request, pk)
    try:
        gathering_freeze(actor=_user(request), gathering_id=gathering.pk)
    except GatheringError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Gathering dimulai. Angka wilayah untuk periode ini sudah dibekukan."))
    return redirect("gatherings:detail", pk=gathering.pk)


@login_required
@require_POST
def gathering_register_view(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = gathering_get_for_user(scope=_scope(request), pk=pk)
    try:
        _registration, created = gathering_register(user=_user(request), gathering=gathering)
    except GatheringError as error:
        messages.error(request, str(error))
    else:
        if created:
            messages.success(request, _("Anda terdaftar. Sampai jumpa di gathering!"))
        else:
            messages.info(request, _("Anda sudah terdaftar."))
    return redirect("gatherings:detail", pk=gathering.pk)


@login_required
def gathering_checkin(request: HttpRequest, pk: int, token: str) -> HttpResponse:
    """The link behind the QR: a manager of an invited library confirms they are there, once."""
    gathering = get_object_or_404(Gathering.objects.select_related("region"), pk=pk)
    context: dict[str, Any] = {"gathering": gathering, "token": token}
    if token != gathering.checkin_token:
        context["refusal"] = _("Tautan daftar hadir ini tidak berlaku.")
        return render(request, "gatherings/checkin.html", context, status=404)
    user = _user(request)
    if request.method == "POST":
        try:
            _attendance, created = gathering_check_in(user=user, gathering=gathering, token=token)
        except GatheringError as error:
            context["refusal"] = str(error)
            return render(request, "gatherings/checkin.html", context, status=403)
        context["done"] = True
        context["created"] = created
        return render(request, "gatherings/checkin.html", context)
    if invited_library_of(gathering=gathering, user=user) is None:
        context["refusal"] = _("Daftar hadir hanya untuk pengelola perpustakaan yang diundang ke gathering ini.")
        return render(request, "gatherings/checkin.html", context, status=403)
    context["done"] = Attendance.objects.filter(gathering=gathering, user=user).exists()
    context["open"] = checkin_open(gathering)
    return render(request, "gatherings/checkin.html", context)


@login_required
def gathering_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = _organised(request, pk)
    managers = list(invited_managers(gathering))
    present = [
        f"{u}:{lib}" for u, lib in Attendance.objects.filter(gathering=gathering).values_list("user_id", "library_id")
    ]
    form = AttendanceForm(request.POST or None, managers=managers, initial={"present": present})
    if request.method == "POST" and form.is_valid():
        added, removed = attendance_mark(actor=_user(request), gathering_id=gathering.pk, present=form.pairs())
        messages.success(
            request,
            _("Daftar hadir disimpan: %(added)s ditambah, %(removed)s dihapus.") % {"added": added, "removed": removed},
        )
        return redirect("gatherings:detail", pk=gathering.pk)
    return render(request, "gatherings/attendance.html", {"form": form, "gathering": gathering})


def _section_post(request: HttpRequest, gathering: Gathering, form: Any, save: Any, done: str) -> HttpResponse:
    """Validate one of the small forms on the gathering page; on error the page comes back with it."""
    if form.is_valid():
        try:
            save(form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("gatherings:detail", pk=gathering.pk)
    return render(
        request,
        "gatherings/section_form.html",
        {"gathering": gathering, "form": form, "action": request.path},
        status=400,
    )


@login_required
@require_POST
def practice_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = _organised(request, pk)
    form = PracticeForm(request.POST, gathering=gathering, prefix="praktik")
    return _section_post(
        request,
        gathering,
        form,
        lambda d: practice_share(
            actor=_user(request),
            gathering=gathering,
            library=d["library"],
            title=d["title"],
            summary=d["summary"],
            practice=d["practice"],
        ),
        _("Praktik baik dicatat."),
    )


@login_required
@require_POST
def followup_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = _organised(request, pk)
    form = FollowUpForm(request.POST, gathering=gathering, prefix="tl")

    def save(d: dict[str, Any]) -> None:
        owner = User.objects.filter(pk=d["owner"]).first()
        if owner is None:
            raise ValidationError({"owner": _("Pilih penanggung jawab.")})
        followup_add(
            actor=_user(request),
            gathering=gathering,
            library=d["library"],
            problem=d["problem"],
            action=d["action"],
            owner=owner,
            due_date=d["due_date"],
        )

    return _section_post(request, gathering, form, save, _("Tindak lanjut dicatat."))


@login_required
@require_POST
def followup_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The owner, or an organiser of the gathering, marks a follow-up done."""
    scope = _scope(request)
    followup = get_object_or_404(
        FollowUp.objects.select_related("gathering"),
        Q(owner=request.user) | Q(gathering__in=gathering_list_for_user(scope=scope).values("pk")),
        pk=pk,
    )
    if followup.owner_id != request.user.pk and not can_organise(scope, followup.gathering.region_id):
        raise PermissionDenied
    try:
        followup_done(actor=_user(request), followup_id=followup.pk)
    except GatheringError as error:
        messages.info(request, str(error))
    else:
        messages.success(request, _("Tindak lanjut ditandai selesai."))
    if request.POST.get("next") == "kerja":
        return redirect("worklists:home")
    return redirect("gatherings:detail", pk=followup.gathering_id)


@login_required
@require_POST
def material_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    gathering = _organised(request, pk)
    form = MaterialForm(request.POST, request.FILES, prefix="materi")
    return _section_post(
        request,
        gathering,
        form,
        lambda d: material_add(
            actor=_user(request), gathering=gathering, title=d["title"], url=d["url"], prepared=d["file"]
        ),
        _("Materi ditambahkan."),
    )


@login_required
@require_safe
def material_download(request: HttpRequest, pk: int) -> FileResponse:
    material = get_object_or_404(Material.objects.select_related("gathering"), pk=pk)
    gathering_get_for_user(scope=_scope(request), pk=material.gathering_id)  # 404 outside
    if not material.file:
        raise Http404
    return FileResponse(
        material.file.open("rb"), content_type=material.content_type, as_attachment=True, filename=material.filename
    )
