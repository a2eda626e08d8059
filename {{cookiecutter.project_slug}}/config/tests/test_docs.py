"""The code's citations lead somewhere: every document it names is in docs/, every section of
KICC's contract it cites is a heading of docs/kicc-api.md, every integrity rule it cites is one
of docs/payment-lifecycle.md's, and every link between the documents resolves.

A shop receives this project without the documents it was first written from, so a citation of
one of those fails too. A bare "§N" anywhere in the project means docs/kicc-api.md §N.
"""

import os
import re
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DOCS_DIR = PROJECT_DIR / "docs"
KICC_API = DOCS_DIR / "kicc-api.md"
LIFECYCLE = DOCS_DIR / "payment-lifecycle.md"
THIS_FILE = Path(__file__).resolve().relative_to(PROJECT_DIR).as_posix()

# Not the project's own files: installed packages, caches, build output.
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "htmlcov",
    "staticfiles",
    "media",
}
BINARY_SUFFIXES = {".mo", ".sqlite3", ".png", ".ico", ".jpg", ".gif", ".woff", ".woff2", ".gz"}

# Written with escapes, so that this file does not cite them itself.
FOREIGN_DOCUMENTS = re.compile(r"easypay-api\.md|DESIGN\.md|seed-signals\.md")
DOC_NAME = re.compile(r"(?<![\w.-])docs/([\w-]+\.md)")
SECTION = re.compile(r"§(\d+(?:\.\d+)?)")
# "§11 rule 6", "§11 rules 1–3", "§11 rules 2 and 5": numbered rules of a section.
SECTION_RULES = re.compile(r"§(\d+) rules? (\d+(?:\s*(?:,|and|–|-)\s*\d+)*)")
INTEGRITY_RULES = re.compile(r"[Ii]ntegrity rules? (\d+(?:\s*(?:,|and|–|-)\s*\d+)*)")
HEADING_NUMBER = re.compile(r"^#{2,4} (\d+(?:\.\d+)?)\.? ", re.M)
LIFECYCLE_RULE = re.compile(r"^(\d+)\. \*\*", re.M)
MARKDOWN_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def project_texts():
    """(path relative to the project, text) of every text file of the project."""
    for folder, subfolders, names in os.walk(PROJECT_DIR):
        # Pruned, not filtered: .venv alone holds some 15,000 files.
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_DIRS)
        for name in sorted(names):
            path = Path(folder, name)
            if path.suffix in BINARY_SUFFIXES or name == ".env" or not path.is_file():
                continue
            try:
                yield path.relative_to(PROJECT_DIR).as_posix(), path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def numbers(listed: str) -> list[int]:
    """The numbers of a list such as 1–3 (1, 2, 3), 2 and 5, or 1, 4."""
    found: list[int] = []
    for part in re.split(r"\s*(?:,|and)\s*", listed):
        ends = [int(n) for n in re.split(r"\s*[–-]\s*", part) if n]
        found.extend(range(ends[0], ends[-1] + 1) if ends else [])
    return found


def kicc_sections() -> set[str]:
    """The numbers of docs/kicc-api.md's headings: "7", "5.3", "11.6", …"""
    return set(HEADING_NUMBER.findall(KICC_API.read_text(encoding="utf-8")))


def lifecycle_rules() -> set[int]:
    return {int(n) for n in LIFECYCLE_RULE.findall(LIFECYCLE.read_text(encoding="utf-8"))}


def unresolved_citations(name: str, text: str, sections: set[str], rules: set[int]) -> list[str]:
    """Every citation in `text` that leads nowhere, as "file:line: what is wrong"."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{name}:{number}"
        for document in DOC_NAME.findall(line):
            if not (DOCS_DIR / document).is_file():
                problems.append(f"{where}: docs/{document} does not exist")
        for section in SECTION.findall(line):
            if section not in sections:
                problems.append(f"{where}: §{section} is not a section of docs/kicc-api.md")
        for section, listed in SECTION_RULES.findall(line):
            for rule in numbers(listed):
                if f"{section}.{rule}" not in sections:
                    problems.append(
                        f"{where}: §{section} rule {rule} is not a section of docs/kicc-api.md"
                    )
        for listed in INTEGRITY_RULES.findall(line):
            for rule in numbers(listed):
                if rule not in rules:
                    problems.append(
                        f"{where}: integrity rule {rule} is not in docs/payment-lifecycle.md"
                    )
    return problems


def broken_links(path: Path, text: str) -> list[str]:
    """Relative Markdown links of `text` (a file at `path`) that lead to no file."""
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        for target in MARKDOWN_LINK.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:|#", target):  # https:, mailto:, an anchor here
                continue
            if not (path.parent / target.split("#")[0]).exists():
                problems.append(f"{path.relative_to(PROJECT_DIR)}:{number}: {target} not found")
    return problems


def test_no_file_cites_a_document_the_project_does_not_contain():
    citing = [
        f"{name}:{number}: {line.strip()}"
        for name, text in project_texts()
        for number, line in enumerate(text.splitlines(), start=1)
        if FOREIGN_DOCUMENTS.search(line)
    ]

    assert not citing, "cite docs/ instead:\n" + "\n".join(citing)


def test_every_cited_document_section_and_rule_exists():
    sections, rules = kicc_sections(), lifecycle_rules()

    problems = [
        problem
        for name, text in project_texts()
        if name != THIS_FILE  # its examples of broken citations, below
        for problem in unresolved_citations(name, text, sections, rules)
    ]

    assert not problems, "\n".join(problems)


def test_the_contract_keeps_the_sections_the_code_relies_on():
    sections = kicc_sections()

    assert {str(n) for n in range(17)} <= sections
    assert {"5.3", "6.1", "6.3", "8.1", "10.4", "11.6", "16.8"} <= sections
    assert lifecycle_rules() == set(range(1, 8))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("x = 1  # KICC's rule (§99)", "x.py:1: §99 is not a section of docs/kicc-api.md"),
        ("# see §5.9", "x.py:1: §5.9 is not a section of docs/kicc-api.md"),
        ("\n# §11 rules 2 and 12", "x.py:2: §11 rule 12 is not a section of docs/kicc-api.md"),
        ("# (docs/nowhere.md)", "x.py:1: docs/nowhere.md does not exist"),
        ("# integrity rules 1–9", "x.py:1: integrity rule 8 is not in docs/payment-lifecycle.md"),
    ],
)
def test_a_citation_that_leads_nowhere_is_reported_with_its_file_and_line(text, problem):
    assert problem in unresolved_citations("x.py", text, kicc_sections(), lifecycle_rules())


def test_links_between_the_documents_lead_to_files_that_exist():
    documents = [*DOCS_DIR.glob("*.md"), PROJECT_DIR / "README.md"]
    documents += PROJECT_DIR.glob("easypay/**/README.md")

    problems = [
        problem for path in documents for problem in broken_links(path, path.read_text("utf-8"))
    ]

    assert len(documents) >= 7
    assert not problems, "\n".join(problems)


def test_the_readme_leads_to_the_documents_and_their_index_names_each_of_them():
    index = (DOCS_DIR / "README.md").read_text(encoding="utf-8")

    assert "(docs/README.md)" in (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    for document in DOCS_DIR.glob("*.md"):
        if document.name != "README.md":
            assert f"]({document.name})" in index, f"docs/README.md does not link {document.name}"
