package org.computeledger.estimate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;

/** The one-pass telemetry scan and its resolution into windows, against hand-counted seconds. */
class TelemetryScanTest extends SparkTestBase {
  static final long T0 = Instant.parse("2026-03-02T10:00:00Z").getEpochSecond();

  /** One row per offset (seconds after T0), utilization 0.5, in {@code splits} contiguous slices in the order given. */
  private Dataset<Row> samples(List<Long> offsets, int splits) {
    return samples(offsets, splits, t -> null);
  }

  /** As {@link #samples(List, int)}, each sample labelled with the job {@code job} gives for its offset. */
  private Dataset<Row> samples(List<Long> offsets, int splits, java.util.function.LongFunction<String> job) {
    StructType s = Table.GPU_SAMPLES.schema();
    List<Row> rows = new ArrayList<>();
    for (long t : offsets) {
      Object[] v = new Object[s.size()];
      v[s.fieldIndex("ts")] = Timestamp.from(Instant.ofEpochSecond(T0 + t));
      v[s.fieldIndex("host")] = "node1";
      v[s.fieldIndex("gpu_uuid")] = "GPU-1";
      v[s.fieldIndex("gpu_index")] = 0;
      v[s.fieldIndex("gpu_util")] = 0.5;
      v[s.fieldIndex("source_file")] = "f";
      v[s.fieldIndex("source_line")] = t;
      v[s.fieldIndex("hpc_job")] = job.apply(t);
      rows.add(RowFactory.create(v));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
    return spark().createDataFrame(jsc.parallelize(rows, splits), s);
  }

  private static List<Long> every10s(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long t = from; t <= to; t += 10) {
      out.add(t);
    }
    return out;
  }

  private static double total(Dataset<Row> windows, String column) {
    return windows.agg(sum(col(column))).first().getDouble(0);
  }

  private Dataset<Row> scan(Dataset<Row> samples, Map<String, long[]> bounds) {
    return TelemetryScan.scan(spark(), samples, bounds, 3600);
  }

  /** Samples every 10 s on an H100 SXM with tensor pipe 0.5 and the given SM clock (MHz). */
  private Dataset<Row> h100PipeSamples(double mhz) {
    StructType s = Table.GPU_SAMPLES.schema();
    List<Row> rows = new ArrayList<>();
    for (long t : every10s(10, 600)) {
      Object[] v = new Object[s.size()];
      v[s.fieldIndex("ts")] = Timestamp.from(Instant.ofEpochSecond(T0 + t));
      v[s.fieldIndex("host")] = "node1";
      v[s.fieldIndex("gpu_uuid")] = "GPU-1";
      v[s.fieldIndex("gpu_index")] = 0;
      v[s.fieldIndex("gpu_model")] = "NVIDIA H100 80GB HBM3";
      v[s.fieldIndex("gpu_util")] = 0.9;
      v[s.fieldIndex("pipe_tensor_active")] = 0.5;
      v[s.fieldIndex("sm_clock_mhz")] = mhz;
      v[s.fieldIndex("source_file")] = "f";
      v[s.fieldIndex("source_line")] = t;
      rows.add(RowFactory.create(v));
    }
    return spark().createDataFrame(rows, s);
  }

  @Test
  void aClockAboveTheBoostClockIsRejectedNotUsedAsAMultiplier() {
    Dataset<Row> scan = TelemetryScan.scan(spark(), h100PipeSamples(2400), Map.of(), 3600, Map.of("h100-sxm", 1980.0));
    Dataset<Row> w = SampleWindows.windows(scan, 3);
    assertEquals(0.0, total(w, Activity.pipeClk("tensor")), 1e-9);
    assertEquals(0.5 * 600.0, total(w, Activity.pipeNoClk("tensor")), 1e-6);
    assertEquals(600.0, total(w, Activity.CLOCK_REJECTED_S), 1e-6);
  }

  @Test
  void aZeroClockIsRejected() {
    Dataset<Row> scan = TelemetryScan.scan(spark(), h100PipeSamples(0), Map.of(), 3600, Map.of("h100-sxm", 1980.0));
    Dataset<Row> w = SampleWindows.windows(scan, 3);
    assertEquals(600.0, total(w, Activity.CLOCK_REJECTED_S), 1e-6);
    assertEquals(0.5 * 600.0, total(w, Activity.pipeNoClk("tensor")), 1e-6);
  }

