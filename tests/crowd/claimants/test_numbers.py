"""Numbers as people type them: widths, separators, +86; mobiles, landlines, GB 11643 IDs, spreadsheet numbers."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from incident.crowd.claimants import numbers
from incident.crowd.claimants.models import Claimant
from incident.errors import ValidationError
from tests.crowd.helpers import crowd_incident

P = "/api/v1/incidents/{}/claimants"


@pytest.mark.parametrize("typed", ["13812345678", "１３８１２３４５６７８", "138 1234 5678", "138-1234-5678",
                                   "+86 138 1234 5678", "0086-13812345678", "（138）1234—5678", 13812345678,
                                   13812345678.0, "＋８６　１３８１２３４５６７８"])
def test_a_mobile_however_typed_is_one_number(typed):
    assert numbers.phone_kind(typed) == ("mobile", "13812345678")


@pytest.mark.parametrize("typed, digits", [("010-12345678", "01012345678"), ("0755 2345678", "07552345678"),
                                           ("（０２１）６２３４５６７８", "02162345678"), ("0571-88888888", "057188888888")])
def test_a_landline_with_its_area_code_is_a_landline(typed, digits):
    assert numbers.phone_kind(typed) == ("landline", digits)


@pytest.mark.parametrize("typed, digits", [("1381234567", 10), ("138-1234-56789", 12), ("12345", 5),
                                           ("12012345678", 11), ("62345678", 8), ("010-123", 6),
                                           ("138１２３4567８9", 12)])
def test_wrong_lengths_and_prefixes_are_refused_with_the_reason(typed, digits):
    with pytest.raises(ValidationError) as err:
        numbers.phone(typed)
    assert err.value.field == "phone" and err.value.details.get("digits") == digits, err.value.message


def test_letters_and_blank_are_not_phones():
    for typed, reason in (("138abc45678", "invalid"), ("  ", "required"), ("+86", "required")):
        with pytest.raises(ValidationError) as err:
            numbers.phone(typed)
        assert err.value.details["reason"] == reason


def test_id_numbers_gb11643():
    assert numbers.id_number("110105199001011232") == "110105199001011232"
    assert numbers.id_number("１１０１０５１９９００１０１１２３２") == "110105199001011232"
    assert numbers.id_number("11010519491231002x") == "11010519491231002X"
    assert numbers.id_number("110105 1990 0101 1232") == "110105199001011232"
    assert numbers.id_number("110105900101123") == "110105900101123"  # the old 15-digit form
    assert numbers.id_number("") == "" and numbers.id_number(None) == ""
    for typed, reason in (("110105199001011234", "check_digit"), ("11010519900101123", "invalid"),
                          ("11010519901301123" + numbers.check_digit("11010519901301123"), "invalid"), ("ABC", "invalid"),
                          (110105199001011232, "spreadsheet_number"), (1.10105199001011e17, "spreadsheet_number"),
                          ("1.10105E+17", "spreadsheet_number"), (110105900101123, "spreadsheet_number")):
        with pytest.raises(ValidationError) as err:
            numbers.id_number(typed)
        assert err.value.details["reason"] == reason, (typed, err.value.message)
    with pytest.raises(ValidationError) as err:
        numbers.id_number(110105199001011232)
    assert "format the column as text" in err.value.message


def test_half_and_full_width_phone_is_one_claimant_on_add_and_edit(session, api_as):
    inc, leader = crowd_incident(session)
    api = api_as(leader)
    assert api.post(P.format(inc.id), {"name": "甲", "unit": "3-1-1201", "phone": "13812345678"}).status_code == 201
    r = api.post(P.format(inc.id), {"name": "乙", "unit": "3-1-1202", "phone": "１３８１２３４５６７８"})
    assert r.status_code == 400 and r.get_json()["field"] == "phone"
    r = api.post(P.format(inc.id), {"name": "乙", "unit": "3-1-1202", "phone": "１３９ ０００ ０００００"})
    assert r.status_code == 201 and r.get_json()["phone"] == "139****0000"
    second = r.get_json()
    r = api.patch(f"{P.format(inc.id)}/{second['id']}", {"phone": "+86 138-1234-5678", "version": second["version"]})
    assert r.status_code == 400 and r.get_json()["field"] == "phone"
    r = api.patch(f"{P.format(inc.id)}/{second['id']}", {"phone": "1391234567", "version": second["version"]})
    assert r.status_code == 400 and r.get_json()["field"] == "phone"
    r = api.patch(f"{P.format(inc.id)}/{second['id']}", {"id_number": "110105199001011234",
                                                          "version": second["version"]})
    assert r.status_code == 400 and r.get_json()["field"] == "id_number"
    assert "校验" in r.get_json()["message_local"]
    r = api.patch(f"{P.format(inc.id)}/{second['id']}", {"phone": "010-6234 5678", "version": second["version"]})
    assert r.status_code == 200, r.get_json()
    session.rollback()
    assert session.scalar(select(func.count(Claimant.id)).where(Claimant.incident_id == inc.id)) == 2


@pytest.mark.parametrize("typed,digits", [("１３８１２３４５６７８", "13812345678"), ("+86 138-1234-5678", "13812345678"),
                                          ("０１０－６２３４　５６７８", "01062345678")])
def test_intake_contacts_and_outside_seat_holders_take_phones_through_the_one_normaliser(session, typed, digits):
    """Every place a phone is taken (claimants, self-registration, intake contacts, outside seat holders)."""
    from incident.enums import Seat
    from incident.intake.schema import parse_intake
    from incident.taskgroup.holders import parse_holder
    from tests.factories import intake_data
    assert parse_intake(intake_data(contacts=[{"name": "刘先生", "phone": typed}])).contacts[0].phone == digits
    assert parse_holder(session, {"outside_name": "陈阿姨", "outside_phone": typed}, Seat.AUXILIARY).phone == digits


@pytest.mark.parametrize("typed,reason", [("1391234567", "10"), ("138-1234-56789", "12"), ("12345", "5"),
                                          ("95588", "5")])
def test_intake_contacts_and_outside_seat_holders_refuse_what_is_not_a_phone(session, typed, reason):
    from incident.enums import Seat
    from incident.i18n import Translator
    from incident.intake.schema import parse_intake
    from incident.labels import field_label
    from incident.taskgroup.holders import parse_holder
    from tests.factories import intake_data
    with pytest.raises(ValidationError) as err:
        parse_intake(intake_data(contacts=[{"name": "刘先生", "phone": typed}]))
    assert err.value.field == "contacts[0].phone" and f"{reason} digits" in err.value.message
    tr = Translator("zh_CN")
    assert f"{reason} 位" in err.value.localized(tr, field_label(tr, err.value.field))
    with pytest.raises(ValidationError) as err:
        parse_holder(session, {"outside_name": "陈阿姨", "outside_phone": typed}, Seat.AUXILIARY)
    assert err.value.field == "outside_phone"
