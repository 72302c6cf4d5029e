"""Desk users: password sign-in, hashed passwords, session cookies, roles, the users admin page, the CLI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from db.models import ScanEvent, User
from kiosk.people import users
from tests.auth_helpers import PASSWORD, csrf_token, login, make_user, page_csrf, post


def sign_in(client, username: str, password: str, next_url: str = ""):
    page = client.get("/login")
    return client.post("/login", data={"username": username, "password": password, "next": next_url,
                                       "csrf_token": page_csrf(page.text)})


def test_password_is_stored_as_a_scrypt_hash_never_in_clear(app, plant):
    user = users.create_user("li.clerk", "Li", "clerk", "a long secret 1")
    stored = User.get_by_id(user.id).password_hash
    assert stored.startswith("scrypt:") and "a long secret 1" not in stored
    assert users.authenticate("li.clerk", "a long secret 1") == user
    assert users.authenticate("li.clerk", "a long secret 2") is None


def test_sign_in_with_the_form_sets_a_hardened_session_cookie_and_goes_to_next(client, plant):
    user = make_user("clerk", username="wang")
    response = sign_in(client, "wang", PASSWORD, next_url="/orders/?status=all")
    assert response.status_code == 303 and response.location == "/orders/?status=all"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("kiosk_session=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie  # a shift-long session, not forever
    page = client.get("/orders/")
    assert page.status_code == 200 and user.name in page.text


def test_wrong_password_and_unknown_user_say_the_same_and_sign_nobody_in(client, plant):
    make_user("clerk", username="zhao")
    for name, password in (("zhao", "not-the-password"), ("nobody", PASSWORD)):
        response = sign_in(client, name, password)
        assert response.status_code == 200
        assert "用户名或密码错误" in response.text
    assert client.get("/orders/").status_code == 302


def test_an_inactive_user_cannot_sign_in(client, plant):
    make_user("clerk", username="gone", active=False)
    assert sign_in(client, "gone", PASSWORD).status_code == 200
    assert client.get("/orders/").status_code == 302


def test_repeated_wrong_passwords_slow_down_that_user_name_from_that_address(app, client, plant):
    from kiosk.people.throttle import PAIR, SIGN_IN

    SIGN_IN.clear()
    make_user("clerk", username="slow")
    for _ in range(PAIR.free):
        sign_in(client, "slow", "wrong-password")
    paused = sign_in(client, "slow", PASSWORD)  # even the right password waits now
    assert paused.status_code == 429 and "登录失败次数过多。请等待 1 秒后再试。" in paused.text
    assert client.get("/orders/").status_code == 302
    SIGN_IN.clear()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"])
def test_next_never_leaves_the_site(client, plant, target):
    make_user("clerk", username="safe")
    response = sign_in(client, "safe", PASSWORD, next_url=target)
    assert response.status_code == 303 and response.location == "/orders/"


def test_anonymous_pages_go_to_sign_in_and_come_back(client, plant):
    response = client.get("/orders/?status=all")
    assert response.status_code == 302
    assert response.location == "/login?next=/orders/?status%3Dall"


def test_a_new_password_or_deactivation_ends_existing_sessions(client, plant):
    admin = make_user("admin")
    user = make_user("clerk")
    login(client, user=user)
    assert client.get("/orders/").status_code == 200
    users.set_password(user, "another password", by=admin.username)
    assert client.get("/orders/").status_code == 302
    login(client, user=User.get_by_id(user.id))
    users.update_user(user, user.name, "clerk", active=False, by=admin.username)
    assert client.get("/orders/").status_code == 302


def test_a_sign_in_ends_one_shift_after_it_began_however_busy(app, client, plant):
    login(client, "clerk")
    assert client.get("/orders/").status_code == 200
    with client.session_transaction() as session:
        session["at"] -= app.permanent_session_lifetime.total_seconds() + 1
    assert client.get("/orders/").status_code == 302


def test_sign_out_clears_the_session(client, plant):
    login(client, "supervisor")
    assert client.get("/supervisor/").status_code == 200
    response = post(client, "/logout")
    assert response.status_code == 303
    assert client.get("/supervisor/").status_code == 302


def test_a_role_without_the_right_is_told_so_in_words(client, plant):
    login(client, "finance")
    response = client.get("/orders/new?lang=en")
    assert response.status_code == 403
    assert "Your role (Finance) may not do this" in response.text


def test_admin_adds_a_user_changes_the_role_and_sets_a_password(client, plant):
    admin = login(client, "admin")
    response = post(client, "/admin/users", {"username": "chen", "name": "Chen Jing", "role": "clerk",
                                             "password": "long enough 1"})
    assert response.status_code == 303
    chen = User.get(User.username == "chen")
    assert chen.role == "clerk" and chen.name == "Chen Jing"
    post(client, f"/admin/users/{chen.id}", {"name": "Chen Jing", "role": "supervisor", "active": "1"})
    assert User.get_by_id(chen.id).role == "supervisor"
    post(client, f"/admin/users/{chen.id}/password", {"password": "newer secret 2"})
    assert users.authenticate("chen", "newer secret 2").id == chen.id
    log = [e.user for e in ScanEvent.select().where(ScanEvent.action.in_(("user_added", "user_changed",
                                                                          "password_set")))]
    assert log == [admin.username] * 3  # every change says who made it
    page = client.get("/admin/users?lang=en")
    assert "Chen Jing" in page.text and "New password for chen." in page.text


@pytest.mark.parametrize("form, says", [
    ({"username": "X Y", "name": "n", "role": "clerk", "password": "long enough 1"}, "user name is 2 to 32"),
    ({"username": "ok", "name": "n", "role": "boss", "password": "long enough 1"}, "Choose a role"),
    ({"username": "ok", "name": "n", "role": "clerk", "password": "short"}, "password is 8 to 128"),
    ({"username": "ok", "name": "\x07\x1b\t", "role": "clerk", "password": "long enough 1"}, "Write the person"),
])
def test_bad_user_forms_are_refused_with_a_reason(client, plant, form, says):
    login(client, "admin")
    post(client, "/admin/users", form)
    page = client.get("/admin/users?lang=en")
    assert says in page.text
    assert not User.select().where(User.username == form["username"]).exists()


def test_a_nul_character_is_refused_before_anything_reads_it(client, plant):
    login(client, "admin")
    response = post(client, "/admin/users?lang=en", {"username": "ok", "name": "A\x00B", "role": "clerk",
                                                     "password": "long enough 1"})
    assert response.status_code == 400 and "not allowed (NUL)" in response.text
    assert client.get("/orders/%00?lang=en").status_code == 400
    assert not User.select().where(User.username == "ok").exists()


def test_the_last_admin_cannot_be_demoted_or_locked_out(client, plant):
    admin = login(client, "admin")
    post(client, f"/admin/users/{admin.id}", {"name": admin.name, "role": "clerk", "active": "1"})
    assert User.get_by_id(admin.id).role == "admin"
    assert "last administrator" in client.get("/admin/users?lang=en").text


def test_create_user_command_makes_the_first_admin(app, plant):
    result = app.test_cli_runner().invoke(args=["create-user", "boss", "--role", "admin", "--name", "Boss",
                                                "--password", "first admin pw"])
    assert result.exit_code == 0, result.output
    assert "first admin pw" not in result.output
    assert users.authenticate("boss", "first admin pw").role == "admin"


def test_the_secret_key_is_made_per_install_and_kept_private(tmp_path, database_url, database):
    from kiosk import create_app

    os.environ["KIOSK_INSTANCE"] = str(tmp_path / "inst")
    try:
        app = create_app({"DATABASE_URL": database_url, "TESTING": True})
        other = create_app({"DATABASE_URL": database_url, "TESTING": True})
    finally:
        del os.environ["KIOSK_INSTANCE"]
    key_file = tmp_path / "inst" / "secret_key"
    assert app.secret_key == other.secret_key == key_file.read_text().strip()
    assert len(app.secret_key) >= 64 and (key_file.stat().st_mode & 0o077) == 0
    # the default instance folder is kept out of git
    ignored = (Path(__file__).resolve().parents[2] / ".gitignore").read_text().split()
    assert "instance/" in ignored or "/instance/" in ignored or "instance" in ignored


def test_csrf_token_is_not_the_session_secret(client, plant):
    page = client.get("/login")
    token = page_csrf(page.text)
    assert token == csrf_token(client) and token not in client.application.secret_key


def test_badge_sheet_barcodes_decode_to_the_badge_codes(client, plant):
    import base64
    import io
    import re

    from PIL import Image
    from pyzbar.pyzbar import decode

    login(client, "supervisor")
    html = client.get("/admin/badges").text
    badges = re.findall(r'data-badge="([^"]+)".*?<div class="name">([^<]+)</div>.*?'
                        r'src="data:image/png;base64,([^"]+)"', html, re.S)
    assert [(badge, name) for badge, name, _ in badges][:2] == [("W001", "张伟"), ("W002", "王芳")]
    assert len(badges) == 10
    for badge, _name, data in badges:
        decoded = decode(Image.open(io.BytesIO(base64.b64decode(data))))
        assert [d.data.decode() for d in decoded] == [badge]


def test_supervisor_adds_and_blocks_a_worker_badge(app, client, plant):
    from db.models import Worker
    from tests.auth_helpers import hx_post, pair_kiosk

    login(client, "supervisor")
    post(client, "/admin/workers", {"badge": "w011", "name": "Zhou Min"})
    worker = Worker.get(Worker.badge == "W011")
    post(client, "/admin/workers", {"badge": "JC0000001", "name": "Looks like a card"})
    assert "starting with a letter" in client.get("/admin/workers?lang=en").text
    kiosk = app.test_client()
    pair_kiosk(kiosk, "whitebody")
    signed = hx_post(kiosk, "/station/whitebody/scan?lang=en", {"code": "W011", "idem": "k" * 16})
    assert "Signed in: Zhou Min" in signed.text
    post(client, f"/admin/workers/{worker.id}", {"name": "Zhou Min"})  # "Badge works" unticked
    assert not Worker.get_by_id(worker.id).active
    blocked = hx_post(kiosk, "/station/whitebody/scan?lang=en", {"code": "W011", "idem": "m" * 16})
    assert "Signed in" not in blocked.text
