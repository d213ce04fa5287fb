package org.computeledger.attribute;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.estimate.Activity;
import org.computeledger.estimate.SampleWindows;
import org.computeledger.estimate.TelemetryScan;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.GpuSamples;

/**
 * Attribution of telemetry windows to the allocations that held the GPUs. A window belongs to the
 * allocation holding its GPU at the window's end time. Rules, most direct first:
 * <ol>
 *   <li>a job label on the sample ({@code hpc_job}, or {@code pod} with {@code namespace}) matches
 *       only that job, with weight 1;</li>
 *   <li>otherwise, where the scheduler gave GPU indices, a window matches the allocation whose indices
 *       hold its GPU, with weight 1;</li>
 *   <li>otherwise each allocation on the node takes {@code gpu_count / node GPUs} of every GPU's
 *       window: a node-exclusive job takes all of it; on a shared node without indices the windows are
 *       pro-rated by allocated GPU count.</li>
 * </ol>
 * What no allocation takes stays with the GPU as unattributed (idle) compute; nothing is dropped.
 * Interval joins use equality keys (node and an hour bucket) plus a range filter, never a bare range
 * condition, so Spark plans a hash or sort-merge join. The join works on sums of samples (see
 * {@link TelemetryScan}), a few rows per GPU and hour, not on samples.
 */
public final class GpuAttribution {
  public static final String ALLOC_ID = "alloc_id";
  public static final String JOB_KEY = "job_key";
  public static final String START = "start_s";
  public static final String END = "end_s";
  public static final String BUCKET = "bucket";
  public static final String INDICES = "indices";
  public static final String NODE_GPUS = "node_gpus";
  public static final String WEIGHT = "weight";
  public static final String RULE = "rule";
  /** An allocation's start and end in microseconds; a job still running ends never. */
  public static final String START_US = "start_us";
  public static final String END_US = "end_us";

  /**
   * Job-level allocation rows that held GPU time, keyed: steps are left out (their resources lie
   * within the job's), rows that never started hold nothing, and a job still running at the end of
   * the logs is held until {@code logEndSeconds}.
   */
  public static Dataset<Row> accountable(Dataset<Row> allocations, double logEndSeconds) {
    Column start = col(Allocations.START_TIME).cast("double");
    Column end = coalesce(col(Allocations.END_TIME).cast("double"), lit(logEndSeconds));
    return allocations
        .filter(col(Allocations.STEP_ID).isNull())
        .withColumn(JOB_KEY, concat_ws("/", coalesce(col(Allocations.CLUSTER), lit("")), col(Allocations.JOB_ID)))
        .withColumn(ALLOC_ID, xxhash64(col(JOB_KEY), coalesce(col(Allocations.NODE), lit(""))))
        .withColumn(START, start)
        .withColumn(END, end)
        .withColumn(START_US, unix_micros(col(Allocations.START_TIME)))
        .withColumn(END_US, when(col(Allocations.END_TIME).isNull(), lit(Long.MAX_VALUE))
            .otherwise(unix_micros(col(Allocations.END_TIME))))
        .withColumn(INDICES, when(col(Allocations.GPU_INDICES).isNull(), lit(null).cast("array<int>"))
            .otherwise(split(col(Allocations.GPU_INDICES), ",").cast("array<int>")));
  }

  /** One row per allocation per time bucket it touches (only those with a start and GPUs on a node). */
  public static Dataset<Row> exploded(Dataset<Row> accountable, long bucketSeconds) {
    return accountable
        .filter(col(START).isNotNull().and(col(END).gt(col(START))).and(col(Allocations.NODE).isNotNull())
            .and(coalesce(col(Allocations.GPU_COUNT), lit(0)).gt(0)))
        .withColumn(BUCKET, explode(sequence(
            floor(col(START).divide(bucketSeconds)), floor(col(END).divide(bucketSeconds)))));
  }

