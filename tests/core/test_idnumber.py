"""Tests for jisheng.core.idnumber: GB 11643-1999 checks and masking (no database)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db.migrations.serializer import serializer_factory
from django.utils.functional import Promise

from jisheng.core.idnumber import (
    MESSAGES,
    IdNumberValidator,
    birth_date_from_id,
    id_number_check_digit,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    sex_from_id,
    validate_id_number,
)

# The worked example printed in GB 11643-1999 itself.
PUBLISHED_EXAMPLE = "11010519491231002X"
TODAY = datetime.date(2025, 6, 30)


def complete(first17: str) -> str:
    """Return first17 followed by its check character."""
    return first17 + id_number_check_digit(first17)


MAN = complete("37040419850317001")  # 17th digit 1: male
WOMAN = complete("37040420010228002")  # 17th digit 2: female


def error_code(
    value: str, *, sex: str | None = None, birth_date: datetime.date | None = None
) -> str | None:
    """Return the code of the ValidationError raised for value."""
    with pytest.raises(ValidationError) as caught:
        validate_id_number(value, sex=sex, birth_date=birth_date, today=TODAY)
    return caught.value.code


def test_published_example_is_valid() -> None:
    assert id_number_check_digit(PUBLISHED_EXAMPLE[:17]) == "X"
    assert validate_id_number(PUBLISHED_EXAMPLE, today=TODAY) == PUBLISHED_EXAMPLE
    assert birth_date_from_id(PUBLISHED_EXAMPLE) == datetime.date(1949, 12, 31)
    assert sex_from_id(PUBLISHED_EXAMPLE) == "F"


def test_computed_samples_are_valid() -> None:
    assert validate_id_number(MAN, sex="M", today=TODAY) == MAN
    assert validate_id_number(WOMAN, sex="F", today=TODAY) == WOMAN
    assert sex_from_id(MAN) == "M"
    assert birth_date_from_id(WOMAN) == datetime.date(2001, 2, 28)


def test_lower_case_x_is_normalised() -> None:
    assert normalize_id_number("11010519491231002x") == PUBLISHED_EXAMPLE
    assert validate_id_number("11010519491231002x", today=TODAY) == PUBLISHED_EXAMPLE


def test_full_width_characters_and_spaces_are_normalised() -> None:
    typed = " １１０１０５ １９４９１２３１　００２ｘ\n"
    assert normalize_id_number(typed) == PUBLISHED_EXAMPLE
    assert validate_id_number(typed, today=TODAY) == PUBLISHED_EXAMPLE


def test_wrong_length_is_refused() -> None:
    assert error_code("") == "length"
    assert error_code(PUBLISHED_EXAMPLE[:17]) == "length"
    assert error_code(PUBLISHED_EXAMPLE + "1") == "length"
    # First-generation 15-digit numbers are no longer valid identity card numbers.
    assert error_code("110105491231002") == "length"


def test_letters_and_foreign_digits_are_refused_as_format() -> None:
    assert error_code("1101051949123100XX") == "format"
    assert error_code("X1010519491231002X") == "format"
    assert error_code("11010519491231002Y") == "format"
    # Arabic-Indic digits are Unicode digits but not valid on an ID card.
    assert error_code("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X") == "format"


def test_unknown_province_is_refused() -> None:
    assert error_code(complete("99010519491231002")) == "region"
    assert error_code(complete("16010519491231002")) == "region"
    assert error_code(complete("72010519491231002")) == "region"


def test_prefix_ending_in_00_is_refused() -> None:
    assert error_code(complete("37040019850317001")) == "region"
    assert error_code(complete("37000019850317001")) == "region"


def test_residence_permit_prefixes_are_accepted() -> None:
    for prefix in ("810000", "820000", "830000"):
        number = complete(prefix + "19850317001")
        assert validate_id_number(number, today=TODAY) == number


def test_every_listed_province_is_accepted() -> None:
    provinces = [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47)]
    provinces += [*range(50, 55), *range(61, 66), 71, 81, 82]
    for province in provinces:
        number = complete(f"{province:02d}010219850317001")
        assert validate_id_number(number, today=TODAY) == number


def test_impossible_birth_date_is_refused() -> None:
    assert error_code(complete("37040419850230001")) == "birth_date"
    assert error_code(complete("37040419851301001")) == "birth_date"
    assert error_code(complete("37040420230229001")) == "birth_date"


def test_birth_date_before_1900_is_refused() -> None:
    assert error_code(complete("37040418991231001")) == "birth_date"
    number = complete("37040419000101001")
    assert validate_id_number(number, today=TODAY) == number


def test_birth_date_after_today_is_refused() -> None:
    assert error_code(complete("37040420250701001")) == "birth_date"
    born_today = complete("37040420250630001")
    assert validate_id_number(born_today, today=TODAY) == born_today


def test_wrong_check_digit_is_refused() -> None:
    wrong = "0" if PUBLISHED_EXAMPLE[-1] != "0" else "1"
    assert error_code(PUBLISHED_EXAMPLE[:17] + wrong) == "check_digit"
    digit = MAN[-1]
    other = "X" if digit != "X" else "0"
    assert error_code(MAN[:17] + other) == "check_digit"


def test_swapped_digits_are_caught_by_the_check_digit() -> None:
    swapped = MAN[:2] + MAN[3] + MAN[2] + MAN[4:]  # 370404 -> 374004, still a valid region
    assert swapped[:17] != MAN[:17]
    assert error_code(swapped) == "check_digit"


def test_sex_mismatch_is_refused() -> None:
    assert error_code(MAN, sex="F") == "sex_mismatch"
    assert error_code(PUBLISHED_EXAMPLE, sex="M") == "sex_mismatch"


def test_birth_date_mismatch_is_refused() -> None:
    assert error_code(MAN, birth_date=datetime.date(1985, 3, 18)) == "birth_date_mismatch"
    matching = validate_id_number(MAN, birth_date=datetime.date(1985, 3, 17), today=TODAY)
    assert matching == MAN


def test_unknown_sex_argument_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="sex"):
        validate_id_number(MAN, sex="male", today=TODAY)


def test_earlier_checks_win_over_later_ones() -> None:
    # Bad region and bad check digit: the region is reported.
    assert error_code("99010519491231002" + "0") == "region"
    # Bad birth date and sex mismatch: the birth date is reported.
    assert error_code(complete("37040419850230001"), sex="F") == "birth_date"


def test_default_today_accepts_past_birth_dates() -> None:
    assert validate_id_number(PUBLISHED_EXAMPLE) == PUBLISHED_EXAMPLE


def test_every_error_has_a_lazy_translated_message() -> None:
    expected = {
        "length",
        "format",
        "region",
        "birth_date",
        "check_digit",
        "sex_mismatch",
        "birth_date_mismatch",
    }
    assert set(MESSAGES) == expected
    assert all(isinstance(message, Promise) for message in MESSAGES.values())
    with pytest.raises(ValidationError) as caught:
        validate_id_number("123", today=TODAY)
    assert caught.value.message is MESSAGES["length"]


def test_check_digit_needs_seventeen_ascii_digits() -> None:
    for bad in ("", "1101051949123100", "110105194912310021", "1101051949123100X"):
        with pytest.raises(ValueError, match="17"):
            id_number_check_digit(bad)


def test_birth_date_and_sex_helpers_refuse_malformed_numbers() -> None:
    with pytest.raises(ValueError, match="18"):
        sex_from_id("12345")
    with pytest.raises(ValueError, match="date"):
        birth_date_from_id(complete("37040419850230001"))


def test_validator_accepts_valid_and_refuses_invalid_numbers() -> None:
    validator = IdNumberValidator()
    validator(PUBLISHED_EXAMPLE)
    with pytest.raises(ValidationError) as caught:
        validator(PUBLISHED_EXAMPLE[:17] + "0")
    assert caught.value.code == "check_digit"


def test_validator_deconstructs_for_migrations() -> None:
    code, imports = serializer_factory(IdNumberValidator()).serialize()
    assert code == "jisheng.core.idnumber.IdNumberValidator()"
    assert imports == {"import jisheng.core.idnumber"}
    assert IdNumberValidator() == IdNumberValidator()
    assert hash(IdNumberValidator()) == hash(IdNumberValidator())
    assert IdNumberValidator() != object()


def test_mask_id_number_keeps_region_and_last_four() -> None:
    assert mask_id_number("37040419850317123X") == "370404********123X"
    assert mask_id_number("37040419850317123x") == "370404********123X"
    assert mask_id_number(PUBLISHED_EXAMPLE) == "110105********002X"


def test_mask_id_number_hides_all_but_last_four_of_other_lengths() -> None:
    assert mask_id_number("110105491231002") == "***********1002"
    assert mask_id_number("") == ""
    # Too short to show anything without showing all of it.
    assert mask_id_number("1234") == "****"


def test_mask_phone_shows_operator_prefix_and_last_four() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("138 1234 1234") == "138****1234"
    assert mask_phone("0632-7712345") == "*******2345"
    assert mask_phone("") == ""
