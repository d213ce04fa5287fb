package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import org.apache.spark.sql.Column;

/**
 * Turns each telemetry window into activity-seconds, the linear quantities from which FLOP follow
 * once the GPU model and the precision are known: FLOP = Σ activity-seconds × dense peak. Keeping the
 * sums linear lets the ledger aggregate first and multiply by peaks per (GPU, hour, job) afterwards,
 * instead of looking up a peak for every sample.
 *
 * <p>The best available method wins per window: {@code pipe-activity} when any DCGM pipe counter is
 * present, else {@code utilization} when GPU utilization is, else the window is not covered and the
 * allocation method applies to that time ({@link TelemetryScan} applies the rule per sample).
 */
public final class Activity {
  public static final String METHOD_COUNTED = "counted";
  public static final String METHOD_PIPE = "pipe-activity";
  public static final String METHOD_UTIL = "utilization";
  public static final String METHOD_ALLOCATION = "allocation";
  public static final String METHOD_NONE = "none";

  /** Seconds covered by a usable measurement. */
  public static final String COVERED_S = "covered_s";
  public static final String PIPE_COVERED_S = "pipe_covered_s";
  public static final String UTIL_COVERED_S = "util_covered_s";
  /** Σ utilization × seconds (utilization method). */
  public static final String UTIL_S = "util_s";
  /**
   * Seconds of pipe-activity samples that also logged utilization, and Σ utilization × seconds over
   * them: where a pipe's peak is missing from the catalog the pipe method drops to utilization for
   * those samples ({@link Flop}), never to another pipe's peak.
   */
  public static final String PIPE_UTIL_COVERED_S = "pipe_util_covered_s";
  public static final String PIPE_UTIL_S = "pipe_util_s";
  /** Seconds of pipe samples whose logged SM clock was above the model's boost clock or not positive. */
  public static final String CLOCK_REJECTED_S = "clock_rejected_s";
  /** Exact FLOP from a profiler counter (counted method) and the seconds it covers. */
  public static final String COUNTED_FLOP = "counted_flop";
  public static final String COUNTED_S = "counted_s";
  /** For each pipe: Σ activity × seconds × SM clock (MHz) where the clock is known, else Σ activity × seconds. */
  public static final String[] PIPES = {"tensor", "fp64", "fp32", "fp16"};

  private Activity() {}

  public static String pipeClk(String pipe) {
    return pipe + "_clk_s";
  }

  public static String pipeNoClk(String pipe) {
    return pipe + "_s";
  }

  /** Every activity-seconds column, in a fixed order (used by the aggregations). */
  public static String[] sums() {
    String[] out = new String[9 + 2 * PIPES.length];
    out[0] = COVERED_S;
    out[1] = PIPE_COVERED_S;
    out[2] = UTIL_COVERED_S;
    out[3] = UTIL_S;
    out[4] = COUNTED_FLOP;
    out[5] = COUNTED_S;
    for (int i = 0; i < PIPES.length; i++) {
      out[6 + 2 * i] = pipeClk(PIPES[i]);
      out[7 + 2 * i] = pipeNoClk(PIPES[i]);
    }
    int n = 6 + 2 * PIPES.length;
    out[n] = PIPE_UTIL_COVERED_S;
    out[n + 1] = PIPE_UTIL_S;
    out[n + 2] = CLOCK_REJECTED_S;
    return out;
  }

  /**
   * Sum in fixed point (micro-units as long): exact and independent of the order rows arrive in, so
   * the same input gives the same ledger on every run; 1e-6 of a GPU-second is far below any
   * estimate's range. Counted FLOP, too large for micro-units in a long, are summed by {@link org.computeledger.common.ExactSum}.
   */
  public static Column exactSum(String name, Column c) {
    if (name.equals(COUNTED_FLOP)) {
      return org.computeledger.common.ExactSum.of(c);
    }
    return org.computeledger.common.ExactSum.micro(c);
  }
}
