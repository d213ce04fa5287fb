package org.computeledger.estimate;

import static org.apache.spark.sql.functions.*;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.computeledger.schema.GpuSamples;

/**
 * Window convention: a sample covers the time since the previous sample of the same GPU series
 * (host, GPU UUID, MIG instance), capped at {@code maxGapFactor} × the series' median cadence. A
 * longer gap covers nothing (it is "no telemetry", left to the allocation method); the first sample of
 * a series covers one median cadence; a duplicate sample (same timestamp) covers zero seconds, so
 * overlapping exports cannot count twice.
 */
public final class SampleWindows {
  public static final String SERIES_KEY = "series_key";
  public static final String DT = "dt_s";
  public static final String CADENCE = "cadence_s";
  public static final String GAP_S = "gap_s";

  private SampleWindows() {}

  /** A compact 64-bit key for a GPU series: joins and shuffles move a long, not three strings. */
  public static Column seriesKey(Column host, Column gpuUuid, Column migInstance) {
    return xxhash64(host, coalesce(gpuUuid, lit("")), coalesce(migInstance, lit("")));
  }

  /**
   * Adds {@code series_key}, {@code cadence_s} (the series' median sample interval), {@code dt_s}
   * (seconds this sample covers) and {@code gap_s} (seconds before it left uncovered) to gpu_samples.
   */
  public static Dataset<Row> withWindows(Dataset<Row> samples, double maxGapFactor) {
    Dataset<Row> keyed = samples.withColumn(SERIES_KEY,
        seriesKey(col(GpuSamples.HOST), col(GpuSamples.GPU_UUID), col(GpuSamples.MIG_INSTANCE)));
    WindowSpec bySeries = Window.partitionBy(col(SERIES_KEY)).orderBy(col(GpuSamples.TS));
    Column tsSec = col(GpuSamples.TS).cast("double");
    Dataset<Row> lagged = keyed.withColumn("_dt_raw", tsSec.minus(lag(tsSec, 1).over(bySeries)));
    Dataset<Row> cadence = lagged.filter(col("_dt_raw").gt(0))
        .groupBy(col(SERIES_KEY))
        .agg(percentile_approx(col("_dt_raw"), lit(0.5), lit(10000)).as(CADENCE));
    Column cap = col(CADENCE).multiply(maxGapFactor);
    return lagged.join(broadcast(cadence), SERIES_KEY, "left")
        .withColumn(DT,
            when(col("_dt_raw").isNull(), coalesce(col(CADENCE), lit(0.0)))
                .when(col("_dt_raw").leq(cap), col("_dt_raw"))
                .otherwise(lit(0.0)))
        .withColumn(GAP_S, when(col("_dt_raw").gt(cap), col("_dt_raw")).otherwise(lit(0.0)))
        .drop("_dt_raw");
  }
}
