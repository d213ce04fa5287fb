package org.computeledger.devtools;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.computeledger.devtools.GpuTimeline.Metric;
import org.computeledger.devtools.SampleCluster.Gpu;
import org.computeledger.devtools.SampleCluster.Job;
import org.computeledger.devtools.SampleCluster.Node;
import org.computeledger.devtools.SampleCluster.Telemetry;

/**
 * Writes the sample telemetry: DCGM series as Prometheus text (a promtool tsdb dump for the H100
 * nodes, /federate pulls for the A100 nodes), the L40S node's nvidia-smi log, and a FLOP-counter
 * CSV for one GPU of the pre-training job.
 */
final class SampleTelemetry {
  static final String EXPORTER_PORT = "9400";
  static final String SCRAPE_JOB = "dcgm";
  /** H100 SXM dense BF16 tensor peak, FLOP/s, at the 1980 MHz boost clock. */
  static final double H100_BF16_DENSE = 989.4e12;

  /** Scrapes lost while gpu003's exporter was down on the first morning. */
  static final String GAP_NODE = "gpu003";
  static final long GAP_FROM = SampleCluster.epoch("2026-03-02T10:20:00");
  static final long GAP_TO = SampleCluster.epoch("2026-03-02T10:41:00");

  /** The FLOP counter covers one GPU of atlas pre-training for one hour. */
  static final String COUNTER_NODE = "gpu001";
  static final int COUNTER_GPU = 3;
  static final long COUNTER_FROM = SampleCluster.epoch("2026-03-02T10:00:00");
  static final long COUNTER_TO = SampleCluster.epoch("2026-03-02T11:00:00");

