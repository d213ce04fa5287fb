package org.computeledger.attribute;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.PlansRun;
import org.computeledger.estimate.Activity;
import org.computeledger.estimate.SampleWindows;
import org.computeledger.estimate.TelemetryScan;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Attribution of window sums to allocations, against hand-computed shares. */
class GpuAttributionTest extends LocalSparkTestBase {
  static final long T0 = Instant.parse("2026-03-02T10:00:00Z").getEpochSecond();

  /** One window row of GPU 0 on node n1 in the hour of T0, with {@code covered} seconds and a job label or none. */
  private static Row window(String job, double covered) {
    List<Object> v = new ArrayList<>(List.of(42L, T0 / 3600, (T0 + 10) * 1_000_000L, (T0 + 600) * 1_000_000L));
    v.add(job);
    v.add(null);
    v.add(null);
    v.addAll(List.of(covered / 10, (double) T0, T0 + 600.0));
    for (String s : Activity.sums()) {
      v.add(s.equals(Activity.COVERED_S) || s.equals(Activity.UTIL_COVERED_S) ? covered : 0.0);
    }
    v.add("n1");
    v.add(0);
    return RowFactory.create(v.toArray());
  }

  private static StructType windowSchema() {
    StructType s = new StructType().add(SampleWindows.SERIES_KEY, DataTypes.LongType)
        .add(TelemetryScan.BUCKET, DataTypes.LongType).add(TelemetryScan.T_LO, DataTypes.LongType)
        .add(TelemetryScan.T_HI, DataTypes.LongType).add(GpuSamples.HPC_JOB, DataTypes.StringType)
        .add(GpuSamples.POD, DataTypes.StringType).add(GpuSamples.NAMESPACE, DataTypes.StringType)
        .add(SampleWindows.SAMPLES, DataTypes.DoubleType).add(SampleWindows.WINDOW_START, DataTypes.DoubleType)
        .add(SampleWindows.WINDOW_END, DataTypes.DoubleType);
    for (String a : Activity.sums()) {
      s = s.add(a, DataTypes.DoubleType);
    }
    return s.add(GpuSamples.HOST, DataTypes.StringType).add(GpuSamples.GPU_INDEX, DataTypes.IntegerType);
  }

  /** Job 7 holding {@code gpus} of n1's 8 GPUs for the hour of T0, without indices. */
  private Dataset<Row> exploded(int gpus) {
    return exploded("7", gpus, null);
  }

  /** A job holding {@code gpus} of n1's GPUs for the hour of T0, with the GPU indices sacct gave, or none. */
  private Dataset<Row> exploded(String job, int gpus, String indices) {
    StructType a = Table.ALLOCATIONS.schema();
    Object[] v = new Object[a.size()];
    v[a.fieldIndex("cluster")] = "c";
    v[a.fieldIndex("job_id")] = job;
    v[a.fieldIndex("gpu_indices")] = indices;
    v[a.fieldIndex("node")] = "n1";
    v[a.fieldIndex("gpu_count")] = gpus;
    v[a.fieldIndex("start_time")] = Timestamp.from(Instant.ofEpochSecond(T0));
    v[a.fieldIndex("end_time")] = Timestamp.from(Instant.ofEpochSecond(T0 + 3600));
    v[a.fieldIndex("source_format")] = "sacct";
    Dataset<Row> allocs = spark.createDataFrame(List.of(RowFactory.create(v)), a);
    return GpuAttribution.exploded(GpuAttribution.accountable(allocs, T0 + 3600), 3600);
  }

  private Dataset<Row> nodeGpus() {
    return spark.createDataFrame(List.of(RowFactory.create("n1", 8)), new StructType()
        .add(GpuSamples.HOST, DataTypes.StringType).add(GpuAttribution.NODE_GPUS, DataTypes.IntegerType));
  }

  private static double covered(List<Row> rows, String rule) {
    return rows.stream().filter(r -> rule.equals(r.getAs(GpuAttribution.RULE)))
        .mapToDouble(r -> r.<Double>getAs(Activity.COVERED_S)).sum();
  }

