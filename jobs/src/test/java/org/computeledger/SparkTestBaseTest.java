package org.computeledger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/** The shared test session has the settings every Spark test relies on, and the relative check works. */
class SparkTestBaseTest extends SparkTestBase {

  @Test
  void sessionIsSmallLocalAndInUtc() {
    assertEquals("local[2]", spark().sparkContext().master());
    assertEquals("4", spark().conf().get("spark.sql.shuffle.partitions"));
    assertEquals("UTC", spark().conf().get("spark.sql.session.timeZone"));
  }

  @Test
  void relativeToleranceScalesWithTheValue() {
    assertRelClose(4.1e16, 4.1e16 * (1 + 1e-10), 1e-9);
    assertThrows(AssertionFailedError.class, () -> assertRelClose(4.1e16, 4.2e16, 1e-9));
  }

  @Test
  void zeroMustBeExact() {
    assertRelClose(0.0, 0.0, 1e-9);
    assertThrows(AssertionFailedError.class, () -> assertRelClose(0.0, 1e-300, 1e-9));
  }
}
