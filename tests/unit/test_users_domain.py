"""The user rules: e-mail, name and password policy, changes, roles and the acting caller."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest

from domain.errors import InvalidInput
from domain.users import (
    EMAIL_MAX,
    Actor,
    PasswordRules,
    Role,
    User,
    check_password,
    email_key,
    normalize_email,
    normalize_name,
)
from tests.factories import LATER, T0, make_user

# --- e-mail ---------------------------------------------------------------------------------


def test_an_email_is_stored_lower_cased() -> None:
    assert normalize_email("Ann.Smith@Example.COM") == "ann.smith@example.com"


def test_an_email_is_trimmed() -> None:
    assert normalize_email("  ann@example.com \n") == "ann@example.com"


def test_an_address_is_one_whether_its_accents_are_composed_or_not() -> None:
    composed, decomposed = "jos\u00e9@example.com", "jose\u0301@example.com"
    assert normalize_email(decomposed) == normalize_email(composed) == composed
    assert email_key(decomposed.upper()) == composed
    assert normalize_email("ann@exa\u0301mple.org") == "ann@ex\u00e1mple.org"


def test_an_address_is_one_whether_its_domain_is_written_in_unicode_or_in_idna_ascii() -> None:
    unicode, ascii_form = "zoe@ex\u00e4mple.org", "Zoe@XN--exmple-cua.org"
    assert normalize_email(ascii_form) == normalize_email(unicode) == unicode
    assert email_key(ascii_form) == unicode
    assert normalize_email("cy@mail.xn--mnchen-3ya.de") == "cy@mail.m\u00fcnchen.de"


@pytest.mark.parametrize(
    "domain",
    [
        "xn--ls8h.org", "xn--.org", f"xn--{'a' * 300}.org",
        "xn--exmple-cua\u3002org",  # an ideographic full stop, which DNS does not split at
    ],
)  # fmt: skip
def test_an_ascii_label_that_is_no_valid_idna_is_refused_and_looked_up_as_typed(
    domain: str,
) -> None:
    with pytest.raises(InvalidInput):
        normalize_email(f"al@{domain}")
    assert email_key(f"al@{domain}") == f"al@{domain}"[:EMAIL_MAX]


@pytest.mark.parametrize("dot", ["\u3002", "\uff0e", "\uff61"])
def test_a_domain_whose_labels_are_parted_by_another_dot_than_dns_s_is_refused(dot: str) -> None:
    """Read as `.` by IDNA's lenient mode, which would make two accounts of one mailbox."""
    with pytest.raises(InvalidInput):
        normalize_email(f"zoe@ex\u00e4mple{dot}co.uk")


def test_an_address_is_looked_up_as_it_is_kept_even_when_invalid() -> None:
    assert email_key("  Ann@Example.COM ") == normalize_email("Ann@Example.COM")
    assert email_key("NOT AN ADDRESS") == "not an address"  # a login's guess is still counted
    assert len(email_key("A" * 1_000)) == EMAIL_MAX


@pytest.mark.parametrize(
    "email",
    ["ann@example.com", "ann+tag@mail.example.co.uk", "a.b-c_d@sub.example.org", "x@y.io"],
)
def test_a_plain_email_address_is_valid(email: str) -> None:
    assert normalize_email(email) == email


