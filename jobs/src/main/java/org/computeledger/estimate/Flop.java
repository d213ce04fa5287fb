package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.common.ColumnSteps;

/**
 * From activity-seconds to FLOP, per aggregated ledger row, with the dense peak of the row's GPU model
 * and precision. The peak catalog is small: it is joined to the rows as a broadcast table keyed by
 * (model, precision), one hash lookup per row.
 *
 * <p>No pipe ever borrows another's figure: a row whose samples were active on a pipe the catalog has
 * no figure for (TF32 on an A10G, say) drops from pipe-activity to utilization for those samples (the
 * utilization they logged), and what logged none is unpriced; each such row carries its reason in
 * {@link MethodReasons#COLUMN}.
 */
public final class Flop {
  public static final String MODEL_ID = "model_id";
  public static final String PRECISION = "precision";
  public static final String MIG_FRACTION = "mig_fraction";
  /** True on a MIG series whose share came from the slice rule, not from the SM table. */
  public static final String MIG_BY_SLICES = "mig_by_slices";
  /**
   * True on a device whose share of its GPU is unknown: a MIG profile no rule reads, or an AMD
   * MI300-series device of a node showing more of them than a node holds (8), whose GPUs are split into
   * compute partitions (DPX/QPX/CPX) the logs do not name. It is unpriced, never counted as a whole GPU.
   */
  public static final String PARTITION_UNKNOWN = "partition_unknown";
  /** AMD MI300-series GPUs per node (OAM platform): more devices on one node means partitioned GPUs. */
  static final int MI300_PER_NODE = 8;
  public static final String FLOP = "flop";
  public static final String FLOP_LOW = "flop_low";
  public static final String FLOP_HIGH = "flop_high";
  public static final String FLOP_PIPE = "flop_pipe_activity";
  public static final String FLOP_UTIL = "flop_utilization";
  public static final String FLOP_ALLOCATION = "flop_allocation";
  public static final String FLOP_COUNTED = "flop_counted";
  public static final String PEAK = "peak_flops";
  public static final String UNPRICED_S = "unpriced_gpu_seconds";

  /** Columns of the catalog table: the figure for the row's precision, then per pipe peak and clock. */
  private static final String[] CATALOG_COLUMNS = {
    "_pk_model", "_pk_precision", "_pk_peak", "_pk_boost", "_pk_fp64", "_pk_fp64_boost", "_pk_fp32", "_pk_fp32_boost",
    "_pk_fp16", "_pk_fp16_boost", "_pk_subst"
  };

  private final List<Row> catalogRows;
  private final MigProfiles migProfiles;
  private final java.util.HashMap<String, Double> boostClocks = new java.util.HashMap<>();
  private final EstimateParams params;
  private double[] acceleratorUtil;

  public Flop(PeakCatalog catalog, EstimateParams params) {
    this(catalog, MigProfiles.load(), params);
  }

  public Flop(PeakCatalog catalog, MigProfiles migProfiles, EstimateParams params) {
    this.migProfiles = migProfiles;
    this.catalogRows = new ArrayList<>();
    for (String model : catalog.models()) {
      catalog.boostClockMhz(model).ifPresent(mhz -> boostClocks.put(model, mhz));
      // the vector pipes read direct rows only: a missing one drops the method (see the class comment)
      PeakCatalog.Peak fp64 = catalog.peak(model, "fp64").orElse(null);
      PeakCatalog.Peak fp32 = catalog.peak(model, "fp32").orElse(null);
      PeakCatalog.Peak fp16 = catalog.peak(model, "fp16_nontensor").orElse(null);
      for (String precision : PeakCatalog.PRECISIONS) {
        PeakCatalog.Resolution r = catalog.resolve(model, precision).orElse(null);
        catalogRows.add(RowFactory.create(model, precision, r == null ? null : r.peak().flopsPerSecond(),
            r == null || r.peak().boostClockMhz() <= 0 ? null : r.peak().boostClockMhz(), flops(fp64), clock(fp64), flops(fp32), clock(fp32),
            flops(fp16), clock(fp16), r != null && r.isFallback()));
      }
    }
    this.params = params;
    this.acceleratorUtil = new double[] {params.allocUtil(), params.allocUtilLow(), params.allocUtilHigh()};
  }

