"""The post rules of issue 17: slugs, summaries, tags, and an ETag that counts do not move."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

import pytest
from attrs import evolve

from domain.errors import InvalidInput
from domain.posts import (
    Author,
    Post,
    check_summary,
    normalize_tags,
    slug_candidates,
    slug_of,
)
from tests.factories import LATER, make_post, write_post

ANN = Author(id=1, name="Ann", username="ann")


def stored_post(**overrides: object) -> Post:
    values: dict[str, object] = {"id": 10, "published": True, "slug": "hello"}
    values.update(overrides)
    return make_post(ANN, **values)


def edit(post: Post, **changes: object) -> Post:
    values: dict[str, object] = {"title": None, "content": None, "published": None, "now": LATER}
    values.update(changes)
    return post.edit(**values)


# --- slugs ----------------------------------------------------------------------------------


def test_a_slug_is_the_titles_lower_case_words_joined_by_dashes() -> None:
    assert slug_of("Hello, World: A Tale!") == "hello-world-a-tale"


def test_a_slug_drops_accents() -> None:
    assert slug_of("Crème Brûlée à Paris") == "creme-brulee-a-paris"


def test_a_slug_folds_case_as_unicode_does() -> None:
    assert slug_of("Straße ﬁnance İstanbul") == "strasse-finance-istanbul"


def test_a_letter_with_no_ascii_form_parts_the_words_around_it() -> None:
    assert slug_of("Łódź Żółć Æsir") == "odz-zo-c-sir"  # not "zoc": ł is no letter dropped


def test_invisible_formatting_inside_a_word_leaves_it_whole() -> None:
    assert slug_of("Inter\u00adnational co\u200boperation\ufeff") == "international-cooperation"


def test_a_slug_keeps_digits() -> None:
    assert slug_of("Top 10 of 2026") == "top-10-of-2026"


def test_a_slug_has_no_leading_trailing_or_double_dashes() -> None:
    assert slug_of("  --Hello -- World--  ") == "hello-world"


@pytest.mark.parametrize("title", ["日本語", "!!!", "—", " "])
def test_a_title_with_nothing_ascii_left_gives_the_slug_post(title: str) -> None:
    assert slug_of(title) == "post"


def test_a_long_title_gives_a_slug_of_whole_words_within_80_characters() -> None:
    title = " ".join(["word"] * 30)  # "word-word-..." is 149 characters
    slug = slug_of(title)
    assert slug == "-".join(["word"] * 16)  # 79 characters: a 17th word would pass 80
    assert len(slug) <= 80


def test_a_slug_may_be_exactly_80_characters() -> None:
    title = "a" * 39 + " " + "b" * 40
    assert slug_of(title) == "a" * 39 + "-" + "b" * 40


def test_a_first_word_longer_than_80_characters_is_cut_to_80() -> None:
    assert slug_of("x" * 120 + " tail") == "x" * 80


def test_slug_candidates_are_the_slug_then_numbered_from_2() -> None:
    assert list(islice(slug_candidates("hello"), 4)) == ["hello", "hello-2", "hello-3", "hello-4"]


def test_slug_candidates_may_start_further_on() -> None:
    assert list(islice(slug_candidates("hello", first=5), 2)) == ["hello-5", "hello-6"]


def test_numbered_slug_candidates_stay_within_80_characters() -> None:
    candidates = list(islice(slug_candidates("x" * 80), 12))
    assert candidates[:2] == ["x" * 80, "x" * 78 + "-2"]
    assert candidates[11] == "x" * 77 + "-12"
    assert all(len(c) <= 80 for c in candidates)


def test_a_numbered_slug_candidate_does_not_double_the_dash_before_the_number() -> None:
    base = "a" * 77 + "-bc"  # cut to 78 characters for "-2", it would end in "-"
    assert list(islice(slug_candidates(base), 2))[1] == "a" * 77 + "-2"


def test_the_reserved_slug_feed_is_never_a_candidate() -> None:
    """`GET /api/articles/feed` is RealWorld's feed: an article slugged `feed` would be lost."""
    assert slug_of("Feed!") == "feed"  # the base, as for any title
    assert list(islice(slug_candidates("feed"), 3)) == ["feed-2", "feed-3", "feed-4"]
    assert list(islice(slug_candidates("feed", first=2), 2)) == ["feed-2", "feed-3"]


