package org.computeledger.estimate;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The H800 (SXM), NVIDIA's export variant of the H100 SXM: its datasheet's tensor figures with sparsity
 * halved, its FP64 cut to 1 TFLOPS, and its PCIe card kept apart. Expected figures are typed from the
 * datasheet, never read from the catalog. Its exact names (and the PCIe card's) are in GpuModelsTest's
 * table of accelerator names.
 */
class H800PeaksTest {
  private static final double TERA = 1e12;
  private static final PeakCatalog CATALOG = PeakCatalog.load();

  private static double flops(String precision) {
    return CATALOG.peak("h800", precision).orElseThrow(() -> new AssertionError("h800 " + precision)).flopsPerSecond();
  }

  @ParameterizedTest(name = "h800 {0}: {1}* with sparsity")
  @CsvSource({"bf16, 1979", "fp16, 1979", "fp8, 3958", "int8, 3958"})
  void h800TensorFigureIsHalfItsDatasheetsWithSparsityFigure(String precision, double sparseTflops) {
    Assertions.assertEquals(sparseTflops / 2 * TERA, flops(precision), 1e6);
  }

  @Test
  void h800Fp64IsTheOneTflopsItWasCutTo() {
    Assertions.assertEquals(1 * TERA, flops("fp64"), 1e6);
    Assertions.assertNotEquals(CATALOG.peak("h100-sxm", "fp64").orElseThrow().flopsPerSecond(), flops("fp64"), 1e12);
  }

  @ParameterizedTest
  @CsvSource({"fp64_tensor", "tf32", "fp32", "fp16_nontensor"})
  void h800ModesWithoutACitedFigureStayUnpricedRatherThanTakingAnotherModesRate(String precision) {
    // fp64_tensor would fall to the FP64 vector rate and tf32 to fp32: the H800 has both tensor modes
    Assertions.assertTrue(CATALOG.resolve("h800", precision).isEmpty(), precision);
  }

  @Test
  void h800StatesNoClockSoItIsNeverClockScaled() {
    Assertions.assertTrue(CATALOG.boostClockMhz("h800").isEmpty());
  }

  @Test
  void theH800PcieHasNoFiguresSoItIsNeverPricedAsTheSxm() {
    Assertions.assertTrue(GpuModels.UNPRICED_IDS.contains("h800-pcie"));
    Assertions.assertTrue(CATALOG.resolve("h800-pcie", "bf16").isEmpty());
  }

  @Test
  void aBareH800IsAssumedSxmAndSaysSo() {
    GpuModels.ModelMatch m = GpuModels.match("h800");
    Assertions.assertEquals("h800", m.id());
    Assertions.assertFalse(m.exact());
    Assertions.assertTrue(m.note().contains("PCIe"), m.note());
  }

  @Test
  void anH800IsNeverTakenForAnH100() {
    Assertions.assertNotEquals("h100-sxm", GpuModels.normalize("NVIDIA H800"));
    Assertions.assertTrue(GpuModels.IDS.contains("h800"));
    Assertions.assertFalse(GpuModels.UNPRICED_IDS.contains("h800"));
  }
}
