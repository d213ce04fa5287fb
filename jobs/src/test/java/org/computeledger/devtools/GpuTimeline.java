package org.computeledger.devtools;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.computeledger.devtools.SampleCluster.GpuModel;
import org.computeledger.devtools.SampleCluster.Job;
import org.computeledger.devtools.SampleCluster.Load;
import org.computeledger.devtools.SampleCluster.Node;

/**
 * What every GPU of one node did, every 30 s of one day, drawn from the jobs that held it. The
 * DCGM dumps, the nvidia-smi log and the FLOP counter all read from this, so they agree.
 */
final class GpuTimeline {
  /** dcgm-exporter's default collect interval. */
  static final int STEP_S = 30;
  static final int STEPS = 86_400 / STEP_S;
  /** A job's first minutes: data loading and compilation, the GPUs mostly waiting. */
  private static final long WARM_UP_S = 180;
  /** Training jobs checkpoint hourly; the GPUs idle for about a minute while they do. */
  private static final long CHECKPOINT_EVERY_S = 3600;
  private static final long CHECKPOINT_S = 60;

  enum Metric {
    GPU_UTIL("DCGM_FI_DEV_GPU_UTIL", false),
    SM_CLOCK("DCGM_FI_DEV_SM_CLOCK", false),
    POWER("DCGM_FI_DEV_POWER_USAGE", false),
    ENERGY("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", false),
    SM_ACTIVE("DCGM_FI_PROF_SM_ACTIVE", true),
    TENSOR("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", true),
    FP16("DCGM_FI_PROF_PIPE_FP16_ACTIVE", true),
    FP32("DCGM_FI_PROF_PIPE_FP32_ACTIVE", true),
    FP64("DCGM_FI_PROF_PIPE_FP64_ACTIVE", true),
    DRAM("DCGM_FI_PROF_DRAM_ACTIVE", true);

    final String dcgmName;
    final boolean profiling;

    Metric(String dcgmName, boolean profiling) {
      this.dcgmName = dcgmName;
      this.profiling = profiling;
    }
  }

  private static final int METRICS = Metric.values().length;

  final Node node;
  final long dayStart;
  /** [gpu][step][metric], units as DCGM reports them (percent, MHz, W, mJ, ratios). */
  final double[][][] values;
  /** [gpu][step]: the job holding the GPU, null when idle. */
  final Job[][] holders;
  /** Scrape offset of this node's exporter within each 30 s cycle, as Prometheus staggers targets. */
  private final long scrapeOffsetMs;
  private final long jitterSeed;

  private GpuTimeline(Node node, long dayStart, long seed) {
    this.node = node;
    this.dayStart = dayStart;
    int gpus = node.gpus().size();
    this.values = new double[gpus][STEPS][METRICS];
    this.holders = new Job[gpus][STEPS];
    this.scrapeOffsetMs = 1000 + Math.floorMod(node.name().hashCode() * 7919L, 27_000L);
    this.jitterSeed = seed ^ dayStart;
  }

  /**
   * The node's timelines for each day some telemetry was kept ({@link SampleCluster#TELEMETRY_DAYS}), in
   * order. The energy counter runs on across days and through the hours no one kept, as the real
   * counter does.
   */
  static GpuTimeline[] forNode(SampleCluster cluster, Node node, long seed) {
    SplittableRandom r = new SplittableRandom(seed ^ (node.name().hashCode() * 0xC2B2AE3D27D4EB4FL));
    int gpus = node.gpus().size();
    double[] energyMj = new double[gpus];
    for (int g = 0; g < gpus; g++) {
      // a few weeks since boot at a few hundred watts
      energyMj[g] = Math.rint(2.0e11 + r.nextDouble() * 7.0e11);
    }
    List<SampleCluster.TelemetryDay> kept = SampleCluster.TELEMETRY_DAYS;
    GpuTimeline[] days = new GpuTimeline[kept.size()];
    long previousEnd = -1;
    for (int d = 0; d < days.length; d++) {
      GpuTimeline t = new GpuTimeline(node, kept.get(d).dayStart(), seed);
      if (previousEnd >= 0) {
        // the days between: the counter went on at about the midpoint of idle and full power
        double watts = (node.model().idleWatts + node.model().maxWatts) / 2;
        for (int g = 0; g < gpus; g++) {
          energyMj[g] += watts * (t.dayStart - previousEnd) * 1000;
        }
      }
      List<Job> candidates = new ArrayList<>();
      for (Job j : cluster.jobs) {
        if (j.started() && j.start < t.dayStart + 86_400 && (j.end == SampleCluster.UNKNOWN || j.end > t.dayStart)
            && j.allocs.stream().anyMatch(a -> a.node() == node)) {
          candidates.add(j);
        }
      }
      for (int step = 0; step < STEPS; step++) {
        long second = t.dayStart + (long) step * STEP_S;
        for (int g = 0; g < gpus; g++) {
          Job job = SampleCluster.holder(candidates, node, g, second);
          t.holders[g][step] = job;
          double[] v = t.values[g][step];
          sample(node.model(), job, second, r, v);
          energyMj[g] += v[Metric.POWER.ordinal()] * STEP_S * 1000;
          v[Metric.ENERGY.ordinal()] = Math.rint(energyMj[g]);
        }
      }
      previousEnd = t.dayStart + 86_400;
      days[d] = t;
    }
    return days;
  }

