"""Each template file compiled once per test process, not once per bake.

A bake compiles every file of the template (~0.4 s of its ~0.8 s of CPU), and a test run bakes
about a hundred times. cookiecutter makes its Jinja environment itself and takes no bytecode
cache, so `compile_templates_once()` gives every environment it makes the same one. Jinja
checks each entry against its file's source: an edited template compiles anew.
"""

import jinja2
from cookiecutter.environment import StrictEnvironment


class CompiledTemplates(jinja2.BytecodeCache):
    def __init__(self):
        self._code: dict[str, bytes] = {}
        self.stored = 0  # templates compiled and kept
        self.loaded = 0  # templates taken from here instead of compiled

    def load_bytecode(self, bucket):
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])
            self.loaded += 1

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()
        self.stored += 1


COMPILED_TEMPLATES = CompiledTemplates()
MAKE_ENVIRONMENT = StrictEnvironment.__init__


def _environment_with_compiled_templates(self, **kwargs):
    MAKE_ENVIRONMENT(self, **kwargs)
    self.bytecode_cache = COMPILED_TEMPLATES


def compile_templates_once() -> None:
    StrictEnvironment.__init__ = _environment_with_compiled_templates
