package org.computeledger.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.computeledger.SparkTestBase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local-mode side of StageCheckpoint (the cluster side, a killed executor, is scripts/cluster-check,
 * which needs a real cluster): local checkpoints, no folder in the staging folder, and the folder's cleanup.
 */
class StageCheckpointTest extends SparkTestBase {
  @TempDir Path tmp;

  @Test
  void inLocalModeATableIsKeptAsALocalCheckpointWithItsPlanCut() {
    Dataset<Row> ds = spark().range(0, 10).toDF("n").filter("n % 2 = 0");
    Dataset<Row> kept = StageCheckpoint.keep(ds);
    assertEquals("LogicalRDD", kept.queryExecution().logical().nodeName());
    assertEquals(5, kept.count());
  }

  @Test
  void inLocalModeNoCheckpointFolderIsSetInTheStagingFolder() {
    assertNull(StageCheckpoint.useStaging(spark(), tmp.toString()));
    assertFalse(Files.exists(tmp.resolve(StageCheckpoint.FOLDER)));
  }

  @Test
  void cleaningDeletesTheCheckpointFolderAndWhatItHolds() throws Exception {
    Path folder = Files.createDirectories(tmp.resolve(StageCheckpoint.FOLDER).resolve("rdd-1"));
    Files.writeString(folder.resolve("part-00000"), "x");
    StageCheckpoint.clean(new Configuration(), tmp.resolve(StageCheckpoint.FOLDER).toString());
    assertFalse(Files.exists(tmp.resolve(StageCheckpoint.FOLDER)));
    org.junit.jupiter.api.Assertions.assertTrue(Files.exists(tmp), "the staging folder itself stays");
  }
}
