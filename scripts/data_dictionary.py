"""Write the README's data dictionary from the pandera contracts, so the two never disagree.

python scripts/data_dictionary.py          # rewrite the section between the markers in README.md
python scripts/data_dictionary.py --check  # exit 1 if README.md is out of date (the test suite runs this)
"""

from __future__ import annotations

import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from assets.benchmarks import TABLES  # noqa: E402
from assets.publish import EVIDENCE  # noqa: E402

# Published tables, then the staging tables the catalog also serves as evidence.
DOCUMENTED = {**TABLES, **{table: (model, []) for table, model in EVIDENCE.items()}}

README = PROJECT / "README.md"
START, END = "<!-- data-dictionary:start -->", "<!-- data-dictionary:end -->"


def dictionary() -> str:
    sections = []
    for table, (model, partition_by) in DOCUMENTED.items():
        schema = model.to_schema()
        key = ", ".join(schema.unique or [])
        partitions = ", ".join(partition_by) or "none"
        where = "staging/" if table not in TABLES else "benchmarks/"
        rows = "".join(
            f"| `{name}` | {column.dtype} | {column.description or ''} |\n" for name, column in schema.columns.items()
        )
        sections.append(
            f"#### `{table}`\n\n`{where}{table}/`; key ({key}); Hive partitions: {partitions}.\n\n"
            "| column | type | meaning, unit, source |\n"
            f"|---|---|---|\n{rows}"
        )
    return "\n".join(sections)


def updated_readme() -> str:
    text = README.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{dictionary()}{END}{tail}"


def main() -> int:
    if "--check" in sys.argv:
        return 0 if README.read_text() == updated_readme() else 1
    README.write_text(updated_readme())
    return 0


if __name__ == "__main__":
    sys.exit(main())
