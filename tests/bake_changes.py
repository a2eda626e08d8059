"""Which of a bake's own tests can end differently from the default bake's.

`make test` runs the default bake's whole suite. A bake that changes a few files and nothing
every test loads (queue_rq: its production settings, its worker, an rq backend module) would
run the rest of that suite again on the same files under the same test settings: the same
tests of the same code, a minute of CPU that shows nothing new. So such a bake runs the tests
that reach a file it changed, and every test when it changed something every test loads.

`reaching_tests(installed, bake, reference)` answers with the bake's test files to run, or None
for all of them. It reads the files of both bakes, it does not guess from names: a file reaches
another when it imports it (at any depth, inside functions too), or names it in a string —
its module ("config.settings.production", "--settings=config.settings.production",
"config.wsgi:application", "config.settings." before a formatted part), its path or the end of
it ("Makefile", "docs/going-live.md", "payments/result.html"), a folder that holds it and is no
package ("docs", "seed"), its name as a command or fixture, or a program that reads it by
itself ("make" reads the Makefile). A sentence (a string with spaces) names only modules:
"see README.md" reads nothing. Comments and docstrings name nothing, and neither do documents
and catalogs (read as data). A non-Python file (Makefile, unit file, template) names what any
of its words names. .env counts only through the development settings, the ones that read it.
Every test runs when a changed file is reached from what every test loads: a conftest.py,
pyproject.toml's pytest options, the migrations and template tag libraries, or any module
loaded once Django is set up with the test settings and its URLs are resolved. A test file
that lists folders (rglob, os.walk, …) or runs a whole-project tool always runs.

What it cannot see: a name built at run time from parts none of which names the file, and a
package installed for the bake alone that a test imports directly (today a bake's own packages
are used only by the files it changes, which the tests that need them reach).
"""

import ast
import contextlib
import functools
import json
import re
import subprocess
import tomllib
from collections import deque
from fnmatch import fnmatch
from pathlib import Path, PurePosixPath

from tests.bakes import BINARY_SUFFIXES, project_files

# What a test process loads before its first test: Django set up with the test settings, the
# URLs resolved (every view module), the root conftest and its plugins. Printed as files.
LOADED_BY_EVERY_TEST = """
import json, os, sys
from pathlib import Path
sys.path.insert(0, os.getcwd())
os.environ["DJANGO_SETTINGS_MODULE"] = {settings!r}
import django
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns
import conftest
for plugin in getattr(conftest, "pytest_plugins", ()):
    __import__(plugin)
root = Path.cwd().resolve()
files = set()
for module in list(sys.modules.values()):
    path = getattr(module, "__file__", None)
    if path and Path(path).resolve().is_relative_to(root) and ".venv" not in Path(path).parts:
        files.add(Path(path).resolve().relative_to(root).as_posix())
print(json.dumps(sorted(files)))
"""

# Programs that read a file of the project without being told its name.
READ_BY_PROGRAM = {
    "make": ("Makefile",),
    "gunicorn": ("gunicorn.conf.py",),
    "uv": ("pyproject.toml", "uv.lock"),
    "pre-commit": (".pre-commit-config.yaml",),
}

# A test that lists folders or runs a tool over the whole project reaches every file.
WALKS = re.compile(
    r"\.(rglob|glob|iterdir)\(|\bos\.walk\(|\b(makemessages|compilemessages|ruff|mypy)\b"
)
# Where a string or a file that is not Python splits into words that may name a file or a
# module: "--settings=config.settings.production", "python -c 'import config.wsgi'",
# "{% extends "base.html" %}", "ExecStart=.venv/bin/python manage.py migrate".
TOKEN_SEPARATORS = re.compile(r"""[\s"'`=:,;()\[\]{}<>|%$*]+""")
# Files that are read as data: what they mention is not read with them (a document naming a
# module, a catalog quoting a command).
DATA_SUFFIXES = {".md", ".po", ".mo", ".txt", ".json", ".css", ".js", ".svg", ".ico", ".png"}
# A file read only under the settings that read it: the development settings read .env
# (config/env.py); the test and production settings never do.
READ_ONLY_WITH = {".env": "config/settings/local.py"}
# "config.wsgi:application": a module a program (gunicorn) loads as its entry point.
ENTRY_POINT = re.compile(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*")


def changed_files(bake: Path, reference: Path) -> set[str]:
    """Relative paths of files that differ between the two bakes, or are in one of them only."""
    ours = {p.relative_to(bake).as_posix(): p for p in project_files(bake)}
    theirs = {p.relative_to(reference).as_posix(): p for p in project_files(reference)}
    changed = set(ours.keys() ^ theirs.keys())
    for name in ours.keys() & theirs.keys():
        if ours[name].read_bytes() != theirs[name].read_bytes():
            changed.add(name)
    # What install writes (egg-info) changes nothing. Each bake's .env holds a fresh secret, and
    # is otherwise .env.example: it differs in substance when that does.
    changed = {name for name in changed if ".egg-info/" not in name and name != ".env"}
    if ".env.example" in changed:
        changed.add(".env")
    return changed


def _module_name(relative: str) -> str | None:
    path = PurePosixPath(relative)
    if path.suffix != ".py":
        return None
    parts = path.with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts) or None


