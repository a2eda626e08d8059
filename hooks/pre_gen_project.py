"""Validate the answers before cookiecutter writes anything.

The answers are read as data (``tojson`` → ``json.loads``), never pasted into Python source,
so a shop name with quotes or backslashes cannot break this hook. On a bad answer the hook
prints one line ``ERROR: <what> — <how to fix>`` and exits 1; cookiecutter then removes the
half-made project directory. Standard library only: this runs under the user's Python.
"""

import json
import keyword
import re
import sys
import zoneinfo

ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

# Top-level names the generated project imports or creates. A slug equal to one of them
# would shadow it once the project folder is on sys.path (pytest's rootdir, manage.py).
PROJECT_MODULES = frozenset(
    {
        "apps",
        "config",
        "django",
        "easypay",
        "environ",
        "gunicorn",
        "locale",
        "psycopg",
        "pytest",
        "redis",
        "requests",
        "responses",
        "rq",
        "sentry_sdk",
        "static",
        "templates",
        "tests",
        "whitenoise",
    }
)
LANGUAGES = ("ko", "en")
TASK_QUEUES = ("database", "rq")

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]*$")
DOMAIN_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DOMAIN_RE = re.compile(rf"^{DOMAIN_LABEL}(\.{DOMAIN_LABEL})+$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9.!#$%*+/=?^_`{}~-]+@" + DOMAIN_RE.pattern[1:])


class InvalidAnswer(ValueError):
    """One bad answer: ``what`` went wrong and ``fix`` says what to type instead."""

    def __init__(self, what: str, fix: str):
        super().__init__(f"{what} — {fix}")
        self.what = what
        self.fix = fix


def validate_slug(slug: str) -> None:
    if not SLUG_RE.match(slug) or not slug.isidentifier() or keyword.iskeyword(slug):
        raise InvalidAnswer(
            f"project_slug {slug!r} is not a lowercase Python identifier",
            "use lowercase ASCII letters, digits and underscores, starting with a letter "
            "(e.g. my_shop)",
        )
    if slug in PROJECT_MODULES or slug in sys.stdlib_module_names:
        raise InvalidAnswer(
            f"project_slug {slug!r} shadows the module {slug!r} that the project imports",
            f"choose another name, e.g. {slug}_shop",
        )


def validate_domain(domain: str) -> None:
    if not DOMAIN_RE.match(domain) or len(domain) > 253:
        raise InvalidAnswer(
            f"domain_name {domain!r} is not a host name",
            "give the bare lowercase host, without scheme, port or path (e.g. shop.example.com)",
        )


def validate_email(email: str) -> None:
    if not EMAIL_RE.match(email):
        raise InvalidAnswer(
            f"email {email!r} is not an email address",
            "give an address like dev@example.com",
        )


def validate_timezone(name: str) -> None:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InvalidAnswer(
            f"timezone {name!r} is not an IANA time zone",
            "use a name like Asia/Seoul or UTC",
        ) from None


def validate_choice(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise InvalidAnswer(
            f"{field} {value!r} is not supported", f"choose one of {', '.join(allowed)}"
        )


def validate_project_name(name: str) -> None:
    if not name.strip():
        raise InvalidAnswer("project_name is empty", "give the shop a name, e.g. My Shop")


def validate(answers: dict) -> None:
    """Raise ``InvalidAnswer`` for the first answer the project cannot be built from."""
    validate_project_name(answers["project_name"])
    validate_slug(answers["project_slug"])
    validate_domain(answers["domain_name"])
    validate_email(answers["email"])
    validate_timezone(answers["timezone"])
    validate_choice("language_code", answers["language_code"], LANGUAGES)
    validate_choice("task_queue", answers["task_queue"], TASK_QUEUES)
    for option in ("use_telegram", "use_sms", "use_slack", "use_sentry"):
        if not isinstance(answers[option], bool):
            raise InvalidAnswer(
                f"{option} {answers[option]!r} is not a boolean", "answer yes or no"
            )


def main() -> int:
    try:
        validate(json.loads(ANSWERS_JSON))
    except InvalidAnswer as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