  /**
   * Adds {@link #MIG_FRACTION} (1 for a whole GPU) and {@link #MIG_BY_SLICES} to GPU series with
   * {@code gpu_model}, {@code mig_profile} and {@link #MODEL_ID}: the share of the parent's SMs the
   * instance holds, from {@link MigProfiles}. The distinct (model, profile) pairs are few: they are
   * resolved on the driver and joined back as a small broadcast table.
   */
  public Dataset<Row> withMigShares(Dataset<Row> series) {
    List<Row> shares = new ArrayList<>();
    for (Row r : series.select(col(MODEL_ID), col("mig_profile")).filter(col("mig_profile").isNotNull())
        .distinct().collectAsList()) {
      MigProfiles.Share s = migProfiles.share(r.getString(0), r.getString(1));
      if (s != null) {
        shares.add(RowFactory.create(r.getString(0), r.getString(1), s.compute(), s.bySlices()));
      }
    }
    StructType schema = new StructType().add("_ms_model", DataTypes.StringType, true)
        .add("_ms_profile", DataTypes.StringType, false).add("_ms_share", DataTypes.DoubleType, false)
        .add("_ms_slices", DataTypes.BooleanType, false);
    Dataset<Row> table = series.sparkSession().createDataFrame(shares, schema);
    Dataset<Row> joined = series.join(broadcast(table), col(MODEL_ID).eqNullSafe(col("_ms_model"))
        .and(col("mig_profile").equalTo(col("_ms_profile"))), "left");
    return ColumnSteps.steps()
        .set(MIG_FRACTION, when(col("mig_profile").isNull(), lit(1.0)).otherwise(col("_ms_share")))
        .set(MIG_BY_SLICES, coalesce(col("_ms_slices"), lit(false)))
        // a MIG profile neither the table nor the slice rule reads would otherwise count as the whole GPU
        .set(PARTITION_UNKNOWN, col("mig_profile").isNotNull().and(col("_ms_share").isNull())
            .or(amdPartitioned()))
        .applyTo(joined)
        .drop("_ms_model", "_ms_profile", "_ms_share", "_ms_slices");
  }

  /** See {@link #PARTITION_UNKNOWN}; series rows are one per device, so a window per host counts devices. */
  private static Column amdPartitioned() {
    Column mi300 = coalesce(col(MODEL_ID).rlike("^mi3"), lit(false));
    Column perHost = sum(when(mi300, lit(1)).otherwise(lit(0)))
        .over(org.apache.spark.sql.expressions.Window.partitionBy(col("host")));
    return mi300.and(perHost.gt(MI300_PER_NODE));
  }

  /** Catalog models that are not GPUs (no DCGM telemetry): TPUs, Trainium, Inferentia, Gaudi. */
  public static Column isAccelerator(Column modelId) {
    return coalesce(modelId.rlike("^(tpu-|trainium|inferentia|gaudi)"), lit(false));
  }

  /**
   * This estimator with its own assumed utilization (point, low, high) for TPU, Trainium, Inferentia and
   * Gaudi allocations; by default the GPUs' assumption. Returns this.
   */
  public Flop withAcceleratorUtilization(double point, double low, double high) {
    if (!(low <= point && point <= high && low >= 0 && high <= 1)) {
      throw new IllegalArgumentException("accelerator utilization: expected 0 <= low <= point <= high <= 1, got "
          + low + ", " + point + ", " + high);
    }
    acceleratorUtil = new double[] {point, low, high};
    return this;
  }

  /** The accelerator utilization assumption in use: point, low, high. */
  public double[] acceleratorUtilization() {
    return acceleratorUtil.clone();
  }

  /** Each catalog model's rated boost clock (MHz): the bound on logged SM clocks, see {@link TelemetryScan}. */
  public java.util.Map<String, Double> boostClocks() {
    return java.util.Collections.unmodifiableMap(boostClocks);
  }

  /** A vector pipe's figure; none when its clock is unstated, since pipe activity is scaled by clock. */
  private static Double flops(PeakCatalog.Peak p) {
    return p == null || p.boostClockMhz() <= 0 ? null : p.flopsPerSecond();
  }

  private static Double clock(PeakCatalog.Peak p) {
    return p == null || p.boostClockMhz() <= 0 ? null : p.boostClockMhz();
  }

  /** Rows with the catalog's columns for their (model_id, precision) added; all null when the catalog has none. */
  private Dataset<Row> withCatalog(Dataset<Row> rows) {
    StructType schema = new StructType()
        .add(CATALOG_COLUMNS[0], DataTypes.StringType, false)
        .add(CATALOG_COLUMNS[1], DataTypes.StringType, false);
    for (int i = 2; i < CATALOG_COLUMNS.length - 1; i++) {
      schema = schema.add(CATALOG_COLUMNS[i], DataTypes.DoubleType, true);
    }
    schema = schema.add(CATALOG_COLUMNS[CATALOG_COLUMNS.length - 1], DataTypes.BooleanType, false);
    Dataset<Row> table = rows.sparkSession().createDataFrame(catalogRows, schema);
    return rows.join(broadcast(table), col(MODEL_ID).equalTo(col("_pk_model"))
        .and(col(PRECISION).equalTo(col("_pk_precision"))), "left");
  }

