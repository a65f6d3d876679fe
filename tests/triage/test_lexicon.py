"""Keyword matching across width, separators, case and script variants."""
import pytest

from incident.triage.lexicon import Term, find_hits, normalize

TERMS = [Term("3·15", "complaint", 2), Term("12345", "complaint"), Term("报警", "police", 2),
         Term("sue", "legal", 2), Term("媒体", "media", 2)]


@pytest.mark.parametrize("text", ["3·15", "315", "3.15", "３·１５", "3 15", "3-15", "３．１５", "3・15"])
def test_315_variants_all_hit(text):
    assert [h["term"] for h in find_hits(f"我要去{text}投诉", TERMS)] == ["3·15"]


@pytest.mark.parametrize("text", ["13150001234", "订单号 2315", "3150元"])
def test_digits_inside_longer_numbers_do_not_hit(text):
    assert find_hits(text, TERMS) == []


def test_full_width_hotline_hits():
    assert find_hits("打１２３４５", TERMS)[0]["term"] == "12345"


def test_traditional_and_simplified():
    assert find_hits("他們說要報警", TERMS)[0]["term"] == "报警"
    assert find_hits("找媒體", TERMS)[0]["term"] == "媒体"


def test_english_word_boundaries():
    assert find_hits("We will SUE you", TERMS)[0]["term"] == "sue"
    assert find_hits("suede shoes", TERMS) == []


def test_counts_repeats():
    assert find_hits("报警！报警！", TERMS)[0]["count"] == 2


def test_normalize_is_idempotent():
    s = "３·１５ ＡＢＣ 報警"
    assert normalize(normalize(s)) == normalize(s)
