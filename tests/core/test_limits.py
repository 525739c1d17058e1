"""The text limits have one home: the columns, the services, the ledger and the forms agree."""

from __future__ import annotations

import pytest

from gridcase.cases.models import Case, Party
from gridcase.core import limits
from gridcase.ledger import columns
from gridcase.org.models import Grid, Town, Unit, User, Village
from gridcase.web.forms import CaseForm


@pytest.mark.parametrize(
    ("model", "field", "limit"),
    [
        (Case, "number", limits.CASE_NUMBER),
        (Case, "title", limits.TITLE),
        (Case, "location", limits.LOCATION),
        (Case, "mediator", limits.MEDIATOR),
        (Case, "void_reason", limits.VOID_REASON),
        (Case, "quality_note", limits.QUALITY_NOTE),
        (Party, "name", limits.PARTY_NAME),
        (Party, "phone", limits.PARTY_PHONE),
        (Town, "name", limits.PLACE_NAME),
        (Town, "code", limits.TOWN_CODE),
        (Village, "name", limits.PLACE_NAME),
        (Grid, "name", limits.PLACE_NAME),
        (Unit, "name", limits.PLACE_NAME),
        (User, "display_name", limits.PERSON_NAME),
        (User, "phone", limits.PHONE),
        (User, "username", limits.USERNAME),
    ],
)
def test_a_column_holds_exactly_what_its_limit_lets_in(model, field, limit):
    assert model._meta.get_field(field).max_length == limit


def test_a_ledger_column_is_never_longer_than_the_column_it_fills():
    for key, column in (("case_no", "number"), ("location", "location"), ("mediator", "mediator")):
        assert columns.LIMITS[key] == Case._meta.get_field(column).max_length
    assert columns.LIMITS["village"] == Village._meta.get_field("name").max_length
    assert columns.LIMITS["officer"] == User._meta.get_field("display_name").max_length


def test_the_case_form_lets_in_what_the_services_let_in():
    form = CaseForm()
    for field, limit in limits.CASE_TEXT.items():
        assert form.fields[field].max_length == limit


@pytest.mark.django_db
def test_a_persons_name_longer_than_its_column_is_refused_in_words(t):
    from gridcase.core.errors import ServiceError
    from gridcase.org import services

    with pytest.raises(ServiceError) as refused:
        services.person_update(
            by=t.admin_user,
            town=t.town,
            person=t.officer,
            display_name="张" * (limits.PERSON_NAME + 1),
            phone="",
        )
    assert refused.value.fields == {"display_name": [f"最多{limits.PERSON_NAME}字"]}
