package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.computeledger.schema.GpuSamples;
import org.computeledger.common.ColumnSteps;

/**
 * Window convention: a sample covers the time since the previous sample of the same GPU series
 * (host, GPU UUID, MIG instance), capped at {@code maxGapFactor} × the series' median cadence. A
 * longer gap covers nothing (it is "no telemetry", left to the allocation method); the first sample of
 * a series covers one median cadence; a duplicate sample (same timestamp) covers zero seconds, so
 * overlapping exports cannot count twice.
 *
 * <p>This class turns the sums of {@link TelemetryScan} into windows under that convention: it joins
 * the splits of each series (the first sample of a split follows the last sample of the split before
 * it), finds each series' median cadence, applies the cap, and gives activity-seconds per (series,
 * hour bucket, time segment, job labels). All of it works on sums and per-split rows, never on samples.
 */
public final class SampleWindows {
  public static final String SERIES_KEY = "series_key";
  public static final String CADENCE = "cadence_s";
  public static final String GAP_S = "gap_s";
  public static final String SAMPLES = "samples";
  public static final String WINDOW_START = "window_start_s";
  public static final String WINDOW_END = "window_end_s";

  private SampleWindows() {}

  /** A compact 64-bit key for a GPU series: joins and shuffles move a long, not three strings. */
  public static Column seriesKey(Column host, Column gpuUuid, Column migInstance) {
    return xxhash64(host, coalesce(gpuUuid, lit("")), coalesce(migInstance, lit("")));
  }

  /**
   * Each series' extent per split, in time order, with the end of everything before it: a split whose
   * first sample is earlier than an earlier split's last overlaps it, and the scan's sums are not
   * valid for that series.
   */
  public static Dataset<Row> segments(Dataset<Row> scan) {
    WindowSpec before = Window.partitionBy(col(SERIES_KEY))
        .orderBy(col("first_us"), col("last_us"), col(TelemetryScan.PART))
        .rowsBetween(Window.unboundedPreceding(), -1);
    Dataset<Row> extents = scan.filter(col(TelemetryScan.KIND).equalTo(TelemetryScan.KIND_SEGMENT))
        .withColumnRenamed(TelemetryScan.MIN_TS, "first_us")
        .withColumnRenamed(TelemetryScan.MAX_TS, "last_us");
    return ColumnSteps.steps()
        .set("prev_last_us", max(col("last_us")).over(before))
        .set("overlap", coalesce(col("first_us").lt(col("prev_last_us")), lit(false)))
        .set("head_dt_us", col("first_us").minus(col("prev_last_us")))
        .applyTo(extents);
  }

  /**
   * True when the scan saw every series in time order within each split and the splits of a series
   * do not interleave in time; otherwise the samples must be sorted and scanned again.
   */
  public static boolean inOrder(Dataset<Row> scan) {
    return segmentFacts(segments(scan)).inOrder();
  }

  /**
   * What the run learns of the scan's {@link #segments} before it makes the windows: whether they are
   * in order ({@link #inOrder}) and whether their head gaps are small enough to broadcast to the
   * windows' join ({@link #broadcastable}).
   */
  public record SegmentFacts(boolean inOrder, boolean broadcastable) {}

  /**
   * {@link SegmentFacts} in one query over the segments (their rows and out-of-order rows counted
   * together), where the order alone would be a query of its own.
   */
  public static SegmentFacts segmentFacts(Dataset<Row> segments) {
    Row r = segments.agg(count(lit(1)), count(when(col(TelemetryScan.DISORDER).or(col("overlap")), lit(1))))
        .first();
    return new SegmentFacts(r.getLong(1) == 0, broadcastable(segments.sparkSession(), r.getLong(0)));
  }

  /** Bytes of one head-gap row as the join's hash table holds it: a null mask and three 8-byte fields. */
  static final long HEAD_GAP_ROW_BYTES = 32;

