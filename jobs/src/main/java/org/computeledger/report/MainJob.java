package org.computeledger.report;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.attribute.BranchAssignment;
import org.computeledger.attribute.CostAttribution;
import org.computeledger.attribute.GpuAttribution;
import org.computeledger.attribute.MarketPrices;
import org.computeledger.attribute.Registry;
import org.computeledger.common.Concurrently;
import org.computeledger.common.Literals;
import org.computeledger.common.Progress;
import org.computeledger.common.StageCheckpoint;
import org.computeledger.estimate.Activity;
import org.computeledger.estimate.CounterOverlaps;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.estimate.Flop;
import org.computeledger.estimate.GpuModels;
import org.computeledger.estimate.MethodChoice;
import org.computeledger.estimate.SampleWindows;
import org.computeledger.estimate.SelfCalibration;
import org.computeledger.estimate.TelemetryScan;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.FlopCounts;
import org.computeledger.schema.GpuSamples;

/**
 * The main job's computation, from canonical tables to report tables, as Dataset functions: windows
 * and activity per telemetry sample, attribution to allocations, FLOP by the best method per window,
 * the allocation method for held GPU time without telemetry, costs, and the roll-ups per job and per
 * (project, branch). Reading and writing stay in the command.
 */
public final class MainJob {
  public static final String UNATTRIBUTED = "(unattributed)";
  public static final String IDLE_BRANCH = "(idle or unallocated GPUs)";

  /**
   * The canonical inputs; {@code prices} and {@code resources} (the {@code resources.csv} map of billed
   * resources to hosts, see {@link org.computeledger.attribute.ResourceMap}) may be null.
   */
  public record Inputs(Dataset<Row> allocations, Dataset<Row> gpuSamples, Dataset<Row> flopCounts,
      Dataset<Row> charges, Dataset<Row> prices, Dataset<Row> resources, Dataset<Row> fxRates,
      String reportCurrency) {
    /** Without {@code fx.csv} rates or a reporting currency: no conversion. */
    public Inputs(Dataset<Row> allocations, Dataset<Row> gpuSamples, Dataset<Row> flopCounts, Dataset<Row> charges,
        Dataset<Row> prices, Dataset<Row> resources) {
      this(allocations, gpuSamples, flopCounts, charges, prices, resources, null,
          org.computeledger.attribute.FxConversion.DEFAULT_REPORT_CURRENCY);
    }

    public Inputs(Dataset<Row> allocations, Dataset<Row> gpuSamples, Dataset<Row> flopCounts, Dataset<Row> charges,
        Dataset<Row> prices) {
      this(allocations, gpuSamples, flopCounts, charges, prices, null);
    }
  }

  /** The report tables, and the small figures the methodology quotes. */
  public record Outputs(Dataset<Row> gpuUsage, Dataset<Row> jobs, Dataset<Row> lineItems,
      Dataset<Row> costReconciliation, Dataset<Row> calibration, Map<String, String> modelNames,
      double logEndSeconds, Dataset<Row> costMatching, Conflicts conflicts) {}

  /** The ledger rows with rule {@code conflict-pro-rated}, the jobs they belong to and their GPU-seconds. */
  public record Conflicts(long rows, long jobs, double gpuSeconds) {}

  private MainJob() {}

  /**
   * The whole computation, stage by stage: scan the telemetry into windows, resolve the GPU series,
   * make the allocations accountable, join counted intervals to the windows, attribute and estimate,
   * then roll up. Each stage is a function of Datasets a test can call on its own.
   *
   * <p>Intermediate tables that several later stages read are local checkpoints, not caches: a cached
   * table keeps its whole plan, which Spark prints for every query that reads it, and the plans of the
   * roll-ups would grow with every table they share. On a cluster they are reliable checkpoints
   * instead, which survive a lost executor ({@link StageCheckpoint}).
   */
  public static Outputs compute(SparkSession spark, Inputs in, Registry registry, Flop flop, EstimateParams p) {
    long bucket = p.bucketSeconds();
    Scan scan = scan(spark, in, bucket, p.maxGapFactor(), flop.boostClocks());
    Models models = models(scan.seriesRaw(), in.allocations());
    Dataset<Row> series = series(scan.seriesRaw(), models, flop);
    Dataset<Row> nodeFromTelemetry = nodeFromTelemetry(series);
    LogFacts logFacts = logFacts(in.allocations(), series, bucket);
    double logEnd = logFacts.logEnd();
    // Three strands, each planned on a driver thread of its own while the executors run the others' tasks
    // (see common/Concurrently): the allocations made accountable, then their costs (which read only the
    // allocations, the nodes and the bills); and here the counted intervals, the windows and the
    // calibration, then the attribution, which waits for the accountable allocations.
    Concurrently.Pending<Accounts> accounts = Concurrently.start(() -> {
      Dataset<Row> accountable = accountable(in.allocations(), registry, logEnd, nodeFromTelemetry, models, p);
      return new Accounts(accountable, nodeGpus(accountable, nodeFromTelemetry).transform(StageCheckpoint::keep));
    });
    Concurrently.Pending<Costs> costs = Concurrently.start(() -> costs(accounts.get().accountable(),
        accounts.get().nodeGpus(), in.charges(), in.prices(), in.resources()));
    try {
      Dataset<Row> counted = countedWindows(in.flopCounts(), series, bucket);
      if (counted != null) {
        // read by the windows, the calibration and the attribution: planned once (few rows, one per counter interval)
        counted = counted.transform(StageCheckpoint::keep);
      }
      Windows windows = windows(scan.windows(), counted, series, bucket);
      // counters that overlap telemetry calibrate the utilization and pipe-activity rows of the same GPU model
      Dataset<Row> calibration = windows.superseded() == null ? null
          : Rollups.calibration(windows.superseded(), counted, series, flop).transform(StageCheckpoint::keep);
      Accounts a = accounts.get();
      Dataset<Row> attributed = attribute(windows.all(), a.accountable(), a.nodeGpus(), flop, p, calibration,
          logFacts);
      return rollUp(spark, in, registry, flop, p,
          new Stages(series, a.accountable(), a.nodeGpus(), counted, windows, attributed, calibration),
          models.ids(), logFacts, costs.get());
    } finally {
      costs.await();
      accounts.await();
    }
  }

