"""``python -m pipeline.docs`` prints docs/rules.md: every rule code of the issue catalog
(rules/issues/*.yaml, severities after rules/severity_overrides.yaml) as a Markdown table."""
from __future__ import annotations

import sys

from .issues import SEVERITY_ZH
from .rules import Rules, load_rules

HEADER = """# Rule codes

Generated from `rules/issues/*.yaml` by `python -m pipeline.docs` (`make docs`); do not edit by hand.
Codes are public API: never renamed, only deprecated. A steward changes a severity in the
catalog file or in `rules/severity_overrides.yaml`, a message or suggestion in the catalog file.
Templates use `{field}` (the Chinese field name), `{value}` and the listed parameters.
Where a rule lists sub-codes (`details:` in its catalog entry), `{detail}` is the sentence of
the sub-code the finding names, shown below the message.

"""


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_rules_doc(rules: Rules) -> str:
    """The Markdown text of docs/rules.md."""
    lines = [HEADER]
    by_area: dict[str, list] = {}
    for rule in rules.catalog.values():
        by_area.setdefault(rule.area, []).append(rule)
    for area in sorted(by_area):
        lines.append(f"## {area}\n")
        lines.append("| code | severity | title | message | suggestion | params |")
        lines.append("|---|---|---|---|---|---|")
        for r in sorted(by_area[area], key=lambda r: r.code):
            code = f"`{r.code}`" + (" (deprecated)" if r.deprecated else "")
            sev = f"{r.severity} ({SEVERITY_ZH.get(r.severity, '')})"
            params = ", ".join(r.params)
            message = _cell(r.message) + "".join(f"<br>`{k}`: {_cell(v)}" for k, v in r.details.items())
            lines.append(f"| {code} | {sev} | {_cell(r.title)} | {message} | {_cell(r.suggestion)} | {params} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    sys.stdout.write(render_rules_doc(load_rules()))


if __name__ == "__main__":
    main()
