package org.computeledger.estimate;

import org.computeledger.RealSamples;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.computeledger.estimate.PeakCatalog.Peak;
import org.computeledger.estimate.PeakCatalog.Resolution;
import org.computeledger.ingest.CollectingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The shipped catalog against datasheet figures typed by hand, its fallbacks, clocks and validation. */
class PeakCatalogTest {
  private static final double TERA = 1e12;
  private static final PeakCatalog CATALOG = PeakCatalog.load();
  private static final String HEADER = "gpu_model,precision,dense_tflops,boost_clock_mhz,source,source_date,notes\n";

  @Test
  void shippedCatalogLoadsWithADatedVersion() {
    assertTrue(CATALOG.version().matches("\\d{4}-\\d{2}-\\d{2}\\.\\d+"), CATALOG.version());
    assertFalse(CATALOG.rows().isEmpty());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "v100-sxm2-32gb", "v100-pcie", "a100-sxm4-40gb", "a100-sxm4-80gb", "a100-pcie-40gb", "a100-pcie-80gb",
        "h100-sxm", "h100-pcie", "h200-sxm", "b200", "gb200", "l4", "l40s", "t4", "a10", "mi300x"
      })
  void everyRequiredModelHasABf16AndAnFp32Peak(String model) {
    assertTrue(CATALOG.peakFlops(model, "bf16").isPresent(), model + " bf16");
    assertTrue(CATALOG.peakFlops(model, "fp32").isPresent(), model + " fp32");
  }

  // Spot checks typed from the datasheets: the with-sparsity figure and its halving, never the CSV value.

  @Test
  void h100SxmBf16IsHalfTheDatasheetWithSparsityFigure() {
    double datasheetWithSparsity = 1979; // TFLOPS, "BFLOAT16 Tensor Core 1,979 teraFLOPS*"
    assertClose(datasheetWithSparsity / 2 * TERA, flops("h100-sxm", "bf16"), 1e-3);
  }

  @Test
  void a100Bf16IsHalfTheDatasheetWithSparsityFigure() {
    double datasheetWithSparsity = 624; // "BFLOAT16 Tensor Core 312 TFLOPS | 624 TFLOPS*"
    assertClose(datasheetWithSparsity / 2 * TERA, flops("a100-sxm4-80gb", "bf16"), 1e-9);
  }

  @Test
  void t4Fp16IsThePrintedFigureBecauseTuringHasNoSparsity() {
    double datasheet = 65; // "Mixed Precision (FP16/FP32) 65 TFLOPS"
    assertClose(datasheet * TERA, flops("t4", "fp16"), 1e-9);
  }

  @Test
  void v100Sxm2TensorIsThePrintedFigureBecauseVoltaHasNoSparsity() {
    double datasheet = 125; // "Tensor Performance 125 TFLOPS"
    assertClose(datasheet * TERA, flops("v100-sxm2-32gb", "fp16"), 1e-9);
  }

  @Test
  void l40sFp8IsHalfTheDatasheetWithSparsityFigure() {
    double datasheetWithSparsity = 1466; // "FP8 Tensor Core 1,466 TFLOPS*"
    assertClose(datasheetWithSparsity / 2 * TERA, flops("l40s", "fp8"), 1e-9);
  }

  @Test
  void b200Bf16IsHalfThePerGpuWithSparsityFigure() {
    double tableWithSparsity = 4.5e3; // HGX B200 column: "FP16/BF16 Tensor Core 4.5 PFLOPS"
    assertClose(tableWithSparsity / 2 * TERA, flops("b200", "bf16"), 1e-9);
  }

  @Test
  void gb200Bf16IsPerGpuAndHalfTheWithSparsityFigure() {
    double tableWithSparsity = 5e3; // GB200 NVL72 column, per GPU: "FP16/BF16 Tensor Core 5 PFLOPS"
    assertClose(tableWithSparsity / 2 * TERA, flops("gb200", "bf16"), 1e-9);
  }

  @Test
  void mi300xBf16IsAmdsDenseFigure() {
    double amdDense = 1307.4; // AMD prints dense and sparse apart: 1307.4 dense, 2614.9 with sparsity
    assertClose(amdDense * TERA, flops("mi300x", "bf16"), 1e-9);
  }

  @Test
  void mi250xFiguresArePerGcdBecauseSoftwareCountsEachGcdAsAGpu() {
    double packageFp64 = 47.9; // "Peak Double Precision (FP64) Vector 47.9 TFLOPs" for the two-GCD OAM
    assertClose(packageFp64 / 2 * TERA, flops("mi250x", "fp64"), 1e-9);
  }

  @Test
  void mi250FiguresArePerGcdHalvesOfRocmsOamTable() {
    // ROCm "AMD Instinct MI250 microarchitecture": Matrix BF16 362.1, Vector FP64 45.3 TFLOPS for the two-GCD OAM
    assertClose(181.05 * TERA, flops("mi250", "bf16"), 1e-9);
    assertClose(22.65 * TERA, flops("mi250", "fp64"), 1e-9);
  }

  @Test
  void tf32OnAGpuWithTf32TensorCoresButNoCitedFigureHasNoPeakInsteadOfTheFp32Rate() {
    // A10G (GA102) and RTX 6000 Ada (AD102) have TF32 tensor cores; their fp32 vector rate is not their TF32 rate
    assertTrue(CATALOG.peak("a10g", "fp32").isPresent());
    assertTrue(CATALOG.resolve("a10g", "tf32").isEmpty());
    assertTrue(CATALOG.resolve("rtx-6000-ada", "tf32").isEmpty());
  }

  @Test
  void theModesWithoutAFigureAreCatalogRowsWithTheirSource() {
    List<String> declared = new ArrayList<>();
    for (PeakCatalog.ModeWithoutFigure m : CATALOG.modesWithoutFigure()) {
      declared.add(m.model() + "," + m.precision());
      assertFalse(m.source().isEmpty(), m.toString());
    }
    assertEquals(List.of("a10g,tf32", "rtx-6000-ada,tf32", "gaudi2,fp8", "h800,fp64_tensor", "h800,tf32"), declared);
    assertTrue(CATALOG.rows().stream().noneMatch(p -> p.model().equals("a10g") && p.precision().equals("tf32")),
        "a mode without a figure is not a peak row");
  }

  @Test
  void aModeWithoutAFigureStopsAFallbackChainThatReachesIt() {
    String csv = HEADER
        + "x1,fp32,10,1500,test datasheet,2026-01,\n"
        + "x1,fp16_nontensor,20,1500,test datasheet,2026-01,\n"
        + "x1,fp16,,,test whitepaper: the GPU has fp16 tensor cores,2026-01,\n";
    PeakCatalog c = PeakCatalog.parse(csv, "2026-11-23.1");
    assertTrue(c.resolve("x1", "fp16").isEmpty(), "not the fp16 vector rate");
    assertTrue(c.resolve("x1", "bf16").isEmpty(), "bf16 falls back to fp16, which has no figure");
    assertEquals(10e12, c.peakFlops("x1", "tf32").orElseThrow(), 1, "an undeclared mode still falls back");
  }

  @Test
  void aRowWithoutAFigureForAModeWithNoFallbackIsRejected() {
    String message = rejected(HEADER + "t4,int8,,,NVIDIA T4 datasheet,2019-03,\n").getMessage();
    assertEquals("gpu_peaks.csv line 2: field dense_tflops: expected a positive number (empty, for a mode the GPU has"
        + " without a cited figure, only for bf16, fp16, fp64_tensor, fp8, tf32), ''", message);
  }

  @Test
  void aModeWithoutAFigureNeedsTheSourceShowingTheGpuHasIt() {
    String message = rejected(HEADER + "t4,tf32,,,,2019-03,\n").getMessage();
    assertEquals("gpu_peaks.csv line 2: field source: expected the document showing the GPU has this mode, ''",
        message);
  }

  @Test
  void tf32OnAGpuWithoutTf32TensorCoresStillRunsAtItsFp32Rate() {
    PeakCatalog.Resolution r = CATALOG.resolve("v100-sxm2-32gb", "tf32").orElseThrow();
    assertTrue(r.isFallback());
    assertEquals("fp32", r.peak().precision());
  }

  @Test
  void mi250xTf32IsTheMatrixFp32RateNotTheVectorRate() {
    // CDNA2 has no TF32: fp32 matmuls run on the matrix cores, 95.7 TFLOPS per OAM (twice its vector 47.9)
    PeakCatalog.Resolution r = CATALOG.resolve("mi250x", "tf32").orElseThrow();
    assertFalse(r.isFallback());
    assertClose(95.7 / 2 * TERA, r.peak().flopsPerSecond(), 1e-9);
  }

  @Test
  void mi300aBf16Is228CusAtTheCdna3MatrixRateAndTwoPointOneGhz() {
    // ROCm: MI300A has 228 CUs; CDNA3 Matrix BF16 2048 FLOPS/clock/CU; 2.1 GHz
    assertClose(228 * 2048 * 2.1e9, flops("mi300a", "bf16"), 1e-3);
    assertClose(228 * 128 * 2.1e9, flops("mi300a", "fp64"), 1e-3);
  }

  @Test
  void mi325xHasTheMi300xDenseFigures() {
    assertClose(1307.4 * TERA, flops("mi325x", "bf16"), 1e-9);
    assertClose(2614.9 * TERA, flops("mi325x", "fp8"), 1e-9);
  }

  @Test
  void mi355xBf16IsTheDatasheetDenseFigureNotTheSparseOne() {
    double dense = 2516.6; // datasheet: 2.5166 PFLOPS dense, 5.0332 with structured sparsity
    assertClose(dense * TERA, flops("mi355x", "bf16"), 1e-9);
    assertClose(256 * 4096 * 2.4e9, flops("mi355x", "bf16"), 1e-4);
  }

  @Test
  void cdna4HasNoTf32PathSoTf32WorkRunsAtTheFp32RateAndSaysSo() {
    PeakCatalog.Resolution r = CATALOG.resolve("mi350x", "tf32").orElseThrow();
    assertTrue(r.isFallback());
    assertClose(144.2 * TERA, r.peak().flopsPerSecond(), 1e-9);
  }

  @Test
  void mi210IsOneCdna2GcdAtAmdsPrintedFigures() {
    assertClose(181 * TERA, flops("mi210", "bf16"), 1e-9); // "Peak bfloat16 181 TFLOPs"
    assertClose(22.6 * TERA, flops("mi210", "fp64"), 1e-9); // "Peak Double Precision (FP64) 22.6 TFLOPs"
  }

  @Test
  void rtxA6000Tf32AndInt8AreItsFp32TimesTheGa102RatiosOfTheA40() {
    // A40 datasheet: FP32 37.4, TF32 74.8 dense, INT8 299.3 dense; RTX A6000 datasheet: FP32 38.7
    assertClose(38.7 * 74.8 / 37.4 * TERA, flops("rtx-a6000", "tf32"), 1e-3);
    assertClose(38.7 * 299.3 / 37.4 * TERA, flops("rtx-a6000", "int8"), 1e-3);
  }

  @Test
  void h100SxmFp32IsTheVectorFigure() {
    double whitepaper = 66.9; // 132 SMs x 128 FP32 lanes x 2 FLOP x 1.98 GHz
    assertClose(whitepaper * TERA, flops("h100-sxm", "fp32"), 1e-9);
  }

  @ParameterizedTest(name = "{0} {1}: {2}* with sparsity")
  @CsvSource({
    "h100-sxm, tf32, 989", "h100-sxm, bf16, 1979", "h100-sxm, fp16, 1979", "h100-sxm, fp8, 3958",
    "h100-sxm, int8, 3958",
    "h100-pcie, tf32, 756", "h100-pcie, bf16, 1513", "h100-pcie, fp8, 3026",
    "h100-nvl, bf16, 1671", "h100-nvl, fp8, 3341",
    "h200-sxm, bf16, 1979", "h200-sxm, fp8, 3958", "h200-nvl, bf16, 1671",
    "a100-sxm4-40gb, tf32, 312", "a100-sxm4-40gb, bf16, 624", "a100-sxm4-40gb, int8, 1248",
    "a100-sxm4-80gb, bf16, 624", "a100-pcie-40gb, bf16, 624", "a100-pcie-80gb, fp16, 624",
    "a30, bf16, 330", "a30, tf32, 165",
    "a10, tf32, 125", "a10, bf16, 250",
    "a40, bf16, 299.4", "a40, tf32, 149.6",
    "rtx-a6000, fp16, 309.7",
    "l4, tf32, 120", "l4, bf16, 242", "l4, fp8, 485",
    "l40s, tf32, 366", "l40s, bf16, 733", "l40s, fp8, 1466",
    "l40, bf16, 362.1", "l40, fp8, 724",
    "b200, tf32, 2200", "b200, bf16, 4500", "b200, fp8, 9000",
    "gb200, tf32, 2500", "gb200, bf16, 5000", "gb200, fp8, 10000",
    "mi300x, tf32, 1307.4", "mi300x, bf16, 2614.9", "mi300x, fp8, 5229.8",
  })
  void tensorFigureIsHalfItsWithSparsityFigureNeverEqualToIt(String model, String precision, double sparseTflops) {
    Peak row = CATALOG.peak(model, precision).orElseThrow();
    assertClose(sparseTflops / 2 * TERA, row.flopsPerSecond(), 5e-3);
  }

  @ParameterizedTest(name = "{0} {1}: {2}")
  @CsvSource({
    "tpu-v5e,bf16,197", "tpu-v5e,int8,393", "tpu-v6e,bf16,918", "tpu-v4,bf16,275", "tpu-v5p,bf16,459",
    "trainium1,bf16,190", "trainium2,bf16,667", "trainium2,fp8,1299", "inferentia2,bf16,190"
  })
  void acceleratorFiguresAreTheVendorsDensePerChipFigures(String model, String precision, double tflops) {
    assertEquals(tflops * 1e12, CATALOG.peak(model, precision).orElseThrow().flopsPerSecond(), 1e6);
  }

  @Test
  void aFigureWithoutAStatedClockIsNeverClockScaled() {
    assertEquals(0.0, CATALOG.peak("tpu-v5e", "bf16").orElseThrow().boostClockMhz());
    assertTrue(CATALOG.boostClockMhz("tpu-v5e").isEmpty());
  }

  @Test
  void everyNvidiaTensorRowFromAmpereOnSaysWhichSparsityFigureItHalved() {
    Set<String> tensor = Set.of("tf32", "bf16", "fp16", "fp8", "int8");
    Set<String> beforeSparsity = Set.of("p100-sxm2", "p100-pcie", "v100-sxm2-32gb", "v100-sxm2-16gb", "v100-pcie",
        "v100s-pcie", "t4", "mi300x", "mi250x");
    List<String> silent = new ArrayList<>();
    for (Peak p : CATALOG.rows()) {
      // TPU, Trainium and Inferentia documents print dense figures (sparse ones, where given, apart)
      if (tensor.contains(p.precision()) && !beforeSparsity.contains(p.model()) && p.source().startsWith("NVIDIA")
          && !p.notes().contains("with sparsity")) {
        silent.add(p.model() + " " + p.precision());
      }
    }
    assertEquals(List.of(), silent);
  }

  @Test
  void directRowIsNotAFallback() {
    Resolution r = CATALOG.resolve("h100-sxm", "bf16").orElseThrow();
    assertFalse(r.isFallback());
    assertEquals("bf16", r.peak().precision());
  }

  @Test
  void v100Bf16UsesItsFp16TensorRateAndSaysSo() {
    Resolution r = CATALOG.resolve("v100-sxm2-32gb", "bf16").orElseThrow();
    assertTrue(r.isFallback());
    assertEquals("fp16", r.peak().precision());
    assertTrue(r.fallbackNote().contains("bf16 -> fp16"), r.fallbackNote());
    assertClose(125 * TERA, r.peak().flopsPerSecond(), 1e-9);
  }

  @Test
  void a100Fp8UsesBf16BecauseAmpereHasNoFp8() {
    Resolution r = CATALOG.resolve("a100-sxm4-40gb", "fp8").orElseThrow();
    assertEquals("bf16", r.peak().precision());
    assertTrue(r.fallbackNote().contains("no fp8"), r.fallbackNote());
  }

  @Test
  void v100Fp8ChainsThroughBf16ToFp16() {
    Resolution r = CATALOG.resolve("v100-pcie", "fp8").orElseThrow();
    assertEquals("fp16", r.peak().precision());
    assertTrue(r.fallbackNote().contains("fp8 -> bf16") && r.fallbackNote().contains("bf16 -> fp16"),
        r.fallbackNote());
  }

  @Test
  void t4Tf32RunsAtItsFp32Rate() {
    double datasheetFp32 = 8.1; // "Single-Precision 8.1 TFLOPS"
    assertClose(datasheetFp32 * TERA, flops("t4", "tf32"), 1e-9);
  }

  @Test
  void p100Fp16WithoutTensorCoresUsesTheVectorHalfPrecisionRate() {
    double datasheetHalf = 21.2; // "Half-Precision Performance 21.2 TeraFLOPS" (SXM2)
    assertClose(datasheetHalf * TERA, flops("p100-sxm2", "fp16"), 1e-9);
  }

  @Test
  void vectorFp16WithoutAFigureHasNoFallbackToAnotherPrecision() {
    // the FP32 rate would be a different precision's peak: a missing figure is a reason, not a guess
    assertTrue(CATALOG.resolve("l4", "fp16_nontensor").isEmpty());
  }

  @Test
  void int8HasNoFallback() {
    assertTrue(CATALOG.peakFlops("p100-pcie", "int8").isEmpty());
  }

  @Test
  void unknownModelHasNoPeakAndNoClock() {
    assertTrue(CATALOG.peakFlops("h20", "bf16").isEmpty());
    assertTrue(CATALOG.boostClockMhz("h20").isEmpty());
  }

  @Test
  void unknownPrecisionIsACallersBug() {
    assertThrows(IllegalArgumentException.class, () -> CATALOG.peakFlops("h100-sxm", "fp4"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "h100-sxm, nvidia-smi/linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01.load.query-gpu.csv",
    "l40s, nvidia-smi/linux-x86_64__nvidia-l40s__595.80.load.query-gpu.csv",
  })
  void modelBoostClockIsTheMaxSmClockARealGpuReports(String model, String capture) throws IOException {
    String[] lines = Files.readString(RealSamples.file(capture), StandardCharsets.UTF_8).split("\n");
    List<String> header = Arrays.asList(lines[0].split(",\\s*"));
    String maxSm = lines[1].split(",\\s*")[header.indexOf("clocks.max.sm [MHz]")];
    double reported = Double.parseDouble(maxSm.replace("MHz", "").trim());
    assertEquals(reported, CATALOG.boostClockMhz(model).orElseThrow(), 1e-9);
  }

  @Test
  void h100SxmTensorFiguresAreQuotedAtALowerClockThanItsVectorFigures() {
    // 132 SMs x 4 tensor cores x 512 dense fp16 FMA x 2 FLOP = 540,672 FLOP per clock: 989.4 TFLOPS needs 1.83 GHz
    double tensorClockMhz = 989.4e12 / (132 * 4 * 512 * 2) / 1e6;
    // 132 SMs x 128 FP32 lanes x 2 FLOP = 33,792 FLOP per clock: 66.9 TFLOPS needs 1.98 GHz
    double vectorClockMhz = 66.9e12 / (132 * 128 * 2) / 1e6;
    assertEquals(tensorClockMhz, CATALOG.boostClockMhz("h100-sxm", "bf16").orElseThrow(), 1.0);
    assertEquals(vectorClockMhz, CATALOG.boostClockMhz("h100-sxm", "fp32").orElseThrow(), 1.0);
  }

  @Test
  void b200VectorFiguresAreQuotedAtTheMaxSmClockB200sReport() {
    // driver-recorded maximum SM clock of a DGX B200 (cuTile Rust paper artifact): 1965 MHz; 148 SMs (device query)
    assertEquals(1965, CATALOG.boostClockMhz("b200").orElseThrow(), 1e-9);
    assertEquals(1965, CATALOG.boostClockMhz("b200", "fp32").orElseThrow(), 1e-9);
    // 148 SMs x 128 FP32 lanes x 2 FLOP x 1.965 GHz = 74.45 TFLOPS: the catalog's (printed) 75 is that, rounded
    assertClose(148 * 128 * 2 * 1965e6, flops("b200", "fp32"), 0.01);
    // 148 SMs x 8192 dense tensor FLOP per clock: 2,250 TFLOPS bf16 needs 1.856 GHz, below the vector clock
    assertEquals(2250e12 / (148 * 8192) / 1e6, CATALOG.boostClockMhz("b200", "bf16").orElseThrow(), 1.0);
  }

  @Test
  void fallbackRowBringsItsOwnClock() {
    assertEquals(1530, CATALOG.boostClockMhz("v100-sxm2-32gb", "bf16").orElseThrow(), 1e-9);
  }

  @Test
  void catalogSurvivesJavaSerialization() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(CATALOG);
    }
    PeakCatalog copy;
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      copy = (PeakCatalog) in.readObject();
    }
    assertEquals(CATALOG.version(), copy.version());
    assertEquals(CATALOG.rows(), copy.rows());
    assertEquals(flops("gb200", "fp8"), copy.peakFlops("gb200", "fp8").orElseThrow(), 0.0);
  }

  // Validation: each bad catalog is the header plus one or two rows with one field wrong.

  @Test
  void duplicatePairIsRejectedNamingBothLines() {
    String csv = HEADER
        + "t4,fp32,8.1,1590,NVIDIA T4 datasheet,2019-03,\n"
        + "t4,fp32,8.2,1590,NVIDIA T4 datasheet,2019-03,\n";
    String message = rejected(csv).getMessage();
    assertTrue(message.contains("line 3") && message.contains("already on line 2"), message);
  }

  @Test
  void nonPositiveFigureIsRejected() {
    String message = rejected(HEADER + "t4,fp32,-8.1,1590,NVIDIA T4 datasheet,2019-03,\n").getMessage();
    assertTrue(message.contains("dense_tflops") && message.contains("-8.1"), message);
  }

  @Test
  void zeroClockIsRejected() {
    String message = rejected(HEADER + "t4,fp32,8.1,0,NVIDIA T4 datasheet,2019-03,\n").getMessage();
    assertTrue(message.contains("boost_clock_mhz"), message);
  }

  @Test
  void rowWithoutSourceIsRejected() {
    String message = rejected(HEADER + "t4,fp32,8.1,1590,,2019-03,\n").getMessage();
    assertTrue(message.contains("field source"), message);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "2019-13", "March 2019"})
  void rowWithoutAValidDateIsRejected(String date) {
    String message = rejected(HEADER + "t4,fp32,8.1,1590,NVIDIA T4 datasheet," + date + ",\n").getMessage();
    assertTrue(message.contains("source_date"), message);
  }

  @Test
  void unknownPrecisionInTheCatalogIsRejected() {
    String message = rejected(HEADER + "b200,fp4,9000,1856,HGX B200 table,2025-03,\n").getMessage();
    assertTrue(message.contains("precision") && message.contains("fp4"), message);
  }

  @Test
  void catalogWithAnotherHeaderIsRejected() {
    String csv = "model,precision,tflops,clock,source,date,notes\nt4,fp32,8.1,1590,NVIDIA T4 datasheet,2019-03,\n";
    assertTrue(rejected(csv).getMessage().contains("header"));
  }

  @Test
  void undatedVersionIsRejected() {
    String csv = HEADER + "t4,fp32,8.1,1590,NVIDIA T4 datasheet,2019-03,\n";
    assertThrows(IllegalStateException.class, () -> PeakCatalog.parse(new StringReader(csv), "latest"));
  }

  private static IllegalStateException rejected(String csv) {
    return assertThrows(IllegalStateException.class, () -> PeakCatalog.parse(new StringReader(csv), "2026-11-23.1"));
  }

  private static double flops(String model, String precision) {
    return CATALOG.peakFlops(model, precision).orElseThrow();
  }

  private static void assertClose(double expected, double actual, double relative) {
    assertTrue(Math.abs(actual - expected) <= relative * Math.abs(expected),
        "expected " + expected + " within " + relative + " (relative), was " + actual);
  }
}
