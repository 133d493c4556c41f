"""The build state on a one-case edit: load the records a build reads, change one item in each, save.

    python benchmarks/buildstate_bench.py /tmp/jiandu-build-bench-10000 --repeat 5

The library must have been built (a warm build/cache/state.pickle and build/cache/state/). Its state is
copied into a temporary folder first: the library itself is never written. Each round runs in a fresh
process (as a build does) and, like build.py, freezes the collector after loading the validate record.
The similar-cases record gets 50 changed cases (a one-case edit recomputes dozens of rows); the site
record one changed key. Prints the median load and save times.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STAGES = ("validate", "pii", "analysis", "similar-internal", "site-internal")

ROUND = r"""
import copy, gc, json, pickle, random, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
import generator.core.validate, generator.core.pii, generator.search.analysis, generator.site.build
from generator.infra.buildstate import BuildState, Record
stages, rng = json.loads(sys.argv[3]), random.Random(int(sys.argv[4]))
started = time.perf_counter()
state = BuildState(Path(sys.argv[2]))
stages = [stage for stage in stages if stage in state._heads]
records = {}
for stage in stages:
    records[stage] = state.record(stage, pickle.loads(state._heads[stage])[0])
    if stage == "validate":
        gc.freeze()
loaded = time.perf_counter()
for stage, old in records.items():
    new = Record(old.code, dict(old.keys), dict(old.values), dict(old.meta))
    items = rng.sample(sorted(new.values), min(len(new.values), 50 if stage.startswith("similar") else 1))
    for item in items:
        new.values[item] = copy.copy(new.values[item])
    item = rng.choice(sorted(new.keys))
    new.keys[item] += "-edited"
    state.update(stage, new)
changed = time.perf_counter()
state.save()
print(json.dumps({"load": loaded - started, "save": time.perf_counter() - changed}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="a built library")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cache = args.root / "build" / "cache"
    if not (cache / "state.pickle").is_file():
        sys.exit(f"{cache / 'state.pickle'} 不存在：先构建一次该案例库")
    with tempfile.TemporaryDirectory(prefix="jiandu-state-bench-") as temp:
        copy = Path(temp)
        shutil.copy2(cache / "state.pickle", copy / "state.pickle")
        if (cache / "state").is_dir():
            shutil.copytree(cache / "state", copy / "state")
        rounds = [json.loads(subprocess.run([sys.executable, "-c", ROUND, str(REPO), str(copy), json.dumps(STAGES),
                                             str(n)], check=True, capture_output=True, text=True).stdout)
                  for n in range(args.repeat)]
    for name in ("load", "save"):
        times = [entry[name] for entry in rounds]
        print(f"{name}: median {statistics.median(times):.3f} s ({', '.join(f'{t:.3f}' for t in times)})")


if __name__ == "__main__":
    main()
