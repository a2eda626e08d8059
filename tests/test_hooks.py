"""The hooks' helpers, imported from the unrendered hook files (their answers are read in main())."""

import importlib.util
import json
import shutil

import pytest

from tests.bakes import PROJECT_TEMPLATE, TEMPLATE_DIR


def load_hook(name: str):
    spec = importlib.util.spec_from_file_location(name, TEMPLATE_DIR / "hooks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pre_gen = load_hook("pre_gen_project")
post_gen = load_hook("post_gen_project")

VALID = {
    "project_name": "My Shop",
    "project_slug": "my_shop",
    "domain_name": "shop.example.co.kr",
    "email": "dev+shop@example.co.kr",
    "timezone": "Asia/Seoul",
    "language_code": "ko",
    "task_queue": "rq",
    "use_telegram": True,
    "use_sms": False,
    "use_slack": True,
    "use_sentry": False,
}


def test_valid_answers_pass():
    pre_gen.validate(VALID)


@pytest.mark.parametrize("slug", ["shop", "my_shop2", "a"])
def test_lowercase_identifiers_are_valid_slugs(slug):
    pre_gen.validate_slug(slug)


@pytest.mark.parametrize("slug", ["Shop", "my-shop", "my shop", "_shop", "2shop", "def", "샵", ""])
def test_a_slug_that_is_not_a_lowercase_identifier_is_refused(slug):
    with pytest.raises(pre_gen.InvalidAnswer) as error:
        pre_gen.validate_slug(slug)
    assert "lowercase Python identifier" in error.value.what
    assert "e.g." in error.value.fix


@pytest.mark.parametrize(
    "slug", ["django", "easypay", "apps", "config", "tests", "os", "email", "json"]
)
def test_a_slug_that_shadows_an_imported_module_is_refused(slug):
    with pytest.raises(pre_gen.InvalidAnswer, match="shadows the module"):
        pre_gen.validate_slug(slug)


@pytest.mark.parametrize("domain", ["shop.example.com", "a.kr", "xn--9n2bp8q.kr", "my-shop.co.kr"])
def test_host_names_are_valid_domains(domain):
    pre_gen.validate_domain(domain)


@pytest.mark.parametrize(
    "domain",
    [
        "localhost",
        "http://shop.kr",
        "shop.kr/",
        "shop.kr:8000",
        "Shop.KR",
        "-shop.kr",
        "shop..kr",
        "샵.kr",
    ],
)
def test_anything_but_a_bare_lowercase_host_is_refused(domain):
    with pytest.raises(pre_gen.InvalidAnswer, match="bare lowercase host"):
        pre_gen.validate_domain(domain)


@pytest.mark.parametrize(
    "email", ["a@b", "a b@example.com", "@example.com", "a@@example.com", "a@-x.com"]
)
def test_malformed_emails_are_refused(email):
    with pytest.raises(pre_gen.InvalidAnswer, match="not an email address"):
        pre_gen.validate_email(email)


def test_unknown_time_zones_and_languages_are_refused():
    with pytest.raises(pre_gen.InvalidAnswer, match="IANA"):
        pre_gen.validate_timezone("Korea/Seoul")
    with pytest.raises(pre_gen.InvalidAnswer, match="choose one of ko, en"):
        pre_gen.validate({**VALID, "language_code": "ja"})


def test_non_boolean_options_are_refused():
    with pytest.raises(pre_gen.InvalidAnswer, match="use_sms 'maybe' is not a boolean"):
        pre_gen.validate({**VALID, "use_sms": "maybe"})


def test_main_prints_one_error_line_and_exits_1(monkeypatch, capsys):
    monkeypatch.setattr(pre_gen, "ANSWERS_JSON", json.dumps({**VALID, "project_slug": "Bad"}))

    assert pre_gen.main() == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(
        "ERROR: project_slug 'Bad' is not a lowercase Python identifier — use "
    )


def test_every_path_the_post_gen_table_removes_exists_in_the_template():
    for options, paths in post_gen.REMOVED_WHEN_OFF.items():
        assert set(options) <= set(VALID), options
        for relative in paths:
            assert (PROJECT_TEMPLATE / relative).exists(), f"{options}: {relative} is missing"


@pytest.fixture
def project_copy(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(PROJECT_TEMPLATE, project)
    return project


@pytest.mark.parametrize(
    "switched_off",
    [(), ("use_sentry",), ("use_sms",), ("use_telegram", "use_sms", "use_slack", "use_sentry")],
)
def test_prune_removes_exactly_the_paths_of_the_options_switched_off(project_copy, switched_off):
    options = ("use_telegram", "use_sms", "use_slack", "use_sentry")
    answers = {**VALID, **{option: option not in switched_off for option in options}}

    removed = post_gen.prune(project_copy, answers)

    for entry, paths in post_gen.REMOVED_WHEN_OFF.items():
        gone = all(option in switched_off for option in entry)
        for relative in paths:
            assert (relative in removed) is gone, relative
            assert (project_copy / relative).exists() is not gone, relative


def test_write_env_fills_only_the_secret_key_line(project_copy):
    post_gen.write_env(project_copy)

    example = (project_copy / ".env.example").read_text().splitlines()
    env = (project_copy / ".env").read_text().splitlines()
    assert len(env) == len(example)
    changed = [(a, b) for a, b in zip(example, env, strict=True) if a != b]
    assert len(changed) == 1
    assert changed[0][0] == "DJANGO_SECRET_KEY="
    assert len(changed[0][1].removeprefix("DJANGO_SECRET_KEY=")) >= 50


def test_write_env_refuses_an_example_without_the_secret_line(project_copy):
    (project_copy / ".env.example").write_text("DATABASE_URL=sqlite:///db.sqlite3\n")

    with pytest.raises(SystemExit, match="DJANGO_SECRET_KEY="):
        post_gen.write_env(project_copy)


def test_write_answers_writes_a_replay_file_without_machine_paths(tmp_path):
    answers = {**VALID, "_template_version": "9.9.9", "_output_dir": "/tmp/x", "_repo_dir": "/r"}

    post_gen.write_answers(tmp_path, answers)

    written = json.loads((tmp_path / ".cookiecutter.json").read_text())["cookiecutter"]
    assert written["_template_version"] == "9.9.9"
    assert written["project_name"] == "My Shop"
    assert "_output_dir" not in written and "_repo_dir" not in written
