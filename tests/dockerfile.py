"""Read a Dockerfile's instructions, enough to run its steps on a host (no Docker here).

Only what the generated Dockerfile uses: comments, parser directives, line continuations,
shell and JSON (exec) forms, and flags such as RUN's --mount or HEALTHCHECK's --interval.
"""

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

FLAG = re.compile(r"--[a-z-]+=\S+\s*")


@dataclass
class Instruction:
    stage: int  # 0 for the first FROM, 1 for the second…
    keyword: str  # upper case: RUN, ENV, CMD…
    arguments: str  # the text after the keyword and its flags
    flags: list[str] = field(default_factory=list)

    def command(self) -> list[str]:
        """The command of RUN, CMD or HEALTHCHECK CMD: exec form as given, shell form via sh -c."""
        text = self.arguments
        if self.keyword == "HEALTHCHECK":
            text = text.removeprefix("CMD").strip()
        if text.startswith("["):
            return json.loads(text)
        return ["sh", "-c", text]

    def env(self) -> dict[str, str]:
        """ENV key=value pairs (quoted values unquoted)."""
        return dict(pair.split("=", 1) for pair in shlex.split(self.arguments))


def instructions(path: Path) -> list[Instruction]:
    logical, current = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue  # comments and parser directives (# syntax=…), blank lines
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    stage, parsed = -1, []
    for text in logical:
        keyword, _, rest = text.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        flags = []
        while match := FLAG.match(rest):
            flags.append(match.group().strip())
            rest = rest[match.end() :]
        parsed.append(Instruction(stage, keyword, " ".join(rest.split()), flags))
    return parsed
