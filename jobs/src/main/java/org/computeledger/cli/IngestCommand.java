package org.computeledger.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import org.computeledger.common.OutputDir;
import org.computeledger.common.Progress;
import org.computeledger.ingest.BadFraction;
import org.computeledger.ingest.Ingest;
import org.computeledger.ingest.IngestParams;
import org.computeledger.report.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ledger ingest}: raw logs to canonical Parquet tables, quarantine and manifest. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = "Read raw logs (formats detected from content) into canonical Parquet tables and a quarantine.")
final class IngestCommand implements Callable<Integer> {
  @Option(names = "--input", required = true, paramLabel = "DIR", description = "Folder of raw logs (PRODUCT.md §4).")
  String input;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder; replaced atomically.")
  String out;

  /** What --force does, for every command that writes an output folder. */
  static final String FORCE_DESCRIPTION = "Replace --out even when it is a file or a non-empty folder that is not"
      + " a ledger output (without it, such an --out is refused and left as it is).";

  @Option(names = "--force", description = FORCE_DESCRIPTION)
  boolean force;

  @Mixin CommonOptions common;

  @Override
  public Integer call() {
    Progress.setQuiet(common.quiet);
    double maxBadFraction = common.maxBadFraction();
    IngestParams params = common.ingestParams();
    // checked before Spark starts, so a refusal costs nothing
    org.apache.hadoop.conf.Configuration hadoop = SparkSessions.hadoopConfiguration();
    List<Ingest.Source> sources = Ingest.discover(hadoop, input, params);
    try (OutputDir dir = OutputDir.begin(out, hadoop, force, input)) {
      CommonOptions.warnIfUnkeyed(params);
      SparkSession spark = SparkSessions.create("ledger ingest", common.master, SmallInput.bytes(hadoop, input));
      try {
        Ingested r = ingestInto(spark, input, sources, dir, params, "ingest", maxBadFraction);
        Progress.clear();
        System.out.println(r.summary());
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  /** What one ingest produced, for the command's summary line. */
  record Ingested(String target, Ingest.Result result) {
    String summary() {
      long read = result.files().stream().mapToLong(Ingest.FileCounts::read).sum();
      long q = result.files().stream().mapToLong(Ingest.FileCounts::quarantined).sum();
      return String.format(java.util.Locale.ROOT,
          "ingest: %d file(s) parsed, %,d record(s) read, %,d accepted, %,d quarantined; tables in %s",
          result.files().size(), read, read - q, q, target);
    }
  }

  /** As the command does it: lists {@code input}, then ingests it into {@code out} (not forced). */
  static Ingested ingestInto(SparkSession spark, String input, String out, IngestParams params, String command,
      double maxBadFraction) {
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    List<Ingest.Source> sources = Ingest.discover(hadoop, input, params);
    try (OutputDir dir = OutputDir.begin(out, hadoop, false, input)) {
      return ingestInto(spark, input, sources, dir, params, command, maxBadFraction);
    }
  }

  /** Ingests the sources of {@code input} into {@code dir}, committed with its manifest. */
  static Ingested ingestInto(SparkSession spark, String input, List<Ingest.Source> sources, OutputDir dir,
      IngestParams params, String command, double maxBadFraction) {
    Progress.say("ingest: %d file(s) found under %s", sources.size(), input);
    // driver and tasks share generated classes instead of compiling each twice (local mode only), as a run does
    org.computeledger.common.SharedCodegenCache.adopt(spark);
    try {
      Ingest.Result result = Ingest.run(spark, sources, params, dir.path());
      BadFraction.check(BadFraction.counts(result), maxBadFraction);
      copyDeclarations(spark, sources, dir.child(DECLARATIONS));
      Map<String, Object> recorded = parameters(input, params);
      recorded.put("max_bad_fraction", maxBadFraction);
      ObjectNode manifest = Manifest.newManifest(command, recorded);
      Manifest.addInputs(manifest, result);
      Manifest.addOutputs(manifest, spark.sparkContext().hadoopConfiguration(), dir.path());
      Manifest.write(manifest, spark.sparkContext().hadoopConfiguration(), dir.path());
      dir.commit();
      return new Ingested(dir.target(), result);
    } catch (RuntimeException e) {
      dir.abandon();
      throw e;
    }
  }

  /** Folder of an ingest output that keeps the input's registry.yaml and prices.csv for a later run. */
  static final String DECLARATIONS = "declarations";

  static void copyDeclarations(SparkSession spark, List<Ingest.Source> sources, String toDir) {
    org.apache.hadoop.conf.Configuration conf = spark.sparkContext().hadoopConfiguration();
    for (Ingest.Source s : sources) {
      if (s.parser() == null && Ingest.DECLARATIONS.contains(s.display())) {
        try {
          org.apache.hadoop.fs.Path from = new org.apache.hadoop.fs.Path(s.path());
          org.apache.hadoop.fs.Path to = new org.apache.hadoop.fs.Path(toDir, s.display());
          org.apache.hadoop.fs.FileUtil.copy(from.getFileSystem(conf), from, to.getFileSystem(conf), to, false, conf);
        } catch (java.io.IOException e) {
          throw new org.computeledger.common.LedgerException(s.display() + ": cannot be copied: " + e.getMessage(), e);
        }
      }
    }
  }

  static Map<String, Object> parameters(String input, IngestParams p) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("input", input);
    m.put("scheduler_timezone", p.schedulerZone().getId());
    m.put("sacct_columns", p.sacctColumns());
    m.put("nvidia_smi_columns", p.nvidiaSmiColumns());
    m.put("cluster", p.cluster());
    m.put("pseudonym_key", p.pseudonymKey().equals(IngestParams.DEFAULT_PSEUDONYM_KEY)
        ? "default (set LEDGER_PSEUDONYM_KEY for pseudonyms that cannot be reversed by a dictionary)"
        : "from LEDGER_PSEUDONYM_KEY (not recorded)");
    // recorded only when given, so that runs without raw scrapes keep their manifests as they were
    if (p.scrapeTime() != null) {
      m.put("scrape_time", p.scrapeTime().toString());
    }
    if (p.scrapeTimeFromMtime()) {
      m.put("scrape_time_from_mtime", true);
    }
    return m;
  }
}
