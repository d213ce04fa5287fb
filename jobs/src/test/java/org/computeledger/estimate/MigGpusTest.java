package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shipped slice counts of MIG-capable GPUs ({@code catalog/mig_gpus.csv}). Expected counts are typed
 * from NVIDIA's Multi-Instance GPU User Guide, 'Supported GPUs' table ("Max Number of Instances"), and for
 * B300 and GB300 from the Blackwell Ultra datasheet (OCT25, "Multi-Instance GPU (MIG) 7"); never read back
 * from the catalog. The H20 and the RTX PRO 6000 have slice counts but no dense peaks: see MigSharesTest.
 */
class MigGpusTest {
  private static final MigGpus SHIPPED = MigGpus.load();

  @ParameterizedTest(name = "{0} has {1} slices")
  @CsvSource({
    "a100-sxm4-40gb, 7", "a100-sxm4-80gb, 7", "a100-pcie-40gb, 7", "a100-pcie-80gb, 7", // A100-SXM4 / A100-PCIE
    "a30, 4",
    "h100-sxm, 7", "h100-pcie, 7", "h100-nvl, 7", // H100-SXM5, H100-PCIE (80GB; 94GB is the NVL card)
    "gh200, 7", // "H100 on GH200"
    "h200-sxm, 7", "h200-nvl, 7",
    "b200, 7", "gb200, 7",
    "b300, 7", "gb300, 7", // Blackwell Ultra datasheet
    "rtx-pro-6000, 4", // RTX PRO 6000 Blackwell Server, Workstation and Max-Q Workstation Editions
    "h20, 7",
  })
  void aMigGpuHasTheSliceCountItsVendorDocumentGives(String model, int slices) {
    assertEquals(slices, SHIPPED.slices(model));
  }

  @ParameterizedTest
  @ValueSource(strings = {"t4", "l40s", "h800", "mi300x", "v100-sxm2-32gb", "rtx-6000-ada", "a800"})
  void aGpuWithoutAShippedRowHasNoSliceCount(String model) {
    assertNull(SHIPPED.slices(model));
  }

  @Test
  void everyShippedRowCitesItsSource() {
    for (MigGpus.Gpu g : SHIPPED.rows()) {
      assertFalse(g.source().isBlank(), g.model());
      assertTrue(g.source().contains("Multi-Instance GPU User Guide") || g.source().contains("Blackwell Ultra datasheet"),
          g.model() + ": " + g.source());
    }
    assertEquals(17, SHIPPED.rows().size());
  }

  @ParameterizedTest(name = "{1} on {0} holds {2}/{3} by slices")
  @CsvSource({
    "h200-nvl, MIG 3g.71gb, 3, 7", // no SM row for the H200 NVL: the slice rule, flagged
    "a100-pcie-80gb, 1c.3g.40gb, 1, 7", // a compute instance holds its own slices
    "a30, 1c.2g.12gb, 1, 4", // one compute slice of a 2g instance on the 4-slice A30
    "h20, MIG 1g.12gb, 1, 7", // the H20 (96GB) has no SM rows: every profile by slices
    "h20, 3g.48gb, 3, 7",
    "rtx-pro-6000, MIG 1g.24gb, 1, 4", // 1g.24gb, 2g.48gb, 4g.96gb: a quarter of the 96GB card per slice
    "rtx-pro-6000, 2g.48gb, 2, 4",
    "rtx-pro-6000, 4g.96gb, 4, 4",
  })
  void aProfileWithoutAnSmRowIsItsComputeSlicesOverItsGpusSlices(String model, String profile, int slices,
      int gpuSlices) {
    MigProfiles.Share s = MigProfiles.load().share(model, profile);
    assertEquals(slices / (double) gpuSlices, s.compute(), 1e-12);
    assertTrue(s.bySlices());
  }

  @ParameterizedTest(name = "{1} on {0}")
  @CsvSource({"a30, 3g.18gb", "a30, 7g.24gb", "rtx-pro-6000, 3g.72gb", "t4, 1g.10gb", "h800, 1g.10gb"})
  void aProfileItsGpuCannotHoldOrAGpuWithoutMigHasNoShare(String model, String profile) {
    // the four slices of the A30 and the RTX PRO 6000 make 1g, 2g and 4g instances only
    assertNull(MigProfiles.load().share(model, profile));
  }
}
