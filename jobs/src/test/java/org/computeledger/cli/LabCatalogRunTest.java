package org.computeledger.cli;

import org.junit.jupiter.api.Assertions;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.computeledger.SparkTestBase;
import org.computeledger.estimate.CatalogFiles;
import org.computeledger.estimate.EstimateParams;
import org.computeledger.ingest.IngestParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run given a lab's catalog file shows that file's MIG rows in methodology.md, as the run priced with them. */
class LabCatalogRunTest extends SparkTestBase {
  @TempDir Path tmp;

  @Test
  void methodologyListsTheLabsMigGpuRowNamingItsFile() throws Exception {
    Path in = tmp.resolve("in");
    Files.createDirectories(in.resolve("scheduler"));
    Files.writeString(in.resolve("scheduler/sacct.txt"), MaxBadFractionTest.HEADER + MaxBadFractionTest.job("1"));
    Path lab = Path.of(getClass().getResource("/fixtures/catalog/mig_gpus_lab.csv").toURI());
    Path out = tmp.resolve("out");
    RunCommand.run(spark(), in.toString(), out.toString(), IngestParams.defaults(), EstimateParams.defaults(),
        List.of(), LocalDate.of(2026, 3, 5), 1.0, CatalogFiles.load(List.of(lab)));
    String md = Files.readString(out.resolve("methodology.md"));
    // markdown escapes the underscores of the file name
    String row = md.lines().filter(l -> l.startsWith("| lab-gpu-1 ")).findFirst().orElse("");
    Assertions.assertTrue(row.contains("added by ") && row.contains("mig\\_gpus\\_lab.csv"), "no lab row naming its file:\n" + md);
  }
}
