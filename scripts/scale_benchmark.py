"""How the cost model scales: each model layer timed, with its peak memory, on synthetic inputs at 1x, 10x, 100x and
1000x the bundled sample's countries (scripts/scale_inputs.py), and the heaviest transform also as DuckDB SQL over
the same Parquet (scripts/scale_wages.sql).

python scripts/scale_benchmark.py                          # 1x, 10x, 100x, 1000x; staging from ./warehouse
python scripts/scale_benchmark.py --scales 1 10 --json out.json --staging /tmp/wh/staging --work /tmp/scale
python scripts/scale_benchmark.py --scales 10 --benchmark-years 2000-2023   # more years instead of more countries

A layer is what an asset of assets/benchmarks.py calls from model/, with the same arguments; publishing (contract
validation, Parquet writing) is not part of it. Each (scale, layer) runs in a process of its own, which reads its
inputs from Parquet, times the call, and reports its peak resident memory (getrusage's ru_maxrss: polars allocates
outside Python, where tracemalloc does not see it) and its resident memory before the call (the inputs and the
interpreter). A process above --memory-limit-gb or --timeout is killed and reported as not finished; the layers that
need its output are skipped. This is a measurement, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import polars as pl

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from model.backtest import model_backtest  # noqa: E402
from model.benchmarks import tier_function_benchmarks  # noqa: E402
from model.costs import location_function_costs  # noqa: E402
from model.oncosts import employer_cost_multipliers  # noqa: E402
from model.premia import function_premia, premium_pairs, wage_observations, with_premia  # noqa: E402
from model.reference import ReferenceData, load_reference  # noqa: E402
from model.scenarios import read_scenarios, scenario_costs  # noqa: E402
from model.scorecard import location_scorecard  # noqa: E402
from model.tiers import location_tiers  # noqa: E402
from model.vendor_rates import vendor_rates  # noqa: E402
from model.wages import WAGE_INPUTS, carried_wages, function_wages, relativities, wage_candidates  # noqa: E402
from schemas.vocabulary import OCCUPATION_INDICATOR  # noqa: E402
from scripts.scale_inputs import read_sample, synthetic_reference, synthetic_staging, write_staging  # noqa: E402

DEFAULT_SCALES = [1, 10, 100, 1000]
SQL = PROJECT / "scripts" / "scale_wages.sql"
SCENARIOS = PROJECT / "scenarios" / "example.csv"
KIB = 1024
SPILL_LIMIT_GB = 20
# In a scale's folder: the benchmark years to compute, where they are not reference/model_settings.csv's.
YEARS_FILE = "benchmark_years.json"


class Inputs:
    """A layer's inputs, read from one scale's folder: staging tables, earlier layers' outputs, reference data."""

    def __init__(self, folder: Path, scale: int) -> None:
        self.folder, self.scale = folder, scale

    def staging(self, name: str) -> pl.DataFrame:
        return pl.read_parquet(self.folder / "staging" / f"{name}.parquet")

    def output(self, name: str) -> pl.DataFrame:
        return pl.read_parquet(self.folder / "outputs" / f"{name}.parquet")

    def reference(self) -> ReferenceData:
        """The reference data extended to the clones, with the benchmark years the folder was generated for."""
        reference = synthetic_reference(load_reference(PROJECT / "reference"), self.scale)
        years = self.folder / YEARS_FILE
        if years.exists():
            reference = replace(
                reference, settings=replace(reference.settings, benchmark_years=json.loads(years.read_text()))
            )
        return reference


@dataclass(frozen=True)
class Layer:
    """A model layer: the tables it reads (staging and earlier layers'), the call, and the tables it writes."""

    name: str
    staging: tuple[str, ...]
    upstream: tuple[str, ...]
    run: Callable[..., dict[str, pl.DataFrame]]


def _wages(ref, earnings, exchange_rates, ppp_factors, average_wages, countries, us_occupation_wages, **indices):
    staging = dict(
        earnings=earnings,
        exchange_rates=exchange_rates,
        ppp_factors=ppp_factors,
        average_wages=average_wages,
        countries=countries,
        us_occupation_wages=us_occupation_wages,
        **indices,
    )
    return {"wages": function_wages(staging, ref)}


def _wage_candidates(ref, **staging):
    candidates, index = wage_candidates(staging, ref)
    return {"wage_candidates": candidates, "growth_index": index}


def _carry_forward(ref, wage_candidates, growth_index):
    years = ref.settings.benchmark_years
    return {"carried_wages": carried_wages(wage_candidates, growth_index, ref.gdp_distorted, years)}


