package org.computeledger.common;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * How the main job keeps a table that several later stages read (MainJob, Rollups): its plan is cut
 * there and its rows kept. In local mode a local checkpoint (blocks in the one JVM: fast, and lost only
 * with the run itself). On a cluster a local checkpoint's blocks live on the executors, so losing one
 * executor fails the run ("checkpoint block not found"); there the rows go to a reliable checkpoint
 * folder inside the output's staging folder (which every executor can already write, since they write
 * the output), deleted before the commit.
 */
public final class StageCheckpoint {
  /** The checkpoint folder's name inside the staging folder; hidden, so no table reader lists it. */
  public static final String FOLDER = "_checkpoints";

  private StageCheckpoint() {}

  /** {@code ds} with its plan cut and its rows kept as this session's master allows (see the class comment). */
  public static Dataset<Row> keep(Dataset<Row> ds) {
    SparkContext sc = ds.sparkSession().sparkContext();
    if (sc.isLocal() || sc.getCheckpointDir().isEmpty()) {
      return ds.localCheckpoint();
    }
    // writing a reliable checkpoint computes the table a second time unless it is cached meanwhile
    Dataset<Row> cached = ds.persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> kept = cached.checkpoint(true);
    cached.unpersist(false);
    return kept;
  }

  /**
   * On a cluster, sets the session's reliable checkpoint folder to {@link #FOLDER} inside {@code staging};
   * in local mode does nothing (local checkpoints are used). Returns the folder set, or null.
   */
  public static String useStaging(SparkSession spark, String staging) {
    return useStaging(spark, staging, spark.sparkContext().isLocal());
  }

  /** {@link #useStaging(SparkSession, String)} with the session's mode given: {@code local} sets nothing. */
  public static String useStaging(SparkSession spark, String staging, boolean local) {
    if (local) {
      return null;
    }
    String folder = new Path(staging, FOLDER).toString();
    spark.sparkContext().setCheckpointDir(folder);
    return folder;
  }

  /** Deletes the checkpoint folder {@link #useStaging} set (null: none), so the committed report holds none. */
  public static void clean(Configuration conf, String folder) {
    if (folder == null) {
      return;
    }
    Path p = new Path(folder);
    try {
      FileSystem fs = p.getFileSystem(conf);
      if (fs.exists(p) && !fs.delete(p, true)) {
        throw new LedgerException(folder + ": the run's checkpoint folder cannot be deleted");
      }
    } catch (IOException e) {
      throw new LedgerException(folder + ": the run's checkpoint folder cannot be deleted: " + e.getMessage(), e);
    }
  }
}
