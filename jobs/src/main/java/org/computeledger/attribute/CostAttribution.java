package org.computeledger.attribute;

import static org.apache.spark.sql.functions.*;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.computeledger.schema.Charges;

/**
 * Billed money to allocations: each charge for a GPU node is spread over that node's GPU-seconds in
 * the charge's period, and the reconciliation accounts for every charge of the bill.
 *
 * <p><b>Which node a charge bills.</b> A known node is one listed in {@code nodeGpus} with at least
 * one GPU; names are compared exactly. The first of these that is a known node wins:
 * <ol>
 *   <li>the charge's {@code resource_name};</li>
 *   <li>the value of its tag {@code ledger-node}, then {@code node}, then {@code hostname}, then
 *       {@code Name};</li>
 *   <li>its {@code resource_id}.</li>
 * </ol>
 * A charge none of these maps to a known node bills no GPU node.
 *
 * <p><b>Where a charge's money goes.</b>
 * <ul>
 *   <li>A charge for a node, over {@code [charge_period_start, charge_period_end)}: the node's
 *       capacity is its GPU count × the period's seconds; each allocation on the node gets
 *       {@code cost × (its GPU count × seconds it overlaps the period) / capacity}, and the rest is
 *       unallocated (idle). Should the allocations hold more GPU-seconds than the capacity (the
 *       scheduler over-committed, or the node's GPU count is short), they share the charge in
 *       proportion to what they held, so a job is never charged more than the bill. Credits and
 *       refunds for a node (negative costs) are spread the same way.</li>
 *   <li>A charge for a node without a usable period (missing, or not ending after it starts) cannot
 *       be spread: all of it is unallocated idle cost.</li>
 *   <li>A charge that names a resource ({@code resource_id} or {@code resource_name}) that is not a
 *       known GPU node (storage, network, CPU hosts): unallocated, other resource.</li>
 *   <li>A charge that names no resource (tax, support, account-level credits): not attributable.</li>
 * </ul>
 * Times are taken to the whole second (no input format is finer). Each allocation's share of a charge
 * is rounded half-up to 12 decimals, and idle cost is what the charge's total leaves after those
 * shares, so for every provider and currency the input total equals allocated + idle + other resource
 * + not attributable exactly. Null costs count as zero. Amounts of one provider, currency, node and
 * period are summed before they are spread (spreading is linear in the cost); such a sum must stay
 * below 10^10 and an allocation's GPU-seconds in one period below 10^15, far above any real bill.
 *
 * <p>The interval join has equality keys (node, UTC day) plus the overlap arithmetic: charges and
 * allocations are exploded to the days they touch and each pair's overlap is cut to the day, so the
 * days add up to the exact overlap.
 */
public final class CostAttribution {
  // inputs besides the charges table
  public static final String ALLOC_ID = "alloc_id";
  public static final String NODE = "node";
  public static final String START_TIME = "start_time";
  public static final String END_TIME = "end_time";
  public static final String GPU_COUNT = "gpu_count";
  public static final String GPU_TOTAL = "gpu_total";

  // outputs
  public static final String COST_BILLED = "cost_billed";
  public static final String COST_EFFECTIVE = "cost_effective";
  /** The known node a charge bills, or null (see the class comment for the mapping). */
  public static final String CHARGE_NODE = "charge_node";
  /** One of {@link #NODE_CHARGE}, {@link #OTHER_RESOURCE}, {@link #NOT_ATTRIBUTABLE}. */
  public static final String CHARGE_CLASS = "charge_class";
  public static final String NODE_CHARGE = "node";
  public static final String OTHER_RESOURCE = "other_resource";
  public static final String NOT_ATTRIBUTABLE = "not_attributable";

  public static final String INPUT_TOTAL = "input_total";
  public static final String ALLOCATED = "allocated";
  public static final String UNALLOCATED_IDLE = "unallocated_idle";
  public static final String UNALLOCATED_OTHER_RESOURCE = "unallocated_other_resource";
  public static final String NOT_ATTRIBUTABLE_COST = "not_attributable";
  public static final String CHARGE_COUNT = "charges";
  /** Prefix of the same five amounts in effective cost (after discounts and amortization). */
  public static final String EFFECTIVE_PREFIX = "effective_";

