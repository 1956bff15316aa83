"""The user repository behaves the same on every adapter."""

from __future__ import annotations

from typing import Any

import pytest

from application.paging import PageRequest
from domain.errors import EmailTaken
from domain.users import Role
from tests.factories import T0, make_user


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


def test_active_admin_ids_leave_out_users_and_inactive_admins(any_uow: Any) -> None:
    admin = add(any_uow, role=Role.ADMIN)
    add(any_uow, role=Role.ADMIN, is_active=False)
    add(any_uow)
    with any_uow:
        assert any_uow.users.lock_active_admin_ids() == [admin.id]


def test_search_is_a_case_insensitive_substring_of_name_or_email(any_uow: Any) -> None:
    add(any_uow, name="Grace Hopper", email="grace@navy.example")
    add(any_uow, name="Ada", email="ada@HOPPER.example".lower())
    add(any_uow, name="Alan", email="alan@example.com")
    add(any_uow, name="Under_score 100%", email="u@example.com")
    window = PageRequest(per_page=10).window()
    with any_uow:
        assert {u.name for u in any_uow.users.find("hopper", window)} == {"Grace Hopper", "Ada"}
        assert any_uow.users.count("HOPPER") == 2
        assert [u.name for u in any_uow.users.find("0%", window)] == ["Under_score 100%"]
        assert any_uow.users.find("e_s", window) == []


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
