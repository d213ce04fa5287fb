package org.computeledger.devtools;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The toy cluster behind {@code sample-logs/}: its nodes, their GPUs, the Slurm jobs of February to
 * May 2026 (2026-03-02 and 03 in detail, the rest from {@link SampleMonths}) and the pods of a rented
 * Kubernetes cluster ({@link SampleEks}). The scheduler log, the telemetry and the bills are all written
 * from this one model, so they agree with each other the way a real cluster's logs do.
 */
final class SampleCluster {
  /** sacct prints {@code None} as the start of a job cancelled before it ever ran. */
  static final long NONE = -1;
  /** sacct prints {@code Unknown} as a pending job's start and a running job's end. */
  static final long UNKNOWN = -2;

  static final String CLUSTER = "lumen";
  /** The logs cover four whole UTC months; sacct and kubectl were run at the end of the last. */
  static final long LOG_START = epoch("2026-02-01T00:00:00");
  static final long LOG_END = epoch("2026-06-01T00:00:00");
  /** The two days whose mornings the collectors kept in full (every 30 s). */
  static final long DETAIL_START = epoch("2026-03-02T00:00:00");

  /**
   * A day some telemetry was kept: {@code [fromS, toS)} seconds after midnight UTC, one sample every
   * {@code stride} × 30 s.
   */
  record TelemetryDay(long dayStart, int fromS, int toS, int stride) {}

  /**
   * The collectors kept 08:00-11:00 of 2026-03-02 and 08:00-10:00 of 03-03 every 30 s, and a quarter of an
   * hour (09:00-09:15) on one day of each other month every 60 s: enough to show each method in every
   * month, small enough to ship (about the size of the one-month sample before it, so that a run of
   * the sample stays quick).
   */
  static final List<TelemetryDay> TELEMETRY_DAYS = List.of(
      new TelemetryDay(epoch("2026-02-18T00:00:00"), 9 * 3600, 9 * 3600 + 900, 2),
      new TelemetryDay(DETAIL_START, 8 * 3600, 11 * 3600, 1),
      new TelemetryDay(DETAIL_START + 86_400, 8 * 3600, 10 * 3600, 1),
      new TelemetryDay(epoch("2026-04-15T00:00:00"), 9 * 3600, 9 * 3600 + 900, 2),
      new TelemetryDay(epoch("2026-05-13T00:00:00"), 9 * 3600, 9 * 3600 + 900, 2));

  enum Telemetry { DCGM_PROFILING, DCGM_BASIC, NVIDIA_SMI, DCGM_K8S, NONE }

  /** A GPU model as the logs name it, with the clocks and power the load model moves between. */
  enum GpuModel {
    H100_SXM("NVIDIA H100 80GB HBM3", "h100", 345, 1980, 70, 700),
    A100_SXM4_80GB("NVIDIA A100-SXM4-80GB", "a100", 210, 1410, 58, 400),
    L40S("NVIDIA L40S", "l40s", 210, 2520, 33, 350);

    final String deviceName;
    final String gresType;
    final int idleClockMhz;
    final int maxClockMhz;
    final double idleWatts;
    final double maxWatts;

    GpuModel(String deviceName, String gresType, int idleClockMhz, int maxClockMhz,
        double idleWatts, double maxWatts) {
      this.deviceName = deviceName;
      this.gresType = gresType;
      this.idleClockMhz = idleClockMhz;
      this.maxClockMhz = maxClockMhz;
      this.idleWatts = idleWatts;
      this.maxWatts = maxWatts;
    }
  }

  record Gpu(int index, String uuid, String pciBusId) {}

  record Node(String name, String partition, GpuModel model, Telemetry telemetry, boolean hpcJobLabel,
      int cpusPerGpu, int memGbPerGpu, String driver, List<Gpu> gpus) {
    /** Whether the node existed at second {@code t}: the rented Kubernetes nodes come and go. */
    boolean up(long t) {
      return telemetry != Telemetry.DCGM_K8S || SampleEks.up(name, t);
    }
  }

