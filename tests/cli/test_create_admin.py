"""`quill create-admin`: options for scripts, prompts for people, the same rules as HTTP."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from infrastructure.memory import InMemoryUnitOfWork
from interfaces.container import Container
from tests.cli.expect import one_line_error
from tests.conftest import SignedIn

EMAIL = "root@quill.example"
PASSWORD = "Admin-Secret-42"


def test_create_admin_with_options_creates_an_admin_who_can_log_in_over_http(quill, log_in):
    result = quill("create-admin", "--email", EMAIL, "--name", "Root", "--password", PASSWORD)

    assert result.exit_code == 0, result.output
    assert EMAIL in result.stdout
    response = log_in(EMAIL, PASSWORD)
    assert response.status_code == 200, response.json
    assert response.json["user"]["role"] == "admin"
    assert response.json["user"]["name"] == "Root"


def test_the_created_admin_may_use_admin_routes(quill, log_in, client: FlaskClient):
    quill("create-admin", "--email", EMAIL, "--name", "Root", "--password", PASSWORD)
    token = log_in(EMAIL, PASSWORD).json["access_token"]

    response = client.get("/api/v1/users", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200, response.json


def test_the_created_admin_is_verified_and_moderates_where_writers_must_be_verified(
    quill, log_in, client: FlaskClient, container: Container, uow: InMemoryUnitOfWork,
    auth: Callable[..., SignedIn],
) -> None:  # fmt: skip
    author = auth()
    post = client.post("/api/v1/posts", json={"title": "Spam", "content": "Buy"},
                       headers=author.headers).json  # fmt: skip
    quill("create-admin", "--email", EMAIL, "--name", "Root", "--password", PASSWORD)
    admin = log_in(EMAIL, PASSWORD).json
    assert admin["user"]["email_verified"] is True  # the operator vouches for the address
    assert not [mail for mail in uow.store.outbox.values() if mail.recipient == EMAIL]
    with container.config.require_verified_email.override(True):
        deleted = client.delete(
            f"/api/v1/posts/{post['id']}",
            headers={"Authorization": f"Bearer {admin['access_token']}"},
        )
    assert deleted.status_code == 204, deleted.json


def test_create_admin_prompts_for_everything_and_creates_the_admin(quill, log_in):
    result = quill("create-admin", input=f"{EMAIL}\nRoot\n{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    for prompt in ("Email:", "Name:", "Password:", "Repeat for confirmation:"):
        assert prompt in result.output
    assert log_in(EMAIL, PASSWORD).json["user"]["role"] == "admin"


def test_the_prompted_password_is_not_echoed(quill):
    result = quill("create-admin", input=f"{EMAIL}\nRoot\n{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert EMAIL in result.output  # visible prompts echo their input...
    assert PASSWORD not in result.output  # ...the hidden one does not


def test_a_mismatched_confirmation_at_a_terminal_prompts_for_the_password_again(
    quill, log_in, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr("interfaces.cli.app.at_terminal", lambda: True)
    typed = f"{EMAIL}\nRoot\nFirst-Try-111\nTypo-Try-111\n{PASSWORD}\n{PASSWORD}\n"

    result = quill("create-admin", input=typed)

    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert result.output.count("Repeat for confirmation:") == 2
    assert log_in(EMAIL, PASSWORD).status_code == 200
    assert log_in(EMAIL, "First-Try-111").status_code == 401


def test_a_piped_mismatched_confirmation_is_one_line_not_a_question_asked_again(quill, uow):
    """Asking again would read the next piped lines as the password and its confirmation."""
    typed = f"{EMAIL}\nRoot\nFirst-Try-111\nTypo-Try-111\n{PASSWORD}\n{PASSWORD}\n"

    result = quill("create-admin", input=typed)

    assert one_line_error(result) == "Error: --password: the two entered values do not match."
    assert result.output.count("Repeat for confirmation:") == 1
    assert uow.store.users == {}


def test_a_piped_empty_password_is_refused_by_the_policy_not_asked_again(quill, uow):
    result = quill("create-admin", input=f"{EMAIL}\nRoot\n\n\n{PASSWORD}\n{PASSWORD}\n")

    assert "at least" in one_line_error(result)
    assert result.output.count("Password:") == 1  # the next lines were not read as answers
    assert uow.store.users == {}


def test_a_password_breaking_the_policy_is_one_line_on_stderr(quill, uow: InMemoryUnitOfWork):
    result = quill("create-admin", "--email", EMAIL, "--name", "Root", "--password", "short")

    line = one_line_error(result)
    assert "password" in line.lower()
    assert result.stdout == ""
    assert uow.store.users == {}


def test_a_prompted_password_breaking_the_policy_is_one_line_on_stderr(quill, uow):
    result = quill("create-admin", input=f"{EMAIL}\nRoot\nalllowercase\nalllowercase\n")

    line = one_line_error(result)
    assert "upper-case" in line
    assert uow.store.users == {}


def test_an_invalid_email_is_one_line_naming_the_field(quill, uow):
    result = quill(
        "create-admin", "--email", "not-an-email", "--name", "Root", "--password", PASSWORD
    )

    line = one_line_error(result)
    assert "email" in line.lower()
    assert uow.store.users == {}


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if a person typed the answers (Click's runner pipes them)."""
    monkeypatch.setattr("interfaces.cli.users.at_terminal", lambda: True)


