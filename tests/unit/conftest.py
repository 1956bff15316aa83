"""Unit-test fixtures: use cases on the in-memory fakes, and helpers to arrange and read state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from attrs import frozen

from application.auth import Authenticate, Credentials, LogIn, LogOut, RefreshTokens, TokenIssuer
from application.comments import AddComment, DeleteComment, GetComment, ListComments
from application.paging import PageRequest
from application.ports import FollowStats, PostFilter
from application.posts import (
    CreatePost,
    DeletePost,
    EditPost,
    FavoritePost,
    Feed,
    GetPost,
    ListPosts,
    ListTags,
)
from application.profiles import FollowUser, GetProfile
from application.seed import SeedSampleData, SeedVolume
from application.tokens import LoginThrottle, TokenPair, TokenPolicy
from application.users import (
    ChangePassword,
    DeleteUser,
    GetUser,
    ListUsers,
    RegisterUser,
    UpdateUser,
)
from domain.comments import Comment
from domain.posts import Post
from domain.sessions import LoginSession
from domain.users import Actor, Role, User
from infrastructure.memory import InMemoryStore, InMemoryUnitOfWork
from infrastructure.security import Argon2PasswordHasher, JwtTokenService
from tests.factories import PASSWORD, T0, FixedClock, make_comment, make_post, make_user

TEST_SIGNING_KEY = "unit-test-signing-key-0123456789abcdef"


class Given:
    """Arranges rows through its own unit of work, so the test's `uow.committed` stays False."""

    def __init__(self, store: InMemoryStore, hasher: Argon2PasswordHasher) -> None:
        self._uow = InMemoryUnitOfWork(store)
        self._hasher = hasher

    def user(self, *, password: str | None = None, **overrides: Any) -> User:
        if password is not None:
            overrides["password_hash"] = self._hasher.hash(password)
        with self._uow as uow:
            user = uow.users.add(make_user(**overrides))
            uow.commit()
        return user

    def admin(self, **overrides: Any) -> User:
        return self.user(role=Role.ADMIN, **overrides)

    def post(self, author: User, **overrides: Any) -> Post:
        with self._uow as uow:
            post = uow.posts.add(make_post(author, **overrides))
            uow.commit()
        return post

    def follow(self, follower: User, followed: User) -> None:
        with self._uow as uow:
            uow.follows.add(follower.id or 0, followed.id or 0, T0)
            uow.commit()

    def favorite(self, user: User, post: Post) -> None:
        with self._uow as uow:
            uow.favorites.add(user.id or 0, post.id or 0, T0)
            uow.commit()

    def comment(self, author: User, post: Post, **overrides: Any) -> Comment:
        with self._uow as uow:
            comment = uow.comments.add(make_comment(post, author, **overrides))
            uow.commit()
        return comment


class Stored:
    """Reads what is stored now, each time in a fresh `with uow:` block (no commit)."""

    def __init__(self, uow: InMemoryUnitOfWork) -> None:
        self._uow = uow

    def user(self, user_id: int) -> User | None:
        with self._uow as uow:
            return uow.users.get(user_id)

    def user_by_email(self, email: str) -> User | None:
        with self._uow as uow:
            return uow.users.get_by_email(email)

    def user_count(self) -> int:
        with self._uow as uow:
            return uow.users.count(None)

    def users(self) -> list[User]:
        with self._uow as uow:
            return uow.users.find(None, PageRequest(per_page=100).window()).items

    def post(self, post_id: int) -> Post | None:
        with self._uow as uow:
            return uow.posts.get(post_id)

    def posts(self, *, published: bool) -> list[Post]:
        with self._uow as uow:
            window = PageRequest(per_page=100).window()
            return uow.posts.find(PostFilter(published=published), window).items

    def post_count(self) -> int:
        with self._uow as uow:
            return uow.posts.count(PostFilter(published=True)) + uow.posts.count(
                PostFilter(published=False)
            )

    def session(self, session_id: str) -> LoginSession | None:
        with self._uow as uow:
            found = uow.sessions.get_with_user(session_id)
        return None if found is None else found[0]

    def post_seen_by(self, post_id: int, viewer_id: int) -> Post | None:
        """The post with whether `viewer_id` favorited it."""
        with self._uow as uow:
            return uow.posts.get(post_id, viewer_id=viewer_id)

    def follow_stats(self, user_id: int, viewer_id: int | None = None) -> FollowStats:
        with self._uow as uow:
            return uow.follows.stats(user_id, viewer_id)

    def comment(self, comment_id: int) -> Comment | None:
        with self._uow as uow:
            return uow.comments.get(comment_id)

    def comments_on(self, post_id: int) -> list[Comment]:
        with self._uow as uow:
            return uow.comments.find(post_id, PageRequest(per_page=100).window()).items

    def sessions_of(self, user_id: int) -> list[LoginSession]:
        """No port lists a user's sessions: read straight from the fakes' store."""
        return [s for s in self._uow.store.sessions.values() if s.user_id == user_id]

    def session_count(self) -> int:
        return len(self._uow.store.sessions)


