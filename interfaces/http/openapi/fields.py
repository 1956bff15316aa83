"""What the document says of a field beyond its type: rules from the domain's constants, prose.

An entry is found by `"Class.field"` (the nearest class of the field's owner that has one) or
else by the field's name alone, so one entry serves every body, query and rendered object with
a field of that name. A class's own entry replaces the general one; it may include it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any

import attrs

from application.paging import CURSOR_MAX, PER_PAGE_MAX
from application.posts import TAGS_LISTED
from application.tokens import TokenPair
from domain.comments import BODY_MAX, BODY_MIN
from domain.links import TOKEN_MAX
from domain.posts import (
    CONTENT_MAX,
    CONTENT_MIN,
    SEARCH_MAX,
    SLUG_MAX,
    SUMMARY_MAX,
    TAG_MAX,
    TAGS_MAX,
    TITLE_MAX,
)
from domain.users import (
    BIO_MAX,
    EMAIL_MAX,
    IMAGE_MAX,
    NAME_MAX,
    NAME_MIN,
    PASSWORD_MAX,
    PASSWORD_MIN,
    USER_SEARCH_MAX,
    USERNAME_MAX,
    USERNAME_PATTERN,
    PasswordRules,
)
from interfaces.http.converter import SLUG_PATTERN

Schema = dict[str, Any]

ID = {"$ref": "#/components/schemas/Id"}


def char_class(characters: str) -> str:
    """A regex character class of exactly these characters, runs written as ranges."""
    runs: list[list[int]] = []
    for point in sorted({ord(c) for c in characters}):
        if runs and point == runs[-1][1] + 1:
            runs[-1][1] = point
        else:
            runs.append([point, point])
    parts = (re.escape(chr(a)) + ("" if a == b else f"-{re.escape(chr(b))}") for a, b in runs)
    return f"[{''.join(parts)}]"


NOT_CONTROL = r"[^\x00-\x1f\x7f-\x9f]"  # Unicode's control characters (Cc) are these


def needs_pattern(needs: dict[str, str]) -> str:
    """A regex matching text with at least one character of each kind, in any order, and no
    control character. Written without lookaheads, which the clients' and test generators'
    regex engines may lack."""
    anything = f"{NOT_CONTROL}*"
    orders = itertools.permutations(char_class(chars) for chars in needs.values())
    return "^(" + "|".join(anything + anything.join(order) + anything for order in orders) + ")$"


# idn-email, not email: an address may be international (domain.users.normalize_email).
EMAIL = {"type": "string", "format": "idn-email", "maxLength": EMAIL_MAX}
NAME = {
    "minLength": NAME_MIN,
    "maxLength": NAME_MAX,
    "description": f"{NAME_MIN} to {NAME_MAX} printable characters after trimming surrounding"
    " white space.",
    "examples": ["Ann"],
}


def password(rules: PasswordRules) -> Schema:
    """The password schema of a deployment: its pattern follows PASSWORD_RULES."""
    schema: Schema = {
        "minLength": PASSWORD_MIN,
        "maxLength": PASSWORD_MAX,
        "description": rules.described,
        "examples": ["Secret-Pass-1"],
    }
    schema["pattern"] = needs_pattern(rules.needs) if rules.needs else f"^{NOT_CONTROL}*$"
    return schema


PASSWORD = password(PasswordRules.COMPOSED)  # the default rules, for the FIELDS table


PER_PAGE = {"minimum": 1, "maximum": PER_PAGE_MAX}
USERNAME = {
    "minLength": 1,
    "maxLength": USERNAME_MAX,
    "pattern": f"^{USERNAME_PATTERN}$",
    "description": f"1 to {USERNAME_MAX} ASCII letters or digits, `_`, `-` or `.`; unique without"
    " regard to case, shown as given.",
    "examples": ["ann"],
}
TAG = {
    "type": "string",
    "minLength": 1,
    "maxLength": TAG_MAX,
    "pattern": r"^[^,]*[^,\s][^,]*$",  # not blank, no comma
}
TAGS_RULE = (
    f"At most {TAGS_MAX} distinct tags, each 1 to {TAG_MAX} printable characters after trimming"
    " surrounding white space, without commas. Stored trimmed, a repeat dropped, in the order"
    " given."
)
# A username in a query is only looked up: one nobody has selects nothing.
BY_USERNAME = {"minLength": 1, "maxLength": USERNAME_MAX}

FIELDS: dict[str, Schema] = {
    # Saved entities always have their id; the `None` of their type is for unsaved ones.
    "id": ID,
    "author_id": ID,
    "updated_at": {"description": "Equals `created_at` until the first change."},
    "email": {
        **EMAIL,
        "description": "A valid address; unique without regard to case; stored lower-cased.",
        "examples": ["ann@example.com"],
    },
    "User.email": {**EMAIL, "description": "Lower-cased."},
    # Logging in takes what it is given: a malformed e-mail is simply a wrong one.
    "Credentials.email": {
        "description": "Matched without regard to case.",
        "examples": ["ann@example.com"],
    },
    "Credentials.password": {"examples": ["Secret-Pass-1"]},
    "name": NAME,
    "password": PASSWORD,
    "new_password": PASSWORD,
    "current_password": {"description": "A wrong one is a validation error on this field."},
    "UserChanges.role": {"description": "Admin only (403 otherwise)."},
    "UserChanges.is_active": {
        "description": "Admin only (403 otherwise); false ends all the user's sessions."
    },
    "title": {
        "minLength": 1,
        "maxLength": TITLE_MAX,
        "pattern": r"\S",  # not blank; invisible formatting is said in words (domain.text.is_blank)
        "description": f"1 to {TITLE_MAX} characters, not blank: at least one visible one (spaces"
        " and formatting with no glyph, such as a zero-width space, do not count).",
        "examples": ["Hello"],
    },
    "content": {"minLength": CONTENT_MIN, "maxLength": CONTENT_MAX, "examples": ["First!"]},
    "published_at": {"description": "When it was (last) published; null for a draft."},
    # Social blogging: usernames, profiles, slugs, summaries, tags, favorites, comments.
    "username": USERNAME,
    "Registration.username": {
        **USERNAME,
        "description": USERNAME["description"] + " Optional: without it Quill derives one from"
        " `name` (lower-case ASCII, other runs of characters become `_`, a numeric suffix when"
        " taken, `user_<n>` when nothing is left). Taken: 409 `username_taken`.",
    },
    "bio": {
        "minLength": 1,
        "maxLength": BIO_MAX,
        "description": f"1 to {BIO_MAX:,} characters; null when there is none.",
    },
    "UserChanges.bio": {
        "maxLength": BIO_MAX,
        "description": f"At most {BIO_MAX:,} characters; an empty string or null clears it.",
    },
    "image": {
        "maxLength": IMAGE_MAX,
        "format": "uri",
        "description": "An `http` or `https` URL; null when there is none.",
    },
    "UserChanges.image": {
        "maxLength": IMAGE_MAX,
        "description": f"An absolute `http` or `https` URL of at most {IMAGE_MAX:,} characters;"
        " an empty string or null clears it.",
    },
    "slug": {
        "maxLength": SLUG_MAX,
        "pattern": f"^{SLUG_PATTERN}$",
        "description": "Made once from the title at creation (lower-case ASCII words joined by"
        " `-`, `-2`, `-3` ... when taken, never given twice) and never changed;"
        " `GET /api/v1/posts/by-slug/{slug}`.",
        "examples": ["hello-world"],
    },
    "summary": {
        "maxLength": SUMMARY_MAX,
        "description": f"0 to {SUMMARY_MAX} characters.",
    },
    "tags": {"items": TAG, "description": TAGS_RULE, "examples": [["python", "flask"]]},
    "Post.tags": {"items": TAG, "maxItems": TAGS_MAX, "description": TAGS_RULE},
    "PostReplacement.summary": {
        "maxLength": SUMMARY_MAX,
        "description": f"0 to {SUMMARY_MAX} characters; stays as it is when absent.",
    },
    "PostReplacement.tags": {"items": TAG, "description": TAGS_RULE + " Stay when absent."},
    "favorites_count": {"minimum": 0, "description": "How many users favorited it."},
    "comments_count": {"minimum": 0},
    "favorited": {"description": "Whether the caller favorited it; false without a token."},
    "PostListQuery.tag": {
        "minLength": 1,
        "maxLength": TAG_MAX,
        "description": "Only posts with this tag (as stored: trimmed, case kept).",
    },
    "PostListQuery.author": {
        **BY_USERNAME,
        "description": "Only posts by the user with this username (any case); an unknown one"
        " gives an empty page.",
    },
    "PostListQuery.favorited_by": {
        **BY_USERNAME,
        "description": "Only posts the user with this username (any case) favorited; an"
        " unknown one gives an empty page.",
    },
    "Profile.following": {"description": "Whether the caller follows them; false without a token."},
    "Profile.followers": {"minimum": 0, "description": "How many users follow them."},
    "Profile.follows": {"minimum": 0, "description": "How many users they follow."},
    "post_id": ID,
    "body": {
        "minLength": BODY_MIN,
        "maxLength": BODY_MAX,
        "description": f"{BODY_MIN} to {BODY_MAX:,} characters.",
        "examples": ["Nice post!"],
    },
    "TagUse.name": {"description": "The tag, as stored (trimmed, case kept)."},
    "TagUse.posts": {"minimum": 1, "description": "Published posts carrying it."},
    "TagList.tags": {
        "maxItems": TAGS_LISTED,
        "description": f"The {TAGS_LISTED} tags on most published posts, most used first.",
    },
    "TokenPair.access_token": {"description": "Send as `Authorization: Bearer <access_token>`."},
    "TokenPair.refresh_token": {
        "description": "Send to `POST /api/v1/auth/refresh`; works once (rotation)."
    },
    "TokenPair.token_type": {"const": attrs.fields(TokenPair).token_type.default},
    "TokenPair.expires_in": {"minimum": 1, "description": "Seconds the access token lives."},
    "Page.items": {"maxItems": PER_PAGE_MAX},
    "Page.total": {"minimum": 0, "description": "Items matching, on all pages."},
    "Page.page": {"minimum": 1, "description": "1 when the page was asked for by `cursor`."},
    "Page.per_page": PER_PAGE,
    "Page.pages": {"minimum": 0},
    "Page.next_cursor": {
        "description": "Pass as `cursor` for the next page; null on the last page."
    },
    "Page.total_is_lower_bound": {
        "description": "True when a search's count stopped at its cap: at least `total` items"
        " match. Absent or false when `total` is exact."
    },
    "PagedQuery.page": {
        "minimum": 1,
        "description": "1-based page number of up to 4,000 digits (a page past the end is"
        " empty); ignored with `cursor`.",
    },
    "PagedQuery.per_page": PER_PAGE,
    "PagedQuery.cursor": {
        "maxLength": CURSOR_MAX,
        "description": "The `next_cursor` of the previous page: continues right after its last"
        " item (keyset pagination). A cursor this API did not issue is 400.",
    },
    "UserListQuery.search": {
        "maxLength": USER_SEARCH_MAX,
        "description": "Case-insensitive part of the name or e-mail.",
    },
    "PostListQuery.search": {
        "maxLength": SEARCH_MAX,
        "description": "Case-insensitive part of the title or content; `%` and `_` are plain"
        " characters.",
    },
    "PostListQuery.author_id": {**ID, "description": "Only posts by this user."},
    "PostListQuery.published": {
        "description": "`true`: published posts only (even to their authors). `false`: the"
        " drafts the caller may see: none when anonymous, their own for a user, all for an"
        " admin."
    },
}

# Of request bodies and rendered objects, by their schema's name.
DESCRIPTIONS = {
    "Registration": "A new account; always a plain user.",
    "Credentials": "Login.",
    "PasswordChange": "Ends every other session of the user; this one stays signed in.",
    "UserChanges": "What to change; absent fields stay as they are, an empty object changes"
    " nothing.",
    "NewPost": "A post by the caller.",
    "PostReplacement": "PUT: `title`, `content` and `published` are required; `summary` and"
    " `tags` stay as they are when absent.",
    "PostChanges": "PATCH: any of the fields; absent fields stay as they are.",
    "User": "A user as they themself and admins see them. Never a password or its hash.",
    "PublicUser": "What anybody else may see of a user.",
    "UserPage": "A page of users. Newest first, ties broken by id descending.",
    "PostPage": "A page of posts. Newest first, ties broken by id descending.",
    "Post": "`favorites_count`, `comments_count` and `favorited` are read with the post: they"
    " may differ under one `ETag`, which names the version of what the author edits.",
    "Author": "The author as they are now.",
    "Profile": "What anybody sees of an active user, by their username.",
    "Comment": "A comment on a post.",
    "NewComment": "A comment by the caller.",
    "CommentPage": "A page of comments. Newest first, ties broken by id descending.",
    "TagUse": "A tag and how many published posts carry it.",
    "TagList": "The tags in use.",
}


# E-mail verification and password reset.
FIELDS.update(
    {
        "token": {
            "minLength": 1,
            "maxLength": TOKEN_MAX,
            "description": "The `token` of the mailed link (its `?token=` part).",
        },
        "ResetRequest.email": {
            "type": "string",
            "description": "Any text (but a NUL or a lone surrogate, as in every body): the"
            " answer is the same whether or not an account has it as its address (text that is"
            " no address at all, none can).",
            "examples": ["ann@example.com"],
        },
        "User.email_verified": {
            "description": "Whether the owner has opened the verification link mailed to this"
            " address; a new or changed address starts unverified."
        },
    }
)
DESCRIPTIONS.update(
    {
        "EmailVerification": "The token of a verification link.",
        "ResetRequest": "The address to mail a reset link to.",
        "PasswordReset": "The token of a reset link, and the new password.",
    }
)


def notes(owner: type, name: str, entries: Mapping[str, Schema] = FIELDS) -> Schema:
    """The entry for field `name` of class `owner` (a copy: the caller may change it)."""
    for cls in owner.__mro__:
        found = entries.get(f"{cls.__name__}.{name}")
        if found is not None:
            return dict(found)
    return dict(entries.get(name, {}))


def entries_under(rules: PasswordRules) -> dict[str, Schema]:
    """FIELDS with the password entries of a deployment's PASSWORD_RULES."""
    return {**FIELDS, "password": password(rules), "new_password": password(rules)}
