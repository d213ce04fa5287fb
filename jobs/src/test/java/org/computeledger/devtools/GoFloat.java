package org.computeledger.devtools;

import java.math.BigDecimal;

/**
 * Prints numbers the way Prometheus does when it reads them back out of its TSDB (Go's
 * {@code strconv.FormatFloat(v, 'g', -1, 64)}), so generated dumps carry the same quirks as real
 * ones: {@code 1e+06}, {@code 1.5152422938e+10}, {@code 5e-05}.
 */
final class GoFloat {
  private GoFloat() {}

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return "0";
    }
    BigDecimal d = new BigDecimal(Double.toString(Math.abs(v))).stripTrailingZeros();
    String digits = d.unscaledValue().toString();
    int exponent = digits.length() - 1 - d.scale();
    StringBuilder sb = new StringBuilder(24);
    if (v < 0) {
      sb.append('-');
    }
    // Go switches to exponent form below 1e-4 and, for shortest output, from 1e6 up.
    if (exponent < -4 || exponent >= 6) {
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exponent < 0 ? '-' : '+');
      int abs = Math.abs(exponent);
      if (abs < 10) {
        sb.append('0');
      }
      sb.append(abs);
    } else {
      sb.append(d.toPlainString());
    }
    return sb.toString();
  }
}