@pytest.mark.usefixtures("at_a_terminal")
def test_at_a_terminal_an_invalid_email_is_asked_again_before_the_password(quill, log_in):
    typed = f"not-an-email\n{EMAIL}\nRoot\n{PASSWORD}\n{PASSWORD}\n"

    result = quill("create-admin", input=typed)

    assert result.exit_code == 0, result.output
    assert result.output.count("Email:") == 2
    said = result.output.index("Must be a valid e-mail address.")
    assert said < result.output.index("Password:")
    assert log_in(EMAIL, PASSWORD).status_code == 200


@pytest.mark.usefixtures("at_a_terminal")
def test_at_a_terminal_an_invalid_name_is_asked_again_before_the_password(quill):
    result = quill("create-admin", input=f"{EMAIL}\n \nRoot\n{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert result.output.count("Name:") == 2
    assert result.output.index("printable characters") < result.output.index("Password:")


def test_a_piped_invalid_email_is_one_line_naming_it_before_any_password(quill, uow):
    """Asking again would read the next piped answer (the name) as the address."""
    result = quill("create-admin", input=f"not-an-email\nRoot\n{PASSWORD}\n{PASSWORD}\n")

    assert one_line_error(result) == "Error: --email: Must be a valid e-mail address."
    assert "Password:" not in result.output
    assert uow.store.users == {}


def test_a_taken_email_is_a_clear_error_whatever_its_case(quill, client: FlaskClient):
    body = {"email": EMAIL, "name": "Plain User", "password": PASSWORD}
    assert client.post("/api/v1/users", json=body).status_code == 201

    result = quill(
        "create-admin", "--email", EMAIL.upper(), "--name", "Root", "--password", PASSWORD
    )

    line = one_line_error(result)
    assert "already registered" in line


def test_a_taken_email_leaves_the_existing_account_as_it_was(quill, auth, client: FlaskClient):
    user = auth()

    quill("create-admin", "--email", user.user["email"], "--name", "Root", "--password", PASSWORD)

    me = client.get("/api/v1/users/me", headers=user.headers).json
    assert me["role"] == "user"
    assert me["name"] == user.user["name"]


def test_create_admin_stores_the_email_lower_cased(quill, log_in):
    result = quill(
        "create-admin", "--email", "Root@Quill.Example", "--name", "Root", "--password", PASSWORD
    )

    assert result.exit_code == 0, result.output
    assert log_in(EMAIL, PASSWORD).json["user"]["email"] == EMAIL
