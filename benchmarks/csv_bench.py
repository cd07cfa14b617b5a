"""CSV throughput and memory: actcli beside mawk, gawk and Miller, side by side (SPEC section 7).

    apt-get install -y mawk gawk miller     # the peers (Debian packages)
    python benchmarks/csv_bench.py [--rows 10000000] [--repeat 3] [--big 1,3] [--dir /tmp/actcli-bench]
    python benchmarks/csv_bench.py --kernels [--rows 5000000] [--repeat 5]

Generates the data once in --dir: a one-column file of normal(0, 10) values (10M rows, ~190 MB),
a 2M-row wide file with quoted text columns, and with --big, files of N GB for the memory
target. Each tool runs relu (and elu, where it has expm1-free exp) on the same file; every
output is checked against the library (exact float equality per row; awk prints %.17g so it
round-trips) and the best of --repeat runs is reported with its peak RSS (from wait4).
Raw Polars (scan_csv -> with_columns -> sink_csv of the same relu, its own float formatting) runs
beside them as the engine's ceiling. Targets: actcli >= 4x mawk and >= 10x Miller on relu and elu;
every activation at least as fast as mawk on relu; peak RSS <= 200 MB at 1 GB and 3 GB alike, for
relu, elu and gelu.

``--kernels`` times the kernels' share of a stream instead: ``apply relu -c x`` beside ``apply gelu
-c x``, ``apply gelu -c x --dtype float32`` and ``apply silu -c x`` on one file (5M rows by
default), the commands run in turn ``--repeat`` times so that noise hits each alike; the best run
of each, and its ratio to relu's (target <= 1.15: the compiled kernels cost little beside the
parsing and printing every command does).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ACTCLI = str(Path(sys.executable).with_name("actcli"))
AWK_RELU = 'NR==1{print $0",relu(x)";next}{v=$1+0; printf "%s,%.17g\\n", $0, (v>0?v:0)}'
AWK_ELU = 'NR==1{print $0",elu(x)";next}{v=$1+0; printf "%s,%.17g\\n", $0, (v>0?v:exp(v)-1)}'
MLR = {"relu": "$relu = $x > 0 ? $x : 0", "elu": "$elu = $x > 0 ? $x : exp($x) - 1"}
POLARS_RELU = ("import polars as pl, sys; pl.scan_csv(sys.stdin.buffer, schema_overrides={'x': pl.Float64})"
               ".with_columns(pl.col('x').clip(lower_bound=0).alias('relu(x)')).sink_csv(sys.stdout.buffer)")


def make_one_column(path: Path, rows: int) -> None:
    rng = np.random.default_rng(7)
    with path.open("w") as out:
        out.write("x\n")
        for start in range(0, rows, 1_000_000):
            values = rng.normal(0.0, 10.0, min(1_000_000, rows - start))
            out.write("\n".join(map(repr, values.tolist())) + "\n")


def make_wide(path: Path, rows: int) -> None:
    rng = np.random.default_rng(8)
    words = ["alpha", 'say "hi"', "comma, inside", "multi\nline", "007", "", "2024-01-01", "ünï"]
    with path.open("w") as out:
        out.write('id,name,x,note,when\n')
        for start in range(0, rows, 200_000):
            n = min(200_000, rows - start)
            xs = rng.normal(0.0, 10.0, n).tolist()
            picks = rng.integers(0, len(words), (n, 2))
            for i in range(n):
                name, note = (words[j] for j in picks[i])
                quote = lambda t: '"' + t.replace('"', '""') + '"' if any(c in t for c in ',"\n') else t  # noqa: E731
                out.write(f"{start + i},{quote(name)},{xs[i]!r},{quote(note)},2024-01-{1 + i % 28:02d}\n")


def make_big(path: Path, gigabytes: float) -> None:
    base = path.with_name("big-base.csv")
    if not base.exists():
        make_one_column(base, 5_000_000)
    body = base.read_bytes().split(b"\n", 1)[1]
    target = int(gigabytes * 1e9)
    with path.open("wb") as out:
        out.write(b"x\n")
        written = 0
        while written < target:
            out.write(body)
            written += len(body)


def run(command: list[str], stdin: Path, stdout: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of one run."""
    with stdin.open("rb") as source, stdout.open("wb") as sink:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdin=source, stdout=sink)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def best(command: list[str], data: Path, out: Path, repeat: int) -> tuple[float, float]:
    runs = [run(command, data, out) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs)


KERNEL_COMMANDS = {"relu": ["relu"], "gelu": ["gelu"], "gelu --dtype float32": ["gelu", "--dtype", "float32"],
                   "silu": ["silu"]}


def kernels_beside_relu(data: Path, repeat: int) -> None:
    """The best of ``repeat`` turns of each command, and its ratio to relu's."""
    times: dict[str, list[float]] = {label: [] for label in KERNEL_COMMANDS}
    for _ in range(repeat):
        for label, args in KERNEL_COMMANDS.items():
            command = [ACTCLI, "apply", args[0], "-c", "x", *args[1:]]
            times[label].append(run(command, data, Path(os.devnull))[0])
    relu = min(times["relu"])
    for label, runs in times.items():
        ratio = "" if label == "relu" else f"  x relu {min(runs) / relu:.2f} (target <= 1.15)"
        turns = " ".join(f"{t:.2f}" for t in runs)
        print(f"apply {label:22} -c x  best {min(runs):6.2f} s  runs {turns}{ratio}")


