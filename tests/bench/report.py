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


def bench(name, description, value, floor, floor_what, target, reps,
          unit="ns", **extra):
    """A target is {"key", "max"} (lower is better) or {"key", "min"}."""
    ratio = round(value / floor, 3) if floor else None
    if target is None:
        verdict = "info"
    else:
        measured = ratio if target["key"].endswith("_ratio") else value
        if "min" in target:
            verdict = "ok" if measured >= target["min"] else "below target"
        else:
            verdict = "ok" if measured <= target["max"] else "above target"
    obj = {
        "benchmark": name,
        "description": description,
        "unit": unit,
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


def per_rtt(text):
    """"kicks:1.0,sigwaits:1.0" -> {"kicks": 1.0, "sigwaits": 1.0}"""
    return {k: float(v) for k, v in
            (x.split(":") for x in (text or "").split(",") if ":" in x)}


def pingpong(kv, key, name, description, floor_what):
    runs = ints(need(kv, f"{key}_pvhv_runs_ns"))
    floor_runs = ints(need(kv, f"{key}_floor_runs_ns"))
    variants = {}
    for vname, config in (
            ("race", "without -w: a send does not wait for the poll, so a "
             "poll that finds its port already pending does not park; "
             "being faster than pvhv, this floor parks less often"),
            ("sync_sregs", "-w and KVM_SYNC_X86_SREGS on every exit, as "
             "pvhv")):
        ns = kv.get(f"{key}_variant_{vname}_ns")
        if ns:
            variants[vname] = {"ns": int(ns), "config": config,
                               "per_round_trip": per_rtt(
                                   kv.get(f"{key}_variant_{vname}_per_rtt"))}
    return bench(
        name, description,
        int(statistics.median(runs)),
        int(statistics.median(floor_runs)),
        floor_what,
        {"key": f"{name}_ratio", "max": 1.5},
        len(runs),
        round_trips=int(need(kv, f"{key}_rounds")),
        runs=runs,
        floor_runs=floor_runs,
        floor_repetitions=len(floor_runs),
        floor_passes_per_run=int(need(kv, f"{key}_floor_passes")),
        floor_config=kv.get(f"{key}_floor_config", ""),
        floor_per_round_trip=per_rtt(kv.get(f"{key}_floor_per_rtt")),
        pvhv_per_round_trip=(
            {"kicks": round(int(kv[f"{key}_pvhv_kicks"]) /
                            int(need(kv, f"{key}_rounds")), 2),
             "measured": "tgkill calls of pvhv during one extra, untimed "
                         "run (perf stat), over its round trips"}
            if kv.get(f"{key}_pvhv_kicks", "").isdigit() else None),
        floor_variants=variants,
    )


def evtchn_pingpong_domu(kv):
    return pingpong(
        kv, "evdomu", "evtchn_pingpong_domu",
        "pvmini bench-evtchn, two domains: the client sends (EVTCHNOP_send) "
        "and polls (SCHEDOP_poll) a masked interdomain port, the server "
        "polls, clears and answers; ns per round trip (4 hypercalls, the "
        "pollers parked and woken by pvhv), timed in the client with the "
        "PV clock; median of the runs",
        "rawkvm -w pingpong: two VMs running the same guest loops byte "
        "for byte; a poll parks in sigwaitinfo, a send waits until the "
        "peer polls, sets its pending bit and kicks it (pthread_kill "
        "SIGUSR1): pvhv's mechanism with a wake-up for every poll; median "
        "of runs interleaved with pvhv's")


def evtchn_pingpong_dom0(kv):
    return pingpong(
        kv, "evdom0", "evtchn_pingpong_dom0",
        "pvtest evtchn-pingpong (a libpvctrl dom0 process: write the "
        "doorbell eventfd, poll and read the port's eventfd) against pvmini "
        "bench-evtchn-dom0 (poll, clear, send); ns per round trip, timed in "
        "the dom0 process; median of the runs",
        "rawkvm -w dom0: one VM with the same guest loop, a doorbell "
        "thread (epoll, read, wait until the vCPU polls, set its pending "
        "bit, pthread_kill it out of sigwaitinfo), a forked dom0 process "
        "with the same eventfd calls; the guest's send writes the "
        "eventfd; median of runs interleaved with pvhv's")


def grant_copy(kv):
    pages = int(need(kv, "gc_pages"))
    nbytes = pages * 4096
    batch = int(need(kv, "gc_batch"))
    floor_runs = ints(need(kv, "gc_floor_pass_runs_ns"))
    floor_ns = statistics.median(floor_runs)
    null_floor = kv.get("null_floor_runs_ns")
    exit_ns = statistics.median(ints(null_floor)) if null_floor else None

    def mbps(ns):
        return round(nbytes * 1e3 / ns, 1)

    curve = []
    for b in (int(x) for x in need(kv, "gc_batches").split(",")):
        runs = ints(need(kv, f"gc_batch_{b}_pass_runs_ns"))
        ns = statistics.median(runs)
        point = {"batch": b, "value": mbps(ns),
                 "ratio": round(floor_ns / ns, 3),
                 "ns_per_page": round(ns / pages, 1),
                 "hypercalls_per_pass": pages // b,
                 "runs": [mbps(r) for r in runs]}
        if exit_ns:
            with_exits = floor_ns + pages / b * exit_ns
            point["memcpy_plus_exits"] = mbps(with_exits)
            point["ratio_to_memcpy_plus_exits"] = round(with_exits / ns, 3)
        curve.append(point)
    head = next(p for p in curve if p["batch"] == batch)
    return bench(
        "grant_copy",
        f"pvmini bench-gntcopy: {pages} self-granted 4 KiB pages copied "
        f"(source by grant ref, destination by frame) with GNTTABOP_copy, "
        f"{batch} ops per hypercall (Linux netback's to-guest batch), "
        "timed in the guest with the PV clock; MB/s (10^6 bytes/s), median "
        "of the runs; by_batch has the curve",
        head["value"],
        mbps(floor_ns),
        "pagecopy: memcpy of the same pages, 4 KiB at a time, between the "
        "same page frames of a memfd of the guest's size mapped shared; "
        "MB/s, median",
        {"key": "grant_copy_ratio", "min": 0.8},
        len(head["runs"]),
        unit="MB/s",
        batch=batch,
        pages=pages,
        bench_ms_per_batch=int(need(kv, "gc_bench_ms")),
        runs=head["runs"],
        by_batch=curve,
        floor_runs=[mbps(r) for r in floor_runs],
        floor_repetitions=len(floor_runs),
        floor_config=(f"{kv.get('gc_guest_mib')} MiB memfd, pages "
                      f"{kv.get('gc_src_pfn')}.. -> {kv.get('gc_dst_pfn')}.., "
                      f"{kv.get('gc_floor_passes')} passes per sample, "
                      f"median of {kv.get('gc_floor_reps')}"),
        null_hypercall_floor_ns=int(exit_ns) if exit_ns else None,
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


def show(v, unit):
    return f"{v:.0f} MB/s" if unit == "MB/s" else human(v)


def target_text(t):
    if t is None:
        return "-"
    op, lim = (">=", t["min"]) if "min" in t else ("<=", t["max"])
    if t["key"].endswith("_ratio"):
        return f"ratio {op} {lim}"
    return f"{op} {show(lim, t.get('unit', 'ns'))}"


def table(results):
    rows = [("benchmark", "value", "floor", "ratio", "target", "verdict")]
    for r in results:
        rows.append((r["benchmark"], show(r["value"], r["unit"]),
                     show(r["floor"], r["unit"]),
                     f"{r[r['benchmark'] + '_ratio']:.3f}",
                     target_text(r["target"]), r["verdict"]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())


def kvm_tables(results):
    table(results)
    null = results[0]["floor_variants"]
    if null:
        print("\nrawkvm null variants (ns per call): " + ", ".join(
            f"{k} {v['ns']}" for k, v in null.items()))
    for r in results[3:5]:
        per = r["floor_per_round_trip"]
        pv = r["pvhv_per_round_trip"]
        var = r["floor_variants"]
        print(f"{r['benchmark']}: kicks per round trip: floor "
              f"{per.get('kicks')}" +
              (f", pvhv {pv['kicks']}" if pv else "") + "; floor variants: " +
              ", ".join(f"{k} {human(v['ns'])}" for k, v in var.items()))
    gc = results[5]
    print("grant_copy by batch (MB/s; ratio to memcpy; to memcpy + one "
          "null-hypercall floor per call):")
    for p in gc["by_batch"]:
        extra = (f"; {p['memcpy_plus_exits']:.0f} MB/s ->"
                 f" {p['ratio_to_memcpy_plus_exits']:.3f}"
                 if "memcpy_plus_exits" in p else "")
        print(f"  batch {p['batch']:4d}: {p['value']:8.0f} MB/s"
              f"  {p['ratio']:.3f}{extra}")


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
                    create_to_first_byte_cold(kv), evtchn_pingpong_domu(kv),
                    evtchn_pingpong_dom0(kv), grant_copy(kv)]
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
    kvm = results
    results = kvm + xs_results
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
    if kvm:
        kvm_tables(kvm)
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
