"""A forgotten password, end to end: ask for a reset, get the mail, follow its link, set a new
password, log in with it (Django's test runner keeps the mail in mail.outbox, locmem)."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse

pytestmark = pytest.mark.django_db

OLD_PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "another-stable-staple"
RESET_LINK = re.compile(r"http://testserver(/accounts/reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture
def buyer():
    return get_user_model().objects.create_user(
        "forgetful", email="forgetful@example.com", password=OLD_PASSWORD
    )


def logs_in(client, password: str) -> bool:
    response = client.post(reverse("login"), {"username": "forgetful", "password": password})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_a_buyer_resets_a_forgotten_password_by_mail(client, buyer, mailoutbox):
    asked = client.post(reverse("password_reset"), {"email": "forgetful@example.com"})

    assert asked.status_code == 302
    assert asked.url == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["forgetful@example.com"]
    assert mail.from_email == settings.DEFAULT_FROM_EMAIL
    link = RESET_LINK.search(mail.body)
    assert link, mail.body

    # The link swaps its token for a session and redirects to the form that sets the password.
    followed = client.get(link.group(1))
    assert followed.status_code == 302
    form = client.get(followed.url)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(followed.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert done.url == reverse("password_reset_complete")
    assert not logs_in(client, OLD_PASSWORD)
    assert logs_in(client, NEW_PASSWORD)


def test_a_used_reset_link_does_not_work_twice(client, buyer, mailoutbox):
    client.post(reverse("password_reset"), {"email": "forgetful@example.com"})
    link = RESET_LINK.search(mailoutbox[0].body).group(1)
    followed = client.get(link)
    client.post(followed.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)

    assert again.context["validlink"] is False


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mailoutbox):
    # Whether an address has an account is not given away.
    asked = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert asked.status_code == 302
    assert asked.url == reverse("password_reset_done")
    assert mailoutbox == []
