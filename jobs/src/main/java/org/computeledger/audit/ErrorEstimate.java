package org.computeledger.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.math3.distribution.TDistribution;

/**
 * Extrapolation from the recomputed sample to the whole report: the estimated total error
 * (recomputed − reported) of a quantity, with a 95 % confidence interval.
 *
 * <p>Design (see {@link SampleDesign}): in each stratum h, n_h first-stage draws with replacement,
 * each picking a line item i with probability p_i = Y_i / Y_h (Y: reported FLOP); within a drawn line
 * item, jobs are drawn with replacement with probability ∝ their FLOP, and within a drawn job its
 * GPU-hours likewise. Each first-stage draw gives the Hansen–Hurwitz value
 * z = (1/p_i)·(1/m)Σ_j (1/p_j|i)·(1/k)Σ_l d_l / p_l|ij, which with sizes proportional to FLOP is
 * z = Y_h × (mean over the draw's GPU-hours of d_l / y_l): the stratum's reported total times the mean
 * relative error seen in that draw. Then
 * <pre>
 *   D̂ = Σ_h mean_h(z),   V̂ = Σ_h s²_h(z) / n_h,   95 % CI = D̂ ± t_{0.975, Σ(n_h − 1)} √V̂
 * </pre>
 * Because the first stage draws with replacement, s²_h of the first-stage values already contains the
 * variance of the later stages (the "ultimate cluster" estimator), so D̂ and V̂ are unbiased whatever
 * happens within a line item. Assumptions: units of zero reported FLOP cannot be drawn (their error is
 * outside the estimate); the interval is a normal (t) approximation, close when n_h is not tiny and no
 * single unit's relative error dominates.
 *
 * <p>Cost is checked one stage up, on the drawn jobs ({@link #zJobs}): z = Y_h × the mean over the draw's
 * job draws of e_j / y_j (e_j the job's cost error, y_j its reported FLOP), the same estimator with the
 * GPU-hour stage left out. Its interval needs errors that are not rare among jobs: with errors in a fifth
 * of the jobs of a simulated report, it covered the truth about 0.80 of the time at 24 draws.
 */
public final class ErrorEstimate {
  /** One first-stage draw's value z in stratum {@code stratum}. */
  public record Draw(String stratum, double z) {}

  /** The estimate: total error, its standard error, degrees of freedom and the 95 % interval. */
  public record Result(double total, double standardError, int degreesOfFreedom, double low, double high, int draws) {
    public boolean covers(double truth) {
      return low <= truth && truth <= high;
    }
  }

  private ErrorEstimate() {}

  /** The Hansen–Hurwitz value of one first-stage draw: the stratum's size times the mean relative error. */
  public static double z(double stratumSize, List<double[]> reportedAndRecomputed) {
    double sum = 0;
    for (double[] r : reportedAndRecomputed) {
      sum += (r[1] - r[0]) / r[0];
    }
    return stratumSize * sum / reportedAndRecomputed.size();
  }

  /**
   * The Hansen–Hurwitz value of one first-stage draw for an error measured on its jobs (cost): with line
   * items and jobs drawn with probability proportional to FLOP, 1/(p_i p_j|i) = Y_h / y_j, so the value is
   * Y_h × the mean over the draw's job draws of d_j / y_j; {@code reportedFlopAndError}: {y_j, d_j} per job draw.
   */
  public static double zJobs(double stratumSize, List<double[]> reportedFlopAndError) {
    double sum = 0;
    for (double[] r : reportedFlopAndError) {
      sum += r[1] / r[0];
    }
    return stratumSize * sum / reportedFlopAndError.size();
  }

  public static Result estimate(List<Draw> draws) {
    Map<String, List<Double>> by = new TreeMap<>();
    for (Draw d : draws) {
      by.computeIfAbsent(d.stratum(), k -> new ArrayList<>()).add(d.z());
    }
    double total = 0;
    double variance = 0;
    int df = 0;
    for (List<Double> zs : by.values()) {
      int n = zs.size();
      double mean = 0;
      for (double z : zs) {
        mean += z;
      }
      mean /= n;
      total += mean;
      if (n > 1) {
        double ss = 0;
        for (double z : zs) {
          ss += (z - mean) * (z - mean);
        }
        variance += ss / (n - 1) / n;
        df += n - 1;
      }
    }
    double se = Math.sqrt(variance);
    double t = df > 0 ? new TDistribution(df).inverseCumulativeProbability(0.975) : Double.NaN;
    double half = df > 0 ? t * se : Double.POSITIVE_INFINITY;
    return new Result(total, se, df, total - half, total + half, draws.size());
  }
}
