#!/usr/bin/env python3
"""Counts imports in src/main that run from a lower package up to a higher one.

The layers, lowest first, are listed below; a package may use its own layer and those beneath.
Each distinct (file, imported class) pair counts once, whether written as an import or as a fully
qualified name inline. Usage: python3 bench/layers.py [-v]
"""
import os, re, sys

LAYERS = [
    ["config", "http", "metrics", "mapping"],   # settings, background loops, problem answers, counters
    ["store", "connection", "oauth"],
    ["twoway", "webhook"],
    ["outbound"],
    ["intake"],
    ["events", "schedule", "sqlsource"],
    ["steps", "operate", "connect"],
    ["api", "routes"],
    ["console", "demo"],
]
RANK = {p: i for i, layer in enumerate(LAYERS) for p in layer}
ROOT = os.path.join(os.path.dirname(__file__), "..", "src", "main", "java", "io", "syncline")
REF = re.compile(r"\bio\.syncline\.([a-z]+)\.([A-Z]\w*)")

up = []
for pkg in sorted(os.listdir(ROOT)):
    d = os.path.join(ROOT, pkg)
    if not os.path.isdir(d):
        continue
    for f in sorted(os.listdir(d)):
        if not f.endswith(".java"):
            continue
        text = open(os.path.join(d, f)).read()
        for target, cls in sorted(set(REF.findall(text))):
            if target != pkg and RANK.get(target, -1) > RANK.get(pkg, 99):
                up.append(f"{pkg}/{f} -> {target}.{cls}")
if "-v" in sys.argv:
    print("\n".join(up))
print(f"{len(up)} imports run up")