  /** The allocations made accountable, and per node its GPUs. */
  record Accounts(Dataset<Row> accountable, Dataset<Row> nodeGpus) {}

  /** The telemetry's time windows and its GPU series (one row per GPU: small). */
  record Scan(Dataset<Row> windows, Dataset<Row> seriesRaw) {}

  /** Raw model names as the catalog knows them, with their map literal. */
  record Models(Map<String, String> ids, Column modelMap) {}

  /** Every window the ledger prices (telemetry and counted), and the telemetry windows counted ones replaced. */
  record Windows(Dataset<Row> all, Dataset<Row> superseded) {}

  /** What the roll-ups read from the earlier stages. */
  record Stages(Dataset<Row> series, Dataset<Row> accountable, Dataset<Row> nodeGpus, Dataset<Row> counted,
      Windows windows, Dataset<Row> usageFlop, Dataset<Row> calibration) {}

  /**
   * Stage 1, scan: one pass over the telemetry, sums per GPU series, hour, time segment and job labels,
   * cut at every allocation and counted interval edge; telemetry out of time order is sorted first.
   */
  static Scan scan(SparkSession spark, Inputs in, long bucket, double maxGapFactor, Map<String, Double> boostClocks) {
    Map<String, long[]> bounds = boundaries(in.allocations(), in.flopCounts());
    Dataset<Row> scan = TelemetryScan.scan(spark, in.gpuSamples(), bounds, bucket, boostClocks).transform(StageCheckpoint::keep);
    Dataset<Row> segments = SampleWindows.segments(scan).transform(StageCheckpoint::keep);
    SampleWindows.SegmentFacts facts = SampleWindows.segmentFacts(segments);
    if (!facts.inOrder()) {
      Progress.say("run: telemetry is not in time order per GPU within its files; sorting it first (slower)");
      Column key = SampleWindows.seriesKey(col(GpuSamples.HOST), col(GpuSamples.GPU_UUID), col(GpuSamples.MIG_INSTANCE));
      Dataset<Row> sorted = in.gpuSamples().repartition(key).sortWithinPartitions(key, col(GpuSamples.TS));
      scan = TelemetryScan.scan(spark, sorted, bounds, bucket, boostClocks).transform(StageCheckpoint::keep);
      segments = SampleWindows.segments(scan).transform(StageCheckpoint::keep);
      facts = SampleWindows.segmentFacts(segments);
    }
    Progress.say("run: telemetry read in one pass");
    Dataset<Row> windows = SampleWindows.windows(scan, segments, maxGapFactor, facts.broadcastable()).transform(StageCheckpoint::keep);
    Dataset<Row> seriesRaw = SampleWindows.series(scan, windows).transform(StageCheckpoint::keep);
    Progress.say("run: windows and GPU series resolved");
    return new Scan(windows, seriesRaw);
  }

  /**
   * Model names and MIG profiles are few: normalised on the driver, then looked up as map literals. The
   * telemetry's and the allocations' names come in one query (one plan and one collect, not two).
   */
  static Models models(Dataset<Row> seriesRaw, Dataset<Row> allocations) {
    List<String> rawModels = new ArrayList<>();
    for (Row r : seriesRaw.select(col(GpuSamples.GPU_MODEL).as("raw_model"))
        .union(allocations.select(col(Allocations.GPU_MODEL).as("raw_model"))).distinct().collectAsList()) {
      rawModels.add(r.getString(0));
    }
    Map<String, String> modelIds = new HashMap<>();
    for (String raw : rawModels) {
      if (raw != null && !modelIds.containsKey(raw)) {
        String id = GpuModels.normalize(raw);
        if (id != null) {
          modelIds.put(raw, id);
        }
      }
    }
    return new Models(modelIds, Literals.mapLit(modelIds, "string"));
  }

