"""Invalid answers fail in the pre-gen hook with one promised line and leave nothing behind."""

from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (
            {"project_slug": "My-Shop"},
            "ERROR: project_slug 'My-Shop' is not a lowercase Python identifier — ",
        ),
        (
            {"project_slug": "1shop"},
            "ERROR: project_slug '1shop' is not a lowercase Python identifier — ",
        ),
        (
            {"project_slug": "class"},
            "ERROR: project_slug 'class' is not a lowercase Python identifier — ",
        ),
        ({"project_slug": "django"}, "ERROR: project_slug 'django' shadows the module 'django'"),
        ({"project_slug": "easypay"}, "ERROR: project_slug 'easypay' shadows the module 'easypay'"),
        ({"project_slug": "json"}, "ERROR: project_slug 'json' shadows the module 'json'"),
        ({"project_slug": "tests"}, "ERROR: project_slug 'tests' shadows the module 'tests'"),
        (
            {"domain_name": "https://shop.example.com"},
            "ERROR: domain_name 'https://shop.example.com' is not a host name — ",
        ),
        ({"domain_name": "localhost"}, "ERROR: domain_name 'localhost' is not a host name — "),
        ({"email": "not-an-email"}, "ERROR: email 'not-an-email' is not an email address — "),
        ({"email": "a@b"}, "ERROR: email 'a@b' is not an email address — "),
        ({"timezone": "Seoul"}, "ERROR: timezone 'Seoul' is not an IANA time zone — "),
        (
            {"language_code": "jp"},
            "ERROR: language_code 'jp' is not supported — choose one of ko, en",
        ),
        ({"project_name": "  ", "project_slug": "shop"}, "ERROR: project_name is empty — "),
    ],
)
def test_an_invalid_answer_stops_in_the_pre_gen_hook_and_leaves_nothing(
    cookies, capfd, tmpdir, answers, message
):
    result = cookies.bake(extra_context=answers)
    output = capfd.readouterr()

    assert result.exit_code != 0
    assert isinstance(result.exception, FailedHookException)
    error_lines = [line for line in output.err.splitlines() if line.startswith("ERROR:")]
    assert len(error_lines) == 1
    assert error_lines[0].startswith(message)
    bake_dirs = list((Path(tmpdir) / "cookies").iterdir())
    assert bake_dirs, "pytest-cookies made no output folder: the test would prove nothing"
    assert all(not any(folder.iterdir()) for folder in bake_dirs)