  /**
   * How hard a job drives the GPUs it holds: ranges for utilization (percent) and the DCGM
   * profiling ratios, and the share of the way from idle to full power.
   */
  enum Load {
    PRETRAIN(97, 100, 0.82, 0.90, 0.42, 0.52, 0.30, 0.42, 0.04, 0.07, 0.0, 0.86, 0.98),
    FINE_TUNE(88, 99, 0.70, 0.84, 0.30, 0.42, 0.35, 0.50, 0.04, 0.08, 0.0, 0.70, 0.88),
    SWEEP(90, 100, 0.75, 0.88, 0.34, 0.46, 0.30, 0.45, 0.04, 0.08, 0.0, 0.75, 0.92),
    EVAL(55, 90, 0.45, 0.68, 0.12, 0.25, 0.50, 0.70, 0.05, 0.10, 0.0, 0.45, 0.70),
    SCIENCE(35, 75, 0.25, 0.55, 0.04, 0.12, 0.20, 0.40, 0.18, 0.32, 0.03, 0.35, 0.60);

    final int utilLo;
    final int utilHi;
    final double smLo;
    final double smHi;
    final double tensorLo;
    final double tensorHi;
    final double dramLo;
    final double dramHi;
    final double fp32Lo;
    final double fp32Hi;
    final double fp64Hi;
    final double powerLo;
    final double powerHi;

    Load(int utilLo, int utilHi, double smLo, double smHi, double tensorLo, double tensorHi,
        double dramLo, double dramHi, double fp32Lo, double fp32Hi, double fp64Hi,
        double powerLo, double powerHi) {
      this.utilLo = utilLo;
      this.utilHi = utilHi;
      this.smLo = smLo;
      this.smHi = smHi;
      this.tensorLo = tensorLo;
      this.tensorHi = tensorHi;
      this.dramLo = dramLo;
      this.dramHi = dramHi;
      this.fp32Lo = fp32Lo;
      this.fp32Hi = fp32Hi;
      this.fp64Hi = fp64Hi;
      this.powerLo = powerLo;
      this.powerHi = powerHi;
    }
  }

  /** GPUs a job holds on one node; sacct never says which indices, the telemetry does. */
  record Alloc(Node node, int[] gpus) {}

  /** One sacct job (or array task) and the allocation the scheduler gave it. */
  static final class Job {
    final String jobId;
    final String rawId;
    final String account;
    final String user;
    final String name;
    final Load load;
    final List<Alloc> allocs = new ArrayList<>();
    String wckey = "";
    String comment = "";
    /** The partition a job that never ran asked for; others show their nodes' partition. */
    String requestedPartition = "";
    String stepName = "python";
    /** false: AllocTRES names only {@code gres/gpu=N}, as on clusters without typed GRES. */
    boolean typedGres = true;
    /** A Kubernetes pod (namespace = account, name = jobId), not a Slurm job; its branch label. */
    boolean pod;
    String branchLabel = "";
    String state;
    long submit;
    long start;
    long end;

    Job(String jobId, String rawId, String account, String user, String name, Load load) {
      this.jobId = jobId;
      this.rawId = rawId;
      this.account = account;
      this.user = user;
      this.name = name;
      this.load = load;
    }

    Job wckey(String value) {
      this.wckey = value;
      return this;
    }

    Job comment(String value) {
      this.comment = value;
      return this;
    }

    Job asks(String partition) {
      this.requestedPartition = partition;
      return this;
    }

    Job step(String value) {
      this.stepName = value;
      return this;
    }

    /** A pod of namespace {@code account} named {@code jobId}, labelled with its branch. */
    Job pod(String branch) {
      this.pod = true;
      this.branchLabel = branch;
      return this;
    }

    /** The job label the telemetry carries: Slurm's raw id, a pod's {@code namespace/name}. */
    String label() {
      return pod ? account + "/" + jobId : rawId;
    }

