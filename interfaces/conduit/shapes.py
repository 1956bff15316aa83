"""What Conduit routes answer, as classes: the OpenAPI document is built from them, and
tests/conduit/test_conduit_mapping.py holds the hand-written renderers (render.py) to exactly
these keys. Field names are RealWorld's JSON keys, camelCase included."""

from __future__ import annotations

from attrs import frozen


@frozen(kw_only=True)
class User:
    """RealWorld's user, for authentication: the caller, with their token."""

    email: str
    token: str
    username: str
    bio: str | None
    image: str | None


@frozen(kw_only=True)
class UserEnvelope:
    user: User


@frozen(kw_only=True)
class Profile:
    """A user as another sees them; `following`: whether the caller follows them."""

    username: str
    bio: str | None
    image: str | None
    following: bool


@frozen(kw_only=True)
class ProfileEnvelope:
    profile: Profile


@frozen(kw_only=True)
class ArticleInList:
    """An article in a list: everything but its body."""

    slug: str
    title: str
    description: str
    tagList: list[str]
    createdAt: str
    updatedAt: str
    favorited: bool
    favoritesCount: int
    author: Profile


@frozen(kw_only=True)
class Article(ArticleInList):
    body: str


@frozen(kw_only=True)
class ArticleEnvelope:
    article: Article


@frozen(kw_only=True)
class ArticlesEnvelope:
    articles: list[ArticleInList]
    articlesCount: int


@frozen(kw_only=True)
class Comment:
    id: int
    createdAt: str
    updatedAt: str
    body: str
    author: Profile


@frozen(kw_only=True)
class CommentEnvelope:
    comment: Comment


@frozen(kw_only=True)
class CommentsEnvelope:
    comments: list[Comment]


@frozen(kw_only=True)
class TagsEnvelope:
    tags: list[str]
