package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * From activity-seconds to FLOP, per aggregated ledger row, with the dense peak of the row's GPU model
 * and precision. The peak catalog is small, so it travels inside the plan as map literals and no
 * per-row lookup leaves the JVM's generated code.
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

  private final Column peaks;
  private final Column boosts;
  private final EstimateParams params;

  public Flop(PeakCatalog catalog, EstimateParams params) {
    Map<String, Double> p = new LinkedHashMap<>();
    Map<String, Double> b = new LinkedHashMap<>();
    for (String model : catalog.models()) {
      for (String precision : PeakCatalog.PRECISIONS) {
        catalog.peakFlops(model, precision).ifPresent(v -> p.put(model + "|" + precision, v));
      }
      for (String precision : PeakCatalog.PRECISIONS) {
        catalog.boostClockMhz(model, precision).ifPresent(v -> b.put(model + "|" + precision, v));
      }
    }
    this.peaks = org.computeledger.common.Literals.mapLit(p, "double");
    this.boosts = org.computeledger.common.Literals.mapLit(b, "double");
    this.params = params;
  }

  /** Dense peak FLOP/s of a model at a precision, or null when the catalog has none. */
  public Column peak(Column model, Column precision) {
    return element_at(peaks, concat(model, lit("|"), precision));
  }

  Column peak(Column model, String precision) {
    return element_at(peaks, concat(model, lit("|" + precision)));
  }

  /** The clock (MHz) at which a model's figure for a precision is quoted. */
  Column boost(Column model, Column precision) {
    return element_at(boosts, concat(model, lit("|"), precision));
  }

  /** Pipe seconds scaled by clock: Σ a·dt·clock / boost + Σ a·dt where the clock was unknown. */
  private Column pipeSeconds(String pipe, Column boost) {
    return coalesce(col(Activity.pipeClk(pipe)).divide(boost), lit(0.0)).plus(col(Activity.pipeNoClk(pipe)));
  }

  /**
   * Adds peak, flop by telemetry method, flop, flop_low, flop_high and unpriced seconds to rows with
   * {@link Activity} sums and {@code model_id}, {@code precision}, {@code mig_fraction}.
   */
  public Dataset<Row> telemetryFlop(Dataset<Row> rows) {
    Column model = col(MODEL_ID);
    Column frac = coalesce(col(MIG_FRACTION), lit(1.0));
    Column tensorPeak = peak(model, col(PRECISION));
    Column fp64 = coalesce(peak(model, "fp64"), peak(model, "fp32"));
    Column fp32 = peak(model, "fp32");
    Column fp16 = coalesce(peak(model, "fp16_nontensor"), peak(model, "fp32"));
    // each datasheet figure is quoted at its own clock (Hopper's tensor figures at a lower one than FP32)
    Column pipe = frac.multiply(
        coalesce(tensorPeak.multiply(pipeSeconds("tensor", boost(model, col(PRECISION)))), lit(0.0))
            .plus(coalesce(fp64.multiply(pipeSeconds("fp64", coalesce(boost(model, lit("fp64")), boost(model, lit("fp32"))))), lit(0.0)))
            .plus(coalesce(fp32.multiply(pipeSeconds("fp32", boost(model, lit("fp32")))), lit(0.0)))
            .plus(coalesce(fp16.multiply(pipeSeconds("fp16", coalesce(boost(model, lit("fp16_nontensor")),
                boost(model, lit("fp32"))))), lit(0.0))));
    Column util = frac.multiply(tensorPeak).multiply(col(Activity.UTIL_S));
    Column priced = tensorPeak.isNotNull();
    return rows
        .withColumn(PEAK, tensorPeak)
        .withColumn(FLOP_PIPE, when(priced, pipe).otherwise(lit(0.0)))
        .withColumn(FLOP_UTIL, when(priced, coalesce(util, lit(0.0))).otherwise(lit(0.0)))
        .withColumn(FLOP, col(FLOP_PIPE).plus(col(FLOP_UTIL)))
        .withColumn(FLOP_LOW, col(FLOP_PIPE).multiply(1 - params.pipeRelError())
            .plus(col(FLOP_UTIL).multiply(params.utilLowFactor())))
        .withColumn(FLOP_HIGH, col(FLOP_PIPE).multiply(1 + params.pipeRelError())
            .plus(col(FLOP_UTIL).multiply(params.utilHighFactor())))
        .withColumn(UNPRICED_S, when(priced, lit(0.0)).otherwise(col(Activity.COVERED_S)));
  }

  /** FLOP of uncovered allocated GPU-seconds ({@code seconds} column) at the assumed utilization. */
  public Dataset<Row> allocationFlop(Dataset<Row> rows, String seconds, double allocUtil) {
    Column peak = peak(col(MODEL_ID), col(PRECISION));
    Column base = peak.multiply(col(seconds));
    Column priced = peak.isNotNull();
    return rows
        .withColumn(PEAK, peak)
        .withColumn(FLOP_ALLOCATION, when(priced, base.multiply(allocUtil)).otherwise(lit(0.0)))
        .withColumn(FLOP, col(FLOP_ALLOCATION))
        .withColumn(FLOP_LOW, when(priced, base.multiply(params.allocUtilLow())).otherwise(lit(0.0)))
        .withColumn(FLOP_HIGH, when(priced, base.multiply(params.allocUtilHigh())).otherwise(lit(0.0)))
        .withColumn(UNPRICED_S, when(priced, lit(0.0)).otherwise(col(seconds)));
  }
}