  /** Pipe seconds scaled by clock: Σ a·dt·clock / boost + Σ a·dt where the clock was unknown. */
  private static Column pipeSeconds(String pipe, Column boost) {
    return coalesce(col(Activity.pipeClk(pipe)).divide(boost), lit(0.0)).plus(col(Activity.pipeNoClk(pipe)));
  }

  /** True where the row's samples were active on {@code pipe} (either clock sum is positive). */
  private static Column active(String pipe) {
    return coalesce(col(Activity.pipeClk(pipe)), lit(0.0)).gt(0).or(coalesce(col(Activity.pipeNoClk(pipe)), lit(0.0)).gt(0));
  }

  /**
   * Adds peak, flop by telemetry method, flop, flop_low, flop_high, unpriced seconds and {@link
   * MethodReasons#COLUMN} to rows with {@link Activity} sums and {@code model_id}, {@code precision},
   * {@code mig_fraction}. A row whose pipe method cannot be priced has its pipe-covered seconds moved to
   * the utilization columns (those that logged utilization), so every roll-up sees the method it used.
   */
  public Dataset<Row> telemetryFlop(Dataset<Row> rows) {
    Column frac = coalesce(col(MIG_FRACTION), lit(1.0));
    Column tensorPeak = col("_pk_peak");
    boolean partitions = java.util.Arrays.asList(rows.columns()).contains(PARTITION_UNKNOWN);
    Column partitioned = partitions ? coalesce(col(PARTITION_UNKNOWN), lit(false)) : lit(false);
    Column priced = tensorPeak.isNotNull().and(not(partitioned));
    Column noFp64 = active("fp64").and(col("_pk_fp64").isNull());
    Column noFp32 = active("fp32").and(col("_pk_fp32").isNull());
    Column noFp16 = active("fp16").and(col("_pk_fp16").isNull());
    Column noTensor = active("tensor").and(tensorPeak.isNull().or(col("_pk_boost").isNull()));
    Column pipeRows = coalesce(col(Activity.PIPE_COVERED_S), lit(0.0)).gt(0);
    Column dropped = pipeRows.and(noFp64.or(noFp32).or(noFp16).or(noTensor));
    // each datasheet figure is quoted at its own clock (Hopper's tensor figures at a lower one than FP32)
    Column pipe = frac.multiply(
        coalesce(tensorPeak.multiply(pipeSeconds("tensor", col("_pk_boost"))), lit(0.0))
            .plus(coalesce(col("_pk_fp64").multiply(pipeSeconds("fp64", col("_pk_fp64_boost"))), lit(0.0)))
            .plus(coalesce(col("_pk_fp32").multiply(pipeSeconds("fp32", col("_pk_fp32_boost"))), lit(0.0)))
            .plus(coalesce(col("_pk_fp16").multiply(pipeSeconds("fp16", col("_pk_fp16_boost"))), lit(0.0))));
    Column util = frac.multiply(tensorPeak).multiply(col(Activity.UTIL_S));
    Column pipeUtilCovered = coalesce(col(Activity.PIPE_UTIL_COVERED_S), lit(0.0));
    Column reasons = MethodReasons.when(priced.and(dropped).and(noFp64), MethodReasons.PIPE_NO_FP64)
        .bitwiseOR(MethodReasons.when(priced.and(dropped).and(noFp32), MethodReasons.PIPE_NO_FP32))
        .bitwiseOR(MethodReasons.when(priced.and(dropped).and(noFp16), MethodReasons.PIPE_NO_FP16))
        .bitwiseOR(MethodReasons.when(priced.and(dropped)
            .and(col(Activity.PIPE_COVERED_S).gt(pipeUtilCovered)), MethodReasons.PIPE_NO_UTIL))
        .bitwiseOR(MethodReasons.when(not(priced).and(coalesce(col(Activity.COVERED_S), lit(0.0)).gt(0)),
            MethodReasons.NO_PEAK))
        .bitwiseOR(MethodReasons.when(col("_pk_subst").and(coalesce(col(Activity.COVERED_S), lit(0.0)).gt(0)),
            MethodReasons.PRECISION_SUBSTITUTED))
        .bitwiseOR(MethodReasons.when(coalesce(col(Activity.CLOCK_REJECTED_S), lit(0.0)).gt(0)
            .and(not(dropped)), MethodReasons.CLOCK_REJECTED));
    reasons = reasons.bitwiseOR(MethodReasons.when(partitioned, MethodReasons.PARTITION_UNKNOWN));
    if (java.util.Arrays.asList(rows.columns()).contains(MIG_BY_SLICES)) {
      reasons = reasons.bitwiseOR(MethodReasons.when(coalesce(col(MIG_BY_SLICES), lit(false)), MethodReasons.MIG_SLICE_RULE));
    }
    // one chain of steps: Spark analyses a few selects instead of a plan per withColumn (common/ColumnSteps)
    return ColumnSteps.steps()
        .set("_dropped", coalesce(dropped, lit(false)))
        .set(MethodReasons.COLUMN, reasons)
        .set("_pipe_no_util_s", when(col("_dropped"),
            greatest(lit(0.0), col(Activity.PIPE_COVERED_S).minus(pipeUtilCovered))).otherwise(lit(0.0)))
        .set(Activity.UTIL_COVERED_S, when(col("_dropped"), col(Activity.UTIL_COVERED_S).plus(pipeUtilCovered))
            .otherwise(col(Activity.UTIL_COVERED_S)))
        .set(Activity.UTIL_S, when(col("_dropped"),
                col(Activity.UTIL_S).plus(coalesce(col(Activity.PIPE_UTIL_S), lit(0.0))))
            .otherwise(col(Activity.UTIL_S)))
        .set(Activity.PIPE_COVERED_S, when(col("_dropped"), lit(0.0)).otherwise(col(Activity.PIPE_COVERED_S)))
        .set(PEAK, tensorPeak)
        .set(FLOP_PIPE, when(priced.and(not(col("_dropped"))), pipe).otherwise(lit(0.0)))
        .set(FLOP_UTIL, when(priced, coalesce(util, lit(0.0))).otherwise(lit(0.0)))
        .set(FLOP, col(FLOP_PIPE).plus(col(FLOP_UTIL)))
        .set(FLOP_LOW, col(FLOP_PIPE).multiply(1 - params.pipeRelError())
            .plus(col(FLOP_UTIL).multiply(params.utilLowFactor())))
        .set(FLOP_HIGH, col(FLOP_PIPE).multiply(1 + params.pipeRelError())
            .plus(col(FLOP_UTIL).multiply(params.utilHighFactor())))
        // in the unit of gpu_seconds: a MIG instance's unpriced time is its share of the GPU's, as its GPU-seconds are
        .set(UNPRICED_S, frac.multiply(when(priced, col("_pipe_no_util_s")).otherwise(col(Activity.COVERED_S))))
        .applyTo(withCatalog(rows))
        .drop(CATALOG_COLUMNS)
        .drop("_dropped", "_pipe_no_util_s");
  }

