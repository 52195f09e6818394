"""The REST API v1 object: authentication (personal token or session), scope and JSON errors."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from tpbis.accounts.models import User
from tpbis.accounts.scope import Scope, scope_for_user
from tpbis.api.entry import EntryRefused
from tpbis.api.throttle import TokensThrottled, throttled_response, token_check_allowed, token_failure_record
from tpbis.api.tokens import bearer_key, token_authenticate
from tpbis.reports.services import RecordConflict

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
HTTP_CODES = {400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 429: "throttled"}


class ErrorOut(Schema):
    """Every refusal: a `code` for programs, a `message` for people, and per-field messages in `errors`."""

    code: str = Field(
        description=(
            "invalid, client_id_conflict, stale_version, duplicate_suspected, month_exists, conflict, withdrawn, "
            "not_found, forbidden, unauthenticated, throttled, unavailable or error"
        )
    )
    message: str
    errors: dict[str, list[str]] = Field({}, description="Messages per field of the web form (`__all__`: the whole).")
    duplicates: list[int] = []
    existing_id: int | None = None
    current: dict[str, Any] | None = Field(None, description="stale_version: the record as it is now.")
    yours: dict[str, Any] | None = Field(None, description="stale_version: the fields that were sent.")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <key>` with a personal token; acts as its user, in the user's scope."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        token_check_allowed(request)
        found = token_authenticate(token)
        if found is None:
            token_failure_record(request)
            return None
        if found.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied(_("Token ini hanya untuk membaca."))
        request.user = found.user
        request.scope = scope_for_user(found.user)  # type: ignore[attr-defined]
        return found


class ActiveSessionAuth(SessionAuth):
    """The site's own pages: the signed-in session, with the CSRF check on unsafe methods."""

    def __call__(self, request: HttpRequest) -> Any:
        # Without a session there is nobody to protect from CSRF: the caller is unauthenticated (401),
        # not forbidden (the CSRF check would answer 403 first).
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="SIM TPBIS API",
    version="1",
    description=(
        "REST API v1 of SIM TPBIS. Authenticate with a personal token (`Authorization: Bearer <key>`, "
        "created under /akun/token/) or the site's session. Every answer is limited to the caller's scope: "
        "what lies outside it is 404."
    ),
    auth=[TokenAuth(), ActiveSessionAuth()],
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


def request_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def request_scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def optional_scope(request: HttpRequest) -> Scope | None:
    """For endpoints open to everyone: the caller's scope if they sent a valid token or have a session."""
    key = bearer_key(request)
    if key:
        return request_scope(request) if TokenAuth().authenticate(request, key) is not None else None
    if request.user.is_authenticated:
        return request_scope(request)
    return None


def _json(request: HttpRequest, status: int, message: str, code: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "errors": {}, **extra}, status=status)


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "filters")]
    if parts and loc and loc[0] == "body":
        # The web form's field name, where a form shows the message: "photos", not "photos.2".
        return parts[0]
    return ".".join(parts) or "__all__"


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(list(error.get("loc", []))), []).append(str(error.get("msg", "")))
    return _json(request, 422, _("Data tidak valid. Periksa kolom yang ditandai."), "invalid", errors=errors)


@api.exception_handler(EntryRefused)
def _refused(request: HttpRequest, exc: EntryRefused) -> HttpResponse:
    extra: dict[str, Any] = {"current": exc.current, "yours": exc.yours} if exc.current or exc.yours else {}
    return _json(
        request,
        exc.status,
        exc.message,
        exc.code,
        errors=exc.errors,
        duplicates=exc.duplicates,
        existing_id=exc.existing_id,
        **extra,
    )


@api.exception_handler(ValidationError)
def _django_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        errors = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        errors = {"__all__": [str(m) for m in exc.messages]}
    return _json(request, 422, _("Permintaan ditolak."), "invalid", errors=errors)


@api.exception_handler(RecordConflict)
def _conflict(request: HttpRequest, exc: RecordConflict) -> HttpResponse:
    """Somebody acted on the record first; nothing was changed (409, with who did what)."""
    return _json(request, 409, " ".join(str(m) for m in exc.messages), "conflict")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _json(request, 404, _("Tidak ditemukan."), "not_found")


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _json(request, 403, str(exc) or _("Anda tidak berwenang melakukan ini."), "forbidden")


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _json(
        request, 401, _("Masuk dulu, atau kirim token API (Authorization: Bearer <token>)."), "unauthenticated"
    )
    sent_token = bool(bearer_key(request))
    response["WWW-Authenticate"] = 'Bearer realm="SIM TPBIS"' + (', error="invalid_token"' if sent_token else "")
    return response


@api.exception_handler(TokensThrottled)
def _throttled(request: HttpRequest, exc: TokensThrottled) -> HttpResponse:
    return throttled_response(exc, extra={"code": "throttled"})


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _json(request, exc.status_code, str(exc), HTTP_CODES.get(exc.status_code, "error"))