class _Project:
    """Every file of the bakes given (a file one of them removed is still a file a test may
    reach) and the names under which another file can reach it."""

    def __init__(self, *roots: Path):
        self.roots = roots
        self.files = {p.relative_to(r).as_posix() for r in roots for p in project_files(r)}
        self.by_module = {m: f for f in self.files if (m := _module_name(f))}
        self.by_path: dict[str, set[str]] = {}
        for name in self.files:
            parts = PurePosixPath(name).parts
            for start in range(len(parts)):  # "a/b/c.html", "b/c.html", "c.html"
                self.by_path.setdefault("/".join(parts[start:]), set()).add(name)
        # Names Django resolves to files by convention: call_command("easypay_chaos") runs
        # management/commands/easypay_chaos.py; loaddata("demo_products") reads
        # fixtures/demo_products.json.
        for name in self.files:
            path = PurePosixPath(name)
            if (
                path.parent.parts[-2:] == ("management", "commands")
                or path.parent.name == "fixtures"
            ):
                self.by_path.setdefault(path.stem, set()).add(name)
        # A folder that is not a Python package, by its path or its last parts: a test reading
        # docs/ reads each document; SEED / f"{name}.py" loads a file of tests/seed/.
        packages = {str(PurePosixPath(f).parent) for f in self.files if f.endswith("/__init__.py")}
        for name in self.files:
            for folder in PurePosixPath(name).parents:
                if folder.parts and str(folder) not in packages:
                    for start in range(len(folder.parts)):
                        self.by_path.setdefault("/".join(folder.parts[start:]), set()).add(name)

    def text(self, relative: str) -> str:
        if PurePosixPath(relative).suffix in BINARY_SUFFIXES:
            return ""
        for root in self.roots:
            with contextlib.suppress(FileNotFoundError, UnicodeDecodeError):
                return (root / relative).read_text()
        return ""

    @functools.cache  # noqa: B019 — one _Project per call of reaching_tests
    def reached_from(self, relative: str, *, run_as_script: bool) -> set[tuple[str, bool]]:
        """The files this one names or imports directly, each with whether it is named as a
        script to run (by path: "manage.py"; as an entry point: "config.wsgi:application")
        rather than loaded as a module."""
        reached: set[tuple[str, bool]] = set()
        for string, is_default in self._strings(relative):
            if is_default and not run_as_script:
                continue
            words = {string.strip(), *TOKEN_SEPARATORS.split(string)} - {""}
            if relative.endswith(".py") and re.search(r"\s", string.strip()):
                # A sentence ("see README.md") names no file it reads; a module it may import
                # ("python -c 'import config.settings.local'").
                for word in words:
                    reached |= {(f, False) for f in self._modules_named(word)}
                continue
            for word in words:
                reached |= self._named(word)
            if ENTRY_POINT.fullmatch(string.strip()):
                module = string.strip().partition(":")[0]
                reached |= {(f, True) for f, _ in self._named(module)}
        return {(f, script) for f, script in reached if f != relative}

    def _named(self, token: str) -> set[tuple[str, bool]]:
        """What one word of a string names: a path (or the start of one: "config/" or
        "config.settings." before a formatted part), a module, a program."""
        reached: set[tuple[str, bool]] = set()
        if not re.search(r"\w", token):  # "//" of a URL, "-", "…"
            return reached
        reached |= {(f, True) for f in self.by_path.get(token.strip("/"), ())}
        if token.endswith("/"):  # the start of a path: f"scripts/{name}"
            start = token.removeprefix("./")
            reached |= {(f, True) for f in self.files if f.startswith(start)}
        program = token.rpartition("/")[2]
        reached |= {(f, True) for f in READ_BY_PROGRAM.get(program, ()) if f in self.files}
        reached |= {(f, False) for f in self._modules_named(token)}
        return reached

    def _modules_named(self, dotted: str) -> set[str]:
        """ "apps.payments.tasks.notify" names apps.payments.tasks, and the packages above it;
        "config.settings." (a name to be completed) every module below config.settings."""
        if not re.fullmatch(r"[A-Za-z_][\w.]*", dotted):
            return set()
        parts = dotted.rstrip(".").split(".")
        named = {
            self.by_module[name]
            for end in range(1, len(parts) + 1)
            if (name := ".".join(parts[:end])) in self.by_module
        }
        if dotted.endswith(".") and "." in dotted.rstrip("."):
            named |= {f for m, f in self.by_module.items() if m.startswith(dotted)}
        return named

    def _strings(self, relative: str):
        if PurePosixPath(relative).suffix in DATA_SUFFIXES:
            return
        text = self.text(relative)
        if not relative.endswith(".py"):  # a Makefile, a template, a unit file: every word
            yield from ((word, False) for word in TOKEN_SEPARATORS.split(text) if word)
            return
        tree = ast.parse(text)
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        package = _module_name(relative) or ""
        if not relative.endswith("__init__.py"):
            package = package.rpartition(".")[0]
        # os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production") in
        # config/wsgi.py: a default that a process whose settings are chosen never loads. It
        # counts when the file is run as a script (manage.py in a subprocess).
        defaults = {
            id(node.args[1])
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "setdefault"
            and ast.unparse(node.func.value) in {"os.environ", "environ"}
            and len(node.args) == 2
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in docstrings:
                    yield node.value, id(node) in defaults
            elif isinstance(node, ast.Import):
                yield from ((alias.name, False) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # from . import x: the package; from .. import y: its parent
                    anchor = package.split(".") if package else []
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, *([base] if base else [])])
                yield base, False
                yield from ((f"{base}.{alias.name}", False) for alias in node.names)

    def closure(self, starts) -> set[str]:
        """Every file reached from the start files (loaded as modules), at any depth."""
        seen = {(start, False) for start in starts}
        queue = deque(seen)
        while queue:
            relative, as_script = queue.popleft()
            for reached in self.reached_from(relative, run_as_script=as_script):
                if reached not in seen and reached[0] not in READ_ONLY_WITH:
                    seen.add(reached)
                    queue.append(reached)
        files = {relative for relative, _ in seen}
        return files | {read for read, under in READ_ONLY_WITH.items() if under in files}


