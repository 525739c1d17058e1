"""平安通 (/field/, issue 12) in Chromium with a phone's profile (Playwright's "Pixel 5"),
against the live server: offline entry with photos, a reload with no network, sending by itself
when the network returns (each case once, with its photos, made small on the phone), a case
refused for a missing element completed and re-sent, and a sign-in that ends mid-queue.

The server's clock is the test's (10:00 on 14 October 2026, ticking); the browser's is the
machine's, so every case is given its time of occurrence explicitly (before the server's now).
"""

from __future__ import annotations

import hashlib
import io
import random
import time
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection
from PIL import Image, ImageDraw

from gridcase.api.models import ApiToken
from gridcase.api.tokens import token_revoke
from gridcase.cases.models import Case
from tests.factories import local, make_town
from tests.web import test_browser_workbench as workbench

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

browser = workbench.browser

NOW = local(2026, 10, 14, 10)
OCCURRED = "2026-10-14T09:30"


@pytest.fixture
def t(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    if connection.vendor == "sqlite":
        # Django's live server shares the in-memory SQLite connection between its threads:
        # concurrent requests would share one transaction (one's rollback undoing another's
        # commit). PostgreSQL runs the terminal's usual three sends at once.
        settings.GRIDCASE_FIELD_SEND_CONCURRENCY = 1
    with time_machine.travel(NOW, tick=True):
        yield make_town()


def pixel5(browser) -> dict:
    """Playwright's "Pixel 5" descriptor (user agent, 393×851 at 2.75, touch, mobile). The
    shared `browser` fixture keeps its Playwright object to itself; its device list is the
    same one `playwright.devices` hands out."""
    descriptor = dict(browser._impl_obj._browser_type._playwright.devices["Pixel 5"])
    descriptor.pop("default_browser_type", None)
    return descriptor


@pytest.fixture
def phone(browser, live_server):
    contexts = []

    def _open():
        context = browser.new_context(
            **pixel5(browser),
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            service_workers="allow",
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20000)
        page.goto(f"{live_server.url}/field/")
        page.wait_for_selector("body[data-ready=true]")
        return context, page

    yield _open
    for context in contexts:
        context.close()


def camera_photo(seed: int, size=(3000, 2250)) -> bytes:
    """A large, detailed JPEG as a phone's camera makes one: noise over shapes, so that it
    must be made smaller in pixels and in bytes (quality) to fit."""
    rng = random.Random(seed)
    noise = Image.effect_noise(size, 60).convert("RGB")
    picture = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    pen = ImageDraw.Draw(picture)
    for _ in range(40):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        pen.ellipse(
            (x, y, x + rng.randrange(100, 900), y + rng.randrange(100, 900)),
            fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)),
        )
    out = io.BytesIO()
    Image.blend(picture, noise, 0.35).save(out, "JPEG", quality=95)
    return out.getvalue()


def sign_in(page, user) -> None:
    page.fill("#si-username", user.username)
    page.fill("#si-password", "pw")
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_selector("#sign-in", state="hidden")


