"""Entering a case: drafts, submit, on-the-spot closing, parties, photos and position."""

import io

import pytest
from django.conf import settings

from gridcase.cases.models import Case
from tests.factories import CLOSE_DISPUTE
from tests.web.test_english_pages import chinese_in

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


def form_data(**overrides) -> dict:
    data = {
        "category": "dispute",
        "title": "围墙纠纷",
        "occurred_at": "2026-10-14T08:30",
        "location": "东村3组",
        "latitude": "",
        "longitude": "",
        "persons": "张三、李四",
        "cause": "宅基地边界",
        "course": "两家因围墙位置争执",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-0-name": "张三",
        "parties-0-phone": "13800138001",
        "parties-1-name": "李四",
        "parties-1-phone": "0731-84561234",
        "parties-2-name": "",
        "parties-2-phone": "",
        "intent": "submit",
    }
    data.update(overrides)
    return data


def test_the_form_shows_three_party_rows_and_the_camera_input(login, t, frozen):
    page = login(t.officer).get("/cases/new/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('name="parties-') >= 6 + 4  # three rows of two, plus the management form
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "data-locate" in html and 'name="latitude"' in html


def test_only_officers_enter_cases(login, t, frozen):
    response = login(t.station_user).get("/cases/new/")
    assert response.status_code == 403
    assert "只有网格专管员可以录入事件" in response.content.decode()


def test_officer_submits_a_complete_dispute(login, t, frozen):
    response = login(t.officer).post("/cases/new/", form_data())
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.number}/"
    assert (case.state, case.level, case.category) == ("pending", "grid", "dispute")
    assert [(p.name, p.phone) for p in case.parties.all()] == [
        ("张三", "13800138001"),
        ("李四", "0731-84561234"),
    ]
    assert case.occurred_at.hour == 0 and case.occurred_at.minute == 30  # 08:30 Shanghai in UTC


