#!/usr/bin/env python3
"""Turns the key=value lines run.sh collected into a table and JSON.

usage: report.py RAW OUTDIR

Writes OUTDIR/<benchmark>.json (one object per benchmark) and
OUTDIR/results.json (all of them with the run's conditions). Exits 1 when
a value is missing (something is broken); never on slowness. The KVM
benchmarks are reported when RAW has their lines (null_n), the xenstore
ones when it has xenstore.sh's (xs_*_status).
"""
import json
import os
import statistics
import sys


def load(path):
    kv = {}
    with open(path) as f:
        for line in f:
            key, sep, val = line.rstrip("\n").partition("=")
            if sep:
                kv[key] = val
    return kv


def ints(s):
    return [int(x) for x in s.split(",") if x]


def need(kv, key):
    if not kv.get(key):
        sys.exit(f"report: {key} missing from the benchmark output")
    return kv[key]


def verdict_of(obj, targets):
    """"ok", "above target" / "below target", or "info" (no target or
    nothing to compare)."""
    if not targets:
        return "info"
    if isinstance(targets, dict):
        targets = [targets]
    verdict = "ok"
    for t in targets:
        measured = obj.get(t["key"])
        if measured is None:
            return "info"
        if "max" in t and measured > t["max"]:
            verdict = "above target"
        if "min" in t and measured < t["min"]:
            verdict = "below target"
    return verdict


def bench(name, description, value, floor, floor_what, target, reps, **extra):
    ratio = round(value / floor, 3) if floor else None
    if target is None:
        verdict = "info"
    else:
        measured = ratio if target["key"].endswith("_ratio") else value
        verdict = "ok" if measured <= target["max"] else "above target"
    obj = {
        "benchmark": name,
        "description": description,
        "unit": "ns",
        "value": value,
        "floor": floor,
        "floor_measures": floor_what,
        f"{name}_ratio": ratio,
        "target": target,
        "verdict": verdict,
        "repetitions": reps,
    }
    obj.update(extra)
    return obj


def null_hypercall(kv):
    runs = ints(need(kv, "null_pvhv_runs_ns"))
    floor_runs = ints(need(kv, "null_floor_runs_ns"))
    variants = {}
    for key, val in kv.items():
        if key.startswith("null_variant_") and key.endswith("_ns") and val:
            name = key[len("null_variant_"):-len("_ns")]
            variants[name] = {
                "ns": int(val),
                "config": kv.get(f"null_variant_{name}_config", ""),
            }
    return bench(
        "null_hypercall",
        "pvmini bench-null: XENVER_version through the hypercall page "
        "(call stub; out to port 0xe4; ret), ns per call, timed in the "
        "guest with the PV clock; median of the runs",
        int(statistics.median(runs)),
        int(statistics.median(floor_runs)),
        "rawkvm null: the same guest bytes in a bare KVM VM, empty exit "
        "handler (rax written through sync regs), median of runs "
        "interleaved with pvhv's",
        {"key": "null_hypercall_ratio", "max": 1.2},
        len(runs),
        iterations=int(need(kv, "null_n")),
        runs=runs,
        floor_runs=floor_runs,
        floor_repetitions=len(floor_runs),
        floor_passes_per_run=int(need(kv, "null_floor_passes")),
        floor_config=kv.get("null_floor_config", ""),
        floor_variants=variants,
    )


def create_to_first_byte(kv):
    return bench(
        "create_to_first_byte",
        "pvctl create -c (pvmini, test=idle) spawned -> first console byte "
        "on its stdout, pvhv and pvstored already running (so it includes "
        "the wait for xenstore's introduction of the domain); median",
        int(need(kv, "boot_ns")),
        int(need(kv, "create_to_first_insn_ns")),
        "rawkvm boot: KVM_CREATE_VM -> first guest instruction (an out) "
        "in 32-bit protected mode, 32 MiB memfd, /dev/kvm already open; "
        "median",
        {"key": "value", "max": 10_000_000, "unit": "ns"},
        int(need(kv, "boot_reps")),
        runs=ints(need(kv, "boot_runs_ns")),
        to_pvctl_exit_ns=int(need(kv, "boot_exit_ns")),
        floor_repetitions=int(need(kv, "first_insn_reps")),
        floor_runs=ints(need(kv, "create_to_first_insn_runs_ns")),
        floor_variants={"no_irqchip": {
            "ns": int(need(kv, "boot_variant_no_irqchip_ns")),
            "config": "no-irqchip"}},
    )


def create_to_first_byte_cold(kv):
    return bench(
        "create_to_first_byte_cold",
        "as create_to_first_byte, but each run in a fresh runtime "
        "directory: pvctl starts pvhv and pvstored first; median",
        int(need(kv, "cold_ns")),
        int(need(kv, "open_to_first_insn_ns")),
        "rawkvm boot including open(/dev/kvm); median",
        None,
        int(need(kv, "cold_reps")),
        runs=ints(need(kv, "cold_runs_ns")),
        to_pvctl_exit_ns=int(need(kv, "cold_exit_ns")),
        floor_repetitions=int(need(kv, "first_insn_reps")),
    )


