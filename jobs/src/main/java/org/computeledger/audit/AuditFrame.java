package org.computeledger.audit;

import static org.apache.spark.sql.functions.*;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The audit's sampling frame, made from the report's GPU ledger ({@code gpu_usage}) alone: one row per
 * GPU-hour unit with the line item and job it belongs to, its reported FLOP (the unit's size) and its
 * estimation method. Sizes of jobs and line items are sums of their units, so that the three stages of
 * {@link SampleDesign} draw from totals that add up.
 *
 * <p>A GPU-hour unit is a job's share of one GPU (host, UUID, MIG instance) in one hour of the ledger,
 * all methods of that share together; the GPU time no job held is a unit of the pseudo-job
 * {@code (no job)} of its line item. A job's held GPU time without telemetry (allocation method) is one
 * unit per (job, node), {@code held|job|node}.
 */
public final class AuditFrame {
  public static final String LINE_ITEM = "line_item";
  public static final String JOB = "job";
  public static final String UNIT = "unit";
  public static final String KIND = "kind";
  public static final String KIND_GPU_HOUR = "gpu-hour";
  public static final String KIND_HELD = "held";
  public static final String HOUR_S = "hour_s";
  public static final String METHOD = "method";
  public static final String FLOP = "flop";
  public static final String STRATUM = "stratum";
  public static final String NO_JOB = "(no job)";

  private AuditFrame() {}

  /** Line item id as the audit names it: project and branch. */
  public static Column lineItemId(Column project, Column branch) {
    return concat_ws(" / ", project, branch);
  }

  /**
   * One row per unit: line_item, project, branch, job, unit, kind, host, gpu_uuid, mig_instance, hour_s,
   * model_id, method (the method holding most of its FLOP, ties by name), flop, gpu_seconds.
   */
  public static Dataset<Row> units(Dataset<Row> gpuUsage) {
    Column held = col("method").equalTo("allocation");
    Column li = lineItemId(col("project"), col("branch"));
    Column job = coalesce(col("job_key"), concat(lit(NO_JOB + " "), li));
    Column hour = unix_seconds(col("interval_start"));
    Column unit = when(held, concat_ws("|", lit(KIND_HELD), job, col("host")))
        .otherwise(concat_ws("|", lit(KIND_GPU_HOUR), hour.cast("string"), col("host"), coalesce(col("gpu_uuid"), lit("-")),
            coalesce(col("mig_instance"), lit("-")), job));
    Dataset<Row> rows = gpuUsage.select(li.as(LINE_ITEM), col("project"), col("branch"), job.as(JOB), unit.as(UNIT),
        when(held, lit(KIND_HELD)).otherwise(lit(KIND_GPU_HOUR)).as(KIND), col("host"), col("gpu_uuid"),
        col("mig_instance"), when(held, lit(null).cast("long")).otherwise(hour).as(HOUR_S), col("model_id"),
        col("method"), col("flop"), col("gpu_seconds"));
    Dataset<Row> byMethod = rows.groupBy(col(UNIT), col(METHOD)).agg(org.computeledger.common.ExactSum.of(col(FLOP)).as("m_flop"))
        .groupBy(col(UNIT).as("m_unit"))
        .agg(max_by(col(METHOD), struct(col("m_flop"), col(METHOD))).as("u_method"));
    return rows.groupBy(col(LINE_ITEM), col("project"), col("branch"), col(JOB), col(UNIT), col(KIND), col("host"),
            col("gpu_uuid"), col("mig_instance"), col(HOUR_S))
        .agg(first(col("model_id"), true).as("model_id"), org.computeledger.common.ExactSum.of(col(FLOP)).as(FLOP), org.computeledger.common.ExactSum.of(col("gpu_seconds")).as("gpu_seconds"))
        .join(byMethod, col(UNIT).equalTo(col("m_unit")))
        .drop("m_unit")
        .withColumnRenamed("u_method", METHOD);
  }

  /** One row per line item: its stratum (the method holding most of its FLOP) and its FLOP. */
  public static Dataset<Row> lineItems(Dataset<Row> units) {
    Dataset<Row> byMethod = units.groupBy(col(LINE_ITEM), col(METHOD)).agg(org.computeledger.common.ExactSum.of(col(FLOP)).as("m_flop"))
        .groupBy(col(LINE_ITEM).as("s_li"))
        .agg(max_by(col(METHOD), struct(col("m_flop"), col(METHOD))).as(STRATUM));
    return units.groupBy(col(LINE_ITEM)).agg(org.computeledger.common.ExactSum.of(col(FLOP)).as(FLOP))
        .join(byMethod, col(LINE_ITEM).equalTo(col("s_li"))).drop("s_li");
  }

  /** One row per job: its line item and FLOP. */
  public static Dataset<Row> jobs(Dataset<Row> units) {
    return units.groupBy(col(LINE_ITEM), col(JOB)).agg(org.computeledger.common.ExactSum.of(col(FLOP)).as(FLOP));
  }
}
