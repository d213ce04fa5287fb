package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --catalog-file}: a lab adds peak, MIG profile or MIG GPU rows; mistakes are one line naming file, line and field. */
class CatalogFilesTest {
  static Path fixture(String name) throws Exception {
    return Path.of(CatalogFilesTest.class.getResource("/fixtures/catalog/" + name).toURI());
  }

  @Test
  void aPeakFileAddsItsRowsToTheShippedCatalog() throws Exception {
    CatalogFiles c = CatalogFiles.load(List.of(fixture("gpu_peaks_extra.csv")));
    assertEquals(37.3e12, c.peaks().peak("p100-pcie", "int8").orElseThrow().flopsPerSecond(), 1e3);
    assertTrue(c.peaks().peak("h100-sxm", "bf16").isPresent(), "shipped rows stay");
    assertEquals(1, c.extensions().size());
  }

  @Test
  void aMigFileIsToldApartByItsHeader() throws Exception {
    CatalogFiles c = CatalogFiles.load(List.of(fixture("mig_profiles_lab.csv")));
    assertEquals(60.0 / 132, c.mig().share("h100-nvl", "MIG 3g.47gb").compute(), 1e-12);
    assertEquals(4.0 / 8, c.mig().share("h100-nvl", "4g.47gb").memory(), 1e-12);
  }

