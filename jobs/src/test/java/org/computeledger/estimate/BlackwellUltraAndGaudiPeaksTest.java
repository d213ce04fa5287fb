package org.computeledger.estimate;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Catalog rows for NVIDIA's Blackwell Ultra (HGX B300 and GB300 NVL72, per GPU) and Intel's Gaudi 2 and
 * Gaudi 3. Every expected figure is typed from the vendor's printed figure (NVIDIA's with-sparsity
 * figure and its halving), never read from the catalog. Their explicit names are in GpuModelsTest's
 * table of accelerator names.
 */
class BlackwellUltraAndGaudiPeaksTest extends SparkTestBase {
  private static final double TERA = 1e12;
  private static final PeakCatalog CATALOG = PeakCatalog.load();

  private static double flops(String model, String precision) {
    return CATALOG.peak(model, precision).orElseThrow(() -> new AssertionError(model + " " + precision)).flopsPerSecond();
  }

  private static void close(double expected, double actual, double relative) {
    Assertions.assertTrue(Math.abs(actual - expected) <= relative * Math.abs(expected),
        "expected " + expected + " within " + relative + " (relative), was " + actual);
  }

  private Dataset<Row> allocation(String model, String precision, double heldSeconds) {
    StructType s = new StructType().add(Flop.MODEL_ID, DataTypes.StringType).add(Flop.PRECISION, DataTypes.StringType)
        .add("held_s", DataTypes.DoubleType);
    return spark().createDataFrame(List.of(RowFactory.create(model, precision, heldSeconds)), s);
  }

  // NVIDIA Blackwell Ultra datasheet p.5 and Blackwell Technical Brief Table 3, per GPU, "with sparsity"
  @ParameterizedTest(name = "{0} {1}: {2}* with sparsity")
  @CsvSource({
    "b300, bf16, 4500", // HGX B300: FP16/BF16 Tensor Core 4.5 PFLOPS*
    "b300, fp16, 4500",
    "b300, fp8, 9000", // FP8/FP6 Tensor Core 9 PFLOPS*, "Dense is 1/2 sparse spec shown"
    "b300, tf32, 2200", // TF32 Tensor Core 2.2 PFLOPS*
    "gb300, bf16, 5000", // GB300 NVL72: FP16/BF16 Tensor Core 5 PFLOPS*
    "gb300, fp16, 5000",
    "gb300, fp8, 10000", // FP8/FP6 Tensor Core 10 PFLOPS*
    "gb300, tf32, 2500", // TF32 1.25 PFLOPS dense, 2.5* with sparsity
  })
  void blackwellUltraTensorFigureIsHalfItsWithSparsityFigure(String model, String precision, double sparseTflops) {
    close(sparseTflops / 2 * TERA, flops(model, precision), 1e-9);
  }

  @Test
  void b300Fp32IsTheHgxBoardsFp32OverItsEightGpus() {
    double board = 600; // HGX B300 (8 GPUs): FP32 600 TFLOPS; the Technical Brief prints 75 per GPU
    close(board / 8 * TERA, flops("b300", "fp32"), 1e-9);
  }

  @ParameterizedTest
  @CsvSource({"fp64", "fp64_tensor"})
  void b300Fp64IsTheHgxBoardsTenTflopsOverItsEightGpus(String precision) {
    double board = 10; // HGX B300: "FP64/FP64 Tensor Core 10 TFLOPS" for 8 GPUs (B200's board: 296, 37 per GPU)
    close(board / 8 * TERA, flops("b300", precision), 1e-9);
  }

  @Test
  void b300Fp64IsAThirtiethOfTheB200sNotTheB200sFigure() {
    Assertions.assertNotEquals(flops("b200", "fp64"), flops("b300", "fp64"), 1e12);
  }

  @Test
  void gb300Fp32IsEightyTflopsPerGpu() {
    close(80 * TERA, flops("gb300", "fp32"), 1e-9); // per-GPU dense table: FP32 0.080 PFLOPS
  }

  @ParameterizedTest
  @CsvSource({"b300", "gb300"})
  void blackwellUltraStatesNoClockSoItIsNeverClockScaled(String model) {
    Assertions.assertTrue(CATALOG.boostClockMhz(model).isEmpty(), model);
    Assertions.assertEquals(0.0, CATALOG.peak(model, "bf16").orElseThrow().boostClockMhz());
  }

  @ParameterizedTest
  @CsvSource({"b300, int8", "gb300, int8", "gb300, fp64", "gb300, fp64_tensor", "b300, fp16_nontensor"})
  void blackwellUltraPrecisionsWithoutAnAgreedFigureStayUnpriced(String model, String precision) {
    // INT8: the datasheet (307 TOPS*), the Technical Brief (0.30 POPS*) and the HGX page disagree; no GB300 FP64 read
    Assertions.assertTrue(CATALOG.resolve(model, precision).isEmpty(), model + " " + precision);
  }