  @Test
  void aClockAtOrBelowBoostScalesAsBeforeAndPipeSamplesKeepTheirUtilization() {
    Dataset<Row> scan = TelemetryScan.scan(spark(), h100PipeSamples(1755), Map.of(), 3600, Map.of("h100-sxm", 1980.0));
    Dataset<Row> w = SampleWindows.windows(scan, 3);
    assertEquals(0.5 * 600.0 * 1755, total(w, Activity.pipeClk("tensor")), 1e-3);
    assertEquals(0.0, total(w, Activity.CLOCK_REJECTED_S), 1e-9);
    assertEquals(600.0, total(w, Activity.PIPE_UTIL_COVERED_S), 1e-6);
    assertEquals(0.9 * 600.0, total(w, Activity.PIPE_UTIL_S), 1e-6);
  }

  @Test
  void everySampleCoversTheTimeSinceThePreviousAndTheFirstOneCadence() {
    // 10:00:10 .. 11:00:00 every 10 s: 360 samples, the first covering one cadence (10 s)
    Dataset<Row> scan = scan(samples(every10s(10, 3600), 1), Map.of());
    assertTrue(SampleWindows.inOrder(scan));
    Dataset<Row> w = SampleWindows.windows(scan, 3);
    assertEquals(3600.0, total(w, Activity.COVERED_S), 1e-6);
    assertEquals(0.5 * 3600.0, total(w, Activity.UTIL_S), 1e-6);
    assertEquals(360.0, total(w, SampleWindows.SAMPLES), 1e-9);
    Row series = SampleWindows.series(scan, w).first();
    assertEquals(10.0, series.<Double>getAs(SampleWindows.CADENCE), 1e-9);
  }

  @Test
  void aSeriesSplitAcrossSplitsGivesTheSameSecondsAsWhole() {
    Dataset<Row> sliced = samples(every10s(10, 7200), 4);
    assertEquals(4, sliced.rdd().getNumPartitions());
    Dataset<Row> scan = scan(sliced, Map.of());
    assertTrue(SampleWindows.inOrder(scan));
    // each split's first sample reaches back into the split before it
    assertEquals(4L, scan.filter(col(TelemetryScan.KIND).equalTo(TelemetryScan.KIND_HEAD)).count());
    Dataset<Row> w = SampleWindows.windows(scan, 3);
    assertEquals(7200.0, total(w, Activity.COVERED_S), 1e-6);
    assertEquals(720.0, total(w, SampleWindows.SAMPLES), 1e-9);
  }

  @Test
  void theSegmentsFactsTellOrderAndSizeInOneQueryAndABroadcastGivesTheSameWindows() {
    // four splits in order: four segments, each with its head gap to the split before
    Dataset<Row> scan = scan(samples(every10s(10, 7200), 4), Map.of());
    Dataset<Row> segs = SampleWindows.segments(scan);
    SampleWindows.SegmentFacts facts = SampleWindows.segmentFacts(segs);
    assertTrue(facts.inOrder());
    assertTrue(facts.broadcastable());
    List<Row> shuffled = SampleWindows.windows(scan, segs, 3, false).orderBy(TelemetryScan.BUCKET, TelemetryScan.T_LO)
        .collectAsList();
    Dataset<Row> broadcast = SampleWindows.windows(scan, segs, 3, true);
    // the heads meet their gaps without a sort-merge join (the cadence is broadcast either way)
    assertTrue(SampleWindows.windows(scan, segs, 3, false).queryExecution().executedPlan().toString()
        .contains("SortMergeJoin"));
    assertFalse(broadcast.queryExecution().executedPlan().toString().contains("SortMergeJoin"));
    assertEquals(shuffled, broadcast.orderBy(TelemetryScan.BUCKET, TelemetryScan.T_LO).collectAsList());
    assertEquals(7200.0, total(broadcast, Activity.COVERED_S), 1e-6);
    // splits that interleave are out of order in the same facts
    List<Long> t = every10s(10, 300);
    t.addAll(every10s(15, 305));
    assertFalse(SampleWindows.segmentFacts(SampleWindows.segments(scan(samples(t, 2), Map.of()))).inOrder());
  }

  @Test
  void headGapsBroadcastOnlyUnderTheSessionsBroadcastThreshold() {
    long threshold = spark().sessionState().conf().autoBroadcastJoinThreshold();
    long fit = threshold / SampleWindows.HEAD_GAP_ROW_BYTES;
    assertTrue(SampleWindows.broadcastable(spark(), fit));
    assertFalse(SampleWindows.broadcastable(spark(), fit + 1));
    String key = "spark.sql.autoBroadcastJoinThreshold";
    String before = spark().conf().get(key);
    spark().conf().set(key, "-1");
    try {
      assertFalse(SampleWindows.broadcastable(spark(), 1));
    } finally {
      spark().conf().set(key, before);
    }
  }

