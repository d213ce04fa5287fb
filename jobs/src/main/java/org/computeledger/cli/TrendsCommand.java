package org.computeledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.common.LedgerException;
import org.computeledger.common.OutputDir;
import org.computeledger.common.StageCheckpoint;
import org.computeledger.common.Progress;
import org.computeledger.report.Manifest;
import org.computeledger.schema.Table;
import org.computeledger.trends.Trends;
import org.computeledger.trends.TrendsCharts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ledger trends}: reads reports of {@code ledger run}, writes the trends tables and charts (trends/Trends). */
@Command(name = "trends", mixinStandardHelpOptions = true,
    description = "Compute and cost per project and month, growth, method mix, threshold crossings and charts,"
        + " over one or more reports of 'ledger run' (overlapping reports count each line item and month once).")
final class TrendsCommand implements Callable<Integer> {
  @Option(names = "--report", required = true, paramLabel = "DIR",
      description = "A report folder written by 'ledger run' (repeatable; where reports overlap, see methodology).")
  List<String> reports = new ArrayList<>();

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Trends folder; replaced atomically.")
  String out;

  @Option(names = "--force", description = IngestCommand.FORCE_DESCRIPTION)
  boolean force;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master. Default: embedded local[*].")
  String master;

  @Option(names = "--quiet", description = "No progress lines on stderr.")
  boolean quiet;

  @Override
  public Integer call() {
    Progress.setQuiet(quiet);
    Configuration hadoop = SparkSessions.hadoopConfiguration();
    for (String r : reports) {
      checkReport(hadoop, r);
    }
    for (String r : reports.subList(1, reports.size())) {
      // OutputDir refuses an --out holding its one input; the other reports are checked the same way
      refuseHolding(hadoop, out, r);
    }
    try (OutputDir dir = OutputDir.begin(out, hadoop, force, reports.get(0))) {
      SparkSession spark = SparkSessions.create("ledger trends", master);
      try {
        String summary = run(spark, reports, dir);
        Progress.clear();
        System.out.println(summary);
        return 0;
      } finally {
        spark.stop();
      }
    }
  }

  static String run(SparkSession spark, List<String> reportDirs, OutputDir dir) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    try {
      List<Trends.Report> reports = new ArrayList<>();
      for (int i = 0; i < reportDirs.size(); i++) {
        reports.add(read(spark, i, reportDirs.get(i)));
      }
      Progress.say("trends: %d report(s)", reports.size());
      // on a cluster the kept tables go to a reliable checkpoint in the staging folder (see StageCheckpoint)
      String checkpoints = StageCheckpoint.useStaging(spark, dir.path());
      Trends.Outputs o = Trends.compute(reports);
      write(o, dir.path());
      StageCheckpoint.clean(conf, checkpoints);
      Progress.say("trends: charts");
      List<String> charts = TrendsCharts.writeAll(o, conf, dir.path() + "/" + TrendsCharts.FOLDER);
      Map<String, Object> params = new LinkedHashMap<>();
      params.put("reports", reportDirs);
      var manifest = Manifest.newManifest("trends", params);
      var inputs = manifest.putArray("reports");
      for (String r : reportDirs) {
        inputs.addObject().put("path", r).put("manifest_sha256", Manifest.sha256OfManifest(conf, r));
      }
      Manifest.addOutputs(manifest, conf, dir.path());
      Manifest.write(manifest, conf, dir.path());
      dir.commit();
      long months = spark.read().parquet(dir.target() + "/" + Table.TRENDS_METHOD_MIX.tableName()).count();
      return String.format(java.util.Locale.ROOT, "trends: %d month(s) over %d report(s), %d chart(s); tables in %s",
          months, reportDirs.size(), charts.size(), dir.target());
    } catch (RuntimeException e) {
      dir.abandon();
      throw e;
    }
  }

  /** The trends tables, each in its declared shape, into {@code dir}. */
  static void write(Trends.Outputs o, String dir) {
    Map<Table, Dataset<Row>> t = new LinkedHashMap<>();
    t.put(Table.TRENDS_BRANCH_MONTH, o.branchMonths().orderBy("project", "branch", "month"));
    t.put(Table.TRENDS_PROJECT_MONTH, o.projectMonths().orderBy("project", "month"));
    t.put(Table.TRENDS_STANDARD_MONTH, o.standardMonths().orderBy("standard_id", "project", "month"));
    t.put(Table.TRENDS_GROWTH, o.growth().orderBy("project"));
    t.put(Table.TRENDS_METHOD_MIX, o.methodMix().orderBy("month"));
    t.put(Table.TRENDS_THRESHOLD_CROSSING, o.thresholdCrossings().orderBy("standard_id", "project"));
    t.forEach((table, df) -> table.conform(df).coalesce(1).write().parquet(dir + "/" + table.tableName()));
  }

  /** The tables of one report, read through their declared schemas. */
  static Trends.Report read(SparkSession spark, int index, String dir) {
    return new Trends.Report(index, RunCommand.read(spark, dir, Table.GPU_USAGE), RunCommand.read(spark, dir, Table.JOBS),
        RunCommand.read(spark, dir, Table.LINE_ITEMS), RunCommand.read(spark, dir, Table.STANDARD_TOTALS),
        RunCommand.read(spark, dir, Table.TREATMENT));
  }

  static void checkReport(Configuration conf, String dir) {
    if (!RunCommand.exists(conf, new Path(dir, Manifest.FILE))) {
      throw new LedgerException(dir + ": not a report of 'ledger run' (no " + Manifest.FILE + ")");
    }
    JsonNode command = Manifest.read(conf, dir).get("command");
    if (command == null || !"run".equals(command.asText())) {
      throw new LedgerException(dir + ": not a report of 'ledger run' (its " + Manifest.FILE + " says command "
          + (command == null ? "none" : command.asText()) + ")");
    }
  }

  static void refuseHolding(Configuration conf, String out, String report) {
    try {
      Path o = new Path(out).getFileSystem(conf).makeQualified(new Path(out));
      Path r = new Path(report).getFileSystem(conf).makeQualified(new Path(report));
      if (r.equals(o) || r.toString().startsWith(o + "/")) {
        throw new LedgerException(out + ": holds the report " + report + "; replacing it would delete it (choose another --out)");
      }
    } catch (java.io.IOException e) {
      throw new LedgerException(out + ": " + e.getMessage(), e);
    }
  }
}