  /** Reason given for charges of resources that are not GPU nodes, for the methodology. */
  public static final String OTHER_RESOURCE_REASON = "resource is not a known GPU node";

  public static final DataType MONEY = DataTypes.createDecimalType(38, 12);
  /** Room for the product cost × GPU-seconds to stay exact: 22 + 15 + 1 digits fit in 38. */
  private static final DataType COST_OPERAND = DataTypes.createDecimalType(22, 12);
  private static final DataType SECONDS_OPERAND = DataTypes.createDecimalType(15, 0);
  /** Sums of MONEY are MONEY; one digit less lets a difference of two sums keep all 12 decimals. */
  private static final DataType MONEY_OPERAND = DataTypes.createDecimalType(37, 12);

  private static final long DAY_SECONDS = 86_400L;
  private static final String[] NODE_TAGS = {"ledger-node", "node", "hostname", "Name"};

  private CostAttribution() {}

  /**
   * Each allocation's share of the charges of the nodes it ran on: {@code alloc_id, provider,
   * currency, cost_billed, cost_effective}, one row per allocation, provider and currency it got a
   * share from. Allocations that overlap no charge have no row.
   */
  public static Dataset<Row> allocCosts(Dataset<Row> allocs, Dataset<Row> charges, Dataset<Row> nodeGpus) {
    return shares(allocs, classify(charges, nodeGpus))
        .groupBy(col(ALLOC_ID), col(Charges.PROVIDER), col(Charges.CURRENCY))
        .agg(sum(COST_BILLED).cast(MONEY).as(COST_BILLED), sum(COST_EFFECTIVE).cast(MONEY).as(COST_EFFECTIVE));
  }

  /**
   * One row per provider and currency: {@code input_total, allocated, unallocated_idle,
   * unallocated_other_resource, not_attributable} in billed cost, {@code charges} (how many), and
   * the same five amounts in effective cost with the {@code effective_} prefix. In each row
   * {@code input_total = allocated + unallocated_idle + unallocated_other_resource +
   * not_attributable} exactly, in billed and in effective cost.
   */
  public static Dataset<Row> reconciliation(Dataset<Row> allocs, Dataset<Row> charges, Dataset<Row> nodeGpus) {
    Dataset<Row> classified = classify(charges, nodeGpus);
    Column billed = coalesce(col(Charges.BILLED_COST), zero());
    Column effective = coalesce(col(Charges.EFFECTIVE_COST), zero());
    Dataset<Row> inputs = classified.select(col(Charges.PROVIDER), col(Charges.CURRENCY),
        billed.as("in_b"), onlyIf(NODE_CHARGE, billed).as("node_b"), onlyIf(OTHER_RESOURCE, billed).as("other_b"),
        onlyIf(NOT_ATTRIBUTABLE, billed).as("na_b"), zero().as("alloc_b"),
        effective.as("in_e"), onlyIf(NODE_CHARGE, effective).as("node_e"),
        onlyIf(OTHER_RESOURCE, effective).as("other_e"), onlyIf(NOT_ATTRIBUTABLE, effective).as("na_e"),
        zero().as("alloc_e"), lit(1L).as("n"));
    Dataset<Row> allocated = shares(allocs, classified).select(col(Charges.PROVIDER), col(Charges.CURRENCY),
        zero().as("in_b"), zero().as("node_b"), zero().as("other_b"), zero().as("na_b"),
        col(COST_BILLED).as("alloc_b"),
        zero().as("in_e"), zero().as("node_e"), zero().as("other_e"), zero().as("na_e"),
        col(COST_EFFECTIVE).as("alloc_e"), lit(0L).as("n"));

    // a union and one aggregation rather than a join: a null provider or currency still groups
    Dataset<Row> totals = inputs.unionByName(allocated)
        .groupBy(col(Charges.PROVIDER), col(Charges.CURRENCY))
        .agg(sum("in_b").as("in_b"), sum("node_b").as("node_b"), sum("other_b").as("other_b"),
            sum("na_b").as("na_b"), sum("alloc_b").as("alloc_b"),
            sum("in_e").as("in_e"), sum("node_e").as("node_e"), sum("other_e").as("other_e"),
            sum("na_e").as("na_e"), sum("alloc_e").as("alloc_e"), sum("n").as("n"));
    return totals.select(col(Charges.PROVIDER), col(Charges.CURRENCY),
        col("in_b").cast(MONEY).as(INPUT_TOTAL),
        col("alloc_b").cast(MONEY).as(ALLOCATED),
        remainder("node_b", "alloc_b").as(UNALLOCATED_IDLE),
        col("other_b").cast(MONEY).as(UNALLOCATED_OTHER_RESOURCE),
        col("na_b").cast(MONEY).as(NOT_ATTRIBUTABLE_COST),
        col("n").as(CHARGE_COUNT),
        col("in_e").cast(MONEY).as(EFFECTIVE_PREFIX + INPUT_TOTAL),
        col("alloc_e").cast(MONEY).as(EFFECTIVE_PREFIX + ALLOCATED),
        remainder("node_e", "alloc_e").as(EFFECTIVE_PREFIX + UNALLOCATED_IDLE),
        col("other_e").cast(MONEY).as(EFFECTIVE_PREFIX + UNALLOCATED_OTHER_RESOURCE),
        col("na_e").cast(MONEY).as(EFFECTIVE_PREFIX + NOT_ATTRIBUTABLE_COST));
  }