  /**
   * True when {@code rows} head gaps fit under the session's broadcast-join threshold, the bound Spark's
   * adaptive execution applies once it has shuffled both sides; deciding it from the count skips those
   * two shuffles (one row per series and split: a few thousand on one machine's input).
   */
  static boolean broadcastable(org.apache.spark.sql.SparkSession spark, long rows) {
    long threshold = spark.sessionState().conf().autoBroadcastJoinThreshold();
    return threshold > 0 && rows * HEAD_GAP_ROW_BYTES <= threshold;
  }

  /**
   * Resolves a scan (see {@link #inOrder}) into windows: one row per (series, bucket, segment, job
   * labels) with activity-seconds, samples, window bounds, the gap seconds the cap left uncovered, and
   * the series' median cadence the cap was taken from (so that any window can be recomputed).
   */
  public static Dataset<Row> windows(Dataset<Row> scan, double maxGapFactor) {
    return windows(scan, segments(scan), maxGapFactor);
  }

  /** {@link #windows} with the scan's {@link #segments} already made (the run checks and uses them once). */
  public static Dataset<Row> windows(Dataset<Row> scan, Dataset<Row> segs, double maxGapFactor) {
    return windows(scan, segs, maxGapFactor, false);
  }

  /**
   * {@link #windows}, with the segments' head gaps broadcast to the heads when {@code broadcastSegments}
   * ({@link SegmentFacts#broadcastable}): the same rows, without shuffling either side first.
   */
  public static Dataset<Row> windows(Dataset<Row> scan, Dataset<Row> segs, double maxGapFactor,
      boolean broadcastSegments) {
    Dataset<Row> headDt = segs.select(col(SERIES_KEY).as("h_series"), col(TelemetryScan.PART).as("h_part"),
        col("head_dt_us"));
    if (broadcastSegments) {
      headDt = broadcast(headDt);
    }
    Dataset<Row> heads = scan.filter(col(TelemetryScan.KIND).equalTo(TelemetryScan.KIND_HEAD))
        .join(headDt, col(SERIES_KEY).equalTo(col("h_series")).and(col(TelemetryScan.PART).equalTo(col("h_part"))),
            "left")
        .drop("h_series", "h_part")
        .withColumnRenamed("head_dt_us", "dt_raw_us");
    Dataset<Row> sums = scan.filter(col(TelemetryScan.KIND).equalTo(TelemetryScan.KIND_SUMS))
        .withColumn("dt_raw_us", col(TelemetryScan.DT_US));
    Dataset<Row> rows = sums.unionByName(heads);

    // median cadence: the smallest interval with at least half of the series' intervals at or below it
    Dataset<Row> byLength = rows.filter(col("dt_raw_us").gt(0))
        .groupBy(col(SERIES_KEY), col("dt_raw_us")).agg(sum(col(TelemetryScan.N)).as("w"));
    WindowSpec ordered = Window.partitionBy(col(SERIES_KEY)).orderBy(col("dt_raw_us"))
        .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
    Dataset<Row> cadence = byLength
        .withColumn("cum", sum(col("w")).over(ordered))
        .withColumn("total", sum(col("w")).over(Window.partitionBy(col(SERIES_KEY))))
        .filter(col("cum").multiply(2).geq(col("total")))
        .groupBy(col(SERIES_KEY)).agg(min(col("dt_raw_us")).as("cadence_us"));

    Column raw = col("dt_raw_us");
    Column cap = col("cadence_us").multiply(maxGapFactor);
    Column dtUs = when(raw.isNull(), coalesce(col("cadence_us"), lit(0L)))
        .when(raw.leq(cap), raw).otherwise(lit(0L));
    Column dt = col("_dt_us").divide(1e6);
    Dataset<Row> resolved = ColumnSteps.steps()
        .set("_dt_us", dtUs)
        .set(GAP_S, when(raw.gt(cap), raw.multiply(col(TelemetryScan.N)).divide(1e6)).otherwise(lit(0.0)))
        .set(WINDOW_START, col(TelemetryScan.MIN_TS).minus(col("_dt_us")).divide(1e6))
        .set(WINDOW_END, col(TelemetryScan.MAX_TS).divide(1e6))
        .set(Activity.COVERED_S, col("n_covered").multiply(dt))
        .set(Activity.PIPE_COVERED_S, col("n_pipe").multiply(dt))
        .set(Activity.UTIL_COVERED_S, col("n_util").multiply(dt))
        .set(Activity.UTIL_S, col("sum_util").multiply(dt))
        .set(Activity.PIPE_UTIL_COVERED_S, col("n_pipe_util").multiply(dt))
        .set(Activity.PIPE_UTIL_S, col("sum_pipe_util").multiply(dt))
        .set(Activity.CLOCK_REJECTED_S, col("n_clock_rejected").multiply(dt))
        .applyTo(rows.join(broadcast(cadence), SERIES_KEY, "left"));
    for (String p : Activity.PIPES) {
      resolved = resolved.withColumn(Activity.pipeClk(p), col("sum_" + p + "_clk").multiply(dt))
          .withColumn(Activity.pipeNoClk(p), col("sum_" + p).multiply(dt));
    }

    // telemetry counts no FLOP: the counted sums are zeros, added after the aggregation, not summed
    List<Column> aggs = new ArrayList<>();
    for (String s : Activity.sums()) {
      if (!s.equals(Activity.COUNTED_FLOP) && !s.equals(Activity.COUNTED_S)) {
        aggs.add(Activity.exactSum(s, col(s)).as(s));
      }
    }
    aggs.add(sum(col(TelemetryScan.N)).cast("double").as(SAMPLES));
    aggs.add(min(col(WINDOW_START)).as(WINDOW_START));
    aggs.add(max(col(WINDOW_END)).as(WINDOW_END));
    aggs.add(Activity.exactSum(GAP_S, col(GAP_S)).as(GAP_S));
    aggs.add(max(col("cadence_us")).divide(1e6).as(CADENCE));
    return resolved.groupBy(col(SERIES_KEY), col(TelemetryScan.BUCKET), col(TelemetryScan.T_LO),
            col(TelemetryScan.T_HI), col(GpuSamples.HPC_JOB), col(GpuSamples.POD), col(GpuSamples.NAMESPACE))
        .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]))
        .withColumn(Activity.COUNTED_FLOP, lit(0.0))
        .withColumn(Activity.COUNTED_S, lit(0.0));
  }

  /**
   * One row per GPU series: what it is (host, UUID, index, model, MIG), its samples and extent from
   * the scan's per-split rows, and its cadence and uncovered gap seconds from its {@link #windows}.
   */
  public static Dataset<Row> series(Dataset<Row> scan, Dataset<Row> windows) {
    Dataset<Row> fromWindows = windows.groupBy(col(SERIES_KEY).as("w_series"))
        .agg(Activity.exactSum(GAP_S, col(GAP_S)).as(GAP_S), max(col(CADENCE)).as(CADENCE));
    return scan.filter(col(TelemetryScan.KIND).equalTo(TelemetryScan.KIND_SEGMENT))
        .groupBy(col(SERIES_KEY)).agg(
            first(col(GpuSamples.HOST), true).as(GpuSamples.HOST),
            first(col(GpuSamples.GPU_UUID), true).as(GpuSamples.GPU_UUID),
            first(col(GpuSamples.GPU_INDEX), true).as(GpuSamples.GPU_INDEX),
            first(col(GpuSamples.GPU_MODEL), true).as(GpuSamples.GPU_MODEL),
            first(col(GpuSamples.MIG_PROFILE), true).as(GpuSamples.MIG_PROFILE),
            first(col(GpuSamples.MIG_INSTANCE), true).as(GpuSamples.MIG_INSTANCE),
            sum(col(TelemetryScan.N)).as(SAMPLES),
            timestamp_micros(min(col(TelemetryScan.MIN_TS))).as("first_ts"),
            timestamp_micros(max(col(TelemetryScan.MAX_TS))).as("last_ts"))
        .join(fromWindows, col(SERIES_KEY).equalTo(col("w_series")), "left")
        .drop("w_series");
  }
}
