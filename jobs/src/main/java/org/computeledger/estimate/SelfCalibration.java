package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.common.ColumnSteps;

/**
 * Where profiler counters and telemetry overlap on the same GPU model and precision (the {@code
 * calibration} table), the measured ratio counted ÷ estimate sets the point of that model's
 * utilization- and pipe-activity-based ledger rows, and the spread of the per-interval ratios widens
 * their range. Utilization is the share of time any kernel ran, so uncalibrated it gives the top of its
 * range; a lab that counted some of its work gets a point near its own efficiency instead.
 *
 * <p>The range never narrows: it spans the uncalibrated range and the lowest and highest ratio any
 * counted interval showed, so wherever the uncalibrated range held the truth the calibrated one does.
 * Overlaps shorter than {@link #MIN_GPU_HOURS} are reported but not applied.
 */
public final class SelfCalibration {
  /** Counted GPU-hours of overlap below which a ratio is too thin to move estimates. */
  public static final double MIN_GPU_HOURS = 1.0;

  public static final String GPU_HOURS = "counted_gpu_hours";
  public static final String UTIL_RATIO = "ratio_counted_to_utilization";
  public static final String UTIL_MIN = "ratio_utilization_min";
  public static final String UTIL_MAX = "ratio_utilization_max";
  public static final String PIPE_RATIO = "ratio_counted_to_pipe_activity";
  public static final String PIPE_MIN = "ratio_pipe_activity_min";
  public static final String PIPE_MAX = "ratio_pipe_activity_max";
  public static final String APPLIED = "applied";

  private SelfCalibration() {}

  /** Whether a calibration row has enough overlap to be applied (a column over the calibration table). */
  public static Column applies() {
    return coalesce(col(GPU_HOURS), lit(0.0)).geq(MIN_GPU_HOURS);
  }

  /**
   * Ledger rows with {@code model_id}, {@code precision}, {@link Flop#FLOP_COUNTED}, {@link Flop#FLOP_PIPE},
   * {@link Flop#FLOP_UTIL}, flop, flop_low, flop_high and {@link MethodReasons#COLUMN}: rows of a calibrated
   * (model, precision) get the calibrated point and range, and a reason bit saying so. {@code calibration}
   * may be null (no overlap): the rows are returned as they are.
   */
  public static Dataset<Row> apply(Dataset<Row> rows, Dataset<Row> calibration, EstimateParams p) {
    if (calibration == null) {
      return rows;
    }
    Dataset<Row> ratios = calibration.filter(applies()).select(col(Flop.MODEL_ID).as("_k_model"),
        col(Flop.PRECISION).as("_k_precision"), col(UTIL_RATIO).as("_k_u"), col(UTIL_MIN).as("_k_umin"),
        col(UTIL_MAX).as("_k_umax"), col(PIPE_RATIO).as("_k_p"), col(PIPE_MIN).as("_k_pmin"),
        col(PIPE_MAX).as("_k_pmax"));
    Column util = col(Flop.FLOP_UTIL);
    Column pipe = col(Flop.FLOP_PIPE);
    Column counted = coalesce(col(Flop.FLOP_COUNTED), lit(0.0));
    Column uCal = col("_k_u").isNotNull().and(util.gt(0));
    Column pCal = col("_k_p").isNotNull().and(pipe.gt(0));
    Column uPoint = when(uCal, util.multiply(col("_k_u"))).otherwise(util);
    Column uLow = util.multiply(when(uCal, least(col("_k_umin"), lit(p.utilLowFactor()))).otherwise(lit(p.utilLowFactor())));
    Column uHigh = util.multiply(when(uCal, greatest(col("_k_umax"), lit(p.utilHighFactor())))
        .otherwise(lit(p.utilHighFactor())));
    Column pPoint = when(pCal, pipe.multiply(col("_k_p"))).otherwise(pipe);
    Column pLow = pipe.multiply(when(pCal, least(col("_k_pmin"), lit(1 - p.pipeRelError())))
        .otherwise(lit(1 - p.pipeRelError())));
    Column pHigh = pipe.multiply(when(pCal, greatest(col("_k_pmax"), lit(1 + p.pipeRelError())))
        .otherwise(lit(1 + p.pipeRelError())));
    Column any = uCal.or(pCal);
    Dataset<Row> joined = rows.join(broadcast(ratios), col(Flop.MODEL_ID).equalTo(col("_k_model"))
        .and(col(Flop.PRECISION).equalTo(col("_k_precision"))), "left");
    return ColumnSteps.steps()
        .set("_u_cal", coalesce(uCal, lit(false)))
        .set("_p_cal", coalesce(pCal, lit(false)))
        .set(Flop.FLOP, when(any, counted.plus(pPoint).plus(uPoint)).otherwise(col(Flop.FLOP)))
        .set(Flop.FLOP_LOW, when(any, counted.plus(pLow).plus(uLow)).otherwise(col(Flop.FLOP_LOW)))
        .set(Flop.FLOP_HIGH, when(any, counted.plus(pHigh).plus(uHigh)).otherwise(col(Flop.FLOP_HIGH)))
        .set(Flop.FLOP_UTIL, uPoint)
        .set(Flop.FLOP_PIPE, pPoint)
        .set(MethodReasons.COLUMN, col(MethodReasons.COLUMN)
            .bitwiseOR(MethodReasons.when(col("_u_cal"), MethodReasons.CALIBRATED_UTIL))
            .bitwiseOR(MethodReasons.when(col("_p_cal"), MethodReasons.CALIBRATED_PIPE)))
        .applyTo(joined)
        .drop("_k_model", "_k_precision", "_k_u", "_k_umin", "_k_umax", "_k_p", "_k_pmin", "_k_pmax", "_u_cal", "_p_cal");
  }
}
