package org.computeledger.common;

import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import org.apache.spark.sql.Column;

/**
 * A sum of doubles that is the same whatever order the rows arrive in, so that the same input gives
 * the same report on every run (floating-point addition is not associative), and that Spark's hash
 * aggregation can keep in fixed-width buffers.
 *
 * <p>Each value is split, exactly, into four 32-bit limbs of a fixed-point number with 32 fractional
 * bits: units of 2^64, 2^32, 1 and 2^-32. Integer sums of the limbs are exact and associative; the
 * total is put back together once, in a fixed order. The resolution is 2^-32 (2.3e-10) and a value
 * must be below 2^96 (7.9e28) in magnitude; a limb sum stays exact for up to 2^31 rows per group.
 * Not DECIMAL(38, s) sums: their buffers are not fixed-width, which forces a sort-based aggregation,
 * and Spark converts a double to a decimal through its decimal string.
 */
public final class ExactSum {
  static final int FRACTION_BITS = 32;
  private static final int LIMBS = 4;

  private ExactSum() {}

  /** Unit of limb k: 2^(32k − 32). */
  private static double unit(int k) {
    return Math.scalb(1.0, 32 * k - FRACTION_BITS);
  }

  /** Parts per unit of {@link #micro}. */
  public static final double MICRO = 1e6;

  /**
   * The order-independent sum of {@code x} rounded to micro-units, in one long buffer instead of four:
   * for seconds-sized quantities (GPU-seconds, samples), where 1e-6 is far below any estimate's range
   * and a total stays below 9.2e12. {@code floor(x + 0.5)}, not {@code round()}, which Spark evaluates
   * for doubles through a decimal string.
   */
  public static Column micro(Column x) {
    return sum(floor(x.multiply(MICRO).plus(0.5))).cast("double").divide(MICRO);
  }

  /** The exact, order-independent sum of {@code x} as a double; null when every value is null. */
  public static Column of(Column x) {
    Column[] limbs = new Column[LIMBS];
    Column rest = x;
    for (int k = LIMBS - 1; k >= 1; k--) {
      // floor(rest / unit) takes the leading bits of rest; what remains is its trailing bits, exactly
      Column limb = floor(rest.divide(lit(unit(k))));
      limbs[k] = limb;
      rest = rest.minus(limb.multiply(lit(unit(k))));
    }
    // rest < 2^0: rest × 2^32 + 0.5 is exact, and floor() is cheap where round() goes through a decimal string
    limbs[0] = floor(rest.multiply(lit(Math.scalb(1.0, FRACTION_BITS))).plus(lit(0.5)));
    Column total = null;
    for (int k = LIMBS - 1; k >= 0; k--) {
      Column part = sum(limbs[k]).cast("double").multiply(lit(unit(k)));
      total = total == null ? part : total.plus(part);
    }
    return total;
  }
}