XS_OPS = ("read", "write", "directory", "transaction")
XS_DAEMONS = {"pvstored": "pvstored",
              "ref": "Debian's C xenstored 4.17 (unmodified, through "
                     "ref-xenstored.sh's LD_PRELOAD shim)"}
XS_SPEEDUP_MIN = 2.0  # C xenstored's p50 latency over pvstored's
XS_IDLE_MAX = 1.25    # p50 latency with many idle connections over 1


def xs_side(kv, daemon, idle, op):
    """Medians over the rounds of one daemon, idle count and operation,
    or None when that daemon did not run."""
    runs = {"ops_per_s": [], "p50_ns": [], "p99_ns": []}
    r = 1
    while f"xs_{daemon}_i{idle}_r{r}_{op}_ops_per_s" in kv:
        for k in runs:
            runs[k].append(int(need(kv, f"xs_{daemon}_i{idle}_r{r}_{op}_{k}")))
        r += 1
    if not runs["ops_per_s"]:
        if kv.get(f"xs_{daemon}_status") == "ok":
            sys.exit(f"report: xenstore {daemon} idle={idle} {op}: no runs")
        return None
    side = {k: int(statistics.median(v)) for k, v in runs.items()}
    side["runs_ops_per_s"] = runs["ops_per_s"]
    side["runs_p50_ns"] = runs["p50_ns"]
    return side


def ratio_of(a, b):
    return round(a / b, 3) if a is not None and b else None


def round_ratio(num, den):
    """Median over the rounds of num's p50 over den's p50: the two were
    measured back to back in each round, so a change of host load between
    rounds hits both."""
    if num is None or den is None:
        return None
    pairs = list(zip(num["runs_p50_ns"], den["runs_p50_ns"]))
    return round(statistics.median(a / b for a, b in pairs if b), 3)


def xenstore(kv, op):
    name = f"xenstore_{op}"
    idle = int(need(kv, "xs_idle"))
    sides = {d: {1: xs_side(kv, d, 1, op), idle: xs_side(kv, d, idle, op)}
             for d in XS_DAEMONS}
    pvs, ref = sides["pvstored"], sides["ref"]

    def get(side, key):
        return side[key] if side else None

    floor = xs_side(kv, "floor", 1, op)
    obj = {
        "benchmark": name,
        "description": f"{op} over the xenstore unix socket through "
                       "libpvstore (tests/bench/xsbench.c), one client, "
                       "one operation at a time; value: pvstored's median "
                       "latency with 1 idle connection",
        "unit": "ns",
        "value": get(pvs[1], "p50_ns"),
        "ops_per_s": get(pvs[1], "ops_per_s"),
        "reference": get(ref[1], "p50_ns"),
        "reference_ops_per_s": get(ref[1], "ops_per_s"),
        "reference_measures": "the same client and operations against "
                              + XS_DAEMONS["ref"] + ", interleaved",
        "floor": get(floor, "p50_ns"),
        "floor_measures": "xsbench -F: the same client against a daemon "
                          "that answers every request with a canned reply "
                          "(libpvstore and the unix-socket round trip "
                          "between two processes); median",
        # What a daemon that costs nothing would reach, and how much less
        # time than C xenstored's pvstored spends above the floor.
        "best_possible_ratio": round_ratio(ref[1], floor),
        "above_floor_ratio": ratio_of(
            None if ref[1] is None or floor is None
            else ref[1]["p50_ns"] - floor["p50_ns"],
            None if pvs[1] is None or floor is None
            else max(pvs[1]["p50_ns"] - floor["p50_ns"], 1)),
        # Speed-up per operation, from the medians (a few stalls of
        # the reference move its ops/s from run to run, not its p50).
        f"{name}_ratio": round_ratio(ref[1], pvs[1]),
        "throughput_ratio": ratio_of(get(pvs[1], "ops_per_s"),
                                     get(ref[1], "ops_per_s")),
        f"{name}_idle_ratio": round_ratio(pvs[idle], pvs[1]),
        "reference_idle_ratio": round_ratio(ref[idle], ref[1]),
        "target": [{"key": f"{name}_ratio", "min": XS_SPEEDUP_MIN},
                   {"key": f"{name}_idle_ratio", "max": XS_IDLE_MAX}],
        "idle_connections": [1, idle],
        "pinned_cpu": kv.get("xs_cpu", "none"),
        "iterations": int(need(kv, "xs_n")),
        "repetitions": int(need(kv, "xs_reps")),
        "daemons": {d: {"status": kv.get(f"xs_{d}_status", "absent"),
                        "idle_1": sides[d][1], f"idle_{idle}": sides[d][idle]}
                    for d in XS_DAEMONS},
    }
    if kv.get("xs_ref_version"):
        obj["daemons"]["ref"]["version"] = kv["xs_ref_version"]
    if op == "transaction":
        obj["description"] += (" (start, read, write, commit: four round "
                               "trips)")
    obj["verdict"] = verdict_of(obj, obj["target"])
    return obj