  /** Stage 2, series: each GPU series with its model and MIG fraction; a MIG-split GPU counts through its instances only. */
  static Dataset<Row> series(Dataset<Row> seriesRaw, Models models, Flop flop) {
    Dataset<Row> migParents = seriesRaw.filter(col(GpuSamples.MIG_INSTANCE).isNotNull())
        .select(col(GpuSamples.HOST).as("mp_host"), col(GpuSamples.GPU_UUID).as("mp_uuid")).distinct();
    // a MIG instance's share is its SMs of the GPU's (MigProfiles), the slice rule flagged where unlisted
    return flop.withMigShares(seriesRaw
        .withColumn(Flop.MODEL_ID, element_at(models.modelMap(), col(GpuSamples.GPU_MODEL))))
        .join(migParents, col(GpuSamples.HOST).equalTo(col("mp_host"))
            .and(col(GpuSamples.GPU_UUID).equalTo(col("mp_uuid")))
            .and(col(GpuSamples.MIG_INSTANCE).isNull()), "left")
        .withColumn("mig_parent", col("mp_host").isNotNull())
        .drop("mp_host", "mp_uuid")
        .transform(StageCheckpoint::keep);
  }

  /** Per node, the whole GPUs its telemetry shows and the model it names. */
  static Dataset<Row> nodeFromTelemetry(Dataset<Row> series) {
    return series.filter(col(GpuSamples.MIG_INSTANCE).isNull())
        .groupBy(col(GpuSamples.HOST))
        .agg(countDistinct(col(GpuSamples.GPU_UUID)).cast("int").as("telemetry_gpus"),
            first(col(Flop.MODEL_ID), true).as("node_model_id"));
  }

  /**
   * What the run learns of the allocations while it takes the logs' end: the end itself (epoch seconds;
   * a job still running then is held until then) and whether the joins of one short row per allocation
   * are broadcast: when such a table fits under the session's broadcast-join threshold
   * ({@link #allocationsBroadcastable}) and adaptive execution is on. Without it (a small input's
   * session, see {@code cli.SmallInput}) a shuffled join of one partition is a stage of its query's one
   * job, and a broadcast a job of its own: on the sample logs, 81 jobs instead of 78. And whether the
   * attribution's allocations per (node, hour) are broadcast: whenever they fit
   * ({@link GpuAttribution#heldBroadcastable}), adaptive execution on or off, since a shuffle would move
   * every window row to meet them.
   */
  record LogFacts(double logEnd, boolean allocationsBroadcastable, boolean heldBroadcastable) {}

  /**
   * {@link LogFacts} in one query over both tables' instants, each side tagged: the allocations' and the
   * telemetry's ends, and the allocations' rows and string bytes counted alongside, as well as the
   * (allocation, bucket) entries the attribution will hold ({@link GpuAttribution#exploded}, of
   * {@code bucketSeconds}) with their strings' bytes. A running job's last bucket is that of the logs' end,
   * which this same query finds: its entries are added up afterwards from its first bucket.
   */
  static LogFacts logFacts(Dataset<Row> allocations, Dataset<Row> series, long bucketSeconds) {
    Column[] strings = java.util.Arrays.stream(allocations.schema().fields())
        .filter(f -> f.dataType().equals(org.apache.spark.sql.types.DataTypes.StringType))
        .map(f -> col(f.name())).toArray(Column[]::new);
    Column allocBytes = strings.length == 0 ? lit(0L) : octet_length(concat_ws("", strings)).cast("long");
    // the rows GpuAttribution.exploded keeps: jobs (not steps) that hold GPUs on a node; a running job's end
    // (the logs' end) is not known yet, so it counts as holding them from its start on
    Column start = col(Allocations.START_TIME).cast("double");
    Column stop = col(Allocations.END_TIME).cast("double");
    Column job = col(Allocations.STEP_ID).isNull();
    Column first = floor(start.divide(bucketSeconds));
    Column ended = when(job.and(GpuAttribution.holdsGpus(start, stop)),
        floor(stop.divide(bucketSeconds)).minus(first).plus(1)).otherwise(0L);
    Column running = job.and(stop.isNull()).and(GpuAttribution.holdsGpus(start, lit(Double.POSITIVE_INFINITY)));
    Column heldBytes = octet_length(concat_ws("", java.util.Arrays.stream(GpuAttribution.HELD_STRINGS)
        .map(c -> col(c)).toArray(Column[]::new))).cast("long");
    Map<String, Column> held = new java.util.LinkedHashMap<>();
    held.put("ended", ended);
    held.put("ended_bytes", ended.multiply(heldBytes));
    held.put("running", when(running, lit(1L)).otherwise(0L));
    held.put("running_first", when(running, first).otherwise(0L));
    held.put("running_bytes", when(running, heldBytes).otherwise(0L));
    held.put("running_first_bytes", when(running, first.multiply(heldBytes)).otherwise(0L));
    List<Column> allocCols = new ArrayList<>(List.of(lit(true).as("from_alloc"), greatest(col(Allocations.START_TIME),
            col(Allocations.END_TIME), col(Allocations.SUBMIT_TIME)).as("instant"), allocBytes.as("bytes")));
    List<Column> seriesCols = new ArrayList<>(List.of(lit(false).as("from_alloc"), col("last_ts").as("instant"),
        lit(0L).as("bytes")));
    List<Column> sums = new ArrayList<>(List.of(max(when(not(col("from_alloc")), col("instant"))).cast("double")
        .as("series_end"), count(when(col("from_alloc"), lit(1))).as("allocations"),
        coalesce(sum(col("bytes")), lit(0L)).as("bytes")));
    held.forEach((name, c) -> {
      allocCols.add(c.as(name));
      seriesCols.add(lit(0L).as(name));
      sums.add(coalesce(sum(col(name)), lit(0L)).as(name));
    });
    Dataset<Row> instants = allocations.select(allocCols.toArray(new Column[0]))
        .union(series.select(seriesCols.toArray(new Column[0])));
    Row r = instants.agg(max(when(col("from_alloc"), col("instant"))).cast("double").as("alloc_end"),
        sums.toArray(new Column[0])).first();
    Double allocEnd = r.getAs("alloc_end");
    Double seriesEnd = r.getAs("series_end");
    double end = Math.max(allocEnd == null ? 0 : allocEnd, seriesEnd == null ? 0 : seriesEnd);
    // a running job spans its first bucket to the logs' end's: (last + 1) - first of them
    long lastPlusOne = (long) Math.floor(end / bucketSeconds) + 1;
    long entries = r.<Long>getAs("ended") + lastPlusOne * r.<Long>getAs("running") - r.<Long>getAs("running_first");
    long entryBytes = r.<Long>getAs("ended_bytes") + lastPlusOne * r.<Long>getAs("running_bytes")
        - r.<Long>getAs("running_first_bytes");
    SparkSession spark = allocations.sparkSession();
    return new LogFacts(end, spark.sessionState().conf().adaptiveExecutionEnabled()
        && allocationsBroadcastable(spark, r.<Long>getAs("allocations"), r.<Long>getAs("bytes")),
        GpuAttribution.heldBroadcastable(spark, entries, entryBytes));
  }