  /**
   * The charges with the node each bills ({@code charge_node}, null if none) and its class
   * ({@code charge_class}: node, other_resource or not_attributable), by the rules of the class
   * comment. Every input row comes out once.
   */
  public static Dataset<Row> classify(Dataset<Row> charges, Dataset<Row> nodeGpus) {
    // one row per known node, so the lookups below can never duplicate a charge
    Dataset<Row> known = nodeGpus
        .filter(col(NODE).isNotNull().and(col(GPU_TOTAL).gt(0)))
        .groupBy(col(NODE)).agg(max(col(GPU_TOTAL)).as(GPU_TOTAL));

    Column[] candidates = new Column[2 + NODE_TAGS.length];
    candidates[0] = col(Charges.RESOURCE_NAME);
    for (int i = 0; i < NODE_TAGS.length; i++) {
      candidates[i + 1] = col(Charges.TAGS).getItem(NODE_TAGS[i]);
    }
    candidates[candidates.length - 1] = col(Charges.RESOURCE_ID);

    // one small broadcast equi-join per candidate: a charge row stays a row, never a Cartesian product
    Dataset<Row> looked = charges;
    Column[] hits = new Column[candidates.length];
    Column[] gpus = new Column[candidates.length];
    for (int i = 0; i < candidates.length; i++) {
      String hit = "_hit" + i;
      String total = "_gpus" + i;
      Dataset<Row> lookup = known.select(col(NODE).as(hit), col(GPU_TOTAL).as(total));
      looked = looked.join(broadcast(lookup), candidates[i].equalTo(lookup.col(hit)), "left");
      hits[i] = col(hit);
      gpus[i] = col(total);
    }
    Column namesResource = nonBlank(col(Charges.RESOURCE_ID)).or(nonBlank(col(Charges.RESOURCE_NAME)));
    Dataset<Row> classified = looked
        .withColumn(CHARGE_NODE, coalesce(hits))
        .withColumn(GPU_TOTAL, coalesce(gpus))
        .withColumn(CHARGE_CLASS, when(col(CHARGE_NODE).isNotNull(), lit(NODE_CHARGE))
            .when(namesResource, lit(OTHER_RESOURCE))
            .otherwise(lit(NOT_ATTRIBUTABLE)));
    for (int i = 0; i < candidates.length; i++) {
      classified = classified.drop("_hit" + i, "_gpus" + i);
    }
    return classified;
  }

