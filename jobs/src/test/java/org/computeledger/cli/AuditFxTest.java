package org.computeledger.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.computeledger.audit.AuditRecompute;
import org.computeledger.audit.AuditSample;
import org.computeledger.common.OutputDir;
import org.computeledger.estimate.CatalogFiles;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.ingest.Ingest;
import org.computeledger.ingest.IngestParams;
import org.computeledger.schema.Table;
import org.computeledger.standards.Standard;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor's walk on a report converted to a reporting currency: the EKS fixture (a USD bill of May 2026)
 * with an fx.csv beside it, run with {@code --report-currency EUR}. The sample copies fx.csv and the recompute
 * converts its own recomputed cost, so an honest report runs clean and a job's converted cost inflated after
 * the fact, manifest rehashed, is caught. The report is made once for the class.
 */
class AuditFxTest extends SparkTestBase {
  /** USD to EUR: the April rate covers the May bill; the 2027 rate is later than every charge and never used. */
  private static final String FX = "date,from_currency,to_currency,rate,source\n2026-04-01,USD,EUR,0.92,ecb\n"
      + "2027-01-01,USD,EUR,0.5,ecb\n";
  /** The class's report and samples; JUnit deletes it after the class's last test. */
  @TempDir static Path work;
  private static Path input;
  private static Path report;

  private Path report() throws IOException {
    synchronized (AuditFxTest.class) {
      if (report == null) {
        input = work.resolve("input");
        ReportEdits.copyTree(AuditEksTest.EKS, input);
        Files.writeString(input.resolve("fx.csv"), FX);
        report = work.resolve("report");
        // as the run command does it with --report-currency EUR (Ledger.execute would stop the shared Spark)
        IngestParams ip = IngestParams.defaults().withRunInstant(Instant.parse("2026-12-01T00:00:00Z"));
        Configuration hadoop = spark().sparkContext().hadoopConfiguration();
        try (OutputDir dir = OutputDir.begin(report.toString(), hadoop, false, input.toString())) {
          RunCommand.run(spark(), input.toString(), false, Ingest.discover(hadoop, input.toString(), ip), dir, ip,
              EstimateParams.defaults(), Standard.builtIns(), LocalDate.of(2026, 12, 1), 0.01, CatalogFiles.shipped(), "EUR");
        }
      }
      return report;
    }
  }

  private Path sample(Path fromReport, String name) throws IOException {
    Path to = work.resolve(name);
    AuditSample.run(spark(), new AuditSample.Params(fromReport.toString(), input.toString(), 8, 1, 5, 3, to.toString()));
    return to;
  }

  @Test
  void aConvertedReportRecomputesCleanWithTheCopiedFxRates() throws IOException {
    Path s = sample(report(), "clean");
    Assertions.assertTrue(Files.isRegularFile(s.resolve("evidence/fx.csv")));
    AuditRecompute.Outcome o = AuditRecompute.recompute(s);
    AuditRecompute.write(spark(), s, o);
    Assertions.assertEquals(0, o.flagged(), AuditRecompute.markdown(o));
    Assertions.assertTrue(o.costs().stream().anyMatch(c -> "EUR".equals(c.converted().currency())
        && c.converted().recomputedBilled() != null && c.converted().recomputedBilled().signum() > 0),
        AuditRecompute.markdown(o));
    Assertions.assertTrue(AuditRecompute.markdown(o).contains("Cost in the reporting currency"));
    Dataset<Row> cmp = spark().read().parquet(s.resolve("recompute/cost_comparison").toString());
    Assertions.assertTrue(cmp.filter(col("recomputed_cost_billed_converted").isNotNull()).count() > 0);
  }

  @Test
  void aJobsConvertedCostInflatedWithTheManifestRehashedIsCaught() throws Exception {
    report();
    Path edited = work.resolve("edited");
    ReportEdits.copyTree(report, edited);
    String job = AuditEksTest.CUT_JOB;
    Dataset<Row> jobs = spark().read().schema(Table.JOBS.schema()).parquet(report.resolve("jobs").toString());
    ReportEdits.deleteTree(edited.resolve("jobs"));
    jobs.withColumn("cost_billed_converted", when(col("job_key").equalTo(job),
            col("cost_billed_converted").multiply(1.5)).otherwise(col("cost_billed_converted")).cast("decimal(38,12)"))
        .coalesce(1).write().parquet(edited.resolve("jobs").toString());
    ReportEdits.rehash(edited);

    AuditRecompute.Outcome o = AuditRecompute.recompute(sample(edited, "of-edited"));
    Assertions.assertTrue(o.costs().stream().anyMatch(c -> c.job().equals(job)), AuditRecompute.markdown(o));
    for (AuditRecompute.CostCompared c : o.costs()) {
      Assertions.assertEquals(c.job().equals(job), c.flagged(), c.job() + "\n" + AuditRecompute.markdown(o));
      if (c.job().equals(job)) {
        // the unconverted cost is untouched; the converted one is recomputed = reported / 1.5
        Assertions.assertEquals(0, c.relDiff(), 1e-9);
        Assertions.assertEquals(1.0 / 3, c.converted().relDiff(), 1e-9);
      }
    }
  }
}
