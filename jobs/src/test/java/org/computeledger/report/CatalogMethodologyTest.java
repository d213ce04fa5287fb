package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import org.computeledger.estimate.MigGpus;
import org.computeledger.estimate.PeakCatalog;
import org.junit.jupiter.api.Test;

/**
 * The methodology names the modes a GPU has without a catalog figure, with the source showing the mode, and
 * the slice count of each MIG GPU with the document giving it.
 */
class CatalogMethodologyTest {
  @Test
  void aModeWithoutAFigureIsListedWithItsSource() {
    String csv = "gpu_model,precision,dense_tflops,boost_clock_mhz,source,source_date,notes\n"
        + "x1,fp32,10,1500,test datasheet,2026-01,\n"
        + "x1,tf32,,,test whitepaper showing TF32 tensor cores,2026-02,\n";
    String md = CatalogMethodology.modesWithoutFigure(PeakCatalog.parse(csv, "2026-11-23.1"));
    assertTrue(md.contains("| x1 | tf32 | test whitepaper showing TF32 tensor cores (2026-02) |"), md);
  }

  @Test
  void aMigGpuIsListedWithItsSliceCountAndSource() throws Exception {
    String csv = "gpu_model,gpu_slices,source,source_date\n"
        + "x1,4,test guide listing four instances,2026-02\n";
    String md = CatalogMethodology.migGpus(MigGpus.parse(new StringReader(csv), "mig_gpus.csv"));
    assertTrue(md.contains("| x1 | 4 | test guide listing four instances (2026-02) |"), md);
  }
}