def _premia(ref, vendor_rate_observations, countries, wages):
    observed = wage_observations(vendor_rate_observations, ref.weak_evidence_phrases, ref.settings, ref.paid_hours)
    pairs = premium_pairs(observed, wages, ref.functions, countries)
    return {"function_premia": function_premia(pairs, ref.functions, countries, ref.settings)}


def _costs(ref, countries, wages, function_premia, employer_on_costs):
    premia = with_premia(wages, function_premia, countries)
    return {"location_function_costs": location_function_costs(premia, countries, ref, employer_on_costs)}


def _scenarios(ref, countries, location_function_costs, vendor_rates, location_tiers, tier_function_benchmarks):
    teams = read_scenarios(SCENARIOS, set(ref.functions["function_id"]), set(countries["iso3"]), ref.coverage_rules)
    frame = scenario_costs(
        teams,
        ref.coverage_rules,
        location_function_costs,
        vendor_rates,
        location_tiers,
        tier_function_benchmarks,
        max(ref.settings.benchmark_years),
    )
    return {"scenario_costs": frame}


# In the order of the asset graph, each as assets/benchmarks.py calls it.
LAYERS = [
    Layer(
        "relativities",
        ("earnings", "countries"),
        (),
        lambda ref, earnings, countries: {"relativities": relativities(earnings, countries, ref.settings)},
    ),
    Layer("wages", WAGE_INPUTS, (), _wages),
    # The wage layer's two halves, timed apart: choosing each wage, and carrying it to the benchmark year.
    Layer("wage_candidates", WAGE_INPUTS, (), _wage_candidates),
    Layer("carry_forward", (), ("wage_candidates", "growth_index"), _carry_forward),
    Layer("premia", ("vendor_rate_observations", "countries"), ("wages",), _premia),
    Layer(
        "on_costs",
        ("employer_costs", "countries"),
        (),
        lambda ref, employer_costs, countries: {
            "employer_on_costs": employer_cost_multipliers(employer_costs, countries, ref.settings)
        },
    ),
    Layer("costs", ("countries",), ("wages", "function_premia", "employer_on_costs"), _costs),
    Layer(
        "tiers",
        ("countries",),
        (),
        lambda ref, countries: {
            "location_tiers": location_tiers(countries, ref.buyers, ref.tier_rules, ref.region_overrides)
        },
    ),
    Layer(
        "vendor_rates",
        ("vendor_rate_observations", "countries"),
        ("location_function_costs",),
        lambda ref, vendor_rate_observations, countries, location_function_costs: {
            "vendor_rates": vendor_rates(
                vendor_rate_observations,
                location_function_costs,
                countries,
                ref.cost_parameters,
                ref.weak_evidence_phrases,
                ref.settings,
            )
        },
    ),
    Layer(
        "tier_benchmarks",
        (),
        ("location_function_costs", "location_tiers", "vendor_rates"),
        lambda ref, location_function_costs, location_tiers, vendor_rates: {
            "tier_function_benchmarks": tier_function_benchmarks(location_function_costs, location_tiers, vendor_rates)
        },
    ),
    Layer(
        "backtest",
        ("vendor_rate_observations", "countries"),
        ("location_function_costs", "location_tiers"),
        lambda ref, vendor_rate_observations, countries, location_function_costs, location_tiers: {
            "model_backtest": model_backtest(
                vendor_rate_observations, location_function_costs, location_tiers, countries, ref
            )
        },
    ),
    Layer(
        "scorecard",
        ("governance", "vendor_rate_observations", "countries"),
        ("location_function_costs", "location_tiers", "vendor_rates"),
        lambda ref, governance, vendor_rate_observations, countries, location_function_costs, location_tiers, vendor_rates: {  # noqa: E501
            "location_scorecard": location_scorecard(
                location_function_costs,
                location_tiers,
                vendor_rates,
                governance,
                vendor_rate_observations,
                countries,
                ref.buyers,
                ref.scorecard_weights,
            )
        },
    ),
    Layer(
        "scenarios",
        ("countries",),
        ("location_function_costs", "vendor_rates", "location_tiers", "tier_function_benchmarks"),
        _scenarios,
    ),
]
BY_NAME = {layer.name: layer for layer in LAYERS}