def _pytest_options(pyproject: Path) -> dict:
    return tomllib.loads(pyproject.read_text()).get("tool", {}).get("pytest", {})


def loaded_by_every_test(bake: Path) -> set[str]:
    """The project files a test process of the bake has loaded before its first test."""
    settings = _pytest_options(bake / "pyproject.toml")["ini_options"]["DJANGO_SETTINGS_MODULE"]
    done = subprocess.run(
        [".venv/bin/python", "-c", LOADED_BY_EVERY_TEST.format(settings=settings)],
        cwd=bake,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
    )
    assert done.returncode == 0, f"could not list what every test loads:\n{done.stderr[-3000:]}"
    return set(json.loads(done.stdout))


def reaching_tests(installed: Path, bake: Path, reference: Path) -> list[str] | None:
    """The test files of a bake that can end differently from the reference bake's; None: all.
    bake and reference: both as cookiecutter wrote them (nothing installed or run in them,
    which would leave files of its own); installed: the bake installed, to ask what it loads."""
    changed = changed_files(bake, reference)
    options = _pytest_options(bake / "pyproject.toml")
    if options != _pytest_options(reference / "pyproject.toml"):
        return None
    project = _Project(bake, reference)
    conftests = {f for f in project.files if PurePosixPath(f).name == "conftest.py"}
    # Every test database is migrated, and the template engine imports every tag library.
    conventional = {
        f for f in project.files if {"migrations", "templatetags"} & set(PurePosixPath(f).parts)
    }
    if (conftests | conventional) & changed:
        return None
    everywhere = project.closure(conftests | conventional | loaded_by_every_test(installed))
    if everywhere & changed:
        return None
    patterns = options["ini_options"].get("python_files", [])
    tests = sorted(
        f
        for f in project.files
        if (bake / f).exists() and any(fnmatch(PurePosixPath(f).name, p) for p in patterns)
    )
    return [
        test
        for test in tests
        if project.closure({test}) & changed or WALKS.search(project.text(test))
    ]
