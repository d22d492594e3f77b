#!/usr/bin/python3
"""Checks the JSON of bench/run.sh --json (for test/bench/smoke.test).

Prints one line per record, "<system> <threads> <workload>", after checking
that the file is a JSON list of records with every required key, each of the
right type, and that nnc's records are measured (ms_median > 0) with
ratio_vs_nnc 1.0; exits 1 with a message otherwise.
"""
import json
import sys

REQUIRED = {"workload": str, "system": str, "threads": int, "ms_median": float,
            "gflops": float, "peak_fraction": float, "ratio_vs_nnc": float}


def main():
    with open(sys.argv[1]) as f:
        records = json.load(f)
    if not isinstance(records, list) or not records:
        sys.exit("expected a non-empty list of records")
    for rec in records:
        for key, kind in REQUIRED.items():
            if key not in rec:
                sys.exit(f"record {rec} has no '{key}'")
            value = rec[key]
            if not (value is None and kind is float or isinstance(value, kind)):
                sys.exit(f"record {rec}: '{key}' is not a {kind.__name__} (or null)")
        if rec["system"] == "nnc" and not (rec["ms_median"] and rec["ms_median"] > 0
                                           and rec["ratio_vs_nnc"] == 1.0):
            sys.exit(f"nnc record {rec}: not measured or ratio_vs_nnc != 1.0")
        print(f"{rec['system']} {rec['threads']} {rec['workload']}")
    print(f"{len(records)} records")


if __name__ == "__main__":
    main()
