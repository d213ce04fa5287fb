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
import org.computeledger.common.ColumnSteps;

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
    return ColumnSteps.steps()
        .set(JOB_KEY, concat_ws("/", coalesce(col(Allocations.CLUSTER), lit("")), col(Allocations.JOB_ID)))
        .set(ALLOC_ID, xxhash64(col(JOB_KEY), coalesce(col(Allocations.NODE), lit(""))))
        .set(START, start)
        .set(END, end)
        .set(START_US, unix_micros(col(Allocations.START_TIME)))
        .set(END_US, when(col(Allocations.END_TIME).isNull(), lit(Long.MAX_VALUE))
            .otherwise(unix_micros(col(Allocations.END_TIME))))
        .set(INDICES, when(col(Allocations.GPU_INDICES).isNull(), lit(null).cast("array<int>"))
            .otherwise(split(col(Allocations.GPU_INDICES), ",").cast("array<int>")))
        .applyTo(allocations.filter(col(Allocations.STEP_ID).isNull()));
  }

  /**
   * Whether an allocation row that runs from {@code start} to {@code end} (seconds) holds GPUs on a node: the
   * rows {@link #exploded} keeps, and those whose buckets {@code MainJob.logFacts} counts for
   * {@link #heldBroadcastable}.
   */
  public static Column holdsGpus(Column start, Column end) {
    return start.isNotNull().and(end.gt(start)).and(col(Allocations.NODE).isNotNull())
        .and(coalesce(col(Allocations.GPU_COUNT), lit(0)).gt(0));
  }

  /** One row per allocation per time bucket it touches (only those with a start and GPUs on a node). */
  public static Dataset<Row> exploded(Dataset<Row> accountable, long bucketSeconds) {
    return accountable
        .filter(holdsGpus(col(START), col(END)))
        .withColumn(BUCKET, explode(sequence(
            floor(col(START).divide(bucketSeconds)), floor(col(END).divide(bucketSeconds)))));
  }

  /** Rule names, strongest evidence first; the unattributed rest comes last. */
  public static final String[] RULES = {"job-label", "gpu-index", "node-exclusive", "pro-rated", "conflict-pro-rated",
    "unattributed"};
  /** Allocations whose shares of one GPU window add up to more than the whole GPU, each scaled down. */
  public static final String CONFLICT = "conflict-pro-rated";

  /** A rule as one bit, so that roll-ups can gather the rules of many rows with {@code bit_or}. */
  public static Column ruleBit(Column rule) {
    Column bit = lit(0);
    for (int i = RULES.length - 1; i >= 0; i--) {
      bit = when(rule.equalTo(RULES[i]), lit(1 << i)).otherwise(bit);
    }
    return bit;
  }

  /** The rules of a {@link #ruleBit} union as their names in alphabetical order, comma-separated. */
  public static Column ruleNames(Column bits) {
    String[] sorted = RULES.clone();
    java.util.Arrays.sort(sorted);
    Column[] names = new Column[sorted.length];
    for (int i = 0; i < sorted.length; i++) {
      int bit = 1 << java.util.Arrays.asList(RULES).indexOf(sorted[i]);
      names[i] = when(coalesce(bits, lit(0)).bitwiseAND(bit).notEqual(0), lit(sorted[i]));
    }
    return concat_ws(",", names);
  }

  /**
   * Telemetry windows to allocations: each window row splits into one row per allocation that takes
   * a share of it (its activity sums, samples and GPU-seconds times the share, {@code weight}) and,
   * when the shares leave some of it, one row with a null allocation for the rest. A window row holds
   * samples with {@code t_lo_us < ts ≤ t_hi_us} (see {@link TelemetryScan}); those bounds never cut
   * through an allocation, so an allocation holds all of the row's samples or none. {@code windows}
   * carry host and gpu_index (left out of the result, which is keyed by series); {@code nodeGpus}: host,
   * node_gpus.
   *
   * <p>The allocations of each (node, bucket) are gathered into one array ({@link #heldPerNodeBucket}) and
   * joined to the window rows on (node, bucket); the range and the rules are evaluated on that short array
   * within the row, and the shares are exploded. No aggregation: the split of a row adds up to the row.
   * When {@code broadcastHeld} (the arrays fit under the session's broadcast threshold, {@link
   * #heldBroadcastable}) they are broadcast, so the windows are not shuffled; otherwise both sides are
   * shuffled on (node, bucket) and merged, so that no table that grows with the logs is gathered on the
   * driver. The arrays are the same either way, so are the shares.
   */
  public static Dataset<Row> attribute(Dataset<Row> windows, Dataset<Row> allocsExploded, Dataset<Row> nodeGpus,
      boolean broadcastHeld) {
    Dataset<Row> held = heldPerNodeBucket(allocsExploded, nodeGpus);
    Column claims = claims();
    // each step a column of its own, so that the array functions (evaluated row by row, without
    // generated code) run once per window row, not once per reference
    // a window on a node and hour no allocation touches has no array at all (null after the left join)
    Column taken = coalesce(aggregate(col("_claims"), lit(0.0), (acc, x) -> acc.plus(x.getField(WEIGHT))), lit(0.0));
    // two allocations claiming the same GPU at once (indices naming it twice, more GPUs allocated on a
    // node than it has) never count it twice: each claim is scaled by the window's total claim, so the
    // weights of a window add up to 1, and the rows say so with their rule
    Column shares = when(col("_taken").gt(1.0 + 1e-9), transform(col("_claims"), x -> struct(x.getField(ALLOC_ID).as(ALLOC_ID),
            x.getField(JOB_KEY).as(JOB_KEY), x.getField(WEIGHT).divide(col("_taken")).as(WEIGHT), lit(CONFLICT).as(RULE))))
        .otherwise(col("_claims"));
    // what the shares leave is the GPU's own, unattributed; a rounding residue of a few ulps is not a share
    Column rest = greatest(lit(0.0), lit(1.0).minus(col("_taken")));
    Column restShare = array(struct(lit(null).cast("long").as(ALLOC_ID), lit(null).cast("string").as(JOB_KEY),
        col("_rest").as(WEIGHT), lit(RULES[5]).as(RULE)));
    Column withRest = when(col("_shares").isNull(), restShare)
        .when(col("_rest").gt(1e-9), concat(col("_shares"), restShare)).otherwise(col("_shares"));

    // not left to the planner's size estimate when over the threshold: that estimate does not multiply an
    // allocation by the buckets it spans, so it may find small a table that is not
    Dataset<Row> heldSide = broadcastHeld ? broadcast(held) : held.hint("merge");
    Dataset<Row> withHeld = windows.join(heldSide, windows.col(GpuSamples.HOST).equalTo(held.col("a_node"))
        .and(windows.col(BUCKET).equalTo(held.col("a_bucket"))), "left");
    Dataset<Row> split = ColumnSteps.steps()
        .set("_claims", claims)
        .set("_taken", taken)
        .set("_shares", shares)
        .set("_rest", rest)
        .set("_share", explode(withRest))
        .applyTo(withHeld);
    List<Column> out = new ArrayList<>();
    for (String c : windows.columns()) {
      if (!c.equals(GpuSamples.HOST) && !c.equals(GpuSamples.GPU_INDEX)) {
        out.add(col(c));
      }
    }
    out.add(col("_share." + ALLOC_ID).as(ALLOC_ID));
    out.add(col("_share." + JOB_KEY).as(JOB_KEY));
    out.add(col("_share." + WEIGHT).as(WEIGHT));
    out.add(col("_share." + RULE).as(RULE));
    Dataset<Row> shared = split.select(out.toArray(new Column[0]));
    ColumnSteps weighted = ColumnSteps.steps();
    for (String s : Activity.sums()) {
      weighted.set(s, col(s).multiply(col(WEIGHT)));
    }
    return weighted.set(SampleWindows.SAMPLES, col(SampleWindows.SAMPLES).multiply(col(WEIGHT))).applyTo(shared);
  }

  /**
   * The allocations' string columns an entry of {@link #heldPerNodeBucket} carries (the job key, job id,
   * raw job id, name, account, node and GPU indices are made of them), each at most
   * {@link #HELD_STRING_COPIES} times: the job id is in the key, itself, and the raw id when there is none;
   * the node is in the row and in the hash table's key; the indices, parsed, take 4 bytes per number of at
   * least one digit and a comma (the padding of a lone one is in {@link #HELD_ENTRY_BYTES}).
   */
  public static final String[] HELD_STRINGS = {Allocations.CLUSTER, Allocations.JOB_ID, Allocations.JOB_ID_RAW,
    Allocations.JOB_NAME, Allocations.ACCOUNT, Allocations.NODE, Allocations.GPU_INDICES};
  /** See {@link #HELD_STRINGS}. */
  public static final long HELD_STRING_COPIES = 3;

  /**
   * Bytes of one allocation's entry in one (node, bucket) array besides its strings, as Spark holds the
   * broadcast rows: its 11 fixed-width fields and null mask (96), its strings' and indices' padding and
   * headers (about 60), its slot in the array, and, since a row has at least one entry, up to one whole row
   * (node, bucket, array header) with its key and slots in the join's hash table (about 150); rounded up.
   */
  public static final long HELD_ENTRY_BYTES = 384;

  /**
   * True when {@link #heldPerNodeBucket} of {@code entries} allocation-buckets (each allocation once per
   * bucket it spans) whose {@link #HELD_STRINGS} add up to {@code stringBytes} (also counted per bucket)
   * fits under the session's broadcast-join threshold, the bound Spark applies to a broadcast it chooses
   * itself; a threshold of -1 (no broadcasts) never fits.
   */
  public static boolean heldBroadcastable(org.apache.spark.sql.SparkSession spark, long entries, long stringBytes) {
    long threshold = spark.sessionState().conf().autoBroadcastJoinThreshold();
    return threshold > 0 && entries * HELD_ENTRY_BYTES + HELD_STRING_COPIES * stringBytes <= threshold;
  }

  /** Per (node, bucket), the allocations holding GPUs there, as one sorted array. */
  static Dataset<Row> heldPerNodeBucket(Dataset<Row> allocsExploded, Dataset<Row> nodeGpus) {
    return allocsExploded.join(broadcast(nodeGpus), allocsExploded.col(Allocations.NODE)
            .equalTo(nodeGpus.col(GpuSamples.HOST)), "left")
        .groupBy(col(Allocations.NODE).as("a_node"), col(BUCKET).as("a_bucket"))
        // sorted, so that the shares of a window are added up in the same order on every run
        .agg(array_sort(collect_list(struct(col(ALLOC_ID).as("id"), col(JOB_KEY).as("key"), col(Allocations.JOB_ID).as("job"),
            coalesce(col(Allocations.JOB_ID_RAW), col(Allocations.JOB_ID)).as("job_raw"),
            col(Allocations.JOB_NAME).as("name"), col(Allocations.ACCOUNT).as("account"), col(START_US).as("s"),
            col(END_US).as("e"), col(Allocations.GPU_COUNT).as("gpus"), col(INDICES).as("idx"),
            coalesce(col(NODE_GPUS), col(Allocations.GPU_COUNT)).as("node_gpus")))).as("held"));
  }

  /**
   * Of a window row's {@code held} allocations, those holding its GPU over the whole row (by job label,
   * else GPU index, else the node), each with the weight and rule of its claim.
   */
  static Column claims() {
    Column hasLabel = col(GpuSamples.HPC_JOB).isNotNull().or(col(GpuSamples.POD).isNotNull());
    Column hasIndex = col(GpuSamples.GPU_INDEX).isNotNull();
    Column lo = col(TelemetryScan.T_LO);
    Column hi = col(TelemetryScan.T_HI);
    Column holding = filter(col("held"),
        a -> a.getField("s").leq(lo).and(a.getField("e").geq(hi)).and(
            when(hasLabel, col(GpuSamples.HPC_JOB).equalTo(a.getField("job"))
                    .or(col(GpuSamples.HPC_JOB).equalTo(a.getField("job_raw")))
                    .or(col(GpuSamples.POD).equalTo(a.getField("name"))
                        .and(coalesce(col(GpuSamples.NAMESPACE), a.getField("account")).equalTo(a.getField("account")))))
                .when(hasIndex.and(a.getField("idx").isNotNull()), array_contains(a.getField("idx"), col(GpuSamples.GPU_INDEX)))
                .otherwise(lit(true))));
    return transform(holding, a -> {
      Column indexed = hasIndex.and(a.getField("idx").isNotNull());
      Column rule = when(hasLabel, lit(RULES[0])).when(indexed, lit(RULES[1]))
          .when(a.getField("gpus").geq(a.getField("node_gpus")), lit(RULES[2])).otherwise(lit(RULES[3]));
      Column weight = when(hasLabel.or(indexed), lit(1.0))
          .otherwise(least(lit(1.0), a.getField("gpus").cast("double").divide(a.getField("node_gpus"))));
      return struct(a.getField("id").as(ALLOC_ID), a.getField("key").as(JOB_KEY), weight.as(WEIGHT), rule.as(RULE));
    });
  }
}