class CountingHasher:
    """The real cheap hasher, recording which hashes were verified (a spy, not a mock)."""

    def __init__(self, inner: Argon2PasswordHasher) -> None:
        self._inner = inner
        self.dummy_hash = inner.dummy_hash
        self.verified: list[str] = []

    def hash(self, password: str) -> str:
        return self._inner.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return self._inner.verify(password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._inner.needs_rehash(password_hash)


class MeddlingHasher(CountingHasher):
    """Runs `meanwhile` once, while the first password is being checked: what a concurrent
    request could do in the tens of milliseconds a real hash check takes."""

    def __init__(self, inner: Argon2PasswordHasher, meanwhile: Callable[[], object]) -> None:
        super().__init__(inner)
        self._meanwhile: Callable[[], object] | None = meanwhile

    def verify(self, password_hash: str, password: str) -> bool:
        meanwhile, self._meanwhile = self._meanwhile, None
        if meanwhile is not None:
            meanwhile()
        return super().verify(password_hash, password)


@frozen(kw_only=True)
class SignedIn:
    """A stored user who logged in: their tokens and the actor their access token stands for."""

    user: User
    tokens: TokenPair
    actor: Actor


SignIn = Callable[..., SignedIn]  # the `sign_in` fixture


@pytest.fixture
def given(uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher) -> Given:
    return Given(uow.store, hasher)


@pytest.fixture
def stored(uow: InMemoryUnitOfWork) -> Stored:
    return Stored(uow)


@pytest.fixture
def tokens() -> JwtTokenService:
    return JwtTokenService(TEST_SIGNING_KEY)


@pytest.fixture
def issuer(tokens: JwtTokenService, clock: FixedClock) -> TokenIssuer:
    return TokenIssuer(tokens, TokenPolicy(), clock)


@pytest.fixture
def log_in(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, issuer: TokenIssuer, clock: FixedClock
) -> LogIn:
    return LogIn(uow, hasher, issuer, LoginThrottle(), clock)


@pytest.fixture
def refresh(uow: InMemoryUnitOfWork, issuer: TokenIssuer, clock: FixedClock) -> RefreshTokens:
    return RefreshTokens(uow, issuer, clock)


@pytest.fixture
def log_out(uow: InMemoryUnitOfWork, issuer: TokenIssuer, clock: FixedClock) -> LogOut:
    return LogOut(uow, issuer, clock)


@pytest.fixture
def authenticate(uow: InMemoryUnitOfWork, issuer: TokenIssuer) -> Authenticate:
    return Authenticate(uow, issuer)


@pytest.fixture
def sign_in(given: Given, log_in: LogIn, authenticate: Authenticate) -> Callable[..., SignedIn]:
    """Log in `user` (stored with PASSWORD), or a new user made from `overrides`."""

    def sign_in_(user: User | None = None, **overrides: Any) -> SignedIn:
        if user is None:
            user = given.user(password=PASSWORD, **overrides)
        result = log_in(Credentials(email=user.email, password=PASSWORD))
        actor = authenticate(result.tokens.access_token)
        return SignedIn(user=result.user, tokens=result.tokens, actor=actor)

    return sign_in_


class CountingUnitOfWork(InMemoryUnitOfWork):
    """The in-memory unit of work, counting its commits: one use case, one commit."""

    def __init__(self, store: InMemoryStore) -> None:
        super().__init__(store)
        self.commits = 0

    def commit(self) -> None:
        super().commit()
        self.commits += 1


@pytest.fixture
def counted_uow(uow: InMemoryUnitOfWork) -> CountingUnitOfWork:
    """A second unit of work on the same store as `uow`, which counts its commits."""
    return CountingUnitOfWork(uow.store)


def ids(items: Sequence[Post | Comment]) -> list[int | None]:
    """The ids of what a list shows, in its order."""
    return [item.id for item in items]


# --- the use cases on the fakes, one fixture each, named after it ---------------------------
# A module builds its own only where it configures one otherwise (rules, verification, a spy).


@pytest.fixture
def register_user(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FixedClock
) -> RegisterUser:
    return RegisterUser(uow, hasher, clock)


@pytest.fixture
def get_user(uow: InMemoryUnitOfWork) -> GetUser:
    return GetUser(uow)


@pytest.fixture
def list_users(uow: InMemoryUnitOfWork) -> ListUsers:
    return ListUsers(uow)


@pytest.fixture
def update_user(uow: InMemoryUnitOfWork, clock: FixedClock) -> UpdateUser:
    return UpdateUser(uow, clock)


@pytest.fixture
def change_password(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FixedClock
) -> ChangePassword:
    return ChangePassword(uow, hasher, clock)


@pytest.fixture
def delete_user(uow: InMemoryUnitOfWork, clock: FixedClock) -> DeleteUser:
    return DeleteUser(uow, clock)


@pytest.fixture
def get_profile(uow: InMemoryUnitOfWork) -> GetProfile:
    return GetProfile(uow)


@pytest.fixture
def follow_user(uow: InMemoryUnitOfWork, clock: FixedClock) -> FollowUser:
    return FollowUser(uow, clock)


@pytest.fixture
def create_post(uow: InMemoryUnitOfWork, clock: FixedClock) -> CreatePost:
    return CreatePost(uow, clock)


@pytest.fixture
def get_post(uow: InMemoryUnitOfWork) -> GetPost:
    return GetPost(uow)


@pytest.fixture
def edit_post(uow: InMemoryUnitOfWork, clock: FixedClock) -> EditPost:
    return EditPost(uow, clock)


@pytest.fixture
def delete_post(uow: InMemoryUnitOfWork) -> DeletePost:
    return DeletePost(uow)


@pytest.fixture
def favorite_post(uow: InMemoryUnitOfWork, clock: FixedClock) -> FavoritePost:
    return FavoritePost(uow, clock)


@pytest.fixture
def list_posts(uow: InMemoryUnitOfWork) -> ListPosts:
    return ListPosts(uow)


@pytest.fixture
def feed(uow: InMemoryUnitOfWork) -> Feed:
    return Feed(uow)


@pytest.fixture
def list_tags(uow: InMemoryUnitOfWork) -> ListTags:
    return ListTags(uow)


@pytest.fixture
def add_comment(uow: InMemoryUnitOfWork, clock: FixedClock) -> AddComment:
    return AddComment(uow, clock)


@pytest.fixture
def get_comment(uow: InMemoryUnitOfWork) -> GetComment:
    return GetComment(uow)


@pytest.fixture
def list_comments(uow: InMemoryUnitOfWork) -> ListComments:
    return ListComments(uow)


@pytest.fixture
def delete_comment(uow: InMemoryUnitOfWork) -> DeleteComment:
    return DeleteComment(uow)


@pytest.fixture
def seed_sample_data(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FixedClock
) -> SeedSampleData:
    return SeedSampleData(uow, hasher, clock)


@pytest.fixture
def seed_volume(
    uow: InMemoryUnitOfWork, hasher: Argon2PasswordHasher, clock: FixedClock
) -> SeedVolume:
    return SeedVolume(uow, hasher, clock)