@pytest.mark.parametrize("title", ["Feed 2", "Feeds", "The feed", "Feed the cat"])
def test_titles_around_feed_keep_their_slugs(title: str) -> None:
    slug = slug_of(title)
    assert next(slug_candidates(slug)) == slug != "feed"


# --- summary --------------------------------------------------------------------------------


@pytest.mark.parametrize("summary", ["", "x", "x" * 300])
def test_a_summary_of_0_to_300_characters_is_valid(summary: str) -> None:
    check_summary(summary)


def test_a_summary_longer_than_300_characters_is_refused_on_the_summary_field() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_summary("x" * 301)
    assert list(raised.value.errors) == ["summary"]


# --- tags -----------------------------------------------------------------------------------


def test_no_tags_is_valid() -> None:
    assert normalize_tags([]) == ()


def test_tags_are_trimmed_and_kept_in_the_order_given() -> None:
    assert normalize_tags([" python ", "Flask", "\tdesign"]) == ("python", "Flask", "design")


def test_a_repeated_tag_is_kept_once_where_it_first_appears() -> None:
    assert normalize_tags(["b", "a", " b", "c", "a"]) == ("b", "a", "c")


def test_tags_keep_their_case() -> None:
    assert normalize_tags(["Python"]) == ("Python",)


def test_a_tag_is_kept_composed_so_an_accent_typed_apart_is_the_same_tag() -> None:
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    assert normalize_tags([decomposed, composed, f" {decomposed}"]) == (composed,)


def test_a_tag_is_measured_as_it_is_kept() -> None:
    assert normalize_tags(["e\u0301" * 40]) == ("\u00e9" * 40,)  # 80 characters as typed


def test_a_tag_that_composes_past_40_characters_is_kept_as_typed() -> None:
    assert normalize_tags(["\u0344" * 21]) == ("\u0344" * 21,)  # 42 characters composed


@pytest.mark.parametrize(
    "tag", ["x", "x" * 40, " " + "x" * 40 + " ", "c++", "new york", "\U0001f469\u200d\U0001f4bb"]
)
def test_a_tag_of_1_to_40_characters_after_trimming_is_valid(tag: str) -> None:
    assert normalize_tags([tag]) == (tag.strip(),)


