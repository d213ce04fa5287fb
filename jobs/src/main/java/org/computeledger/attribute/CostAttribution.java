package org.computeledger.attribute;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.computeledger.common.StageCheckpoint;
import org.computeledger.schema.Charges;
import org.computeledger.common.ColumnSteps;

/**
 * Billed money to allocations: each charge for a GPU node is spread over that node's GPU-seconds in
 * the charge's period, and the reconciliation accounts for every charge of the bill.
 *
 * <p><b>Which node a charge bills.</b> A known node is one listed in {@code nodeGpus} with at least
 * one GPU; names are compared exactly. The rules are tried in this order, and the first that names a
 * known node wins ({@code match_rule} records which):
 * <ol>
 *   <li>{@value #RULE_RESOURCES}: the {@code resources.csv} line that maps the charge's
 *       {@code resource_id} to a host for the time (see {@link ResourceMap}). A charge whose period
 *       spans a change of host (an instance replaced mid-month) is cut at the change: each piece gets
 *       the cost of its share of the period's seconds (rounded half-up to 12 decimals, the pieces
 *       adding up exactly), and a part of the period no line covers keeps the rest of the cost and
 *       goes on to the rules below;</li>
 *   <li>{@value #RULE_HOST_TAG}: the tag {@code host} ({@code user:host} in AWS, whose parser drops the
 *       {@code user:} prefix), {@code user:host}, {@code ledger-node}, {@code node}, {@code hostname};</li>
 *   <li>{@value #RULE_K8S_LABEL}: the label {@code kubernetes.io/hostname} (or
 *       {@code k8s-label/kubernetes.io/hostname}, as GKE cost allocation writes node labels);</li>
 *   <li>{@value #RULE_NAME}: the charge's {@code resource_name}, then the last path segment of its
 *       {@code resource_name} or {@code resource_id} (a Google Cloud global name ends in
 *       {@code instances/NAME}, an Azure resource id in {@code virtualMachines/NAME}): the instance name,
 *       which is the node name for GKE and most self-managed clusters;</li>
 *   <li>{@value #RULE_NAME_TAG}: the tag {@code Name} (AWS console's instance name);</li>
 *   <li>{@value #RULE_RESOURCE_ID}: the {@code resource_id} itself.</li>
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

  /** Which rule found a charge's node (null when none did); the rules in their order. */
  public static final String MATCH_RULE = "match_rule";
  public static final String RULE_RESOURCES = "resources.csv";
  public static final String RULE_HOST_TAG = "host tag";
  public static final String RULE_K8S_LABEL = "kubernetes.io/hostname label";
  public static final String RULE_NAME = "instance name";
  public static final String RULE_NAME_TAG = "Name tag";
  public static final String RULE_RESOURCE_ID = "resource id";
  /** The {@code rule} of {@link #matching} for charges no rule placed on a GPU node. */
  public static final String UNMATCHED_RESOURCE = "unmatched: resource is not a known GPU node";
  public static final String UNMATCHED_NO_RESOURCE = "unmatched: no resource (not attributable)";
  /** The host {@code resources.csv} gives a charge (piece), before the node check. */
  static final String MAPPED_HOST = "_mapped_host";

  private CostAttribution() {}

  /**
   * Each allocation's share of the charges of the nodes it ran on: {@code alloc_id, provider,
   * currency, cost_billed, cost_effective}, one row per allocation, provider and currency it got a
   * share from. Allocations that overlap no charge have no row.
   */
  public static Dataset<Row> allocCosts(Dataset<Row> allocs, Dataset<Row> charges, Dataset<Row> nodeGpus) {
    return allocCosts(allocs, charges, nodeGpus, null);
  }

  /** As {@link #allocCosts(Dataset, Dataset, Dataset)}, with a {@link ResourceMap} (may be null). */
  public static Dataset<Row> allocCosts(Dataset<Row> allocs, Dataset<Row> charges, Dataset<Row> nodeGpus,
      Dataset<Row> resources) {
    return allocCosts(unprepared(allocs, charges, nodeGpus, resources));
  }

  /**
   * The charges classified and every allocation's share of every charge group, computed once: the
   * allocation costs, the fx.csv pieces, the reconciliation and the matching table all read them, and
   * each would otherwise classify the charges (a driver collect of the known nodes) and join them to the
   * allocations again. Both are local checkpoints, so the tables that read them plan from the data.
   */
  public record Prepared(Dataset<Row> classified, Dataset<Row> shares) {}

  /** {@link Prepared} for these allocations, charges and nodes ({@code resources} may be null). */
  public static Prepared prepare(Dataset<Row> allocs, Dataset<Row> charges, Dataset<Row> nodeGpus,
      Dataset<Row> resources) {
    Dataset<Row> classified = classify(charges, nodeGpus, resources).transform(StageCheckpoint::keep);
    return new Prepared(classified, shares(allocs, classified).transform(StageCheckpoint::keep));
  }

  /** As {@link #prepare}, without the checkpoints: for a single table. */
  private static Prepared unprepared(Dataset<Row> allocs, Dataset<Row> charges, Dataset<Row> nodeGpus,
      Dataset<Row> resources) {
    Dataset<Row> classified = classify(charges, nodeGpus, resources);
    return new Prepared(classified, shares(allocs, classified));
  }

  /** {@link #allocCosts(Dataset, Dataset, Dataset, Dataset)} from prepared shares. */
  public static Dataset<Row> allocCosts(Prepared p) {
    return p.shares().groupBy(col(ALLOC_ID), col(Charges.PROVIDER), col(Charges.CURRENCY))
        .agg(sum(COST_BILLED).cast(MONEY).as(COST_BILLED), sum(COST_EFFECTIVE).cast(MONEY).as(COST_EFFECTIVE));
  }

  /** {@link #allocCostPieces(Dataset, Dataset, Dataset, Dataset)} from prepared shares. */
  public static Dataset<Row> allocCostPieces(Prepared p) {
    return p.shares().select(col(ALLOC_ID), col(Charges.CURRENCY), col(COST_BILLED), col(COST_EFFECTIVE),
        col("c_start").cast("timestamp").as(Charges.CHARGE_PERIOD_START));
  }

  /** {@link #reconciliation(Dataset, Dataset, Dataset, Dataset)} from prepared charges and shares. */
  public static Dataset<Row> reconciliation(Prepared p) {
    return reconciliation(p.classified(), p.shares());
  }

  /** {@link #matching(Dataset, Dataset, Dataset)} from prepared charges. */
  public static Dataset<Row> matching(Prepared p) {
    return matchingOf(p.classified());
  }

  /**
   * Each allocation's share of each charge period it overlaps, before the sum of {@link #allocCosts}:
   * {@code alloc_id, currency, cost_billed, cost_effective, charge_period_start}; {@link FxConversion} converts
   * these at the rate of the charge's date. Their sums per allocation and currency are {@link #allocCosts}'.
   */
  public static Dataset<Row> allocCostPieces(Dataset<Row> allocs, Dataset<Row> charges, Dataset<Row> nodeGpus,
      Dataset<Row> resources) {
    return allocCostPieces(unprepared(allocs, charges, nodeGpus, resources));
  }

  /**
   * One row per provider and currency: {@code input_total, allocated, unallocated_idle,
   * unallocated_other_resource, not_attributable} in billed cost, {@code charges} (how many), and
   * the same five amounts in effective cost with the {@code effective_} prefix. In each row
   * {@code input_total = allocated + unallocated_idle + unallocated_other_resource +
   * not_attributable} exactly, in billed and in effective cost.
   */
  public static Dataset<Row> reconciliation(Dataset<Row> allocs, Dataset<Row> charges, Dataset<Row> nodeGpus) {
    return reconciliation(allocs, charges, nodeGpus, null);
  }

  /** As {@link #reconciliation(Dataset, Dataset, Dataset)}, with a {@link ResourceMap} (may be null). */
  public static Dataset<Row> reconciliation(Dataset<Row> allocs, Dataset<Row> charges, Dataset<Row> nodeGpus,
      Dataset<Row> resources) {
    Dataset<Row> classified = classify(charges, nodeGpus, resources);
    return reconciliation(classified, shares(allocs, classified));
  }

  private static Dataset<Row> reconciliation(Dataset<Row> classified, Dataset<Row> shares) {
    Column billed = coalesce(col(Charges.BILLED_COST), zero());
    Column effective = coalesce(col(Charges.EFFECTIVE_COST), zero());
    Dataset<Row> inputs = classified.select(col(Charges.PROVIDER), col(Charges.CURRENCY),
        billed.as("in_b"), onlyIf(NODE_CHARGE, billed).as("node_b"), onlyIf(OTHER_RESOURCE, billed).as("other_b"),
        onlyIf(NOT_ATTRIBUTABLE, billed).as("na_b"), zero().as("alloc_b"),
        effective.as("in_e"), onlyIf(NODE_CHARGE, effective).as("node_e"),
        onlyIf(OTHER_RESOURCE, effective).as("other_e"), onlyIf(NOT_ATTRIBUTABLE, effective).as("na_e"),
        zero().as("alloc_e"), lit(1L).as("n"));
    Dataset<Row> allocated = shares.select(col(Charges.PROVIDER), col(Charges.CURRENCY),
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
   * How much cost each rule placed on a GPU node, per provider and currency: {@code provider, currency,
   * rule, charges} (rows, a charge cut by {@code resources.csv} counting once per piece),
   * {@code billed_cost, effective_cost}; charges no rule placed are under {@link #UNMATCHED_RESOURCE}
   * or {@link #UNMATCHED_NO_RESOURCE}. The amounts of a provider and currency add up to its input total.
   */
  public static Dataset<Row> matching(Dataset<Row> charges, Dataset<Row> nodeGpus, Dataset<Row> resources) {
    return matchingOf(classify(charges, nodeGpus, resources));
  }

  private static Dataset<Row> matchingOf(Dataset<Row> classified) {
    Column rule = when(col(MATCH_RULE).isNotNull(), col(MATCH_RULE))
        .when(col(CHARGE_CLASS).equalTo(OTHER_RESOURCE), lit(UNMATCHED_RESOURCE))
        .otherwise(lit(UNMATCHED_NO_RESOURCE));
    return classified.groupBy(col(Charges.PROVIDER), col(Charges.CURRENCY), rule.as("rule"))
        .agg(count(lit(1)).as(CHARGE_COUNT),
            sum(coalesce(col(Charges.BILLED_COST), zero())).cast(MONEY).as(Charges.BILLED_COST),
            sum(coalesce(col(Charges.EFFECTIVE_COST), zero())).cast(MONEY).as(Charges.EFFECTIVE_COST));
  }

  /** {@link #classify(Dataset, Dataset, Dataset)} without a resource map. */
  public static Dataset<Row> classify(Dataset<Row> charges, Dataset<Row> nodeGpus) {
    return classify(charges, nodeGpus, null);
  }

  /**
   * The charges with the node each bills ({@code charge_node}, null if none), the rule that found it
   * ({@code match_rule}) and its class ({@code charge_class}: node, other_resource or not_attributable),
   * by the rules of the class comment. Every input row comes out once, except that a charge whose period
   * {@code resources} maps to several hosts comes out once per piece, the pieces' costs adding up to its
   * own exactly.
   */
  public static Dataset<Row> classify(Dataset<Row> charges, Dataset<Row> nodeGpus, Dataset<Row> resources) {
    // Known nodes are few (hosts, not samples): looked up as a map literal, so a charge row stays one
    // row and no join is needed per rule.
    Map<String, Integer> known = new TreeMap<>();
    for (Row r : nodeGpus.filter(col(NODE).isNotNull().and(col(GPU_TOTAL).gt(0)))
        .groupBy(col(NODE)).agg(max(col(GPU_TOTAL)).as(GPU_TOTAL)).collectAsList()) {
      known.put(r.getString(0), ((Number) r.get(1)).intValue());
    }
    Column nodes = known.isEmpty() ? map().cast("map<string,int>") : mapLiteral(known);

    Dataset<Row> split = resources == null
        ? charges.withColumn(MAPPED_HOST, lit(null).cast("string"))
        : splitByResourceMap(charges, resources);

    Column tags = col(Charges.TAGS);
    Column lastSegmentOfName = regexp_extract(col(Charges.RESOURCE_NAME), "([^/]+)/*$", 1);
    Column lastSegmentOfId = regexp_extract(col(Charges.RESOURCE_ID), "([^/]+)/*$", 1);
    Object[][] rules = {
        {RULE_RESOURCES, new Column[] {col(MAPPED_HOST)}},
        {RULE_HOST_TAG, new Column[] {tags.getItem("host"), tags.getItem("user:host"), tags.getItem("ledger-node"),
            tags.getItem("node"), tags.getItem("hostname")}},
        {RULE_K8S_LABEL, new Column[] {tags.getItem("kubernetes.io/hostname"),
            tags.getItem("k8s-label/kubernetes.io/hostname")}},
        {RULE_NAME, new Column[] {col(Charges.RESOURCE_NAME), lastSegmentOfName, lastSegmentOfId}},
        {RULE_NAME_TAG, new Column[] {tags.getItem("Name"), tags.getItem("user:Name")}},
        {RULE_RESOURCE_ID, new Column[] {col(Charges.RESOURCE_ID)}},
    };
    Column node = lit(null).cast("string");
    Column rule = lit(null).cast("string");
    // built from the last rule to the first, so that the first rule's hit is the outermost test
    for (int i = rules.length - 1; i >= 0; i--) {
      Column[] candidates = (Column[]) rules[i][1];
      for (int k = candidates.length - 1; k >= 0; k--) {
        Column hit = element_at(nodes, candidates[k]).isNotNull();
        node = when(candidates[k].isNotNull().and(hit), candidates[k]).otherwise(node);
        rule = when(candidates[k].isNotNull().and(hit), lit((String) rules[i][0])).otherwise(rule);
      }
    }
    Column namesResource = nonBlank(col(Charges.RESOURCE_ID)).or(nonBlank(col(Charges.RESOURCE_NAME)));
    return ColumnSteps.steps()
        .set(CHARGE_NODE, node)
        .set(MATCH_RULE, rule)
        .set(GPU_TOTAL, element_at(nodes, col(CHARGE_NODE)))
        .set(CHARGE_CLASS, when(col(CHARGE_NODE).isNotNull(), lit(NODE_CHARGE))
            .when(namesResource.or(col(MAPPED_HOST).isNotNull()), lit(OTHER_RESOURCE))
            .otherwise(lit(NOT_ATTRIBUTABLE)))
        .applyTo(split)
        .drop(MAPPED_HOST);
  }

  private static Column mapLiteral(Map<String, Integer> known) {
    List<Column> kv = new ArrayList<>();
    for (Map.Entry<String, Integer> e : known.entrySet()) {
      kv.add(lit(e.getKey()));
      kv.add(lit(e.getValue()));
    }
    return map(kv.toArray(new Column[0]));
  }

  /**
   * Charges cut where {@code resources} changes the host of their {@code resource_id}: one row per
   * mapped piece (period cut to the mapping's validity, {@link #MAPPED_HOST} set) plus, when the
   * mappings leave part of the period uncovered, one row for the rest with the whole period and no
   * host. Money is cut by seconds: the pieces, in time order, get cost × (covered seconds up to their
   * end) / period, rounded, minus the same up to their start, so that they add up without a remainder
   * when the mappings cover the period. Charges with no mapping pass unchanged.
   */
  static Dataset<Row> splitByResourceMap(Dataset<Row> charges, Dataset<Row> resources) {
    Dataset<Row> m = resources.select(col(ResourceMap.RESOURCE_ID).as("_rid"), col(ResourceMap.HOST).as("_rhost"),
        unix_seconds(col(ResourceMap.VALID_FROM)).as("_rfrom"), unix_seconds(col(ResourceMap.VALID_TO)).as("_rto"));
    Dataset<Row> ch = ColumnSteps.steps()
        .set("_cid", monotonically_increasing_id())
        .set("_cs", unix_seconds(col(Charges.CHARGE_PERIOD_START)))
        .set("_ce", unix_seconds(col(Charges.CHARGE_PERIOD_END)))
        .applyTo(charges);
    Column on = col(Charges.RESOURCE_ID).equalTo(col("_rid")).and(col("_ce").gt(col("_cs")))
        .and(col("_rfrom").isNull().or(col("_rfrom").lt(col("_ce"))))
        .and(col("_rto").isNull().or(col("_rto").gt(col("_cs"))));
    Dataset<Row> joined = ch.join(broadcast(m), on, "left");
    String[] original = charges.columns();

    Column[] passCols = new Column[original.length + 1];
    for (int i = 0; i < original.length; i++) {
      passCols[i] = col(original[i]);
    }
    passCols[original.length] = lit(null).cast("string").as(MAPPED_HOST);
    Dataset<Row> unmapped = joined.filter(col("_rhost").isNull()).select(passCols);

    Column pStart = greatest(col("_cs"), coalesce(col("_rfrom"), col("_cs")));
    Column pEnd = least(col("_ce"), coalesce(col("_rto"), col("_ce")));
    WindowSpec inOrder = Window.partitionBy(col("_cid")).orderBy(col("_ps"));
    Dataset<Row> mapped = ColumnSteps.steps()
        .set("_ps", pStart).set("_pe", pEnd)
        .set("_cum_end", sum(col("_pe").minus(col("_ps")))
            .over(inOrder.rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
        .set("_cum_start", col("_cum_end").minus(col("_pe").minus(col("_ps"))))
        .set("_covered", sum(col("_pe").minus(col("_ps"))).over(Window.partitionBy(col("_cid"))))
        .set("_last", row_number().over(Window.partitionBy(col("_cid")).orderBy(col("_ps").desc())).equalTo(1))
        .set("_dur", col("_ce").minus(col("_cs")))
        .applyTo(joined.filter(col("_rhost").isNotNull()));

    String[] money = {Charges.BILLED_COST, Charges.EFFECTIVE_COST, Charges.LIST_COST};
    Column pieces = mappedPieces(money);
    Dataset<Row> exploded = mapped.withColumn("_p", explode(pieces));
    Column[] outCols = outColumns(original, money);
    return unmapped.unionByName(exploded.select(outCols));
  }

  /**
   * Per mapped row, the pieces it becomes: its own period, host and money share (the {@code money}
   * columns as {@code m0, m1, ...}), and on a charge's last piece, when the mappings leave part of the
   * period uncovered, a second one for the rest with the whole period and no host.
   */
  private static Column mappedPieces(String[] money) {
    List<Column> piece = new ArrayList<>();
    List<Column> rest = new ArrayList<>();
    piece.add(timestamp_seconds(col("_ps")).as("s"));
    piece.add(timestamp_seconds(col("_pe")).as("e"));
    piece.add(col("_rhost").as("h"));
    rest.add(col(Charges.CHARGE_PERIOD_START).as("s"));
    rest.add(col(Charges.CHARGE_PERIOD_END).as("e"));
    rest.add(lit(null).cast("string").as("h"));
    for (int i = 0; i < money.length; i++) {
      Column cost = col(money[i]);
      Column upToEnd = share(cost, col("_cum_end"), col("_dur"));
      Column upToStart = share(cost, col("_cum_start"), col("_dur"));
      piece.add(when(cost.isNull(), lit(null).cast(MONEY))
          .otherwise(upToEnd.cast(MONEY_OPERAND).minus(upToStart.cast(MONEY_OPERAND)).cast(MONEY)).as("m" + i));
      rest.add(when(cost.isNull(), lit(null).cast(MONEY))
          .otherwise(cost.cast(MONEY_OPERAND).minus(share(cost, col("_covered"), col("_dur")).cast(MONEY_OPERAND))
              .cast(MONEY)).as("m" + i));
    }
    return when(col("_last").and(col("_covered").lt(col("_dur"))),
        array(struct(piece.toArray(new Column[0])), struct(rest.toArray(new Column[0]))))
        .otherwise(array(struct(piece.toArray(new Column[0]))));
  }

  /** The charge's own columns, with period and money taken from the piece {@code _p}, then its host. */
  private static Column[] outColumns(String[] original, String[] money) {
    Column[] outCols = new Column[original.length + 1];
    for (int i = 0; i < original.length; i++) {
      String c = original[i];
      Column v = col(c);
      if (c.equals(Charges.CHARGE_PERIOD_START)) {
        v = col("_p.s");
      } else if (c.equals(Charges.CHARGE_PERIOD_END)) {
        v = col("_p.e");
      } else {
        for (int k = 0; k < money.length; k++) {
          if (c.equals(money[k])) {
            v = col("_p.m" + k);
          }
        }
      }
      outCols[i] = v.as(c);
    }
    outCols[original.length] = col("_p.h").as(MAPPED_HOST);
    return outCols;
  }

  /**
   * Per allocation and charge group (provider, currency, node, period): the allocation's share in
   * billed and effective cost, rounded to 12 decimals.
   */
  private static Dataset<Row> shares(Dataset<Row> allocs, Dataset<Row> classified) {
    Column chargeStart = unix_seconds(col(Charges.CHARGE_PERIOD_START));
    Column chargeEnd = unix_seconds(col(Charges.CHARGE_PERIOD_END));
    Dataset<Row> nodeCharges = classified.filter(col(CHARGE_CLASS).equalTo(NODE_CHARGE)
        .and(chargeStart.isNotNull()).and(chargeEnd.isNotNull()).and(chargeEnd.gt(chargeStart)));
    Dataset<Row> groups = ColumnSteps.steps().set("c_start", chargeStart).set("c_end", chargeEnd).applyTo(nodeCharges)
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
        .select(col(ALLOC_ID), col(Charges.PROVIDER), col(Charges.CURRENCY), col("c_start"),
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
