"""A failing baked project's tests are reported by their own error lines; skipped ones by why."""

import pytest

from tests.installing import failing_tests, run_tests, skipped_tests

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="1" failures="1" tests="3">
<testcase classname="easypay.tests.test_views" name="test_ok" time="0.1"/>
<testcase classname="easypay.tests.test_views" name="test_a_refund" time="0.2">
<failure message="assert 'paid' == 'cancelled'">easypay/tests/test_views.py:42: in test_a_refund
    assert payment.status == "cancelled"
E   AssertionError: assert 'paid' == 'cancelled'</failure></testcase>
<testcase classname="easypay.tests.test_db" name="test_on_postgres" time="0.0">
<error message="failed on setup with &quot;OperationalError: database is gone&quot;">E   psycopg.OperationalError: database "test_x" does not exist</error></testcase>
</testsuite></testsuites>
"""


def test_each_failing_test_is_named_with_its_own_error_lines(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text(JUNIT)

    failures = failing_tests(report)

    assert len(failures) == 2
    assert failures[0].startswith("easypay.tests.test_views::test_a_refund: assert 'paid'")
    assert "E   AssertionError: assert 'paid' == 'cancelled'" in failures[0]
    assert "(error in setup/teardown)" in failures[1]
    assert 'database "test_x" does not exist' in failures[1]


def test_a_failing_project_run_shows_the_failing_tests_not_the_logs_tail(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    # A stand-in project whose `make test` writes that report, prints a long log and fails.
    (project / "Makefile").write_text(
        "test:\n"
        "\t@python3 -c \"print('log line ' * 4000)\"\n"
        f"\t@cp {tmp_path / 'junit-source.xml'} $$(echo $$PYTEST_ADDOPTS | sed 's/--junitxml=//; s/ .*//')\n"
        "\t@exit 1\n"
    )
    (tmp_path / "junit-source.xml").write_text(JUNIT)

    with pytest.raises(AssertionError) as failed:
        run_tests(project, tmp_path)

    message = str(failed.value)
    assert "2 failing test(s)" in message
    assert "easypay.tests.test_views::test_a_refund" in message
    assert "log line" not in message


def test_tests_skipped_for_a_named_reason_are_listed_with_it(tmp_path):
    report = tmp_path / "junit.xml"
    report.write_text(
        JUNIT.replace(
            '<testcase classname="easypay.tests.test_views" name="test_ok" time="0.1"/>',
            '<testcase classname="easypay.tests.test_concurrency" name="test_race" time="0.0">'
            '<skipped type="pytest.skip" message="needs PostgreSQL">skipped</skipped></testcase>'
            '<testcase classname="config.tests.test_translations" name="test_catalogs">'
            '<skipped type="pytest.skip" message="needs GNU gettext">skipped</skipped></testcase>'
            '<testcase classname="easypay.tests.test_later" name="test_known_bug">'
            '<skipped type="pytest.xfail" message="PostgreSQL bug">xfail</skipped></testcase>',
        )
    )

    assert skipped_tests(report, saying="PostgreSQL") == [
        "easypay.tests.test_concurrency::test_race: needs PostgreSQL"
    ]
    assert len(failing_tests(report)) == 2
