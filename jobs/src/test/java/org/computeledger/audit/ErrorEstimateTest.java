package org.computeledger.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The sampling design and the error estimator on a synthetic report with planted errors, no Spark:
 * three strata of line items, jobs and GPU-hours whose sizes span orders of magnitude, a fifth of the
 * GPU-hours misreported. The true total error is known, so the interval's coverage can be counted.
 */
class ErrorEstimateTest {
  /** A synthetic report: per stratum its line items; per line item its jobs; per job its GPU-hours. */
  record Report(Map<String, List<SampleDesign.Unit>> strata, Map<String, List<SampleDesign.Unit>> jobs,
      Map<String, List<SampleDesign.Unit>> units, Map<String, Double> recomputed, double trueError,
      Map<String, Double> jobSize, Map<String, Double> jobCostError, double trueCostError) {}

  static Report plantedReport(long seed) {
    return plantedReport(seed, 0.5);
  }

  /** {@code costErrorShare}: the share of jobs whose cost is misreported. */
  static Report plantedReport(long seed, double costErrorShare) {
    Random rnd = new Random(seed);
    Map<String, List<SampleDesign.Unit>> strata = new LinkedHashMap<>();
    Map<String, List<SampleDesign.Unit>> jobs = new HashMap<>();
    Map<String, List<SampleDesign.Unit>> units = new HashMap<>();
    Map<String, Double> recomputed = new HashMap<>();
    double trueError = 0;
    // costs from a stream of their own, so that the FLOP report stays what it was
    Random money = new Random(seed + 1_000_003L);
    Map<String, Double> jobSizes = new HashMap<>();
    Map<String, Double> costError = new HashMap<>();
    double trueCostError = 0;
    for (String h : List.of("counted", "pipe-activity", "utilization", "allocation")) {
      List<SampleDesign.Unit> items = new ArrayList<>();
      for (int i = 0; i < 3 + rnd.nextInt(8); i++) {
        String li = h + "/li" + i;
        double liSize = 0;
        List<SampleDesign.Unit> js = new ArrayList<>();
        for (int j = 0; j < 1 + rnd.nextInt(12); j++) {
          String job = li + "/job" + j;
          double jobSize = 0;
          List<SampleDesign.Unit> us = new ArrayList<>();
          for (int u = 0; u < 1 + rnd.nextInt(40); u++) {
            String id = job + "/h" + u;
            double y = Math.exp(rnd.nextGaussian() * 1.5) * 1e18;
            // a fifth of the GPU-hours misreported: mostly overstated, some understated
            double rel = rnd.nextDouble() < 0.2 ? 0.3 * rnd.nextGaussian() + 0.1 : 0.0;
            double truth = y * (1 + rel);
            recomputed.put(id, truth);
            trueError += truth - y;
            us.add(new SampleDesign.Unit(id, y));
            jobSize += y;
          }
          units.put(job, us);
          js.add(new SampleDesign.Unit(job, jobSize));
          jobSizes.put(job, jobSize);
          // a job's cost follows its FLOP loosely (price per FLOP varies by GPU and contract); some jobs'
          // costs misreported, mostly overstated
          double cost = jobSize / 1e18 * 3.0 * Math.exp(money.nextGaussian() * 0.8);
          double d = money.nextDouble() < costErrorShare ? cost * (0.3 * money.nextGaussian() - 0.1) : 0.0;
          costError.put(job, d);
          trueCostError += d;
          liSize += jobSize;
        }
        jobs.put(li, js);
        items.add(new SampleDesign.Unit(li, liSize));
      }
      strata.put(h, items);
    }
    return new Report(strata, jobs, units, recomputed, trueError, jobSizes, costError, trueCostError);
  }

  static ErrorEstimate.Result audit(Report r, int n, long seed) {
    Map<String, Double> sizes = new HashMap<>();
    r.strata().forEach((h, items) -> sizes.put(h, items.stream().mapToDouble(SampleDesign.Unit::size).sum()));
    Map<String, Integer> alloc = SampleDesign.allocate(sizes, n);
    List<SampleDesign.Leaf> leaves = SampleDesign.threeStage(r.strata(), alloc, 2, 3, seed, r.jobs()::get, r.units()::get);
    Map<String, List<double[]>> byDraw = new LinkedHashMap<>();
    for (SampleDesign.Leaf l : leaves) {
      byDraw.computeIfAbsent(l.stratum() + "#" + l.lineItemDraw(), k -> new ArrayList<>())
          .add(new double[] {l.size(), r.recomputed().get(l.unit())});
    }
    List<ErrorEstimate.Draw> draws = new ArrayList<>();
    byDraw.forEach((key, pairs) -> {
      String h = key.substring(0, key.indexOf('#'));
      draws.add(new ErrorEstimate.Draw(h, ErrorEstimate.z(sizes.get(h), pairs)));
    });
    return ErrorEstimate.estimate(draws);
  }

  /** The cost error from the same draws: per first-stage draw, its job draws' errors over their reported FLOP. */
  static ErrorEstimate.Result auditCost(Report r, int n, long seed) {
    Map<String, Double> sizes = new HashMap<>();
    r.strata().forEach((h, items) -> sizes.put(h, items.stream().mapToDouble(SampleDesign.Unit::size).sum()));
    Map<String, Integer> alloc = SampleDesign.allocate(sizes, n);
    List<SampleDesign.Leaf> leaves = SampleDesign.threeStage(r.strata(), alloc, 2, 3, seed, r.jobs()::get, r.units()::get);
    Map<String, Map<Integer, double[]>> byDraw = new LinkedHashMap<>();
    for (SampleDesign.Leaf l : leaves) {
      byDraw.computeIfAbsent(l.stratum() + "#" + l.lineItemDraw(), k -> new java.util.TreeMap<>())
          .put(l.jobDraw(), new double[] {r.jobSize().get(l.job()), r.jobCostError().get(l.job())});
    }
    List<ErrorEstimate.Draw> draws = new ArrayList<>();
    byDraw.forEach((key, jobs) -> {
      String h = key.substring(0, key.indexOf('#'));
      draws.add(new ErrorEstimate.Draw(h, ErrorEstimate.zJobs(sizes.get(h), new ArrayList<>(jobs.values()))));
    });
    return ErrorEstimate.estimate(draws);
  }