  /**
   * Per allocation and charge group (provider, currency, node, period): the allocation's share in
   * billed and effective cost, rounded to 12 decimals.
   */
  private static Dataset<Row> shares(Dataset<Row> allocs, Dataset<Row> classified) {
    Column chargeStart = unix_seconds(col(Charges.CHARGE_PERIOD_START));
    Column chargeEnd = unix_seconds(col(Charges.CHARGE_PERIOD_END));
    Dataset<Row> groups = classified
        .filter(col(CHARGE_CLASS).equalTo(NODE_CHARGE)
            .and(chargeStart.isNotNull()).and(chargeEnd.isNotNull()).and(chargeEnd.gt(chargeStart)))
        .withColumn("c_start", chargeStart)
        .withColumn("c_end", chargeEnd)
        .groupBy(col(Charges.PROVIDER), col(Charges.CURRENCY), col(CHARGE_NODE), col(GPU_TOTAL),
            col("c_start"), col("c_end"))
        .agg(sum(coalesce(col(Charges.BILLED_COST), zero())).as("c_billed"),
            sum(coalesce(col(Charges.EFFECTIVE_COST), zero())).as("c_effective"))
        .withColumn("c_day", explode(days(col("c_start"), col("c_end"))));

    Dataset<Row> held = allocs
        .select(col(ALLOC_ID), col(NODE).as("a_node"), col(GPU_COUNT).as("a_gpus"),
            unix_seconds(col(START_TIME)).as("a_start"), unix_seconds(col(END_TIME)).as("a_end"))
        .filter(col("a_node").isNotNull().and(col("a_gpus").gt(0))
            .and(col("a_start").isNotNull()).and(col("a_end").gt(col("a_start"))))
        .withColumn("a_day", explode(days(col("a_start"), col("a_end"))));

    Column dayStart = col("c_day").multiply(DAY_SECONDS);
    Column overlap = least(col("a_end"), col("c_end"), dayStart.plus(DAY_SECONDS))
        .minus(greatest(col("a_start"), col("c_start"), dayStart));
    Dataset<Row> pairs = groups
        .join(held, col(CHARGE_NODE).equalTo(col("a_node")).and(col("c_day").equalTo(col("a_day"))))
        .withColumn("overlap_s", overlap)
        .filter(col("overlap_s").gt(0))
        .groupBy(col(ALLOC_ID), col(Charges.PROVIDER), col(Charges.CURRENCY), col(CHARGE_NODE), col(GPU_TOTAL),
            col("c_start"), col("c_end"), col("c_billed"), col("c_effective"))
        .agg(sum(col("overlap_s").multiply(col("a_gpus").cast("long"))).as("held_gpu_s"));

    Column capacity = col(GPU_TOTAL).cast("long").multiply(col("c_end").minus(col("c_start")));
    Column heldByAll = sum(col("held_gpu_s")).over(Window.partitionBy(
        col(Charges.PROVIDER), col(Charges.CURRENCY), col(CHARGE_NODE), col("c_start"), col("c_end")));
    return pairs
        .withColumn("denominator", greatest(capacity, heldByAll))
        .select(col(ALLOC_ID), col(Charges.PROVIDER), col(Charges.CURRENCY),
            share(col("c_billed"), col("held_gpu_s"), col("denominator")).as(COST_BILLED),
            share(col("c_effective"), col("held_gpu_s"), col("denominator")).as(COST_EFFECTIVE));
  }

  /** cost × held / denominator in decimal arithmetic sized so that nothing is lost before the rounding. */
  private static Column share(Column cost, Column held, Column denominator) {
    return cost.cast(COST_OPERAND).multiply(held.cast(SECONDS_OPERAND))
        .divide(denominator.cast(SECONDS_OPERAND))
        .cast(MONEY);
  }

  /** UTC day numbers that {@code [start, end)} (epoch seconds, end after start) touches. */
  private static Column days(Column start, Column end) {
    return sequence(floor(start.divide(DAY_SECONDS)), floor(end.minus(1).divide(DAY_SECONDS)));
  }

  private static Column remainder(String total, String taken) {
    return col(total).cast(MONEY_OPERAND).minus(col(taken).cast(MONEY_OPERAND)).cast(MONEY);
  }

  private static Column onlyIf(String chargeClass, Column amount) {
    return when(col(CHARGE_CLASS).equalTo(chargeClass), amount).otherwise(zero());
  }

  private static Column zero() {
    return lit(java.math.BigDecimal.ZERO).cast(MONEY);
  }

  private static Column nonBlank(Column c) {
    return c.isNotNull().and(length(trim(c)).gt(0));
  }
}