    Job untypedGres() {
      this.typedGres = false;
      return this;
    }

    Job on(Node node, int... gpus) {
      allocs.add(new Alloc(node, gpus.length == 0 ? allIndices(node) : gpus));
      return this;
    }

    Job ran(String submitted, String started, String ended, String finalState) {
      return ran(epoch(submitted), epoch(started), epoch(ended), finalState);
    }

    Job ran(long submitted, long started, long ended, String finalState) {
      this.submit = submitted;
      this.start = started;
      this.end = ended;
      this.state = finalState;
      return this;
    }

    Job running(long submitted, long started) {
      this.submit = submitted;
      this.start = started;
      this.end = UNKNOWN;
      this.state = "RUNNING";
      return this;
    }

    Job running(String submitted, String started) {
      this.submit = epoch(submitted);
      this.start = epoch(started);
      this.end = UNKNOWN;
      this.state = "RUNNING";
      return this;
    }

    Job pending(String submitted) {
      this.submit = epoch(submitted);
      this.start = UNKNOWN;
      this.end = UNKNOWN;
      this.state = "PENDING";
      return this;
    }

    Job cancelledBeforeStart(String submitted, String cancelled, int byUid) {
      this.submit = epoch(submitted);
      this.start = NONE;
      this.end = epoch(cancelled);
      this.state = "CANCELLED by " + byUid;
      return this;
    }

    boolean started() {
      return start >= 0;
    }

    int gpuCount() {
      int n = 0;
      for (Alloc a : allocs) {
        n += a.gpus().length;
      }
      return n;
    }

    /** Whether this job holds GPU {@code index} of {@code node} at second {@code t}. */
    boolean holds(Node node, int index, long t) {
      if (!started() || t < start || (end != UNKNOWN && t >= end)) {
        return false;
      }
      for (Alloc a : allocs) {
        if (a.node() == node) {
          for (int g : a.gpus()) {
            if (g == index) {
              return true;
            }
          }
        }
      }
      return false;
    }
  }

  final List<Node> nodes = new ArrayList<>();
  final List<Job> jobs = new ArrayList<>();

  Node node(String name) {
    for (Node n : nodes) {
      if (n.name().equals(name)) {
        return n;
      }
    }
    throw new IllegalArgumentException("no node " + name);
  }

  /** The job holding a GPU at second {@code t}, or null when it is idle. */
  Job holder(Node node, int index, long t) {
    return holder(jobs, node, index, t);
  }

  /** The job of {@code candidates} holding a GPU at second {@code t}, or null. */
  static Job holder(List<Job> candidates, Node node, int index, long t) {
    for (Job j : candidates) {
      if (j.holds(node, index, t)) {
        return j;
      }
    }
    return null;
  }

  /** Builds the cluster; GPU UUIDs come from the seed, everything else is fixed. */
  static SampleCluster build(long seed) {
    SampleCluster c = new SampleCluster();
    String[] hgx = {"18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"};
    for (int i = 1; i <= 4; i++) {
      c.nodes.add(node(seed, String.format(Locale.ROOT, "gpu%03d", i), "h100", GpuModel.H100_SXM,
          Telemetry.DCGM_PROFILING, i == 4, 12, 125, "550.127.08", hgx));
    }
    String[] quad = {"07", "0F", "47", "4E"};
    c.nodes.add(node(seed, "gpu005", "a100", GpuModel.A100_SXM4_80GB, Telemetry.DCGM_BASIC, false,
        16, 120, "535.216.01", quad));
    c.nodes.add(node(seed, "gpu006", "a100", GpuModel.A100_SXM4_80GB, Telemetry.DCGM_BASIC, true,
        16, 120, "535.216.01", quad));
    c.nodes.add(node(seed, "gpu007", "h100", GpuModel.H100_SXM, Telemetry.NONE, false, 12, 125,
        "550.127.08", new String[] {"18", "2A"}));
    c.nodes.add(node(seed, "l40s01", "l40s", GpuModel.L40S, Telemetry.NVIDIA_SMI, false, 8, 90,
        "550.127.08", new String[] {"16", "38", "9C", "BE"}));
    for (String name : SampleEks.NODES) {
      c.nodes.add(node(seed, name, "", GpuModel.H100_SXM, Telemetry.DCGM_K8S, true, 24, 250,
          "570.133.20", hgx));
    }
    SampleMonths.addBefore(c);
    addJobs(c);
    SampleMonths.addAfter(c);
    SampleEks.addPods(c);
    return c;
  }

