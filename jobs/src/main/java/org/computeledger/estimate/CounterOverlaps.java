package org.computeledger.estimate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.max;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.computeledger.schema.FlopCounts;

/**
 * Counter rows whose intervals overlap on one GPU (two profilers, a re-run of a collector, rows cut
 * at different bounds) would count the overlap twice. Before counted rows become windows, each keeps
 * only the part of its interval that no earlier row of the same GPU covers, with its FLOP scaled by
 * that part's share of its interval (the count's rate taken as even within its interval). Earlier
 * means: the earlier start, then the longer interval, then the earlier file and line, so the rule
 * does not depend on the order the rows arrive in.
 */
public final class CounterOverlaps {
  /** Start of the part of the interval that is kept, in microseconds since the epoch. */
  public static final String KEPT_START_US = "c_kept_start_us";
  /** Share of the interval, and so of its FLOP, that is kept (1 when nothing overlapped it). */
  public static final String KEPT_SHARE = "c_kept_share";

  private CounterOverlaps() {}

  /**
   * {@code counts} with {@code startUs}/{@code endUs} (microseconds) and a GPU key in
   * {@code gpuKey}; rows wholly inside earlier ones are dropped, the others gain
   * {@link #KEPT_START_US} and {@link #KEPT_SHARE}. Previous rows in this order all start at or before
   * this one, so what they cover of it is one piece, from its start to the latest end among them.
   */
  public static Dataset<Row> trim(Dataset<Row> counts, Column gpuKey, String startUs, String endUs) {
    WindowSpec earlier = Window.partitionBy(gpuKey)
        .orderBy(col(startUs), col(endUs).desc(), col(FlopCounts.SOURCE_FILE), col(FlopCounts.SOURCE_LINE))
        .rowsBetween(Window.unboundedPreceding(), -1);
    return counts
        .withColumn("c_covered_until_us", max(col(endUs)).over(earlier))
        .withColumn(KEPT_START_US, greatest(col(startUs), coalesce(col("c_covered_until_us"), col(startUs))))
        .filter(col(KEPT_START_US).lt(col(endUs)))
        .withColumn(KEPT_SHARE, col(endUs).minus(col(KEPT_START_US)).cast("double")
            .divide(col(endUs).minus(col(startUs)).cast("double")))
        .drop("c_covered_until_us");
  }
}