  /**
   * Bytes a per-allocation row may take besides the allocation's own strings: up to 64 fixed-width fields
   * of 8 bytes (with the row's null mask) and the short names the run adds (project, branch, model,
   * precision, currencies, the price's source).
   */
  static final long ALLOC_ROW_BYTES = 1024;

  /**
   * True when a table of one row per allocation, carrying at most each of the allocation's strings twice
   * (a job key repeats its cluster and job id), fits under the session's broadcast-join threshold: the
   * bound Spark's adaptive execution applies once it has shuffled both sides of a join. Deciding it up
   * front skips those shuffles and the broadcast's own job; over the threshold, the joins stay shuffled.
   */
  static boolean allocationsBroadcastable(SparkSession spark, long rows, long stringBytes) {
    long threshold = spark.sessionState().conf().autoBroadcastJoinThreshold();
    return threshold > 0 && rows * ALLOC_ROW_BYTES + 2 * stringBytes <= threshold;
  }

  /** Stage 3, allocations: accountable intervals with project, branch, precision, GPU model and held GPU-seconds. */
  static Dataset<Row> accountable(Dataset<Row> allocations, Registry registry, double logEnd,
      Dataset<Row> nodeFromTelemetry, Models models, EstimateParams p) {
    Map<String, String> precisions = new HashMap<>();
    for (Registry.Project proj : registry.projects()) {
      precisions.put(proj.id(), proj.precision().yamlName());
    }
    Column precisionMap = Literals.mapLit(precisions, "string");
    Dataset<Row> assigned = BranchAssignment.assignBranches(allocations, registry);
    return GpuAttribution.accountable(assigned, logEnd)
        .join(broadcast(nodeFromTelemetry), col(Allocations.NODE).equalTo(nodeFromTelemetry.col(GpuSamples.HOST)), "left")
        .drop(nodeFromTelemetry.col(GpuSamples.HOST))
        // the node's telemetry names the exact model; sacct's gres type is often a short, ambiguous name
        .withColumn(Flop.MODEL_ID, coalesce(col("node_model_id"), element_at(models.modelMap(), col(Allocations.GPU_MODEL))))
        .withColumn(Flop.PRECISION, coalesce(element_at(precisionMap, col(BranchAssignment.PROJECT)),
            lit(p.defaultPrecision())))
        .withColumn("alloc_gpu_s", when(col(GpuAttribution.START).isNotNull(),
            greatest(lit(0.0), col(GpuAttribution.END).minus(col(GpuAttribution.START)))
                .multiply(coalesce(col(Allocations.GPU_COUNT), lit(0))))
            .otherwise(lit(0.0)))
        .transform(StageCheckpoint::keep);
  }

