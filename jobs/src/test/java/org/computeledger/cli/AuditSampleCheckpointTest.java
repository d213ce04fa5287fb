package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import org.computeledger.SparkTestBase;
import org.computeledger.common.StageCheckpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where audit-sample keeps its tables: on a cluster in a reliable checkpoint folder inside --to, as the run
 * keeps its own inside its output (a cluster itself is scripts/cluster-check's; the mode is passed here).
 */
class AuditSampleCheckpointTest extends SparkTestBase {
  @TempDir Path tmp;

  @Test
  void whenTheMasterIsNotLocalTheCheckpointFolderIsSetInsideTheSampleFolder() {
    Path to = tmp.resolve("audit-7");
    String folder = AuditSampleCommand.useCheckpoints(spark(), to, false);
    java.net.URI uri = new org.apache.hadoop.fs.Path(folder).toUri();
    // a file: URI, so that a cluster's default file system (HDFS) does not read the local path as its own
    assertEquals("file", uri.getScheme());
    assertEquals(to.toAbsolutePath().resolve(StageCheckpoint.FOLDER).toString(), uri.getPath());
    // Spark keeps each context's checkpoints in a folder of its own below the one set
    String set = spark().sparkContext().getCheckpointDir().get();
    org.junit.jupiter.api.Assertions.assertTrue(set.contains(to.toAbsolutePath().resolve(StageCheckpoint.FOLDER).toString()), set);
  }

  @Test
  void inLocalModeNoCheckpointFolderIsSet() {
    assertNull(AuditSampleCommand.useCheckpoints(spark(), tmp.resolve("audit-7"), true));
  }
}