  /** Milliseconds since the epoch at which the exporter on this node was scraped at {@code step}. */
  long scrapeMillis(int step) {
    long mixed = (jitterSeed + step) * 0x9E3779B97F4A7C15L;
    return (dayStart + (long) step * STEP_S) * 1000 + scrapeOffsetMs + Math.floorMod(mixed >>> 40, 4L);
  }

  private static void sample(GpuModel model, Job job, long t, SplittableRandom r, double[] v) {
    if (job == null) {
      idle(model, r, v);
      return;
    }
    long since = t - job.start;
    Load load = job.load;
    boolean warmUp = since < WARM_UP_S;
    boolean checkpoint = load != Load.EVAL && since >= CHECKPOINT_EVERY_S
        && since % CHECKPOINT_EVERY_S < CHECKPOINT_S;
    double util;
    double sm;
    double tensor;
    double dram;
    double power;
    if (warmUp) {
      util = 5 + r.nextInt(36);
      sm = between(r, 0.04, 0.25);
      tensor = between(r, 0.0, 0.04);
      dram = between(r, 0.02, 0.10);
      power = between(r, 0.10, 0.30);
    } else if (checkpoint) {
      util = r.nextInt(9);
      sm = between(r, 0.0, 0.05);
      tensor = 0;
      dram = between(r, 0.05, 0.15);
      power = between(r, 0.05, 0.12);
    } else {
      util = load.utilLo + r.nextInt(load.utilHi - load.utilLo + 1);
      sm = between(r, load.smLo, load.smHi);
      tensor = between(r, load.tensorLo, load.tensorHi);
      dram = between(r, load.dramLo, load.dramHi);
      power = between(r, load.powerLo, load.powerHi);
    }
    v[Metric.GPU_UTIL.ordinal()] = util;
    v[Metric.SM_ACTIVE.ordinal()] = ratio(sm);
    v[Metric.TENSOR.ordinal()] = ratio(Math.min(tensor, sm));
    v[Metric.FP16.ordinal()] = ratio(sm * between(r, 0.01, 0.04));
    v[Metric.FP32.ordinal()] = ratio(sm * between(r, load.fp32Lo, load.fp32Hi));
    v[Metric.FP64.ordinal()] = ratio(load.fp64Hi == 0 ? 0 : sm * between(r, 0, load.fp64Hi));
    v[Metric.DRAM.ordinal()] = ratio(dram);
    // Near the power limit the boost clock steps down in 15 MHz bins.
    int clock = model.maxClockMhz;
    if (power > 0.95) {
      clock -= 15 * (1 + r.nextInt(3));
    }
    v[Metric.SM_CLOCK.ordinal()] = clock;
    v[Metric.POWER.ordinal()] = watts(model.idleWatts + power * (model.maxWatts - model.idleWatts));
  }

  private static void idle(GpuModel model, SplittableRandom r, double[] v) {
    v[Metric.GPU_UTIL.ordinal()] = 0;
    v[Metric.SM_ACTIVE.ordinal()] = 0;
    v[Metric.TENSOR.ordinal()] = 0;
    v[Metric.FP16.ordinal()] = 0;
    v[Metric.FP32.ordinal()] = 0;
    v[Metric.FP64.ordinal()] = 0;
    v[Metric.DRAM.ordinal()] = 0;
    v[Metric.SM_CLOCK.ordinal()] = model.idleClockMhz;
    v[Metric.POWER.ordinal()] = watts(model.idleWatts + between(r, -2, 4));
  }

  private static double between(SplittableRandom r, double lo, double hi) {
    return lo + r.nextDouble() * (hi - lo);
  }

  /** DCGM prints ratios with six decimals. */
  private static double ratio(double x) {
    return Math.rint(x * 1e6) / 1e6;
  }

  /** DCGM reports power in milliwatts, printed as watts with three decimals. */
  private static double watts(double x) {
    return Math.rint(x * 1e3) / 1e3;
  }
}