def check(out: Path, data: Path, name: str) -> str:
    """Compare a tool's last column with the library on every row, in a child process so this
    one stays small (a forked child's peak RSS counts the parent's memory before exec)."""
    done = subprocess.run([sys.executable, __file__, "--check", str(out), str(data), name],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def compare(out: Path, data: Path, name: str) -> str:
    """'exact', or how many rows of the last column differ from the library."""
    import polars as pl

    import actcli

    xs = pl.read_csv(data, columns=["x"], schema_overrides={"x": pl.Float64}).to_series().to_numpy()
    got = pl.read_csv(out, infer_schema=False).to_series(-1).cast(pl.Float64).to_numpy()
    expected = actcli.get(name)(xs)
    if got.shape != expected.shape:
        return "wrong row count"
    wrong = np.count_nonzero(~((got == expected) | (np.isnan(got) & np.isnan(expected))))
    return "exact" if wrong == 0 else f"{wrong} of {len(got)} rows differ"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, help="rows of the one-column file (10M; 5M with --kernels)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big", default="", help="sizes in GB for the memory runs, e.g. 1,3")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/actcli-bench"))
    parser.add_argument("--all", action="store_true", help="also time every activation with actcli")
    parser.add_argument("--kernels", action="store_true", help="relu beside gelu and silu (5M rows)")
    parser.add_argument("--check", nargs=3, metavar=("OUT", "DATA", "ACT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.check:
        print(compare(Path(args.check[0]), Path(args.check[1]), args.check[2]))
        return
    args.dir.mkdir(parents=True, exist_ok=True)
    rows = args.rows or (5_000_000 if args.kernels else 10_000_000)
    one = args.dir / f"one-{rows}.csv"
    if not one.exists():
        make_one_column(one, rows)
    if args.kernels:
        kernels_beside_relu(one, args.repeat)
        return
    megabytes = one.stat().st_size / 1e6
    out = args.dir / "out.csv"
    print(f"one-column file: {rows} rows, {megabytes:.0f} MB")
    print(f"{'tool':8} {'act':5} {'s':>7} {'MB/s':>7} {'RSS MB':>7}  output")
    rates: dict[tuple[str, str], float] = {}
    for name in ("relu", "elu"):
        tools = {"actcli": [ACTCLI, "apply", name, "-c", "x"]}
        for awk in ("mawk", "gawk"):
            if shutil.which(awk):
                tools[awk] = [awk, "-F,", AWK_RELU if name == "relu" else AWK_ELU]
        if name == "relu" and shutil.which("mawk"):  # its default %.6g output: fast, not exact
            tools["mawk-6g"] = ["mawk", "-F,", 'NR==1{print $0",relu(x)";next}{print $0","($1>0?$1:0)}']
        if shutil.which("mlr"):
            tools["miller"] = ["mlr", "--csv", "put", MLR[name]]
        if name == "relu":
            tools["polars"] = [sys.executable, "-c", POLARS_RELU]
        for tool, command in tools.items():
            seconds, rss = best(command, one, out, args.repeat)
            rates[tool, name] = megabytes / seconds
            verdict = check(out, one, name)
            print(f"{tool:8} {name:5} {seconds:7.2f} {megabytes / seconds:7.0f} {rss:7.0f}  {verdict}")
    for name in ("relu", "elu"):
        for peer, target in (("mawk", 4), ("mawk-6g", 4), ("miller", 10), ("polars", 0)):
            if (peer, name) in rates:
                ratio = rates["actcli", name] / rates[peer, name]
                print(f"{name}: actcli / {peer} = {ratio:.2f}" + (f" (target >= {target})" if target else ""))
    if args.all:
        import actcli

        print("every activation, actcli MB/s (target: >= mawk relu "
              f"{rates.get(('mawk', 'relu'), float('nan')):.0f} MB/s)")
        for name in actcli.names():
            seconds, rss = best([ACTCLI, "apply", name, "-c", "x"], one, out, 1)
            print(f"  {name:16} {megabytes / seconds:7.0f} MB/s  RSS {rss:.0f} MB")
    wide = args.dir / "wide.csv"
    if not wide.exists():
        make_wide(wide, rows // 5)
    seconds, rss = best([ACTCLI, "apply", "relu", "-c", "x"], wide, out, 1)
    print(f"wide quoted file ({wide.stat().st_size / 1e6:.0f} MB): actcli relu "
          f"{wide.stat().st_size / 1e6 / seconds:.0f} MB/s, RSS {rss:.0f} MB")
    for size in filter(None, args.big.split(",")):
        big = args.dir / f"big-{size}GB.csv"
        if not big.exists():
            make_big(big, float(size))
        for name in ("relu", "elu", "gelu"):
            seconds, rss = run([ACTCLI, "apply", name, "-c", "x"], big, Path(os.devnull))
            print(f"{size} GB: actcli {name} {big.stat().st_size / 1e6 / seconds:.0f} MB/s, "
                  f"peak RSS {rss:.0f} MB (target <= 200)")


if __name__ == "__main__":
    main()
