package org.computeledger.ingest;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.schema.Table;

/**
 * The shape of what the parse stage produces for one canonical table: the table's own columns plus
 * a kind marker, so that accepted rows, quarantined records and one summary row per file travel in
 * one Dataset and the files are read exactly once.
 */
final class Envelope {
  static final String KIND = "_kind";
  static final String FORMAT = "_format";
  static final String REASON = "_reason";
  static final String RAW = "_raw";
  static final String SHA256 = "_sha256";
  static final String BYTES = "_bytes";
  static final String LINES = "_lines";
  static final String ACCEPTED = "_accepted";
  static final String QUARANTINED = "_quarantined";
  static final String IGNORED = "_ignored";
  static final String ROWS = "_rows";
  /** Summary only: what was wrong with a damaged compressed file, null when nothing was. */
  static final String DAMAGE = "_damage";
  /** Summary only: lines that were Prometheus staleness markers (a part of {@link #IGNORED}). */
  static final String STALE = "_stale";
  /** Row only: the input lines merged into it by {@link MergingSink}; null for one line. */
  static final String RECORDS = "_line_records";
  /**
   * Which part of its file a row comes from: null for a file read whole, else the index of its byte
   * range ({@link LineSplits}), whose line numbers count from the range's first line until the driver
   * adds the lines of the ranges before it; {@link LineSplits#HASH} on the summary of a file's hash.
   */
  static final String SPLIT = "_split";

  static final int KIND_ROW = 0;
  static final int KIND_QUARANTINE = 1;
  static final int KIND_SUMMARY = 2;

  static final String[] EXTRA = {
    KIND, FORMAT, REASON, RAW, SHA256, BYTES, LINES, ACCEPTED, QUARANTINED, IGNORED, ROWS, DAMAGE, STALE, RECORDS, SPLIT
  };

  private Envelope() {}

  static StructType schema(Table table) {
    return table.schema()
        .add(KIND, DataTypes.IntegerType, false)
        .add(FORMAT, DataTypes.StringType)
        .add(REASON, DataTypes.StringType)
        .add(RAW, DataTypes.StringType)
        .add(SHA256, DataTypes.StringType)
        .add(BYTES, DataTypes.LongType)
        .add(LINES, DataTypes.LongType)
        .add(ACCEPTED, DataTypes.LongType)
        .add(QUARANTINED, DataTypes.LongType)
        .add(IGNORED, DataTypes.LongType)
        .add(ROWS, DataTypes.LongType)
        .add(DAMAGE, DataTypes.StringType)
        .add(STALE, DataTypes.LongType)
        .add(RECORDS, DataTypes.LongType)
        .add(SPLIT, DataTypes.IntegerType);
  }
}
