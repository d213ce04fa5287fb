package org.computeledger.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The audit sample's design, as pure functions: stratified, multi-stage sampling with probability
 * proportional to size (reported FLOP) and with replacement, drawn from uniform numbers that depend only
 * on the seed and on what is being drawn, so that the same seed gives the same sample on any machine.
 *
 * <p>Every uniform number is {@code SHA-256("compute-ledger-audit:" seed ":" stream ":" draw)}, its first
 * 8 bytes read big-endian, shifted right by 11 and divided by 2^53: a specified sequence that no JVM,
 * library version, hash-map order or Spark partitioning can change. Units are put in order of their id
 * (Java's {@code String.compareTo}) before a draw picks one by cumulative size.
 */
public final class SampleDesign {
  private SampleDesign() {}

  /** A candidate unit: its id (orders the units) and its size (reported FLOP, must be ≥ 0). */
  public record Unit(String id, double size) {}

  /** One draw: the unit picked, its selection probability p = size / total, and the draw's number. */
  public record Pick(Unit unit, double p, int draw) {}

  /** The uniform number in [0, 1) for draw {@code draw} of stream {@code stream} under {@code seed}. */
  public static double uniform(long seed, String stream, int draw) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] h = md.digest(("compute-ledger-audit:" + seed + ":" + stream + ":" + draw).getBytes(StandardCharsets.UTF_8));
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = (v << 8) | (h[i] & 0xFF);
      }
      return (v >>> 11) / (double) (1L << 53);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code n} draws with replacement, each unit picked with probability size / total size. Units of
   * size zero are never picked; an empty or all-zero list gives no draws.
   */
  public static List<Pick> pps(List<Unit> units, int n, long seed, String stream) {
    List<Unit> sorted = new ArrayList<>(units);
    sorted.sort((a, b) -> a.id().compareTo(b.id()));
    double[] cum = new double[sorted.size()];
    double total = 0;
    for (int i = 0; i < sorted.size(); i++) {
      double s = sorted.get(i).size();
      if (!(s >= 0) || Double.isInfinite(s)) {
        throw new IllegalArgumentException("unit " + sorted.get(i).id() + ": size must be finite and >= 0, was " + s);
      }
      total += s;
      cum[i] = total;
    }
    List<Pick> out = new ArrayList<>();
    if (!(total > 0)) {
      return out;
    }
    for (int r = 0; r < n; r++) {
      double target = uniform(seed, stream, r) * total;
      int lo = 0;
      int hi = cum.length - 1;
      // the first unit whose cumulative size exceeds the target: a zero-size unit never is
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (cum[mid] > target) {
          hi = mid;
        } else {
          lo = mid + 1;
        }
      }
      Unit u = sorted.get(lo);
      out.add(new Pick(u, u.size() / total, r));
    }
    return out;
  }

  /**
   * One GPU-hour reached by the three stages: the stratum, the first-stage draw and line item, the job
   * draw and job, the unit draw and unit, each with its selection probability within its parent.
   */
  public record Leaf(String stratum, int lineItemDraw, String lineItem, double pLineItem, int jobDraw, String job,
      double pJob, int unitDraw, String unit, double pUnit, double size) {}

  /**
   * The three-stage draw: per stratum {@code n.get(h)} line items, then {@code m} jobs within each
   * line item drawn, then {@code k} GPU-hours within each job drawn, all PPS with replacement. A repeated
   * draw of a line item draws its jobs afresh (its own stream), as the estimator requires.
   * {@code jobsOf} and {@code unitsOf} give the children of a line item and of a job.
   */
  public static List<Leaf> threeStage(Map<String, List<Unit>> strata, Map<String, Integer> n, int m, int k, long seed,
      java.util.function.Function<String, List<Unit>> jobsOf, java.util.function.Function<String, List<Unit>> unitsOf) {
    List<Leaf> out = new ArrayList<>();
    for (Map.Entry<String, Integer> e : n.entrySet()) {
      String h = e.getKey();
      for (Pick li : pps(strata.get(h), e.getValue(), seed, "line-item:" + h)) {
        for (Pick job : pps(jobsOf.apply(li.unit().id()), m, seed, "job:" + h + ":" + li.draw())) {
          for (Pick u : pps(unitsOf.apply(job.unit().id()), k, seed, "gpu-hour:" + h + ":" + li.draw() + ":" + job.draw())) {
            out.add(new Leaf(h, li.draw(), li.unit().id(), li.p(), job.draw(), job.unit().id(), job.p(), u.draw(),
                u.unit().id(), u.p(), u.unit().size()));
          }
        }
      }
    }
    return out;
  }

  /** The probability that a unit of selection probability p is in a with-replacement sample of n draws. */
  public static double inclusion(double p, int n) {
    return 1 - Math.pow(1 - p, n);
  }

  /**
   * Draws per stratum: {@code n} in proportion to each stratum's size, at least two per stratum with
   * any size (so that each stratum's variance can be estimated), largest remainders first, ties by
   * stratum name. Strata come back in name order.
   */
  public static Map<String, Integer> allocate(Map<String, Double> strata, int n) {
    List<String> names = new ArrayList<>();
    double total = 0;
    for (Map.Entry<String, Double> e : strata.entrySet()) {
      if (e.getValue() > 0) {
        names.add(e.getKey());
        total += e.getValue();
      }
    }
    names.sort(String::compareTo);
    Map<String, Integer> out = new LinkedHashMap<>();
    if (names.isEmpty()) {
      return out;
    }
    int budget = Math.max(n, 2 * names.size());
    int given = 0;
    double[] rest = new double[names.size()];
    for (int i = 0; i < names.size(); i++) {
      double exact = budget * strata.get(names.get(i)) / total;
      int k = Math.max(2, (int) Math.floor(exact));
      out.put(names.get(i), k);
      given += k;
      rest[i] = exact - Math.floor(exact);
    }
    while (given < budget) {
      int best = 0;
      for (int i = 1; i < names.size(); i++) {
        if (rest[i] > rest[best]) {
          best = i;
        }
      }
      out.merge(names.get(best), 1, Integer::sum);
      rest[best] = -1;
      given++;
    }
    return out;
  }
}