  @Test
  void splitsOfOneSeriesThatInterleaveInTimeAreDetected() {
    List<Long> t = every10s(10, 300);
    t.addAll(every10s(15, 305));
    assertFalse(SampleWindows.inOrder(scan(samples(t, 2), Map.of())));
  }

  @Test
  void aGapLongerThanTheCapCoversNothingAndIsCounted() {
    // 10..600 every 10 s (60 samples), then nothing until 900: a 300 s gap > 3 × 10 s
    List<Long> t = every10s(10, 600);
    t.add(900L);
    Dataset<Row> scan = scan(samples(t, 1), Map.of());
    Dataset<Row> w = SampleWindows.windows(scan, 3);
    assertEquals(600.0, total(w, Activity.COVERED_S), 1e-6);
    assertEquals(300.0, SampleWindows.series(scan, w).first().<Double>getAs(SampleWindows.GAP_S), 1e-6);
  }

  @Test
  void samplesOutOfTimeOrderWithinASplitAreDetected() {
    List<Long> t = every10s(10, 300);
    Collections.reverse(t);
    assertFalse(SampleWindows.inOrder(scan(samples(t, 1), Map.of())));
  }

  @Test
  void sumsAreCutAtAllocationBoundariesOfTheirHost() {
    long edge = (T0 + 95) * 1_000_000L;
    Dataset<Row> scan = scan(samples(every10s(10, 300), 1), Map.of("node1", new long[] {edge}));
    Dataset<Row> w = SampleWindows.windows(scan, 3);
    // samples at 10..90 lie in (−∞, edge], samples at 100..300 in (edge, +∞)
    Row before = w.filter(col(TelemetryScan.T_HI).equalTo(edge)).first();
    Row after = w.filter(col(TelemetryScan.T_LO).equalTo(edge)).first();
    assertEquals(9.0, before.<Double>getAs(SampleWindows.SAMPLES), 1e-9);
    assertEquals(21.0, after.<Double>getAs(SampleWindows.SAMPLES), 1e-9);
    assertEquals(90.0, before.<Double>getAs(Activity.COVERED_S), 1e-6);
    assertEquals(210.0, after.<Double>getAs(Activity.COVERED_S), 1e-6);
  }

  @Test
  void sumsFollowTheJobLabelOfEachSample() {
    // job 7 labels the samples up to 100 s, job 8 the later ones, job 7 again from 200 s
    Dataset<Row> w = SampleWindows.windows(scan(samples(every10s(10, 300), 1,
        t -> t <= 100 || t > 200 ? "7" : "8"), Map.of()), 3);
    Row seven = w.groupBy("hpc_job").agg(sum(col(SampleWindows.SAMPLES)), sum(col(Activity.COVERED_S)))
        .filter(col("hpc_job").equalTo("7")).first();
    Row eight = w.groupBy("hpc_job").agg(sum(col(SampleWindows.SAMPLES)), sum(col(Activity.COVERED_S)))
        .filter(col("hpc_job").equalTo("8")).first();
    assertEquals(20.0, seven.getDouble(1), 1e-9);
    assertEquals(200.0, seven.getDouble(2), 1e-6);
    assertEquals(10.0, eight.getDouble(1), 1e-9);
    assertEquals(100.0, eight.getDouble(2), 1e-6);
  }

  @Test
  void manyDistinctIntervalsWithinAnHourAreAllCounted() {
    // intervals of 10, 11, ..., 21 s: more distinct lengths than the scan keeps open sums for
    List<Long> t = new ArrayList<>();
    long at = 0;
    for (int i = 0; i < 48; i++) {
      at += 10 + i % 12;
      t.add(at);
    }
    // 47 intervals: 3 of 10 s and 4 each of 11..21 s, so the median (24th) is 16 s; every interval is
    // within 3 × 16 s, and the first sample covers one median
    double expected = (at - t.get(0)) + 16.0;
    Dataset<Row> scan = scan(samples(t, 1), Map.of());
    assertTrue(scan.filter(col(TelemetryScan.KIND).equalTo(TelemetryScan.KIND_SUMS)).count() > 8);
    Dataset<Row> w = SampleWindows.windows(scan, 3);
    assertEquals(expected, total(w, Activity.COVERED_S), 1e-6);
    assertEquals(16.0, SampleWindows.series(scan, w).first().<Double>getAs(SampleWindows.CADENCE), 1e-9);
  }

