"""Issue 15, sessions that end and sign-in that holds (F4, F9, F6), each reproduced by sending the
requests for real through /login and /logout."""

from __future__ import annotations

import threading

import pytest

from kiosk.people import hashing
from kiosk.people.throttle import SIGN_IN
from tests.auth_helpers import PASSWORD, make_user, page_csrf, post


@pytest.fixture(autouse=True)
def fresh_throttle():
    SIGN_IN.clear()
    yield
    SIGN_IN.clear()


def sign_in(client, username: str, password: str, address: str = "127.0.0.1"):
    env = {"REMOTE_ADDR": address}
    page = client.get("/login", environ_base=env)
    return client.post("/login?lang=en", data={"username": username, "password": password,
                                               "csrf_token": page_csrf(page.text)}, environ_base=env)


def replay(app, cookie: str):
    """A new browser that only has the saved session cookie."""
    other = app.test_client()
    other.set_cookie("kiosk_session", cookie)
    return other


def test_f4_a_saved_cookie_replayed_after_logout_is_signed_out(app, client, plant):
    make_user("clerk", username="wang")
    assert sign_in(client, "wang", PASSWORD).status_code == 303
    saved = client.get_cookie("kiosk_session").value
    assert replay(app, saved).get("/orders/").status_code == 200  # the copy works while signed in
    assert post(client, "/logout").status_code == 303
    assert replay(app, saved).get("/orders/").status_code == 302  # and not after: ended on the server
    assert sign_in(client, "wang", PASSWORD).status_code == 303  # signing in again works
    assert client.get("/orders/").status_code == 200


def test_f4_a_new_password_ends_the_users_sessions(app, client, plant):
    clerk = make_user("clerk", username="li")
    assert sign_in(client, "li", PASSWORD).status_code == 303
    admin_browser = app.test_client()
    make_user("admin", username="root")
    assert sign_in(admin_browser, "root", PASSWORD).status_code == 303
    assert post(admin_browser, f"/admin/users/{clerk.id}/password", {"password": "a brand new one"}).status_code == 303
    assert client.get("/orders/").status_code == 302
    assert sign_in(client, "li", "a brand new one").status_code == 303


def test_f9_guessing_from_one_address_does_not_lock_the_real_admin_out(app, client, plant):
    make_user("admin", username="admin")
    desk = app.test_client()
    assert sign_in(desk, "admin", PASSWORD, "10.0.0.5").status_code == 303  # the admin's own desk
    post(desk, "/logout", environ_base={"REMOTE_ADDR": "10.0.0.5"})
    attacker = app.test_client()
    answers = [sign_in(attacker, "admin", f"guess-{n}", "10.0.0.66").status_code for n in range(30)]
    assert answers[:3] == [200, 200, 200] and answers[3] == 429  # slowed down after three
    assert answers.count(200) <= 6  # the waits double: only a few more guesses are even checked
    assert sign_in(desk, "admin", PASSWORD, "10.0.0.5").status_code == 303  # the admin is not locked out


def test_f9_spraying_many_names_from_one_address_is_slowed_down(app, plant):
    sprayer = app.test_client()
    answers = [sign_in(sprayer, f"user{n}", "Password1", "10.0.0.77") for n in range(50)]
    statuses = [a.status_code for a in answers]
    assert statuses[:6] == [200] * 6 and statuses[6] == 429
    assert "Too many failed sign-ins. Wait 1 seconds and try again." in answers[6].text
    assert statuses.count(200) <= 9  # the waits double: only a few more names are even checked


def test_f6_concurrent_sign_ins_hash_a_few_at_a_time(app, plant, monkeypatch):
    """60 sign-ins at once with unknown names (from 60 addresses): at most HASHING_AT_ONCE hashes run at
    once, so memory stays at a few times 32 MB instead of 60 times; every answer is a real one."""
    running, most = [0], [0]
    lock = threading.Lock()
    real_check = hashing.check_password_hash

    def counted(hashed, secret):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            return real_check(hashed, secret)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(hashing, "check_password_hash", counted)
    statuses = []

    def one(n):
        statuses.append(sign_in(app.test_client(), f"nobody{n}", "whatever-1", f"10.1.0.{n}").status_code)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(60)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(statuses) == 60 and set(statuses) <= {200, 429}  # wrong name, or "busy, try again"
    assert most[0] <= app.config["HASHING_AT_ONCE"] and most[0] >= 1


def test_f6_a_sign_in_that_would_wait_long_is_told_busy_at_once_with_retry_after(app, client, plant, monkeypatch):
    """Hashes of late have been slow (a loaded machine) and every slot is taken: the next sign-in is not
    queued behind them but answered 429 at once, in words, with Retry-After; no hash is computed."""
    make_user("clerk", username="wu")
    monkeypatch.setattr(hashing, "_took", 3.0)
    monkeypatch.setattr(hashing, "_ahead", app.config["HASHING_AT_ONCE"])
    computed = []
    monkeypatch.setattr(hashing, "check_password_hash", lambda *args: computed.append(args) or False)
    for username in ("wu", "nobody-known"):  # a real name and an unknown one answer alike
        busy = sign_in(client, username, PASSWORD)
        assert busy.status_code == 429
        assert int(busy.headers["Retry-After"]) >= 3
        assert "The server is busy checking other sign-ins. Try again in" in busy.text
    assert computed == []
    assert hashing.expected_wait(1, 2, 0.5) == 0.0  # a free slot: no wait
    assert hashing.expected_wait(2, 2, 0.5) == 0.5 and hashing.expected_wait(5, 2, 0.5) == 1.0


def test_f9_a_wait_is_answered_429_with_retry_after(app, client, plant):
    make_user("clerk", username="zhao")
    for n in range(3):
        assert sign_in(client, "zhao", f"wrong-{n}").status_code == 200
    paused = sign_in(client, "zhao", PASSWORD)
    assert paused.status_code == 429 and int(paused.headers["Retry-After"]) >= 1