def test_missing_elements_are_named_next_to_their_fields_and_the_draft_is_kept(login, t, frozen):
    data = form_data(cause="", **{"parties-1-name": "", "parties-1-phone": ""})
    response = login(t.officer).post("/cases/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "缺少起因" in html and "矛盾纠纷需要至少两方当事人" in html
    assert response.context["form"].errors["cause"] == ["缺少起因"]
    assert response.context["party_errors"]
    case = Case.objects.get()
    assert case.state == "draft" and case.location == "东村3组"
    # The page now edits that draft: the next post goes to its edit URL, nothing typed is lost.
    assert f'action="/cases/{case.number}/edit/"' in html
    assert "两家因围墙位置争执" in html and 'value="13800138001"' in html


def test_a_bad_phone_number_takes_the_same_path_as_a_missing_element(login, t, frozen):
    # One error path (issue 14): the draft is saved, the photo kept, every problem listed at
    # once next to its field, and what was typed stays in the form to be corrected.
    photo = io.BytesIO(PNG)
    photo.name = "现场.png"
    data = form_data(intent="submit", cause="", **{"parties-0-phone": "12345"})
    data["photos"] = [photo]
    response = login(t.officer).post("/cases/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "不是有效号码" in html and 'value="12345"' in html
    assert response.context["form"].errors["cause"] == ["缺少起因"]
    # Two sides were typed: the wrong number does not also count as a missing party.
    assert "矛盾纠纷需要至少两方当事人" not in html
    case = Case.objects.get()
    assert case.state == "draft" and case.location == "东村3组"
    assert [p.name for p in case.parties.all()] == ["李四"]  # the wrong row is not kept
    assert [a.original_name for a in case.attachments.all()] == ["现场.png"]
    assert f'action="/cases/{case.number}/edit/"' in html
    # Corrected, it goes in.
    client = login(t.officer)
    response = client.post(f"/cases/{case.number}/edit/", form_data(intent="submit"))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "pending" and case.attachments.count() == 1
    assert [p.phone for p in case.parties.order_by("pk")] == ["13800138001", "0731-84561234"]


def test_save_a_draft_then_complete_and_submit_it(login, t, frozen):
    client = login(t.officer)
    response = client.post("/cases/new/", form_data(intent="save", cause="", course=""))
    case = Case.objects.get()
    assert response.url == f"/cases/{case.number}/edit/"
    page = client.get(response.url)
    assert page.status_code == 200 and "东村3组" in page.content.decode()
    response = client.post(f"/cases/{case.number}/edit/", form_data())
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == "pending" and case.cause == "宅基地边界"
    # A submitted case is no longer a draft to edit.
    assert client.get(f"/cases/{case.number}/edit/").status_code == 302


def test_add_a_party_row_without_javascript(login, t, frozen):
    response = login(t.officer).post("/cases/new/", form_data(intent="add_party"))
    assert response.status_code == 200
    assert 'name="parties-3-name"' in response.content.decode()
    assert not Case.objects.exists()


def test_the_htmx_party_row(login, t, frozen):
    response = login(t.officer).get("/cases/party-row/?index=3", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'name="parties-3-name"' in html and 'value="4"' in html and "hx-swap-oob" in html


def test_handle_on_the_spot_needs_the_mediation_record(login, t, frozen):
    client = login(t.officer)
    response = client.post("/cases/new/", form_data(intent="on_spot", **{"close-result": "已调解"}))
    assert response.status_code == 400
    assert response.context["close"].errors["mediator"] == ["缺少调解人"]
    case = Case.objects.get()
    assert case.state == "draft"  # the submit was rolled back with the refused close
    close = {f"close-{k}": v for k, v in CLOSE_DISPUTE.items() if k != "agreement_terms"}
    close["close-agreement_terms"] = "\n".join(CLOSE_DISPUTE["agreement_terms"])
    response = client.post(f"/cases/{case.number}/edit/", form_data(intent="on_spot", **close))
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.closed_level, case.local_outcome) == ("closed", "grid", "closed")
    assert case.agreement_terms == CLOSE_DISPUTE["agreement_terms"]
    assert case.render_mediation().startswith("由王调解进行调解,双方当事人达成书面协议:1.")


def test_photos_and_position_are_saved_with_the_draft(login, t, frozen):
    photo = io.BytesIO(PNG)
    photo.name = "现场.png"
    data = form_data(intent="save", latitude="28.123456", longitude="112.654321")
    data["photos"] = [photo]
    response = login(t.officer).post("/cases/new/", data)
    assert response.status_code == 302
    case = Case.objects.get()
    assert str(case.latitude) == "28.123456" and str(case.longitude) == "112.654321"
    assert [a.original_name for a in case.attachments.all()] == ["现场.png"]


def test_a_file_that_is_not_a_photo_is_refused_by_name_but_the_draft_is_kept(login, t, frozen):
    fake = io.BytesIO(b"not a png at all")
    fake.name = "x.png"
    data = form_data(intent="submit")
    data["photos"] = [fake]
    response = login(t.officer).post("/cases/new/", data)
    assert response.status_code == 400
    assert "内容与其类型不符" in response.content.decode()
    case = Case.objects.get()
    assert case.state == "draft" and not case.attachments.exists()


def test_entry_page_query_count(login, t, frozen, django_assert_num_queries, layout_queries):
    client = login(t.officer)
    # session, user, roles; the villages and grids one may choose; the point picker's box
    # (the grids' boundaries, else the villages')
    with django_assert_num_queries(7 + layout_queries(t.officer)):
        assert client.get("/cases/new/").status_code == 200


def test_draft_edit_page_query_count(login, t, frozen, django_assert_num_queries, layout_queries):
    from gridcase.cases import filing

    draft = filing.case_create_draft(town=t.town, by=t.officer, data={"location": "东村"})
    client = login(t.officer)
    client.get(f"/cases/{draft.number}/edit/")
    # session, user, case, roles, parties, attachments; the grids of its village; the point
    # picker's box (their boundaries)
    with django_assert_num_queries(8 + layout_queries(t.officer)):
        assert client.get(f"/cases/{draft.number}/edit/").status_code == 200


def test_login_page_query_count(client, t, django_assert_num_queries, layout_queries):
    with django_assert_num_queries(0 + layout_queries()):
        assert client.get("/accounts/login/").status_code == 200


def test_the_form_keeps_the_fixs_accuracy_and_drops_it_without_a_point(login, t, frozen):
    point = {"latitude": "28.123456", "longitude": "112.654321"}
    client = login(t.officer)
    first = form_data(location_accuracy="0", location_mock="False", intent="save", **point)
    client.post("/cases/new/", first)  # a draft, to open again
    client.post("/cases/new/", form_data(location_accuracy="12.34"))  # the point was cleared
    client.post("/cases/new/", form_data(location_accuracy="-3", **point))  # tampered: unknown
    fixes = [(c.location_accuracy, c.location_mock) for c in Case.objects.order_by("pk")]
    assert fixes == [(0, False), (None, False), (None, False)]
    edit = client.get(f"/cases/{Case.objects.order_by('pk').first().number}/edit/")
    assert 'name="location_accuracy" value="0.00"' in edit.content.decode()


# --- in English (issue 14) --------------------------------------------------------------------


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def latin(**overrides) -> dict:
    """The form of test_officer_submits_a_complete_dispute, typed in Latin letters."""
    typed = {
        "title": "Fence dispute",
        "location": "East village, lane 3",
        "persons": "Zhang San, Li Si",
        "cause": "Where the yards meet",
        "course": "Two neighbours argue over the fence",
        "parties-0-name": "Zhang San",
        "parties-1-name": "Li Si",
    }
    return form_data(**(typed | overrides))


def test_in_english_a_refused_submit_names_each_missing_element_in_english(login, t, frozen):
    data = latin(cause="", **{"parties-1-name": "", "parties-1-phone": ""})
    response = english(login(t.officer)).post("/cases/new/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert response.context["form"].errors["cause"] == ["Missing: Cause"]
    assert response.context["party_errors"] == ["A dispute needs at least two parties"]
    assert "Cannot be submitted. Missing: Cause;A dispute needs at least two parties" in html
    # The village and grid names of the test town are Chinese: the page is read without them.
    shown = html.replace(t.village.name, "").replace(t.grid.name, "")
    assert not chinese_in(shown)
    assert Case.objects.get().state == "draft"


def test_in_english_a_wrong_phone_and_the_on_spot_record_are_named_in_english(login, t, frozen):
    data = latin(intent="on_spot", **{"parties-1-phone": "123"})
    response = english(login(t.officer)).post("/cases/new/", data)
    assert response.status_code == 400
    assert response.context["party_errors"] == [
        "Party 2, Li Si: “123” is not a valid phone number (an 11-digit mobile number, or a "
        "landline with its area code)"
    ]
    # Corrected, the on-the-spot closing still lacks its record: each field says so.
    case = Case.objects.get()
    edit = f"/cases/{case.number}/edit/"
    response = english(login(t.officer)).post(edit, latin(intent="on_spot"))
    assert response.status_code == 400
    close = response.context["close"]
    assert close.errors["result"] == ["Missing: Result"]
    assert close.errors["mediator"] == ["Missing: Mediator"]
    assert response.context["errors"][0].startswith("Cannot be closed. Missing: Result;")
    case.refresh_from_db()
    assert case.state == "draft"


def test_in_chinese_the_same_refusal_stays_chinese(login, t, frozen):
    response = login(t.officer).post("/cases/new/", latin(cause=""))
    assert response.context["form"].errors["cause"] == ["缺少起因"]
    assert response.context["errors"] == ["不能提交,缺少以下要素:缺少起因"]


def test_in_english_a_wrong_photo_and_a_wrong_major_mark_are_named_in_english(login, t, frozen):
    fake = io.BytesIO(b"not a png at all")
    fake.name = "x.png"
    data = latin(intent="save")
    data["photos"] = [fake]
    response = english(login(t.officer)).post("/cases/new/", data)
    assert response.status_code == 400
    assert response.context["photo_errors"] == [
        "The content of the file “x.png” does not match its type"
    ]
    response = english(login(t.officer)).post("/cases/new/", latin(category="other", major="on"))
    assert response.status_code == 400
    assert response.context["form"].errors["major"] == [
        "Only disputes and security hazards can be major"
    ]
