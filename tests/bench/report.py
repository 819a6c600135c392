#!/usr/bin/env python3
"""Turns the key=value lines run.sh collected into a table and JSON.

usage: report.py RAW OUTDIR

Writes OUTDIR/<benchmark>.json (one object per benchmark) and
OUTDIR/results.json (all of them with the run's conditions). Exits 1 when
a value is missing (something is broken); never on slowness.
"""
import json
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
        "on its stdout, pvhv already running; median",
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
        "directory: pvctl starts pvhv first; median",
        int(need(kv, "cold_ns")),
        int(need(kv, "open_to_first_insn_ns")),
        "rawkvm boot including open(/dev/kvm); median",
        None,
        int(need(kv, "cold_reps")),
        runs=ints(need(kv, "cold_runs_ns")),
        to_pvctl_exit_ns=int(need(kv, "cold_exit_ns")),
        floor_repetitions=int(need(kv, "first_insn_reps")),
    )


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
    conditions = {k[len("cond_"):]: v for k, v in kv.items()
                  if k.startswith("cond_")}
    if conditions.get("nproc", "").isdigit():
        conditions["nproc"] = int(conditions["nproc"])
    results = [null_hypercall(kv), create_to_first_byte(kv),
               create_to_first_byte_cold(kv)]
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
    table(results)
    null = results[0]["floor_variants"]
    if null:
        print("\nrawkvm null variants (ns per call): " + ", ".join(
            f"{k} {v['ns']}" for k, v in null.items()))
    print(f"\nJSON: {outdir}/results.json and {outdir}/<benchmark>.json "
          f"({conditions.get('kvm_module', '?')}, "
          f"{conditions.get('host_kernel', '?')}, "
          f"{conditions.get('git_describe', '?')})")


if __name__ == "__main__":
    main()