  /** Per node, its GPUs: the most any allocation held or its telemetry showed. */
  static Dataset<Row> nodeGpus(Dataset<Row> accountable, Dataset<Row> nodeFromTelemetry) {
    return accountable.groupBy(col(Allocations.NODE).as(GpuSamples.HOST))
        .agg(max(col(Allocations.GPU_COUNT)).as("max_alloc_gpus"))
        .join(nodeFromTelemetry.select(col(GpuSamples.HOST), col("telemetry_gpus")), GpuSamples.HOST, "full")
        .select(col(GpuSamples.HOST), greatest(coalesce(col("max_alloc_gpus"), lit(0)),
            coalesce(col("telemetry_gpus"), lit(0))).as(GpuAttribution.NODE_GPUS));
  }

  /**
   * Stage 4, windows: counted intervals replace the telemetry windows they cover and become windows
   * themselves; every window carries its GPU's host and index. {@code counted} may be null.
   */
  static Windows windows(Dataset<Row> windows, Dataset<Row> counted, Dataset<Row> series, long bucket) {
    Dataset<Row> sampleWindows = windows;
    Dataset<Row> superseded = null;
    if (counted != null) {
      Dataset<Row> c = counted.select(col(SampleWindows.SERIES_KEY).as("c_series"),
          explode(sequence(floor(col("c_start").divide(bucket)), floor(col("c_end").divide(bucket)))).as("c_bucket"),
          col("c_start_us"), col("c_end_us"), col("c_id"));
      // segments are cut at every counted interval's bounds: a window row lies wholly inside one or outside
      Dataset<Row> flagged = sampleWindows
          .join(c, col(SampleWindows.SERIES_KEY).equalTo(col("c_series"))
              .and(col(TelemetryScan.BUCKET).equalTo(col("c_bucket")))
              .and(col("c_start_us").leq(col(TelemetryScan.T_LO)))
              .and(col("c_end_us").geq(col(TelemetryScan.T_HI))), "left");
      superseded = flagged.filter(col("c_id").isNotNull());
      sampleWindows = flagged.filter(col("c_id").isNull())
          .drop("c_series", "c_bucket", "c_start_us", "c_end_us", "c_id");
    }
    List<String> windowCols = new ArrayList<>(List.of(SampleWindows.SERIES_KEY, TelemetryScan.BUCKET,
        TelemetryScan.T_LO, TelemetryScan.T_HI, GpuSamples.HPC_JOB, GpuSamples.POD, GpuSamples.NAMESPACE,
        SampleWindows.SAMPLES, SampleWindows.WINDOW_START, SampleWindows.WINDOW_END));
    windowCols.addAll(List.of(Activity.sums()));
    Column[] wc = windowCols.stream().map(c -> col(c)).toArray(Column[]::new);
    Dataset<Row> allWindows = sampleWindows.select(wc);
    if (counted != null) {
      allWindows = allWindows.unionByName(counted.select(wc));
    }
    // the series' columns the ledger rows carry come along in the same broadcast (the attribution leaves out
    // host and index, so they ride twice), so the attribution need not broadcast the series again
    allWindows = allWindows.join(broadcast(series.select(col(SampleWindows.SERIES_KEY), col(GpuSamples.HOST),
        col(GpuSamples.GPU_INDEX), col(GpuSamples.HOST).as(SERIES_HOST), col(GpuSamples.GPU_INDEX).as(SERIES_INDEX),
        col(GpuSamples.GPU_UUID), col(GpuSamples.GPU_MODEL), col(GpuSamples.MIG_PROFILE), col(GpuSamples.MIG_INSTANCE),
        col(Flop.MODEL_ID), col(Flop.MIG_FRACTION), col(Flop.MIG_BY_SLICES), col(Flop.PARTITION_UNKNOWN),
        col("mig_parent"))), SampleWindows.SERIES_KEY);
    return new Windows(allWindows, superseded);
  }

  /** The window's host and GPU index as {@link #windows} carries them past the attribution. */
  static final String SERIES_HOST = "s_host";
  static final String SERIES_INDEX = "s_index";

