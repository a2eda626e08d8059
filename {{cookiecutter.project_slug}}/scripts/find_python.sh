#!/bin/sh
# Print the path of a Python >= 3.12 (Django 6.1 needs it): PATH first, then pyenv.
# Exit 1 with a sentence saying what to install when there is none.
is_new_enough() {
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null
}

for name in python3.14 python3.13 python3.12 python3 python; do
    candidate=$(command -v "$name" 2>/dev/null) || continue
    if is_new_enough "$candidate"; then
        echo "$candidate"
        exit 0
    fi
done

root=${PYENV_ROOT:-$HOME/.pyenv}
if command -v pyenv >/dev/null 2>&1; then
    root=$(pyenv root 2>/dev/null)
fi
if [ -d "$root/versions" ]; then
    for candidate in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
        if is_new_enough "$candidate"; then
            echo "$candidate"
            exit 0
        fi
    done
fi

echo "No Python 3.12 or newer found on PATH or in pyenv: install one (e.g. 'pyenv install 3.12' or your OS package python3.12) and run make again." >&2
exit 1
