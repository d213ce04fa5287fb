package org.computeledger.audit;

import static org.apache.spark.sql.functions.*;

import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.attribute.CostAttribution;
import org.computeledger.attribute.ResourceMap;
import org.computeledger.schema.Allocations;
import org.computeledger.schema.Charges;
import org.computeledger.schema.GpuSamples;
import org.computeledger.schema.Table;

/**
 * The raw lines behind the cost of the jobs an audit sample drew, for {@link AuditSample}: the jobs'
 * scheduler records on every node they held, the bill lines the report placed on those nodes over the
 * jobs' time (found with the report's own matching, {@link CostAttribution#classify}, so that the sample
 * holds what the report used), and the records of every other job on those nodes during those charges'
 * periods, which share the charges. The recompute ({@link CostRecompute}) matches and spreads the copied
 * lines again by its own code.
 */
final class CostEvidence {
  private CostEvidence() {}

  /** Adds the lines to {@code ev}; returns the nodes the drawn jobs held, whose GPU counts are evidence too. */
  static Set<String> add(SparkSession spark, String report, Set<String> jobs, AuditSample.Evidence ev) {
    Set<String> nodes = new TreeSet<>();
    if (jobs.isEmpty()) {
      return nodes;
    }
    Dataset<Row> allocs = AuditSample.read(spark, report, Table.ALLOCATIONS).filter(col(Allocations.STEP_ID).isNull());
    Column jobKey = concat_ws("/", coalesce(col(Allocations.CLUSTER), lit("")), col(Allocations.JOB_ID));
    Dataset<Row> mine = allocs.filter(jobKey.isin(jobs.toArray()).and(col(Allocations.NODE).isNotNull())
            .and(col(Allocations.START_TIME).isNotNull()))
        .select(col(Allocations.NODE).as("j_node"), unix_seconds(col(Allocations.START_TIME)).as("j_from"),
            unix_seconds(col(Allocations.END_TIME)).as("j_to"), col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE))
        .localCheckpoint();
    AuditSample.addLines(ev, mine.select(col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE)));
    for (Row r : mine.select("j_node").distinct().collectAsList()) {
      nodes.add(r.getString(0));
    }
    Dataset<Row> charges = AuditSample.read(spark, report, Table.CHARGES);
    Dataset<Row> resources = ResourceMap.readIfPresent(spark,
        new org.apache.hadoop.fs.Path(report, "declarations/" + ResourceMap.FILE_NAME));
    Dataset<Row> classified = CostAttribution.classify(charges, knownNodes(spark, report, allocs), resources)
        .filter(col(CostAttribution.CHARGE_CLASS).equalTo(CostAttribution.NODE_CHARGE)
            .and(col(CostAttribution.CHARGE_NODE).isin(nodes.toArray())))
        .select(col(CostAttribution.CHARGE_NODE).as("c_node"),
            unix_seconds(col(Charges.CHARGE_PERIOD_START)).as("c_from"),
            unix_seconds(col(Charges.CHARGE_PERIOD_END)).as("c_to"), col(Charges.SOURCE_FILE), col(Charges.SOURCE_LINE));
    // a job still running is held to the end of the logs: every later charge of its node may share in it
    Dataset<Row> used = classified.join(broadcast(mine.drop(Allocations.SOURCE_FILE, Allocations.SOURCE_LINE)),
            col("c_node").equalTo(col("j_node")).and(col("c_from").lt(coalesce(col("j_to"), lit(Long.MAX_VALUE))))
                .and(col("c_to").gt(col("j_from"))))
        .select(col("c_node"), col("c_from"), col("c_to"), col(Charges.SOURCE_FILE), col(Charges.SOURCE_LINE))
        .distinct().localCheckpoint();
    AuditSample.addLines(ev, used.select(col(Charges.SOURCE_FILE), col(Charges.SOURCE_LINE)));
    // every job on those nodes during those charges shares them
    Dataset<Row> spans = used.groupBy(col("c_node").as("s_node")).agg(min("c_from").as("s_from"), max("c_to").as("s_to"));
    Dataset<Row> sharing = allocs.join(broadcast(spans), col(Allocations.NODE).equalTo(col("s_node"))
            .and(unix_seconds(col(Allocations.START_TIME)).lt(col("s_to")))
            .and(col(Allocations.END_TIME).isNull().or(unix_seconds(col(Allocations.END_TIME)).gt(col("s_from")))))
        .select(col(Allocations.SOURCE_FILE), col(Allocations.SOURCE_LINE));
    AuditSample.addLines(ev, sharing);
    return nodes;
  }

  /**
   * The GPU nodes the report's run knew, as cost attribution reads them ({@code node, gpu_total}): the
   * most GPUs any job-level record held on the node, or the GPUs its telemetry showed, whichever is more.
   */
  static Dataset<Row> knownNodes(SparkSession spark, String report, Dataset<Row> jobLevel) {
    Dataset<Row> fromAllocs = jobLevel.filter(col(Allocations.NODE).isNotNull())
        .groupBy(col(Allocations.NODE).as("node")).agg(max(col(Allocations.GPU_COUNT)).as("a_gpus"));
    Dataset<Row> fromTelemetry = AuditSample.read(spark, report, Table.GPU_SAMPLES)
        .filter(col(GpuSamples.MIG_INSTANCE).isNull())
        .groupBy(col(GpuSamples.HOST).as("node")).agg(countDistinct(col(GpuSamples.GPU_UUID)).as("t_gpus"));
    return fromAllocs.join(fromTelemetry, "node", "full")
        .select(col("node"), greatest(coalesce(col("a_gpus").cast("int"), lit(0)), coalesce(col("t_gpus").cast("int"),
            lit(0))).as(CostAttribution.GPU_TOTAL));
  }
}
