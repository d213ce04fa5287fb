package org.computeledger.devtools;

import static org.apache.spark.sql.functions.*;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.computeledger.schema.Table;

/**
 * A synthetic lab as canonical Parquet, the shape {@code ledger ingest} writes, for benchmarking the
 * main job: N GPUs (8 per node) sampled every 10 s for D days, with a realistic job mix (multi-node
 * pre-training, short evaluations, idle gaps). Telemetry is generated column by column from
 * {@code spark.range}, so a billion samples never pass through the driver.
 *
 * <p>Usage: {@code BenchLab OUTDIR GPUS DAYS}
 */
public final class BenchLab {
  private BenchLab() {}

  public static void main(String[] args) throws Exception {
    String out = args[0];
    int gpus = Integer.parseInt(args[1]);
    double days = Double.parseDouble(args[2]);
    SparkSession spark = SparkSession.builder().master("local[*]").appName("bench-lab")
        .config("spark.ui.enabled", "false").config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.parquet.compression.codec", "zstd")
        // as `ledger ingest` writes canonical Parquet (cli/SparkSessions): Spark's default INT96 timestamps
        // would make the bench's reader convert every ts row by row, a cost no ingest output has
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS").getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    long start = Instant.parse("2026-03-01T00:00:00Z").getEpochSecond();
    long perGpu = (long) (days * 86400 / 10);
    long total = perGpu * gpus;
    Column id = col("id");
    Column gpu = id.divide(perGpu).cast("long");
    Column node = gpu.divide(8).cast("long");
    Column step = id.mod(perGpu);
    Column hour = step.multiply(10).divide(3600).cast("long");
    // busy most hours, idle in some: a deterministic pattern per node and hour
    Column busy = pmod(xxhash64(node, hour), lit(10)).lt(8);
    Column util = when(busy, lit(0.75).plus(rand(7).multiply(0.2))).otherwise(rand(11).multiply(0.05));
    boolean profiling = true;
    Dataset<Row> samples = spark.range(0, total, 1, Math.max(4, (int) (total / 4_000_000)))
        .select(
            step.multiply(10).plus(start + 10).cast("timestamp").as("ts"),
            format_string("node%05d", node).as("host"),
            format_string("GPU-%08d-bench", gpu).as("gpu_uuid"),
            gpu.mod(8).cast("int").as("gpu_index"),
            lit("NVIDIA H100 80GB HBM3").as("gpu_model"),
            lit(null).cast("string").as("mig_profile"),
            lit(null).cast("string").as("mig_instance"),
            util.as("gpu_util"),
            util.multiply(0.9).as("sm_active"),
            lit(null).cast("double").as("sm_occupancy"),
            (profiling ? when(node.mod(2).equalTo(0), util.multiply(0.45)) : lit(null)).cast("double").as("pipe_tensor_active"),
            lit(null).cast("double").as("pipe_fp64_active"),
            when(node.mod(2).equalTo(0), util.multiply(0.05)).cast("double").as("pipe_fp32_active"),
            lit(null).cast("double").as("pipe_fp16_active"),
            lit(null).cast("double").as("dram_active"),
            lit(1830.0).as("sm_clock_mhz"),
            util.multiply(500).plus(100).as("power_w"),
            lit(null).cast("double").as("energy_mj"),
            lit(null).cast("string").as("hpc_job"),
            lit(null).cast("string").as("pod"),
            lit(null).cast("string").as("namespace"),
            lit("prometheus-dcgm").as("source_format"),
            format_string("telemetry/node%05d.prom", node).as("source_file"),
            step.plus(1).as("source_line"));
    samples.select(Table.GPU_SAMPLES.schema().fieldNames()[0],
            java.util.Arrays.copyOfRange(Table.GPU_SAMPLES.schema().fieldNames(), 1, Table.GPU_SAMPLES.width()))
        .write().mode("overwrite").parquet(out + "/gpu_samples");

    // jobs: per node, back-to-back jobs of 1–12 h; every tenth node shared by two 4-GPU jobs
    SplittableRandom rnd = new SplittableRandom(42);
    List<Row> allocs = new ArrayList<>();
    int nodes = (gpus + 7) / 8;
    long end = start + (long) (days * 86400);
    String[] accounts = {"atlas", "atlas", "atlas", "teacher", "evals", "nobody"};
    long jobId = 1000;
    for (int n = 0; n < nodes; n++) {
      long t = start + rnd.nextInt(3600);
      while (t < end) {
        long len = 3600L * (1 + rnd.nextInt(12));
        String account = accounts[rnd.nextInt(accounts.length)];
        boolean shared = n % 10 == 0;
        for (int k = 0; k < (shared ? 2 : 1); k++) {
          allocs.add(alloc(jobId++, account, String.format("node%05d", n), shared ? 4 : 8, t, Math.min(end, t + len), allocs.size()));
        }
        t += len + rnd.nextInt(1800);
      }
    }
    spark.createDataFrame(allocs, Table.ALLOCATIONS.schema()).coalesce(1).write().mode("overwrite").parquet(out + "/allocations");
    for (Table t : new Table[] {Table.FLOP_COUNTS, Table.CHARGES, Table.QUARANTINE}) {
      spark.createDataFrame(List.of(), t.schema()).write().mode("overwrite").parquet(out + "/" + t.tableName());
    }
    Files.createDirectories(Path.of(out, "declarations"));
    Files.writeString(Path.of(out, "declarations", "registry.yaml"), """
        developer: Bench Lab
        projects:
          - id: atlas
            development_start: 2026-01-01
            precision: bf16
            branches:
              - id: pretrain
                activity: pretraining
                description: Synthetic pre-training
                match: { slurm: { account: atlas } }
              - id: evals
                activity: evaluation
                description: Synthetic evaluations
                match: { slurm: { account: evals } }
          - id: teacher
            development_start: 2025-10-01
            precision: bf16
            branches:
              - id: main
                activity: pretraining
                description: Synthetic teacher
                match: { slurm: { account: teacher } }
        """, StandardCharsets.UTF_8);
    Files.writeString(Path.of(out, "manifest.json"), "{\"command\": \"ingest\", \"inputs\": [], \"inputs_not_parsed\": [],"
        + " \"input_totals\": {\"generated_samples\": " + total + "}}\n", StandardCharsets.UTF_8);
    System.out.println("bench-lab: " + total + " samples, " + gpus + " GPUs, " + days + " days, " + allocs.size()
        + " allocations in " + out);
    spark.stop();
  }

  private static Row alloc(long job, String account, String node, int gpus, long s, long e, int line) {
    return RowFactory.create("bench", Long.toString(job), Long.toString(job), Long.toString(job), null, null, "u-bench", account, "gpu",
        null, null, "job" + job, "COMPLETED", new Timestamp((s - 60) * 1000), new Timestamp(s * 1000),
        new Timestamp(e * 1000), e - s, node, 1, gpus, "h100", null, null, "slurm-sacct", "bench/sacct.txt",
        (long) line + 2);
  }
}
