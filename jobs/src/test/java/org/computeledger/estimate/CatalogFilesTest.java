package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --catalog-file}: a lab adds peak or MIG rows; mistakes are one line naming file, line and field. */
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
  void aShippedMigProfileCannotBeReplaced() throws Exception {
    Path f = fixture("mig_profiles_shipped_pair.csv");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CatalogFiles.load(List.of(f)));
    assertEquals(f + ": field gpu_model,profile: expected a pair the shipped table does not hold, 'h200-sxm,1g.18gb'",
        e.getMessage());
  }

  @Test
  void aMemoryShareThatIsNotAFractionIsOneLineNamingTheField() throws Exception {
    Path f = fixture("mig_profiles_bad_memory.csv");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CatalogFiles.load(List.of(f)));
    assertEquals(f + " line 2: field memory_fraction: expected a share of the GPU's memory like 1/8, 'Full'",
        e.getMessage());
  }

  @Test
  void aBadFieldIsOneLineNamingFileLineAndField() throws Exception {
    Path f = fixture("gpu_peaks_bad_date.csv");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CatalogFiles.load(List.of(f)));
    assertEquals(f + " line 2: field source_date: expected YYYY-MM or YYYY-MM-DD, 'December'", e.getMessage());
  }

  @Test
  void aShippedFigureCannotBeReplaced() throws Exception {
    Path f = fixture("gpu_peaks_duplicate.csv");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CatalogFiles.load(List.of(f)));
    assertTrue(e.getMessage().startsWith(f + ": field gpu_model,precision: expected a pair the shipped catalog"),
        e.getMessage());
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
  void aLabCannotDeclareWithoutAFigureAModeTheShippedCatalogHasAFigureFor() throws Exception {
    Path f = fixture("gpu_peaks_mode_without_figure_shipped.csv");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> CatalogFiles.load(List.of(f)));
    assertEquals(f + ": field gpu_model,precision: expected a pair the shipped catalog does not hold, 'h100-sxm,tf32'",
        e.getMessage());
  }
}
