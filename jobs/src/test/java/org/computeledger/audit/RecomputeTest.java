package org.computeledger.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.computeledger.estimate.MigProfiles;
import org.computeledger.estimate.PeakCatalog;
import org.junit.jupiter.api.Test;

/**
 * The audit's plain-Java GPU-hour follows issue 16's rules, on one GPU with two samples 10 s apart that
 * no job holds; expected FLOP from the shipped catalog's figures by hand (H100 SXM bf16 989.4 TFLOP/s at
 * 1830 MHz; L40S bf16 366.5 TFLOP/s, no FP64 row).
 */
class RecomputeTest {
  private static final long S = 1_000_000L;

  private static Map<String, List<Recompute.Sample>> gpu(String model, Double util, Double tensor, Double fp64,
      Double clock) {
    List<Recompute.Sample> l = new java.util.ArrayList<>();
    for (long t : new long[] {10 * S, 20 * S}) {
      Recompute.Sample s = new Recompute.Sample();
      s.host = "node1";
      s.uuid = "GPU-1";
      s.model = model;
      s.index = 0;
      s.tsUs = t;
      s.util = util;
      s.pipe[0] = tensor;
      s.pipe[1] = fp64;
      s.clockMhz = clock;
      l.add(s);
    }
    return Map.of(l.get(0).series(), l);
  }

  private static double flop(Map<String, List<Recompute.Sample>> samples, Map<String, double[]> calibration) {
    return flop(samples, calibration, PeakCatalog.load());
  }

  private static double flop(Map<String, List<Recompute.Sample>> samples, Map<String, double[]> calibration,
      PeakCatalog catalog) {
    Recompute.Method m = new Recompute.Method(3.0, 0.4, "bf16", 3600, calibration, MigProfiles.load());
    String series = samples.keySet().iterator().next();
    return Recompute.gpuHour(null, series, 0, 3600 * S, samples, List.of(), List.of(), j -> "bf16",
        catalog, m).flop();
  }