def _resident_bytes() -> int:
    """This process's resident memory now (Linux: /proc/self/statm, in pages)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _cpu_seconds() -> float:
    """User and system time of this process so far: on a shared machine it moves less than the wall clock."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_layer(folder: Path, scale: int, name: str) -> dict:
    """In this process: read the layer's inputs, time the call, write its outputs; the figures as a dict."""
    layer = BY_NAME[name]
    inputs = Inputs(folder, scale)
    ref = inputs.reference()
    frames = {table: inputs.staging(table) for table in layer.staging}
    frames |= {table: inputs.output(table) for table in layer.upstream}
    input_rows = sum(frame.height for frame in frames.values())
    before = _resident_bytes()
    start, cpu_start = time.perf_counter(), _cpu_seconds()
    outputs = layer.run(ref, **frames)
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB
    (folder / "outputs").mkdir(exist_ok=True)
    for table, frame in outputs.items():
        frame.write_parquet(folder / "outputs" / f"{table}.parquet")
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_bytes": peak,
        "inputs_resident_bytes": before,
        "input_rows": input_rows,
        "output_rows": sum(frame.height for frame in outputs.values()),
    }


def _watched(command: list[str], limit_bytes: int, timeout: float) -> tuple[int | None, str, str]:
    """Run `command`, killing it past `limit_bytes` of resident memory or `timeout` seconds. (exit code or None when
    killed, why it was killed, its standard output)."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    status = Path(f"/proc/{process.pid}/status")
    start = time.monotonic()
    reason = ""
    while process.poll() is None:
        try:
            resident = next(
                int(line.split()[1]) * KIB for line in status.read_text().splitlines() if line.startswith("VmRSS:")
            )
        except (OSError, StopIteration):
            resident = 0
        if resident > limit_bytes:
            reason = f"killed above {limit_bytes / 1e9:.0f} GB resident"
        elif time.monotonic() - start > timeout:
            reason = f"killed after {timeout:.0f} s"
        if reason:
            process.kill()
            process.wait()
            return None, reason, ""
        time.sleep(0.05)
    out, err = process.communicate()
    if process.returncode != 0:
        lines = err.strip().splitlines() or ["failed"]
        # The exception's own line, not the hint some libraries print after it.
        return process.returncode, next((line for line in reversed(lines) if "Error" in line), lines[-1]), out
    return 0, "", out


def generate(staging: Path, folder: Path, scale: int, benchmark_years: list[int] | None = None) -> dict[str, int]:
    """The synthetic staging tables of one scale, written under `folder`, and the benchmark years to compute if they
    are not the reference's."""
    rows = write_staging(synthetic_staging(read_sample(staging), scale), folder / "staging")
    (folder / YEARS_FILE).unlink(missing_ok=True)
    if benchmark_years:
        (folder / YEARS_FILE).write_text(json.dumps(benchmark_years))
    return rows


def _year_span(text: str) -> list[int]:
    """'2000-2023' as the years 2000 to 2023."""
    first, _, last = text.partition("-")
    try:
        years = list(range(int(first), int(last or first) + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"benchmark years must be FIRST-LAST, such as 2000-2023, not {text!r}"
        ) from None
    if not years:
        raise argparse.ArgumentTypeError(f"benchmark years {text!r}: the first is after the last")
    return years


def _rows(path: Path) -> int:
    return pl.scan_parquet(path).select(pl.len()).collect().item()


def duckdb_wages(folder: Path, scale: int, memory_limit_gb: float = 12.0) -> dict:
    """The wage layer as DuckDB SQL (scripts/scale_wages.sql) over the same staging Parquet, with the reference
    tables it reads written beside them: its time, peak memory and rows (in this process, which does nothing else).
    DuckDB is given 70 % of the memory limit and a folder to spill to beyond it (at most SPILL_LIMIT_GB), as it would
    be in production; the folder is removed afterwards."""
    import duckdb

    reference = Inputs(folder, scale).reference()
    tables = {name: folder / "staging" / f"{name}.parquet" for name in WAGE_INPUTS}
    for name, frame in {
        "functions": reference.functions.select("function_id", "isco08_major_groups", "us_soc_codes"),
        "isco_soc_major_groups": reference.isco_soc_major_groups,
        "gdp_distorted": reference.gdp_distorted,
        "benchmark_years": pl.DataFrame({"year": reference.settings.benchmark_years}, schema={"year": pl.Int32}),
    }.items():
        tables[name] = folder / "reference" / f"{name}.parquet"
        tables[name].parent.mkdir(exist_ok=True)
        frame.write_parquet(tables[name])
    settings = asdict(reference.settings) | {"occupation_indicator": OCCUPATION_INDICATOR}
    spill = folder / "duckdb_spill"
    try:
        with duckdb.connect() as db:
            db.execute(f"SET memory_limit = '{memory_limit_gb * 0.7:.1f}GB'")
            db.execute(f"SET temp_directory = '{spill}'")
            # A spill without a cap can fill the disk at 1000x.
            db.execute(f"SET max_temp_directory_size = '{SPILL_LIMIT_GB}GB'")
            for name, path in tables.items():
                db.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{path}')")
            for name, value in settings.items():
                if name != "benchmark_years":
                    db.execute(f"SET VARIABLE {name} = ?", [value])
            start, cpu_start = time.perf_counter(), _cpu_seconds()
            db.execute(f"COPY ({SQL.read_text()}) TO '{folder / 'outputs' / 'wages_duckdb.parquet'}' (FORMAT parquet)")
            seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu_start
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * KIB
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_bytes": peak,
        "input_rows": sum(_rows(tables[name]) for name in WAGE_INPUTS),
        "output_rows": _rows(folder / "outputs" / "wages_duckdb.parquet"),
    }


