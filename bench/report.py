#!/usr/bin/python3
"""Turns the RESULT lines of one bench/run.sh run into its table and JSON.

  report.py NNC_RESULTS [--peers PEERS_RESULTS] [--json FILE]

Both files hold lines in the peers harness's format (peers/README.md):
  RESULT|workload|system|variant|threads|flop|median s|min s|max s|note
NNC_RESULTS has nnc's rows (bench/bench_model.c) and the W0 FMA peak rows
measured around them; PEERS_RESULTS is the peers' out/results.txt of the same
run. Per workload, system and thread count the fastest variant (lowest
median over variants and passes) is kept. "% peak" divides by the best W0
AVX-512 rate of the run (AVX2's without AVX-512), 1 thread; for 2 threads the
larger of the 2-thread W0 and twice the 1-thread one, as the peers' report.py.
ratio_vs_nnc = system's median / nnc's 1-thread median: > 1 means nnc is
faster (2-thread peer rows are compared with single-threaded nnc too).

The table shows the 1-thread rows, nnc first in each workload, and a W0 row
even when no peak was measured; the JSON (a list, one record per line) has
every measured row, 2-thread peer rows included.
"""
import argparse
import json
import math

PEAK_WORKLOAD = "W0 peak"
NNC = "nnc"


def load(path):
    """RESULT lines of `path` as dicts, in file order."""
    rows = []
    with open(path) as f:
        for line in f:
            if not line.startswith("RESULT|"):
                continue
            p = line.rstrip("\n").split("|")
            rows.append(dict(workload=p[1], system=p[2], variant=p[3], threads=int(p[4]),
                             flop=float(p[5]), med=float(p[6]), note=p[9] if len(p) > 9 else ""))
    return rows


def best_rows(rows):
    """The fastest row (highest flop rate; the variants of a workload count the
    same flop, except W0's) per (workload, system, threads); unmeasured (NaN)
    rows only if nothing else was measured. Keeps the order of first appearance."""
    cost = lambda r: r["med"] / r["flop"] if r["flop"] > 0 else r["med"]
    best = {}
    for r in rows:
        k = (r["workload"], r["system"], r["threads"])
        old = best.get(k)
        if old is None or (not math.isnan(r["med"]) and not cost(old) <= cost(r)):
            best[k] = r
    return list(best.values())


def peaks(rows):
    """Reference GFLOP/s for % peak, per thread count (see the module comment)."""
    w0 = [r for r in rows if r["workload"] == PEAK_WORKLOAD and r["med"] > 0]
    isa = "avx512" if any("avx512" in r["variant"] for r in w0) else ""  # else AVX2's
    measured = {}
    for r in w0:
        if isa in r["variant"]:
            g = r["flop"] / r["med"] / 1e9
            measured[r["threads"]] = max(measured.get(r["threads"], 0.0), g)
    ref = dict(measured)
    for t, g in measured.items():
        if t > 1 and 1 in measured:
            ref[t] = max(g, t * measured[1])
    return measured, ref


def record(r, peak_ref, nnc_med):
    """The JSON record of one row; NaN becomes None."""
    med = r["med"]
    gflops = r["flop"] / med / 1e9 if r["flop"] > 0 and med > 0 else math.nan
    peak = peak_ref.get(r["threads"], math.nan)
    ratio = math.nan
    if r["workload"] != PEAK_WORKLOAD:
        # Against nnc on as many threads (nnc's own row: 1.0).
        ratio = med / nnc_med.get((r["workload"], r["threads"]), math.nan)
    clean = lambda x: None if x is None or math.isnan(x) else x
    return dict(workload=r["workload"], system=r["system"], threads=r["threads"],
                ms_median=clean(med * 1e3), gflops=clean(gflops),
                peak_fraction=clean(gflops / peak if peak else math.nan),
                ratio_vs_nnc=clean(ratio), variant=r["variant"], note=r["note"])


def fmt(x, spec, unit=""):
    return "n/a" if x is None else f"{x:{spec}}{unit}"