  @Test
  void labelledSamplesGoWhollyToTheirJobAndUnlabelledOnesArePaidByShareWithTheRestLeftToTheGpu() {
    // job 7 holds 4 of n1's 8 GPUs all hour; GPU 0's hour has 100 s labelled "7" and 50 s unlabelled
    Dataset<Row> windows = spark.createDataFrame(List.of(window(null, 50), window("7", 100)), windowSchema());

    List<Row> out = GpuAttribution.attribute(windows, exploded(4), nodeGpus(), true).collectAsList();
    // labelled: all 100 s to the job (weight 1); unlabelled: 50 s × 4/8 to the job, the other half stays
    assertEquals(3, out.size());
    assertEquals(100.0, covered(out, "job-label"), 1e-9);
    assertEquals(25.0, covered(out, "pro-rated"), 1e-9);
    assertEquals(25.0, covered(out, "unattributed"), 1e-9);
    for (Row r : out) {
      boolean rest = r.getAs(GpuAttribution.RULE).equals("unattributed");
      assertEquals(rest, r.isNullAt(r.fieldIndex(GpuAttribution.ALLOC_ID)), "only the rest has no allocation");
      double expectedWeight = r.getAs(GpuAttribution.RULE).equals("job-label") ? 1.0 : 0.5;
      assertEquals(expectedWeight, r.<Double>getAs(GpuAttribution.WEIGHT), 0.0);
      // the samples are split like the seconds
      assertEquals(r.<Double>getAs(Activity.COVERED_S) / 10, r.<Double>getAs(SampleWindows.SAMPLES), 1e-12);
    }
  }

  @Test
  void aJobHoldingEveryGpuOfItsNodeTakesTheWholeWindowAndLeavesNoRest() {
    Dataset<Row> windows = spark.createDataFrame(List.of(window(null, 60)), windowSchema());
    List<Row> out = GpuAttribution.attribute(windows, exploded(8), nodeGpus(), true).collectAsList();
    assertEquals(1, out.size());
    assertEquals("node-exclusive", out.get(0).<String>getAs(GpuAttribution.RULE));
    assertEquals(60.0, out.get(0).<Double>getAs(Activity.COVERED_S), 1e-9);
  }

  @Test
  void aWindowOnANodeNoAllocationTouchesStaysWholeWithTheGpu() {
    Dataset<Row> windows = spark.createDataFrame(List.of(window("7", 60)), windowSchema())
        .withColumn(GpuSamples.HOST, org.apache.spark.sql.functions.lit("n2"));
    List<Row> out = GpuAttribution.attribute(windows, exploded(8), nodeGpus(), true).collectAsList();
    assertEquals(1, out.size());
    assertEquals("unattributed", out.get(0).<String>getAs(GpuAttribution.RULE));
    assertEquals(1.0, out.get(0).<Double>getAs(GpuAttribution.WEIGHT), 0.0);
    assertEquals(60.0, out.get(0).<Double>getAs(Activity.COVERED_S), 1e-9);
  }

  @Test
  void twoJobsWhoseIndicesNameTheSameGpuAtOnceArePaidHalfEachNeverTwice() {
    Dataset<Row> windows = spark.createDataFrame(List.of(window(null, 60)), windowSchema());
    Dataset<Row> allocs = exploded("7", 2, "0,1").unionByName(exploded("8", 2, "0,3"));
    List<Row> out = GpuAttribution.attribute(windows, allocs, nodeGpus(), true).collectAsList();
    assertEquals(2, out.size(), out.toString());
    for (Row r : out) {
      assertEquals(GpuAttribution.CONFLICT, r.<String>getAs(GpuAttribution.RULE));
      assertEquals(0.5, r.<Double>getAs(GpuAttribution.WEIGHT), 1e-12);
    }
    assertEquals(60.0, covered(out, GpuAttribution.CONFLICT), 1e-9);
  }

