package org.computeledger.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.computeledger.audit.AuditSample;
import org.computeledger.common.LedgerException;
import org.computeledger.common.StageCheckpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ledger audit-sample}: the thin shell around {@link AuditSample}. */
@Command(name = "audit-sample", mixinStandardHelpOptions = true,
    description = "Draw a reproducible sample of a report's line items, jobs and GPU-hours (stratified by method, "
        + "probability proportional to FLOP) and copy out the raw evidence behind each into --to.")
final class AuditSampleCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "REPORT", description = "The report folder (a ledger run output).")
  String out;

  @Option(names = "--input", paramLabel = "DIR",
      description = "The raw logs the report was made from. Default: the input its manifest names.")
  String input;

  @Option(names = "--size", paramLabel = "N", defaultValue = "8", description = "Line-item draws over all strata (at least 2 per stratum). Default: ${DEFAULT-VALUE}.")
  int size;

  @Option(names = "--seed", required = true, paramLabel = "S", description = "The seed: the same seed draws the same sample.")
  long seed;

  @Option(names = "--jobs", paramLabel = "M", defaultValue = "2", description = "Job draws per line item drawn. Default: ${DEFAULT-VALUE}.")
  int jobs;

  @Option(names = "--hours", paramLabel = "K", defaultValue = "3", description = "GPU-hour draws per job drawn. Default: ${DEFAULT-VALUE}.")
  int hours;

  @Option(names = "--to", required = true, paramLabel = "DIR", description = "Folder for the sample (must not exist or be empty).")
  String to;

  @Option(names = "--catalog-file", paramLabel = "PATH",
      description = "Where a catalog file the report was made with (run --catalog-file) is now, one per file its"
          + " manifest names, in that order (repeatable); each is checked against the SHA-256 the manifest records."
          + " Default: the paths the manifest names.")
  java.util.List<String> catalogFiles = new java.util.ArrayList<>();

  @Option(names = "--master", paramLabel = "URL", description = "Spark master. Default: embedded local[*].")
  String master;

  @Override
  public Integer call() throws Exception {
    if (size < 1 || jobs < 1 || hours < 1) {
      throw new LedgerException("--size, --jobs and --hours must be at least 1");
    }
    Path report = Path.of(out);
    if (!Files.isRegularFile(report.resolve("manifest.json"))) {
      throw new LedgerException(out + ": not a report folder (no manifest.json)");
    }
    Path dest = Path.of(to);
    if (Files.exists(dest) && (!Files.isDirectory(dest) || Files.list(dest).findAny().isPresent())) {
      throw new LedgerException(to + ": exists and is not an empty folder; give a new folder to --to");
    }
    String in = input != null ? input : new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(report.resolve("manifest.json").toFile()).path("parameters").path("input").asText();
    if (in.isEmpty() || !Files.isDirectory(Path.of(in))) {
      throw new LedgerException("the raw logs '" + in + "' are not a folder; name them with --input");
    }
    SparkSession spark = SparkSessions.create("ledger audit-sample", master);
    String checkpoints = null;
    try {
      checkpoints = useCheckpoints(spark, dest, spark.sparkContext().isLocal());
      int n = AuditSample.run(spark, new AuditSample.Params(out, in, size, seed, jobs, hours, to, catalogFiles));
      System.out.println("audit-sample: " + n + " unit(s) drawn with seed " + seed + ", evidence in " + to
          + " (read " + to + "/README.md)");
      return 0;
    } finally {
      StageCheckpoint.clean(spark.sparkContext().hadoopConfiguration(), checkpoints);
      spark.stop();
    }
  }

  /**
   * On a cluster, the sample's kept tables (StageCheckpoint) go to a reliable checkpoint folder inside
   * {@code to}, as the run's go inside its output's staging folder: a local checkpoint's blocks are lost with
   * their executor. Returns the folder set (null in local mode); the sample's manifest does not list it.
   */
  static String useCheckpoints(SparkSession spark, Path to, boolean local) {
    return StageCheckpoint.useStaging(spark, to.toAbsolutePath().toUri().toString(), local);
  }
}