  // Intel Hot Chips 2024 (Kaplan): "BF16 Matrix TFLOPs 1835", "FP8 Matrix TFLOPs 1835"; Gaudi 2 "Peak Compute (BF16) 432"
  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource({"gaudi3, bf16, 1835", "gaudi3, fp8, 1835", "gaudi2, bf16, 432"})
  void gaudiFiguresAreIntelsPrintedMatrixFigures(String model, String precision, double tflops) {
    close(tflops * TERA, flops(model, precision), 1e-12);
  }

  @ParameterizedTest
  @CsvSource({"gaudi2", "gaudi3"})
  void gaudiStatesNoClockSoItIsNeverClockScaled(String model) {
    Assertions.assertTrue(CATALOG.boostClockMhz(model).isEmpty(), model);
  }

  @Test
  void gaudi2Fp8StaysUnpricedRatherThanTakingTheBf16RateOfAChipWithoutFp8() {
    // Gaudi 2 has FP8 (Intel Gaudi Transformer Engine); "no fp8 on this GPU" would be a false reason
    Assertions.assertTrue(CATALOG.resolve("gaudi2", "fp8").isEmpty());
  }

  @ParameterizedTest
  @CsvSource({"gaudi3, fp16", "gaudi3, fp32", "gaudi3, int8", "gaudi2, fp32"})
  void gaudiPrecisionsIntelPrintsNoFigureForStayUnpriced(String model, String precision) {
    Assertions.assertTrue(CATALOG.resolve(model, precision).isEmpty(), model + " " + precision);
  }

  @Test
  void gaudi3AllocationIsItsBf16FigureTimesTheAcceleratorAssumption() {
    Flop flop = new Flop(CATALOG, EstimateParams.defaults()).withAcceleratorUtilization(0.5, 0.3, 0.6);
    Row r = flop.allocationFlop(allocation("gaudi3", "bf16", 100.0), "held_s", 0.4).first();
    close(1835 * TERA * 100 * 0.5, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-9);
  }

  @Test
  void b300AllocationIsItsBf16FigureTimesTheGpuAssumption() {
    Flop flop = new Flop(CATALOG, EstimateParams.defaults()).withAcceleratorUtilization(0.5, 0.3, 0.6);
    Row r = flop.allocationFlop(allocation("b300", "bf16", 100.0), "held_s", 0.4).first();
    close(4500.0 / 2 * TERA * 100 * 0.4, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-9);
  }

  @Test
  void aB300IsNeverTakenForAB200NorAGb300ForAGb200() {
    Assertions.assertEquals("b300", GpuModels.normalize("NVIDIA B300 SXM6 AC"));
    Assertions.assertEquals("gb300", GpuModels.normalize("NVIDIA GB300"));
    Assertions.assertNotEquals("b200", GpuModels.normalize("NVIDIA B300 SXM6 AC"));
    Assertions.assertNotEquals("gb200", GpuModels.normalize("NVIDIA GB300"));
  }

  @Test
  void aP6InstanceOfAnotherGpuIsNotTakenForAB300() {
    Assertions.assertNull(GpuModels.match("p6-b300"));
    Assertions.assertNotEquals("b300", GpuModels.normalize("p6-b200.48xlarge"));
  }

  @Test
  void gaudiWithoutAGenerationStaysUnknown() {
    Assertions.assertNull(GpuModels.match("Gaudi"));
    Assertions.assertNull(GpuModels.match("HL"));
  }

  @Test
  void newlyPricedModelsArePricedIdsNow() {
    for (String id : List.of("b300", "gb300", "gaudi2", "gaudi3")) {
      Assertions.assertTrue(GpuModels.IDS.contains(id), id);
      Assertions.assertFalse(GpuModels.UNPRICED_IDS.contains(id), id);
      Assertions.assertTrue(CATALOG.models().contains(id), id);
    }
  }

  @ParameterizedTest(name = "{0} {1} holds {2}/7 by slices")
  @CsvSource({
    // GPU Operator 25.10.0 release notes list B300 profiles 1g.34gb, 1g.67gb, 2g.67gb, 3g.135gb, 4g.135gb, 7g.269gb
    "b300, MIG 1g.34gb, 1", "b300, MIG 3g.135gb, 3", "b300, 7g.269gb, 7", "gb300, MIG 2g.70gb, 2",
  })
  void blackwellUltraMigProfilesCountBySevenSlicesFlagged(String model, String profile, int slices) {
    // the Blackwell Ultra datasheet: "Multi-Instance GPU (MIG) 7"; no SM table is published for these profiles
    MigProfiles.Share s = MigProfiles.load().share(model, profile);
    Assertions.assertEquals(slices / 7.0, s.compute(), 1e-12);
    Assertions.assertTrue(s.bySlices());
  }
}
