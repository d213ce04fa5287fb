#!/usr/bin/env python3
"""Writes damaged-sample-logs/: damaged files to drop into a copy of sample-logs/ (see its CORPUS.md).

Every file is built from the bundled sample-logs (and, for AWS CUR, the real legacy sample) with damage
that leaves the valid records of sample-logs unchanged: each file holds only records that must be
quarantined or ignored, so `ledger run` on sample-logs plus this folder must give the clean line items.
Deterministic: run from the repository root, `python3 jobs/src/test/resources/corpus/make-damaged-sample-logs.py`.
"""
import gzip
import io
import os
import random
import shutil

ROOT = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(ROOT, "damaged-sample-logs")
SAMPLE = os.path.join(ROOT, "..", "..", "..", "..", "..", "sample-logs")
REAL_CUR = os.path.join(ROOT, "..", "..", "..", "..", "..", "..", "shared", "real-samples", "billing",
                        "aws-cur-legacy-sample.csv")
PODS = os.path.join(ROOT, "..", "fixtures", "k8s", "pods.json")
LONG = 70 * 1024  # over the 64 Ki-character line limit, small enough to keep in the repository


def write(rel, data):
    path = os.path.join(OUT, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def lines(rel):
    with open(os.path.join(SAMPLE, rel), "rb") as f:
        raw = f.read()
    if rel.endswith(".gz"):
        raw = gzip.decompress(raw)
    return raw.decode("utf-8").split("\n")


def gz(data, mtime=0):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=mtime) as g:
        g.write(data)
    return buf.getvalue()


def field(line, sep, i, value):
    f = line.split(sep)
    f[i] = value
    return sep.join(f)


