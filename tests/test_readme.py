"""README documents every environment variable the code reads."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_environment_variable_is_in_the_readme():
    code = "\n".join(p.read_text() for p in (ROOT / "elearn").rglob("*.py"))
    names = set(re.findall(r'(?<![a-z_])(?:env|os\.environ)\.get\("([A-Z_]+)"', code)) | set(
        re.findall(r'os\.environ\["([A-Z_]+)"\]', code)
    )
    readme = (ROOT / "README.md").read_text()
    missing = sorted(n for n in names if f"`{n}`" not in readme and n not in readme)
    assert names and missing == []