  @Test
  void moreGpusAllocatedOnANodeThanItHasArePaidInProportionAndTheWindowAddsUpToOne() {
    // jobs 7 and 8 each hold all 8 GPUs of n1 (and job 9 four of them) at the same time
    Dataset<Row> windows = spark.createDataFrame(List.of(window(null, 60)), windowSchema());
    Dataset<Row> allocs = exploded("7", 8, null).unionByName(exploded("8", 8, null)).unionByName(exploded("9", 4, null));
    List<Row> out = GpuAttribution.attribute(windows, allocs, nodeGpus(), true).collectAsList();
    assertEquals(3, out.size(), out.toString());
    double weights = out.stream().mapToDouble(r -> r.<Double>getAs(GpuAttribution.WEIGHT)).sum();
    assertEquals(1.0, weights, 1e-12);
    assertEquals(60.0, covered(out, GpuAttribution.CONFLICT), 1e-9);
    assertEquals(0.2, out.stream().filter(r -> r.<Long>getAs(GpuAttribution.ALLOC_ID) != null)
        .mapToDouble(r -> r.<Double>getAs(GpuAttribution.WEIGHT)).min().orElseThrow(), 1e-12);
  }

  @Test
  void allocationsJoinedByAShuffleInsteadOfABroadcastGiveTheSameShares() throws Exception {
    // a labelled and an unlabelled window; jobs 7 (4 GPUs), 8 and 9 (indices naming GPU 0 twice)
    Dataset<Row> windows = spark.createDataFrame(List.of(window(null, 50), window("7", 100)), windowSchema());
    Dataset<Row> allocs = exploded(4).unionByName(exploded("8", 2, "0,1")).unionByName(exploded("9", 2, "0,3"));
    List<String> broadcast = new ArrayList<>();
    List<String> broadcastPlans = PlansRun.during(spark, () -> GpuAttribution.attribute(windows, allocs, nodeGpus(), true)
        .collectAsList().forEach(r -> broadcast.add(r.toString())));
    List<String> shuffled = new ArrayList<>();
    List<String> plans = PlansRun.during(spark, () -> GpuAttribution.attribute(windows, allocs, nodeGpus(), false)
        .collectAsList().forEach(r -> shuffled.add(r.toString())));
    Assertions.assertTrue(broadcastPlans.stream().anyMatch(p -> joinsHeld(p, "BroadcastHashJoin")), broadcastPlans.toString());
    // not broadcast even though the session's threshold would take so small a table
    Assertions.assertFalse(plans.stream().anyMatch(p -> joinsHeld(p, "BroadcastHashJoin")), plans.toString());
    Assertions.assertTrue(plans.stream().anyMatch(p -> joinsHeld(p, "SortMergeJoin")), plans.toString());
    java.util.Collections.sort(broadcast);
    java.util.Collections.sort(shuffled);
    assertEquals(broadcast, shuffled);
    assertEquals(4, shuffled.size(), shuffled.toString());
  }

  /** True when one of {@code plan}'s lines is a join of kind {@code join} on the (node, hour) allocations. */
  private static boolean joinsHeld(String plan, String join) {
    return plan.lines().anyMatch(l -> l.contains(join) && l.contains("a_bucket"));
  }

  @Test
  void theRulesOfManyRowsReadBackFromTheirBitsInAlphabeticalOrder() {
    // gpu-index comes after job-label among the rules' bits and before it in the alphabet
    Dataset<Row> rules = spark.createDataFrame(List.of(RowFactory.create("pro-rated"), RowFactory.create("job-label"),
        RowFactory.create("gpu-index"), RowFactory.create("pro-rated")), new StructType().add("rule", DataTypes.StringType));
    Row r = rules.agg(GpuAttribution.ruleNames(org.apache.spark.sql.functions.bit_or(
        GpuAttribution.ruleBit(col("rule"))))).first();
    assertEquals("gpu-index,job-label,pro-rated", r.getString(0));
  }
}