  @Test
  void aFileOfAnotherShapeIsRefusedNamingItsHeader() throws Exception {
    Path f = fixture("../registry/product-example.yaml");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CatalogFiles.load(List.of(f)));
    assertTrue(e.getMessage().contains("line 1: field (header): expected the columns of gpu_peaks.csv"), e.getMessage());
  }

  @Test
  void aLabFileCanDeclareAModeItsGpuHasWithoutAFigure() throws Exception {
    CatalogFiles c = CatalogFiles.load(List.of(fixture("gpu_peaks_mode_without_figure.csv")));
    assertTrue(c.peaks().peak("lab-gpu-1", "fp32").isPresent());
    assertTrue(c.peaks().resolve("lab-gpu-1", "tf32").isEmpty(), "not the fp32 vector rate");
  }

  @Test
  void aLabFigureFillsAModeTheShippedCatalogHasNoFigureFor() throws Exception {
    CatalogFiles c = CatalogFiles.load(List.of(fixture("gpu_peaks_a10g_tf32.csv")));
    PeakCatalog.Resolution r = c.peaks().resolve("a10g", "tf32").orElseThrow();
    assertEquals(70.04e12, r.peak().flopsPerSecond(), 1e3);
    assertFalse(r.isFallback());
    assertTrue(c.peaks().modesWithoutFigure().stream().noneMatch(m -> m.model().equals("a10g")));
  }

  @Test
  void eachFileIsHashedAsReadForTheManifest() throws Exception {
    Path f = fixture("gpu_peaks_a10g_tf32.csv");
    CatalogFiles c = CatalogFiles.load(List.of(f));
    String sha = java.util.HexFormat.of().formatHex(
        java.security.MessageDigest.getInstance("SHA-256").digest(java.nio.file.Files.readAllBytes(f)));
    assertEquals(java.util.Map.of(f.toString(), sha), c.sha256());
    assertTrue(CatalogFiles.shipped().sha256().isEmpty());
  }

  @Test
  void theRowsInForceAreWrittenAsTheirFilesHaveThem() throws Exception {
    String csv = CatalogFiles.load(List.of(fixture("gpu_peaks_a10g_tf32.csv"))).peaks().csv(java.util.Set.of("a10g"));
    List<String> lines = csv.lines().toList();
    assertEquals(String.join(",", PeakCatalog.COLUMNS), lines.get(0));
    // the shipped fp32 and fp64 rows, then the lab's tf32 figure where the shipped file declares the mode without one
    assertEquals(List.of("a10g,fp32", "a10g,fp64", "a10g,tf32"), lines.stream().skip(1).map(l -> l.substring(0,
        l.indexOf(',', l.indexOf(',') + 1))).toList());
    assertTrue(lines.get(3).startsWith("a10g,tf32,70.04,1710,"), lines.get(3));
    // read back, it prices as the run did
    PeakCatalog back = PeakCatalog.parse(csv, PeakCatalog.load().version());
    assertEquals(70.04e12, back.peak("a10g", "tf32").orElseThrow().flopsPerSecond(), 1e3);
  }

  @Test
  void theShippedRowsAreWrittenAsTheShippedFileHasThem() throws Exception {
    // what audit samples held before a lab's rows could be in them: the shipped records of the models, in file order
    StringBuilder want = new StringBuilder();
    org.apache.commons.csv.CSVFormat in = org.apache.commons.csv.CSVFormat.RFC4180.builder().setHeader()
        .setSkipHeaderRecord(true).build();
    java.util.Set<String> models = java.util.Set.of("h100-sxm", "l40s", "a10g", "rtx-6000-ada");
    try (java.io.InputStream s = PeakCatalog.class.getResourceAsStream(PeakCatalog.CSV_RESOURCE);
        org.apache.commons.csv.CSVParser p = org.apache.commons.csv.CSVParser.parse(s,
            java.nio.charset.StandardCharsets.UTF_8, in);
        org.apache.commons.csv.CSVPrinter out = new org.apache.commons.csv.CSVPrinter(want,
            org.apache.commons.csv.CSVFormat.RFC4180.builder().setRecordSeparator("\n").build())) {
      out.printRecord(p.getHeaderNames());
      for (org.apache.commons.csv.CSVRecord r : p) {
        if (models.contains(r.get(0).trim())) {
          out.printRecord(r.values());
        }
      }
    }
    assertEquals(want.toString(), CatalogFiles.shipped().peaks().csv(models));
  }

  @Test
  void aMigGpuFileAddsAParentWhoseProfilesThenCountByItsSlices() throws Exception {
    CatalogFiles c = CatalogFiles.load(List.of(fixture("mig_gpus_lab.csv")));
    MigProfiles.Share one = c.mig().share("lab-gpu-1", "MIG 1g.24gb");
    assertEquals(1 / 4.0, one.compute(), 1e-12);
    assertTrue(one.bySlices());
    assertEquals(2 / 4.0, c.mig().share("lab-gpu-1", "2g.48gb").compute(), 1e-12);
    assertEquals(60.0 / 132, c.mig().share("h100-sxm", "3g.40gb").compute(), 1e-12, "shipped SM rows stay");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      ignoreLeadingAndTrailingWhitespace = false,
      value = {
        "mig_profiles_shipped_pair.csv|: field gpu_model,profile: expected a pair the shipped table does not hold,"
            + " 'h200-sxm,1g.18gb'",
        "mig_profiles_bad_memory.csv| line 2: field memory_fraction: expected a share of the GPU's memory like 1/8,"
            + " 'Full'",
        "gpu_peaks_bad_date.csv| line 2: field source_date: expected YYYY-MM or YYYY-MM-DD, 'December'",
        "gpu_peaks_duplicate.csv|: field gpu_model,precision: expected a pair the shipped catalog does not hold,"
            + " 'h100-sxm,bf16'",
        "gpu_peaks_mode_without_figure_shipped.csv|: field gpu_model,precision: expected a pair the shipped catalog"
            + " does not hold, 'h100-sxm,tf32'",
        "mig_gpus_shipped.csv|: field gpu_model: expected a GPU the shipped table does not hold, 'h100-sxm'",
        "mig_gpus_bad_slices.csv| line 2: field gpu_slices: expected 7 or 4 (the MIG geometries the slice rule"
            + " reads: 1g, 2g, 3g, 4g, 7g or 1g, 2g, 4g instances), '2'",
        "mig_gpus_no_source.csv| line 2: field source: expected the document giving the GPU's slice count, ''",
        "mig_gpus_bad_model.csv| line 2: field gpu_model: expected a lower-case id like h100-sxm, 'NVIDIA H20'",
      })
  void aBadOrClashingRowIsOneLineNamingFileLineAndField(String file, String message) throws Exception {
    Path f = fixture(file);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CatalogFiles.load(List.of(f)));
    assertEquals(f + message, e.getMessage());
  }
}
