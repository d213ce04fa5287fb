package org.computeledger.devtools;

import static org.apache.spark.sql.functions.*;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.schema.Table;

/**
 * The benchmark's yardstick: a bare scan of the same gpu_samples rows the main job reads, touching
 * every column the estimate uses, so that the main job's time can be given as a ratio to it.
 *
 * <p>Usage: {@code BenchScan CANONICAL_DIR}
 */
public final class BenchScan {
  private BenchScan() {}

  public static void main(String[] args) {
    SparkSession spark = SparkSession.builder().master("local[*]").appName("bench-scan")
        .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    long t0 = System.nanoTime();
    Row r = spark.read().schema(Table.GPU_SAMPLES.schema()).parquet(args[0] + "/gpu_samples")
        .agg(count(lit(1)), max(col("ts")), countDistinct(col("host")), sum(col("gpu_util")),
            sum(col("pipe_tensor_active")), sum(col("pipe_fp32_active")), sum(col("sm_clock_mhz")),
            max(col("gpu_uuid")), max(col("gpu_model")))
        .first();
    double s = (System.nanoTime() - t0) / 1e9;
    System.out.printf(java.util.Locale.ROOT, "bench-scan: %d samples in %.1f s (%.2f M samples/s)%n",
        r.getLong(0), s, r.getLong(0) / s / 1e6);
    spark.stop();
  }
}