  /**
   * Stage 5, attribute and estimate: windows ({@link #windows}: with their series' columns) shared among
   * the allocations holding their GPU, each ledger row with its project, branch, model and precision,
   * then its FLOP and method.
   */
  static Dataset<Row> attribute(Dataset<Row> allWindows, Dataset<Row> accountable, Dataset<Row> nodeGpus,
      Flop flop, EstimateParams p, Dataset<Row> calibration, LogFacts facts) {
    boolean broadcastable = facts.allocationsBroadcastable();
    Dataset<Row> exploded = GpuAttribution.exploded(accountable, p.bucketSeconds());
    Dataset<Row> attributed = GpuAttribution.attribute(allWindows, exploded, nodeGpus, facts.heldBroadcastable());
    Dataset<Row> allocFacts = accountable.select(col(GpuAttribution.ALLOC_ID).as("f_alloc"),
        col(BranchAssignment.PROJECT), col(BranchAssignment.BRANCH), col(Flop.PRECISION).as("alloc_precision"));
    // the window's time bounds and job labels have done their work: the ledger rows need not carry them
    Dataset<Row> usage = attributed.drop(TelemetryScan.T_LO, TelemetryScan.T_HI, GpuSamples.HPC_JOB, GpuSamples.POD,
            GpuSamples.NAMESPACE)
        .withColumnRenamed(SERIES_HOST, GpuSamples.HOST)
        .withColumnRenamed(SERIES_INDEX, GpuSamples.GPU_INDEX)
        // broadcast when the allocations allow it: one short row per allocation (fewer bytes than the
        // attribution's allocations per (node, hour)); the ledger rows are not shuffled to meet them
        .join(Rollups.perAllocationSide(allocFacts, broadcastable), col(GpuAttribution.ALLOC_ID).equalTo(col("f_alloc")), "left")
        .drop("f_alloc")
        .withColumn(BranchAssignment.PROJECT, coalesce(col(BranchAssignment.PROJECT), lit(UNATTRIBUTED)))
        .withColumn(BranchAssignment.BRANCH, coalesce(col(BranchAssignment.BRANCH), lit(IDLE_BRANCH)))
        .withColumn(Flop.PRECISION, coalesce(col("alloc_precision"), lit(p.defaultPrecision())))
        .drop("alloc_precision")
        // a MIG parent's own rows would count the instances' work twice
        .withColumn(Flop.MIG_FRACTION, when(col("mig_parent"), lit(0.0)).otherwise(col(Flop.MIG_FRACTION)));
    return SelfCalibration.apply(MethodChoice.windowFlop(flop, usage)
        .withColumn("gpu_seconds", col(Activity.COVERED_S).multiply(coalesce(col(Flop.MIG_FRACTION), lit(1.0)))),
        calibration, p).transform(StageCheckpoint::keep);
  }

  /**
   * Stage 6, roll up: held GPU time telemetry did not cover falls to the allocation method; costs per
   * allocation; then jobs, line items, the GPU ledger and the calibration of counted intervals.
   */
  static Outputs rollUp(SparkSession spark, Inputs in, Registry registry, Flop flop, EstimateParams p, Stages s,
      Map<String, String> modelIds, LogFacts logFacts, Costs costs) {
    boolean broadcastable = logFacts.allocationsBroadcastable();
    // one pass over the ledger rows for every roll-up: per allocation, GPU model and precision
    Dataset<Row> perAlloc = Rollups.perAlloc(s.usageFlop()).transform(StageCheckpoint::keep);
    // read by the allocations' rows only (below), so summed within their query, not kept
    Dataset<Row> telemetryPerAlloc = Rollups.resum(perAlloc.filter(col("t_alloc").isNotNull()), col("t_alloc"));
    // each allocation meets its telemetry once: the job roll-up, the GPU ledger and the conflicts read it here
    Dataset<Row> allocFlop = uncoveredFlop(s.accountable(), telemetryPerAlloc, flop, p, broadcastable)
        .transform(StageCheckpoint::keep);
    Dataset<Row> jobs = Rollups.jobs(s.accountable(), allocFlop, costs.perAlloc(), costs.market(), broadcastable)
        .transform(StageCheckpoint::keep);
    Dataset<Row> idle = perAlloc.filter(col("t_alloc").isNull());
    Dataset<Row> lineItems = Rollups.lineItems(jobs, idle, BranchAssignment.branchesTable(spark, registry), registry, p);
    // billed, effective and market cost in the reporting currency, per line item and per job (fx.csv)
    Dataset<Row> billedPieces = fxPieces(s.accountable(), costs.prepared(), broadcastable);
    Dataset<Row> marketPieces = fxMarketPieces(s.accountable(), costs.market(), broadcastable);
    // the pieces are rated once and kept; line items and jobs only sum them by their own keys
    org.computeledger.attribute.FxConversion.Prepared fx = org.computeledger.attribute.FxConversion
        .prepare(billedPieces, marketPieces, in.fxRates(), in.reportCurrency()).map(StageCheckpoint::keep);
    lineItems = org.computeledger.attribute.FxConversion.apply(lineItems,
        List.of(BranchAssignment.PROJECT, BranchAssignment.BRANCH), fx);
    jobs = org.computeledger.attribute.FxConversion.apply(jobs, List.of(GpuAttribution.JOB_KEY), fx);
    Dataset<Row> gpuUsage = Rollups.gpuUsage(s.usageFlop(), allocFlop, p.bucketSeconds());
    Row c = Rollups.conflicts(allocFlop);
    return new Outputs(gpuUsage, jobs, lineItems, costs.reconciliation(), s.calibration(), modelIds, logFacts.logEnd(),
        costs.matching(), new Conflicts(c.getLong(0), c.getLong(1), c.getDouble(2)));
  }

  /** Each allocation's share of each charge with the allocation's line item and job, for the fx.csv conversion. */
  static Dataset<Row> fxPieces(Dataset<Row> accountable, CostAttribution.Prepared prepared, boolean broadcastable) {
    return CostAttribution.allocCostPieces(prepared)
        .join(Rollups.perAllocationSide(fxOwners(accountable), broadcastable), col(GpuAttribution.ALLOC_ID).equalTo(col("o_alloc")))
        .withColumn(org.computeledger.attribute.FxConversion.FX_AT, col("charge_period_start"))
        .drop("o_alloc", GpuAttribution.ALLOC_ID);
  }