def _table(results: list[dict]) -> str:
    head = (
        f"{'scale':>6} {'layer':<16} {'input rows':>12} {'output rows':>12} {'seconds':>9} {'cpu s':>9} "
        f"{'peak MB':>9} {'inputs MB':>9}"
    )
    lines = [head, "-" * len(head)]
    for row in results:
        if row.get("error"):
            lines.append(f"{row['scale']:>5}x {row['layer']:<16} {row['error']}")
            continue
        lines.append(
            f"{row['scale']:>5}x {row['layer']:<16} {row.get('input_rows', 0):>12,} {row['output_rows']:>12,} "
            f"{row['seconds']:>9.2f} {row['cpu_seconds']:>9.2f} {row['peak_bytes'] / 1e6:>9.0f} "
            f"{row.get('inputs_resident_bytes', 0) / 1e6:>9.0f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=DEFAULT_SCALES)
    parser.add_argument("--layers", nargs="+", choices=[*BY_NAME, "duckdb"], default=[*BY_NAME, "duckdb"])
    parser.add_argument("--staging", type=Path, default=PROJECT / "warehouse" / "staging")
    parser.add_argument("--work", type=Path, default=Path("/tmp/bpo_scale_benchmark"))
    parser.add_argument("--memory-limit-gb", type=float, default=12.0)
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per layer")
    parser.add_argument(
        "--benchmark-years",
        type=_year_span,
        metavar="FIRST-LAST",
        help="compute these benchmark years instead of the reference's (more years: the other axis of scale)",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--run-layer", nargs=3, metavar=("FOLDER", "SCALE", "LAYER"), help=argparse.SUPPRESS)
    parser.add_argument("--run-duckdb", nargs=2, metavar=("FOLDER", "SCALE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run_layer:
        folder, scale, name = args.run_layer
        print(json.dumps(run_layer(Path(folder), int(scale), name)))
        return 0
    if args.run_duckdb:
        folder, scale = args.run_duckdb
        print(json.dumps(duckdb_wages(Path(folder), int(scale), args.memory_limit_gb)))
        return 0

    results = []
    limit = int(args.memory_limit_gb * 1e9)
    for scale in args.scales:
        years = args.benchmark_years
        folder = args.work / (f"{scale}x" + (f"_{years[0]}-{years[-1]}" if years else ""))
        start = time.perf_counter()
        shutil.rmtree(folder / "outputs", ignore_errors=True)
        rows = generate(args.staging, folder, scale, years)
        n_years = len(Inputs(folder, scale).reference().settings.benchmark_years)
        print(
            f"{scale}x, {n_years} benchmark years: {sum(rows.values()):,} staging rows written in "
            f"{time.perf_counter() - start:.1f} s",
            flush=True,
        )
        for name in args.layers:
            if name == "duckdb":
                command = [sys.executable, __file__, "--run-duckdb", str(folder), str(scale)]
                command += ["--memory-limit-gb", str(args.memory_limit_gb)]
                needs: tuple[str, ...] = ()
            else:
                command = [sys.executable, __file__, "--run-layer", str(folder), str(scale), name]
                needs = BY_NAME[name].upstream
            row = {"scale": scale, "layer": name, "benchmark_years": n_years}
            if missing := [table for table in needs if not (folder / "outputs" / f"{table}.parquet").exists()]:
                row["error"] = f"skipped: no {', '.join(missing)} (its layer did not finish)"
            else:
                (folder / "outputs").mkdir(parents=True, exist_ok=True)
                code, reason, out = _watched(command, limit, args.timeout)
                # A killed DuckDB leaves its spill behind.
                shutil.rmtree(folder / "duckdb_spill", ignore_errors=True)
                if code == 0:
                    row |= json.loads(out.strip().splitlines()[-1])
                else:
                    row["error"] = f"not finished: {reason}"
            results.append(row)
            print(_table([row]).splitlines()[-1], flush=True)
    print()
    print(_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
