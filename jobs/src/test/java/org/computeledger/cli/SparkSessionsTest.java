package org.computeledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class SparkSessionsTest {
  @Test
  void aLocalRunOfAnySizeTakesMemoryPagesAndBroadcastBlocksSmallerThanSparksHeapSizedOnes() {
    SparkConf conf = new SparkConf(false);
    SparkSessions.configure(conf, "t", "local[2]", 2L << 30);
    assertEquals("16m", conf.get("spark.buffer.pageSize"));
    assertEquals("1m", conf.get("spark.broadcast.blockSize"));
  }

  @Test
  void aSmallInputKeepsItsSmallerOnes() {
    SparkConf conf = new SparkConf(false);
    SparkSessions.configure(conf, "t", "local[2]", 1000);
    assertEquals("1m", conf.get("spark.buffer.pageSize"));
    assertEquals("256k", conf.get("spark.broadcast.blockSize"));
  }

  @Test
  void theUsersOwnSettingWins() {
    SparkConf conf = new SparkConf(false).set("spark.buffer.pageSize", "64m");
    SparkSessions.configure(conf, "t", "local[2]", 2L << 30);
    assertEquals("64m", conf.get("spark.buffer.pageSize"));
  }

  @Test
  void aClusterKeepsSparksDefaults() {
    SparkConf conf = new SparkConf(false);
    SparkSessions.configure(conf, "t", "spark://127.0.0.1:7077", 2L << 30);
    assertFalse(conf.contains("spark.buffer.pageSize"));
    assertFalse(conf.contains("spark.broadcast.blockSize"));
  }
}
