package org.computeledger;

import com.holdenkarau.spark.testing.JavaDataFrameSuiteBase;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of every test that runs Spark: one small local session shared by all test classes of the
 * JVM, with spark-testing-base's DataFrame assertions. {@link #spark()} is the session.
 *
 * <p>spark-testing-base's Java base wires itself to JUnit 4 ({@code runBefore} as {@code @Before},
 * {@code runAfterClass} as {@code @AfterClass}), which Jupiter ignores, so the start hook is called
 * here; it creates the context only when none exists. The stop hook is deliberately never called:
 * the context lives in a static field shared by every class, so stopping it after one class would
 * make the next pay several seconds to start a new one. The session ends with the test JVM.
 */
public abstract class SparkTestBase extends JavaDataFrameSuiteBase {

  @BeforeEach
  public void startSharedSpark() {
    runBefore();
  }

  @Override
  public SparkConf conf() {
    return new SparkConf()
        .setMaster("local[2]")
        .setAppName("compute-ledger-tests")
        .set("spark.driver.host", "localhost")
        .set("spark.ui.enabled", "false")
        .set("spark.sql.shuffle.partitions", "4")
        .set("spark.sql.session.timeZone", "UTC");
  }

  /** No Hive metastore: the jobs read and write plain Parquet, and Derby only slows the start. */
  @Override
  public boolean enableHiveSupport() {
    return false;
  }

  /**
   * Asserts that {@code actual} is within {@code relTol} of {@code expected}, relative to
   * {@code expected} (FLOP totals span many orders of magnitude, so an absolute tolerance, which is
   * what spark-testing-base offers, is either meaningless or too strict). Zero must be exact.
   */
  public static void assertRelClose(double expected, double actual, double relTol) {
    double diff = Math.abs(actual - expected);
    boolean close = expected == 0.0 ? actual == 0.0 : diff <= relTol * Math.abs(expected);
    if (!close) {
      // qualified: the inherited Scala fail(String) would shadow a static import
      Assertions.fail("expected " + expected + " within relative " + relTol + ", was " + actual
          + (expected == 0.0 ? "" : " (relative error " + diff / Math.abs(expected) + ")"));
    }
  }
}
