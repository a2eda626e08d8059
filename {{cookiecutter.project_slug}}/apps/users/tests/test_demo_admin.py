import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_demo_admin_prints_a_password_that_logs_in(settings, capsys, client):
    settings.DEBUG = True

    call_command("demo_admin")
    password = capsys.readouterr().out.split("password ")[1].split()[0]

    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.is_staff
    assert client.login(username="admin", password=password)


def test_demo_admin_resets_the_password_each_run(settings, capsys):
    settings.DEBUG = True
    call_command("demo_admin")
    first = capsys.readouterr().out
    call_command("demo_admin")
    second = capsys.readouterr().out

    assert first != second
    assert get_user_model().objects.filter(username="admin").count() == 1


def test_demo_admin_refuses_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_admin")
    assert not get_user_model().objects.filter(username="admin").exists()


def test_demo_admin_prints_the_admin_at_django_admin_url(settings, capsys):
    settings.DEBUG = True

    call_command("demo_admin")

    assert f"http://127.0.0.1:8000{reverse('admin:index')}  " in capsys.readouterr().out


def test_demo_admin_prints_the_address_of_the_server_that_will_serve_it(settings, capsys):
    settings.DEBUG = True

    call_command("demo_admin", "--url", "http://127.0.0.1:8001/")

    assert f"Demo admin: http://127.0.0.1:8001{reverse('admin:index')}  " in capsys.readouterr().out
