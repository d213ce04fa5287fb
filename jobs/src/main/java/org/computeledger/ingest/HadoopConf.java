package org.computeledger.ingest;

import java.io.Serializable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.SerializableConfiguration;

/**
 * Where a parse task ({@link FileParseTask}) gets its Hadoop configuration: serialized with the task,
 * so that the task needs no Spark context to run (tests call it directly) and the ingest chooses how it
 * travels ({@link #shared}).
 */
@FunctionalInterface
interface HadoopConf extends Serializable {
  Configuration get();

  /**
   * The configuration of one broadcast: a task's function is deserialized with every task that reads
   * the parse, and a whole Hadoop configuration is some hundreds of properties, each with its source
   * names gzipped; a broadcast is read once per executor (in local mode not at all: the driver's object).
   */
  static HadoopConf shared(Broadcast<SerializableConfiguration> conf) {
    return () -> conf.value().value();
  }
}
