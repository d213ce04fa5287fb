package org.computeledger.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.computeledger.audit.AuditRecompute;
import org.computeledger.audit.AuditSample;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.ingest.IngestParams;
import org.computeledger.schema.Table;
import org.computeledger.standards.Standard;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor's walk on a rented Kubernetes cluster (fixtures/audit-eks: a day of an EKS cluster's pod list,
 * DCGM scrapes, CUR 2.0 bill by instance id and a resources.csv that moves one instance off its node at
 * 13:20): the pods are recomputed from their copied JSON objects and the costs from the bill lines cut by
 * the copied resources.csv lines, so an honest report runs clean and an edited one, manifest rehashed, does
 * not. The report is made once for the class.
 */
class AuditEksTest extends SparkTestBase {
  static final Path EKS = Path.of("src/test/resources/fixtures/audit-eks").toAbsolutePath();
  /** The pod on the node whose instance resources.csv cuts at 13:20: its 13:00 charge is cut. */
  static final String CUT_JOB = "default/atlas/atlas-distill-009-gp4qn";
  /** The class's report and samples; JUnit deletes it after the class's last test. */
  @TempDir static Path work;
  private static Path report;

  private Path report() throws IOException {
    synchronized (AuditEksTest.class) {
      if (report == null) {
        report = work.resolve("report");
        RunCommand.run(spark(), EKS.toString(), report.toString(),
            IngestParams.defaults().withRunInstant(Instant.parse("2026-12-01T00:00:00Z")), EstimateParams.defaults(),
            Standard.builtIns(), LocalDate.of(2026, 12, 1), 0.01);
      }
      return report;
    }
  }

  private Path sample(Path fromReport, long seed, String name) throws IOException {
    Path to = work.resolve(name);
    AuditSample.run(spark(), new AuditSample.Params(fromReport.toString(), EKS.toString(), 8, seed, 5, 3, to.toString()));
    return to;
  }

  @Test
  void podsAndResourcesCsvCutChargesOfAnEksReportRecomputeCleanFromTheirCopiedEvidence() throws IOException {
    Path s = sample(report(), 1, "clean");
    AuditRecompute.Outcome o = AuditRecompute.recompute(s);
    Assertions.assertEquals(0, o.flagged(), AuditRecompute.markdown(o));
    Assertions.assertTrue(o.units().stream().anyMatch(u -> u.job().startsWith("default/atlas/") && u.recomputed() > 0),
        AuditRecompute.markdown(o));
    Assertions.assertTrue(o.costs().stream().anyMatch(c -> c.job().equals(CUT_JOB) && c.billLines() > 0),
        AuditRecompute.markdown(o));
    // the pods came as whole JSON objects, the instance map as its own lines
    boolean podObject = false;
    ObjectMapper json = new ObjectMapper();
    for (String l : Files.readAllLines(s.resolve(AuditSample.LINES))) {
      JsonNode n = json.readTree(l);
      podObject |= n.path("format").asText().equals("k8s-pods") && n.path("last_line").asLong() > n.path("line").asLong()
          && json.readTree(n.path("text").asText()).path("kind").asText().equals("Pod");
    }
    Assertions.assertTrue(podObject);
    Assertions.assertTrue(Files.readString(s.resolve("evidence/resources.csv")).contains("2026-05-13T13:20:00Z"));
  }

  @Test
  void aPodsFlopInflatedAfterTheFactWithItsManifestRehashedIsCaughtByTheRecompute() throws Exception {
    Path edited = edit("edited-flop", "gpu_usage", "flop", 2.0, Table.GPU_USAGE);
    AuditRecompute.Outcome o = AuditRecompute.recompute(sample(edited, 1, "of-edited-flop"));
    Assertions.assertTrue(o.units().stream().anyMatch(u -> u.job().equals(CUT_JOB)), AuditRecompute.markdown(o));
    for (AuditRecompute.Compared c : o.units()) {
      Assertions.assertEquals(c.job().equals(CUT_JOB), c.flagged(), c.unit());
      if (c.job().equals(CUT_JOB)) {
        Assertions.assertEquals(-0.5, c.relDiff(), 1e-9);
      }
    }
  }

  @Test
  void aCostFromChargesCutByResourcesCsvInflatedAfterTheFactIsCaughtByTheRecompute() throws Exception {
    Path edited = edit("edited-cost", "jobs", "cost_billed", 1.5, Table.JOBS);
    AuditRecompute.Outcome o = AuditRecompute.recompute(sample(edited, 1, "of-edited-cost"));
    Assertions.assertEquals(0, o.units().stream().filter(AuditRecompute.Compared::flagged).count(), "FLOP untouched");
    Assertions.assertTrue(o.costs().stream().anyMatch(c -> c.job().equals(CUT_JOB)), AuditRecompute.markdown(o));
    for (AuditRecompute.CostCompared c : o.costs()) {
      Assertions.assertEquals(c.job().equals(CUT_JOB), c.flagged(), c.job());
      if (c.job().equals(CUT_JOB)) {
        Assertions.assertEquals(-1.0 / 3, c.relDiff(), 1e-9);
      }
    }
  }

  /** A copy of the report with one column of {@link #CUT_JOB}'s rows in {@code table} multiplied, manifest rehashed. */
  private Path edit(String name, String table, String column, double factor, Table t) throws Exception {
    report();
    Path edited = work.resolve(name);
    ReportEdits.copyTree(report, edited);
    Dataset<Row> rows = spark().read().schema(t.schema()).parquet(report.resolve(table).toString());
    ReportEdits.deleteTree(edited.resolve(table));
    Dataset<Row> changed = rows.withColumn(column, when(col("job_key").equalTo(CUT_JOB), col(column).multiply(factor))
        .otherwise(col(column)).cast(rows.schema().apply(column).dataType()));
    if (t == Table.GPU_USAGE) {
      RunCommand.writeLedger(changed, edited.resolve(table).toString());
    } else {
      changed.coalesce(1).write().parquet(edited.resolve(table).toString());
    }
    ReportEdits.rehash(edited);
    return edited;
  }
}