  /** FLOP of uncovered allocated GPU-seconds ({@code seconds} column) at the assumed utilization. */
  public Dataset<Row> allocationFlop(Dataset<Row> rows, String seconds, double allocUtil) {
    Column peak = col("_pk_peak");
    Column base = peak.multiply(col(seconds));
    Column priced = peak.isNotNull();
    // TPU, Trainium, Inferentia and Gaudi time is only ever counted this way: it has an assumption of its own
    Column accel = isAccelerator(col(MODEL_ID));
    Column util = when(accel, lit(acceleratorUtil[0])).otherwise(lit(allocUtil));
    Column low = when(accel, lit(acceleratorUtil[1])).otherwise(lit(params.allocUtilLow()));
    Column high = when(accel, lit(acceleratorUtil[2])).otherwise(lit(params.allocUtilHigh()));
    return ColumnSteps.steps()
        .set(PEAK, peak)
        .set(FLOP_ALLOCATION, when(priced, base.multiply(util)).otherwise(lit(0.0)))
        .set(FLOP, col(FLOP_ALLOCATION))
        .set(FLOP_LOW, when(priced, base.multiply(low)).otherwise(lit(0.0)))
        .set(FLOP_HIGH, when(priced, base.multiply(high)).otherwise(lit(0.0)))
        .set(UNPRICED_S, when(priced, lit(0.0)).otherwise(col(seconds)))
        .set(MethodReasons.COLUMN, MethodReasons.when(not(priced).and(col(seconds).gt(0)), MethodReasons.NO_PEAK)
            .bitwiseOR(MethodReasons.when(col("_pk_subst").and(col(seconds).gt(0)), MethodReasons.PRECISION_SUBSTITUTED)))
        .applyTo(withCatalog(rows))
        .drop(CATALOG_COLUMNS);
  }
}