  /** Each allocation's market cost with its line item and job, dated by the day it was priced; null without prices. */
  static Dataset<Row> fxMarketPieces(Dataset<Row> accountable, Dataset<Row> market, boolean broadcastable) {
    return market == null ? null : market
        .join(Rollups.perAllocationSide(fxOwners(accountable), broadcastable), col(GpuAttribution.ALLOC_ID).equalTo(col("o_alloc")))
        .withColumn(org.computeledger.attribute.FxConversion.FX_AT, col(MarketPrices.PRICED_AT))
        .drop("o_alloc", GpuAttribution.ALLOC_ID);
  }

  private static Dataset<Row> fxOwners(Dataset<Row> accountable) {
    return accountable.select(col(GpuAttribution.ALLOC_ID).as("o_alloc"), col(BranchAssignment.PROJECT),
        col(BranchAssignment.BRANCH), col(GpuAttribution.JOB_KEY));
  }

  /**
   * Each allocation with its telemetry sums ({@link Rollups#resum} by {@code t_alloc}; their method
   * reasons as {@code t_reasons}) and its held GPU-seconds that telemetry did not cover, priced by the
   * allocation method; {@code broadcastable}: the telemetry per allocation is broadcast to the allocations.
   */
  static Dataset<Row> uncoveredFlop(Dataset<Row> accountable, Dataset<Row> telemetryPerAlloc, Flop flop,
      EstimateParams p, boolean broadcastable) {
    // the allocation method writes its own reasons column: the telemetry's are kept beside it
    Dataset<Row> telemetry = telemetryPerAlloc.withColumnRenamed(org.computeledger.estimate.MethodReasons.COLUMN,
        "t_reasons");
    Dataset<Row> allocRows = accountable.join(Rollups.perAllocationSide(telemetry, broadcastable),
            col(GpuAttribution.ALLOC_ID).equalTo(col("t_alloc")), "left")
        .withColumn("uncovered_gpu_s", greatest(lit(0.0),
            col("alloc_gpu_s").minus(coalesce(col("telemetry_gpu_seconds"), lit(0.0)))));
    return flop.allocationFlop(allocRows, "uncovered_gpu_s", p.allocUtil());
  }

  /** Bills per allocation, their reconciliation, and market prices per allocation (null without prices). */
  record Costs(Dataset<Row> perAlloc, Dataset<Row> reconciliation, Dataset<Row> market, Dataset<Row> matching,
      CostAttribution.Prepared prepared) {}

  /**
   * Costs of the allocations that held a node for a while: from the bills, and at market prices. The
   * charges are classified and shared out once ({@link CostAttribution#prepare}) for every table.
   */
  static Costs costs(Dataset<Row> accountable, Dataset<Row> nodeGpus, Dataset<Row> charges, Dataset<Row> prices,
      Dataset<Row> resources) {
    Dataset<Row> costAllocs = costAllocs(accountable);
    CostAttribution.Prepared prepared = CostAttribution.prepare(costAllocs, charges, costNodes(nodeGpus), resources);
    return new Costs(CostAttribution.allocCosts(prepared), CostAttribution.reconciliation(prepared),
        prices == null ? null : MarketPrices.allocMarketCost(costAllocs, prices), CostAttribution.matching(prepared),
        prepared);
  }

  /** The allocations that held a node for a while, as cost attribution reads them. */
  static Dataset<Row> costAllocs(Dataset<Row> accountable) {
    return accountable.filter(col(GpuAttribution.START).isNotNull()
            .and(col(GpuAttribution.END).gt(col(GpuAttribution.START))).and(col(Allocations.NODE).isNotNull()))
        .select(col(GpuAttribution.ALLOC_ID), col(Allocations.NODE),
            col(GpuAttribution.START).cast("timestamp").as(Allocations.START_TIME),
            col(GpuAttribution.END).cast("timestamp").as(Allocations.END_TIME),
            coalesce(col(Allocations.GPU_COUNT), lit(0)).as(Allocations.GPU_COUNT), col(Flop.MODEL_ID).as(Allocations.GPU_MODEL));
  }

  static Dataset<Row> costNodes(Dataset<Row> nodeGpus) {
    return nodeGpus.select(col(GpuSamples.HOST).as("node"), col(GpuAttribution.NODE_GPUS).as("gpu_total"));
  }

