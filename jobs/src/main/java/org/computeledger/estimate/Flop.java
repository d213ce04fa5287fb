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

/**
 * From activity-seconds to FLOP, per aggregated ledger row, with the dense peak of the row's GPU model
 * and precision. The peak catalog is small: it is joined to the rows as a broadcast table keyed by
 * (model, precision), one hash lookup per row, with each pipe's fallback (FP64 without an FP64 figure
 * runs at the FP32 one, FP16 without a non-tensor figure likewise) resolved once on the driver.
 */
public final class Flop {
  public static final String MODEL_ID = "model_id";
  public static final String PRECISION = "precision";
  public static final String MIG_FRACTION = "mig_fraction";
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
    "_pk_fp16", "_pk_fp16_boost"
  };

  private final List<Row> catalogRows;
  private final EstimateParams params;

  public Flop(PeakCatalog catalog, EstimateParams params) {
    this.catalogRows = new ArrayList<>();
    for (String model : catalog.models()) {
      Double fp32 = val(catalog.peakFlops(model, "fp32"));
      Double fp32Boost = val(catalog.boostClockMhz(model, "fp32"));
      Double fp64 = orElse(val(catalog.peakFlops(model, "fp64")), fp32);
      Double fp64Boost = orElse(val(catalog.boostClockMhz(model, "fp64")), fp32Boost);
      Double fp16 = orElse(val(catalog.peakFlops(model, "fp16_nontensor")), fp32);
      Double fp16Boost = orElse(val(catalog.boostClockMhz(model, "fp16_nontensor")), fp32Boost);
      for (String precision : PeakCatalog.PRECISIONS) {
        catalogRows.add(RowFactory.create(model, precision, val(catalog.peakFlops(model, precision)),
            val(catalog.boostClockMhz(model, precision)), fp64, fp64Boost, fp32, fp32Boost, fp16, fp16Boost));
      }
    }
    this.params = params;
  }

  private static Double val(java.util.OptionalDouble d) {
    return d.isPresent() ? d.getAsDouble() : null;
  }

  private static Double orElse(Double a, Double b) {
    return a != null ? a : b;
  }

  /** Rows with the catalog's columns for their (model_id, precision) added; all null when the catalog has none. */
  private Dataset<Row> withCatalog(Dataset<Row> rows) {
    StructType schema = new StructType()
        .add(CATALOG_COLUMNS[0], DataTypes.StringType, false)
        .add(CATALOG_COLUMNS[1], DataTypes.StringType, false);
    for (int i = 2; i < CATALOG_COLUMNS.length; i++) {
      schema = schema.add(CATALOG_COLUMNS[i], DataTypes.DoubleType, true);
    }
    Dataset<Row> table = rows.sparkSession().createDataFrame(catalogRows, schema);
    return rows.join(broadcast(table), col(MODEL_ID).equalTo(col("_pk_model"))
        .and(col(PRECISION).equalTo(col("_pk_precision"))), "left");
  }

  /** Pipe seconds scaled by clock: Σ a·dt·clock / boost + Σ a·dt where the clock was unknown. */
  private static Column pipeSeconds(String pipe, Column boost) {
    return coalesce(col(Activity.pipeClk(pipe)).divide(boost), lit(0.0)).plus(col(Activity.pipeNoClk(pipe)));
  }

  /**
   * Adds peak, flop by telemetry method, flop, flop_low, flop_high and unpriced seconds to rows with
   * {@link Activity} sums and {@code model_id}, {@code precision}, {@code mig_fraction}.
   */
  public Dataset<Row> telemetryFlop(Dataset<Row> rows) {
    Column frac = coalesce(col(MIG_FRACTION), lit(1.0));
    Column tensorPeak = col("_pk_peak");
    // each datasheet figure is quoted at its own clock (Hopper's tensor figures at a lower one than FP32)
    Column pipe = frac.multiply(
        coalesce(tensorPeak.multiply(pipeSeconds("tensor", col("_pk_boost"))), lit(0.0))
            .plus(coalesce(col("_pk_fp64").multiply(pipeSeconds("fp64", col("_pk_fp64_boost"))), lit(0.0)))
            .plus(coalesce(col("_pk_fp32").multiply(pipeSeconds("fp32", col("_pk_fp32_boost"))), lit(0.0)))
            .plus(coalesce(col("_pk_fp16").multiply(pipeSeconds("fp16", col("_pk_fp16_boost"))), lit(0.0))));
    Column util = frac.multiply(tensorPeak).multiply(col(Activity.UTIL_S));
    Column priced = tensorPeak.isNotNull();
    return withCatalog(rows)
        .withColumn(PEAK, tensorPeak)
        .withColumn(FLOP_PIPE, when(priced, pipe).otherwise(lit(0.0)))
        .withColumn(FLOP_UTIL, when(priced, coalesce(util, lit(0.0))).otherwise(lit(0.0)))
        .withColumn(FLOP, col(FLOP_PIPE).plus(col(FLOP_UTIL)))
        .withColumn(FLOP_LOW, col(FLOP_PIPE).multiply(1 - params.pipeRelError())
            .plus(col(FLOP_UTIL).multiply(params.utilLowFactor())))
        .withColumn(FLOP_HIGH, col(FLOP_PIPE).multiply(1 + params.pipeRelError())
            .plus(col(FLOP_UTIL).multiply(params.utilHighFactor())))
        .withColumn(UNPRICED_S, when(priced, lit(0.0)).otherwise(col(Activity.COVERED_S)))
        .drop(CATALOG_COLUMNS);
  }

  /** FLOP of uncovered allocated GPU-seconds ({@code seconds} column) at the assumed utilization. */
  public Dataset<Row> allocationFlop(Dataset<Row> rows, String seconds, double allocUtil) {
    Column peak = col("_pk_peak");
    Column base = peak.multiply(col(seconds));
    Column priced = peak.isNotNull();
    return withCatalog(rows)
        .withColumn(PEAK, peak)
        .withColumn(FLOP_ALLOCATION, when(priced, base.multiply(allocUtil)).otherwise(lit(0.0)))
        .withColumn(FLOP, col(FLOP_ALLOCATION))
        .withColumn(FLOP_LOW, when(priced, base.multiply(params.allocUtilLow())).otherwise(lit(0.0)))
        .withColumn(FLOP_HIGH, when(priced, base.multiply(params.allocUtilHigh())).otherwise(lit(0.0)))
        .withColumn(UNPRICED_S, when(priced, lit(0.0)).otherwise(col(seconds)))
        .drop(CATALOG_COLUMNS);
  }
}
