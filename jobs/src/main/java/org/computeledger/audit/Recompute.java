package org.computeledger.audit;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.computeledger.estimate.GpuModels;
import org.computeledger.estimate.MigProfiles;
import org.computeledger.estimate.PeakCatalog;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.FlopCounts;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;

/**
 * The audit's second computation of a GPU-hour and of held GPU time, in plain Java from rows the
 * product's parsers made of the sample's raw lines: written once more from the method as
 * methodology.md states it (a sample covers the time since the previous sample of its GPU, capped at
 * max_gap_factor × the cadence; pipe activity × each pipe's dense peak × clock ratio, else utilization ×
 * dense peak; counted intervals replace the samples they cover and count at their end; a sample belongs
 * to the allocation holding its GPU then, by job label, GPU index or GPU count share), not by calling
 * the report's Spark code, so that an error in either shows as a difference.
 */
public final class Recompute {
  private static final int[] PIPE_COLS = {
    Table.GPU_SAMPLES.index(GpuSamples.PIPE_TENSOR_ACTIVE), Table.GPU_SAMPLES.index(GpuSamples.PIPE_FP64_ACTIVE),
    Table.GPU_SAMPLES.index(GpuSamples.PIPE_FP32_ACTIVE), Table.GPU_SAMPLES.index(GpuSamples.PIPE_FP16_ACTIVE)
  };

  /** One GPU sample: every metric line of one (host, GPU, MIG instance, time) merged, highest value per metric. */
  public static final class Sample {
    public String host;
    public String uuid;
    public String mig;
    public String migProfile;
    public String model;
    public Integer index;
    public long tsUs;
    public Double util;
    public final Double[] pipe = new Double[4];
    public Double clockMhz;
    public String job;
    public String pod;
    public String namespace;

    String series() {
      return AuditSample.series(host, uuid, mig);
    }

    boolean hasPipe() {
      return pipe[0] != null || pipe[1] != null || pipe[2] != null || pipe[3] != null;
    }
  }

  /** A job-level scheduler record on one node. */
  public record Alloc(String jobKey, String jobId, String jobIdRaw, String jobName, String account, String node,
      Long startUs, Long endUs, int gpus, int[] indices, Long latestUs, String gpuModel) {}

  /** A FLOP counter row, with the file and line it came from (the tie-break of the overlap rule). */
  public record Counter(String host, String uuid, Integer index, long startUs, long endUs, double flop, String file,
      long line) {
    public Counter(String host, String uuid, Integer index, long startUs, long endUs, double flop) {
      this(host, uuid, index, startUs, endUs, flop, "", 0);
    }
  }

  /** AMD MI300-series devices a node holds (OAM platform): more series of them on one node means compute partitions. */
  static final int MI300_PER_NODE = 8;

  /** A recomputed unit: FLOP, GPU-seconds, and how many samples and counter rows it rests on. */
  public record Result(double flop, double gpuSeconds, int samples, int counters, String note) {}

  /**
   * The method's parameters, from the report's manifest and the sample's evidence: they are the method's,
   * not its results. {@code calibration}: "model|precision" to {pipe-activity ratio, utilization ratio}
   * (NaN where none), the report's applied self-calibration; {@code migProfiles}: the SM shares of MIG
   * instances.
   */
  public record Method(double maxGapFactor, double allocUtil, String defaultPrecision, long bucketSeconds,
      Map<String, double[]> calibration, MigProfiles migProfiles) {
    public Method(double maxGapFactor, double allocUtil, String defaultPrecision, long bucketSeconds) {
      this(maxGapFactor, allocUtil, defaultPrecision, bucketSeconds, Map.of(), MigProfiles.load());
    }

    /** The calibration factor of a method (0 pipe activity, 1 utilization) on a model and precision; 1 when none. */
    double factor(String modelId, String precision, int which) {
      double[] r = calibration.get(modelId + "|" + precision);
      return r == null || Double.isNaN(r[which]) ? 1.0 : r[which];
    }
  }

  private Recompute() {}

