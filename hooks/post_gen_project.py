"""Finish the generated project: prune disabled options, write .env and the answers file.

Standard library only, no network, no git: this runs under the user's Python right after
cookiecutter has rendered the files, with the generated project as the working directory.
"""

import json
import re
import secrets
import shutil
import sys
from pathlib import Path

ANSWERS_JSON = r"""{{ cookiecutter | tojson }}"""

# What the answers remove: options → paths deleted when every one of those options is off.
# Each receiver's module and tests live in files of their own, so turning an option off is
# deleting files — never editing them. A test checks that every path exists in the template.
# Order matters: a folder's entry comes after the entries for files inside it.
NOTIFICATIONS = "apps/payments/notifications"
PAYMENTS_TESTS = "apps/payments/tests"


def receiver_tests(channel: str) -> list[str]:
    """A receiver's tests, and the seed's example of it they run (tests/seed/)."""
    return [f"{PAYMENTS_TESTS}/test_receivers_{channel}.py", f"{PAYMENTS_TESTS}/seed/{channel}.py"]


REMOVED_WHEN_OFF = {
    ("use_sentry",): ["config/sentry.py", "config/tests/test_sentry.py", *receiver_tests("sentry")],
    ("use_telegram",): [
        f"{NOTIFICATIONS}/telegram.py",
        f"{NOTIFICATIONS}/tests/test_telegram.py",
        *receiver_tests("telegram"),
    ],
    ("use_sms",): [
        f"{NOTIFICATIONS}/sms.py",
        f"{NOTIFICATIONS}/tests/test_sms.py",
        *receiver_tests("sms"),
    ],
    ("use_slack",): [
        f"{NOTIFICATIONS}/slack.py",
        f"{NOTIFICATIONS}/tests/test_slack.py",
        *receiver_tests("slack"),
    ],
    # With no channel left, the senders' shared plumbing goes too.
    ("use_telegram", "use_sms", "use_slack"): [NOTIFICATIONS],
}

# Context keys that describe this machine, not the project: not worth replaying.
MACHINE_KEYS = ("_output_dir", "_repo_dir", "_checkout")

SECRET_KEY_LINE = "DJANGO_SECRET_KEY="

# The commands the closing message suggests, described by the Makefile's own `## ` help text,
# so the message cannot promise what a target does not do.
NEXT_TARGETS = ("install", "run", "demo", "test")
MAKE_HELP = re.compile(r"^([a-z][a-z-]*):[^\n]*?## (.+)$", re.M)


def prune(project: Path, answers: dict) -> list[str]:
    """Delete the paths of every disabled option; return them, relative, for the report."""
    removed = []
    for options, paths in REMOVED_WHEN_OFF.items():
        if any(answers[option] for option in options):
            continue
        for relative in paths:
            target = project / relative
            if target.is_dir():
                shutil.rmtree(target)
            else:
                target.unlink()
            removed.append(relative)
    return removed


def write_env(project: Path) -> None:
    """Copy .env.example to the git-ignored .env with a fresh Django secret key."""
    lines = (project / ".env.example").read_text(encoding="utf-8").splitlines()
    # token_urlsafe draws from [A-Za-z0-9_-]: nothing django-environ would interpolate ($).
    secret = secrets.token_urlsafe(50)
    filled = [SECRET_KEY_LINE + secret if line == SECRET_KEY_LINE else line for line in lines]
    if filled == lines:
        raise SystemExit(f"ERROR: .env.example has no empty '{SECRET_KEY_LINE}' line")
    env_file = project / ".env"
    env_file.write_text("\n".join(filled) + "\n", encoding="utf-8")
    env_file.chmod(0o600)


def write_answers(project: Path, answers: dict) -> None:
    """Write .cookiecutter.json in cookiecutter's replay format (also what cruft reads)."""
    replay = {key: value for key, value in answers.items() if key not in MACHINE_KEYS}
    text = json.dumps({"cookiecutter": replay}, indent=2, ensure_ascii=False, sort_keys=True)
    (project / ".cookiecutter.json").write_text(text + "\n", encoding="utf-8")


def next_steps(makefile: str) -> list[str]:
    """One line per suggested command: `make <target>   # <its Makefile help>`."""
    helps = dict(MAKE_HELP.findall(makefile))
    return [f"  make {target:<8} # {helps[target]}" for target in NEXT_TARGETS]


def main() -> int:
    answers = json.loads(ANSWERS_JSON)
    project = Path.cwd()
    removed = prune(project, answers)
    write_env(project)
    write_answers(project, answers)
    slug = answers["project_slug"]
    print(f"Created {slug}/ (removed for disabled options: {', '.join(removed) or 'nothing'}).")
    print("Next:")
    print(f"  cd {slug}")
    for line in next_steps((project / "Makefile").read_text(encoding="utf-8")):
        print(line)
    print("Going live: docs/going-live.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