@pytest.mark.parametrize(
    "email",
    [
        "",
        "   ",
        "ann",
        "ann@",
        "@example.com",
        "ann@example",
        "ann@@example.com",
        "ann@bob@example.com",
        "ann smith@example.com",
        "ann@exa mple.com",
        "ann@example..com",
        "ann@.example.com",
        "ann@example.com.",
        "ann\x00@example.com",
    ],
)
def test_an_invalid_email_is_refused_on_the_email_field(email: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_email(email)
    assert list(raised.value.errors) == ["email"]


@pytest.mark.parametrize(
    "email",
    [
        "a@[x.io",  # the standard library's header parser fails on it with an AttributeError
        "a]b@x.io",
        "a(b@x.io",
        "ann)@x.io",
        "a@x(.io",
        "a<b@x.io",
        "a>b@x.io",
        "a,b@x.io",  # in a To header, two recipients
        "a;b@x.io",
        "a:b@x.io",
        'a"b@x.io',
        "a\\b@x.io",
        ".ann@x.io",
        "ann.@x.io",
        "ann..b@x.io",
        "ann@x.io\x7f",
        "=?utf-8?q?victim=40other.org?=@example.com",  # To would read victim@other.org
        "=?UTF-8?B?YUBiLmM=?=@example.com",
        "a=?utf-8?q?=0d=0abcc=3a_x=40evil.example?=@example.com",
        "y\u009b2jb@evil.example",  # a C1 control: a terminal's CSI
        "x\u202eb@evil.example",  # a direction override
        "a\u2067b@evil.example",  # an isolate, a direction control too
    ],
)
def test_an_address_a_mail_header_cannot_carry_is_refused(email: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_email(email)
    assert list(raised.value.errors) == ["email"]


@pytest.mark.parametrize(
    "email",
    [
        "ann@b_c.com",  # DNS names hold letters, digits and hyphens
        "ann@-b.com",
        "ann@b-.com",
        "ann@ab--cd.com",  # IDNA keeps "--" at 3 and 4 for its own `xn--` labels
        f"ann@{'b' * 64}.com",  # a label of 64
        "ann@☃.org",  # a symbol: IDNA 2003 (Python's codec) takes it, IDNA 2008 does not
        "ann@x\u05d0.com",  # a label mixing directions
        "ann@\u0301example.org",  # a label that starts with a combining mark
        "ann@xn--zz.org",  # a broken A-label
    ],
)
def test_a_domain_dns_cannot_hold_is_refused(email: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_email(email)
    assert list(raised.value.errors) == ["email"]


def test_a_plain_domain_is_checked_without_loading_idna() -> None:
    """IDNA's tables cost each worker a megabyte; only an international domain needs them."""
    check = (
        "import sys; from domain.users import normalize_email;"
        " normalize_email('Ann@Mail-1.Example.com'); assert 'idna' not in sys.modules;"
        " normalize_email('ann@exämple.org'); assert 'idna' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)


@pytest.mark.parametrize("email", ["ann@exämple.org", "ann@例え.テスト", "ann@faß.de", "a@1.2"])
def test_an_international_domain_is_valid(email: str) -> None:
    assert normalize_email(email) == email


@pytest.mark.parametrize(
    "email",
    [
        "o'brien@example.com", "a!#$%&*/=?^_`{|}~-b@x.io", "josé@x.io",
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645@example.com",  # Persian's ZWNJ
        "ali@\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645.ir",  # as IDNA 2008 allows it
        "x\U0001fae8@example.com",  # newer than this Python's Unicode tables
    ],
)  # fmt: skip
def test_an_address_of_other_permitted_characters_is_valid(email: str) -> None:
    assert normalize_email(email) == email


LONGEST_DOMAIN = f"{'b' * 63}.{'b' * 63}.{'b' * 57}.com"  # 189: with a local part of 64, 254


def test_an_email_of_254_characters_is_accepted() -> None:
    email = f"{'a' * 64}@{LONGEST_DOMAIN}"
    assert len(email) == 254 and normalize_email(email) == email


def test_an_email_longer_than_254_characters_is_refused() -> None:
    with pytest.raises(InvalidInput):
        normalize_email(f"{'a' * 64}@b{LONGEST_DOMAIN}")


@pytest.mark.parametrize("local", ["a" * 64, "é" * 32])
def test_a_local_part_of_64_octets_is_accepted(local: str) -> None:
    assert normalize_email(f"{local}@example.com") == f"{local}@example.com"


@pytest.mark.parametrize("local", ["a" * 65, "é" * 33])  # 65 and 66 octets
def test_a_local_part_longer_than_64_octets_is_refused(local: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_email(f"{local}@example.com")
    assert list(raised.value.errors) == ["email"]


# --- name -----------------------------------------------------------------------------------


def test_a_name_is_trimmed() -> None:
    assert normalize_name("  Ann Smith \t") == "Ann Smith"


@pytest.mark.parametrize("name", ["Al", "x" * 100, "  " + "x" * 100 + "  ", " Jo "])
def test_a_name_of_2_to_100_characters_after_trimming_is_valid(name: str) -> None:
    assert normalize_name(name) == name.strip()


@pytest.mark.parametrize("name", ["", "A", "   ", " A ", "x" * 101])
def test_a_name_outside_2_to_100_characters_after_trimming_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        normalize_name(name)
    assert list(raised.value.errors) == ["name"]


def test_a_name_with_control_characters_is_refused() -> None:
    with pytest.raises(InvalidInput):
        normalize_name("Ann\x00Smith")


@pytest.mark.parametrize(
    "name",
    [
        "Ann \U0001f469\u200d\U0001f4bb",  # an emoji sequence: woman, ZWJ, laptop
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, with a ZWNJ
        "Ann \u2764\ufe0f",  # a heart and the selector that shows it as an emoji
    ],
)
def test_a_name_with_the_joiners_words_and_emoji_need_is_valid(name: str) -> None:
    assert normalize_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        "\u200d\u200d",
        "\u200c \u200d",
        "Ann\u202eSmith",
        "Ann\u200bSmith",
        "\u3164\u3164",  # Hangul fillers, variation selectors: shown as nothing
        "\u115f\u1160",
        "\ufe0f\u034f",
        "\u2800\u2800",  # the blank Braille pattern
    ],
)
def test_a_name_of_joiners_alone_or_with_other_invisible_formatting_is_refused(
    name: str,
) -> None:
    with pytest.raises(InvalidInput):
        normalize_name(name)


# --- password -------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["Abcdefg1", "A1" + "a" * 126, "Correct-Horse-9"])
def test_a_password_of_8_to_128_characters_with_an_upper_case_letter_and_a_digit_is_valid(
    password: str,
) -> None:
    check_password(password)


@pytest.mark.parametrize("password", ["Abcdef1", "A1" + "a" * 127])
def test_a_password_outside_8_to_128_characters_is_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password(password)
    assert len(raised.value.errors["password"]) == 1


@pytest.mark.parametrize(
    "password", ["Secret-Pass-1\r", "Secret\tPass-1", "Secret-Pass-1\n", "Secret-\x00Pass-1"]
)
def test_a_password_with_a_control_character_is_refused_under_either_rules(
    password: str,
) -> None:
    for rules in PasswordRules:
        with pytest.raises(InvalidInput) as raised:
            check_password(password, rules=rules)
        assert raised.value.errors["password"] == [
            "Must not contain control characters (a tab, a line end)."
        ]


def test_a_password_of_spaces_and_any_script_is_valid_under_the_length_rules() -> None:
    check_password("correct horse ĉevalo 马", rules=PasswordRules.LENGTH)


@pytest.mark.parametrize("password", ["abcdefg1", "Ärgerlich1"])  # ASCII's, as it says
def test_a_password_without_an_upper_case_letter_is_refused(password: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password(password)
    assert raised.value.errors == {
        "password": ["Must contain at least one upper-case letter (A to Z)."]
    }


def test_a_password_without_a_digit_is_refused() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password("Abcdefgh")
    assert raised.value.errors == {"password": ["Must contain at least one digit (0 to 9)."]}


def test_every_problem_of_a_password_is_reported_together() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password("short")
    assert len(raised.value.errors["password"]) == 3


def test_a_password_problem_is_reported_on_the_field_named_by_the_caller() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_password("short", "new_password")
    assert list(raised.value.errors) == ["new_password"]


# --- User -----------------------------------------------------------------------------------


def test_a_registered_user_is_a_new_active_user_whose_timestamps_are_equal() -> None:
    user = User.register(
        email="ann@example.com", name="Ann", username="ann", password_hash="h", now=T0
    )
    assert (user.id, user.role, user.is_active) == (None, Role.USER, True)
    assert user.created_at == user.updated_at == T0


def test_a_user_needs_timezone_aware_timestamps() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_user(created_at=datetime(2026, 11, 24, 10, 0))


def test_the_password_hash_is_not_shown_in_a_users_repr() -> None:
    assert "secret-hash" not in repr(make_user(password_hash="secret-hash"))


def test_changing_a_field_to_a_new_value_moves_updated_at() -> None:
    user = make_user(name="Ann")
    changed = user.change(name="Annie", now=LATER)
    assert (changed.name, changed.updated_at, changed.created_at) == ("Annie", LATER, T0)


def test_changing_a_field_to_its_current_value_changes_nothing() -> None:
    user = make_user(name="Ann")
    assert user.change(name="Ann", now=LATER) is user


def test_changing_nothing_keeps_updated_at() -> None:
    user = make_user()
    assert user.change(now=LATER).updated_at == T0


def test_a_change_mixing_same_and_new_values_applies_the_new_ones() -> None:
    user = make_user(name="Ann", role=Role.USER)
    changed = user.change(name="Ann", role=Role.ADMIN, now=LATER)
    assert (changed.name, changed.role, changed.updated_at) == ("Ann", Role.ADMIN, LATER)


def test_a_change_leaves_the_original_user_untouched() -> None:
    user = make_user(name="Ann")
    user.change(name="Annie", now=LATER)
    assert (user.name, user.updated_at) == ("Ann", T0)


def test_only_an_active_admin_is_an_active_admin() -> None:
    assert make_user(role=Role.ADMIN).is_active_admin
    assert not make_user(role=Role.ADMIN, is_active=False).is_active_admin
    assert not make_user(role=Role.USER).is_active_admin


# --- Actor ----------------------------------------------------------------------------------


def test_a_user_may_manage_only_their_own_account() -> None:
    actor = Actor(id=7, name="Ann", role=Role.USER, session_id="s")
    assert actor.may_manage(7)
    assert not actor.may_manage(8)


def test_an_admin_may_manage_any_account() -> None:
    actor = Actor(id=7, name="Ann", role=Role.ADMIN, session_id="s")
    assert actor.is_admin
    assert actor.may_manage(8)
