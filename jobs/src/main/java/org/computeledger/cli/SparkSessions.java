package org.computeledger.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.computeledger.common.ProcessFreeLocalFileSystem;

/**
 * The one place a job gets its SparkSession: embedded {@code local[*]} by default, a cluster with
 * {@code --master} or when launched by spark-submit (which sets {@code spark.master}). Precedence:
 * command-line option, then Spark's own configuration, then these defaults.
 */
final class SparkSessions {
  private SparkSessions() {}

  /**
   * The Hadoop configuration a session would get (spark.hadoop.* settings, HADOOP_CONF_DIR), made
   * without starting one, so that input and output folders can be checked before Spark starts.
   */
  static org.apache.hadoop.conf.Configuration hadoopConfiguration() {
    org.apache.hadoop.conf.Configuration conf = org.apache.spark.deploy.SparkHadoopUtil.get().newConfiguration(new SparkConf());
    // the driver's local paths (Hadoop caches one file system per scheme for the JVM, made here first)
    if (conf.get(LOCAL_FS_KEY) == null) {
      conf.set(LOCAL_FS_KEY, ProcessFreeLocalFileSystem.class.getName());
    }
    return conf;
  }

  /** Hadoop's setting for the class of the {@code file:} file system. */
  static final String LOCAL_FS_KEY = "fs.file.impl";

  static SparkSession create(String appName, String master) {
    return create(appName, master, -1);
  }

  /** As {@link #create(String, String)}, for an input of {@code inputBytes} (-1: unknown; see {@link SmallInput}). */
  static SparkSession create(String appName, String master, long inputBytes) {
    SparkConf conf = new SparkConf();
    boolean small = configure(conf, appName, master, inputBytes);
    SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
    if (small) {
      SmallInput.started(spark);
    }
    // also under spark-submit, whose own log4j2 configuration would print INFO lines
    spark.sparkContext().setLogLevel(consoleLevel());
    org.computeledger.common.Progress.attach(spark.sparkContext());
    return spark;
  }

  /**
   * The ledger's settings on {@code conf}, each only where neither the user nor Spark's own configuration
   * set it; returns whether the small-input settings ({@link SmallInput}) apply.
   */
  static boolean configure(SparkConf conf, String appName, String master, long inputBytes) {
    if (master != null) {
      conf.setMaster(master);
    } else if (!conf.contains("spark.master")) {
      conf.setMaster("local[*]");
    }
    boolean local = conf.get("spark.master").startsWith("local");
    boolean small = SmallInput.apply(conf, inputBytes, SmallInput.maxBytes());
    conf.setAppName(appName);
    conf.setIfMissing("spark.sql.session.timeZone", "UTC");
    conf.setIfMissing("spark.ui.enabled", "false");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    conf.setIfMissing("spark.sql.parquet.compression.codec", "zstd");
    // Parquet's own timestamp type, not the deprecated INT96 (which Spark still writes by default)
    conf.setIfMissing("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS");
    // no Hadoop checksum side files next to outputs: the manifest holds the SHA-256 of every file
    conf.setIfMissing("spark.hadoop.mapreduce.fileoutputcommitter.marksuccessfuljobs", "false");
    if (local) {
      int cores = Runtime.getRuntime().availableProcessors();
      conf.setIfMissing("spark.sql.shuffle.partitions", Integer.toString(Math.max(4, 4 * cores)));
      conf.setIfMissing("spark.driver.host", "127.0.0.1");
      // local writes without a chmod process per file (see the class); on a cluster the executors keep
      // Hadoop's own, since their class path is not the driver's to assume
      conf.setIfMissing("spark.hadoop." + LOCAL_FS_KEY, ProcessFreeLocalFileSystem.class.getName());
      // Spark sizes a sort's or aggregation's memory page from the heap (64 MB with the launcher's 8 GB heap) and
      // cuts every broadcast, each stage's task binary included, into 4 MB blocks: the few hundred tasks after the
      // telemetry pass, over per-GPU-hour tables, each allocated whole pages and blocks of that size for a few
      // hundred rows (about 3 GB of a 49.5 M-sample run's 17 GB allocated; 89-93 collections of the young
      // generation, 65-69 with these). A record larger than a page still gets a page of its own size; 16 MB
      // pages allow 128 GB per task (Spark's page table holds 8,192). A small input's are smaller still (SmallInput).
      conf.setIfMissing("spark.buffer.pageSize", "16m");
      conf.setIfMissing("spark.broadcast.blockSize", "1m");
    } else {
      String jars = System.getProperty("ledger.appJars");
      if (jars != null && !conf.contains("spark.jars")) {
        // launched with java -cp and --master: executors need the application's own jars
        conf.set("spark.jars", jars);
      }
      if (conf.get("spark.master").startsWith("spark://127.0.0.1")) {
        conf.setIfMissing("spark.driver.host", "127.0.0.1");
      }
    }
    return small;
  }

  /** Whether the user asked for Spark's log and stack traces ({@code LEDGER_DEBUG} set). */
  static boolean debug() {
    String d = System.getenv("LEDGER_DEBUG");
    return d != null && !d.isEmpty() && !d.equals("0");
  }

  /**
   * Spark's console log level: off, since the ledger words every error it reports as one line and a
   * failed task makes Spark print ERROR lines and stack traces of its own; WARN with {@code LEDGER_DEBUG}.
   */
  static String consoleLevel() {
    return debug() ? "WARN" : "OFF";
  }
}
