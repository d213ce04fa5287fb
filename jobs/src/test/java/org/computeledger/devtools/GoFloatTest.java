package org.computeledger.devtools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The sample dumps print numbers as Prometheus does; these are Go's own outputs for the same values. */
class GoFloatTest {
  @Test
  void integersBelowAMillionPrintPlain() {
    assertEquals("0", GoFloat.format(0));
    assertEquals("1980", GoFloat.format(1980));
    assertEquals("123456", GoFloat.format(123456));
  }

  @Test
  void aMillionAndAboveSwitchToExponentForm() {
    assertEquals("1e+06", GoFloat.format(1_000_000));
    assertEquals("2.59504610249e+11", GoFloat.format(259_504_610_249.0));
  }

  @Test
  void dcgmBlankSentinelPrintsAsItsNearestDouble() {
    assertEquals("9.223372036854776e+18", GoFloat.format(9223372036854775794.0));
  }

  @Test
  void fractionsKeepOnlyTheDigitsTheyNeed() {
    assertEquals("612.345", GoFloat.format(612.345));
    assertEquals("0.156205", GoFloat.format(0.156205));
    assertEquals("0.0001", GoFloat.format(0.0001));
  }

  @Test
  void fractionsBelowOneTenThousandthSwitchToExponentForm() {
    assertEquals("5e-05", GoFloat.format(0.00005));
    assertEquals("-2.5e-07", GoFloat.format(-0.00000025));
  }
}