def fmt_ms(ms):
    if ms is None:
        return "n/a"
    if ms >= 1e3:
        return f"{ms / 1e3:.3f} s"
    return f"{ms * 1e3:.1f} us" if ms < 1 else f"{ms:.3f} ms"


def print_table(records, flop_notes):
    header = ["workload", "system", "median", "GFLOP/s", "% peak", "peer/nnc", "note"]
    body = []
    one_thread = {rec["workload"]: rec["ms_median"] for rec in records
                  if rec["system"] == NNC and rec["threads"] == 1}
    for rec in records:
        if rec["threads"] != 1 and rec["system"] != NNC:
            continue  # the peers' thread rows are in the JSON records
        note = rec["note"] if rec["system"] == NNC else rec["variant"]
        if rec["threads"] != 1:
            base = one_thread.get(rec["workload"])
            speedup = base / rec["ms_median"] if base and rec["ms_median"] else None
            note = f"{rec['threads']} threads: {fmt(speedup, '.2f', 'x')} of 1 thread"
        if rec["system"] == NNC and rec["workload"] in flop_notes:
            note += "; " + flop_notes[rec["workload"]]
        pct = None if rec["peak_fraction"] is None else 100 * rec["peak_fraction"]
        body.append([rec["workload"], rec["system"], fmt_ms(rec["ms_median"]),
                     fmt(rec["gflops"], ".1f"), fmt(pct, ".1f", "%"),
                     fmt(rec["ratio_vs_nnc"], ".2f"), note[:80]])
    widths = [max(len(c) for c in col) for col in zip(header, *body)]
    line = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for b in body:
        print(line(b))


def flop_mismatches(rows):
    """Workloads where nnc counts other flop than a peer (should not happen)."""
    nnc_flop = {r["workload"]: r["flop"] for r in rows if r["system"] == NNC and r["flop"] > 0}
    notes = {}
    for r in rows:
        f = nnc_flop.get(r["workload"])
        if r["system"] != NNC and f and r["flop"] > 0 and abs(r["flop"] / f - 1) > 0.005:
            notes[r["workload"]] = f"flop: nnc {f:.4g}, {r['system']} {r['flop']:.4g}"
    return notes


def order(rows):
    """W0 first, then workloads as first seen (nnc's file comes first); within a
    workload nnc, then the others by thread count and median."""
    first = {}
    for r in rows:
        first.setdefault(r["workload"], len(first))
    key = lambda r: (r["workload"] != PEAK_WORKLOAD, first[r["workload"]], r["system"] != NNC,
                     r["threads"], r["med"] if not math.isnan(r["med"]) else math.inf)
    return sorted(rows, key=key)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nnc_results")
    ap.add_argument("--peers", help="the peers' results.txt of the same run")
    ap.add_argument("--json", help="write the records here")
    a = ap.parse_args()
    rows = load(a.nnc_results) + (load(a.peers) if a.peers else [])
    rows = order(best_rows(rows))
    measured, ref = peaks(rows)
    nnc_med = {(r["workload"], r["threads"]): r["med"] for r in rows if r["system"] == NNC}
    records = [record(r, ref, nnc_med) for r in rows]

    print("W0 FMA peak (best of the run): " + (", ".join(
        f"{t} thread{'s' if t > 1 else ''} {g:.1f} GFLOP/s" for t, g in sorted(measured.items()))
        or "not measured"))
    print("peer/nnc = peer time / nnc time (> 1: nnc is faster); 1 thread each unless the "
          "note says; best variant per peer in the note column")
    print()
    shown = records
    if not any(rec["workload"] == PEAK_WORKLOAD for rec in records):
        shown = [dict(workload=PEAK_WORKLOAD, system="fma-microbench", threads=1, ms_median=None,
                      gflops=None, peak_fraction=None, ratio_vs_nnc=None,
                      variant="not measured", note="")] + records
    print_table(shown, flop_mismatches(rows))
    if a.json:
        with open(a.json, "w") as f:
            f.write("[\n" + ",\n".join(json.dumps(rec) for rec in records) + "\n]\n")


if __name__ == "__main__":
    main()