  /**
   * Half of the jobs' costs misreported. The interval rests on the t approximation: with errors in only a
   * fifth of the jobs, most first-stage draws (two job draws each) see none, the estimate's distribution is
   * skewed and the interval covers less often (0.80 at 24 draws, 0.86 at 96, measured with this report); the
   * sample README says so.
   */
  @Test
  void theCostIntervalCoversThePlantedCostErrorInAboutNinetyFivePercentOfSeeds() {
    Report r = plantedReport(7, 0.5);
    int runs = 400;
    int covered = 0;
    double[] estimates = new double[runs];
    for (int k = 0; k < runs; k++) {
      ErrorEstimate.Result e = auditCost(r, 24, k + 1);
      covered += e.covers(r.trueCostError()) ? 1 : 0;
      estimates[k] = e.total();
    }
    double coverage = covered / (double) runs;
    assertTrue(r.trueCostError() != 0);
    assertTrue(coverage >= 0.90 && coverage <= 0.99, "coverage " + coverage);
    // unbiased: the mean of 400 estimates lies within four of its standard errors of the truth
    double mean = java.util.Arrays.stream(estimates).average().orElseThrow();
    double sd = Math.sqrt(java.util.Arrays.stream(estimates).map(x -> (x - mean) * (x - mean)).sum() / (runs - 1));
    assertEquals(r.trueCostError(), mean, 4 * sd / Math.sqrt(runs));
  }

  @Test
  void theIntervalCoversThePlantedErrorInAboutNinetyFivePercentOfSeeds() {
    Report r = plantedReport(7);
    int runs = 400;
    int covered = 0;
    double meanEstimate = 0;
    for (long seed = 1; seed <= runs; seed++) {
      ErrorEstimate.Result e = audit(r, 24, seed);
      covered += e.covers(r.trueError()) ? 1 : 0;
      meanEstimate += e.total() / runs;
    }
    double coverage = covered / (double) runs;
    // 400 runs: a true 95 % coverage falls in [0.92, 0.975] with more than 99 % probability
    assertTrue(coverage >= 0.90 && coverage <= 0.99, "coverage " + coverage);
    // unbiased: the mean of 400 estimates is near the truth (well within its own standard error)
    assertEquals(r.trueError(), meanEstimate, Math.abs(r.trueError()) * 0.1);
  }

  @Test
  void anHonestReportEstimatesZeroErrorWithAZeroWidthInterval() {
    Report r = plantedReport(7);
    r.recomputed().replaceAll((id, v) -> {
      for (List<SampleDesign.Unit> us : r.units().values()) {
        for (SampleDesign.Unit u : us) {
          if (u.id().equals(id)) {
            return u.size();
          }
        }
      }
      throw new IllegalStateException(id);
    });
    ErrorEstimate.Result e = audit(r, 12, 3);
    assertEquals(0.0, e.total());
    assertTrue(e.covers(0.0));
  }

  @Test
  void theSameSeedDrawsTheSameUnitsAndAnotherSeedOthers() {
    Report r = plantedReport(11);
    Map<String, Integer> n = Map.of("counted", 3, "utilization", 3);
    List<SampleDesign.Leaf> a = SampleDesign.threeStage(r.strata(), new java.util.TreeMap<>(n), 2, 2, 42, r.jobs()::get,
        r.units()::get);
    List<SampleDesign.Leaf> b = SampleDesign.threeStage(r.strata(), new java.util.TreeMap<>(n), 2, 2, 42, r.jobs()::get,
        r.units()::get);
    List<SampleDesign.Leaf> c = SampleDesign.threeStage(r.strata(), new java.util.TreeMap<>(n), 2, 2, 43, r.jobs()::get,
        r.units()::get);
    assertEquals(a, b);
    assertNotEquals(a, c);
  }

  @Test
  void theUniformSequenceIsTheSpecifiedHash() {
    // SHA-256("compute-ledger-audit:1:s:0") begins 0x... ; its top 53 bits over 2^53, computed independently below
    byte[] h;
    try {
      h = java.security.MessageDigest.getInstance("SHA-256")
          .digest("compute-ledger-audit:1:s:0".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    java.math.BigInteger top = new java.math.BigInteger(1, java.util.Arrays.copyOf(h, 8)).shiftRight(11);
    assertEquals(top.doubleValue() / Math.pow(2, 53), SampleDesign.uniform(1, "s", 0));
  }

  @Test
  void drawsFollowSizeAndNeverPickAZeroSizeUnit() {
    List<SampleDesign.Unit> units = List.of(new SampleDesign.Unit("a", 1), new SampleDesign.Unit("b", 0),
        new SampleDesign.Unit("c", 3));
    int[] count = new int[3];
    for (SampleDesign.Pick p : SampleDesign.pps(units, 4000, 5, "t")) {
      count[p.unit().id().charAt(0) - 'a']++;
    }
    assertEquals(0, count[1]);
    assertEquals(0.75, count[2] / 4000.0, 0.03);
  }
}