  /**
   * Per host, the sorted instants (microseconds) at which a job's allocation or a counted interval
   * starts or ends: the telemetry scan cuts its sums there. One entry per allocation edge, so the
   * driver holds O(allocations), never O(samples).
   */
  static Map<String, long[]> boundaries(Dataset<Row> allocations, Dataset<Row> flopCounts) {
    Dataset<Row> jobs = allocations.filter(col(Allocations.STEP_ID).isNull().and(col(Allocations.NODE).isNotNull()));
    Dataset<Row> edges = jobs.select(col(Allocations.NODE).as("h"), unix_micros(col(Allocations.START_TIME)).as("t"))
        .union(jobs.select(col(Allocations.NODE).as("h"), unix_micros(col(Allocations.END_TIME)).as("t")));
    if (flopCounts != null) {
      Dataset<Row> c = flopCounts.filter(col(FlopCounts.HOST).isNotNull());
      edges = edges.union(c.select(col(FlopCounts.HOST).as("h"), unix_micros(col(FlopCounts.INTERVAL_START)).as("t")))
          .union(c.select(col(FlopCounts.HOST).as("h"), unix_micros(col(FlopCounts.INTERVAL_END)).as("t")));
    }
    Map<String, long[]> out = new HashMap<>();
    for (Row r : edges.filter(col("t").isNotNull()).groupBy(col("h")).agg(array_sort(collect_set(col("t"))))
        .collectAsList()) {
      List<Long> ts = r.getList(1);
      long[] a = new long[ts.size()];
      for (int i = 0; i < a.length; i++) {
        a[i] = ts.get(i);
      }
      out.put(r.getString(0), a);
    }
    return out;
  }

  /**
   * Counter intervals as windows: each keyed to its GPU series (by UUID, or by index on its host) and
   * carrying its exact FLOP; null when there are none.
   */
  static Dataset<Row> countedWindows(Dataset<Row> flopCounts, Dataset<Row> series, long bucket) {
    if (flopCounts == null || flopCounts.isEmpty()) {
      return null;
    }
    Dataset<Row> byIndex = series.filter(col(GpuSamples.MIG_INSTANCE).isNull())
        .select(col(GpuSamples.HOST).as("s_host"), col(GpuSamples.GPU_INDEX).as("s_index"),
            col(GpuSamples.GPU_UUID).as("s_uuid"));
    Dataset<Row> c = flopCounts.join(broadcast(byIndex), col(FlopCounts.HOST).equalTo(col("s_host"))
            .and(col(FlopCounts.GPU_INDEX).equalTo(col("s_index"))), "left")
        .withColumn("uuid", coalesce(col(FlopCounts.GPU_UUID), col("s_uuid")))
        .withColumn(SampleWindows.SERIES_KEY, SampleWindows.seriesKey(col(FlopCounts.HOST), col("uuid"), lit(null)))
        .withColumn("c_start_us", unix_micros(col(FlopCounts.INTERVAL_START)))
        .withColumn("c_end_us", unix_micros(col(FlopCounts.INTERVAL_END)));
    // the GPU is its UUID when known, else its index on the host: rows of two GPUs never trim each other
    c = CounterOverlaps.trim(c, coalesce(col("uuid"), concat(col(FlopCounts.HOST), lit("#"),
            col(FlopCounts.GPU_INDEX).cast("string"))), "c_start_us", "c_end_us")
        .withColumn("c_start_us", col(CounterOverlaps.KEPT_START_US))
        .withColumn(FlopCounts.FLOP, col(FlopCounts.FLOP).multiply(col(CounterOverlaps.KEPT_SHARE)))
        .withColumn("c_start", col("c_start_us").divide(1e6))
        .withColumn("c_end", col(FlopCounts.INTERVAL_END).cast("double"))
        .withColumn("c_id", xxhash64(col(FlopCounts.SOURCE_FILE), col(FlopCounts.SOURCE_LINE)))
        .withColumn("c_dt", col("c_end").minus(col("c_start")));
    Column[] zeros = java.util.Arrays.stream(Activity.sums())
        .filter(s -> !s.equals(Activity.COUNTED_FLOP) && !s.equals(Activity.COUNTED_S) && !s.equals(Activity.COVERED_S))
        .map(s -> lit(0.0).as(s)).toArray(Column[]::new);
    // attributed like a sample taken at the interval's end
    List<Column> cols = new ArrayList<>(List.of(col(SampleWindows.SERIES_KEY), col("c_id"), col("c_start"), col("c_end"),
        col("c_start_us"), col("c_end_us"), floor(col("c_end").divide(bucket)).as(TelemetryScan.BUCKET),
        col("c_end_us").minus(1).as(TelemetryScan.T_LO), col("c_end_us").as(TelemetryScan.T_HI),
        lit(null).cast("string").as(GpuSamples.HPC_JOB), lit(null).cast("string").as(GpuSamples.POD),
        lit(null).cast("string").as(GpuSamples.NAMESPACE), lit(1.0).as(SampleWindows.SAMPLES),
        col("c_start").as(SampleWindows.WINDOW_START), col("c_end").as(SampleWindows.WINDOW_END),
        col(FlopCounts.FLOP).as(Activity.COUNTED_FLOP), col("c_dt").as(Activity.COUNTED_S),
        col("c_dt").as(Activity.COVERED_S), col(FlopCounts.PRECISION).as("counted_precision")));
    cols.addAll(List.of(zeros));
    return c.select(cols.toArray(new Column[0]));
  }
}
