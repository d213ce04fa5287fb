package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.computeledger.common.SmallInputFlag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallInputTest {
  private static SparkConf local() {
    return new SparkConf(false).setMaster("local[*]");
  }

  @Test
  void smallLocalInputRunsWithoutGeneratedCodeOrAdaptiveExecution() {
    SparkConf conf = local();
    assertTrue(SmallInput.apply(conf, 2_600_000, SmallInput.DEFAULT_MAX_BYTES));
    assertEquals("false", conf.get("spark.sql.codegen.wholeStage"));
    assertEquals("NO_CODEGEN", conf.get("spark.sql.codegen.factoryMode"));
    assertEquals("false", conf.get("spark.sql.adaptive.enabled"));
    assertEquals("1", conf.get("spark.sql.shuffle.partitions"));
  }

  @Test
  void smallLocalInputSetsTheOneFlagTheStagesBelowRead() {
    SparkConf conf = local();
    SmallInput.apply(conf, 2_600_000, SmallInput.DEFAULT_MAX_BYTES);
    assertEquals("true", conf.get(SmallInputFlag.CONF_KEY));
  }

  @Test
  void smallLocalInputGivesIngestItsBoundForParsingFilesAFewToATask() {
    SparkConf conf = local();
    SmallInput.apply(conf, 2_600_000, 5_000_000);
    assertEquals("5000000", conf.get(org.computeledger.ingest.ParseGroups.CONF_KEY));
  }

  @Test
  void smallLocalInputListsFoldersWithoutASparkJob() {
    SparkConf conf = local();
    SmallInput.apply(conf, 2_600_000, SmallInput.DEFAULT_MAX_BYTES);
    assertEquals(Integer.toString(Integer.MAX_VALUE), conf.get("spark.sql.sources.parallelPartitionDiscovery.threshold"));
  }

  @Test
  void smallLocalInputUsesSmallMemoryPagesAndBroadcastBlocks() {
    SparkConf conf = local();
    SmallInput.apply(conf, 2_600_000, SmallInput.DEFAULT_MAX_BYTES);
    assertEquals("1m", conf.get("spark.buffer.pageSize"));
    assertEquals("256k", conf.get("spark.broadcast.blockSize"));
  }

  @Test
  void inputAboveTheBoundKeepsSparkDefaults() {
    SparkConf conf = local();
    assertFalse(SmallInput.apply(conf, SmallInput.DEFAULT_MAX_BYTES + 1, SmallInput.DEFAULT_MAX_BYTES));
    assertFalse(conf.contains("spark.sql.codegen.wholeStage"));
    assertFalse(conf.contains("spark.sql.adaptive.enabled"));
    assertFalse(conf.contains("spark.sql.sources.parallelPartitionDiscovery.threshold"));
    assertFalse(conf.contains("spark.buffer.pageSize"));
    assertFalse(conf.contains(SmallInputFlag.CONF_KEY));
  }

  @Test
  void clusterMasterKeepsSparkDefaults() {
    SparkConf conf = new SparkConf(false).setMaster("spark://127.0.0.1:7077");
    assertFalse(SmallInput.apply(conf, 1000, SmallInput.DEFAULT_MAX_BYTES));
    assertFalse(conf.contains("spark.sql.shuffle.partitions"));
    assertFalse(conf.contains(SmallInputFlag.CONF_KEY));
  }

  @Test
  void unknownSizeIsNotSmall() {
    assertFalse(SmallInput.apply(local(), -1, SmallInput.DEFAULT_MAX_BYTES));
  }

  @Test
  void usersOwnSettingWins() {
    SparkConf conf = local().set("spark.sql.adaptive.enabled", "true");
    SmallInput.apply(conf, 1000, SmallInput.DEFAULT_MAX_BYTES);
    assertEquals("true", conf.get("spark.sql.adaptive.enabled"));
  }

  @Test
  void sizeCountsEveryFileUnderTheFolder(@TempDir Path dir) throws Exception {
    Files.write(dir.resolve("a.log"), new byte[300]);
    Files.createDirectories(dir.resolve("sub"));
    Files.write(dir.resolve("sub/b.log"), new byte[200]);
    assertEquals(500, SmallInput.bytes(new Configuration(), dir.toString()));
  }

  @Test
  void missingFolderHasUnknownSize(@TempDir Path dir) {
    assertEquals(-1, SmallInput.bytes(new Configuration(), dir.resolve("nowhere").toString()));
  }
}
