"""A password is taken exactly as typed (issue 19, item 5): every form strips the spaces around
what is typed, but never around a password, so a password set with `flask create-user` that
begins or ends with a space can be typed on the sign-in page."""

from tests.conftest import Browser, text_of

SPACED = "  a kettle of otters on the stairs "
EMAIL = "spaced.out@demo.gov.uk"


def test_a_password_with_spaces_around_it_set_by_the_command_line_works_on_the_web(
    app, transaction
):
    result = app.test_cli_runner().invoke(
        args=["create-user", "--email", EMAIL, "--name", "Spaced Out", "--role", "officer"],
        input=f"{SPACED}\n{SPACED}\n",
    )
    assert result.exit_code == 0, result.output
    visitor = Browser(app.test_client())
    signed = visitor.post("/sign-in", {"email": EMAIL, "password": SPACED})
    assert signed.status_code == 302, text_of(signed)
    assert "Spaced Out" in visitor.text("/home")


def test_the_same_password_without_its_spaces_is_a_different_password(app, transaction):
    app.test_cli_runner().invoke(
        args=["create-user", "--email", EMAIL, "--name", "Spaced Out", "--role", "officer"],
        input=f"{SPACED}\n{SPACED}\n",
    )
    refused = Browser(app.test_client()).post(
        "/sign-in", {"email": EMAIL, "password": SPACED.strip()}
    )
    assert refused.status_code == 200
    assert "Enter a correct email address and password" in text_of(refused)

