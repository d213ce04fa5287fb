package org.computeledger.attribute;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.estimate.Activity;
import org.computeledger.estimate.SampleWindows;
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
 * condition, so Spark plans a hash or sort-merge join.
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

  /** Fixed-point resolution of the per-window sums (parts per unit). */
  static final double FIXED_POINT = 1e6;

  private GpuAttribution() {}

  /**
   * Sum in fixed point (micro-units as long): exact and independent of the order rows arrive in, so
   * the same input gives the same ledger on every run; 1e-6 of a GPU-second is far below any
   * estimate's range. Counted FLOP are summed as decimals for the same reason.
   */
  static Column exactSum(String name, Column c) {
    if (name.equals(Activity.COUNTED_FLOP)) {
      return sum(c.cast("decimal(38,2)")).cast("double");
    }
    return sum(round(c.multiply(FIXED_POINT)).cast("long")).cast("double").divide(FIXED_POINT);
  }

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
   * Telemetry windows (with activity columns) to allocations: for each (series, bucket, allocation)
   * the weighted activity sums, and for each (series, bucket) the rest as a row with a null
   * allocation. {@code nodeGpus}: host, node_gpus.
   */
  public static Dataset<Row> attribute(Dataset<Row> windows, Dataset<Row> allocsExploded, Dataset<Row> nodeGpus,
      long bucketSeconds) {
    Dataset<Row> w = windows
        .withColumn(BUCKET, floor(col(GpuSamples.TS).cast("double").divide(bucketSeconds)))
        .withColumn("_ts", col(GpuSamples.TS).cast("double"))
        .withColumn("samples", lit(1L));
    Dataset<Row> a = allocsExploded.join(broadcast(nodeGpus), allocsExploded.col(Allocations.NODE)
        .equalTo(nodeGpus.col(GpuSamples.HOST)), "left")
        .select(col(ALLOC_ID), col(JOB_KEY), col(Allocations.JOB_ID).as("a_job_id"),
            coalesce(col(Allocations.JOB_ID_RAW), col(Allocations.JOB_ID)).as("a_job_id_raw"),
            col(Allocations.JOB_NAME).as("a_job_name"), col(Allocations.ACCOUNT).as("a_account"),
            col(Allocations.NODE).as("a_node"), col(BUCKET).as("a_bucket"), col(START), col(END),
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
    Column rule = when(hasLabel, lit("job-label")).when(hasIndex, lit("gpu-index"))
        .when(col("a_gpus").geq(coalesce(col(NODE_GPUS), col("a_gpus"))), lit("node-exclusive"))
        .otherwise(lit("pro-rated"));
    Column weight = when(hasLabel.or(hasIndex), lit(1.0))
        .otherwise(least(lit(1.0), col("a_gpus").cast("double").divide(coalesce(col(NODE_GPUS), col("a_gpus")))));

    Dataset<Row> matched = w.join(a,
            w.col(GpuSamples.HOST).equalTo(a.col("a_node"))
                .and(w.col(BUCKET).equalTo(a.col("a_bucket")))
                .and(col("_ts").gt(col(START))).and(col("_ts").leq(col(END))))
        .filter(ruleMatches)
        .withColumn(WEIGHT, weight)
        .withColumn(RULE, rule);

    String[] sums = Activity.sums();
    List<Column> weighted = new ArrayList<>();
    for (String s : sums) {
      weighted.add(exactSum(s, col(s).multiply(col(WEIGHT))).as(s));
    }
    weighted.add(exactSum("samples", col("samples").multiply(col(WEIGHT))).as("samples"));
    weighted.add(min(col("_ts").minus(col(SampleWindows.DT))).as("window_start_s"));
    weighted.add(max(col("_ts")).as("window_end_s"));
    weighted.add(first(col(RULE)).as(RULE));
    weighted.add(first(col(WEIGHT)).as(WEIGHT));
    Dataset<Row> attributed = matched
        .groupBy(col(SampleWindows.SERIES_KEY), col(BUCKET), col(ALLOC_ID), col(JOB_KEY))
        .agg(weighted.get(0), weighted.subList(1, weighted.size()).toArray(new Column[0]));

    List<Column> totals = new ArrayList<>();
    for (String s : sums) {
      totals.add(exactSum(s, col(s)).as(s));
    }
    totals.add(exactSum("samples", col("samples")).as("samples"));
    totals.add(min(col("_ts").minus(col(SampleWindows.DT))).as("window_start_s"));
    totals.add(max(col("_ts")).as("window_end_s"));
    Dataset<Row> total = w.groupBy(col(SampleWindows.SERIES_KEY), col(BUCKET))
        .agg(totals.get(0), totals.subList(1, totals.size()).toArray(new Column[0]));

    List<Column> taken = new ArrayList<>();
    for (String s : sums) {
      taken.add(exactSum(s, col(s)).as("t_" + s));
    }
    taken.add(exactSum("samples", col("samples")).as("t_samples"));
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
    restCols.add(col("window_start_s"));
    restCols.add(col("window_end_s"));
    restCols.add(lit("unattributed").as(RULE));
    restCols.add(lit(1.0).as(WEIGHT));
    Dataset<Row> unattributed = rest.select(restCols.toArray(new Column[0]))
        .filter(col(Activity.COVERED_S).gt(1e-9).or(col("samples").gt(1e-9)));
    return attributed.unionByName(unattributed);
  }
}