  /** Interleaved series (pipes with and without clock, utilization only, MIG, no UUID) with labels that change. */
  private Dataset<Row> mixedSamples(int splits) {
    StructType s = Table.GPU_SAMPLES.schema();
    List<Row> rows = new ArrayList<>();
    String[][] ids = {{"node1", "GPU-a", null, null}, {"node1", "GPU-b", null, null}, {"node2", null, null, null},
        {"node1", "GPU-a", "1g.10gb", "3"}};
    long t = 0;
    for (int i = 0; i < 400; i++) {
      int which = (i / 7 + i / 13) % ids.length;
      t += 3 + i % 5;
      Object[] v = new Object[s.size()];
      String[] id = ids[which];
      v[s.fieldIndex("ts")] = Timestamp.from(Instant.ofEpochSecond(T0 + t * 10 + which));
      v[s.fieldIndex("host")] = id[0];
      v[s.fieldIndex("gpu_uuid")] = id[1];
      v[s.fieldIndex("gpu_index")] = which == 2 ? null : which;
      v[s.fieldIndex("gpu_model")] = which == 1 ? "Tesla T4" : "NVIDIA H100 80GB HBM3";
      v[s.fieldIndex("mig_profile")] = id[2];
      v[s.fieldIndex("mig_instance")] = id[3];
      v[s.fieldIndex("gpu_util")] = i % 11 == 0 ? null : (i % 10) / 10.0;
      if (which == 0 || which == 3) {
        v[s.fieldIndex("pipe_tensor_active")] = (i % 9) / 9.0;
        v[s.fieldIndex("pipe_fp32_active")] = i % 4 == 0 ? null : 0.25;
        v[s.fieldIndex("sm_clock_mhz")] = which == 0 && i % 6 != 0 ? 1755.0 : null;
      }
      v[s.fieldIndex("hpc_job")] = i % 50 < 30 ? "job-" + (i / 50) : null;
      v[s.fieldIndex("pod")] = which == 1 && i > 200 ? "trainer-0" : null;
      v[s.fieldIndex("namespace")] = which == 1 && i > 200 ? "team" : null;
      v[s.fieldIndex("source_file")] = "f";
      v[s.fieldIndex("source_line")] = (long) i;
      rows.add(RowFactory.create(v));
    }
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark().sparkContext());
    return spark().createDataFrame(jsc.parallelize(rows, splits), s);
  }

  private static List<String> sortedRows(Dataset<Row> d) {
    List<String> out = new ArrayList<>();
    for (Row r : d.collectAsList()) {
      out.add(r.toString());
    }
    Collections.sort(out);
    return out;
  }

  @Test
  void theSeriesKeyOfTheColumnarReaderIsSparksOwn() {
    Dataset<Row> in = mixedSamples(1);
    List<Row> rows = in.select(col("host"), col("gpu_uuid"), col("mig_instance"),
        SampleWindows.seriesKey(col("host"), col("gpu_uuid"), col("mig_instance"))).distinct().collectAsList();
    assertEquals(4, rows.size());
    for (Row r : rows) {
      assertEquals(r.getLong(3), TelemetryScan.seriesKey(utf8(r.getString(0)), utf8(r.getString(1)),
          utf8(r.getString(2))), r.toString());
    }
    assertEquals(spark().sql("SELECT xxhash64(CAST(NULL AS STRING), 'u', '')").first().getLong(0),
        TelemetryScan.seriesKey(null, utf8("u"), null));
  }

  private static org.apache.spark.unsafe.types.UTF8String utf8(String s) {
    return s == null ? null : org.apache.spark.unsafe.types.UTF8String.fromString(s);
  }

  @Test
  void parquetColumnBatchesGiveTheSameSumsAsRows() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("scan-columnar");
    Map<String, long[]> bounds = Map.of("node1", new long[] {(T0 + 4000) * 1_000_000L, (T0 + 9000) * 1_000_000L});
    String batch = "spark.sql.parquet.columnarReaderBatchSize";
    try {
      // small batches, so that series and labels change across batch edges too
      spark().conf().set(batch, "7");
      for (String dictionary : List.of("true", "false")) {
        String path = dir.resolve("dict-" + dictionary).toString();
        // one file, so one split that holds every series in time order (small files are packed into one split)
        mixedSamples(1).write().option("parquet.enable.dictionary", dictionary).parquet(path);
        Dataset<Row> read = spark().read().schema(Table.GPU_SAMPLES.schema()).parquet(path);
        org.junit.jupiter.api.Assertions.assertNotNull(ColumnarSamples.of(read), "a plain Parquet read is read by column batches");
        org.junit.jupiter.api.Assertions.assertNull(ColumnarSamples.of(read.filter(col("host").isNotNull())), "a filtered one is not");
        List<String> columnar = sortedRows(TelemetryScan.scan(spark(), read, bounds, 3600, true));
        List<String> rows = sortedRows(TelemetryScan.scan(spark(), read, bounds, 3600, false));
        org.junit.jupiter.api.Assertions.assertTrue(columnar.size() > 60, "sums, heads and segments of four series: " + columnar.size());
        assertTrue(SampleWindows.inOrder(TelemetryScan.scan(spark(), read, bounds, 3600, true)));
        assertEquals(rows.size(), columnar.size(), "dictionary " + dictionary);
        for (int i = 0; i < rows.size(); i++) {
          assertEquals(rows.get(i), columnar.get(i), "dictionary " + dictionary + ", row " + i);
        }
      }
    } finally {
      spark().conf().unset(batch);
      org.apache.commons.io.FileUtils.deleteDirectory(dir.toFile());
    }
  }

  /** Two GPUs' samples with every field the pass reads set, so that no column batch holds a null. */
  private Dataset<Row> fullSamples() {
    StructType s = Table.GPU_SAMPLES.schema();
    List<Row> rows = new ArrayList<>();
    for (int g = 0; g < 2; g++) {
      for (int i = 0; i < 150; i++) {
        Object[] v = new Object[s.size()];
        v[s.fieldIndex("ts")] = Timestamp.from(Instant.ofEpochSecond(T0 + 10L * i + (i % 7 == 0 ? 3 : 0)));
        v[s.fieldIndex("host")] = "node1";
        v[s.fieldIndex("gpu_uuid")] = "GPU-" + g;
        v[s.fieldIndex("gpu_index")] = g;
        v[s.fieldIndex("gpu_model")] = "NVIDIA H100 80GB HBM3";
        v[s.fieldIndex("mig_profile")] = "7g.80gb";
        v[s.fieldIndex("mig_instance")] = "0";
        v[s.fieldIndex("hpc_job")] = "job-" + (i / 40);
        v[s.fieldIndex("pod")] = "trainer-" + (i / 60);
        v[s.fieldIndex("namespace")] = "team";
        v[s.fieldIndex("gpu_util")] = (i % 10) / 10.0;
        v[s.fieldIndex("pipe_tensor_active")] = (i % 9) / 9.0;
        v[s.fieldIndex("pipe_fp64_active")] = 0.125;
        v[s.fieldIndex("pipe_fp32_active")] = (i % 4) / 4.0;
        v[s.fieldIndex("pipe_fp16_active")] = 0.0625;
        v[s.fieldIndex("sm_clock_mhz")] = i % 3 == 0 ? 1980.0 : 1755.0;
        v[s.fieldIndex("source_file")] = "f";
        v[s.fieldIndex("source_line")] = (long) i;
        rows.add(RowFactory.create(v));
      }
    }
    return spark().createDataFrame(rows, s).coalesce(1);
  }

  @Test
  void columnBatchesWithoutNullsAreReadWholeWithTheSameSumsAsRows() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("scan-full");
    Map<String, long[]> bounds = Map.of("node1", new long[] {(T0 + 500) * 1_000_000L});
    String batch = "spark.sql.parquet.columnarReaderBatchSize";
    try {
      spark().conf().set(batch, "16");
      for (String dictionary : List.of("true", "false")) {
        String path = dir.resolve("dict-" + dictionary).toString();
        fullSamples().write().option("parquet.enable.dictionary", dictionary).parquet(path);
        Dataset<Row> read = spark().read().schema(Table.GPU_SAMPLES.schema()).parquet(path);
        List<String> columnar = sortedRows(TelemetryScan.scan(spark(), read, bounds, 3600, true));
        List<String> rows = sortedRows(TelemetryScan.scan(spark(), read, bounds, 3600, false));
        org.junit.jupiter.api.Assertions.assertTrue(columnar.size() > 10, "sums, heads and segments of two series: " + columnar.size());
        assertEquals(rows, columnar, "dictionary " + dictionary);
      }
    } finally {
      spark().conf().unset(batch);
      org.apache.commons.io.FileUtils.deleteDirectory(dir.toFile());
    }
  }
}
