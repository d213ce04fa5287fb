package org.computeledger.cli;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.computeledger.audit.AuditRecompute;
import org.computeledger.audit.AuditSample;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.ingest.IngestParams;
import org.computeledger.report.Manifest;
import org.computeledger.schema.Table;
import org.computeledger.standards.Standard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor's walk on the bundled sample logs: verify catches a flipped byte in any output or input,
 * audit-sample is reproducible, audit-recompute agrees with an honest report and flags a report edited
 * after the fact with its manifest rehashed. The report is made once for the class (about a minute).
 */
class AuditTest extends SparkTestBase {
  /** The class's report and samples; JUnit deletes it after the class's last test. */
  @TempDir static Path work;
  private static Path report;

  private Path report() throws IOException {
    synchronized (AuditTest.class) {
      if (report == null) {
        report = work.resolve("report");
        RunCommand.run(spark(), LedgerRefusalsTest.SAMPLE_LOGS.toString(), report.toString(),
            IngestParams.defaults().withRunInstant(Instant.parse("2026-12-01T00:00:00Z")), EstimateParams.defaults(),
            Standard.builtIns(), LocalDate.of(2026, 12, 1), 0.01);
      }
      return report;
    }
  }

  private Path sample(Path fromReport, long seed, String name) throws IOException {
    Path to = work.resolve(name);
    AuditSample.run(spark(), new AuditSample.Params(fromReport.toString(), LedgerRefusalsTest.SAMPLE_LOGS.toString(), 8,
        seed, 2, 3, to.toString()));
    return to;
  }

  @Test
  void auditSampleThenRecomputeOnTheSampleLogsReportRunsClean() throws IOException {
    Path s = sample(report(), 1, "clean");
    AuditRecompute.Outcome o = AuditRecompute.recompute(s);
    AuditRecompute.write(spark(), s, o);
    Assertions.assertEquals(0, o.flagged(), AuditRecompute.markdown(o));
    Set<String> kinds = new TreeSet<>();
    o.units().forEach(u -> kinds.add(u.kind() + ":" + u.method()));
    // every kind of unit the sample logs have was drawn and recomputed from its lines
    Assertions.assertTrue(kinds.containsAll(List.of("held:allocation", "gpu-hour:pipe-activity", "gpu-hour:utilization")), kinds.toString());
    Assertions.assertTrue(o.units().stream().allMatch(u -> u.kind().equals("held") || u.samples() > 0));
    // the report calibrated H100 bf16 pipe activity (× 0.922): the drawn H100 pipe-activity hours agree only with it
    Assertions.assertTrue(Files.readAllLines(s.resolve(AuditSample.CALIBRATION)).size() > 1);
    Assertions.assertTrue(o.flopError().covers(0.0));
    // every job drawn had its cost recomputed from bill lines, and the cost interval covers no error
    Assertions.assertFalse(o.costs().isEmpty());
    Assertions.assertTrue(o.costs().stream().allMatch(c -> c.billLines() > 0), AuditRecompute.markdown(o));
    Assertions.assertTrue(o.costError().get("USD").covers(0.0));
    Assertions.assertTrue(Files.isDirectory(s.resolve("recompute/cost_comparison")));
    Assertions.assertTrue(Files.isRegularFile(s.resolve("recompute/recompute.md")));
    Assertions.assertTrue(Files.isDirectory(s.resolve("recompute/comparison")));
  }

