#!/usr/bin/env python3
"""Field-by-field difference of two posescope JSON documents: keys added or removed, lists of other
lengths, other values, and for numbers the largest absolute difference per key.

    tools/parity/compare_json.py OLD.json NEW.json
"""
import json
import sys


def walk(a, b, path, out):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append(("added", path + "/" + k, None))
            elif k not in b:
                out.append(("removed", path + "/" + k, None))
            else:
                walk(a[k], b[k], path + "/" + k, out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(("length", path, (len(a), len(b))))
            return
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, path, out)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if a != b:
            out.append(("number", path, abs(a - b)))
    elif a != b:
        out.append(("value", path, (a, b)))


def main():
    old, new = (json.load(open(p)) for p in sys.argv[1:3])
    out = []
    walk(old, new, "", out)
    name = sys.argv[1].split("/")[-1]
    if not out:
        print(f"same values  {name}")
        return
    print(f"differs      {name}: {len(out)} values")
    groups = {}
    for kind, path, value in out:
        groups.setdefault((kind, path), []).append(value)
    for (kind, path), values in sorted(groups.items()):
        if kind == "number":
            print(f"    {path}: {len(values)} numbers, largest difference {max(values):.3g}")
        else:
            print(f"    {kind} {path}: {values[:2]}")


if __name__ == "__main__":
    main()