  /**
   * Telemetry windows to allocations: for each (series, bucket, allocation) the weighted activity
   * sums, and for each (series, bucket) the rest as a row with a null allocation. A window row holds
   * samples with {@code t_lo_us < ts ≤ t_hi_us} (see {@link TelemetryScan}); those bounds never cut
   * through an allocation, so an allocation holds all of the row's samples or none. {@code windows}
   * carry host and gpu_index; {@code nodeGpus}: host, node_gpus.
   */
  public static Dataset<Row> attribute(Dataset<Row> windows, Dataset<Row> allocsExploded, Dataset<Row> nodeGpus) {
    Dataset<Row> a = allocsExploded.join(broadcast(nodeGpus), allocsExploded.col(Allocations.NODE)
        .equalTo(nodeGpus.col(GpuSamples.HOST)), "left")
        .select(col(ALLOC_ID), col(JOB_KEY), col(Allocations.JOB_ID).as("a_job_id"),
            coalesce(col(Allocations.JOB_ID_RAW), col(Allocations.JOB_ID)).as("a_job_id_raw"),
            col(Allocations.JOB_NAME).as("a_job_name"), col(Allocations.ACCOUNT).as("a_account"),
            col(Allocations.NODE).as("a_node"), col(BUCKET).as("a_bucket"), col(START_US), col(END_US),
            col(Allocations.GPU_COUNT).as("a_gpus"), col(INDICES), col(NODE_GPUS),
            col(Allocations.SOURCE_FORMAT).as("a_format"));

    Column hasLabel = col(GpuSamples.HPC_JOB).isNotNull().or(col(GpuSamples.POD).isNotNull());
    Column labelMatch = col(GpuSamples.HPC_JOB).equalTo(col("a_job_id"))
        .or(col(GpuSamples.HPC_JOB).equalTo(col("a_job_id_raw")))
        .or(col(GpuSamples.POD).equalTo(col("a_job_name"))
            .and(coalesce(col(GpuSamples.NAMESPACE), col("a_account")).equalTo(col("a_account"))));
    Column hasIndex = col(INDICES).isNotNull().and(col(GpuSamples.GPU_INDEX).isNotNull());
    Column indexMatch = array_contains(col(INDICES), col(GpuSamples.GPU_INDEX));
    Column ruleMatches = when(hasLabel, labelMatch).when(hasIndex, indexMatch).otherwise(lit(true));
    // the rule as a code while aggregating: a string in an aggregation buffer forces Spark's sort-based
    // aggregation; the lowest code (the strongest evidence) names a sum's rule
    Column rule = when(hasLabel, lit(0)).when(hasIndex, lit(1))
        .when(col("a_gpus").geq(coalesce(col(NODE_GPUS), col("a_gpus"))), lit(2))
        .otherwise(lit(3));
    Column weight = when(hasLabel.or(hasIndex), lit(1.0))
        .otherwise(least(lit(1.0), col("a_gpus").cast("double").divide(coalesce(col(NODE_GPUS), col("a_gpus")))));

    Dataset<Row> matched = windows.join(a,
            windows.col(GpuSamples.HOST).equalTo(a.col("a_node"))
                .and(windows.col(BUCKET).equalTo(a.col("a_bucket")))
                .and(col(START_US).leq(col(TelemetryScan.T_LO))).and(col(END_US).geq(col(TelemetryScan.T_HI))))
        .filter(ruleMatches)
        .withColumn(WEIGHT, weight)
        .withColumn("rule_code", rule);

    String[] sums = Activity.sums();
    List<Column> weighted = new ArrayList<>();
    for (String s : sums) {
      weighted.add(Activity.exactSum(s, col(s).multiply(col(WEIGHT))).as(s));
    }
    weighted.add(Activity.exactSum("samples", col("samples").multiply(col(WEIGHT))).as("samples"));
    weighted.add(min(col(SampleWindows.WINDOW_START)).as(SampleWindows.WINDOW_START));
    weighted.add(max(col(SampleWindows.WINDOW_END)).as(SampleWindows.WINDOW_END));
    weighted.add(min(col("rule_code")).as("rule_code"));
    weighted.add(max(col(WEIGHT)).as(WEIGHT));
    Dataset<Row> attributed = matched
        .groupBy(col(SampleWindows.SERIES_KEY), col(BUCKET), col(ALLOC_ID), col(JOB_KEY))
        .agg(weighted.get(0), weighted.subList(1, weighted.size()).toArray(new Column[0]))
        .withColumn(RULE, element_at(array(lit("job-label"), lit("gpu-index"), lit("node-exclusive"),
            lit("pro-rated")), col("rule_code").plus(1)))
        .drop("rule_code");

    List<Column> totals = new ArrayList<>();
    for (String s : sums) {
      totals.add(Activity.exactSum(s, col(s)).as(s));
    }
    totals.add(Activity.exactSum("samples", col("samples")).as("samples"));
    totals.add(min(col(SampleWindows.WINDOW_START)).as(SampleWindows.WINDOW_START));
    totals.add(max(col(SampleWindows.WINDOW_END)).as(SampleWindows.WINDOW_END));
    Dataset<Row> total = windows.groupBy(col(SampleWindows.SERIES_KEY), col(BUCKET))
        .agg(totals.get(0), totals.subList(1, totals.size()).toArray(new Column[0]));

    List<Column> taken = new ArrayList<>();
    for (String s : sums) {
      taken.add(Activity.exactSum(s, col(s)).as("t_" + s));
    }
    taken.add(Activity.exactSum("samples", col("samples")).as("t_samples"));
    Dataset<Row> takenBy = attributed.groupBy(col(SampleWindows.SERIES_KEY), col(BUCKET))
        .agg(taken.get(0), taken.subList(1, taken.size()).toArray(new Column[0]));

    Dataset<Row> rest = total.join(takenBy,
        total.col(SampleWindows.SERIES_KEY).equalTo(takenBy.col(SampleWindows.SERIES_KEY))
            .and(total.col(BUCKET).equalTo(takenBy.col(BUCKET))), "left");
    List<Column> restCols = new ArrayList<>();
    restCols.add(total.col(SampleWindows.SERIES_KEY));
    restCols.add(total.col(BUCKET));
    restCols.add(lit(null).cast("long").as(ALLOC_ID));
    restCols.add(lit(null).cast("string").as(JOB_KEY));
    for (String s : sums) {
      // rounding of weighted sums can leave a residue of a few ulps: never a negative remainder
      restCols.add(greatest(lit(0.0), col(s).minus(coalesce(col("t_" + s), lit(0.0)))).as(s));
    }
    restCols.add(greatest(lit(0.0), col("samples").minus(coalesce(col("t_samples"), lit(0.0)))).as("samples"));
    restCols.add(col(SampleWindows.WINDOW_START));
    restCols.add(col(SampleWindows.WINDOW_END));
    restCols.add(lit("unattributed").as(RULE));
    restCols.add(lit(1.0).as(WEIGHT));
    Dataset<Row> unattributed = rest.select(restCols.toArray(new Column[0]))
        .filter(col(Activity.COVERED_S).gt(1e-9).or(col("samples").gt(1e-9)));
    return attributed.unionByName(unattributed);
  }
}
