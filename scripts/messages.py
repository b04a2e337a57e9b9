"""List every user-facing English message in Kilas, and which have no Indonesian translation.

    python scripts/messages.py            # print missing translations
    python scripts/messages.py --pot FILE # write a template for translators

Messages are `_()`/`N_()`/`gettext()`/`ngettext()` calls in Python and templates, the first argument of
domain errors (`InvalidInput("...")`), `message = "..."` on error classes, and media rejection texts.
"""

import argparse
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

SRC = Path(__file__).resolve().parents[1] / "src" / "kilas"
ERRORS = (
    "DomainError",
    "InvalidInput",
    "NotAuthenticated",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "TooLarge",
    "RateLimited",
    "UploadRejected",
)
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), **{name: (1,) for name in ERRORS}}


def _class_messages() -> set[str]:
    """`message = "..."` attributes and the values of `*_MESSAGES` dictionaries."""
    import ast

    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "message" for t in node.targets)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                found.add(node.value.value)
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id.endswith("_MESSAGES")
                and isinstance(node.value, ast.Dict)
            ):
                for value in node.value.values:
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.add(value.value)
                    elif isinstance(value, ast.Tuple):
                        found.update(
                            e.value
                            for e in value.elts
                            if isinstance(e, ast.Constant) and isinstance(e.value, str) and " " in e.value
                        )
    return found


def collect() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": ""}}
    messages: set[str] = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        SRC, method_map=method_map, options_map=options, keywords=KEYWORDS
    ):
        if isinstance(message, tuple):  # ngettext: the catalog is keyed by the singular
            messages.add(message[0])
        elif message:
            messages.add(message)
    return messages | _class_messages()


def missing(locale: str = "id") -> list[str]:
    sys.path.insert(0, str(SRC.parent))
    from kilas.web.i18n import _catalog

    catalog = _catalog(locale)
    return sorted(m for m in collect() if m not in catalog)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pot")
    args = parser.parse_args()
    if args.pot:
        catalog = Catalog(project="Kilas")
        for message in sorted(collect()):
            catalog.add(message)  # plural forms are added by hand in the .po files
        with open(args.pot, "wb") as handle:
            write_po(handle, catalog)
        return 0
    gaps = missing()
    for message in gaps:
        print(message)
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