  static long us(Object ts) {
    return ts == null ? Long.MIN_VALUE : AuditSample.micros((Timestamp) ts);
  }

  private static Double d(Object v) {
    return v == null ? null : ((Number) v).doubleValue();
  }

  /** Parsed gpu_samples rows merged into samples, per series in time order. */
  public static Map<String, List<Sample>> samples(List<Object[]> rows) {
    Table t = Table.GPU_SAMPLES;
    Map<String, Sample> byKey = new TreeMap<>();
    for (Object[] r : rows) {
      if (r[t.index(GpuSamples.TS)] == null) {
        continue;
      }
      String host = (String) r[t.index(GpuSamples.HOST)];
      String uuid = (String) r[t.index(GpuSamples.GPU_UUID)];
      String mig = (String) r[t.index(GpuSamples.MIG_INSTANCE)];
      long ts = us(r[t.index(GpuSamples.TS)]);
      String key = AuditSample.series(host, uuid, mig) + "|" + ts;
      Sample s = byKey.get(key);
      if (s == null) {
        s = new Sample();
        s.host = host;
        s.uuid = uuid;
        s.mig = mig;
        s.tsUs = ts;
        byKey.put(key, s);
      }
      s.migProfile = first(s.migProfile, (String) r[t.index(GpuSamples.MIG_PROFILE)]);
      s.model = first(s.model, (String) r[t.index(GpuSamples.GPU_MODEL)]);
      s.index = s.index != null ? s.index : (Integer) r[t.index(GpuSamples.GPU_INDEX)];
      s.job = first(s.job, (String) r[t.index(GpuSamples.HPC_JOB)]);
      s.pod = first(s.pod, (String) r[t.index(GpuSamples.POD)]);
      s.namespace = first(s.namespace, (String) r[t.index(GpuSamples.NAMESPACE)]);
      s.util = max(s.util, d(r[t.index(GpuSamples.GPU_UTIL)]));
      s.clockMhz = max(s.clockMhz, d(r[t.index(GpuSamples.SM_CLOCK_MHZ)]));
      for (int p = 0; p < 4; p++) {
        s.pipe[p] = max(s.pipe[p], d(r[PIPE_COLS[p]]));
      }
    }
    Map<String, List<Sample>> out = new TreeMap<>();
    for (Sample s : byKey.values()) {
      out.computeIfAbsent(s.series(), k -> new ArrayList<>()).add(s);
    }
    out.values().forEach(l -> l.sort((a, b) -> Long.compare(a.tsUs, b.tsUs)));
    return out;
  }

  private static String first(String a, String b) {
    return a != null ? a : b;
  }

  private static Double max(Double a, Double b) {
    if (a == null) {
      return b;
    }
    return b == null ? a : Double.valueOf(Math.max(a, b));
  }

