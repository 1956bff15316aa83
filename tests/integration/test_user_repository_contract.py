"""The user repository behaves the same on every adapter."""

from __future__ import annotations

from typing import Any

import pytest

from application.paging import Cursor, PageRequest, Window
from application.ports import FollowStats
from domain.errors import EmailTaken, UsernameTaken
from domain.users import Role
from tests.factories import T0, make_user
from tests.integration.stored import add_comment, add_post, favorite, follow


def add(uow: Any, **fields: Any) -> Any:
    with uow:
        user = uow.users.add(make_user(**fields))
        uow.commit()
    return user


def test_an_added_user_gets_an_id_and_reads_back_equal(any_uow: Any) -> None:
    user = add(any_uow, email="ann@example.com")
    with any_uow:
        assert any_uow.users.get(user.id) == user
        assert any_uow.users.get_by_email("ann@example.com") == user


def test_reading_back_keeps_timestamps_in_utc(any_uow: Any) -> None:
    user = add(any_uow)
    with any_uow:
        stored = any_uow.users.get(user.id)
    assert stored.created_at == T0
    assert stored.created_at.utcoffset().total_seconds() == 0


def test_without_commit_nothing_is_stored(any_uow: Any) -> None:
    with any_uow:
        user = any_uow.users.add(make_user())
    with any_uow:
        assert any_uow.users.get_by_email(user.email) is None


def test_a_second_user_with_the_same_email_is_a_conflict(any_uow: Any) -> None:
    add(any_uow, email="dup@example.com")
    with pytest.raises(EmailTaken), any_uow:
        any_uow.users.add(make_user(email="dup@example.com"))
        any_uow.commit()


def test_saving_changes_a_user(any_uow: Any) -> None:
    user = add(any_uow)
    with any_uow:
        any_uow.users.save(user.change(name="Renamed", role=Role.ADMIN, now=T0))
        any_uow.commit()
    with any_uow:
        stored = any_uow.users.get(user.id)
    assert (stored.name, stored.role) == ("Renamed", Role.ADMIN)


def test_saving_a_user_removed_meanwhile_does_not_bring_them_back(any_uow: Any) -> None:
    user = add(any_uow)
    with any_uow:
        any_uow.users.remove(user.id)
        any_uow.users.save(user.change(name="Renamed", now=T0))
        any_uow.commit()
    with any_uow:
        assert any_uow.users.get(user.id) is None


def test_active_admin_ids_leave_out_users_and_inactive_admins(any_uow: Any) -> None:
    admin = add(any_uow, role=Role.ADMIN)
    add(any_uow, role=Role.ADMIN, is_active=False)
    add(any_uow)
    with any_uow:
        assert any_uow.users.lock_active_admin_ids() == [admin.id]


def test_a_removed_users_id_is_never_given_again(any_uow: Any) -> None:
    add(any_uow)
    newest = add(any_uow)
    with any_uow:
        any_uow.users.remove(newest.id)
        any_uow.commit()
    assert add(any_uow).id > newest.id


def test_search_is_a_case_insensitive_substring_of_name_or_email(any_uow: Any) -> None:
    add(any_uow, name="Grace Hopper", email="grace@navy.example")
    add(any_uow, name="Ada", email="ada@HOPPER.example".lower())
    add(any_uow, name="Alan", email="alan@example.com")
    add(any_uow, name="Under_score 100%", email="u@example.com")
    window = PageRequest(per_page=10).window()
    with any_uow:
        assert {u.name for u in any_uow.users.find("hopper", window).items} == {
            "Grace Hopper",
            "Ada",
        }
        assert any_uow.users.count("HOPPER") == 2
        assert [u.name for u in any_uow.users.find("0%", window).items] == ["Under_score 100%"]
        assert any_uow.users.find("e_s", window).items == []


def test_a_user_search_of_several_words_matches_them_together(any_uow: Any) -> None:
    add(any_uow, name="Grace Hopper", email="grace4242@navy.example")
    add(any_uow, name="Hopper Grace", email="navy@grace4242.example")
    window = PageRequest(per_page=10).window()
    with any_uow:
        for text, names in [("grace HOPPER", ["Grace Hopper"]),
                            ("grace4242@navy", ["Grace Hopper"]),
                            ("navy grace4242", []), ("Hopper navy", [])]:  # fmt: skip
            assert [u.name for u in any_uow.users.find(text, window).items] == names, text
            assert any_uow.users.count(text, at_most=1001) == len(names), text


def test_user_search_ignores_the_case_of_letters_beyond_ascii(any_uow: Any) -> None:
    add(any_uow, name="Abé Ørsted", email="abe@example.com")
    add(any_uow, name="Other", email="other@example.com")
    window = PageRequest(per_page=10).window()
    with any_uow:
        for text in ("ABÉ", "abé", "øRSTED"):
            assert [u.name for u in any_uow.users.find(text, window).items] == ["Abé Ørsted"]
            assert any_uow.users.count(text) == 1, text


@pytest.mark.parametrize("matches", [9, 1001, 1005])
def test_a_user_search_walked_by_cursor_returns_every_match_once(
    any_uow: Any, matches: int
) -> None:
    """As posts' (lists.searched_page): a page after a cursor is taken from the 1,001 matches
    a search counts when they are all of them (9), else by the walk after the cursor."""
    with any_uow:
        any_uow.users.add_many(
            make_user(name=f"Walker {n}" if n % 2 else f"Other {n}", created_at=T0)
            for n in range(matches * 2)
        )
        any_uow.commit()
    seen: list[int] = []
    after: Cursor | None = None
    with any_uow.read_only() as reader:
        while True:
            found = reader.users.find("walker", Window(after=after, offset=0, limit=101))
            assert found.total == min(matches, 1001)
            seen += [u.id for u in found.items[:100]]
            if len(found.items) <= 100:
                break
            after = Cursor.after(found.items[99])
        first_page = reader.users.find("walker", PageRequest(per_page=100).window()).items
    assert seen == sorted(set(seen), reverse=True) and len(seen) == matches
    assert seen[:100] == [u.id for u in first_page[:100]]


