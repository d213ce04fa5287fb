package org.computeledger.ingest;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.Table;

/**
 * Records that ingest accepts but does not keep because another record already says the same: the
 * same line in two overlapping exports, or an older version of a scheduler record that a re-export
 * replaced. Each row is flagged ({@link #DROP}) rather than removed, so that the manifest can count
 * per file what was dropped while the table keeps one row per fact. Telemetry has its own pass
 * ({@link SampleDuplicates}) that needs no shuffle; these tables are small (jobs, bill lines, counter
 * intervals), so a window over their content is cheap.
 */
public final class Duplicates {
  /** Why a row is dropped: null (kept), {@link #DUPLICATE} or {@link #SUPERSEDED}. */
  public static final String DROP = "_drop";
  /** The same record again: every column but the source file and line is equal to a kept row's. */
  public static final String DUPLICATE = "duplicate";
  /** An older version of a scheduler record (same cluster, job, step and node) than the kept one. */
  public static final String SUPERSEDED = "superseded";

  private Duplicates() {}

  /**
   * Flags the rows of a canonical table that count once. Allocations: the same record again is a
   * duplicate (the first by source file and line is kept); of two different records of one allocation
   * (cluster, job id, step, node) the latest is kept and the other is superseded. Latest: a record
   * with an end time before one without, then the later end, then one with a start before one
   * without, then the later start, then the later source file and line. FLOP counter rows: the same
   * row again is a duplicate. Charges: a bill line that an earlier file (by name) already holds is a
   * duplicate; equal lines within one file are kept, since a bill may list the same charge twice.
   */
  public static Dataset<Row> flag(Dataset<Row> rows, Table table) {
    Column file = col(Allocations.SOURCE_FILE);
    Column line = col(Allocations.SOURCE_LINE);
    Column content = content(rows);
    switch (table) {
      case ALLOCATIONS: {
        WindowSpec same = Window.partitionBy(content).orderBy(file, line);
        Column key = struct(col(Allocations.CLUSTER), col(Allocations.JOB_ID), col(Allocations.STEP_ID),
            col(Allocations.NODE));
        WindowSpec latest = Window.partitionBy(key).orderBy(
            col(Allocations.END_TIME).isNotNull().desc(), col(Allocations.END_TIME).desc(),
            col(Allocations.START_TIME).isNotNull().desc(), col(Allocations.START_TIME).desc(),
            file.desc(), line.desc());
        Dataset<Row> once = rows.withColumn("_dup", row_number().over(same).gt(1));
        Dataset<Row> kept = once.filter(not(col("_dup")))
            .withColumn(DROP, when(row_number().over(latest).gt(1), lit(SUPERSEDED)));
        Dataset<Row> dups = once.filter(col("_dup")).withColumn(DROP, lit(DUPLICATE));
        return kept.unionByName(dups).drop("_dup");
      }
      case FLOP_COUNTS:
        return rows.withColumn(DROP, when(row_number().over(Window.partitionBy(content).orderBy(file, line)).gt(1),
            lit(DUPLICATE)));
      case CHARGES:
        return rows.withColumn(DROP, when(file.notEqual(min(file).over(Window.partitionBy(content))), lit(DUPLICATE)));
      default:
        throw new IllegalArgumentException(table + " has no duplicate rule here");
    }
  }

  /**
   * What was dropped per file, in records: a record (source file and line) counts as dropped when all
   * the rows it made were dropped (a sacct line makes one row per node), as superseded when any of
   * them was superseded. Columns: source_file, duplicates_dropped, records_superseded.
   */
  public static Dataset<Row> droppedPerFile(Dataset<Row> flagged) {
    return flagged
        .groupBy(col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE))
        .agg(count(lit(1)).as("n"), count(col(DROP)).as("dropped"),
            count(when(col(DROP).equalTo(SUPERSEDED), lit(1))).as("superseded"))
        .filter(col("dropped").equalTo(col("n")))
        .groupBy(col(Allocations.SOURCE_FILE))
        .agg(count(when(col("superseded").equalTo(0), lit(1))).as("duplicates_dropped"),
            count(when(col("superseded").gt(0), lit(1))).as("records_superseded"));
  }

  /** Every column but where the row came from, as one comparable value (maps as sorted entries). */
  static Column content(Dataset<Row> rows) {
    List<Column> cols = new ArrayList<>();
    for (StructField f : rows.schema().fields()) {
      String n = f.name();
      if (n.equals(Allocations.SOURCE_FILE) || n.equals(Allocations.SOURCE_LINE) || n.startsWith("_")) {
        continue;
      }
      cols.add(f.dataType() instanceof MapType ? array_sort(map_entries(col(n))).as(n) : col(n));
    }
    return struct(cols.toArray(new Column[0]));
  }
}