  /** Parsed allocations rows: job-level records only (steps lie within their job). */
  public static List<Alloc> allocs(List<Object[]> rows) {
    Table t = Table.ALLOCATIONS;
    List<Alloc> out = new ArrayList<>();
    for (Object[] r : rows) {
      if (r[t.index(Allocations.STEP_ID)] != null) {
        continue;
      }
      String cluster = (String) r[t.index(Allocations.CLUSTER)];
      String jobId = (String) r[t.index(Allocations.JOB_ID)];
      Object start = r[t.index(Allocations.START_TIME)];
      Object end = r[t.index(Allocations.END_TIME)];
      Object submit = r[t.index(Allocations.SUBMIT_TIME)];
      long latest = Math.max(us(start), Math.max(us(end), us(submit)));
      String idx = (String) r[t.index(Allocations.GPU_INDICES)];
      int[] indices = idx == null ? null : Arrays.stream(idx.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
      Object gpus = r[t.index(Allocations.GPU_COUNT)];
      out.add(new Alloc((cluster == null ? "" : cluster) + "/" + jobId, jobId, (String) r[t.index(Allocations.JOB_ID_RAW)],
          (String) r[t.index(Allocations.JOB_NAME)], (String) r[t.index(Allocations.ACCOUNT)],
          (String) r[t.index(Allocations.NODE)], start == null ? null : us(start), end == null ? null : us(end),
          gpus == null ? 0 : ((Number) gpus).intValue(), indices, latest == Long.MIN_VALUE ? null : latest,
          (String) r[t.index(Allocations.GPU_MODEL)]));
    }
    return out;
  }

  /** Parsed flop_counts rows. */
  public static List<Counter> counters(List<Object[]> rows) {
    Table t = Table.FLOP_COUNTS;
    List<Counter> out = new ArrayList<>();
    for (Object[] r : rows) {
      out.add(new Counter((String) r[t.index(FlopCounts.HOST)], (String) r[t.index(FlopCounts.GPU_UUID)],
          (Integer) r[t.index(FlopCounts.GPU_INDEX)], us(r[t.index(FlopCounts.INTERVAL_START)]),
          us(r[t.index(FlopCounts.INTERVAL_END)]), d(r[t.index(FlopCounts.FLOP)]),
          (String) r[t.index(FlopCounts.SOURCE_FILE)], r[t.index(FlopCounts.SOURCE_LINE)] == null ? 0
              : ((Number) r[t.index(FlopCounts.SOURCE_LINE)]).longValue()));
    }
    return out;
  }

  /** A node's GPU count: the most GPUs any record allocated on it, or the GPUs its telemetry shows, whichever is more. */
  public static int nodeGpus(String node, List<Alloc> allocs, Map<String, List<Sample>> samples) {
    int most = 0;
    for (Alloc a : allocs) {
      if (node.equals(a.node())) {
        most = Math.max(most, a.gpus());
      }
    }
    java.util.Set<String> uuids = new java.util.TreeSet<>();
    for (List<Sample> l : samples.values()) {
      Sample s = l.get(0);
      if (node.equals(s.host) && s.mig == null && s.uuid != null) {
        uuids.add(s.uuid);
      }
    }
    return Math.max(most, uuids.size());
  }

  /** The end of the logs: the latest time of any record or sample in the evidence (its witnesses). */
  public static long logEndUs(List<Alloc> allocs, Map<String, List<Sample>> samples) {
    long end = 0;
    for (Alloc a : allocs) {
      if (a.latestUs() != null) {
        end = Math.max(end, a.latestUs());
      }
    }
    for (List<Sample> l : samples.values()) {
      end = Math.max(end, l.get(l.size() - 1).tsUs);
    }
    return end;
  }

  /** The series' cadence: the smallest interval with at least half of its intervals at or below it. */
  public static long cadenceUs(List<Sample> series) {
    List<Long> dts = new ArrayList<>();
    for (int i = 1; i < series.size(); i++) {
      long dt = series.get(i).tsUs - series.get(i - 1).tsUs;
      if (dt > 0) {
        dts.add(dt);
      }
    }
    if (dts.isEmpty()) {
      return 0;
    }
    dts.sort(Long::compare);
    return dts.get((dts.size() + 1) / 2 - 1);
  }

  /**
   * The share of one GPU at instant {@code tsUs} that {@code job} held (null: what no job held), by the
   * attribution rules: a job label takes the sample whole for its job; GPU indices take it for the job
   * holding that index; otherwise each job on the node takes gpu_count / node GPUs; claims over the whole
   * GPU are scaled down to it.
   */
  public static double share(String job, long tsUs, String hpcJob, String pod, String namespace, Integer gpuIndex,
      String node, List<Alloc> allocs, int nodeGpus) {
    boolean labelled = hpcJob != null || pod != null;
    double mine = 0;
    double taken = 0;
    for (Alloc a : allocs) {
      if (!node.equals(a.node()) || a.startUs() == null || a.gpus() <= 0) {
        continue;
      }
      long end = a.endUs() == null ? Long.MAX_VALUE : a.endUs();
      if (!(a.startUs() < tsUs && tsUs <= end)) {
        continue;
      }
      boolean indexed = gpuIndex != null && a.indices() != null;
      boolean holds;
      if (labelled) {
        holds = hpcJob != null && (hpcJob.equals(a.jobId()) || hpcJob.equals(a.jobIdRaw()))
            || pod != null && pod.equals(a.jobName()) && a.account() != null
                && (namespace == null ? a.account() : namespace).equals(a.account());
      } else if (indexed) {
        holds = Arrays.stream(a.indices()).anyMatch(i -> i == gpuIndex);
      } else {
        holds = true;
      }
      if (!holds) {
        continue;
      }
      double w = labelled || indexed ? 1.0 : Math.min(1.0, a.gpus() / (double) (nodeGpus > 0 ? nodeGpus : a.gpus()));
      taken += w;
      if (a.jobKey().equals(job)) {
        mine += w;
      }
    }
    if (job == null) {
      return Math.max(0, 1 - taken);
    }
    return taken > 1 + 1e-9 ? mine / taken : mine;
  }

  /**
   * Dense peaks per pipe (tensor, FP64, FP32, FP16) and their clocks for a model and precision, as the
   * estimation stage reads them: the tensor pipe and utilization take the precision's figure (with the
   * catalog's precision fallbacks), a vector pipe only its own row; a figure without a quoted clock is
   * none for a pipe (pipe activity is scaled by clock). No pipe borrows another's figure. {@code maxClock}
   * is the model's rated boost clock, the bound on a logged SM clock.
   */
  record Peaks(Double tensor, Double[] pipe, Double[] boost, Double maxClock) {
    static Peaks of(PeakCatalog c, String model, String precision) {
      PeakCatalog.Resolution r = c.resolve(model, precision).orElse(null);
      Double tensor = r == null ? null : r.peak().flopsPerSecond();
      Double tensorB = r == null || r.peak().boostClockMhz() <= 0 ? null : r.peak().boostClockMhz();
      Double[] pipe = {tensorB == null ? null : tensor, null, null, null};
      Double[] boost = {tensorB, null, null, null};
      String[] vector = {null, "fp64", "fp32", "fp16_nontensor"};
      for (int i = 1; i < 4; i++) {
        PeakCatalog.Peak p = c.peak(model, vector[i]).orElse(null);
        if (p != null && p.boostClockMhz() > 0) {
          pipe[i] = p.flopsPerSecond();
          boost[i] = p.boostClockMhz();
        }
      }
      return new Peaks(tensor, pipe, boost, val(c.boostClockMhz(model)));
    }

    private static Double val(java.util.OptionalDouble d) {
      return d.isPresent() ? d.getAsDouble() : null;
    }
  }

  /**
   * A job's share of one GPU in one hour: every sample of the series in the hour, each covering the time
   * since the sample before it (the sample before the hour included), and every counter row on the GPU
   * that ends in the hour.
   */
  public static Result gpuHour(String job, String series, long hourUs, long hourLenUs, Map<String, List<Sample>> samples,
      List<Alloc> allocs, List<Counter> counters, Function<String, String> precisionOfJob, PeakCatalog catalog,
      Method m) {
    return gpuHour(job, series, hourUs, hourLenUs, samples, allocs, counters, precisionOfJob, catalog, m, null);
  }

  /**
   * As above, with the series' median cadence over all its samples ({@code seriesCadenceUs}, null: taken
   * from the samples in the evidence), which sets the first sample's interval and the gap cap.
   */
  public static Result gpuHour(String job, String series, long hourUs, long hourLenUs, Map<String, List<Sample>> samples,
      List<Alloc> allocs, List<Counter> counters, Function<String, String> precisionOfJob, PeakCatalog catalog,
      Method m, Long seriesCadenceUs) {
    List<Sample> s = samples.getOrDefault(series, List.of());
    if (s.isEmpty()) {
      return new Result(0, 0, 0, 0, "no sample of this GPU in the evidence");
    }
    Sample any = s.get(0);
    String model = null;
    for (Sample x : s) {
      model = first(model, x.model);
    }
    String modelId = model == null ? null : GpuModels.normalize(model);
    // a MIG instance holds its SMs' share of the parent (slice rule where the table has no row); a profile
    // neither reads leaves the share unknown: its time is unpriced, never counted as the whole GPU
    double frac = 1.0;
    boolean shareKnown = true;
    if (any.mig != null && any.migProfile != null) {
      MigProfiles.Share f = m.migProfiles().share(modelId, any.migProfile);
      shareKnown = f != null;
      frac = f == null ? 1.0 : f.compute();
    }
    String precision = precisionOfJob.apply(job);
    Peaks peaks = modelId == null ? null : Peaks.of(catalog, modelId, precision);
    int nodeGpus = nodeGpus(any.host, allocs, samples);
    long cadence = seriesCadenceUs != null ? seriesCadenceUs : cadenceUs(s);
    double cap = cadence * m.maxGapFactor();
    List<Counter> mine = new ArrayList<>();
    for (Counter c : counters) {
      boolean sameGpu = any.mig == null && any.host.equals(c.host())
          && (c.uuid() != null ? c.uuid().equals(any.uuid) : c.index() != null && c.index().equals(any.index));
      if (sameGpu) {
        mine.add(c);
      }
    }
    mine = countedOnce(mine);
    double pipeFlop = 0;
    double utilFlop = 0;
    double pipeUtilFlop = 0;
    boolean dropped = false;
    double seconds = 0;
    int n = 0;
    for (int i = 0; i < s.size(); i++) {
      Sample x = s.get(i);
      if (x.tsUs < hourUs || x.tsUs >= hourUs + hourLenUs) {
        continue;
      }
      boolean superseded = false;
      for (Counter c : mine) {
        superseded |= c.startUs() < x.tsUs && x.tsUs <= c.endUs();
      }
      if (superseded) {
        continue;
      }
      n++;
      double dtUs = i == 0 ? cadence : x.tsUs - s.get(i - 1).tsUs;
      if (dtUs > cap) {
        dtUs = 0;
      }
      double dt = dtUs / 1e6;
      double w = share(job, x.tsUs, x.job, x.pod, x.namespace, x.index, x.host, allocs, nodeGpus);
      if (w == 0) {
        continue;
      }
      double tensor = peaks == null || peaks.tensor() == null ? 0 : peaks.tensor();
      boolean covered = false;
      if (x.hasPipe()) {
        covered = true;
        // a logged clock above the model's boost clock, or not positive, is a bad reading: ratio 1
        Double max = peaks == null ? null : peaks.maxClock();
        boolean clockOk = x.clockMhz != null && x.clockMhz > 0 && (max == null || x.clockMhz <= max);
        for (int p = 0; p < 4; p++) {
          double a = x.pipe[p] == null ? 0 : x.pipe[p];
          Double peak = peaks == null ? null : peaks.pipe()[p];
          if (peak == null) {
            // active on a pipe without its own figure: the unit drops to the utilization it logged
            dropped |= a > 0;
            continue;
          }
          pipeFlop += w * frac * peak * a * dt * (clockOk ? x.clockMhz / peaks.boost()[p] : 1.0);
        }
        if (x.util != null) {
          pipeUtilFlop += w * frac * tensor * x.util * dt;
        }
      } else if (x.util != null) {
        covered = true;
        utilFlop += w * frac * tensor * x.util * dt;
      }
      seconds += covered ? w * frac * dt : 0;
    }
    boolean priced = peaks != null && peaks.tensor() != null && shareKnown && !partitioned(any.host, modelId, samples);
    // the report's self-calibration scales each telemetry method's FLOP on its model and precision
    double flop = !priced ? 0
        : dropped ? (utilFlop + pipeUtilFlop) * m.factor(modelId, precision, 1)
        : pipeFlop * m.factor(modelId, precision, 0) + utilFlop * m.factor(modelId, precision, 1);
    int nc = 0;
    for (Counter c : mine) {
      if (Math.floorDiv(c.endUs(), hourLenUs) * hourLenUs != hourUs) {
        continue;
      }
      nc++;
      double w = share(job, c.endUs(), null, null, null, any.index, any.host, allocs, nodeGpus);
      flop += w * c.flop();
      seconds += w * (c.endUs() - c.startUs()) / 1e6;
    }
    return new Result(flop, seconds, n, nc, modelId == null ? "GPU model not in the evidence" : "");
  }

  /**
   * One GPU's counter rows with overlaps counted once, as methodology.md states the rule: in the order
   * earlier start, then longer interval, then file and line, each row keeps only the part of its interval
   * that no row before it covers, its FLOP scaled by that part's share of its interval (the count's rate
   * taken as even); a row wholly inside earlier ones is left out. Written here from the rule, not by
   * calling the estimation stage.
   */
  static List<Counter> countedOnce(List<Counter> gpu) {
    List<Counter> sorted = new ArrayList<>(gpu);
    sorted.sort(java.util.Comparator.comparingLong(Counter::startUs)
        .thenComparing(java.util.Comparator.comparingLong(Counter::endUs).reversed())
        .thenComparing(c -> c.file() == null ? "" : c.file()).thenComparingLong(Counter::line));
    List<Counter> out = new ArrayList<>();
    long coveredUntil = Long.MIN_VALUE;
    for (Counter c : sorted) {
      long keptStart = Math.max(c.startUs(), coveredUntil);
      if (keptStart < c.endUs()) {
        double share = (c.endUs() - keptStart) / (double) (c.endUs() - c.startUs());
        out.add(new Counter(c.host(), c.uuid(), c.index(), keptStart, c.endUs(), c.flop() * share, c.file(), c.line()));
      }
      coveredUntil = Math.max(coveredUntil, c.endUs());
    }
    return out;
  }

  /**
   * An AMD MI300-series GPU on a node whose evidence shows more of its devices than a node holds: the
   * GPUs are split into compute partitions the logs do not name, so its time is unpriced (methodology.md,
   * "unpriced: a GPU partition whose share of the GPU is unknown"). The devices are the node's series in
   * the evidence, which carries one sample line of every GPU series of a drawn node.
   */
  static boolean partitioned(String host, String modelId, Map<String, List<Sample>> samples) {
    if (modelId == null || !modelId.startsWith("mi3")) {
      return false;
    }
    int devices = 0;
    for (List<Sample> l : samples.values()) {
      if (!host.equals(l.get(0).host)) {
        continue;
      }
      String model = null;
      for (Sample x : l) {
        model = first(model, x.model);
      }
      String id = model == null ? null : GpuModels.normalize(model);
      devices += id != null && id.startsWith("mi3") ? 1 : 0;
    }
    return devices > MI300_PER_NODE;
  }

  /**
   * A job's held GPU time on a node that telemetry did not cover: GPU count × (end − start, the end of
   * the logs for a job still running) − the telemetry-covered GPU-seconds, at the standard's assumed
   * utilization of the dense peak.
   */
  public static Result held(String job, String node, double coveredGpuSeconds, List<Alloc> allocs,
      Map<String, List<Sample>> samples, Function<String, String> precisionOfJob, PeakCatalog catalog, Method m) {
    Alloc a = null;
    for (Alloc x : allocs) {
      if (x.jobKey().equals(job) && node.equals(x.node())) {
        a = x;
      }
    }
    if (a == null || a.startUs() == null) {
      return new Result(0, 0, 0, 0, "no scheduler record of the job on the node in the evidence");
    }
    long end = a.endUs() != null ? a.endUs() : logEndUs(allocs, samples);
    double heldS = Math.max(0, (end - a.startUs()) / 1e6) * a.gpus();
    double uncovered = Math.max(0, heldS - coveredGpuSeconds);
    String model = null;
    for (List<Sample> l : samples.values()) {
      if (node.equals(l.get(0).host) && model == null) {
        for (Sample x : l) {
          model = first(model, x.model);
        }
      }
    }
    String modelId = GpuModels.normalize(model != null ? model : a.gpuModel());
    Double peak = modelId == null ? null : Peaks.of(catalog, modelId, precisionOfJob.apply(job)).tensor();
    return new Result(peak == null ? 0 : peak * m.allocUtil() * uncovered, uncovered, 0, 0,
        peak == null ? "no dense peak for " + modelId : "");
  }
}