def wait_until(predicate, timeout: float = 60.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def states(page) -> list[str]:
    return page.eval_on_selector_all("#outbox-list > li", "els => els.map(e => e.dataset.state)")


def fill_case(page, title: str, *, course: str = "两家因围墙位置争执", photos=()) -> None:
    page.select_option("#f-category", "other")
    page.fill("#f-title", title)
    page.fill("#f-occurred", OCCURRED)
    page.fill("#f-location", "东村3组")
    page.fill("#f-persons", "张三、李四")
    page.fill("#f-cause", "宅基地边界")
    page.fill("#f-course", course)
    if photos:
        page.set_input_files(
            "#f-photos",
            [
                {"name": f"IMG_{i}.jpg", "mimeType": "image/jpeg", "buffer": data}
                for i, data in enumerate(photos)
            ],
        )
        wait_until(
            lambda: page.locator("#photo-list li").count() == len(photos),
            30,
            f"{len(photos)} photos made small on the phone",
        )


def controlled(page) -> bool:
    return page.evaluate("() => navigator.serviceWorker.controller !== null")


def test_three_cases_entered_offline_survive_a_reload_and_arrive_once_with_their_photos(phone, t):
    context, page = phone()
    calls: list[tuple[str, str]] = []
    page.on("request", lambda r: calls.append((r.method, urlsplit(r.url).path)))
    sign_in(page, t.officer)
    assert "officer" in page.inner_text("#who-name")
    # The service worker has taken the page: the shell is in its cache.
    wait_until(lambda: controlled(page), 20, "the service worker to control the page")

    context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    assert "离线" in page.inner_text("#net-status")
    for n in range(3):
        fill_case(
            page, f"离线事件{n}", photos=[camera_photo(2 * n), camera_photo(2 * n + 1, (1200, 900))]
        )
        page.click("#queue-case")
        # (The case is on the device since its first photo, as a draft: now it is queued.)
        wait_until(lambda n=n: states(page) == ["queued"] * (n + 1), 10, f"case {n} queued")
    assert states(page) == ["queued"] * 3
    assert page.inner_text("#pending-count") == "3"
    assert "待发送 3" in page.inner_text("#outbox-summary")
    assert Case.objects.count() == 0
    page.screenshot(path=str(workbench.SCREENSHOTS / "pingantong-queue.png"), full_page=True)

    # Reloaded with no network: the shell comes from the service worker's cache, the cases
    # and their photos from IndexedDB.
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert states(page) == ["queued"] * 3
    assert page.locator("#outbox-list li:has-text('照片 0/2 已上传')").count() == 3
    assert sorted(page.locator("#outbox-list .item-title").all_inner_texts()) == [
        "离线事件0",
        "离线事件1",
        "离线事件2",
    ]

    # The network returns: the terminal sends by itself (the `online` event).
    context.set_offline(False)
    wait_until(lambda: states(page) == ["sent"] * 3, 90, "the three cases sent")
    cases = list(Case.objects.filter(officer=t.officer).prefetch_related("attachments"))
    assert sorted(c.title for c in cases) == ["离线事件0", "离线事件1", "离线事件2"]
    assert {c.state for c in cases} == {"pending"}
    for case in cases:
        attachments = list(case.attachments.all())
        assert len(attachments) == 2, case.title
        for attachment in attachments:
            assert attachment.size <= 500 * 1024
            with attachment.file.open("rb") as handle:
                image = Image.open(io.BytesIO(handle.read()))
                assert image.format == "JPEG" and max(image.size) <= 1600, image.size
    # The big photo was made smaller in pixels: 3000×2250 → 1600×1200.
    assert any(
        Image.open(a.file.path).size == (1600, 1200) for c in cases for a in c.attachments.all()
    )
    # The field protocol carried them: one create per case (its client_id kept on the
    # server) and one PUT per photo, keyed by its SHA-256.
    assert calls.count(("POST", "/api/v1/cases/")) == 3
    puts = [path for method, path in calls if method == "PUT"]
    assert len(puts) == 6
    for case in cases:
        assert case.client_id
        for attachment in case.attachments.all():
            with attachment.file.open("rb") as handle:
                digest = hashlib.sha256(handle.read()).hexdigest()
            assert attachment.sha256 == digest
            assert f"/api/v1/cases/{case.number}/photos/{digest}/" in puts
    shown = sorted(page.locator("#outbox-list .item-number").all_inner_texts())
    assert shown == sorted(c.number for c in cases)
    assert page.locator("#outbox-list li:has-text('照片 2/2 已上传')").count() == 3
    assert page.inner_text("#pending-count") == "0"
    # The accept deadline shown is the server's.
    assert f"受理期限 {cases[0].accept_due.isoformat()}" in page.inner_text("#outbox-list")
    # The officer's own cases, read for offline use, with the time they were read.
    wait_until(lambda: page.locator("#mine-list li[data-number]").count() == 3, 20, "my cases")
    assert "最后同步于" in page.inner_text("#mine-synced")
    page.screenshot(path=str(workbench.SCREENSHOTS / "pingantong-sent.png"), full_page=True)

    # Another start, online: nothing is sent again.
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    time.sleep(1)
    assert Case.objects.count() == 3
    assert sum(c.attachments.count() for c in Case.objects.all()) == 6


def test_a_refused_case_lists_its_missing_elements_and_an_ended_sign_in_keeps_the_queue(phone, t):
    context, page = phone()
    sign_in(page, t.officer)

    # Sent without 经过: the server creates the draft, refuses the submit, and says why.
    fill_case(page, "缺要素的事件", course="", photos=[camera_photo(7, (800, 600))])
    page.click("#queue-case")
    wait_until(lambda: states(page) == ["incomplete"], 30, "the refusal")
    item = page.locator("#outbox-list li[data-state=incomplete]")
    assert "提交被退回" in item.inner_text()
    assert item.locator(".missing li[data-field=course]").inner_text().startswith("经过")
    assert "缺少经过" in item.inner_text()
    page.screenshot(path=str(workbench.SCREENSHOTS / "pingantong-refused.png"), full_page=True)
    draft = Case.objects.get(title="缺要素的事件")
    assert draft.state == "draft" and draft.attachments.count() == 1

    # Completed and sent again: the same case (a PATCH of the draft, then the submit).
    item.locator(".item-edit").click()
    wait_until(lambda: page.input_value("#f-title") == "缺要素的事件", 10, "the case in the form")
    assert "缺少经过" in page.inner_text("#entry-errors")
    page.fill("#f-course", "补充:两家已当面说明情况")
    page.click("#queue-case")
    wait_until(lambda: states(page) == ["sent"], 30, "the completed case sent")
    draft.refresh_from_db()
    assert draft.state == "pending" and draft.course == "补充:两家已当面说明情况"
    assert Case.objects.count() == 1 and draft.attachments.count() == 1

    # The device's sign-in is revoked (or has expired): the next case waits, intact.
    token_revoke(by=t.officer, tokens=ApiToken.objects.filter(user=t.officer))
    fill_case(page, "登录失效时录入", photos=[camera_photo(8, (800, 600))])
    page.click("#queue-case")
    wait_until(lambda: "auth" in states(page), 30, "the queue stopped by the 401")
    page.wait_for_selector("#sign-in", state="visible")
    assert "登录已失效" in page.inner_text("#sign-in")
    assert page.input_value("#si-username") == t.officer.username
    assert Case.objects.count() == 1
    assert page.inner_text("#pending-count") == "1"
    # Still there after a restart of the app.
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert states(page) == ["auth", "sent"]

    sign_in(page, t.officer)
    wait_until(lambda: states(page) == ["sent", "sent"], 30, "the queue resumed")
    resumed = Case.objects.get(title="登录失效时录入")
    assert resumed.state == "pending" and resumed.attachments.count() == 1
    assert Case.objects.count() == 2


def test_deleting_a_queued_case_needs_the_officers_confirmation(phone, t):
    context, page = phone()
    context.set_offline(True)
    fill_case(page, "要删除的事件")
    page.click("#save-draft")
    wait_until(lambda: states(page) == ["draft"], 10, "the draft")
    page.click("#outbox-list .item-delete")
    page.click("#outbox-list .delete-no")
    assert states(page) == ["draft"]
    page.click("#outbox-list .item-delete")
    page.click("#outbox-list .delete-yes")
    wait_until(lambda: states(page) == [], 10, "the deletion")


def test_a_client_id_conflict_is_shown_in_chinese_and_nothing_is_overwritten(phone, t):
    """The contract's 409 for the same device id with other content (a server with the field
    protocol), played by Playwright in the server's place: shown, kept, never sent over."""
    context, page = phone()
    sign_in(page, t.officer)
    answer = {
        "code": "client_id_conflict",
        "message": "该事件编号已用于内容不同的事件",
        "fields": {},
        "number": "CT-2026-00099",
    }

    def conflict(route):
        if route.request.method == "POST":
            route.fulfill(status=409, json=answer)
        else:
            route.continue_()

    page.route("**/api/v1/cases/", conflict)
    fill_case(page, "冲突的事件")
    page.click("#queue-case")
    wait_until(lambda: states(page) == ["conflict"], 20, "the conflict")
    item = page.locator("#outbox-list li[data-state=conflict]")
    assert "冲突:服务器上已有" in item.inner_text()
    assert "编号 CT-2026-00099" in item.inner_text()
    assert "该事件编号已用于内容不同的事件" in item.inner_text()
    assert Case.objects.count() == 0
    # Not sent again by itself: a conflict waits for the officer.
    page.evaluate("() => window.dispatchEvent(new Event('online'))")
    time.sleep(1)
    assert states(page) == ["conflict"]


def test_the_officers_cases_and_follow_ups_due_are_kept_for_offline_reading(phone, t):
    from gridcase.cases import services
    from tests.factories import CLOSE_DISPUTE, submitted_case

    # A dispute settled at the grid: its follow-up visit is due.
    at = local(2026, 10, 12, 9)
    case = submitted_case(t, at, title="待回访的事件")
    services.case_accept(case=case, by=t.officer, note="", at=at)
    services.case_close(case=case, by=t.officer, data=CLOSE_DISPUTE, at=at)
    case.refresh_from_db()
    assert case.state == "closed" and case.follow_up_due is not None

    context, page = phone()
    sign_in(page, t.officer)
    row = page.locator(f"#follow-ups-list li[data-number='{case.number}']")
    row.wait_for()
    assert f"回访期限 {case.follow_up_due.isoformat()}" in row.inner_text()
    assert page.locator(f"#mine-list li[data-number='{case.number}']").count() == 1
    # Offline, after a restart: read from the device, with the time it was read.
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert page.locator(f"#follow-ups-list li[data-number='{case.number}']").count() == 1
    assert "最后同步于" in page.inner_text("#follow-ups-synced")


def test_with_a_server_before_the_field_protocol_the_terminal_falls_back(phone, t):
    """A server that refuses `client_id` as an unknown field and has no photo route (gridcase
    before issue 12's server side), played by Playwright in front of this one: the terminal
    sends the case with its Idempotency-Key only and the photos by the attachments POST."""
    context, page = phone()
    sign_in(page, t.officer)
    calls: list[tuple[str, str]] = []
    creates: list[object] = []

    def old_create(route):
        body = route.request.post_data_json if route.request.method == "POST" else None
        first = route.request.method == "POST" and not creates
        if route.request.method == "POST":
            creates.append(body)
        # Chromium now and then gives a route no body (playwright#9648, #26860): the first
        # create, which always carries client_id from a new terminal, is refused all the same.
        if (body and "client_id" in body) or (first and body is None):
            calls.append(("refused", "client_id"))
            unknown = {"client_id": ["未知字段:请删除,或检查字段名的拼写"]}
            route.fulfill(status=400, json={"code": "invalid", "message": "", "fields": unknown})
        else:
            route.continue_()

    def no_photo_route(route):
        calls.append(("refused", "PUT"))
        route.fulfill(status=404, json={"code": "not_found", "message": "未找到", "fields": {}})

    page.route("**/api/v1/cases/", old_create)
    page.route("**/api/v1/cases/*/photos/*/", no_photo_route)
    page.on("request", lambda r: calls.append((r.method, urlsplit(r.url).path)))
    fill_case(page, "旧服务器", photos=[camera_photo(11, (800, 600)), camera_photo(12, (640, 480))])
    page.click("#queue-case")
    wait_until(lambda: states(page) == ["sent"], 30, "the case sent the old way")
    case = Case.objects.get(title="旧服务器")
    assert case.state == "pending" and case.attachments.count() == 2
    assert not case.client_id  # the server never saw it: the Idempotency-Key carried it
    assert ("refused", "client_id") in calls and ("refused", "PUT") in calls
    posts = [p for m, p in calls if m == "POST" and p.endswith("/attachments/")]
    assert posts == [f"/api/v1/cases/{case.number}/attachments/"] * 2
