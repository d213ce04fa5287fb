package org.computeledger.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.computeledger.SparkTestBase;
import org.computeledger.audit.AuditRecompute;
import org.computeledger.audit.AuditSample;
import org.computeledger.audit.InputCheck;
import org.computeledger.common.LedgerException;
import org.computeledger.estimate.CatalogFiles;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.ingest.IngestParams;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The auditor's walk on a report priced from a lab's {@code --catalog-file}: an H20 node (no shipped figure) and an
 * A10G node training in TF32 (a mode the shipped catalog declares without a figure), both priced by the lab's rows
 * ({@code fixtures/audit-lab-catalog}: sacct and nvidia-smi logs as the tools write them). The sample must carry the
 * rows the run priced with, checked against the SHA-256 the report's manifest records for the lab's file, so that
 * the recompute agrees; a lab file gone or changed since the report stops the sample with one line.
 */
class AuditLabCatalogTest extends SparkTestBase {
  /** The class's input, lab file, report and samples; JUnit deletes it after the class's last test. */
  @TempDir static Path work;
  private static Path report;
  private static Path lab;

  static Path fixture(String name) throws URISyntaxException {
    return Path.of(AuditLabCatalogTest.class.getResource("/fixtures/audit-lab-catalog/" + name).toURI());
  }

  private Path report() throws Exception {
    synchronized (AuditLabCatalogTest.class) {
      if (report == null) {
        lab = work.resolve("lab/lab_peaks.csv");
        Files.createDirectories(lab.getParent());
        Files.copy(fixture("lab_peaks.csv"), lab);
        report = work.resolve("report");
        RunCommand.run(spark(), fixture("input").toString(), report.toString(),
            IngestParams.defaults().withRunInstant(Instant.parse("2026-12-01T00:00:00Z")), EstimateParams.defaults(),
            List.of(), LocalDate.of(2026, 12, 1), 0.01, CatalogFiles.load(List.of(lab)));
      }
      return report;
    }
  }

  private Path sample(String name, List<String> catalogFiles) throws Exception {
    Path to = work.resolve(name);
    AuditSample.run(spark(), new AuditSample.Params(report().toString(), fixture("input").toString(), 8, 1, 2, 3,
        to.toString(), catalogFiles));
    return to;
  }

  @Test
  void theRunsManifestRecordsTheLabFilesSha256() throws Exception {
    JsonNode params = new ObjectMapper().readTree(report().resolve("manifest.json").toFile()).path("parameters");
    Assertions.assertEquals(lab.toString(), params.path("catalog_files").path(0).asText(), params.toString());
    Assertions.assertEquals(InputCheck.sha256(lab), params.path("catalog_files_sha256").path(lab.toString()).asText(),
        params.toString());
  }

  @Test
  void theSampleCarriesTheLabsRowsAndTheRecomputeAgrees() throws Exception {
    Path s = sample("clean", null);
    List<String> rows = Files.readAllLines(s.resolve(AuditSample.CATALOG));
    // the lab's figures, and not the shipped a10g tf32 row that declares the mode without one
    Assertions.assertTrue(rows.stream().anyMatch(r -> r.startsWith("h20,bf16,148,")), String.join("\n", rows));
    Assertions.assertTrue(rows.stream().anyMatch(r -> r.startsWith("a10g,tf32,70.04,")), String.join("\n", rows));
    Assertions.assertFalse(rows.stream().anyMatch(r -> r.startsWith("a10g,tf32,,")), String.join("\n", rows));
    Assertions.assertTrue(rows.stream().anyMatch(r -> r.startsWith("a10g,fp32,35.02,")), String.join("\n", rows));
    AuditRecompute.Outcome o = AuditRecompute.recompute(s);
    Assertions.assertEquals(0, o.flagged(), AuditRecompute.markdown(o));
    // both GPUs' hours were drawn, and their FLOP were priced (by the lab's rows) and recomputed
    // (the H20 job 61001 and the A10G job 61002)
    for (String job : List.of("lumen/61001", "lumen/61002")) {
      Assertions.assertTrue(o.units().stream().anyMatch(u -> job.equals(u.job()) && u.recomputed() > 0),
          job + "\n" + AuditRecompute.markdown(o));
    }
  }

  @Test
  void aLabFileNamedWhereItNowIsIsChecked() throws Exception {
    report();
    Path moved = work.resolve("moved/peaks.csv");
    Files.createDirectories(moved.getParent());
    Files.copy(lab, moved);
    AuditRecompute.Outcome o = AuditRecompute.recompute(sample("moved-sample", List.of(moved.toString())));
    Assertions.assertEquals(0, o.flagged(), AuditRecompute.markdown(o));
  }

  @Test
  void aLabFileThatIsMissingStopsTheSampleWithOneLine() throws Exception {
    report();
    String gone = work.resolve("nowhere/lab_peaks.csv").toString();
    LedgerException e = Assertions.assertThrows(LedgerException.class, () -> sample("missing", List.of(gone)));
    Assertions.assertTrue(e.getMessage().startsWith(gone + ": ") && e.getMessage().contains("missing"), e.getMessage());
    Assertions.assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void aLabFileChangedSinceTheReportStopsTheSampleWithOneLine() throws Exception {
    report();
    Path changed = work.resolve("changed/lab_peaks.csv");
    Files.createDirectories(changed.getParent());
    // one figure edited: a file that still parses, but is not the one the report priced with
    Files.writeString(changed, Files.readString(lab).replace("h20,bf16,148,", "h20,bf16,150,"));
    LedgerException e = Assertions.assertThrows(LedgerException.class,
        () -> sample("changed-sample", List.of(changed.toString())));
    Assertions.assertTrue(e.getMessage().startsWith(changed + ": ") && e.getMessage().contains("differs")
        && e.getMessage().contains(InputCheck.sha256(lab)), e.getMessage());
    Assertions.assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void aLabFileChangedSoThatItNoLongerParsesIsNamedAsChangedNotAsUnreadable() throws Exception {
    report();
    Path changed = work.resolve("broken/lab_peaks.csv");
    Files.createDirectories(changed.getParent());
    // the header edited: the file no longer parses as a catalog, and that it is not the report's file comes first
    Files.writeString(changed, Files.readString(lab).replaceFirst("[^\n]*\n", "model,mode\n"));
    LedgerException e = Assertions.assertThrows(LedgerException.class,
        () -> sample("broken-sample", List.of(changed.toString())));
    Assertions.assertTrue(e.getMessage().startsWith(changed + ": SHA-256 ") && e.getMessage().contains("differs")
        && e.getMessage().contains(InputCheck.sha256(lab)), e.getMessage());
    Assertions.assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void aCountOfLabFilesOtherThanTheReportsIsRefused() throws Exception {
    report();
    LedgerException e = Assertions.assertThrows(LedgerException.class,
        () -> sample("two", List.of(lab.toString(), lab.toString())));
    Assertions.assertTrue(e.getMessage().contains("--catalog-file"), e.getMessage());
  }
}
