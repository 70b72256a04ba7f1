"""What the featurizer masks before it sees words: links, handles and numbers in any format."""

from __future__ import annotations

import pytest

from models.language import clean_text


@pytest.mark.parametrize(
    "text",
    [
        "1 250 m² toimistolle",
        "1250 m² toimistolle",
        "1,250 m² toimistolle",
        "1.250 m² toimistolle",
    ],
)
def test_a_number_is_one_token_whatever_its_thousands_separator(text):
    assert clean_text(text) == "0 m² toimistolle"


def test_numbers_next_to_each_other_stay_apart_unless_grouped_in_thousands():
    assert clean_text("3 kpl 12 000 e") == "0 kpl 0 e"
    assert clean_text("14 vans, 2026") == "0 vans, 0"
    assert clean_text("tel 010 555 2211") == "tel 0 0"  # 2211 is no thousands group


def test_links_and_handles_are_masked():
    assert clean_text("@mikko_h see https://t.co/Ab12") == " @user  see  httpurl "
