"""Brute-force protection of the sign-in page: an account+address pair and an address are locked for a
while after too many wrong passwords, and the page says when to try again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, World

LOGIN = "/akun/masuk/"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 10
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 30
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)


def _post(client: Client, email: str, password: str, address: str = "203.0.113.7", **extra: Any) -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=address, **extra)


def test_it_refuses_the_right_password_after_30_wrong_ones(world: World) -> None:
    client = Client()
    for _ in range(30):
        _post(client, "lamongan@example.id", "salah-terus")
    response = _post(client, "lamongan@example.id", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Terlalu banyak percobaan masuk" in page
    assert "15 menit" in page
    assert "_auth_user_id" not in client.session
    assert int(response["Retry-After"]) > 800


def test_it_locks_the_account_at_this_address_after_the_limit(world: World) -> None:
    client = Client()
    for attempt in range(9):
        assert _post(client, "lamongan@example.id", "salah").status_code == 200, attempt
    assert _post(client, "lamongan@example.id", "salah").status_code == 429
    assert _post(client, "lamongan@example.id", PASSWORD).status_code == 429


def test_it_says_at_what_time_the_lock_ends(world: World) -> None:
    client = Client()
    for _ in range(10):
        _post(client, "lamongan@example.id", "salah")
    until = timezone.localtime() + dt.timedelta(minutes=15)
    page = _post(client, "lamongan@example.id", PASSWORD).content.decode()
    # The exact minute may tick over during the test; either reading is the truth.
    candidates = {(until + dt.timedelta(minutes=m)).strftime("%H.%M") for m in (-1, 0)}
    assert any(f"pukul {c}" in page for c in candidates), page


def test_it_lets_the_same_account_in_from_another_address(world: World) -> None:
    client = Client()
    for _ in range(12):
        _post(client, "lamongan@example.id", "salah", address="203.0.113.7")
    response = _post(client, "lamongan@example.id", PASSWORD, address="198.51.100.20")
    assert response.status_code == 302


def test_it_locks_other_accounts_from_an_address_past_its_limit(world: World) -> None:
    client = Client()
    for i in range(30):
        _post(client, f"tebakan{i}@example.id", "salah")
    response = _post(client, "sembung@example.id", PASSWORD)
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk" in response.content.decode()
    assert _post(client, "sembung@example.id", PASSWORD, address="198.51.100.20").status_code == 302


def test_it_forgets_earlier_mistakes_after_a_successful_sign_in(world: World) -> None:
    client = Client()
    for _ in range(9):
        _post(client, "lamongan@example.id", "salah")
    assert _post(client, "lamongan@example.id", PASSWORD).status_code == 302
    client.logout()
    for attempt in range(9):
        assert _post(client, "lamongan@example.id", "salah").status_code == 200, attempt


def test_it_counts_an_email_in_any_case_as_one_account(world: World) -> None:
    client = Client()
    for i in range(10):
        _post(client, "lamongan@example.id".upper() if i % 2 else "lamongan@example.id", "salah")
    assert _post(client, "Lamongan@Example.id", PASSWORD).status_code == 429


def test_it_unlocks_after_the_cool_off(world: World, settings: Any) -> None:
    client = Client()
    for _ in range(10):
        _post(client, "lamongan@example.id", "salah")
    assert _post(client, "lamongan@example.id", PASSWORD).status_code == 429
    from axes.models import AccessAttempt

    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    assert _post(client, "lamongan@example.id", PASSWORD).status_code == 302


def test_it_ignores_a_forwarded_address_unless_told_to_trust_a_proxy(world: World, settings: Any) -> None:
    client = Client()
    for i in range(10):
        _post(client, "lamongan@example.id", "salah", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    assert _post(client, "lamongan@example.id", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9").status_code == 429


def test_it_uses_the_address_a_trusted_proxy_forwards(world: World, settings: Any) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client()
    for _ in range(10):
        _post(client, "lamongan@example.id", "salah", address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    locked = _post(client, "lamongan@example.id", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert locked.status_code == 429
    # A client cannot escape by prepending its own X-Forwarded-For: the proxy appends the real address.
    spoofed = _post(
        client, "lamongan@example.id", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="10.1.1.1, 203.0.113.7"
    )
    assert spoofed.status_code == 429
    other = _post(client, "lamongan@example.id", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert other.status_code == 302


def test_it_never_blocks_a_password_reset_or_a_forced_login(world: World) -> None:
    client = Client()
    for _ in range(12):
        _post(client, "lamongan@example.id", "salah", address="127.0.0.1")
    assert client.post("/akun/lupa-sandi/", {"email": "lamongan@example.id"}).status_code == 302
    session = Client()
    session.force_login(world.facilitator_3524)
    assert session.get("/").status_code == 302
    assert Client().login(username="sembung@example.id", password=PASSWORD)