def main():
    for entry in os.listdir(OUT) if os.path.isdir(OUT) else []:
        if entry != "CORPUS.md":  # the hand-written description stays
            shutil.rmtree(os.path.join(OUT, entry))
    rnd = random.Random(2026)

    # scheduler/: sacct with only rejected records, a zero-byte export, a pod list of rejected pods
    sacct = lines("scheduler/sacct-2026-03.txt")
    header, job = sacct[0], sacct[1]
    names = header.split("|")
    col = names.index
    body = [
        header,
        field(job, "|", col("Start"), "1970-01-01T00:00:00"),
        field(job, "|", col("End"), "2099-03-02T07:58:40"),
        field(job, "|", col("AllocTRES"), "billing=384,cpu=384,gres/gpu=650,mem=4000G,node=4"),
        field(job, "|", col("JobName"), "j" * LONG),
        job[: len(job) // 2],
        job + "|extra",
    ]
    data = "\n".join(body).encode() + b"\n"
    data += field(job, "|", col("JobName"), "caf\udce9").encode("utf-8", "surrogateescape") + b"\n"
    data += b"\x00\x00\x1b[0m\x7fsacct: error: slurmdbd\x00\n"
    write("scheduler/sacct-2026-03-damaged.txt", data)
    write("scheduler/empty-export.txt", b"")
    with open(PODS, encoding="utf-8") as f:
        pods = f.read()
    pods = pods.replace('"creationTimestamp": "2026-03-02T09:59:58Z"', '"creationTimestamp": "1970-01-01T00:00:00Z"')
    pods = pods.replace('"nvidia.com/gpu": "1"', '"nvidia.com/gpu": "800"')
    third = pods.rindex('"labels": {')
    pods = pods[:third] + '"labels": {\n                    "note": "' + "n" * 8192 + '",' + pods[third + len('"labels": {'):]
    write("scheduler/pods-damaged.json", pods.encode())

    # telemetry/dcgm: bad lines among ignorable ones, a cut gzip of stale markers, garbage under gzip magic
    prom = lines("telemetry/dcgm/gpu003/2026-03-02.prom.gz")
    first = prom[0]
    value_at = first.rindex("} ") + 2
    series, rest = first[:value_at], first[value_at:]
    value, ts = rest.split(" ")
    util = series
    power = series.replace('__name__="DCGM_FI_DEV_GPU_UTIL"', '__name__="DCGM_FI_DEV_POWER_USAGE"')
    assert util != power, "expected a GPU_UTIL line first"
    body = [
        util + "NaN " + ts,                          # staleness marker: ignored
        util + "9223372036854775794 " + ts,          # DCGM blank sentinel: ignored
        power + "+Inf " + ts,
        util + value + " 946684799000",              # 1999-12-31T23:59:59Z
        util + value + " 4102444800000",             # 2100-01-01
        util + "150 " + ts,
        power + "68244 " + ts,
        util.replace('job="dcgm"', 'job="' + "d" * LONG + '"') + value + " " + ts,
        util[:60],
        util + value + " " + ts + " 7",
    ]
    data = "\n".join(body).encode() + b"\n"
    data += (util.replace('job="dcgm"', 'job="caf\udce9"') + value + " " + ts).encode("utf-8", "surrogateescape") + b"\n"
    data += b"\x00\x01\x02\x03GPU\x1b[0m\x7f\n"
    write("telemetry/dcgm/gpu003/2026-03-02-damaged.prom", data)

    stale = []
    for line in prom[:3000]:
        if line:
            at = line.rindex("} ") + 2
            v, t = line[at:].split(" ")
            stale.append(line[:at] + "NaN " + t)
    whole = gz(("\n".join(stale) + "\n").encode())
    write("telemetry/dcgm/gpu003/2026-03-02-stale-cut.prom.gz", whole[: len(whole) * 3 // 5])

    garbage = bytearray(rnd.getrandbits(8) for _ in range(4096))
    garbage[0:4] = b"\x1f\x8b\x08\x00"
    write("telemetry/dcgm/gpu002/garbage.prom.gz", bytes(garbage))
    write("telemetry/dcgm/gpu004/empty.prom", b"")

    # telemetry/nvidia-smi: one reason per row
    smi = lines("telemetry/nvidia-smi/l40s01/2026-03.csv")
    h, row = smi[0], smi[1]
    cells = [c.strip() for c in h.split(",")]
    def smi_row(name, v):
        return ", ".join(v if cells[i] == name else c for i, c in enumerate(row.split(", ")))
    body = [
        h,
        "1850/03/02" + row[10:],
        "2099/03/02" + row[10:],
        smi_row("power.draw [W]", "6000.00 W"),
        smi_row("power.draw [W]", "-5.00 W"),
        smi_row("utilization.gpu [%]", "140 %"),
        smi_row("clocks.current.sm [MHz]", "99999 MHz"),
        row[: len(row) // 2],
        row + ", 1",
    ]
    data = "\n".join(body).encode() + b"\n" + b"\x00\x00\x00\x1b[0m\x7f\n"
    data += smi_row("name", "NVIDIA L40S \udce9").encode("utf-8", "surrogateescape") + b"\n"
    write("telemetry/nvidia-smi/l40s01/2026-03-damaged.csv", data)

    # telemetry/flop-counter
    flop = lines("telemetry/flop-counter/atlas-pretrain.csv")
    h, row = flop[0], flop[1]
    fc = h.split(",").index
    body = [
        h,
        field(row, ",", fc("flop"), "NaN"),
        field(row, ",", fc("flop"), "-2.7979e+16"),
        field(row, ",", fc("flop"), "2.7979e+22"),
        field(row, ",", fc("interval_start"), "1999-12-31T23:59:00Z"),
        row + ",extra",
        row[: len(row) // 2],
    ]
    data = "\n".join(body).encode() + b"\n"
    data += field(row, ",", fc("source"), "cupti\udce9").encode("utf-8", "surrogateescape") + b"\n"
    write("telemetry/flop-counter/atlas-pretrain-damaged.csv", data)

    # billing/: FOCUS and AWS CUR with only rejected lines
    focus = lines("billing/focus-2026-03.csv")
    h, row = focus[0], focus[1]
    import csv
    hdr = next(csv.reader([h]))
    def focus_row(name, v):
        f = next(csv.reader([row]))
        f[hdr.index(name)] = v
        out = io.StringIO()
        csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="").writerow(f)
        return out.getvalue()
    body = [
        h,
        focus_row("ChargePeriodStart", "1900-01-01 00:00:00"),
        focus_row("BilledCost", "NaN"),
        row[: row.rindex(',"{')],
    ]
    data = "\n".join(body).encode() + b"\n" + b"\x00\x00\x1b[0m\x7f\n"
    data += focus_row("ChargeDescription", "caf\udce9").encode("utf-8", "surrogateescape") + b"\n"
    write("billing/focus-2026-03-damaged.csv", data)

    with open(REAL_CUR, encoding="utf-8") as f:
        cur = f.read().split("\n")
    h, row = cur[0], cur[1]
    ch = next(csv.reader([h]))
    def cur_row(name, v):
        f = next(csv.reader([row]))
        f[ch.index(name)] = v
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(f)
        return out.getvalue()
    body = [
        h,
        cur_row("lineItem/UsageStartDate", "0023-11-01T00:00:00.000Z"),
        cur_row("lineItem/UnblendedCost", "abc"),
        row + ",extra",
    ]
    write("billing/aws-cur-damaged.csv", ("\n".join(body) + "\n").encode())


if __name__ == "__main__":
    main()
