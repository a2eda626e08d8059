"""How a test reaches a file a bake changed (tests/bake_changes.py), on small made-up projects."""

from pathlib import Path

from tests.bake_changes import _Project, changed_files


def project(root: Path, files: dict[str, str]) -> _Project:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return _Project(root)


def test_an_import_inside_a_function_reaches_the_module_and_what_it_imports(tmp_path):
    shop = project(
        tmp_path,
        {
            "pay/__init__.py": "",
            "pay/tests/test_flow.py": "def test():\n    from pay import views\n",
            "pay/views.py": "from .services import approve\n",
            "pay/services.py": "from . import client\n",
            "pay/client.py": "",
            "pay/unrelated.py": "",
        },
    )
    reached = shop.closure({"pay/tests/test_flow.py"})
    assert {"pay/views.py", "pay/services.py", "pay/client.py"} <= reached
    assert "pay/unrelated.py" not in reached


def test_a_module_named_in_a_string_is_reached_but_not_one_named_in_a_docstring(tmp_path):
    shop = project(
        tmp_path,
        {
            "config/settings.py": 'TASKS = {"default": {"BACKEND": "config.rq_backend.Backend"}}\n',
            "config/rq_backend.py": "",
            "config/tests/test_a.py": '"""Unlike config.other, …"""\nimport config.settings\n',
            "config/other.py": "",
        },
    )
    reached = shop.closure({"config/tests/test_a.py"})
    assert "config/rq_backend.py" in reached
    assert "config/other.py" not in reached


def test_a_settings_default_counts_only_for_a_script_run_in_its_own_process(tmp_path):
    shop = project(
        tmp_path,
        {
            "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "s.local")\n',
            "wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "s.prod")\n',
            "s/__init__.py": "",
            "s/local.py": "",
            "s/prod.py": "",
            "s/base.py": 'WSGI_APPLICATION = "wsgi.application"\n',
            "t/test_run.py": 'import subprocess\nsubprocess.run(["python", "manage.py", "check"])\n',
        },
    )
    assert "s/prod.py" not in shop.closure({"s/base.py"})
    assert "s/local.py" in shop.closure({"t/test_run.py"})


def test_a_program_reaches_the_file_it_reads_by_itself(tmp_path):
    shop = project(
        tmp_path,
        {
            "Makefile": "run:\n",
            "t/test_make.py": 'import subprocess\nsubprocess.run(["make", "run"])\n',
        },
    )
    assert "Makefile" in shop.closure({"t/test_make.py"})


def test_a_folder_of_documents_named_by_its_path_reaches_each_document(tmp_path):
    shop = project(
        tmp_path,
        {
            "docs/going-live.md": "",
            "docs/operating.md": "",
            "t/test_docs.py": 'from pathlib import Path\nDOCS = Path("docs")\n',
            "t/test_one.py": 'from pathlib import Path\nTEXT = Path("docs/operating.md")\n',
        },
    )
    assert {"docs/going-live.md", "docs/operating.md"} <= shop.closure({"t/test_docs.py"})
    assert "docs/going-live.md" not in shop.closure({"t/test_one.py"})


def test_templates_reach_the_templates_they_extend(tmp_path):
    shop = project(
        tmp_path,
        {
            "pay/views.py": 'TEMPLATE = "pay/result.html"\n',
            "pay/templates/pay/result.html": '{% extends "base.html" %}',
            "templates/base.html": "",
        },
    )
    assert "templates/base.html" in shop.closure({"pay/views.py"})


def test_changed_files_are_those_that_differ_or_are_in_one_bake_only(tmp_path):
    for side, files in {
        "a": {"same.py": "x = 1\n", "differs.py": "x = 1\n", "only_a.py": "", ".env": "K=1"},
        "b": {"same.py": "x = 1\n", "differs.py": "x = 2\n", "only_b.py": "", ".env": "K=2"},
    }.items():
        project(tmp_path / side, files)
    changed = changed_files(tmp_path / "a", tmp_path / "b")
    # .env holds each bake's own fresh secret; the test settings never read it.
    assert changed == {"differs.py", "only_a.py", "only_b.py"}


def test_a_command_and_a_fixture_are_reached_by_their_names(tmp_path):
    shop = project(
        tmp_path,
        {
            "pay/management/commands/easypay_chaos.py": "",
            "pay/fixtures/demo_products.json": "[]",
            "t/test_cmd.py": 'call_command("easypay_chaos")\ncall_command("loaddata", "demo_products")\n',
        },
    )
    reached = shop.closure({"t/test_cmd.py"})
    assert {
        "pay/management/commands/easypay_chaos.py",
        "pay/fixtures/demo_products.json",
    } <= reached


def test_words_of_a_command_reach_what_they_name_and_a_sentence_only_its_modules(tmp_path):
    shop = project(
        tmp_path,
        {
            "config/__init__.py": "",
            "config/settings/__init__.py": "",
            "config/settings/production.py": "",
            "config/settings/local.py": "",
            "config/wsgi.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")\n',
            "README.md": "",
            "t/test_flag.py": 'ARGS = ["check", "--settings=config.settings.production"]\n',
            "t/test_code.py": 'CODE = f"import config.settings.{name}"\n',
            "t/test_entry.py": 'APP = "config.wsgi:application"\n',
            "t/test_message.py": 'ERROR = "see README.md, or run make install"\n',
        },
    )
    assert "config/settings/production.py" in shop.closure({"t/test_flag.py"})
    assert "config/settings/local.py" in shop.closure({"t/test_code.py"})  # any of them
    # gunicorn loads its entry point as a program would: the settings default counts.
    assert "config/settings/local.py" in shop.closure({"t/test_entry.py"})
    assert {"t/test_message.py"} == shop.closure({"t/test_message.py"})


def test_a_file_the_bake_removed_is_still_reached_from_a_test_that_imports_it(tmp_path):
    bake = project(tmp_path / "bake", {"t/test_a.py": "from pay import receivers\n"})
    reference = project(tmp_path / "ref", {"pay/receivers.py": ""})
    both = _Project(*bake.roots, *reference.roots)
    assert "pay/receivers.py" in both.closure({"t/test_a.py"})


def test_a_folder_of_modules_loaded_by_path_is_reached_by_its_name(tmp_path):
    shop = project(
        tmp_path,
        {
            "pay/tests/__init__.py": "",
            "pay/tests/seed/telegram.py": "",
            "pay/tests/conftest.py": 'SEED = Path(__file__).parent / "seed"\n',
        },
    )
    assert "pay/tests/seed/telegram.py" in shop.closure({"pay/tests/conftest.py"})


def test_dot_env_is_reached_only_through_the_development_settings(tmp_path):
    shop = project(
        tmp_path,
        {
            ".env": "",
            "config/__init__.py": "",
            "config/env.py": 'DOT_ENV = ".env"\n',
            "config/settings/__init__.py": "",
            "config/settings/local.py": "from config import env\n",
            "config/settings/test.py": "from config import env\n",
        },
    )
    assert ".env" not in shop.closure({"config/settings/test.py"})
    assert ".env" in shop.closure({"config/settings/local.py"})
