package org.computeledger.cli;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;

/**
 * Spark settings for a local run on a small input (the sample logs, a first try), chosen before the
 * session starts from the input's size. Such a run is all fixed cost: a few hundred thousand rows go
 * through about a hundred queries, and what costs is per query, not per row (measured on the sample
 * logs, 2 cores: 47 CPU seconds, of which about 9 compiling generated code and 6 in the extra jobs of
 * adaptive execution). A large input keeps Spark's defaults, which pay off per row.
 */
final class SmallInput {
  /** Inputs up to this size are small; the same bound (and variable) as {@code scripts/ledger}'s JIT choice. */
  static final long DEFAULT_MAX_BYTES = 64L << 20;

  private SmallInput() {}

  /** The bound in bytes: {@code LEDGER_SMALL_INPUT_KB} when set, else {@link #DEFAULT_MAX_BYTES}. */
  static long maxBytes() {
    String kb = System.getenv("LEDGER_SMALL_INPUT_KB");
    if (kb != null && kb.matches("[0-9]{1,12}")) {
      return Long.parseLong(kb) * 1024;
    }
    return DEFAULT_MAX_BYTES;
  }

  /** The bytes under {@code dir} (all files, hidden ones too); -1 when it cannot be read (then not small). */
  static long bytes(Configuration conf, String dir) {
    try {
      Path p = new Path(dir);
      return p.getFileSystem(conf).getContentSummary(p).getLength();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Sets, where the user has not, the small-input settings on {@code conf} when its master is local and
   * {@code bytes} is within {@code maxBytes}; otherwise leaves it alone. Returns whether it did.
   * <ul>
   *   <li>the flag itself ({@link org.computeledger.common.SmallInputFlag}), which the stages below read for
   *       what they do differently on a small input;
   *   <li>no generated code ({@code spark.sql.codegen.wholeStage=false}, expressions interpreted): compiling
   *       a query's Java source with Janino costs more than running it interpreted over a few thousand rows;
   *   <li>adaptive execution off and one shuffle partition: adaptive execution runs every
   *       shuffle and broadcast of a query as a job of its own (212 jobs on the sample logs instead of 93),
   *       to re-plan partitions that a small input does not need; and each partition is a task (deserialized,
   *       with its own Hadoop configuration) and a file per table written: one instead of one per core took
   *       34.4-34.6 CPU s instead of 37.9-39.8 on the sample logs (136 Parquet files instead of 251), the cores
   *       still busy with the queries run at once ({@code common/Concurrently});
   *   <li>folders listed by the driver, never by a Spark job ({@code spark.sql.sources.parallelPartitionDiscovery
   *       .threshold}): above 32 sub-folders (the ledger's 120 days) Spark lists them in a job of one task per
   *       folder, 120 tasks to list 120 local folders.
   *   <li>small memory pages and broadcast blocks ({@code spark.buffer.pageSize}, {@code spark.broadcast.blockSize}):
   *       Spark sizes a sort's or aggregation's memory page from the heap (64 MB with the launcher's 8 GB) and
   *       cuts every broadcast, each stage's task binary included, into 4 MB blocks; a few hundred tasks over a few
   *       thousand rows then allocated about 3 GB of pages and 0.9 GB of broadcast blocks, which ended up in the old
   *       generation and cost two or three full collections per run on the sample logs (none with 1 MB and 256 kB).
   *       A record larger than a page still gets a page of its own size.
   * </ul>
   * Results are the same either way (the sample logs' report compared table by table, methodology.md and
   * report.html byte for byte); only the canonical tables' part files are fewer.
   */
  static boolean apply(SparkConf conf, long bytes, long maxBytes) {
    if (!conf.get("spark.master", "local[*]").startsWith("local") || bytes < 0 || bytes > maxBytes) {
      return false;
    }
    conf.setIfMissing(org.computeledger.common.SmallInputFlag.CONF_KEY, "true");
    conf.setIfMissing("spark.sql.codegen.wholeStage", "false");
    conf.setIfMissing("spark.sql.codegen.factoryMode", "NO_CODEGEN");
    conf.setIfMissing("spark.sql.adaptive.enabled", "false");
    conf.setIfMissing("spark.sql.shuffle.partitions", "1");
    conf.setIfMissing("spark.sql.sources.parallelPartitionDiscovery.threshold", Integer.toString(Integer.MAX_VALUE));
    conf.setIfMissing("spark.buffer.pageSize", "1m");
    conf.setIfMissing("spark.broadcast.blockSize", "256k");
    // ingest parses such an input's files a few to a task, up to the same bound
    conf.setIfMissing(org.computeledger.ingest.ParseGroups.CONF_KEY, Long.toString(maxBytes));
    return true;
  }

  /**
   * What a small local run does once its session has started: the Hadoop configuration every write task
   * carries forgets its properties' source files ({@link org.computeledger.common.LeanHadoopConf}): on the
   * sample logs some 200 tasks each inflated a gzipped file name per property, about 2.5 ms a task here.
   */
  static void started(org.apache.spark.sql.SparkSession spark) {
    org.computeledger.common.LeanHadoopConf.dropSources(spark.sparkContext().hadoopConfiguration());
  }
}
