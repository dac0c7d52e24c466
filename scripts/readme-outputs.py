#!/usr/bin/env python3
"""Regenerates (or checks) the program outputs pasted into README.md from the current build.

Each pasted output is a code block right after a marker line `<!-- output: NAME -->`; NAME picks the
command below. Without arguments the blocks are rewritten in place; with --check nothing is written and
the script exits 1 (printing a diff) when a block is not what the current build prints. Timings (the
numbers on lines that report seconds or fps) are masked when checking: they are measurements, not results.

    scripts/readme-outputs.py [--check] [--binary .build/release/posescope]
"""
import difflib
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.environ.get("POSESCOPE_SAMPLES") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "posescope", "samples")


def run(binary, args, cwd):
    done = subprocess.run([binary] + args, cwd=cwd, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        sys.exit(f"readme-outputs: `posescope {' '.join(args)}` failed ({done.returncode}): {done.stderr}")
    return done.stdout


def flat(value):
    return not isinstance(value, dict) and (
        not isinstance(value, list) or all(flat(v) and not isinstance(v, dict) for v in value))


def number(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return str(v) if "e" in str(v) else repr(v)
    return json.dumps(v)


def cut(value, indent=0):
    """PoseScope's JSON layout with every list cut to its first two entries and `...`."""
    pad = "  " * (indent + 1)
    if isinstance(value, dict):
        if len(value) <= 4 and all(flat(v) and not isinstance(v, list) for v in value.values()):
            return "{" + ", ".join(f"{json.dumps(k)}: {cut(value[k])}" for k in sorted(value)) + "}"
        lines = [f"{pad}{json.dumps(k)}: {cut(value[k], indent + 1)}" for k in sorted(value)]
        return "{\n" + ",\n".join(lines) + "\n" + "  " * indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        if all(not isinstance(v, (list, dict)) for v in value):  # a row of numbers stays whole
            return "[" + ", ".join(cut(v, indent) for v in value) + "]"
        more = len(value) > 2
        items = value[:2]
        if flat(value):
            return "[" + ", ".join(cut(v, indent) for v in items) + (", ...]" if more else "]")
        lines = [pad + cut(v, indent + 1) for v in items]
        return "[\n" + ",\n".join(lines) + (",\n" + pad + "..." if more else "") + "\n" + "  " * indent + "]"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return number(value)


def outputs(binary):
    images = os.path.join(SAMPLES, "images")
    return {
        "demo": lambda: run(binary, ["demo"], ROOT),
        "estimate-bus": lambda: cut(json.loads(run(binary, ["estimate", "bus.jpg"], images))) + "\n",
        "view-once-bus": lambda: run(binary, ["view", "--once", "--size", "104x30", "--keys", "ll", "bus.jpg"], images),
    }


TIMING = re.compile(r"\d+(\.\d+)?")


def masked(text):
    """Lines with their timings masked: on a line that reports seconds, fps or milliseconds every number
    becomes # and runs of spaces one space (a right-aligned status line moves with its numbers)."""
    out = []
    for line in text.splitlines():
        if re.search(r" fps\b| s \(| ms\b", line):
            line = re.sub(r" +", " ", TIMING.sub("#", line)).rstrip()
        out.append(line)
    return out


def main():
    check = "--check" in sys.argv
    binary = os.path.join(ROOT, ".build/release/posescope")
    if "--binary" in sys.argv:
        binary = os.path.abspath(sys.argv[sys.argv.index("--binary") + 1])
    readme_path = os.path.join(ROOT, "README.md")
    text = open(readme_path, encoding="utf-8").read()
    makers = outputs(binary)
    pattern = re.compile(r"(<!-- output: ([a-z0-9-]+) -->\n```[a-z]*\n)(.*?)(```)", re.S)
    failed = []
    seen = []

    def replace(m):
        name = m.group(2)
        seen.append(name)
        if name not in makers:
            sys.exit(f"readme-outputs: README.md names an unknown output '{name}' (known: {', '.join(makers)})")
        fresh = makers[name]()
        if check and masked(fresh) != masked(m.group(3)):
            diff = difflib.unified_diff(
                m.group(3).splitlines(), fresh.splitlines(), f"README.md ({name})", "current build", lineterm="")
            failed.append("\n".join(diff))
        return m.group(1) + fresh + m.group(4)

    new = pattern.sub(replace, text)
    missing = set(makers) - set(seen)
    if missing:
        sys.exit(f"readme-outputs: README.md has no block for {', '.join(sorted(missing))}")
    if check:
        if failed:
            print("\n\n".join(failed))
            print(f"readme-outputs: {len(failed)} of {len(seen)} pasted outputs differ from the current build; "
                  "run scripts/readme-outputs.py to update them")
            sys.exit(1)
        print(f"readme-outputs: {len(seen)} pasted outputs match the current build")
    elif new != text:
        tmp = readme_path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(new)
        os.replace(tmp, readme_path)
        print(f"readme-outputs: updated {len(seen)} blocks in README.md")


if __name__ == "__main__":
    main()
