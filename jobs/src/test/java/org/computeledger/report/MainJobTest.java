package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.PlansRun;
import org.computeledger.SparkTestBase;
import org.computeledger.attribute.GpuAttribution;
import org.computeledger.attribute.Registry;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.estimate.Flop;
import org.computeledger.estimate.PeakCatalog;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/**
 * The main job's arithmetic on small hand-made ledgers, each expectation computed by hand from the
 * datasheet figure: H100 SXM dense BF16 = 1,979 TFLOP/s with sparsity ÷ 2 = 989.4 TFLOP/s (rounded
 * as NVIDIA prints it: 989.4e12 FLOP/s).
 */
class MainJobTest extends SparkTestBase {
  static final double H100_BF16 = 989.4e12;
  static final long T0 = Instant.parse("2026-03-02T10:00:00Z").getEpochSecond();
  static final String REGISTRY = """
      developer: Test Lab
      projects:
        - id: atlas
          development_start: 2026-01-01
          precision: bf16
          branches:
            - id: pretrain
              activity: pretraining
              status: kept
              description: Pre-training
              match: { slurm: { account: atlas } }
            - id: evals
              activity: evaluation
              status: kept
              description: Evaluations
              match: { slurm: { account: evals } }
      """;

  private static Timestamp ts(long secondsAfterT0) {
    return Timestamp.from(Instant.ofEpochSecond(T0 + secondsAfterT0));
  }

  private Dataset<Row> table(Table t, List<Map<String, Object>> rows) {
    StructType s = t.schema();
    List<Row> out = new ArrayList<>();
    for (Map<String, Object> m : rows) {
      Object[] v = new Object[s.size()];
      m.forEach((k, val) -> v[s.fieldIndex(k)] = val);
      out.add(RowFactory.create(v));
    }
    return spark().createDataFrame(out, s);
  }

  private static Map<String, Object> alloc(String job, String account, String node, int gpus, long start, long end) {
    Map<String, Object> m = new HashMap<>();
    m.put("cluster", "c1");
    m.put("job_id", job);
    m.put("array_job_id", job);
    m.put("account", account);
    m.put("state", "COMPLETED");
    m.put("start_time", ts(start));
    m.put("end_time", ts(end));
    m.put("node", node);
    m.put("node_count", 1);
    m.put("gpu_count", gpus);
    m.put("source_format", "slurm-sacct");
    m.put("source_file", "sacct.txt");
    m.put("source_line", 1L);
    return m;
  }

