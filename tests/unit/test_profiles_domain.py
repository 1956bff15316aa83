"""The profile rules: usernames and their derivation from a name, bio, image, following."""

from __future__ import annotations

from itertools import islice

import pytest

from domain.errors import InvalidInput
from domain.users import (
    check_follow,
    check_username,
    derived_usernames,
    normalize_bio,
    normalize_image,
    username_key,
)


def first(name: str, n: int = 1) -> list[str]:
    return list(islice(derived_usernames(name), n))


# --- username -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "username", ["a", "Ann", "ann_smith", "ann-smith", "ann.smith", "A9", "x" * 40]
)
def test_a_username_of_1_to_40_letters_digits_underscores_dashes_and_dots_is_valid(
    username: str,
) -> None:
    assert check_username(username) == username


def test_a_username_is_kept_as_given_not_lower_cased() -> None:
    assert check_username("AnnSmith") == "AnnSmith"


@pytest.mark.parametrize(
    "username",
    ["", "x" * 41, "ann smith", " ann", "ann ", "ann@home", "ann/smith", "josé", "ann\n", "名前"],
)
def test_a_username_outside_the_rules_is_refused_on_the_username_field(username: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_username(username)
    assert list(raised.value.errors) == ["username"]


def test_usernames_are_compared_without_regard_to_case() -> None:
    assert username_key("Ann.Smith") == username_key("ann.SMITH") == "ann.smith"


# --- usernames derived from a name ----------------------------------------------------------


def test_a_derived_username_is_the_name_in_lower_case() -> None:
    assert first("Ann") == ["ann"]


def test_a_derived_username_drops_accents() -> None:
    assert first("José Müller") == ["jose_muller"]


def test_a_derived_username_folds_case_as_unicode_does() -> None:
    assert first("Groß") == ["gross"]


def test_a_letter_with_no_ascii_form_is_another_character() -> None:
    assert first("Łukasz Żółć") == ["ukasz_zo_c"]  # "other runs of characters become _"


def test_a_derived_username_makes_each_run_of_other_characters_one_underscore() -> None:
    assert first("O'Brien,  Pat -- Jr.") == ["o_brien_pat_jr"]


def test_a_derived_username_does_not_start_or_end_with_an_underscore() -> None:
    assert first("  (Ann)  ") == ["ann"]


def test_a_derived_username_keeps_digits() -> None:
    assert first("Agent 007") == ["agent_007"]


def test_when_the_name_is_taken_the_next_candidates_have_numeric_suffixes() -> None:
    assert first("Ann Smith", 4) == ["ann_smith", "ann_smith_2", "ann_smith_3", "ann_smith_4"]


@pytest.mark.parametrize("name", ["日本語", "---", "!!", "  "])
def test_a_name_with_nothing_ascii_left_gives_user_and_a_number(name: str) -> None:
    assert first(name, 3) == ["user_1", "user_2", "user_3"]


def test_a_derived_username_is_cut_to_40_characters() -> None:
    assert first("a" * 60) == ["a" * 40]


def test_a_suffixed_derived_username_stays_within_40_characters() -> None:
    candidates = first("a" * 60, 12)
    assert candidates[1] == "a" * 38 + "_2"
    assert candidates[11] == "a" * 37 + "_12"
    assert all(len(c) <= 40 for c in candidates)


def test_a_name_cut_at_40_characters_does_not_end_with_an_underscore() -> None:
    name = "a" * 39 + " b"
    assert first(name, 2) == ["a" * 39, "a" * 38 + "_2"]


def test_a_suffix_does_not_double_the_underscore_before_it() -> None:
    name = "a" * 37 + " bcd"
    assert first(name, 2)[1] == "a" * 37 + "_2"


@pytest.mark.parametrize("name", ["Ann Smith", "José Müller", "日本語", "x" * 100, "a" * 39 + " b"])
def test_every_derived_username_is_a_valid_lower_case_username(name: str) -> None:
    for candidate in first(name, 15):
        assert check_username(candidate) == candidate == candidate.lower()


# --- bio ------------------------------------------------------------------------------------


def test_an_empty_bio_clears_it() -> None:
    assert normalize_bio("") is None


@pytest.mark.parametrize("bio", ["x", "I write about *things*.\nDaily.", "x" * 1000])
def test_a_bio_of_1_to_1000_characters_is_kept_as_given(bio: str) -> None:
    assert normalize_bio(bio) == bio


def test_a_bio_longer_than_1000_characters_is_refused_on_the_bio_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_bio("x" * 1001)
    assert list(raised.value.errors) == ["bio"]


# --- image ----------------------------------------------------------------------------------


def test_an_empty_image_clears_it() -> None:
    assert normalize_image("") is None


@pytest.mark.parametrize(
    "image",
    [
        "http://example.com/ann.png",
        "https://cdn.example.com/a/b.jpg?size=80#top",
        "https://example.com:8443/ann.png",
        "HTTPS://EXAMPLE.COM/ANN.PNG",
    ],
)
def test_an_http_or_https_url_is_a_valid_image(image: str) -> None:
    assert normalize_image(image) == image


def test_an_image_url_of_2000_characters_is_accepted() -> None:
    image = "https://example.com/" + "a" * (2000 - len("https://example.com/"))
    assert normalize_image(image) == image


@pytest.mark.parametrize(
    "image",
    [
        "https://example.com/" + "a" * (2001 - len("https://example.com/")),
        "javascript:alert(1)",
        "JavaScript://example.com/%0aalert(1)",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://example.com/ann.png",
        "file:///etc/passwd",
        "//example.com/ann.png",
        "/ann.png",
        "example.com/ann.png",
        "http://",
        "https:///ann.png",
        "http://[::1",
        "https://example.com/a b.png",
        " https://example.com/ann.png",
        "https://example.com/\nann.png",
        "https://example.com/\x00.png",
    ],
)
def test_anything_but_an_http_or_https_url_is_refused_on_the_image_field(image: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_image(image)
    assert list(raised.value.errors) == ["image"]


# --- following ------------------------------------------------------------------------------


def test_anybody_may_follow_somebody_else() -> None:
    check_follow(1, 2)


def test_nobody_may_follow_themself() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_follow(3, 3)
    assert list(raised.value.errors) == ["username"]
