package org.computeledger.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import org.junit.jupiter.api.Assertions;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Catalog rows derived from primary factors (SM count x FLOP per clock per SM x clock, or a datasheet
 * figure x an architecture's throughput ratio) rather than read from a datasheet that prints them. Every
 * expected figure here is computed from the cited factors typed by hand, never read from the catalog.
 */
class DerivedPeaksTest extends SparkTestBase {
  private static final double REL = 1e-9;
  private static final PeakCatalog CATALOG = PeakCatalog.load();

  // GH200's Hopper GPU as a device query on an "NVIDIA GH200 480GB" reports it: 132 SMs at 1980 MHz
  private static final int GH200_SMS = 132;
  private static final double GH200_MAX_CLOCK_HZ = 1980e6;
  // NVIDIA quotes the GH100's dense tensor figures at 1830 MHz (H100 SXM5: 989.4 TFLOPS = 132 x 4096 x 1.83 GHz)
  private static final double HOPPER_TENSOR_CLOCK_HZ = 1830e6;
  // A10G as CUDA reports it: 80 SMs, compute capability 8.6 (GA102); 1710 MHz maximum SM clock
  private static final int A10G_SMS = 80;
  private static final double A10G_MAX_CLOCK_HZ = 1710e6;
  // GA102 SM: 128 FP32 FMA lanes (256 FLOP per clock), 2 FP64 units (4 FLOP per clock, 1/64 of FP32)
  private static final int GA102_FP32_FLOP_PER_CLK = 256;
  private static final int GA102_FP64_FLOP_PER_CLK = 4;

  private Dataset<Row> allocation(String model, String precision, double heldSeconds) {
    StructType s = new StructType().add(Flop.MODEL_ID, DataTypes.StringType).add(Flop.PRECISION, DataTypes.StringType)
        .add("held_s", DataTypes.DoubleType);
    return spark().createDataFrame(List.of(RowFactory.create(model, precision, heldSeconds)), s);
  }

  /** One ledger row of telemetry sums: every activity sum 0 unless given. */
  private Dataset<Row> telemetry(String model, String precision, Map<String, Double> sums) {
    return FlopTest.ledgerRow(spark(), model, precision, sums);
  }

  private static void near(double expected, double actual) {
    assertEquals(expected, actual, Math.abs(expected) * REL, "expected " + expected + ", was " + actual);
  }

  /** Within the rounding of a catalog figure to its printed digits. */
  private static void close(double expected, double actual, double relative) {
    Assertions.assertTrue(Math.abs(actual - expected) <= relative * Math.abs(expected),
        "expected " + expected + " within " + relative + " (relative), was " + actual);
  }

  @Test
  void gh200Bf16AllocationIsSmsTimesTheHopperTensorRateTimesItsQuotedClock() {
    Flop flop = new Flop(CATALOG, EstimateParams.defaults());
    Row r = flop.allocationFlop(allocation("gh200", "bf16", 100.0), "held_s", 0.4).first();
    double peak = GH200_SMS * 4096.0 * HOPPER_TENSOR_CLOCK_HZ; // 989.4 TFLOPS dense
    close(peak * 100 * 0.4, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-4);
  }

  @Test
  void gh200Fp32AllocationIsSmsTimesTheHopperVectorRateTimesTheDevicesMaxClock() {
    Flop flop = new Flop(CATALOG, EstimateParams.defaults());
    Row r = flop.allocationFlop(allocation("gh200", "fp32", 100.0), "held_s", 0.4).first();
    double peak = GH200_SMS * 256.0 * GH200_MAX_CLOCK_HZ; // 66.9 TFLOPS, the OpenCL query's own 66.908
    close(peak * 100 * 0.4, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-3);
  }

  @ParameterizedTest(name = "gh200 {0} = h100-sxm {0}")
  @CsvSource({"fp64", "fp64_tensor", "fp32", "fp16_nontensor", "tf32", "bf16", "fp16", "fp8", "int8"})
  void gh200HasEveryPrecisionTheH100SxmHasAtTheSameFigureAndClock(String precision) {
    // the same GH100 with the same 132 SMs and 1980 MHz maximum clock as the H100 SXM5
    PeakCatalog.Peak gh200 = CATALOG.peak("gh200", precision).orElseThrow();
    PeakCatalog.Peak h100 = CATALOG.peak("h100-sxm", precision).orElseThrow();
    assertEquals(h100.flopsPerSecond(), gh200.flopsPerSecond(), 0.0);
    assertEquals(h100.boostClockMhz(), gh200.boostClockMhz(), 0.0);
  }

  @Test
  void gh200RatedClockIsTheMaxClockItsDeviceQueryReports() {
    assertEquals(GH200_MAX_CLOCK_HZ / 1e6, CATALOG.boostClockMhz("gh200").orElseThrow(), 0.0);
  }

  @ParameterizedTest(name = "{0} pipe")
  @CsvSource({
    "fp32, " + GA102_FP32_FLOP_PER_CLK, // 35.02 TFLOPS
    "fp64, " + GA102_FP64_FLOP_PER_CLK, // 0.547 TFLOPS
  })
  void a10gPipeUsesSmsTimesTheGa102RateOfThatPipeTimesItsMaxClock(String pipe, int flopPerClk) {
    Flop flop = new Flop(CATALOG, EstimateParams.defaults());
    Row r = flop.telemetryFlop(telemetry("a10g", "fp32", Map.of(Activity.COVERED_S, 60.0,
        Activity.PIPE_COVERED_S, 60.0, Activity.pipeNoClk(pipe), 30.0))).first();
    double peak = A10G_SMS * flopPerClk * A10G_MAX_CLOCK_HZ;
    close(peak * 30.0, r.<Double>getAs(Flop.FLOP_PIPE), 1e-3);
    assertEquals(0, r.<Integer>getAs(MethodReasons.COLUMN));
  }

  @Test
  void a10gFp32AllocationUsesTheDerivedPeakNotTheA10s() {
    Flop flop = new Flop(CATALOG, EstimateParams.defaults());
    Row r = flop.allocationFlop(allocation("a10g", "fp32", 100.0), "held_s", 0.4).first();
    double peak = A10G_SMS * GA102_FP32_FLOP_PER_CLK * A10G_MAX_CLOCK_HZ;
    close(peak * 100 * 0.4, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-3);
    assertNotEquals(31.2e12 * 100 * 0.4, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e9);
  }

  @Test
  void a10gTensorPrecisionsStayUnpricedRatherThanTakingTheA10sTensorRate() {
    // AWS's A10G is not the A10: its tensor rate per SM is published nowhere primary, so bf16 has no figure
    Assertions.assertTrue(CATALOG.resolve("a10g", "bf16").isEmpty());
    Assertions.assertTrue(CATALOG.resolve("a10g", "fp16").isEmpty());
  }

  @Test
  void fp64PipeOnL40sUsesTheFp64PeakAndDropsNoMethod() {
    Flop flop = new Flop(CATALOG, EstimateParams.defaults());
    Row r = flop.telemetryFlop(telemetry("l40s", "bf16", Map.of(Activity.COVERED_S, 60.0,
        Activity.PIPE_COVERED_S, 60.0, Activity.pipeNoClk("fp64"), 30.0, Activity.PIPE_UTIL_COVERED_S, 60.0,
        Activity.PIPE_UTIL_S, 45.0))).first();
    double datasheetFp32 = 91.6e12; // NVIDIA L40S datasheet, FP32 91.6 TFLOPS
    close(datasheetFp32 / 64 * 30.0, r.<Double>getAs(Flop.FLOP_PIPE), 1e-3);
    assertEquals(0, r.<Integer>getAs(MethodReasons.COLUMN) & MethodReasons.bit(MethodReasons.PIPE_NO_FP64));
  }

  @ParameterizedTest(name = "{0} fp64 = {1} x 1/{2}")
  @CsvSource({
    "t4, 8.1, 32", // T4 datasheet FP32; Turing: 2 FP64 units per SM, 1/32 of FP32
    "a10, 31.2, 64", // GA102: 2 FP64 units per SM, 1/64 of FP32
    "a40, 37.4, 64",
    "rtx-a6000, 38.7, 64",
    "l4, 30.3, 64", // Ada: 2 FP64 cores per SM, 1/64 of FP32
    "l40, 90.5, 64",
    "l40s, 91.6, 64",
    "rtx-6000-ada, 91.1, 64",
  })
  void fp64IsTheDatasheetFp32TimesTheArchitecturesFp64Ratio(String model, double datasheetFp32, int ratio) {
    PeakCatalog.Peak fp64 = CATALOG.peak(model, "fp64").orElseThrow();
    close(datasheetFp32 / ratio * 1e12, fp64.flopsPerSecond(), 2e-3);
    assertEquals(CATALOG.peak(model, "fp32").orElseThrow().boostClockMhz(), fp64.boostClockMhz(), 0.0);
  }

  @Test
  void everyDerivedRowNamesItsFactorsInItsSource() {
    List<String> silent = new ArrayList<>();
    for (PeakCatalog.Peak p : CATALOG.rows()) {
      boolean derivedHere = p.model().equals("gh200") || p.model().equals("a10g")
          || p.precision().equals("fp64") && List.of("t4", "a10", "a40", "rtx-a6000", "l4", "l40", "l40s", "rtx-6000-ada")
              .contains(p.model());
      if (derivedHere && !p.source().startsWith("Derived:")) {
        silent.add(p.model() + " " + p.precision());
      }
    }
    assertEquals(List.of(), silent);
  }

  @Test
  void rtx6000AdaFp8AllocationIsHalfItsDatasheetSparsityFigure() {
    Flop flop = new Flop(CATALOG, EstimateParams.defaults());
    Row r = flop.allocationFlop(allocation("rtx-6000-ada", "fp8", 100.0), "held_s", 0.4).first();
    double datasheetWithSparsity = 1457.0e12; // "Tensor performance 1457.0 TFLOPS", effective FP8 with sparsity
    close(datasheetWithSparsity / 2 * 100 * 0.4, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-9);
    // the same figure from the factors: 142 SMs x the Ada FP8 rate of 2048 per clock x 2.505 GHz
    close(142 * 2048 * 2.505e9 * 100 * 0.4, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-3);
  }

  @Test
  void rtx6000AdaPrintsNoBf16FigureSoBf16StaysUnpriced() {
    Assertions.assertTrue(CATALOG.resolve("rtx-6000-ada", "bf16").isEmpty());
  }

  @Test
  void tpu7xAllocationUsesGooglesPerChipBf16FigureAndTheAcceleratorAssumption() {
    Flop flop = new Flop(CATALOG, EstimateParams.defaults()).withAcceleratorUtilization(0.5, 0.3, 0.6);
    Row r = flop.allocationFlop(allocation("tpu-v7", "bf16", 100.0), "held_s", 0.4).first();
    double perChip = 2307e12; // Google Cloud TPU7x page: "Peak compute per chip (BF16) (TFLOPs) 2307"
    close(perChip * 100 * 0.5, r.<Double>getAs(Flop.FLOP_ALLOCATION), 1e-9);
  }

  @Test
  void tpu7xStatesNoClockSoItIsNeverClockScaled() {
    Assertions.assertTrue(CATALOG.boostClockMhz("tpu-v7").isEmpty());
    close(4614e12, CATALOG.peak("tpu-v7", "fp8").orElseThrow().flopsPerSecond(), 1e-9);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "NVIDIA A10G|a10g", // nvidia-smi and DCGM modelName
        "NVIDIA-A10G|a10g", // Kubernetes nvidia.com/gpu.product label
        "g5.xlarge|a10g", // AWS instance types: every g5 size carries A10G GPUs
        "g5.48xlarge|a10g",
        "NVIDIA GH200 480GB|gh200",
        "NVIDIA-GH200-480GB|gh200",
        "GH200_480GB|gh200", // CoreWeave's gpu.nvidia.com/model label
        "gpu_1x_gh200|gh200", // Lambda instance type
        "NVIDIA RTX 6000 Ada Generation|rtx-6000-ada",
        "tpu7x|tpu-v7", // GKE TPU accelerator label value
        "tpu7x-8|tpu-v7", // TPU accelerator type
        "TPU7x|tpu-v7",
        "NVIDIA-RTX-6000-Ada-Generation|rtx-6000-ada",
      })
  void derivedModelsAreMatchedByTheirExplicitNames(String raw, String id) {
    GpuModels.ModelMatch m = GpuModels.match(raw);
    assertEquals(id, m.id(), raw);
    Assertions.assertTrue(m.exact(), raw);
  }

  @Test
  void anA10gIsNeverTakenForAnA10() {
    assertEquals("a10g", GpuModels.normalize("NVIDIA A10G"));
    assertNotEquals("a10", GpuModels.normalize("NVIDIA A10G"));
  }

  @Test
  void aGh200MigProfileOutsideTheSmTableCountsByTheSevenSliceRuleFlagged() {
    // nvidia-smi mig -lgip on a GH200 lists 7/7 1g instances (NVIDIA/mig-parted pull request 139): a 7-slice GPU
    MigProfiles.Share s = MigProfiles.load().share("gh200", "MIG 3g.72gb");
    assertEquals(3 / 7.0, s.compute(), 1e-12);
    Assertions.assertTrue(s.bySlices());
  }

  @Test
  void aGh200MigProfileInTheSmTableCountsItsSms() {
    MigProfiles.Share s = MigProfiles.load().share("gh200", "MIG 1g.18gb");
    assertEquals(16 / 132.0, s.compute(), 1e-12);
    assertFalse(s.bySlices());
  }

  @Test
  void ironwoodAloneNamesAFamilyNotAChipAndStaysUnknown() {
    assertNull(GpuModels.match("ironwood"));
  }

  @Test
  void g5gInstancesCarryT4gNotA10gAndStayUnknown() {
    assertNull(GpuModels.match("g5g.xlarge"));
  }

  @Test
  void derivedModelsArePricedIdsNow() {
    for (String id : List.of("gh200", "a10g", "rtx-6000-ada", "tpu-v7")) {
      Assertions.assertTrue(GpuModels.IDS.contains(id), id);
      assertFalse(GpuModels.UNPRICED_IDS.contains(id), id);
    }
  }
}
