"""What a phone types into a snapshot's figures: full-width digits count, other digit-like
characters are a field-named refusal (never a 500 from int())."""
from __future__ import annotations

import pytest

from incident.errors import ValidationError
from incident.opinion import inputs


def test_full_width_digits_are_a_number():
    assert inputs.counts({"reposts": "５２０"})["reposts"] == 520
    assert inputs.counts({"reads": " 12000 "})["reads"] == 12000


@pytest.mark.parametrize("raw", ["²", "5²", "①", "-5", "1,200", "3.5", "五百"])
def test_digit_like_text_is_refused_naming_the_field(raw):
    with pytest.raises(ValidationError) as e:
        inputs.counts({"reposts": raw})
    assert e.value.field == "reposts"


def test_a_bad_web_address_is_refused_without_the_raw_field_key():
    with pytest.raises(ValidationError) as e:
        inputs.url("ftp://x")
    assert e.value.field == "url"
    assert not e.value.message.lower().startswith("url")    # the English screen showed "url must be…"
    assert "web address" in e.value.message
