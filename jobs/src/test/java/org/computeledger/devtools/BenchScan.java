package org.computeledger.devtools;

import static org.apache.spark.sql.functions.*;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.estimate.TelemetryScan;
import org.computeledger.schema.Table;

/**
 * The benchmark's yardstick: a bare scan of the same gpu_samples rows the main job reads, touching
 * every column the estimate uses, so that the main job's time can be given as a ratio to it.
 *
 * <p>Usage: {@code BenchScan CANONICAL_DIR [--pass]}; with {@code --pass} it also times the main job's
 * one pass over the same rows ({@code TelemetryScan}).
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
    if (args.length > 1 && args[1].equals("--pass")) {
      // the main job's one pass alone (no boundaries), to tell the pass's cost from the fixed cost of the rest
      Dataset<Row> samples = spark.read().schema(Table.GPU_SAMPLES.schema()).parquet(args[0] + "/gpu_samples");
      long t1 = System.nanoTime();
      long sums = TelemetryScan.scan(spark, samples, Map.of(), 3600).count();
      double p = (System.nanoTime() - t1) / 1e9;
      System.out.printf(java.util.Locale.ROOT, "bench-pass: %d samples in %.1f s (%.2f M samples/s), %d rows out%n",
          r.getLong(0), p, r.getLong(0) / p / 1e6, sums);
    }
    spark.stop();
  }
}
