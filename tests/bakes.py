"""The bake matrix and what each bake must (not) contain, shared by the template's tests."""

import re
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parents[1]
PROJECT_TEMPLATE = TEMPLATE_DIR / "{{cookiecutter.project_slug}}"

RECEIVER_OPTIONS = ("use_telegram", "use_sms", "use_slack", "use_sentry")

# How a disabled receiver could still show: its name in a file's path or text.
MENTIONS = {
    "use_telegram": re.compile(r"telegram", re.IGNORECASE),
    "use_sms": re.compile(r"solapi|\bsms\b", re.IGNORECASE),
    "use_slack": re.compile(r"slack", re.IGNORECASE),
    "use_sentry": re.compile(r"sentry", re.IGNORECASE),
}

# Files that are not text: compiled catalogs, the favicon.
BINARY_SUFFIXES = {".mo", ".ico"}

# Files that legitimately name every option: the replayable answers (and .env, a copy of .env.example).
ANSWER_FILES = {".cookiecutter.json"}

BAKES = {
    "defaults": {},
    **{f"without_{option.removeprefix('use_')}": {option: False} for option in RECEIVER_OPTIONS},
    "all_receivers_off": dict.fromkeys(RECEIVER_OPTIONS, False),
    "queue_database": {"task_queue": "database"},
    "queue_rq": {"task_queue": "rq"},
    "quotes_and_backslashes": {
        "project_name": 'Kim\'s "Best" Shop \\ Co',
        "project_slug": "kims_shop",
        "description": "Says \"hi\" \\n and 'bye' \\",
        "author_name": 'O\'Brien "Bob" \\',
    },
    "english_default": {"language_code": "en", "timezone": "UTC"},
    "korean_text": {
        "project_name": "김씨네 가게",
        "description": "이지페이로 결제하는 쇼핑몰입니다",
        "author_name": "홍길동",
    },
}


def project_files(project: Path):
    """Every file of a baked project, skipping what tools create (virtual env, caches)."""
    for path in sorted(project.rglob("*")):
        parts = path.relative_to(project).parts
        if path.is_file() and not {".venv", "__pycache__", ".pytest_cache", ".ruff_cache"} & set(
            parts
        ):
            yield path


def is_copied_without_render(relative: Path) -> bool:
    """Django templates are copied verbatim: their {% tags %} are Django's, not Jinja's."""
    return (
        relative.suffix == ".html" or "templates" in relative.parts or "workflows" in relative.parts
    )
