from tests.conftest import OFFICER, text_of


def test_the_demo_officer_signs_in_and_sees_the_hidden_harms_streams(signed_in):
    officer = signed_in(OFFICER)
    page = text_of(officer.get("/streams"))
    assert "Social workers in schools" in page
    assert "£6,500,000.00" in page


def test_a_wrong_password_is_refused_with_a_message_beside_the_form(browser):
    response = browser.sign_in(OFFICER, "not-the-password")
    assert response.status_code == 200
    assert "Enter a correct email address and password" in text_of(response)