  @Test
  void theSameSeedGivesTheSameFilesAndAnotherSeedAnotherSample() throws IOException {
    Path a = sample(report(), 7, "seed7a");
    Path b = sample(report(), 7, "seed7b");
    Path c = sample(report(), 8, "seed8");
    for (Path f : files(a)) {
      String rel = a.relativize(f).toString();
      if (rel.equals("manifest.json")) {
        continue;
      }
      assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(b.resolve(rel)), rel);
    }
    Assertions.assertEquals(files(a).size(), files(b).size());
    // the manifest differs in its timestamp, nothing else
    Assertions.assertEquals(withoutRunFacts(a), withoutRunFacts(b));
    assertNotEquals(Files.readString(a.resolve(AuditSample.UNITS)), Files.readString(c.resolve(AuditSample.UNITS)));
  }

  private static List<String> withoutRunFacts(Path sample) throws IOException {
    List<String> out = new ArrayList<>();
    for (String l : Files.readAllLines(sample.resolve("manifest.json"))) {
      if (!l.contains("\"created\"")) {
        out.add(l);
      }
    }
    return out;
  }

  /** A copy of the class's report under {@code name}, to edit after the fact. */
  private Path copyOfReport(String name) throws IOException {
    Path edited = work.resolve(name);
    ReportEdits.copyTree(report(), edited);
    return edited;
  }

  /** {@code edited}'s jobs table rewritten from the report's with {@code column} of {@code job} times {@code factor}. */
  private void editJob(Path edited, String job, String column, double factor) throws IOException {
    Dataset<Row> jobs = spark().read().schema(Table.JOBS.schema()).parquet(report.resolve("jobs").toString());
    ReportEdits.deleteTree(edited.resolve("jobs"));
    jobs.withColumn(column, when(col("job_key").equalTo(job), col(column).multiply(factor)).otherwise(col(column))
            .cast(Table.JOBS.schema().apply(column).dataType()))
        .coalesce(1).write().parquet(edited.resolve("jobs").toString());
  }

  @Test
  void aReportEditedAfterTheFactWithItsManifestRehashedIsCaughtByTheRecompute() throws Exception {
    Path edited = copyOfReport("edited");
    // a job seed 1 draws (atlas pre-training on 2026-03-03, with telemetry): its FLOP doubled in the GPU ledger and the jobs table
    String job = "lumen/48135";
    Dataset<Row> usage = spark().read().schema(Table.GPU_USAGE.schema()).parquet(report.resolve("gpu_usage").toString());
    ReportEdits.deleteTree(edited.resolve("gpu_usage"));
    RunCommand.writeLedger(usage.withColumn("flop", when(col("job_key").equalTo(job), col("flop").multiply(2))
        .otherwise(col("flop"))), edited.resolve("gpu_usage").toString());
    editJob(edited, job, "flop", 2);
    ReportEdits.rehash(edited);

    AuditRecompute.Outcome o = AuditRecompute.recompute(sample(edited, 1, "of-edited"));
    Assertions.assertTrue(o.flagged() > 0, AuditRecompute.markdown(o));
    for (AuditRecompute.Compared c : o.units()) {
      Assertions.assertEquals(c.job().equals(job), c.flagged(), c.unit());
      if (c.job().equals(job)) {
        Assertions.assertEquals(-0.5, c.relDiff(), 1e-9);
      }
    }
    Assertions.assertTrue(o.flopError().total() < 0, "the report overstates FLOP: " + o.flopError());
  }

  @Test
  void aJobsCostInflatedAfterTheFactWithItsManifestRehashedIsCaughtByTheRecompute() throws Exception {
    Path edited = copyOfReport("edited-cost");
    String job = "lumen/48135";
    editJob(edited, job, "cost_billed", 1.5);
    ReportEdits.rehash(edited);

    AuditRecompute.Outcome o = AuditRecompute.recompute(sample(edited, 1, "of-edited-cost"));
    Assertions.assertEquals(0, o.units().stream().filter(AuditRecompute.Compared::flagged).count(), "FLOP untouched");
    Assertions.assertTrue(o.costs().stream().anyMatch(c -> c.job().equals(job)), AuditRecompute.markdown(o));
    for (AuditRecompute.CostCompared c : o.costs()) {
      Assertions.assertEquals(c.job().equals(job), c.flagged(), c.job());
      if (c.job().equals(job)) {
        // recomputed = reported / 1.5
        Assertions.assertEquals(-1.0 / 3, c.relDiff(), 1e-9);
      }
    }
    Assertions.assertTrue(o.costError().get("USD").total() < 0, "the report overstates cost: " + o.costError());
  }

  @Test
  void verifyCatchesAFlippedByteInAnyOutputTableAndInputKind() throws IOException {
    Path out = work(report(), "flip-out");
    Path in = work(LedgerRefusalsTest.SAMPLE_LOGS, "flip-in");
    Assertions.assertEquals(0, Ledger.execute("verify", "--out", out.toString(), "--input", in.toString()));
    // one file of every output table (each verify re-hashes everything), every input the manifest hashes
    List<Path> all = new ArrayList<>();
    Set<Path> tables = new TreeSet<>();
    for (Path f : files(out)) {
      if (tables.add(out.relativize(f).getName(0))) {
        all.add(f);
      }
    }
    Set<String> hashed = new TreeSet<>();
    org.computeledger.audit.InputCheck.listed(Manifest.read(new Configuration(), out.toString()))
        .forEach((path, sha) -> {
          if (sha != null) {
            hashed.add(path);
          }
        });
    Set<String> kinds = new TreeSet<>();
    for (Path f : files(in)) {
      Path rel = in.relativize(f);
      // one input of each kind (scheduler, billing, telemetry/dcgm, telemetry/nvidia-smi, ...)
      String kind = rel.getNameCount() > 2 ? rel.subpath(0, 2).toString() : rel.getName(0).toString();
      if (hashed.contains(rel.toString()) && kinds.add(kind)) {
        all.add(f);
      }
    }
    Assertions.assertTrue(all.size() > 15, all.toString());
    for (Path f : all) {
      if (f.getFileName().toString().equals("manifest.json")) {
        continue;
      }
      byte[] bytes = Files.readAllBytes(f);
      if (bytes.length == 0) {
        continue;
      }
      byte[] flipped = bytes.clone();
      flipped[bytes.length / 2] ^= 0x01;
      Files.write(f, flipped);
      Assertions.assertEquals(1, Ledger.execute("verify", "--out", out.toString(), "--input", in.toString()), f.toString());
      Files.write(f, bytes);
    }
    Files.writeString(in.resolve("scheduler/extra.txt"), "JobID|State\n");
    Assertions.assertEquals(1, Ledger.execute("verify", "--out", out.toString(), "--input", in.toString()), "unlisted input");
    Files.delete(in.resolve("scheduler/extra.txt"));
    Files.move(in.resolve("prices.csv"), work.resolve("prices.csv"));
    Assertions.assertEquals(1, Ledger.execute("verify", "--out", out.toString(), "--input", in.toString()), "missing input");
  }

  private static Path work(Path from, String name) throws IOException {
    Path to = work.resolve(name);
    ReportEdits.copyTree(from, to);
    return to;
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
