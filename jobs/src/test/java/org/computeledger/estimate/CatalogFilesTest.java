package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    CatalogFiles c = CatalogFiles.load(List.of(fixture("mig_profiles_h200.csv")));
    assertEquals(16.0 / 132, c.mig().share("h200-sxm", "MIG 1g.18gb").compute(), 1e-12);
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
}
