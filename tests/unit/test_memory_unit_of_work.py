"""The in-memory unit of work holds a single-write unit to what PostgreSQL's allows: one post."""

from __future__ import annotations

import pytest
from attrs import evolve

from infrastructure.memory import InMemoryUnitOfWork
from tests.factories import make_post, make_user


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    unit = InMemoryUnitOfWork()
    with unit:
        unit.users.add(make_user())
        unit.commit()
    return unit


def test_a_single_write_unit_commits_one_new_post(uow: InMemoryUnitOfWork) -> None:
    author = uow.store.users[1]
    with uow.single_write() as writer:
        post = writer.posts.add(make_post(author))
        writer.commit()
    assert uow.store.posts == {post.id: post}


@pytest.mark.parametrize("second", ["another post", "a user's change"])
def test_a_single_write_unit_refuses_any_other_change_and_stores_nothing(
    uow: InMemoryUnitOfWork, second: str
) -> None:
    author = uow.store.users[1]
    with pytest.raises(RuntimeError, match="one post"), uow.single_write() as writer:
        writer.posts.add(make_post(author))
        if second == "another post":
            writer.posts.add(make_post(author))
        else:
            writer.users.save(evolve(author, name="Renamed"))
        writer.commit()
    assert uow.store.posts == {}
    assert uow.store.users[1] == author


def test_the_unit_is_an_ordinary_one_again_after_a_single_write(uow: InMemoryUnitOfWork) -> None:
    author = uow.store.users[1]
    with uow.single_write() as writer:
        writer.commit()
    with uow:
        uow.posts.add(make_post(author))
        uow.posts.add(make_post(author))
        uow.commit()
    assert len(uow.store.posts) == 2


def test_a_single_write_keeps_its_post_even_if_the_use_case_fails_before_commit(
    uow: InMemoryUnitOfWork,
) -> None:
    """As on PostgreSQL, where the post is durable as its add returns."""
    author = uow.store.users[1]
    with pytest.raises(ValueError), uow.single_write() as writer:
        post = writer.posts.add(make_post(author))
        raise ValueError("the use case failed after its write")
    assert uow.store.posts == {post.id: post}
