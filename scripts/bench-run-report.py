#!/usr/bin/env python3
"""One line per `ledger run` for scripts/bench (run, heap): samples/s, CPU, the driver's heap and the phases.

Arguments: TIMES("wall user sys") GPUS DAYS GC_LOG EVENT_DIR LOAD_BEFORE LOAD_AFTER XMX.
Heap, from the driver's GC log (-Xlog:gc): the largest occupancy before a collection (what the heap had to hold,
young garbage included; it follows the heap the collector chose to grow to), the largest after one, and the largest
after a full collection (the live set: in local mode that includes Spark's cached blocks, the local checkpoints). Phases, from Spark's event log: application start to the first job (JVM and Spark start, reading the
inputs' footers, planning), the telemetry pass (the job that reads the most input records) and everything after
it, with how much of that was inside jobs and how much the driver alone between them.
"""
import glob
import json
import os
import re
import sys

times, gpus, days, gclog, events, load0, load1, xmx = sys.argv[1:9]
wall, user, sys_s = (float(x) for x in times.split())
n = int(float(days) * 86400 / 10) * int(gpus)
gc = re.findall(r"Pause (\w+) \([^)]*\) (\d+)M->(\d+)M", open(gclog).read()) if os.path.exists(gclog) else []
pauses = [(int(a), int(b)) for _, a, b in gc]
# after a young collection the old generation still holds whatever died there since the last full one; only a
# full collection's "after" is the live set alone
full = [int(b) for kind, _, b in gc if kind == "Full"]
heap = (f"driver heap {max(a for a, _ in pauses):,} MB before a GC, {max(b for _, b in pauses):,} MB after one, "
        + (f"{max(full):,} MB live after a full GC" if full else "no full GC")
        + f" ({len(pauses)} GCs, -Xmx {xmx})") if pauses else "no GC log"

phases = ""
logs = sorted(glob.glob(os.path.join(events, "*")), key=os.path.getmtime)
if logs:
    jobs, stage_job, records = {}, {}, {}
    app0 = app1 = None
    task_cpu = 0
    for line in open(logs[-1]):
        e = json.loads(line)
        ev = e["Event"]
        if ev == "SparkListenerApplicationStart":
            app0 = e["Timestamp"]
        elif ev == "SparkListenerApplicationEnd":
            app1 = e["Timestamp"]
        elif ev == "SparkListenerJobStart":
            jobs[e["Job ID"]] = [e["Submission Time"], e["Submission Time"]]
            for s in e["Stage IDs"]:
                stage_job[s] = e["Job ID"]
        elif ev == "SparkListenerJobEnd":
            jobs[e["Job ID"]][1] = e["Completion Time"]
        elif ev == "SparkListenerTaskEnd":
            tm = e.get("Task Metrics") or {}
            j = stage_job.get(e["Stage ID"])
            records[j] = records.get(j, 0) + (tm.get("Input Metrics") or {}).get("Records Read", 0)
            task_cpu += tm.get("Executor CPU Time", 0) / 1e9
    if jobs and app0:
        first = min(s for s, _ in jobs.values())
        last = max(c for _, c in jobs.values())
        pj = max(records, key=records.get)
        ps, pe = jobs[pj]
        # after the pass: time covered by at least one job, the rest is the driver alone (planning, collects)
        inside, cur = 0, None
        for s, c in sorted(v for v in jobs.values() if v[0] >= pe):
            if cur is None or s > cur[1]:
                inside += (cur[1] - cur[0]) if cur else 0
                cur = [s, c]
            else:
                cur[1] = max(cur[1], c)
        inside += (cur[1] - cur[0]) if cur else 0
        phases = (f"; phases: start {(first - app0) / 1e3:.1f} s, before the pass {(ps - first) / 1e3:.1f} s, "
                  f"pass {(pe - ps) / 1e3:.1f} s, after {(last - pe) / 1e3:.1f} s ({inside / 1e3:.1f} s in jobs), "
                  f"end {((app1 or last) - last) / 1e3:.1f} s; {len(jobs)} jobs, {task_cpu:.1f} s task CPU")
print(f"bench run: {n:,} samples in {wall:.1f} s = {n / wall / 1e6:.2f} M samples/s end to end (JVM start included),"
      f" {user + sys_s:.1f} CPU s; {heap}{phases}; load {load0} -> {load1}")