def test_user_counts_stop_at_the_bound_they_are_given(any_uow: Any) -> None:
    for n in range(4):
        add(any_uow, name=f"Hopper {n}")
    with any_uow:
        assert any_uow.users.count("hopper", at_most=3) == 3
        assert any_uow.users.count("hopper", at_most=9) == 4
        assert any_uow.users.count(None, at_most=2) == 2


def test_a_read_only_unit_sees_committed_data_and_cannot_commit(any_uow: Any) -> None:
    user = add(any_uow)
    with any_uow.read_only() as reader:
        assert reader.users.get(user.id) == user
        with pytest.raises(RuntimeError):
            reader.commit()


def test_the_user_count_follows_adds_bulk_adds_and_removals(any_uow: Any) -> None:
    first = add(any_uow)
    with any_uow:
        any_uow.users.add_many(make_user() for _ in range(4))
        any_uow.users.remove(first.id)
        any_uow.users.remove(first.id)  # a second removal of the same user changes nothing
        any_uow.commit()
    with any_uow:
        assert any_uow.users.count(None) == 4
        assert any_uow.users.count("") == 4
        # A page brings the kept total along; a search's, its matches (as far as it reads).
        assert any_uow.users.find(None, PageRequest(per_page=1).window()).total == 4
        assert any_uow.users.find("e", PageRequest(per_page=1).window()).total == 4


# Usernames and profiles (docs/API.md, "Usernames and profiles").


def test_a_username_is_kept_as_given_and_found_without_regard_to_case(any_uow: Any) -> None:
    user = add(any_uow, username="Grace.Hopper")
    with any_uow.read_only() as reader:
        assert reader.users.get(user.id).username == "Grace.Hopper"
        assert reader.users.get_by_username("grace.HOPPER") == user
        assert reader.users.get_by_username("grace") is None


@pytest.mark.parametrize("how", ["add", "save"])
def test_a_username_taken_in_any_case_is_a_conflict(any_uow: Any, how: str) -> None:
    add(any_uow, username="Ada")
    other = add(any_uow) if how == "save" else None
    with pytest.raises(UsernameTaken), any_uow:
        if other is None:
            any_uow.users.add(make_user(username="aDA"))
        else:
            any_uow.users.save(other.change(username="ADA", now=T0))
        any_uow.commit()


def test_taken_usernames_are_answered_lower_cased(any_uow: Any) -> None:
    add(any_uow, username="Ada")
    add(any_uow, username="alan_2")
    with any_uow.read_only() as reader:
        assert reader.users.taken_usernames(["ada", "alan", "alan_2", "bob"]) == {"ada", "alan_2"}
        assert reader.users.taken_usernames([]) == set()


def test_bio_and_image_are_stored_and_cleared(any_uow: Any) -> None:
    user = add(any_uow)
    with any_uow:
        any_uow.users.save(user.change(bio="Hi.", image="https://x.example/i.png", now=T0))
        any_uow.commit()
    with any_uow.read_only() as reader:
        stored = reader.users.get(user.id)
    assert (stored.bio, stored.image) == ("Hi.", "https://x.example/i.png")
    with any_uow:
        any_uow.users.save(stored.change(bio=None, image=None, now=T0))
        any_uow.commit()
    with any_uow.read_only() as reader:
        assert (reader.users.get(user.id).bio, reader.users.get(user.id).image) == (None, None)


def test_removing_a_user_keeps_every_count_they_were_part_of_right(any_uow: Any) -> None:
    """Their follows, favorites and comments go, and others' counts with them: followers and
    follows of others, favorites and comments of others' posts, uses of their tags."""
    gone, ann, bob = add(any_uow), add(any_uow), add(any_uow)
    anns = add_post(any_uow, ann, tags=("shared",))
    theirs = add_post(any_uow, gone, tags=("shared", "theirs"))
    add_post(any_uow, gone, tags=("draft",), published=False)
    follow(any_uow, gone, ann)
    follow(any_uow, bob, gone)
    follow(any_uow, ann, gone)
    follow(any_uow, bob, ann)
    for fan in (gone, bob):
        favorite(any_uow, fan, anns)
    favorite(any_uow, ann, theirs)
    for author in (gone, gone, ann):
        add_comment(any_uow, anns, author)
    add_comment(any_uow, theirs, ann)
    with any_uow:
        any_uow.users.remove(gone.id)
        any_uow.commit()
    with any_uow.read_only() as reader:
        assert reader.follows.stats(ann.id, bob.id) == FollowStats(
            following=True, followers=1, follows=0
        )
        assert reader.follows.stats(bob.id, None) == FollowStats(
            following=False, followers=0, follows=1
        )
        read = reader.posts.get(anns.id)
        assert (read.favorites_count, read.comments_count) == (1, 1)
        assert reader.comments.count(anns.id) == 1
        assert [(t.name, t.posts) for t in reader.tags.most_used(10)] == [("shared", 1)]
        assert reader.posts.get(theirs.id) is None
