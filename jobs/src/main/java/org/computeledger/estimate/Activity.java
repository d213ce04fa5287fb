package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.schema.GpuSamples;

/**
 * Turns each telemetry window into activity-seconds, the linear quantities from which FLOP follow
 * once the GPU model and the precision are known: FLOP = Σ activity-seconds × dense peak. Keeping the
 * sums linear lets the ledger aggregate first and multiply by peaks per (GPU, hour, job) afterwards,
 * instead of looking up a peak for every sample.
 *
 * <p>The best available method wins per window: {@code pipe-activity} when any DCGM pipe counter is
 * present, else {@code utilization} when GPU utilization is, else the window is not covered and the
 * allocation method applies to that time.
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
    String[] out = new String[6 + 2 * PIPES.length];
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
    return out;
  }

  static Column pipeColumn(String pipe) {
    return switch (pipe) {
      case "tensor" -> col(GpuSamples.PIPE_TENSOR_ACTIVE);
      case "fp64" -> col(GpuSamples.PIPE_FP64_ACTIVE);
      case "fp32" -> col(GpuSamples.PIPE_FP32_ACTIVE);
      case "fp16" -> col(GpuSamples.PIPE_FP16_ACTIVE);
      default -> throw new IllegalArgumentException(pipe);
    };
  }

  /** The method of one window, from which fields it has. */
  public static Column method() {
    Column anyPipe = col(GpuSamples.PIPE_TENSOR_ACTIVE).isNotNull().or(col(GpuSamples.PIPE_FP64_ACTIVE).isNotNull())
        .or(col(GpuSamples.PIPE_FP32_ACTIVE).isNotNull()).or(col(GpuSamples.PIPE_FP16_ACTIVE).isNotNull());
    return when(anyPipe, lit(METHOD_PIPE))
        .when(col(GpuSamples.GPU_UTIL).isNotNull(), lit(METHOD_UTIL))
        .otherwise(lit(METHOD_NONE));
  }

  /** Adds the activity-seconds columns to windowed samples (see {@link SampleWindows}). */
  public static Dataset<Row> withActivity(Dataset<Row> windows) {
    Column dt = col(SampleWindows.DT);
    Column m = col("method");
    Column isPipe = m.equalTo(METHOD_PIPE);
    Column isUtil = m.equalTo(METHOD_UTIL);
    Dataset<Row> d = windows.withColumn("method", method())
        .withColumn(COVERED_S, when(m.notEqual(METHOD_NONE), dt).otherwise(lit(0.0)))
        .withColumn(PIPE_COVERED_S, when(isPipe, dt).otherwise(lit(0.0)))
        .withColumn(UTIL_COVERED_S, when(isUtil, dt).otherwise(lit(0.0)))
        .withColumn(UTIL_S, when(isUtil, col(GpuSamples.GPU_UTIL).multiply(dt)).otherwise(lit(0.0)))
        .withColumn(COUNTED_FLOP, lit(0.0))
        .withColumn(COUNTED_S, lit(0.0));
    Column clock = col(GpuSamples.SM_CLOCK_MHZ);
    for (String p : PIPES) {
      Column a = coalesce(pipeColumn(p), lit(0.0)).multiply(dt);
      d = d.withColumn(pipeClk(p), when(isPipe.and(clock.isNotNull()), a.multiply(clock)).otherwise(lit(0.0)))
          .withColumn(pipeNoClk(p), when(isPipe.and(clock.isNull()), a).otherwise(lit(0.0)));
    }
    return d;
  }
}
