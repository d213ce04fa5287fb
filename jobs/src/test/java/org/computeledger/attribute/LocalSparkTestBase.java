package org.computeledger.attribute;

import org.apache.spark.sql.SparkSession;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.BeforeAll;

/** The suite's one shared session, as a static field for tests that build fixtures in static helpers. */
abstract class LocalSparkTestBase {
  protected static SparkSession spark;

  @BeforeAll
  static void bindSharedSpark() {
    SparkTestBase shared = new SparkTestBase() {};
    shared.startSharedSpark();
    spark = shared.spark();
  }
}