  private static Node node(long seed, String name, String partition, GpuModel model,
      Telemetry telemetry, boolean hpcJobLabel, int cpusPerGpu, int memGbPerGpu, String driver,
      String[] busIds) {
    SplittableRandom r = new SplittableRandom(seed ^ (name.hashCode() * 0x9E3779B97F4A7C15L));
    List<Gpu> gpus = new ArrayList<>();
    for (int i = 0; i < busIds.length; i++) {
      gpus.add(new Gpu(i, uuid(r), "00000000:" + busIds[i] + ":00.0"));
    }
    return new Node(name, partition, model, telemetry, hpcJobLabel, cpusPerGpu, memGbPerGpu, driver,
        List.copyOf(gpus));
  }

  private static String uuid(SplittableRandom r) {
    String hex = String.format(Locale.ROOT, "%016x%016x", r.nextLong(), r.nextLong());
    return "GPU-" + hex.substring(0, 8) + "-" + hex.substring(8, 12) + "-" + hex.substring(12, 16)
        + "-" + hex.substring(16, 20) + "-" + hex.substring(20, 32);
  }

  private static int[] allIndices(Node node) {
    int[] all = new int[node.gpus().size()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    return all;
  }

  /**
   * The two days of work. Job ids rise with submit time; array tasks get their own raw ids, the
   * last task to start reusing the array's id, as Slurm does.
   */
  private static void addJobs(SampleCluster c) {
    Node g1 = c.node("gpu001");
    Node g2 = c.node("gpu002");
    Node g3 = c.node("gpu003");
    Node g4 = c.node("gpu004");
    Node g5 = c.node("gpu005");
    Node g6 = c.node("gpu006");
    Node g7 = c.node("gpu007");
    Node l40 = c.node("l40s01");
    List<Job> j = c.jobs;

    // 2026-03-02: the teacher finishes its pre-training on all four H100 nodes, then atlas starts.
    j.add(new Job("48101", "48101", "teacher-70b", "mchen", "t70b-pretrain", Load.PRETRAIN)
        .wckey("pretrain").step("torchrun").untypedGres().on(g1).on(g2).on(g3).on(g4)
        .ran("2026-03-01T23:58:20", "2026-03-02T00:04:12", "2026-03-02T07:58:40", "COMPLETED"));
    j.add(new Job("48102", "48102", "atlas", "jdevries", "atlas-7b-pt", Load.PRETRAIN)
        .wckey("pretrain").step("torchrun").on(g1).on(g2).on(g3)
        .ran("2026-03-02T07:40:03", "2026-03-02T08:02:15", "2026-03-03T08:02:15", "TIMEOUT"));
    j.add(new Job("48105_0", "48106", "atlas", "skim", "atlas-lr-sweep", Load.SWEEP)
        .wckey("lr-sweep").on(g5)
        .ran("2026-03-02T08:45:10", "2026-03-02T09:00:07", "2026-03-02T13:30:40", "COMPLETED"));
    j.add(new Job("48105_1", "48107", "atlas", "skim", "atlas-lr-sweep", Load.SWEEP)
        .wckey("lr-sweep").on(g6)
        .ran("2026-03-02T08:45:10", "2026-03-02T09:00:07", "2026-03-02T13:12:55", "COMPLETED"));
    j.add(new Job("48105_2", "48108", "atlas", "skim", "atlas-lr-sweep", Load.SWEEP)
        .wckey("lr-sweep").on(g6)
        .ran("2026-03-02T08:45:10", "2026-03-02T13:13:20", "2026-03-02T17:44:01", "COMPLETED"));
    j.add(new Job("48105_3", "48105", "atlas", "skim", "atlas-lr-sweep", Load.SWEEP)
        .wckey("lr-sweep").on(g5)
        .ran("2026-03-02T08:45:10", "2026-03-02T13:31:02", "2026-03-02T13:47:19", "FAILED"));
    // gpu004 is shared: atlas fine-tunes on GPUs 0-3 while base-1b holds 4-7.
    j.add(new Job("48109", "48109", "atlas", "apatel", "atlas-sft-v1", Load.FINE_TUNE)
        .wckey("sft").step("torchrun").on(g4, 0, 1, 2, 3)
        .ran("2026-03-02T09:20:00", "2026-03-02T09:30:11", "2026-03-02T21:05:47", "COMPLETED"));
    j.add(new Job("48110", "48110", "atlas", "tnguyen", "atlas-eval-mmlu", Load.EVAL)
        .wckey("eval").on(l40, 0, 1)
        .ran("2026-03-02T09:38:30", "2026-03-02T09:40:05", "2026-03-02T10:50:44", "COMPLETED"));
    j.add(new Job("48111", "48111", "atlas", "tnguyen", "atlas-eval-gsm8k", Load.EVAL)
        .wckey("eval").on(l40, 2, 3)
        .ran("2026-03-02T09:38:41", "2026-03-02T09:40:09", "2026-03-02T09:42:31", "FAILED"));
    j.add(new Job("48112", "48112", "atlas", "tnguyen", "atlas-eval-gsm8k", Load.EVAL)
        .wckey("eval").comment("rerun after tokenizer fix").on(l40, 2, 3)
        .ran("2026-03-02T09:49:50", "2026-03-02T09:50:00", "2026-03-02T10:55:12", "COMPLETED"));
    j.add(new Job("48114", "48114", "base-1b", "lrossi", "base1b-ctx-ext", Load.FINE_TUNE)
        .wckey("pretrain").step("torchrun").on(g4, 4, 5, 6, 7)
        .ran("2026-03-02T10:12:05", "2026-03-02T10:15:40", "2026-03-02T18:40:02", "COMPLETED"));
    j.add(new Job("48117", "48117", "atlas", "apatel", "refusal-sft", Load.FINE_TUNE)
        .comment("branch=refusal-tuning").step("torchrun").on(g7)
        .ran("2026-03-02T10:55:12", "2026-03-02T11:00:00", "2026-03-02T16:20:33", "COMPLETED"));
    j.add(new Job("48121", "48121", "bio-ml", "pvisser", "protein-fold", Load.SCIENCE)
        .on(l40)
        .ran("2026-03-02T14:48:00", "2026-03-02T15:00:00", "2026-03-02T19:22:10", "COMPLETED"));
    // base-350m was released openly long before atlas began: under P2 its compute no longer counts.
    j.add(new Job("48122", "48122", "base-350m", "lrossi", "b350m-refresh", Load.FINE_TUNE)
        .on(g7)
        .ran("2026-03-02T16:55:00", "2026-03-02T17:00:00", "2026-03-02T22:30:00", "COMPLETED"));
    j.add(new Job("48123", "48123", "bio-ml", "pvisser", "protein-fold-xl", Load.SCIENCE)
        .untypedGres().on(g5)
        .ran("2026-03-02T18:40:00", "2026-03-02T19:00:00", "2026-03-03T03:12:40", "COMPLETED"));
    j.add(new Job("48125", "48125", "teacher-70b", "mchen", "t70b-dpo", Load.FINE_TUNE)
        .wckey("sft").asks("h100").cancelledBeforeStart("2026-03-02T20:00:14", "2026-03-02T20:41:05", 20418));
    j.add(new Job("48126", "48126", "base-1b", "lrossi", "base1b-ctx-ext", Load.FINE_TUNE)
        .wckey("pretrain").step("torchrun").on(g4, 0, 1, 2, 3)
        .ran("2026-03-02T21:28:00", "2026-03-02T21:30:00", "2026-03-02T21:34:12", "CANCELLED by 12345"));

    // 2026-03-03: atlas pre-training resumes after its time limit; gpu004 is shared again.
    j.add(new Job("48130", "48130", "teacher-70b", "mchen", "t70b-sft", Load.FINE_TUNE)
        .wckey("sft").step("torchrun").on(g4)
        .ran("2026-03-03T01:55:00", "2026-03-03T02:00:00", "2026-03-03T11:45:30", "COMPLETED"));
    j.add(new Job("48131", "48131", "base-1b", "lrossi", "base1b-tok-ablation", Load.FINE_TUNE)
        .wckey("pretrain").on(g7)
        .ran("2026-03-03T02:58:00", "2026-03-03T03:00:00", "2026-03-03T15:40:00", "COMPLETED"));
    j.add(new Job("48133", "48133", "bio-ml", "pvisser", "protein-fold-xl", Load.SCIENCE)
        .on(g6)
        .ran("2026-03-03T05:50:00", "2026-03-03T06:00:00", "2026-03-03T12:30:00", "COMPLETED"));
    j.add(new Job("48135", "48135", "atlas", "jdevries", "atlas-7b-pt", Load.PRETRAIN)
        .wckey("pretrain").comment("resume from step 41000").step("torchrun").on(g1).on(g2).on(g3)
        .ran("2026-03-03T08:05:30", "2026-03-03T08:10:02", "2026-03-04T08:10:02", "TIMEOUT"));
    j.add(new Job("48136", "48136", "atlas", "tnguyen", "atlas-eval-suite", Load.EVAL)
        .wckey("eval").on(l40)
        .ran("2026-03-03T08:55:00", "2026-03-03T09:00:00", "2026-03-03T10:45:10", "COMPLETED"));
    j.add(new Job("48138", "48138", "atlas", "tnguyen", "atlas-eval-humaneval", Load.EVAL)
        .wckey("eval").on(l40, 0)
        .ran("2026-03-03T10:46:00", "2026-03-03T10:47:00", "2026-03-03T10:58:33", "CANCELLED by 20451"));
    j.add(new Job("48140", "48140", "atlas", "apatel", "atlas-sft-v2", Load.FINE_TUNE)
        .wckey("sft").step("torchrun").on(g4, 0, 1, 2, 3)
        .ran("2026-03-03T12:20:00", "2026-03-03T12:30:00", "2026-03-03T20:10:15", "COMPLETED"));
    j.add(new Job("48141", "48141", "base-1b", "lrossi", "base1b-ctx-ext", Load.FINE_TUNE)
        .wckey("pretrain").step("torchrun").on(g4, 4, 5, 6, 7)
        .ran("2026-03-03T12:50:00", "2026-03-03T13:00:20", "2026-03-03T19:00:00", "COMPLETED"));
    // risk-only claimed without a written justification: the exemption is not granted (P3).
    j.add(new Job("48143", "48143", "atlas", "apatel", "jailbreak-filter-sft", Load.FINE_TUNE)
        .comment("branch=jailbreak-filter").step("torchrun").on(g7)
        .ran("2026-03-03T15:55:00", "2026-03-03T16:00:00", "2026-03-03T20:00:00", "COMPLETED"));
    j.add(new Job("48145_[0-3]", "48145", "atlas", "tnguyen", "atlas-eval-long", Load.EVAL)
        .wckey("eval").asks("l40s").cancelledBeforeStart("2026-03-03T23:10:44", "2026-03-04T07:02:10", 20451));
  }

  static long epoch(String utcLocal) {
    return Instant.parse(utcLocal + "Z").getEpochSecond();
  }
}