  private static final DateTimeFormatter DAY =
      DateTimeFormatter.ofPattern("uuuu-MM-dd").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SMI_TIME =
      DateTimeFormatter.ofPattern("uuuu/MM/dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

  private final SampleCluster cluster;
  private final long seed;
  private final Map<String, GpuTimeline[]> timelines = new TreeMap<>();

  SampleTelemetry(SampleCluster cluster, long seed) {
    this.cluster = cluster;
    this.seed = seed;
    for (Node n : cluster.nodes) {
      if (n.telemetry() != Telemetry.NONE) {
        timelines.put(n.name(), GpuTimeline.forNode(cluster, n, seed));
      }
    }
  }

  void writeAll(Path root) throws IOException {
    for (Node n : cluster.nodes) {
      GpuTimeline[] days = timelines.get(n.name());
      switch (n.telemetry()) {
        case DCGM_PROFILING, DCGM_K8S -> {
          for (GpuTimeline day : days) {
            if (!windowSteps(day).isEmpty()) {
              writeGzip(root.resolve("telemetry/dcgm/" + n.name() + "/" + DAY.format(instant(day.dayStart))
                  + ".prom.gz"), w -> writeTsdbDump(day, w));
            }
          }
        }
        case DCGM_BASIC -> {
          for (GpuTimeline day : days) {
            writeGzip(root.resolve("telemetry/dcgm/" + n.name() + "/" + DAY.format(instant(day.dayStart))
                + ".prom.gz"), w -> writeFederatePulls(day, w));
          }
        }
        case NVIDIA_SMI -> {
          Map<String, List<GpuTimeline>> byMonth = new TreeMap<>();
          for (GpuTimeline day : days) {
            byMonth.computeIfAbsent(DAY.format(instant(day.dayStart)).substring(0, 7), k -> new ArrayList<>()).add(day);
          }
          for (Map.Entry<String, List<GpuTimeline>> month : byMonth.entrySet()) {
            writePlain(root.resolve("telemetry/nvidia-smi/" + n.name() + "/" + month.getKey() + ".csv"),
                w -> writeNvidiaSmi(month.getValue().toArray(new GpuTimeline[0]), w));
          }
        }
        case NONE -> { }
      }
    }
    writePlain(root.resolve("telemetry/flop-counter/atlas-pretrain.csv"), this::writeFlopCounter);
  }

  /** The kept window of one day. */
  private static SampleCluster.TelemetryDay kept(GpuTimeline day) {
    for (SampleCluster.TelemetryDay d : SampleCluster.TELEMETRY_DAYS) {
      if (d.dayStart() == day.dayStart) {
        return d;
      }
    }
    throw new IllegalStateException("no telemetry day " + day.dayStart);
  }

  // ---- promtool tsdb dump --------------------------------------------------------------------

  /** A series of the dump: its label set in Prometheus order and the window steps it has samples at. */
  private record Series(List<String[]> labels, int gpu, Metric metric, List<Integer> steps) {}

  /**
   * {@code promtool tsdb dump} prints each series' samples together, series sorted by label set,
   * labels sorted by name (so {@code __name__} lands after the upper-case DCGM labels), values
   * as Go's shortest %g and millisecond timestamps.
   */
  private void writeTsdbDump(GpuTimeline day, Writer w) throws IOException {
    Node node = day.node;
    Map<String, Series> byKey = new HashMap<>();
    List<Series> series = new ArrayList<>();
    for (int step : windowSteps(day)) {
      for (Gpu gpu : node.gpus()) {
        Job job = day.holders[gpu.index()][step];
        String hpcJob = node.hpcJobLabel() && job != null ? job.label() : null;
        for (Metric m : Metric.values()) {
          String key = gpu.index() + "/" + m + "/" + hpcJob;
          Series s = byKey.get(key);
          if (s == null) {
            s = new Series(labels(node, gpu, m, hpcJob, true), gpu.index(), m, new ArrayList<>());
            byKey.put(key, s);
            series.add(s);
          }
          s.steps().add(step);
        }
      }
    }
    series.sort(Comparator.comparing(Series::labels, SampleTelemetry::compareLabels));
    Map<String, String> broken = brokenValues(day);
    StringBuilder line = new StringBuilder(320);
    for (Series s : series) {
      String prefix = dumpLabels(s.labels());
      for (int step : s.steps()) {
        String value = broken.get(s.gpu() + "/" + s.metric() + "/" + step);
        if (value == null) {
          value = GoFloat.format(day.values[s.gpu()][step][s.metric().ordinal()]);
        }
        line.setLength(0);
        line.append(prefix).append(' ').append(value).append(' ').append(day.scrapeMillis(step)).append('\n');
        w.append(line);
      }
    }
  }

  /**
   * Two deliberately bad samples on gpu002's first day, for the quarantine to catch: a value
   * that is not a number and a utilization above 100 %.
   */
  private static Map<String, String> brokenValues(GpuTimeline day) {
    Map<String, String> broken = new HashMap<>();
    if (day.node.name().equals("gpu002") && day.dayStart == SampleCluster.DETAIL_START) {
      broken.put("5/" + Metric.GPU_UTIL + "/" + stepAt(day, "2026-03-02T10:05:00"), "140");
      broken.put("2/" + Metric.POWER + "/" + stepAt(day, "2026-03-02T10:07:30"), "abc");
    }
    return broken;
  }

  private static String dumpLabels(List<String[]> labels) {
    StringBuilder sb = new StringBuilder(300).append('{');
    for (int i = 0; i < labels.size(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(labels.get(i)[0]).append("=\"").append(labels.get(i)[1]).append('"');
    }
    return sb.append('}').toString();
  }

  // ---- /federate pulls -----------------------------------------------------------------------

  /**
   * What a cron job appending {@code /federate?match[]={__name__=~"DCGM_.*"}} every 30 s
   * collects: per pull, each family under a {@code # TYPE ... untyped} line, labels sorted,
   * timestamps in milliseconds. These nodes have no profiling fields.
   */
  private void writeFederatePulls(GpuTimeline day, Writer w) throws IOException {
    Node node = day.node;
    Metric[] families = {Metric.GPU_UTIL, Metric.POWER, Metric.SM_CLOCK};
    int sentinelStep = node.name().equals("gpu005") && day.dayStart == SampleCluster.DETAIL_START + 86_400
        ? stepAt(day, "2026-03-03T09:41:00") : -1;
    StringBuilder line = new StringBuilder(320);
    for (int step : windowSteps(day)) {
      long ts = day.scrapeMillis(step);
      for (Metric m : families) {
        w.append("# TYPE ").append(m.dcgmName).append(" untyped\n");
        List<List<String[]>> sets = new ArrayList<>();
        for (Gpu gpu : node.gpus()) {
          Job job = day.holders[gpu.index()][step];
          sets.add(labels(node, gpu, m, node.hpcJobLabel() && job != null ? job.label() : null, false));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
          order.add(i);
        }
        order.sort((a, b) -> compareLabels(sets.get(a), sets.get(b)));
        for (int g : order) {
          double v = day.values[g][step][m.ordinal()];
          // DCGM's blank sentinel after a GPU reset, as stored and printed back by Prometheus
          String value = step == sentinelStep && g == 1 && m == Metric.SM_CLOCK
              ? GoFloat.format(9223372036854775794.0) : GoFloat.format(v);
          line.setLength(0);
          line.append(m.dcgmName).append('{');
          List<String[]> set = sets.get(g);
          for (int i = 0; i < set.size(); i++) {
            if (i > 0) {
              line.append(',');
            }
            line.append(set.get(i)[0]).append("=\"").append(set.get(i)[1]).append('"');
          }
          line.append("} ").append(value).append(' ').append(ts).append('\n');
          w.append(line);
        }
      }
    }
  }

  // ---- labels ------------------------------------------------------------------------------

  /**
   * dcgm-exporter's label set plus the target labels Prometheus adds, sorted by name. On the Kubernetes
   * nodes the exporter maps GPUs to pods, and Prometheus, scraping it without honor_labels, moves the
   * workload's pod and namespace to {@code exported_pod}/{@code exported_namespace} beside the exporter's own.
   */
  private static List<String[]> labels(Node node, Gpu gpu, Metric m, String hpcJob, boolean withName) {
    if (node.telemetry() == Telemetry.DCGM_K8S) {
      return k8sLabels(node, gpu, m, hpcJob, withName);
    }
    List<String[]> l = new ArrayList<>();
    l.add(new String[] {"DCGM_FI_DRIVER_VERSION", node.driver()});
    l.add(new String[] {"Hostname", node.name()});
    l.add(new String[] {"UUID", gpu.uuid()});
    if (withName) {
      l.add(new String[] {"__name__", m.dcgmName});
    }
    l.add(new String[] {"device", "nvidia" + gpu.index()});
    l.add(new String[] {"gpu", Integer.toString(gpu.index())});
    if (hpcJob != null) {
      l.add(new String[] {"hpc_job", hpcJob});
    }
    l.add(new String[] {"instance", node.name() + ":" + EXPORTER_PORT});
    l.add(new String[] {"job", SCRAPE_JOB});
    l.add(new String[] {"modelName", node.model().deviceName});
    l.add(new String[] {"pci_bus_id", gpu.pciBusId()});
    l.sort((a, b) -> a[0].compareTo(b[0]));
    return l;
  }

  private static List<String[]> k8sLabels(Node node, Gpu gpu, Metric m, String podId, boolean withName) {
    List<String[]> l = new ArrayList<>();
    l.add(new String[] {"DCGM_FI_DRIVER_VERSION", node.driver()});
    l.add(new String[] {"Hostname", node.name()});
    l.add(new String[] {"UUID", gpu.uuid()});
    if (withName) {
      l.add(new String[] {"__name__", m.dcgmName});
    }
    l.add(new String[] {"container", "nvidia-dcgm-exporter"});
    l.add(new String[] {"device", "nvidia" + gpu.index()});
    if (podId != null) {
      int slash = podId.indexOf('/');
      l.add(new String[] {"exported_container", "trainer"});
      l.add(new String[] {"exported_namespace", podId.substring(0, slash)});
      l.add(new String[] {"exported_pod", podId.substring(slash + 1)});
    }
    l.add(new String[] {"gpu", Integer.toString(gpu.index())});
    String ip = node.name().substring(3, node.name().indexOf('.')).replace('-', '.');
    l.add(new String[] {"instance", ip + ":" + EXPORTER_PORT});
    l.add(new String[] {"job", "nvidia-dcgm-exporter"});
    l.add(new String[] {"modelName", node.model().deviceName});
    l.add(new String[] {"namespace", "gpu-operator"});
    l.add(new String[] {"pci_bus_id", gpu.pciBusId()});
    l.add(new String[] {"pod", "nvidia-dcgm-exporter-" + Integer.toString(Math.floorMod(node.name().hashCode(), 46_656), 36)});
    l.add(new String[] {"service", "nvidia-dcgm-exporter"});
    l.sort((a, b) -> a[0].compareTo(b[0]));
    return l;
  }

  /** Prometheus' label-set order: label by label, name then value, shorter set first on a tie. */
  static int compareLabels(List<String[]> a, List<String[]> b) {
    int n = Math.min(a.size(), b.size());
    for (int i = 0; i < n; i++) {
      int c = a.get(i)[0].compareTo(b.get(i)[0]);
      if (c != 0) {
        return c;
      }
      c = a.get(i)[1].compareTo(b.get(i)[1]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  }

  // ---- nvidia-smi -----------------------------------------------------------------------------

  static final String SMI_HEADER =
      "timestamp, name, pci.bus_id, uuid, index, utilization.gpu [%], power.draw [W], "
          + "clocks.current.sm [MHz]";

  /**
   * {@code nvidia-smi --query-gpu=timestamp,name,pci.bus_id,uuid,index,utilization.gpu,power.draw,clocks.sm
   * --format=csv -l 30 >> 2026-03.csv}, started each morning and stopped at 11:00: the header
   * repeats at every start and the loop drifts a little each round, as the real one does.
   */
  private void writeNvidiaSmi(GpuTimeline[] days, Writer w) throws IOException {
    SplittableRandom r = new SplittableRandom(seed ^ 0x5EED5A11L);
    for (GpuTimeline day : days) {
      w.append(SMI_HEADER).append('\n');
      SampleCluster.TelemetryDay kept = kept(day);
      long ms = (day.dayStart + kept.fromS()) * 1000 + 412;
      long endMs = (day.dayStart + kept.toS()) * 1000;
      for (int round = 0; ms < endMs; round++, ms += kept.stride() * GpuTimeline.STEP_S * 1000L + 38) {
        int step = (int) ((ms / 1000 - day.dayStart) / GpuTimeline.STEP_S);
        for (Gpu gpu : day.node.gpus()) {
          double[] v = day.values[gpu.index()][step];
          long ts = ms + gpu.index() * 2L + r.nextInt(2);
          String power = day.dayStart == SampleCluster.DETAIL_START + 86_400 && round == 75 && gpu.index() == 2
              ? "[N/A]" // a reading the driver could not take
              : String.format(Locale.ROOT, "%.2f W", v[Metric.POWER.ordinal()]);
          w.append(SMI_TIME.format(Instant.ofEpochMilli(ts))).append(", ")
              .append(day.node.model().deviceName).append(", ")
              .append(gpu.pciBusId()).append(", ")
              .append(gpu.uuid()).append(", ")
              .append(Integer.toString(gpu.index())).append(", ")
              .append(Integer.toString((int) v[Metric.GPU_UTIL.ordinal()])).append(" %, ")
              .append(power).append(", ")
              .append(Integer.toString((int) v[Metric.SM_CLOCK.ordinal()])).append(" MHz\n");
        }
      }
    }
  }

  // ---- FLOP counter ---------------------------------------------------------------------------

  /**
   * CUPTI counts for one GPU of the pre-training job, minute by minute. Each count is the
   * telemetry's tensor activity times the dense BF16 peak (clock-scaled), off by up to 10 % either
   * way, the disagreement an auditor expects between a counter and an estimate.
   */
  private void writeFlopCounter(Writer w) throws IOException {
    GpuTimeline day = null;
    for (GpuTimeline d : timelines.get(COUNTER_NODE)) {
      if (d.dayStart == SampleCluster.DETAIL_START) {
        day = d;
      }
    }
    Gpu gpu = day.node.gpus().get(COUNTER_GPU);
    SplittableRandom r = new SplittableRandom(seed ^ 0xF10FL);
    w.append("interval_start,interval_end,host,gpu_uuid,gpu_index,flop,precision,source\n");
    for (long from = COUNTER_FROM; from < COUNTER_TO; from += 60) {
      double activity = 0;
      int n = 0;
      for (int step = 0; step < GpuTimeline.STEPS; step++) {
        long ms = day.scrapeMillis(step);
        if (ms >= from * 1000 && ms < (from + 60) * 1000) {
          double[] v = day.values[COUNTER_GPU][step];
          activity += v[Metric.TENSOR.ordinal()] * v[Metric.SM_CLOCK.ordinal()]
              / day.node.model().maxClockMhz;
          n++;
        }
      }
      double flop = activity / n * H100_BF16_DENSE * 60 * (0.9 + 0.2 * r.nextDouble());
      w.append(iso(from)).append(',').append(iso(from + 60)).append(',')
          .append(day.node.name()).append(',').append(gpu.uuid()).append(',')
          .append(Integer.toString(COUNTER_GPU)).append(',')
          .append(String.format(Locale.ROOT, "%.4e", flop)).append(",bf16,cupti\n");
    }
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** The steps of the day's kept window at its stride, bar the gap and the hours the node did not exist. */
  private static List<Integer> windowSteps(GpuTimeline day) {
    SampleCluster.TelemetryDay kept = kept(day);
    List<Integer> steps = new ArrayList<>();
    for (int step = kept.fromS() / GpuTimeline.STEP_S; step < kept.toS() / GpuTimeline.STEP_S; step += kept.stride()) {
      long t = day.dayStart + (long) step * GpuTimeline.STEP_S;
      if (day.node.name().equals(GAP_NODE) && t >= GAP_FROM && t < GAP_TO || !day.node.up(t)) {
        continue;
      }
      steps.add(step);
    }
    return steps;
  }

  private static int stepAt(GpuTimeline day, String utc) {
    return (int) ((SampleCluster.epoch(utc) - day.dayStart) / GpuTimeline.STEP_S);
  }

  private static Instant instant(long epochSecond) {
    return Instant.ofEpochSecond(epochSecond);
  }

  private static String iso(long epochSecond) {
    return Instant.ofEpochSecond(epochSecond).toString();
  }

  interface Body {
    void write(Writer w) throws IOException;
  }

  static void writePlain(Path file, Body body) throws IOException {
    Files.createDirectories(file.getParent());
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      body.write(w);
    }
  }

  /** Best compression, and no file name or time in the header, so reruns give identical bytes. */
  static void writeGzip(Path file, Body body) throws IOException {
    Files.createDirectories(file.getParent());
    try (OutputStream out = Files.newOutputStream(file);
        GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16) {
          {
            def.setLevel(Deflater.BEST_COMPRESSION);
          }
        };
        Writer w = new java.io.BufferedWriter(new OutputStreamWriter(gz, StandardCharsets.UTF_8), 1 << 16)) {
      body.write(w);
    }
  }
}