  /** The shipped catalog less its L40S FP64 row: a pipe with no figure of its own. */
  private static PeakCatalog withoutL40sFp64() {
    try (java.io.InputStream in = PeakCatalog.class.getResourceAsStream(PeakCatalog.CSV_RESOURCE)) {
      String csv = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      String kept = csv.lines().filter(l -> !l.startsWith("l40s,fp64,"))
          .collect(java.util.stream.Collectors.joining("\n", "", "\n"));
      assertEquals(csv.lines().count() - 1, kept.lines().count());
      return PeakCatalog.parse(kept, "2026-01-01.1");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void theReportsCalibrationFactorScalesPipeActivityFlop() {
    // 989.4e12 × 0.5 activity × 20 s = 9.894e15, × 0.5 calibration
    double got = flop(gpu("NVIDIA H100 80GB HBM3", null, 0.5, null, null),
        Map.of("h100-sxm|bf16", new double[] {0.5, Double.NaN}));
    assertEquals(4.947e15, got, 1e6);
  }

  @Test
  void aClockAboveTheBoostClockIsNotUsedAsAMultiplier() {
    double got = flop(gpu("NVIDIA H100 80GB HBM3", null, 0.5, null, 5000.0), Map.of());
    assertEquals(9.894e15, got, 1e6);
  }

  @Test
  void aClockWithinTheBoostClockScalesThePipe() {
    // 915 MHz is half of the bf16 figure's 1830 MHz
    double got = flop(gpu("NVIDIA H100 80GB HBM3", null, 0.5, null, 915.0), Map.of());
    assertEquals(4.947e15, got, 1e6);
  }

  @Test
  void anFp64PipeOnAnL40sUsesItsFp64Figure() {
    // the FP64 row: datasheet FP32 91.6 ÷ 64 = 1.431 TFLOPS; 0.2 pipe activity × 1.431e12 × 20 s
    double got = flop(gpu("NVIDIA L40S", 0.5, null, 0.2, null), Map.of());
    assertEquals(0.2 * 1.431e12 * 20, got, 1e3);
  }

  @Test
  void aPipeWithoutItsOwnFigureDropsToLoggedUtilizationNotFp32() {
    // with no FP64 row: the samples' 0.5 utilization × bf16's 366.5e12 × 20 s, not FP32's figure
    double got = flop(gpu("NVIDIA L40S", 0.5, null, 0.2, null), Map.of(), withoutL40sFp64());
    assertEquals(3.665e15, got, 1e6);
  }

  @Test
  void aPipeWithoutItsOwnFigureAndNoUtilizationIsUnpriced() {
    double got = flop(gpu("NVIDIA L40S", null, null, 0.2, null), Map.of(), withoutL40sFp64());
    assertEquals(0.0, got);
  }

  @Test
  void anA30MigInstanceTakesItsSlicesOverFour() {
    Map<String, List<Recompute.Sample>> one = gpu("NVIDIA A30", 0.5, null, null, null);
    List<Recompute.Sample> l = one.values().iterator().next();
    for (Recompute.Sample s : l) {
      s.mig = "1";
      s.migProfile = "1g.6gb";
    }
    Map<String, List<Recompute.Sample>> mig = Map.of(l.get(0).series(), l);
    double whole = flop(gpu("NVIDIA A30", 0.5, null, null, null), Map.of());
    assertEquals(1.65e15, whole, 1e6); // 165e12 × 0.5 × 20 s
    // the SM table has no A30 row: the slice rule, one of the A30's 4 compute slices (not 1/7)
    assertEquals(whole / 4, flop(mig, Map.of()), whole * 1e-12);
  }

  private static double withCounters(List<Recompute.Counter> counters) {
    Map<String, List<Recompute.Sample>> samples = gpu("NVIDIA H100 80GB HBM3", null, 0.5, null, null);
    Recompute.Method m = new Recompute.Method(3.0, 0.4, "bf16", 3600, Map.of(), MigProfiles.load());
    return Recompute.gpuHour(null, samples.keySet().iterator().next(), 0, 3600 * S, samples, List.of(), counters,
        j -> "bf16", PeakCatalog.load(), m).flop();
  }

  private static Recompute.Counter counter(long fromS, long toS, double flop, long line) {
    return new Recompute.Counter("node1", null, 0, fromS * S, toS * S, flop, "telemetry/flop-counter/c.csv", line);
  }

  @Test
  void counterRowsOverlappingOnOneGpuAreCountedOnce() {
    // [0 s, 30 s] 3e15 whole; [15 s, 45 s] 3e15 keeps [30 s, 45 s], half: 1.5e15. The samples at 10 s and 20 s
    // lie inside the counted time and add nothing. Without the rule: 6e15.
    double got = withCounters(List.of(counter(15, 45, 3e15, 2), counter(0, 30, 3e15, 1)));
    assertEquals(4.5e15, got, 1e3);
  }

  @Test
  void aCounterRowWhollyInsideAnEarlierOneAddsNothing() {
    double got = withCounters(List.of(counter(0, 60, 7e15, 1), counter(10, 20, 3e15, 2)));
    assertEquals(7e15, got, 1e3);
  }

  @Test
  void countersOfEqualIntervalsKeepTheEarlierFileLine() {
    // the same interval twice: the first by file and line counts, the other is wholly covered
    double got = withCounters(List.of(counter(0, 60, 5e15, 9), counter(0, 60, 4e15, 3)));
    assertEquals(4e15, got, 1e3);
  }

  private static double mi300(int devices) {
    Map<String, List<Recompute.Sample>> all = new java.util.TreeMap<>();
    for (int d = 0; d < devices; d++) {
      List<Recompute.Sample> l = new java.util.ArrayList<>();
      for (long t : new long[] {10 * S, 20 * S}) {
        Recompute.Sample s = new Recompute.Sample();
        s.host = "node1";
        s.uuid = "GPU-" + d;
        s.model = "AMD Instinct MI300X";
        s.index = d;
        s.tsUs = t;
        s.util = 0.5;
        l.add(s);
      }
      all.put(l.get(0).series(), l);
    }
    Recompute.Method m = new Recompute.Method(3.0, 0.4, "bf16", 3600, Map.of(), MigProfiles.load());
    return Recompute.gpuHour(null, all.keySet().iterator().next(), 0, 3600 * S, all, List.of(), List.of(), j -> "bf16",
        PeakCatalog.load(), m).flop();
  }

  @Test
  void anMi300OnANodeOfEightDevicesIsPricedAsAWholeGpu() {
    // 1307.4e12 × 0.5 × 20 s
    assertEquals(1.3074e16, mi300(8), 1e6);
  }

  @Test
  void anMi300OnANodeShowingMoreThanEightDevicesIsInUnnamedPartitionsAndUnpriced() {
    // without the rule the device would count as a whole GPU: 1.3074e16
    assertEquals(0.0, mi300(9));
  }
}
