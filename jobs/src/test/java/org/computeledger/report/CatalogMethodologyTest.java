package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.computeledger.estimate.CatalogFiles;
import org.computeledger.estimate.MigGpus;
import org.computeledger.estimate.PeakCatalog;
import org.junit.jupiter.api.Test;

/**
 * The methodology names the modes a GPU has without a catalog figure, with the source showing the mode, and
 * the MIG tables the run used: the shipped rows and a lab's {@code --catalog-file} rows, each naming its file.
 */
class CatalogMethodologyTest {
  private static Path fixture(String name) throws Exception {
    return Path.of(CatalogMethodologyTest.class.getResource("/fixtures/catalog/" + name).toURI());
  }

  /** A file path as a markdown cell shows it: its underscores escaped, so they stay literal. */
  private static String escaped(Path file) {
    return file.toString().replace("_", "\\_");
  }

  /** The catalog section of a run with {@code files} as its {@code --catalog-file}s, and no line items. */
  private static String section(List<Path> files) {
    CatalogFiles c = CatalogFiles.load(files);
    return CatalogMethodology.section(c.peaks(), c.mig(), List.of());
  }

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
    String md = CatalogMethodology.migGpus(MigGpus.parse(new StringReader(csv), "mig_gpus.csv"), PeakCatalog.load());
    assertTrue(md.contains("| x1 | 4 | test guide listing four instances (2026-02) |"), md);
  }

  @Test
  void aLabsMigGpuIsListedBesideTheShippedOnesNamingItsFile() throws Exception {
    Path lab = fixture("mig_gpus_lab.csv");
    String md = section(List.of(lab));
    assertTrue(md.contains("| lab-gpu-1 | 4 | added by " + escaped(lab) + ": test fixture: a lab"), md);
    assertTrue(md.contains("shipped `mig_gpus.csv` and the GPUs this run's `--catalog-file` added"), md);
    assertTrue(md.contains("| a30 | 4 | NVIDIA Multi-Instance GPU User Guide"), "shipped rows stay, unmarked: " + md);
  }

  @Test
  void aLabsMigProfileIsListedBesideTheShippedOnesNamingItsFile() throws Exception {
    Path lab = fixture("mig_profiles_lab.csv");
    String md = section(List.of(lab));
    // h100-nvl 3g.47gb: 60 of 132 SMs, half the memory (the fixture's row)
    assertTrue(md.contains("| h100-nvl | 3g.47gb | 60 | 132 | 0.4545 | 4/8 | added by " + escaped(lab) + ": test fixture"),
        md);
    assertTrue(md.contains("shipped `mig_profiles.csv` and the rows this run's `--catalog-file` added"), md);
  }

  @Test
  void withoutACatalogFileTheMigTablesSayTheyAreTheShippedOnes() {
    String md = section(List.of());
    assertTrue(md.contains("MIG profiles with SM counts (shipped `mig_profiles.csv`; a `--catalog-file` adds rows"), md);
    assertTrue(md.contains("MIG GPUs and their compute slices (shipped `mig_gpus.csv`; a `--catalog-file` adds GPUs)"),
        md);
    assertFalse(md.contains("added by"), md);
  }

  @Test
  void migGpusWithoutADensePeakAreNamedAsUnpriced() {
    // the MIG User Guide lists the H20 and the RTX PRO 6000; gpu_peaks.csv has no figure for either
    String md = section(List.of());
    assertTrue(md.contains("the catalog has no dense peak for h20, rtx-pro-6000: a MIG instance of one counts its "
        + "share of the GPU's seconds, and its FLOP are unpriced"), md);
  }
}
