package org.computeledger.common;


import java.nio.file.Path;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The progress of a stage comes from Spark's own task events: share of tasks done and rows read per second. */
class ProgressTest extends SparkTestBase {
  @Test
  void stageProgressCountsSparkTasksAndRowsRead(@TempDir Path dir) throws Exception {
    Progress.setQuiet(true);
    Progress.attach(spark().sparkContext());
    spark().range(0, 5000, 1, 4).write().parquet(dir.resolve("t").toString());
    Progress.say("reading the table");
    org.junit.jupiter.api.Assertions.assertNull(Progress.currentLine(), "no line before a task of the stage");
    org.junit.jupiter.api.Assertions.assertEquals(5000, spark().read().parquet(dir.resolve("t").toString()).count());
    spark().sparkContext().listenerBus().waitUntilEmpty();
    String line = Progress.currentLine();
    org.junit.jupiter.api.Assertions.assertTrue(line.startsWith("reading the table: 100% of "), line);
    org.junit.jupiter.api.Assertions.assertTrue(line.contains("rows/s"), line);
  }

  @Test
  void durationsAndRatesAreShort() {
    org.junit.jupiter.api.Assertions.assertEquals("1:05", ProgressMeter.duration(65));
    org.junit.jupiter.api.Assertions.assertEquals("1:01:01", ProgressMeter.duration(3661));
    org.junit.jupiter.api.Assertions.assertEquals("2.5 M", ProgressMeter.rate(2.5e6));
    org.junit.jupiter.api.Assertions.assertEquals("12.0 k", ProgressMeter.rate(12_000));
  }
}
