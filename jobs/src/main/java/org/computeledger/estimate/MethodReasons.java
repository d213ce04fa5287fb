package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import org.apache.spark.sql.Column;

/**
 * Why an estimate did not use the best method its telemetry allowed, or used a figure other than the
 * catalog's direct one: one bit per reason on every ledger row ({@link #COLUMN}), gathered with
 * {@code bit_or} by the roll-ups and written out as {@code method_reasons} on jobs and line items, so a
 * reader sees per line item where a method was dropped, never a silent substitution.
 */
public final class MethodReasons {
  /** The reasons of a ledger row, as bits of {@link #REASONS}. */
  public static final String COLUMN = "reason_bits";
  /** The reasons as text, on jobs and line items. */
  public static final String NAMES = "method_reasons";

  public static final int PIPE_NO_FP64 = 0;
  public static final int PIPE_NO_FP32 = 1;
  public static final int PIPE_NO_FP16 = 2;
  public static final int PIPE_NO_TENSOR = 3;
  public static final int NO_PEAK = 4;
  public static final int PRECISION_SUBSTITUTED = 5;
  public static final int CLOCK_REJECTED = 6;
  public static final int MIG_SLICE_RULE = 7;
  public static final int PIPE_NO_UTIL = 8;
  public static final int CALIBRATED_UTIL = 9;
  public static final int CALIBRATED_PIPE = 10;
  public static final int PARTITION_UNKNOWN = 11;

  /** Short names, indexed by bit; stable, because reports and tests read them. */
  public static final String[] REASONS = {
    "pipe-activity dropped to utilization: no FP64 peak in the catalog",
    "pipe-activity dropped to utilization: no FP32 peak in the catalog",
    "pipe-activity dropped to utilization: no FP16 non-tensor peak in the catalog",
    "pipe-activity dropped to utilization: no tensor peak for the precision in the catalog",
    "unpriced: no catalog peak for the GPU model and precision",
    "precision run in another mode: the GPU has no such mode (catalog hardware substitution)",
    "SM clock above the boost clock or zero: not used as a multiplier",
    "MIG profile not in mig_profiles.csv: share by compute slices",
    "unpriced: pipe-activity dropped and no utilization logged for those samples",
    "utilization calibrated by counted FLOP on the same GPU model and precision",
    "pipe-activity calibrated by counted FLOP on the same GPU model and precision",
    "unpriced: a GPU partition whose share of the GPU is unknown (a MIG profile no rule reads, or AMD MI300-series"
        + " GPUs in a compute-partition mode the logs do not name: more than 8 devices on a node)"
  };

  private MethodReasons() {}

  public static int bit(int reason) {
    return 1 << reason;
  }

  /** {@code reason} as a bit when {@code condition} holds, else 0. */
  public static Column when(Column condition, int reason) {
    return org.apache.spark.sql.functions.when(condition, lit(bit(reason))).otherwise(lit(0));
  }

  /** The reasons of a bit union as text, "; "-separated in bit order; "" when there are none. */
  public static Column names(Column bits) {
    Column[] names = new Column[REASONS.length];
    for (int i = 0; i < REASONS.length; i++) {
      names[i] = org.apache.spark.sql.functions.when(
          coalesce(bits, lit(0)).bitwiseAND(bit(i)).notEqual(0), lit(REASONS[i]));
    }
    return concat_ws("; ", names);
  }
}
