"""Plain numbers piped through `actcli apply`, beside mawk: the shell one-liner's speed.

    python benchmarks/one_liners.py [--rows 5000000] [--repeat 3] [--big 1] [--dir /tmp/actcli-bench]

Generates once in --dir a file of --rows numbers, one a line (repr of normal(0, 3)). Runs
alternate between actcli and mawk, one process each, stdin from the file and stdout to a file;
each tool's best of --repeat is reported, with mawk's time over actcli's (target >= 1.5, aim 4).
actcli's CSV path on the same numbers (-c 1 --no-header) runs beside them. Every actcli output
is checked byte for byte against the library's values spelled by Python's repr, which is what
`apply` prints. With --big N, the peak RSS of `apply relu` on N GB of numbers (memory stays flat).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from csv_bench import run  # the benchmarks are scripts, not a package

ACTCLI = str(Path(sys.executable).with_name("actcli"))
MAWK = {"relu": "{print ($1>0)?$1:0}", "sigmoid": "{print 1/(1+exp(-$1))}"}


def make_numbers(path: Path, rows: int) -> None:
    rng = np.random.default_rng(7)
    with path.open("w") as out:
        for start in range(0, rows, 1_000_000):
            values = rng.normal(0.0, 3.0, min(1_000_000, rows - start))
            out.write("\n".join(map(repr, values.tolist())) + "\n")


def make_big(path: Path, gigabytes: float, base: Path) -> None:
    body, target = base.read_bytes(), int(gigabytes * 1e9)
    with path.open("wb") as out:
        for _ in range(-(-target // len(body))):
            out.write(body)


def compare(out: Path, data: Path, name: str, csv: bool) -> str:
    """'identical' (plain: byte for byte the library's values as repr spells them; CSV: the
    input cell kept and the same double, which Polars spells its own way), or the first line
    that differs."""
    import actcli

    texts = data.read_text().split()
    results = actcli.get(name)(np.array([float(t) for t in texts])).tolist()
    got = out.read_text().splitlines()
    if csv:
        rows = [line.split(",") for line in got]
        same = [len(r) == 2 and r[0] == t and float(r[1]) == v
                for r, t, v in zip(rows, texts, results, strict=False)]
    else:
        same = [line == repr(v) for line, v in zip(got, results, strict=False)]
    if len(got) == len(results) and all(same):
        return "identical"
    return f"differs from line {next((i for i, ok in enumerate(same) if not ok), len(same)) + 1}"


def check(out: Path, data: Path, name: str, csv: bool) -> str:
    """compare() in a child process, so that this one stays small (a forked child's peak RSS
    counts the parent's memory before exec)."""
    command = [sys.executable, __file__, "--check", str(out), str(data), name, "csv" if csv else "plain"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big", default="", help="sizes in GB for the memory runs, e.g. 1")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/actcli-bench"))
    parser.add_argument("--check", nargs=4, metavar=("OUT", "DATA", "ACT", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check:
        out, data, name, csv = args.check
        print(compare(Path(out), Path(data), name, csv == "csv"))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    numbers = args.dir / f"numbers-{args.rows}.txt"
    if not numbers.exists():
        make_numbers(numbers, args.rows)
    out = args.dir / "out.txt"
    print(f"{args.rows:,} numbers, one a line ({numbers.stat().st_size / 1e6:.0f} MB); best of {args.repeat}")
    for name in MAWK:
        tools = {"actcli": [ACTCLI, "apply", name], "mawk": ["mawk", MAWK[name]],
                 "actcli -c 1": [ACTCLI, "apply", name, "-c", "1", "--no-header"]}
        times: dict[str, list[float]] = {tool: [] for tool in tools}
        peaks: dict[str, float] = dict.fromkeys(tools, 0.0)
        for _ in range(args.repeat):  # alternating, so both see the same load
            for tool, command in tools.items():
                seconds, rss = run(command, numbers, out)
                times[tool].append(seconds)
                peaks[tool] = max(peaks[tool], rss)
                if tool.startswith("actcli") and len(times[tool]) == 1:
                    print(f"  {name}: {tool} output {check(out, numbers, name, '-c' in command)}")
        for tool in tools:
            print(f"{name:8} {tool:12} {min(times[tool]):6.2f} s  peak RSS {peaks[tool]:5.0f} MB")
        ratio = min(times["mawk"]) / min(times["actcli"])
        print(f"{name:8} mawk / actcli = {ratio:.2f} (target >= 1.5, aim 4); "
              f"CSV path / plain = {min(times['actcli -c 1']) / min(times['actcli']):.2f}")
    for size in filter(None, args.big.split(",")):
        big = args.dir / f"numbers-{size}GB.txt"
        if not big.exists():
            make_big(big, float(size), numbers)
        seconds, rss = run([ACTCLI, "apply", "relu"], big, Path("/dev/null"))
        print(f"{size} GB of numbers: actcli apply relu {big.stat().st_size / 1e6 / seconds:.0f} MB/s, "
              f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
