"""Bake the template into .bakes/NAME for development: `python scripts/bake.py NAME [key=value ...]`.

Prints the baked project's path. Replaces an earlier bake of the same name. The template's
tests bake through pytest-cookies; this is for working on the generated code by hand.
"""

import shutil
import sys
from pathlib import Path

from cookiecutter.main import cookiecutter

TEMPLATE = Path(__file__).resolve().parents[1]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    name, *pairs = argv
    extra = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        extra[key] = {"true": True, "false": False}.get(value.lower(), value)
    out = TEMPLATE / ".bakes" / name
    shutil.rmtree(out, ignore_errors=True)
    project = cookiecutter(str(TEMPLATE), no_input=True, output_dir=str(out), extra_context=extra)
    print(project)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