@pytest.mark.parametrize(
    "tag", ["", "   ", "x" * 41, "a,b", ",", "tab\there", "line\nbreak", "\u200d", "a\u202eb"]
)
def test_an_empty_too_long_comma_bearing_or_unprintable_tag_is_refused(tag: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_tags(["fine", tag])
    assert list(raised.value.errors) == ["tags"]


def test_ten_distinct_tags_are_valid() -> None:
    tags = [f"t{i}" for i in range(10)]
    assert normalize_tags(tags) == tuple(tags)


def test_eleven_distinct_tags_are_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_tags([f"t{i}" for i in range(11)])
    assert list(raised.value.errors) == ["tags"]


def test_a_long_list_is_refused_at_its_eleventh_distinct_tag_without_reading_the_rest() -> None:
    """A body of a megabyte holds some 160,000 tags: each one was compared with every tag kept
    before it, minutes of a worker's time for one request."""

    def given() -> Iterator[str]:
        yield from (f"t{i}" for i in range(11))
        raise AssertionError("read past the eleventh distinct tag")

    with pytest.raises(InvalidInput) as raised:
        normalize_tags(given())
    assert raised.value.errors == {"tags": ["At most 10 distinct tags."]}


def test_repeats_do_not_count_towards_the_ten_tags() -> None:
    tags = [f"t{i}" for i in range(10)]
    assert normalize_tags([*tags, "t0", " t1 "]) == tuple(tags)


# --- writing with a summary and tags --------------------------------------------------------


def test_a_written_post_gets_its_slug_from_its_title() -> None:
    assert write_post(ANN, title="Hello, World").slug == "hello-world"


def test_a_written_post_has_an_empty_summary_no_tags_and_no_counts_by_default() -> None:
    post = write_post(ANN)
    assert (post.summary, post.tags) == ("", ())
    assert (post.favorites_count, post.comments_count, post.favorited) == (0, 0, False)


def test_a_written_post_keeps_its_summary_and_normalised_tags() -> None:
    post = write_post(ANN, summary="In short.", tags=[" b ", "a", "b"])
    assert (post.summary, post.tags) == ("In short.", ("b", "a"))


def test_every_invalid_field_of_a_new_post_is_reported_together() -> None:
    with pytest.raises(InvalidInput) as raised:
        write_post(ANN, title="", content="", summary="x" * 301, tags=["a,b"])
    assert set(raised.value.errors) == {"title", "content", "summary", "tags"}


# --- editing a summary and tags -------------------------------------------------------------


def test_an_edit_of_the_summary_bumps_the_version_and_moves_updated_at() -> None:
    post = stored_post(summary="Old")
    edited = edit(post, summary="New")
    assert (edited.summary, edited.version, edited.updated_at) == ("New", 2, LATER)
    assert edited.etag != post.etag


def test_an_edit_of_the_tags_normalises_them_and_bumps_the_version() -> None:
    post = stored_post(tags=("a",))
    edited = edit(post, tags=[" b ", "c", "b"])
    assert (edited.tags, edited.version) == (("b", "c"), 2)


def test_an_edit_to_no_tags_clears_them() -> None:
    assert edit(stored_post(tags=("a", "b")), tags=[]).tags == ()


def test_an_edit_to_an_empty_summary_clears_it() -> None:
    assert edit(stored_post(summary="Old"), summary="").summary == ""


def test_an_edit_not_giving_the_summary_or_tags_keeps_them() -> None:
    post = stored_post(summary="Kept", tags=("a",))
    edited = edit(post, title="New")
    assert (edited.summary, edited.tags) == ("Kept", ("a",))


def test_an_edit_to_the_same_tags_after_normalising_changes_nothing() -> None:
    post = stored_post(summary="Same", tags=("a", "b"))
    assert edit(post, summary="Same", tags=[" a", "b", "a"]) is post


def test_an_edit_to_the_same_tags_in_another_order_is_a_change() -> None:
    assert edit(stored_post(tags=("a", "b")), tags=["b", "a"]).tags == ("b", "a")


def test_an_edit_of_the_title_keeps_the_slug() -> None:
    post = stored_post(title="Hello", slug="hello")
    edited = edit(post, title="Something else entirely")
    assert (edited.title, edited.slug) == ("Something else entirely", "hello")


def test_an_edit_to_an_invalid_summary_or_tags_is_refused_with_both_fields() -> None:
    with pytest.raises(InvalidInput) as raised:
        edit(stored_post(), summary="x" * 301, tags=[f"t{i}" for i in range(11)])
    assert set(raised.value.errors) == {"summary", "tags"}


# --- the ETag -------------------------------------------------------------------------------


def test_counts_and_favorited_do_not_change_the_etag() -> None:
    post = stored_post()
    read = evolve(post, favorites_count=5, comments_count=3, favorited=True)
    assert read.etag == post.etag


def test_the_etag_stays_when_the_authors_username_changes() -> None:
    post = stored_post()
    renamed = evolve(post, author=evolve(post.author, username="ann.smith"))
    assert renamed.etag == post.etag


def test_an_edit_keeps_the_counts_read_with_the_post() -> None:
    post = stored_post(favorites_count=2, comments_count=1, favorited=True)
    edited = edit(post, title="New")
    assert (edited.favorites_count, edited.comments_count, edited.favorited) == (2, 1, True)
