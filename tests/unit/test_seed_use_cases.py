"""Seeding: the friendly sample set (idempotent) and bulk volumes (with progress)."""

from __future__ import annotations

import pytest

import application.seed
from application.auth import Credentials, LogIn
from application.seed import SAMPLE_ADMIN, SeedSampleData, SeedVolume
from domain.errors import InvalidInput
from domain.users import Role
from infrastructure.memory import InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher
from tests.factories import FixedClock
from tests.unit.conftest import Given, Stored

# --- SeedSampleData -------------------------------------------------------------------------


def test_the_sample_data_adds_an_admin_authors_and_posts(
    seed_sample_data: SeedSampleData, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    report = seed_sample_data()
    assert report.created
    assert (stored.user_count(), stored.post_count()) == (report.users, report.posts)
    assert report.users >= 2 and report.posts >= 1
    assert uow.committed


def test_the_sample_admin_is_an_active_admin(
    seed_sample_data: SeedSampleData, stored: Stored
) -> None:
    report = seed_sample_data()
    admin = stored.user_by_email(report.admin_email)
    assert admin is not None and admin.is_active_admin
    assert report.admin_email == SAMPLE_ADMIN


def test_the_reported_admin_password_logs_in(
    seed_sample_data: SeedSampleData, log_in: LogIn
) -> None:
    report = seed_sample_data()
    assert report.admin_password is not None
    credentials = Credentials(email=report.admin_email, password=report.admin_password)
    assert log_in(credentials).user.role is Role.ADMIN


def test_the_sample_data_has_published_posts_and_drafts(
    seed_sample_data: SeedSampleData, stored: Stored
) -> None:
    seed_sample_data()
    assert stored.posts(published=True)
    assert stored.posts(published=False)


def test_every_sample_post_has_a_stored_author(
    seed_sample_data: SeedSampleData, stored: Stored
) -> None:
    seed_sample_data()
    for post in stored.posts(published=True) + stored.posts(published=False):
        assert stored.user(post.author.id) is not None


def test_seeding_sample_data_twice_adds_nothing_the_second_time(
    seed_sample_data: SeedSampleData, stored: Stored
) -> None:
    seed_sample_data()
    before = (stored.users(), stored.posts(published=True), stored.posts(published=False))
    report = seed_sample_data()
    assert (report.created, report.users, report.posts, report.admin_password) == (
        False,
        0,
        0,
        None,
    )
    assert (stored.users(), stored.posts(published=True), stored.posts(published=False)) == before


def test_a_second_sample_seed_does_not_commit(
    uow: InMemoryUnitOfWork,
    hasher: Argon2PasswordHasher,
    clock: FixedClock,
    seed_sample_data: SeedSampleData,
) -> None:
    seed_sample_data()
    again = InMemoryUnitOfWork(uow.store)
    SeedSampleData(again, hasher, clock)()
    assert not again.committed


def test_the_sample_data_goes_beside_existing_users(
    seed_sample_data: SeedSampleData, given: Given, stored: Stored
) -> None:
    given.user(email="someone@example.com")
    report = seed_sample_data()
    assert stored.user_count() == report.users + 1


# --- SeedVolume -----------------------------------------------------------------------------


def test_a_volume_seed_adds_n_users_and_m_posts(
    seed_volume: SeedVolume, stored: Stored, uow: InMemoryUnitOfWork
) -> None:
    report = seed_volume(users=4, posts=11)
    assert (report.users, report.posts) == (4, 11)
    assert (stored.user_count(), stored.post_count()) == (4, 11)
    assert uow.committed


def test_volume_seeded_users_are_active_ordinary_users(
    seed_volume: SeedVolume, stored: Stored
) -> None:
    seed_volume(users=3, posts=0)
    assert {(u.role, u.is_active) for u in stored.users()} == {(Role.USER, True)}


def test_volume_seeded_posts_belong_to_the_seeded_users(
    seed_volume: SeedVolume, stored: Stored
) -> None:
    seed_volume(users=3, posts=12)
    user_ids = {u.id for u in stored.users()}
    posts = stored.posts(published=True) + stored.posts(published=False)
    assert {p.author.id for p in posts} == user_ids


def test_a_volume_seed_reports_progress_for_users_then_follows_then_posts(
    seed_volume: SeedVolume,
) -> None:
    progress: list[tuple[str, int, int]] = []
    seed_volume(users=3, posts=7, progress=lambda *step: progress.append(step))
    stages = list(dict.fromkeys(stage for stage, _, _ in progress))
    assert stages[:3] == ["users", "follows", "posts"]
    assert set(stages) <= {"users", "follows", "posts", "favorites", "comments"}
    finished = {stage: (done, total) for stage, done, total in progress}
    assert finished["users"] == (3, 3) and finished["posts"] == (7, 7)
    assert all(done == total for done, total in finished.values())


def test_a_volume_seed_reports_progress_after_every_batch(
    seed_volume: SeedVolume, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(application.seed, "BATCH", 2)
    progress: list[tuple[str, int, int]] = []
    seed_volume(users=5, posts=3, progress=lambda *step: progress.append(step))
    assert [step for step in progress if step[0] in ("users", "posts")] == [
        ("users", 2, 5),
        ("users", 4, 5),
        ("users", 5, 5),
        ("posts", 2, 3),
        ("posts", 3, 3),
    ]


def test_a_volume_seed_can_run_twice_and_adds_again(
    seed_volume: SeedVolume, stored: Stored
) -> None:
    seed_volume(users=2, posts=3)
    seed_volume(users=2, posts=3)
    assert (stored.user_count(), stored.post_count()) == (4, 6)


def test_a_volume_seed_of_posts_without_users_is_refused(
    seed_volume: SeedVolume, stored: Stored
) -> None:
    with pytest.raises(InvalidInput) as raised:
        seed_volume(users=0, posts=5)
    assert list(raised.value.errors) == ["users"]
    assert (stored.user_count(), stored.post_count()) == (0, 0)


def test_a_volume_seed_of_posts_alone_makes_a_user_for_every_hundred(
    seed_volume: SeedVolume, stored: Stored
) -> None:
    assert seed_volume(users=None, posts=250).users == 2
    assert seed_volume(users=None, posts=5).users == 1


def test_a_volume_seed_mixes_published_posts_and_drafts(
    seed_volume: SeedVolume, stored: Stored
) -> None:
    seed_volume(users=2, posts=20)
    assert len(stored.posts(published=True)) > len(stored.posts(published=False)) > 0
