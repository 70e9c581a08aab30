import importlib
import os
import pkgutil
import sys
from pathlib import Path

import django


def main(argv):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangol.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    django.setup()
    wanted = set(argv)
    rows = []
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_") or (wanted and info.name not in wanted):
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        if hasattr(module, "run"):
            print(f"running {info.name} ...", file=sys.stderr, flush=True)
            rows.extend({"benchmark": info.name, **row} for row in module.run())
    print_table(rows)


def print_table(rows):
    if not rows:
        print("no benchmarks ran")
        return
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[str(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print(" | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for r in cells:
        print(" | ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main(sys.argv[1:])
