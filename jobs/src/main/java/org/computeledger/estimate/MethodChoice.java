package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.common.ColumnSteps;

/**
 * Estimate stage, per ledger row: the FLOP of a window by every method its evidence allows, and the
 * one method it is reported under. The report only sums what this gives.
 */
public final class MethodChoice {
  /** The column naming the method a ledger row is reported under. */
  public static final String METHOD = "method";

  private MethodChoice() {}

  /**
   * Adds FLOP (estimated plus counted, with its bounds), the GPU-seconds no peak could price and the
   * chosen method to attributed windows that carry a model, a precision and the activity sums.
   */
  public static Dataset<Row> windowFlop(Flop flop, Dataset<Row> usage) {
    return ColumnSteps.steps()
        .set(Flop.FLOP_COUNTED, col(Activity.COUNTED_FLOP))
        .set(Flop.FLOP, col(Flop.FLOP).plus(col(Flop.FLOP_COUNTED)))
        .set(Flop.FLOP_LOW, col(Flop.FLOP_LOW).plus(col(Flop.FLOP_COUNTED)))
        .set(Flop.FLOP_HIGH, col(Flop.FLOP_HIGH).plus(col(Flop.FLOP_COUNTED)))
        .set(Flop.UNPRICED_S, when(col(Flop.PEAK).isNull(),
            col(Activity.COVERED_S).minus(col(Activity.COUNTED_S))).otherwise(col(Flop.UNPRICED_S)))
        .set(Flop.FLOP_ALLOCATION, lit(0.0))
        .set(METHOD, method())
        .applyTo(flop.telemetryFlop(usage));
  }

  /**
   * The method with the most covered seconds wins, counted before pipe activity before utilization on
   * a tie; a window none covers is {@link Activity#METHOD_NONE}.
   */
  public static Column method() {
    return when(col(Activity.COUNTED_S).geq(greatest(col(Activity.PIPE_COVERED_S), col(Activity.UTIL_COVERED_S)))
            .and(col(Activity.COUNTED_S).gt(0)), lit(Activity.METHOD_COUNTED))
        .when(col(Activity.PIPE_COVERED_S).geq(col(Activity.UTIL_COVERED_S)).and(col(Activity.PIPE_COVERED_S).gt(0)),
            lit(Activity.METHOD_PIPE))
        .when(col(Activity.UTIL_COVERED_S).gt(0), lit(Activity.METHOD_UTIL))
        .otherwise(lit(Activity.METHOD_NONE));
  }
}