def xs_table(results):
    idle = results[0]["idle_connections"][1]
    rows = [("xenstore", "pvstored", "C xenstored", "ratio",
             "pvstored p50", f"idle {idle}", "idle ratio",
             "C p50", f"C idle {idle}", "C idle ratio", "floor", "verdict")]

    def num(v, f):
        return "-" if v is None else f(v)

    for r in results:
        d = r["daemons"]
        p, c = d["pvstored"], d["ref"]
        rows.append((
            r["benchmark"][len("xenstore_"):],
            num(r["ops_per_s"], lambda v: f"{v}/s"),
            num(r["reference_ops_per_s"], lambda v: f"{v}/s"),
            num(r[r["benchmark"] + "_ratio"], lambda v: f"{v:.2f}x"),
            num(r["value"], human),
            num((p[f"idle_{idle}"] or {}).get("p50_ns"), human),
            num(r[r["benchmark"] + "_idle_ratio"], lambda v: f"{v:.2f}"),
            num(r["reference"], human),
            num((c[f"idle_{idle}"] or {}).get("p50_ns"), human),
            num(r["reference_idle_ratio"], lambda v: f"{v:.2f}"),
            num(r["floor"], human),
            r["verdict"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    print(f"targets: ratio (C xenstored's p50 over pvstored's) >= "
          f"{XS_SPEEDUP_MIN}; idle ratio (p50 with {idle} idle connections "
          f"over 1) <= {XS_IDLE_MAX}")
    print("floor: the same client against a do-nothing daemon; "
          "best possible ratio (C p50 / floor): " + ", ".join(
              f"{r['benchmark'][len('xenstore_'):]} "
              + num(r["best_possible_ratio"], lambda v: f"{v:.2f}")
              for r in results))
    for d in XS_DAEMONS:
        status = results[0]["daemons"][d]["status"]
        if status != "ok":
            print(f"{d}: {status}")


def human(ns):
    if ns >= 1_000_000:
        return f"{ns / 1e6:.2f} ms"
    return f"{ns / 1e3:.2f} us"


def target_text(t):
    if t is None:
        return "-"
    if t["key"].endswith("_ratio"):
        return f"ratio <= {t['max']}"
    return f"<= {human(t['max'])}"


def table(results):
    rows = [("benchmark", "value", "floor", "ratio", "target", "verdict")]
    for r in results:
        rows.append((r["benchmark"], human(r["value"]), human(r["floor"]),
                     f"{r[r['benchmark'] + '_ratio']:.3f}",
                     target_text(r["target"]), r["verdict"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    kv = load(sys.argv[1])
    outdir = sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    conditions = {k[len("cond_"):]: v for k, v in kv.items()
                  if k.startswith("cond_")}
    if conditions.get("nproc", "").isdigit():
        conditions["nproc"] = int(conditions["nproc"])
    results = []
    if "null_n" in kv:
        results += [null_hypercall(kv), create_to_first_byte(kv),
                    create_to_first_byte_cold(kv)]
    xs_results = []
    if "xs_ref_status" in kv or "xs_pvstored_status" in kv:
        if "xs_n" in kv:
            xs_results = [xenstore(kv, op) for op in XS_OPS]
        else:
            print("xenstore: no daemon to measure: "
                  f"pvstored: {kv.get('xs_pvstored_status')}; "
                  f"C xenstored: {kv.get('xs_ref_status')}")
    if not results and not xs_results:
        sys.exit("report: no benchmark results in " + sys.argv[1])
    results += xs_results
    for r in results:
        r["conditions"] = conditions
        with open(f"{outdir}/{r['benchmark']}.json", "w") as f:
            json.dump(r, f, indent=2)
            f.write("\n")
    with open(f"{outdir}/results.json", "w") as f:
        json.dump({"conditions": conditions,
                   "benchmarks": {r["benchmark"]: {k: v for k, v in r.items()
                                                   if k != "conditions"}
                                  for r in results}}, f, indent=2)
        f.write("\n")
    kvm = [r for r in results if r not in xs_results]
    if kvm:
        table(kvm)
        null = kvm[0]["floor_variants"]
        if null:
            print("\nrawkvm null variants (ns per call): " + ", ".join(
                f"{k} {v['ns']}" for k, v in null.items()))
    if xs_results:
        if kvm:
            print()
        xs_table(xs_results)
    print(f"\nJSON: {outdir}/results.json and {outdir}/<benchmark>.json "
          f"({conditions.get('kvm_module', '?')}, "
          f"{conditions.get('host_kernel', '?')}, "
          f"{conditions.get('git_describe', '?')})")


if __name__ == "__main__":
    main()
