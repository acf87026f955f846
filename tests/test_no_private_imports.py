"""No module reaches into another module's private names: every user goes through public ones.

A private helper (``_name``) can change without notice; code outside its module
that imports it, or reads ``other._name``, breaks silently. Allowed: the
package-internal module ``course_lib._validate`` (its functions are public
names) and ``os._exit`` (a documented function).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted([*ROOT.glob("course_lib/**/*.py"), *ROOT.glob("benchmarks/*.py")])
ALLOWED_PRIVATE_MODULES = {"_validate"}
ALLOWED_ATTRIBUTES = {"os._exit"}



def private_uses(path: Path) -> list[str]:
    """Every import of a private name and every `other._name` outside self / cls, as 'line: code'."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and alias.name not in ALLOWED_PRIVATE_MODULES:
                    found.append(f"{node.lineno}: from {'.' * node.level}{node.module or ''} import {alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            owner = node.value
            if isinstance(owner, ast.Name) and owner.id in ("self", "cls"):
                continue
            code = ast.unparse(node)
            if code not in ALLOWED_ATTRIBUTES:
                found.append(f"{node.lineno}: {code}")
    return found


def test_the_scan_finds_private_uses(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from .optimizers import _as_items\nfrom . import _validate\n"
                      "opt._slots[0]\nself._ok\nos._exit(0)\n")
    assert private_uses(sample) == ["1: from .optimizers import _as_items", "3: opt._slots"]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_uses_another_modules_private_names(path):
    assert private_uses(path) == []