  /** Samples every 10 s at (start, end] of one GPU at a constant utilization. */
  private static List<Map<String, Object>> samples(String host, String uuid, int index, String model, double util,
      long from, long to) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (long t = from + 10; t <= to; t += 10) {
      Map<String, Object> m = new HashMap<>();
      m.put("ts", ts(t));
      m.put("host", host);
      m.put("gpu_uuid", uuid);
      m.put("gpu_index", index);
      m.put("gpu_model", model);
      m.put("gpu_util", util);
      m.put("source_format", "prometheus-dcgm");
      m.put("source_file", "dcgm.prom");
      m.put("source_line", t);
      rows.add(m);
    }
    return rows;
  }

  private MainJob.Outputs run(List<Map<String, Object>> allocs, List<Map<String, Object>> samples,
      List<Map<String, Object>> counts, List<Map<String, Object>> charges) {
    return run(REGISTRY, allocs, samples, counts, charges);
  }

  private MainJob.Outputs run(String registry, List<Map<String, Object>> allocs, List<Map<String, Object>> samples,
      List<Map<String, Object>> counts, List<Map<String, Object>> charges) {
    EstimateParams p = EstimateParams.defaults();
    MainJob.Inputs in = new MainJob.Inputs(table(Table.ALLOCATIONS, allocs), table(Table.GPU_SAMPLES, samples),
        table(Table.FLOP_COUNTS, counts), table(Table.CHARGES, charges), null);
    MainJob.Outputs o = MainJob.compute(spark(), in, Registry.parse(registry, "registry.yaml"),
        new Flop(PeakCatalog.load(), p), p);
    // every report table the job makes has the shape schemas/ declares (conform throws otherwise)
    Table.LINE_ITEMS.conform(o.lineItems());
    Table.JOBS.conform(o.jobs());
    Table.GPU_USAGE.conform(o.gpuUsage());
    Table.COST_RECONCILIATION.conform(o.costReconciliation());
    if (o.calibration() != null) {
      Table.CALIBRATION.conform(o.calibration());
    }
    return o;
  }

  private static Row item(MainJob.Outputs o, String project, String branch) {
    return o.lineItems().filter("project = '" + project + "' and branch = '" + branch + "'").collectAsList().get(0);
  }

  @Test
  void aJobAtKnownUtilizationGetsUtilizationTimesPeakTimesSeconds() {
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 600)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 600), List.of(), List.of());
    Row r = item(o, "atlas", "pretrain");
    assertRelClose(0.5 * H100_BF16 * 600, r.<Double>getAs(Flop.FLOP), 1e-9);
    assertRelClose(0.5 * H100_BF16 * 600, r.<Double>getAs(Flop.FLOP_UTIL), 1e-9);
    assertEquals(0.0, r.<Double>getAs(Flop.FLOP_ALLOCATION));
    assertRelClose(600, r.<Double>getAs("gpu_seconds"), 1e-12);
    // utilization range: 0.25 .. 1 × the point value (EstimateParams defaults)
    assertRelClose(0.25 * 0.5 * H100_BF16 * 600, r.<Double>getAs(Flop.FLOP_LOW), 1e-9);
  }

  @Test
  void countedWindowsOverrideTheTelemetryTheyCover() {
    Map<String, Object> c = new HashMap<>();
    c.put("interval_start", ts(300));
    c.put("interval_end", ts(360));
    c.put("host", "n1");
    c.put("gpu_uuid", "GPU-a");
    c.put("gpu_index", 0);
    c.put("flop", 4.1e16);
    c.put("precision", "bf16");
    c.put("source", "cupti");
    c.put("source_file", "counter.csv");
    c.put("source_line", 2L);
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 600)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 600), List.of(c), List.of());
    Row r = item(o, "atlas", "pretrain");
    // samples at 310..360 s (6 × 10 s) are replaced by the count; 540 s stay with utilization
    assertRelClose(4.1e16, r.<Double>getAs(Flop.FLOP_COUNTED), 1e-12);
    assertRelClose(0.5 * H100_BF16 * 540, r.<Double>getAs(Flop.FLOP_UTIL), 1e-9);
    assertRelClose(4.1e16 + 0.5 * H100_BF16 * 540, r.<Double>getAs(Flop.FLOP), 1e-9);
    // calibration: counted 4.1e16 against utilization 0.5 × peak × 60 s
    Row cal = o.calibration().collectAsList().get(0);
    assertRelClose(4.1e16 / (0.5 * H100_BF16 * 60), cal.<Double>getAs("ratio_counted_to_utilization"), 1e-9);
  }

  private static Map<String, Object> count(long start, long end, double flop, long line) {
    Map<String, Object> c = new HashMap<>();
    c.put("interval_start", ts(start));
    c.put("interval_end", ts(end));
    c.put("host", "n1");
    c.put("gpu_uuid", "GPU-a");
    c.put("gpu_index", 0);
    c.put("flop", flop);
    c.put("precision", "bf16");
    c.put("source", "cupti");
    c.put("source_file", "counter.csv");
    c.put("source_line", line);
    return c;
  }

  @Test
  void aCalibratedUtilizationItemLandsWithin30PercentOfTheTruthAndItsRangeHoldsIt() {
    // The scenario: the GPU logs 90 % utilization for two hours while the job really runs at 30-40 % of the
    // dense peak. Counters cover the first 80 minutes (efficiencies 0.30, 0.35, 0.40, 0.35 in 20-minute
    // intervals); the last 40 minutes, at a true efficiency of 0.30, are left to the utilization method.
    List<Map<String, Object>> counts = List.of(count(0, 1200, 0.30 * H100_BF16 * 1200, 2),
        count(1200, 2400, 0.35 * H100_BF16 * 1200, 3), count(2400, 3600, 0.40 * H100_BF16 * 1200, 4),
        count(3600, 4800, 0.35 * H100_BF16 * 1200, 5));
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 7200)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.9, 0, 7200), counts, List.of());
    Row r = item(o, "atlas", "pretrain");
    double truthHeldOut = 0.30 * H100_BF16 * 2400;
    double uncalibrated = 0.9 * H100_BF16 * 2400; // 3 x the truth
    double calibrated = r.<Double>getAs(Flop.FLOP_UTIL);
    org.junit.jupiter.api.Assertions.assertTrue(Math.abs(calibrated - truthHeldOut) <= 0.30 * truthHeldOut,
        "calibrated " + calibrated + " vs truth " + truthHeldOut + " (uncalibrated " + uncalibrated + ")");
    double countedTotal = r.<Double>getAs(Flop.FLOP_COUNTED);
    double truth = countedTotal + truthHeldOut;
    org.junit.jupiter.api.Assertions.assertTrue(r.<Double>getAs(Flop.FLOP_LOW) <= truth && truth <= r.<Double>getAs(Flop.FLOP_HIGH),
        "range " + r.<Double>getAs(Flop.FLOP_LOW) + " .. " + r.<Double>getAs(Flop.FLOP_HIGH) + " vs truth " + truth);
    org.junit.jupiter.api.Assertions.assertTrue(r.<String>getAs("method_reasons").contains("utilization calibrated"), r.<String>getAs("method_reasons"));
    Row cal = o.calibration().collectAsList().get(0);
    assertRelClose(4800.0 / 3600, cal.<Double>getAs("counted_gpu_hours"), 1e-9);
    org.junit.jupiter.api.Assertions.assertTrue(cal.<Boolean>getAs("applied"));
  }

  @Test
  void counterRowsOverlappingOnOneGpuCountTheOverlapOnce() {
    // [300, 360] s counts 4.1e16; [330, 420] s counts 9e16, of which [330, 360] is already counted:
    // the later row keeps its share of the uncovered 60 of its 90 s, 6e16
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 600)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 600),
        List.of(count(330, 420, 9e16, 3L), count(300, 360, 4.1e16, 2L)), List.of());
    Row r = item(o, "atlas", "pretrain");
    assertRelClose(4.1e16 + 6e16, r.<Double>getAs(Flop.FLOP_COUNTED), 1e-12);
    // 120 s counted, the other 480 s by utilization; every second of the job once
    assertRelClose(0.5 * H100_BF16 * 480, r.<Double>getAs(Flop.FLOP_UTIL), 1e-9);
    assertRelClose(600, r.<Double>getAs("gpu_seconds"), 1e-12);
  }

  @Test
  void aCounterRowInsideAnEarlierOneOnTheSameGpuAddsNothing() {
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 600)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 600),
        List.of(count(300, 360, 4.1e16, 2L), count(310, 350, 3e16, 3L)), List.of());
    Row r = item(o, "atlas", "pretrain");
    assertRelClose(4.1e16, r.<Double>getAs(Flop.FLOP_COUNTED), 1e-12);
    assertRelClose(0.5 * H100_BF16 * 540, r.<Double>getAs(Flop.FLOP_UTIL), 1e-9);
    assertRelClose(600, r.<Double>getAs("gpu_seconds"), 1e-12);
    // the telemetry the count replaced is compared with it once, not once per overlapping row
    Row cal = o.calibration().collectAsList().get(0);
    assertRelClose(4.1e16 / (0.5 * H100_BF16 * 60), cal.<Double>getAs("ratio_counted_to_utilization"), 1e-9);
  }

  @Test
  void counterRowsOnTwoGpusOfOneHostDoNotTrimEachOther() {
    Map<String, Object> other = count(300, 360, 2e16, 3L);
    other.put("gpu_uuid", "GPU-b");
    other.put("gpu_index", 1);
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 600));
    s.addAll(samples("n1", "GPU-b", 1, "NVIDIA H100 80GB HBM3", 0.5, 0, 600));
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 2, 0, 600)), s,
        List.of(count(300, 360, 4.1e16, 2L), other), List.of());
    assertRelClose(4.1e16 + 2e16, item(o, "atlas", "pretrain").<Double>getAs(Flop.FLOP_COUNTED), 1e-12);
  }

  @Test
  void aTelemetryGapFallsBackToTheAllocationMethod() {
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 300));
    s.addAll(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 590, 600));
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 600)), s, List.of(), List.of());
    Row r = item(o, "atlas", "pretrain");
    // 30 samples cover 300 s; the sample after the 300 s gap (> 3 × 10 s) covers nothing
    assertRelClose(0.5 * H100_BF16 * 300, r.<Double>getAs(Flop.FLOP_UTIL), 1e-9);
    assertRelClose(300 * H100_BF16 * 0.4, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-9);
  }

  @Test
  void aJobWithNoTelemetryGetsTheAllocationMethod() {
    Map<String, Object> held = alloc("100", "atlas", "n1", 2, 0, 3600);
    held.put("gpu_model", "h100");
    MainJob.Outputs o = run(List.of(held), samples("n2", "GPU-z", 0, "NVIDIA H100 80GB HBM3", 0.1, 0, 30),
        List.of(), List.of());
    Row r = item(o, "atlas", "pretrain");
    // no telemetry on n1: 2 GPUs × 3600 s × dense peak × assumed utilization 0.4 (range 0.1 – 0.7)
    assertRelClose(7200 * H100_BF16 * 0.4, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-9);
    assertRelClose(7200 * H100_BF16 * 0.4, r.<Double>getAs(Flop.FLOP), 1e-9);
    assertRelClose(7200 * H100_BF16 * 0.1, r.<Double>getAs(Flop.FLOP_LOW), 1e-9);
    assertRelClose(7200 * H100_BF16 * 0.7, r.<Double>getAs(Flop.FLOP_HIGH), 1e-9);
  }

  @Test
  void heldGpusOfNoKnownModelAreUnpricedNotZero() {
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 2, 0, 3600)),
        samples("n2", "GPU-z", 0, "NVIDIA H100 80GB HBM3", 0.1, 0, 30), List.of(), List.of());
    Row r = item(o, "atlas", "pretrain");
    // no telemetry on n1 and no model in sacct: 2 GPUs × 3600 s are reported as unpriced
    assertRelClose(7200, r.<Double>getAs(Flop.UNPRICED_S), 1e-12);
    assertEquals(0.0, r.<Double>getAs(Flop.FLOP));
  }

  @Test
  void aSharedNodeWithoutIndicesIsProRatedByAllocatedGpus() {
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 0, 100));
    s.addAll(samples("n1", "GPU-b", 1, "NVIDIA H100 80GB HBM3", 1.0, 0, 100));
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 100), alloc("200", "evals", "n1", 1, 0, 100)),
        s, List.of(), List.of());
    // each job holds 1 of the node's 2 GPUs: half of each GPU's 100 s at full utilization
    assertRelClose(H100_BF16 * 100, item(o, "atlas", "pretrain").<Double>getAs(Flop.FLOP), 1e-9);
    assertRelClose(H100_BF16 * 100, item(o, "atlas", "evals").<Double>getAs(Flop.FLOP), 1e-9);
    List<Row> rules = o.jobs().select("attribution_rules").distinct().collectAsList();
    assertEquals("pro-rated", rules.get(0).getString(0));
  }

  @Test
  void conflictFiguresCountTheLedgersConflictRowsTheirJobsAndGpuSeconds() {
    // two jobs each hold the node's one GPU at the same time: each claim is scaled by the total claim of 2
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 100), alloc("200", "evals", "n1", 1, 0, 100)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 0, 100), List.of(), List.of());
    long ledgerRows = o.gpuUsage().filter("rule = 'conflict-pro-rated'").count();
    Assertions.assertTrue(ledgerRows > 0);
    assertEquals(ledgerRows, o.conflicts().rows());
    assertEquals(2, o.conflicts().jobs());
    // the GPU's 100 s, half to each job
    assertRelClose(100, o.conflicts().gpuSeconds(), 1e-9);
  }

  @Test
  void aJobCountsEachNodeItHeldOnceAndItsGpusOnEvery() {
    // job 300 holds a GPU on n1 and on n2; job 301 one on n1 after it
    MainJob.Outputs o = run(List.of(alloc("300", "atlas", "n1", 1, 0, 100), alloc("300", "atlas", "n2", 1, 0, 100),
            alloc("301", "atlas", "n1", 1, 200, 300)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 0, 300), List.of(), List.of());
    Map<String, Row> jobs = new HashMap<>();
    for (Row r : o.jobs().collectAsList()) {
      jobs.put(r.getAs("job_id"), r);
    }
    assertEquals(2, jobs.size());
    assertEquals(2L, jobs.get("300").<Long>getAs("nodes"));
    assertEquals(2L, jobs.get("300").<Long>getAs("gpu_count"));
    assertEquals(1L, jobs.get("301").<Long>getAs("nodes"));
    // no bills: no amount and no currency, never "mixed"
    Assertions.assertNull(jobs.get("300").getAs("currency"));
    Assertions.assertNull(jobs.get("300").getAs("cost_billed"));
  }

  @Test
  void telemetryNoAllocationCoversIsReportedAsIdleNotDropped() {
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 300)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 600), List.of(), List.of());
    Row idle = item(o, MainJob.UNATTRIBUTED, MainJob.IDLE_BRANCH);
    assertRelClose(0.5 * H100_BF16 * 300, idle.<Double>getAs(Flop.FLOP), 1e-9);
    assertRelClose(0.5 * H100_BF16 * 300, item(o, "atlas", "pretrain").<Double>getAs(Flop.FLOP), 1e-9);
  }

  @Test
  void anUnknownGpuModelIsReportedAsUnpricedCompute() {
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 600)),
        samples("n1", "GPU-a", 0, "Quantum Abacus 9000", 0.5, 0, 600), List.of(), List.of());
    Row r = item(o, "atlas", "pretrain");
    assertEquals(0.0, r.<Double>getAs(Flop.FLOP));
    assertRelClose(600, r.<Double>getAs(Flop.UNPRICED_S), 1e-12);
  }

  @Test
  void jobsMatchingNoBranchAreUnattributed() {
    MainJob.Outputs o = run(List.of(alloc("100", "somebody-else", "n1", 1, 0, 600)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 600), List.of(), List.of());
    Row r = item(o, MainJob.UNATTRIBUTED, MainJob.UNATTRIBUTED);
    assertRelClose(0.5 * H100_BF16 * 600, r.<Double>getAs(Flop.FLOP), 1e-9);
  }

  /**
   * Each branch runs one H100 for an hour with no telemetry: 3600 s × 989.4e12 × 0.4 assumed utilization
   * = 1.424736e18 FLOP by hardware. The registry's parameters are chosen by hand so that 6·N·D with
   * 1e9 tokens is 1.29 × that (pretrain: N = 1.29 × 1.424736e18 / 6e9 = 3.0631824e8) and 1.31 × that
   * (sft: N = 1.31 × 1.424736e18 / 6e9 = 3.1106736e8); evals gives no architecture.
   */
  static final String ARCH_REGISTRY = """
      developer: Test Lab
      projects:
        - id: atlas
          development_start: 2026-01-01
          precision: bf16
          branches:
            - id: pretrain
              activity: pretraining
              architecture: { parameters: 3.0631824e8, tokens: 1.0e9 }
              match: { slurm: { account: atlas } }
            - id: sft
              activity: fine-tuning
              architecture: { parameters: 3.1106736e8, tokens: 1.0e9 }
              match: { slurm: { account: sft } }
            - id: evals
              activity: evaluation
              match: { slurm: { account: evals } }
      """;

  private MainJob.Outputs oneHeldH100HourPerBranch() {
    List<Map<String, Object>> a = new ArrayList<>();
    int job = 100;
    for (String account : List.of("atlas", "sft", "evals")) {
      Map<String, Object> held = alloc(String.valueOf(job++), account, "n-" + account, 1, 0, 3600);
      held.put("gpu_model", "h100");
      a.add(held);
    }
    return run(ARCH_REGISTRY, a, samples("n-other", "GPU-z", 0, "NVIDIA H100 80GB HBM3", 0.1, 0, 30), List.of(),
        List.of());
  }

  @Test
  void aLineItemWhose6NDIs29PercentAboveTheHardwareEstimateAgrees() {
    Row r = item(oneHeldH100HourPerBranch(), "atlas", "pretrain");
    assertRelClose(3600 * H100_BF16 * 0.4, r.<Double>getAs(Flop.FLOP), 1e-9);
    assertRelClose(1.83790944e18, r.<Double>getAs("flop_architecture"), 1e-9);
    assertEquals("agrees", r.<String>getAs("architecture_check"));
  }

  @Test
  void aLineItemWhose6NDIs31PercentAboveTheHardwareEstimateDisagrees() {
    Row r = item(oneHeldH100HourPerBranch(), "atlas", "sft");
    assertRelClose(3600 * H100_BF16 * 0.4, r.<Double>getAs(Flop.FLOP), 1e-9);
    assertRelClose(1.86640416e18, r.<Double>getAs("flop_architecture"), 1e-9);
    assertEquals("disagrees", r.<String>getAs("architecture_check"));
  }

  @Test
  void aLineItemWithoutArchitectureIsNotGiven() {
    MainJob.Outputs o = oneHeldH100HourPerBranch();
    Row evals = item(o, "atlas", "evals");
    Assertions.assertNull(evals.getAs("flop_architecture"));
    assertEquals("not-given", evals.<String>getAs("architecture_check"));
    Row idle = item(o, MainJob.UNATTRIBUTED, MainJob.IDLE_BRANCH);
    Assertions.assertNull(idle.getAs("flop_architecture"));
    assertEquals("not-given", idle.<String>getAs("architecture_check"));
  }

  /** A FOCUS usage charge for node {@code node} over [from, to] seconds after T0. */
  private static Map<String, Object> charge(String node, long from, long to, String amount) {
    Map<String, Object> ch = new HashMap<>();
    ch.put("provider", "AWS");
    ch.put("charge_period_start", ts(from));
    ch.put("charge_period_end", ts(to));
    ch.put("charge_category", "Usage");
    ch.put("resource_id", "i-0abc");
    ch.put("resource_name", node);
    ch.put("billed_cost", new BigDecimal(amount));
    ch.put("effective_cost", new BigDecimal(amount));
    ch.put("currency", "USD");
    ch.put("source_format", "focus");
    ch.put("source_file", "focus.csv");
    ch.put("source_line", 2L);
    return ch;
  }

  @Test
  void billedCostIsSpreadOverHeldGpuSecondsAndReconcilesToTheCent() {
    Map<String, Object> ch = charge("n1", 0, 3600, "98.320000000000");
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 0, 3600));
    s.addAll(samples("n1", "GPU-b", 1, "NVIDIA H100 80GB HBM3", 1.0, 0, 3600));
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 1800)), s, List.of(), List.of(ch));
    // 1 of 2 GPUs for half the hour: 98.32 × 1800 / 7200 = 24.58
    assertEquals(0, new BigDecimal("24.58").compareTo(item(o, "atlas", "pretrain").<BigDecimal>getAs("cost_billed")
        .setScale(2, java.math.RoundingMode.HALF_EVEN)));
    Row rec = o.costReconciliation().collectAsList().get(0);
    BigDecimal total = rec.getAs("input_total");
    BigDecimal parts = ((BigDecimal) rec.getAs("allocated")).add(rec.getAs("unallocated_idle"))
        .add(rec.getAs("unallocated_other_resource")).add(rec.getAs("not_attributable"));
    assertEquals(0, total.compareTo(parts));
    assertEquals(0, new BigDecimal("98.32").compareTo(total));
  }

  @Test
  void aEuroBillIsConvertedPerChargeAtItsDatedRateAndTheEuroTotalsStay() throws Exception {
    // two one-hour jobs alone on a one-GPU node, a day apart: 100.00 EUR on 2 March, 50.00 EUR on 3 March
    Map<String, Object> day1 = charge("n1", 0, 3600, "100.00");
    Map<String, Object> day2 = charge("n1", 86_400, 90_000, "50.00");
    day1.put("currency", "EUR");
    day2.put("currency", "EUR");
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 0, 3600));
    s.addAll(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 86_400, 90_000));
    // EUR->USD 1.08 dated 1 March (used for 2 March), 1.10 dated 3 March
    Dataset<Row> rates = org.computeledger.attribute.FxRates.toDataset(spark(),
        org.computeledger.attribute.FxRates.parse(new java.io.StringReader("date,from_currency,to_currency,rate,source\n"
            + "2026-03-01,EUR,USD,1.08,ECB\n2026-03-03,EUR,USD,1.10,ECB\n"), "fx.csv"));
    EstimateParams p = EstimateParams.defaults();
    MainJob.Inputs in = new MainJob.Inputs(
        table(Table.ALLOCATIONS, List.of(alloc("100", "atlas", "n1", 1, 0, 3600), alloc("101", "atlas", "n1", 1, 86_400, 90_000))),
        table(Table.GPU_SAMPLES, s), table(Table.FLOP_COUNTS, List.of()), table(Table.CHARGES, List.of(day1, day2)),
        null, null, rates, "USD");
    MainJob.Outputs o = MainJob.compute(spark(), in, Registry.parse(REGISTRY, "registry.yaml"),
        new Flop(PeakCatalog.load(), p), p);
    Row r = Table.LINE_ITEMS.conform(o.lineItems()).filter("project = 'atlas' and branch = 'pretrain'")
        .collectAsList().get(0);
    assertEquals(0, new BigDecimal("150.00").compareTo(r.getAs("cost_billed")));
    assertEquals("EUR", r.getAs("currency"));
    // 100 × 1.08 + 50 × 1.10 = 163.00; 163 / 150 = 1.086666666667
    assertEquals(0, new BigDecimal("163.00").compareTo(r.getAs("cost_billed_converted")));
    assertEquals("USD", r.getAs("report_currency"));
    assertEquals(0, new BigDecimal("1.086666666667").compareTo(r.getAs("fx_rate")));
    assertEquals(java.sql.Date.valueOf("2026-03-03"), r.getAs("fx_date"));
    Row rec = o.costReconciliation().collectAsList().get(0);
    assertEquals("EUR", rec.getAs("currency"));
    assertEquals(0, new BigDecimal("150.00").compareTo(rec.getAs("input_total")));
  }

  @Test
  void aLineItemMixingAPricedAndAnUnpricedModelShowsTheGpuSecondsItsMarketCostLeavesOut() throws Exception {
    // job 100: 1 H100 for 1 h on n1, priced at 3.00 USD per GPU-hour; job 101: 1 A100 for 2 h on n2, no price
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 0, 3600));
    s.addAll(samples("n2", "GPU-b", 0, "NVIDIA A100-SXM4-80GB", 1.0, 0, 7200));
    Dataset<Row> prices = org.computeledger.attribute.MarketPrices.toDataset(spark(), List.of(
        new org.computeledger.attribute.MarketPrices.Price("h100-sxm", new BigDecimal("3.000000000000"), "USD",
            java.time.LocalDate.of(2026, 3, 1), "test list price", 2)));
    EstimateParams p = EstimateParams.defaults();
    MainJob.Inputs in = new MainJob.Inputs(
        table(Table.ALLOCATIONS, List.of(alloc("100", "atlas", "n1", 1, 0, 3600), alloc("101", "atlas", "n2", 1, 0, 7200))),
        table(Table.GPU_SAMPLES, s), table(Table.FLOP_COUNTS, List.of()), table(Table.CHARGES, List.of()),
        prices, null, null, "");
    MainJob.Outputs o = MainJob.compute(spark(), in, Registry.parse(REGISTRY, "registry.yaml"),
        new Flop(PeakCatalog.load(), p), p);
    Row li = Table.LINE_ITEMS.conform(o.lineItems()).filter("project = 'atlas' and branch = 'pretrain'")
        .collectAsList().get(0);
    // 3.00 × 1 GPU-hour: the A100's 2 GPU-hours (7,200 s) of the line item's 3 are not in it
    assertEquals(0, new BigDecimal("3.00").compareTo(li.getAs("cost_market")));
    assertEquals(10_800.0, (double) li.getAs("gpu_seconds"), 1e-9);
    assertEquals(7_200.0, (double) li.getAs("market_unpriced_gpu_seconds"), 1e-9);
    Map<String, Row> jobs = new HashMap<>();
    for (Row j : Table.JOBS.conform(o.jobs()).collectAsList()) {
      jobs.put(j.getAs("job_id"), j);
    }
    assertEquals(0.0, (double) jobs.get("100").getAs("market_unpriced_gpu_seconds"), 1e-9);
    assertNull(jobs.get("101").getAs("cost_market"));
    assertEquals(7_200.0, (double) jobs.get("101").getAs("market_unpriced_gpu_seconds"), 1e-9);
  }

  @Test
  void effectiveAndMarketCostAndEachJobAreConvertedWithTheirRateAndDate() throws Exception {
    // one-hour jobs alone on a one-GPU node, a day apart: billed 100.00 EUR (effective 80.00) on 2 March,
    // billed 50.00 EUR (effective 40.00) on 3 March; market price 3.00 EUR per H100-hour from 1 March
    Map<String, Object> day1 = charge("n1", 0, 3600, "100.00");
    Map<String, Object> day2 = charge("n1", 86_400, 90_000, "50.00");
    day1.put("effective_cost", new BigDecimal("80.00"));
    day2.put("effective_cost", new BigDecimal("40.00"));
    day1.put("currency", "EUR");
    day2.put("currency", "EUR");
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 0, 3600));
    s.addAll(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 86_400, 90_000));
    Dataset<Row> rates = org.computeledger.attribute.FxRates.toDataset(spark(),
        org.computeledger.attribute.FxRates.parse(new java.io.StringReader("date,from_currency,to_currency,rate,source\n"
            + "2026-03-01,EUR,USD,1.08,ECB\n2026-03-03,EUR,USD,1.10,ECB\n"), "fx.csv"));
    Dataset<Row> prices = org.computeledger.attribute.MarketPrices.toDataset(spark(), List.of(
        new org.computeledger.attribute.MarketPrices.Price("h100-sxm", new BigDecimal("3.000000000000"), "EUR",
            java.time.LocalDate.of(2026, 3, 1), "test list price", 2)));
    EstimateParams p = EstimateParams.defaults();
    MainJob.Inputs in = new MainJob.Inputs(
        table(Table.ALLOCATIONS, List.of(alloc("100", "atlas", "n1", 1, 0, 3600), alloc("101", "atlas", "n1", 1, 86_400, 90_000))),
        table(Table.GPU_SAMPLES, s), table(Table.FLOP_COUNTS, List.of()), table(Table.CHARGES, List.of(day1, day2)),
        prices, null, rates, "USD");
    MainJob.Outputs o = MainJob.compute(spark(), in, Registry.parse(REGISTRY, "registry.yaml"),
        new Flop(PeakCatalog.load(), p), p);
    Row li = Table.LINE_ITEMS.conform(o.lineItems()).filter("project = 'atlas' and branch = 'pretrain'")
        .collectAsList().get(0);
    // effective 80 × 1.08 + 40 × 1.10 = 86.40 + 44.00 = 130.40
    assertEquals(0, new BigDecimal("120.00").compareTo(li.getAs("cost_effective")));
    assertEquals(0, new BigDecimal("130.40").compareTo(li.getAs("cost_effective_converted")));
    // market 3.00 EUR per GPU-hour, 1 GPU-hour each: 3.00 × 1.08 + 3.00 × 1.10 = 6.54 USD; 6.54 / 6.00 = 1.09
    assertEquals(0, new BigDecimal("6.00").compareTo(li.getAs("cost_market")));
    assertEquals("EUR", li.getAs("market_currency"));
    assertEquals(0, new BigDecimal("6.54").compareTo(li.getAs("cost_market_converted")));
    assertEquals(0, new BigDecimal("1.09").compareTo(li.getAs("market_fx_rate")));
    assertEquals(java.sql.Date.valueOf("2026-03-03"), li.getAs("market_fx_date"));
    Map<String, Row> jobs = new HashMap<>();
    for (Row j : Table.JOBS.conform(o.jobs()).collectAsList()) {
      jobs.put(j.getAs("job_id"), j);
    }
    // job 100 on 2 March: the 1 March rate 1.08; job 101 on 3 March: 1.10
    Row j100 = jobs.get("100");
    assertEquals(0, new BigDecimal("108.00").compareTo(j100.getAs("cost_billed_converted")));
    assertEquals(0, new BigDecimal("86.40").compareTo(j100.getAs("cost_effective_converted")));
    assertEquals(0, new BigDecimal("3.24").compareTo(j100.getAs("cost_market_converted")));
    assertEquals(0, new BigDecimal("1.08").compareTo(j100.getAs("fx_rate")));
    assertEquals(java.sql.Date.valueOf("2026-03-01"), j100.getAs("fx_date"));
    assertEquals(java.sql.Date.valueOf("2026-03-01"), j100.getAs("market_fx_date"));
    assertEquals("USD", j100.getAs("report_currency"));
    Row j101 = jobs.get("101");
    assertEquals(0, new BigDecimal("55.00").compareTo(j101.getAs("cost_billed_converted")));
    assertEquals(0, new BigDecimal("44.00").compareTo(j101.getAs("cost_effective_converted")));
    assertEquals(0, new BigDecimal("3.30").compareTo(j101.getAs("cost_market_converted")));
    assertEquals(0, new BigDecimal("1.10").compareTo(j101.getAs("market_fx_rate")));
    assertEquals(java.sql.Date.valueOf("2026-03-03"), j101.getAs("fx_date"));
    // the bill's own totals stay in euros
    assertEquals(0, new BigDecimal("100.00").compareTo(j100.getAs("cost_billed")));
    assertEquals("EUR", j100.getAs("currency"));
  }

  @Test
  void aJobBilledInTwoCurrenciesHasNoSumAcrossThemButItsConvertedTotal() throws Exception {
    // one hour alone on a one-GPU node billed 100.00 EUR by one bill and 10.00 USD by another
    Map<String, Object> eur = charge("n1", 0, 3600, "100.00");
    eur.put("currency", "EUR");
    Map<String, Object> usd = charge("n1", 0, 3600, "10.00");
    Dataset<Row> rates = org.computeledger.attribute.FxRates.toDataset(spark(),
        org.computeledger.attribute.FxRates.parse(new java.io.StringReader("date,from_currency,to_currency,rate,source\n"
            + "2026-03-01,EUR,USD,1.08,ECB\n"), "fx.csv"));
    EstimateParams p = EstimateParams.defaults();
    MainJob.Inputs in = new MainJob.Inputs(table(Table.ALLOCATIONS, List.of(alloc("100", "atlas", "n1", 1, 0, 3600))),
        table(Table.GPU_SAMPLES, samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 0, 3600)),
        table(Table.FLOP_COUNTS, List.of()), table(Table.CHARGES, List.of(eur, usd)), null, null, rates, "USD");
    MainJob.Outputs o = MainJob.compute(spark(), in, Registry.parse(REGISTRY, "registry.yaml"),
        new Flop(PeakCatalog.load(), p), p);
    Row job = Table.JOBS.conform(o.jobs()).collectAsList().get(0);
    Row li = Table.LINE_ITEMS.conform(o.lineItems()).filter("project = 'atlas' and branch = 'pretrain'")
        .collectAsList().get(0);
    for (Row r : List.of(job, li)) {
      Assertions.assertNull(r.getAs("cost_billed"), "100 EUR + 10 USD is no amount");
      assertEquals("mixed", r.getAs("currency"));
      // 100 × 1.08 + 10 = 118.00 USD
      assertEquals(0, new BigDecimal("118.00").compareTo(r.getAs("cost_billed_converted")));
    }
    // the reconciliation keeps each currency's own total
    Map<String, BigDecimal> totals = new HashMap<>();
    for (Row r : o.costReconciliation().collectAsList()) {
      totals.put(r.getAs("currency"), r.getAs("input_total"));
    }
    assertEquals(0, new BigDecimal("100.00").compareTo(totals.get("EUR")));
    assertEquals(0, new BigDecimal("10.00").compareTo(totals.get("USD")));
  }

  @Test
  void withoutRatesTheConversionColumnsAreEmpty() {
    MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 3600)),
        samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 1.0, 0, 3600), List.of(),
        List.of(charge("n1", 0, 3600, "10.00")));
    Row r = item(o, "atlas", "pretrain");
    assertEquals(0, new BigDecimal("10.00").compareTo(r.getAs("cost_billed")));
    for (String c : List.of("cost_billed_converted", "cost_effective_converted", "cost_market_converted",
        "report_currency", "fx_rate", "fx_date", "fx_note", "market_fx_rate", "market_fx_date", "market_fx_note")) {
      Assertions.assertNull(r.getAs(c), c);
    }
  }

  @Test
  void theLogEndIsTheLatestTimeInEitherTableAndZeroWhenThereIsNone() {
    Map<String, Object> running = alloc("100", "atlas", "n1", 1, 0, 0);
    running.put("end_time", null);
    running.put("submit_time", ts(-60));
    Dataset<Row> allocs = table(Table.ALLOCATIONS, List.of(running, alloc("101", "atlas", "n1", 1, 0, 1200)));
    StructType seriesSchema = new StructType().add("last_ts", "timestamp");
    Dataset<Row> series = spark().createDataFrame(List.of(RowFactory.create(ts(900))), seriesSchema);
    // an allocation's end after the last sample, then a last sample after every allocation's time
    assertEquals(T0 + 1200, MainJob.logFacts(allocs, series, 3600).logEnd(), 0);
    assertEquals(T0 + 900, MainJob.logFacts(allocs.filter("end_time is null"), series, 3600).logEnd(), 0);
    assertEquals(0, MainJob.logFacts(allocs.limit(0), series.limit(0), 3600).logEnd(), 0);
  }

  @Test
  void intervalJoinsPlanNoCartesianProductOrNestedLoop() throws Exception {
    // every query the job runs, checkpoints included, as Spark planned it
    List<String> plans = PlansRun.during(spark(), () -> {
      MainJob.Outputs o = run(List.of(alloc("100", "atlas", "n1", 1, 0, 600)),
          samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 600), List.of(),
          List.of(charge("n1", 0, 3600, "10.00")));
      for (Dataset<Row> d : List.of(o.gpuUsage(), o.jobs(), o.lineItems(), o.costReconciliation())) {
        d.collectAsList();
      }
    });
    String all = String.join("\n", plans);
    // the attribution join (node and hour bucket) and the cost join were among them
    Assertions.assertTrue(all.contains("a_bucket"), "no attribution join among the plans");
    for (String plan : plans) {
      Assertions.assertFalse(plan.contains("CartesianProduct"), plan);
      Assertions.assertFalse(plan.contains("BroadcastNestedLoopJoin"), plan);
    }
  }

  @Test
  void theSameInputGivesTheSameLineItems() {
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.37, 0, 900));
    s.addAll(samples("n1", "GPU-b", 1, "NVIDIA H100 80GB HBM3", 0.91, 0, 900));
    List<Map<String, Object>> a = List.of(alloc("100", "atlas", "n1", 1, 0, 700), alloc("200", "evals", "n1", 1, 50, 900));
    List<Row> first = run(a, s, List.of(), List.of()).lineItems().collectAsList();
    List<Row> second = run(a, s, List.of(), List.of()).lineItems().collectAsList();
    assertEquals(first, second);
    Assertions.assertTrue(first.size() >= 2);
  }

  @Test
  void telemetryOutOfTimeOrderGivesTheSameLedgerAsInOrder() {
    List<Map<String, Object>> a = List.of(alloc("100", "atlas", "n1", 1, 0, 700));
    List<Map<String, Object>> s = samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 900);
    List<Map<String, Object>> reversed = new ArrayList<>(s);
    java.util.Collections.reverse(reversed);
    Row inOrder = item(run(a, s, List.of(), List.of()), "atlas", "pretrain");
    Row sorted = item(run(a, reversed, List.of(), List.of()), "atlas", "pretrain");
    // 70 samples × 10 s at 0.5 of the dense peak, by hand
    assertRelClose(0.5 * H100_BF16 * 700, inOrder.<Double>getAs(Flop.FLOP), 1e-9);
    assertEquals(inOrder.<Double>getAs(Flop.FLOP), sorted.<Double>getAs(Flop.FLOP));
    assertEquals(inOrder.<Double>getAs("gpu_seconds"), sorted.<Double>getAs("gpu_seconds"));
  }
  @Test
  void perAllocationTablesBroadcastOnlyUnderTheSessionsThresholdAndGiveTheSameRollUps() {
    long threshold = spark().sessionState().conf().autoBroadcastJoinThreshold();
    long fit = threshold / MainJob.ALLOC_ROW_BYTES;
    Assertions.assertTrue(MainJob.allocationsBroadcastable(spark(), fit, 0));
    Assertions.assertFalse(MainJob.allocationsBroadcastable(spark(), fit + 1, 0));
    // the allocations' own strings count twice (a job key repeats its cluster and job id)
    Assertions.assertFalse(MainJob.allocationsBroadcastable(spark(), fit, 1));
    // two allocations of the same lab: counted, with their strings' bytes, in the query that takes the logs' end
    List<Map<String, Object>> a = List.of(alloc("100", "atlas", "n1", 1, 0, 700), alloc("200", "evals", "n1", 1, 50, 900));
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.37, 0, 900));
    s.addAll(samples("n1", "GPU-b", 1, "NVIDIA H100 80GB HBM3", 0.91, 0, 900));
    Dataset<Row> series = spark().sql("select cast(" + (T0 + 950) + " as timestamp) as last_ts");
    MainJob.LogFacts facts = MainJob.logFacts(table(Table.ALLOCATIONS, a), series, 3600);
    assertEquals(T0 + 950, facts.logEnd(), 1e-9);
    Assertions.assertTrue(facts.allocationsBroadcastable());
    MainJob.Outputs broadcast = run(a, s, List.of(), List.of());
    List<Row> jobs = broadcast.jobs().orderBy("job_key").collectAsList();
    List<Row> items = broadcast.lineItems().collectAsList();
    String key = "spark.sql.autoBroadcastJoinThreshold";
    String before = spark().conf().get(key);
    spark().conf().set(key, "-1");
    try {
      Assertions.assertFalse(MainJob.allocationsBroadcastable(spark(), 1, 0));
      Assertions.assertFalse(MainJob.logFacts(table(Table.ALLOCATIONS, a), series, 3600).allocationsBroadcastable());
      MainJob.Outputs shuffled = run(a, s, List.of(), List.of());
      assertEquals(jobs, shuffled.jobs().orderBy("job_key").collectAsList());
      assertEquals(items, shuffled.lineItems().collectAsList());
      assertEquals(broadcast.conflicts(), shuffled.conflicts());
    } finally {
      spark().conf().set(key, before);
    }
    assertEquals(2, jobs.size());
  }

  /**
   * Two nodes over three hours: a job with a GPU index for one hour, one without for three (and its step,
   * which holds nothing of its own), and a job still running at the logs' end on the other node.
   */
  private static List<Map<String, Object>> heldAllocations() {
    Map<String, Object> indexed = alloc("100", "atlas", "n1", 1, 0, 700);
    indexed.put("gpu_indices", "0");
    Map<String, Object> step = alloc("200", "evals", "n1", 1, 50, 7300);
    step.put("step_id", "0");
    Map<String, Object> running = alloc("300", "atlas", "n2", 2, 0, 0);
    running.put("end_time", null);
    running.put("state", "RUNNING");
    return List.of(indexed, alloc("200", "evals", "n1", 1, 50, 7300), step, running);
  }

  @Test
  void allocationsPerNodeAndHourBroadcastOnlyUnderTheSessionsThresholdAndGiveTheSameLedger() throws Exception {
    List<Map<String, Object>> a = heldAllocations();
    List<Map<String, Object>> s = new ArrayList<>(samples("n1", "GPU-a", 0, "NVIDIA H100 80GB HBM3", 0.37, 0, 7300));
    s.addAll(samples("n1", "GPU-b", 1, "NVIDIA H100 80GB HBM3", 0.91, 0, 3600));
    s.addAll(samples("n2", "GPU-c", 0, "NVIDIA H100 80GB HBM3", 0.5, 0, 1800));
    // (node, hour) entries by hand: job 100 one hour, job 200 three (T0+50 to T0+7300), job 300 from T0 to the
    // logs' end (T0+7300) three; the step none. Their strings (cluster, job id, name, account, node, indices):
    // "c1" "100" "atlas" "n1" "0" = 13 bytes, "c1" "200" "evals" "n1" = 12, "c1" "300" "atlas" "n2" = 12
    long entries = 1 + 3 + 3;
    long stringBytes = 13 + 3 * 12 + 3 * 12;
    long fit = entries * GpuAttribution.HELD_ENTRY_BYTES + GpuAttribution.HELD_STRING_COPIES * stringBytes;
    Dataset<Row> series = spark().sql("select cast(" + (T0 + 7300) + " as timestamp) as last_ts");
    String key = "spark.sql.autoBroadcastJoinThreshold";
    String before = spark().conf().get(key);
    try {
      spark().conf().set(key, Long.toString(fit));
      Assertions.assertTrue(MainJob.logFacts(table(Table.ALLOCATIONS, a), series, 3600).heldBroadcastable());
      spark().conf().set(key, Long.toString(fit - 1));
      Assertions.assertFalse(MainJob.logFacts(table(Table.ALLOCATIONS, a), series, 3600).heldBroadcastable());
    } finally {
      spark().conf().set(key, before);
    }
    List<MainJob.Outputs> broadcast = new ArrayList<>();
    List<String> broadcastPlans = PlansRun.during(spark(), () -> broadcast.add(collected(run(a, s, List.of(), List.of()))));
    Assertions.assertTrue(broadcastPlans.stream().anyMatch(p -> joinsHeld(p, "BroadcastHashJoin")),
        "under the threshold the allocations per (node, hour) are broadcast");
    for (String threshold : List.of("1", "-1")) {
      spark().conf().set(key, threshold);
      try {
        List<MainJob.Outputs> shuffled = new ArrayList<>();
        List<String> plans = PlansRun.during(spark(), () -> shuffled.add(collected(run(a, s, List.of(), List.of()))));
        for (String plan : plans) {
          Assertions.assertFalse(joinsHeld(plan, "BroadcastHashJoin"), plan);
        }
        Assertions.assertTrue(plans.stream().anyMatch(p -> joinsHeld(p, "SortMergeJoin")), String.join("\n", plans));
        MainJob.Outputs b = broadcast.get(0);
        MainJob.Outputs o = shuffled.get(0);
        assertEquals(sortedRows(b.gpuUsage()), sortedRows(o.gpuUsage()));
        assertEquals(sortedRows(b.jobs()), sortedRows(o.jobs()));
        assertEquals(sortedRows(b.lineItems()), sortedRows(o.lineItems()));
        assertEquals(b.conflicts(), o.conflicts());
      } finally {
        spark().conf().set(key, before);
      }
    }
    assertEquals(3, broadcast.get(0).jobs().count());
  }

  /** True when one of {@code plan}'s lines is a join of kind {@code join} on the (node, hour) allocations. */
  private static boolean joinsHeld(String plan, String join) {
    return plan.lines().anyMatch(l -> l.contains(join) && l.contains("a_bucket"));
  }

  /** {@code o} with its tables collected (so that their queries run while plans are recorded). */
  private static MainJob.Outputs collected(MainJob.Outputs o) {
    for (Dataset<Row> d : List.of(o.gpuUsage(), o.jobs(), o.lineItems(), o.costReconciliation())) {
      d.collectAsList();
    }
    return o;
  }

  /** A table's rows in one order, whatever order its partitions came in. */
  private static List<String> sortedRows(Dataset<Row> d) {
    return d.collectAsList().stream().map(Row::toString).sorted().toList();
  }
}
