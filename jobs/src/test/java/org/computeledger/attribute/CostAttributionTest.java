package org.computeledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.schema.Charges;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;

/** Cost attribution and its reconciliation, with expectations worked out by hand from each bill. */
class CostAttributionTest extends LocalSparkTestBase {
  private static final StructType ALLOCS = StructType.fromDDL(
      "alloc_id BIGINT, node STRING, start_time TIMESTAMP, end_time TIMESTAMP, gpu_count INT, gpu_model STRING");
  private static final StructType NODES = StructType.fromDDL("node STRING, gpu_total INT");

  // --- how a charge is spread over the node's GPU-seconds

  @Test
  void hourlyChargeIsSplitByGpuSecondsHeldAndTheRestIsIdle() {
    // capacity 8 GPUs × 3600 s; A holds 4 × 1800, B holds 8 × 1800
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", 4),
        alloc(2, "n1", "2026-03-02T10:30:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "98.32").name("n1"));

    Map<Long, Row> costs = byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8)));
    assertMoney("24.58", costs.get(1L).getAs(CostAttribution.COST_BILLED));
    assertMoney("49.16", costs.get(2L).getAs(CostAttribution.COST_BILLED));

    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)));
    assertMoney("98.32", r.getAs(CostAttribution.INPUT_TOTAL));
    assertMoney("73.74", r.getAs(CostAttribution.ALLOCATED));
    assertMoney("24.58", r.getAs(CostAttribution.UNALLOCATED_IDLE));
  }

  @Test
  void effectiveCostIsSpreadLikeBilledCost() {
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", 4),
        alloc(2, "n1", "2026-03-02T10:30:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "98.32").effective("80.00").name("n1"));

    Map<Long, Row> costs = byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8)));
    assertMoney("20.00", costs.get(1L).getAs(CostAttribution.COST_EFFECTIVE));
    assertMoney("40.00", costs.get(2L).getAs(CostAttribution.COST_EFFECTIVE));
    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)));
    assertMoney("80.00", r.getAs("effective_input_total"));
    assertMoney("60.00", r.getAs("effective_allocated"));
    assertMoney("20.00", r.getAs("effective_unallocated_idle"));
  }

  @Test
  void dailyChargeCountsOnlyTheHoursInsideItsDay() {
    // 8 GPUs × 24 h = 192 GPU-hours for 240.00; A: 2 GPUs × 6 h inside, B: 8 GPUs × 4 h inside
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-01T18:00:00Z", "2026-03-02T06:00:00Z", 2),
        alloc(2, "n1", "2026-03-02T20:00:00Z", "2026-03-03T04:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "240.00").name("n1"));

    Map<Long, Row> costs = byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8)));
    assertMoney("15.00", costs.get(1L).getAs(CostAttribution.COST_BILLED));
    assertMoney("40.00", costs.get(2L).getAs(CostAttribution.COST_BILLED));
  }

  @Test
  void monthlyChargeAddsTheOverlapOverEveryDayTheJobTouches() {
    // March has 744 h; the job holds the whole node for 60 h spread over three days
    Dataset<Row> allocs = allocs(alloc(1, "n1", "2026-03-10T06:00:00Z", "2026-03-12T18:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "7440.00").name("n1"));

    Map<Long, Row> costs = byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8)));
    assertMoney("600.00", costs.get(1L).getAs(CostAttribution.COST_BILLED));
    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)));
    assertMoney("6840.00", r.getAs(CostAttribution.UNALLOCATED_IDLE));
  }

  @Test
  void creditForANodeIsSpreadLikeACharge() {
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", 4),
        alloc(2, "n1", "2026-03-02T10:30:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "-2.61").category("Credit").name("n1"));

    Map<Long, Row> costs = byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8)));
    assertMoney("-0.6525", costs.get(1L).getAs(CostAttribution.COST_BILLED));
    assertMoney("-1.305", costs.get(2L).getAs(CostAttribution.COST_BILLED));
    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)));
    assertMoney("-0.6525", r.getAs(CostAttribution.UNALLOCATED_IDLE));
  }

  @Test
  void overcommittedNodeSharesTheChargeByWhatEachHeldAndLeavesNoIdle() {
    // 16 GPU-hours held on an 8-GPU node in one hour: nobody pays for more than the bill
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8),
        alloc(2, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "98.32").name("n1"));

    Map<Long, Row> costs = byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8)));
    assertMoney("49.16", costs.get(1L).getAs(CostAttribution.COST_BILLED));
    assertMoney("49.16", costs.get(2L).getAs(CostAttribution.COST_BILLED));
    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)));
    assertMoney("0", r.getAs(CostAttribution.UNALLOCATED_IDLE));
  }

  @Test
  void allocationOutsideThePeriodOrOnAnotherNodeGetsNothing() {
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z", 8),
        alloc(2, "n2", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "98.32").name("n1"));

    Dataset<Row> nodes = nodes("n1", 8, "n2", 8);
    assertTrue(byAlloc(CostAttribution.allocCosts(allocs, charges, nodes)).isEmpty());
    assertMoney("98.32", onlyRow(CostAttribution.reconciliation(allocs, charges, nodes))
        .getAs(CostAttribution.UNALLOCATED_IDLE));
  }

  @Test
  void chargeForANodeWithoutAPeriodEndStaysIdle() {
    Dataset<Row> allocs = allocs(alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(charge("2026-03-02T10:00:00Z", null, "12.00").name("n1"));

    assertTrue(byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8))).isEmpty());
    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)));
    assertMoney("12.00", r.getAs(CostAttribution.UNALLOCATED_IDLE));
  }

  // --- which node a charge bills

  @Test
  void chargeNodeIsFoundByHostTagThenNameThenNameTagThenResourceId() {
    Map<String, String> nameTag = new HashMap<>();
    nameTag.put("Name", "n1");
    Map<String, String> unknownFirstTag = new HashMap<>();
    unknownFirstTag.put("ledger-node", "gpu-box-that-left");
    unknownFirstTag.put("hostname", "n2");
    Map<String, String> tagAgainstName = new HashMap<>();
    tagAgainstName.put("node", "n1");
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1").id("i-0a1").tags(nameTag).line(1),
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1").id("i-0a2").tags(unknownFirstTag).line(2),
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1").id("n3").name("worker").line(3),
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1").name("n2").tags(tagAgainstName).line(4),
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1").id("vol-0ff").line(5));

    Map<Long, String> node = new HashMap<>();
    for (Row r : CostAttribution.classify(charges, nodes("n1", 8, "n2", 8, "n3", 4)).collectAsList()) {
      node.put(r.getAs(Charges.SOURCE_LINE), r.getAs(CostAttribution.CHARGE_NODE));
    }
    assertEquals("n1", node.get(1L));
    assertEquals("n2", node.get(2L));
    assertEquals("n3", node.get(3L));
    assertEquals("n1", node.get(4L), "a host tag is a deliberate statement and wins over the name");
    assertNull(node.get(5L));
  }

  @Test
  void instanceReplacedMidDayBillsTheRightHostOnEachSideOfTheChange() {
    // i-0abc was n1 until 12:00 and n2 from then (resources.csv): 240.00 for the day is 120.00 per half;
    // A holds all of n1's first half, B holds n2 from 12:00 to 18:00 (half of n2's half)
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-02T00:00:00Z", "2026-03-02T12:00:00Z", 8),
        alloc(2, "n2", "2026-03-02T12:00:00Z", "2026-03-02T18:00:00Z", 8),
        alloc(3, "n1", "2026-03-02T12:00:00Z", "2026-03-02T18:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "240.00").id("i-0abc"));
    Dataset<Row> resources = resources(
        "i-0abc,n1,2026-03-01T00:00:00Z,2026-03-02T12:00:00Z",
        "i-0abc,n2,2026-03-02T12:00:00Z,");

    Map<Long, Row> costs = byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8, "n2", 8), resources));
    assertMoney("120.00", costs.get(1L).getAs(CostAttribution.COST_BILLED));
    assertMoney("60.00", costs.get(2L).getAs(CostAttribution.COST_BILLED));
    assertNull(costs.get(3L), "n1 after 12:00 is another instance's, not billed on this line");
    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 8, "n2", 8), resources));
    assertMoney("240.00", r.getAs(CostAttribution.INPUT_TOTAL));
    assertMoney("180.00", r.getAs(CostAttribution.ALLOCATED));
    assertMoney("60.00", r.getAs(CostAttribution.UNALLOCATED_IDLE));
  }

  @Test
  void preparedOnceTheCostsReconciliationAndMatchingAreTheSameAsEachComputedAlone() {
    // the instance-replaced case of the test above, read through one CostAttribution.prepare
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-02T00:00:00Z", "2026-03-02T12:00:00Z", 8),
        alloc(2, "n2", "2026-03-02T12:00:00Z", "2026-03-02T18:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "240.00").id("i-0abc"));
    Dataset<Row> resources = resources(
        "i-0abc,n1,2026-03-01T00:00:00Z,2026-03-02T12:00:00Z",
        "i-0abc,n2,2026-03-02T12:00:00Z,");
    CostAttribution.Prepared p = CostAttribution.prepare(allocs, charges, nodes("n1", 8, "n2", 8), resources);

    Map<Long, Row> costs = byAlloc(CostAttribution.allocCosts(p));
    assertMoney("120.00", costs.get(1L).getAs(CostAttribution.COST_BILLED));
    assertMoney("60.00", costs.get(2L).getAs(CostAttribution.COST_BILLED));
    Row r = onlyRow(CostAttribution.reconciliation(p));
    assertMoney("240.00", r.getAs(CostAttribution.INPUT_TOTAL));
    assertMoney("180.00", r.getAs(CostAttribution.ALLOCATED));
    assertMoney("60.00", r.getAs(CostAttribution.UNALLOCATED_IDLE));
    BigDecimal matched = BigDecimal.ZERO;
    for (Row m : CostAttribution.matching(p).collectAsList()) {
      matched = matched.add(m.getAs(Charges.BILLED_COST));
    }
    assertMoney("240.00", matched);
    BigDecimal pieces = BigDecimal.ZERO;
    for (Row piece : CostAttribution.allocCostPieces(p).collectAsList()) {
      pieces = pieces.add(piece.getAs(CostAttribution.COST_BILLED));
    }
    assertMoney("180.00", pieces);
  }

  @Test
  void partOfAChargeNoResourceLineCoversKeepsItsCostAndFallsToTheOtherRules() {
    // mapped to n2 only from 18:00: a quarter of 100.00 on n2, the rest (75.00) unmatched
    Dataset<Row> charges = charges(
        charge("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "100.00").id("i-0abc"));
    Dataset<Row> resources = resources("i-0abc,n2,2026-03-02T18:00:00Z,");

    Map<String, BigDecimal> byRule = new HashMap<>();
    for (Row m : CostAttribution.matching(charges, nodes("n2", 8), resources).collectAsList()) {
      byRule.put(m.getAs("rule"), m.getAs(Charges.BILLED_COST));
    }
    assertMoney("25.00", byRule.get(CostAttribution.RULE_RESOURCES));
    assertMoney("75.00", byRule.get(CostAttribution.UNMATCHED_RESOURCE));
  }

  @Test
  void thirdsOfAChargeAddUpToItToTheLastDecimal() {
    // 0.000000000001 over three mapped 8-hour pieces: the rounding never loses or makes money
    Dataset<Row> charges = charges(
        charge("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "10.000000000001").id("i-0abc"));
    Dataset<Row> resources = resources(
        "i-0abc,n1,,2026-03-02T08:00:00Z", "i-0abc,n2,2026-03-02T08:00:00Z,2026-03-02T16:00:00Z",
        "i-0abc,n1,2026-03-02T16:00:00Z,");
    List<Row> pieces = CostAttribution.classify(charges, nodes("n1", 8, "n2", 8), resources).collectAsList();
    assertEquals(3, pieces.size());
    BigDecimal total = BigDecimal.ZERO;
    for (Row p : pieces) {
      total = total.add(p.getAs(Charges.BILLED_COST));
    }
    assertMoney("10.000000000001", total);
  }

  @Test
  void kubernetesHostnameLabelAndInstanceNameFromAGlobalNameFindTheNode() {
    Map<String, String> label = new HashMap<>();
    label.put("kubernetes.io/hostname", "gke-a-pool-1");
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1").tags(label).line(1),
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1")
            .id("//compute.googleapis.com/projects/p/zones/us-central1-a/instances/gke-a-pool-2").line(2));
    Map<Long, String> rule = new HashMap<>();
    for (Row r : CostAttribution.classify(charges, nodes("gke-a-pool-1", 8, "gke-a-pool-2", 8)).collectAsList()) {
      rule.put(r.getAs(Charges.SOURCE_LINE), r.getAs(CostAttribution.MATCH_RULE) + " " + r.getAs(CostAttribution.CHARGE_NODE));
    }
    assertEquals(CostAttribution.RULE_K8S_LABEL + " gke-a-pool-1", rule.get(1L));
    assertEquals(CostAttribution.RULE_NAME + " gke-a-pool-2", rule.get(2L));
  }

  @Test
  void nodeWithoutGpusIsNotAGpuNode() {
    Dataset<Row> charges = charges(charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "1").name("cpu1"));
    Row r = CostAttribution.classify(charges, nodes("cpu1", 0)).first();
    assertEquals(CostAttribution.OTHER_RESOURCE, r.getAs(CostAttribution.CHARGE_CLASS));
  }

  // --- charges that reach no allocation

  @Test
  void chargeWithoutAResourceIsNotAttributable() {
    Dataset<Row> allocs = allocs(alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "7.50").category("Tax"));

    assertTrue(byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8))).isEmpty());
    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)));
    assertMoney("7.50", r.getAs(CostAttribution.NOT_ATTRIBUTABLE_COST));
    assertMoney("0", r.getAs(CostAttribution.ALLOCATED));
    assertMoney("0", r.getAs(CostAttribution.UNALLOCATED_IDLE));
  }

  @Test
  void chargeForAResourceThatIsNoGpuNodeIsUnallocatedOtherResource() {
    Dataset<Row> allocs = allocs(alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "3.00").id("vol-0abc"));

    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)));
    assertMoney("3.00", r.getAs(CostAttribution.UNALLOCATED_OTHER_RESOURCE));
    assertMoney("0", r.getAs(CostAttribution.UNALLOCATED_IDLE));
    assertMoney("0", r.getAs(CostAttribution.NOT_ATTRIBUTABLE_COST));
  }

  // --- the reconciliation

  @Test
  void idleIsTheRemainderSoTheTotalReconcilesExactly() {
    // three 1-GPU jobs fill a 3-GPU node: each third rounds to 3.333333333333, idle keeps the last 1e-12
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 1),
        alloc(2, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 1),
        alloc(3, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 1));
    Dataset<Row> charges = charges(charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "10.00").name("n1"));

    Map<Long, Row> costs = byAlloc(CostAttribution.allocCosts(allocs, charges, nodes("n1", 3)));
    assertMoney("3.333333333333", costs.get(3L).getAs(CostAttribution.COST_BILLED));
    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes("n1", 3)));
    assertMoney("9.999999999999", r.getAs(CostAttribution.ALLOCATED));
    assertMoney("0.000000000001", r.getAs(CostAttribution.UNALLOCATED_IDLE));
  }

  @Test
  void mixedBillReconcilesExactlyInBilledAndEffectiveCost() {
    Dataset<Row> allocs = allocs(
        alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", 4),
        alloc(2, "n1", "2026-03-02T10:30:00Z", "2026-03-02T11:00:00Z", 8),
        alloc(3, "n2", "2026-03-02T09:17:13Z", "2026-03-03T01:02:59Z", 3));
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "98.32").effective("61.7").name("n1"),
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "-2.61").effective("-2.61").name("n1"),
        charge("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "1234.567891").effective("999.99").id("n2"),
        charge("2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", "0.07").effective("0.07").id("snap-1"),
        charge("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z", "101.10").effective("101.10").category("Tax"));

    Dataset<Row> nodes = nodes("n1", 8, "n2", 7);
    Row r = onlyRow(CostAttribution.reconciliation(allocs, charges, nodes));
    BigDecimal billedParts = sum(r, "allocated", "unallocated_idle", "unallocated_other_resource", "not_attributable");
    assertEquals(0, new BigDecimal("1431.447891").compareTo(r.getAs("input_total")));
    assertEquals(0, billedParts.compareTo(r.getAs("input_total")), "billed parts " + billedParts);
    BigDecimal effectiveParts = sum(r, "effective_allocated", "effective_unallocated_idle",
        "effective_unallocated_other_resource", "effective_not_attributable");
    assertEquals(0, effectiveParts.compareTo(r.getAs("effective_input_total")), "effective parts " + effectiveParts);
    assertEquals(5L, (long) r.getAs(CostAttribution.CHARGE_COUNT));

    // what the reconciliation calls allocated is exactly what the allocations received
    BigDecimal received = BigDecimal.ZERO;
    for (Row c : CostAttribution.allocCosts(allocs, charges, nodes).collectAsList()) {
      received = received.add(c.getAs(CostAttribution.COST_BILLED));
    }
    assertEquals(0, received.compareTo(r.getAs("allocated")));
  }

  @Test
  void eachProviderAndCurrencyReconcilesOnItsOwn() {
    Dataset<Row> allocs = allocs(alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "98.32").name("n1"),
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "12.00").name("n1").provider("Microsoft")
            .currency("EUR"));

    Map<String, Row> byProvider = new HashMap<>();
    for (Row r : CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)).collectAsList()) {
      byProvider.put(r.getAs(Charges.PROVIDER) + "/" + r.getAs(Charges.CURRENCY), r);
    }
    assertEquals(2, byProvider.size());
    assertMoney("98.32", byProvider.get("AWS/USD").getAs(CostAttribution.ALLOCATED));
    assertMoney("12.00", byProvider.get("Microsoft/EUR").getAs(CostAttribution.ALLOCATED));
    List<Row> costs = CostAttribution.allocCosts(allocs, charges, nodes("n1", 8)).collectAsList();
    assertEquals(2, costs.size());
  }

  @Test
  void intervalJoinPlansNeitherACartesianProductNorANestedLoop() {
    Dataset<Row> allocs = allocs(alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8));
    Dataset<Row> charges = charges(charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "98.32").name("n1"));
    for (Dataset<Row> out : List.of(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8)),
        CostAttribution.reconciliation(allocs, charges, nodes("n1", 8)))) {
      String plan = out.queryExecution().executedPlan().toString();
      assertTrue(plan.contains("Join"), plan);
      assertFalse(plan.contains("CartesianProduct"), plan);
      assertFalse(plan.contains("BroadcastNestedLoopJoin"), plan);
    }
  }

  // --- shares per charge period, for the fx.csv conversion

  @Test
  void piecesKeepEachChargePeriodAndSumToTheAllocationsCost() {
    // 4 of 8 GPUs over two hourly charges: half of 98.32 from 10:00, half of 50.00 from 11:00
    Dataset<Row> allocs = allocs(alloc(1, "n1", "2026-03-02T10:00:00Z", "2026-03-02T12:00:00Z", 4));
    Dataset<Row> charges = charges(
        charge("2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", "98.32").name("n1").set(Charges.CURRENCY, "EUR"),
        charge("2026-03-02T11:00:00Z", "2026-03-02T12:00:00Z", "50.00").name("n1").set(Charges.CURRENCY, "EUR"));
    Map<Timestamp, Row> pieces = new HashMap<>();
    for (Row r : CostAttribution.allocCostPieces(allocs, charges, nodes("n1", 8), null).collectAsList()) {
      assertEquals("EUR", r.getAs(Charges.CURRENCY));
      pieces.put(r.getAs(Charges.CHARGE_PERIOD_START), r);
    }
    assertEquals(2, pieces.size());
    assertMoney("49.16", pieces.get(ts("2026-03-02T10:00:00Z")).getAs(CostAttribution.COST_BILLED));
    assertMoney("25.00", pieces.get(ts("2026-03-02T11:00:00Z")).getAs(CostAttribution.COST_BILLED));
    assertMoney("74.16", onlyRow(CostAttribution.allocCosts(allocs, charges, nodes("n1", 8)))
        .getAs(CostAttribution.COST_BILLED));
  }

  // --- fixtures

  private static void assertMoney(String expected, BigDecimal actual) {
    assertEquals(0, new BigDecimal(expected).compareTo(actual), "expected " + expected + " but was " + actual);
  }

  private static BigDecimal sum(Row r, String... columns) {
    BigDecimal total = BigDecimal.ZERO;
    for (String c : columns) {
      total = total.add(r.getAs(c));
    }
    return total;
  }

  private static Row onlyRow(Dataset<Row> ds) {
    List<Row> rows = ds.collectAsList();
    assertEquals(1, rows.size(), rows.toString());
    return rows.get(0);
  }

  private static Map<Long, Row> byAlloc(Dataset<Row> costs) {
    Map<Long, Row> out = new HashMap<>();
    for (Row r : costs.collectAsList()) {
      assertNull(out.put(r.getAs(CostAttribution.ALLOC_ID), r), "one row per allocation here");
    }
    return out;
  }

  private static Row alloc(long id, String node, String start, String end, int gpus) {
    return RowFactory.create(id, node, ts(start), ts(end), gpus, "h100-sxm");
  }

  private static Dataset<Row> allocs(Row... rows) {
    return spark.createDataFrame(Arrays.asList(rows), ALLOCS);
  }

  private static Dataset<Row> resources(String... lines) {
    try {
      return ResourceMap.toDataset(spark, ResourceMap.parse(new java.io.StringReader(
          "resource_id,host,valid_from,valid_to\n" + String.join("\n", lines) + "\n"), "resources.csv"));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Dataset<Row> nodes(Object... nameAndGpus) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < nameAndGpus.length; i += 2) {
      rows.add(RowFactory.create(nameAndGpus[i], nameAndGpus[i + 1]));
    }
    return spark.createDataFrame(rows, NODES);
  }

  private static Dataset<Row> charges(ChargeRow... rows) {
    List<Row> out = new ArrayList<>();
    for (ChargeRow c : rows) {
      out.add(c.row());
    }
    return spark.createDataFrame(out, Table.CHARGES.schema());
  }

  private static ChargeRow charge(String start, String end, String billed) {
    return new ChargeRow(start, end, billed);
  }

  private static Timestamp ts(String iso) {
    return iso == null ? null : Timestamp.from(Instant.parse(iso));
  }

  /** A charges row as a FOCUS AWS hourly usage line would give it, changed field by field. */
  private static final class ChargeRow {
    private final Object[] v = new Object[Table.CHARGES.width()];

    ChargeRow(String start, String end, String billed) {
      set(Charges.PROVIDER, "AWS");
      set(Charges.CHARGE_PERIOD_START, ts(start));
      set(Charges.CHARGE_PERIOD_END, ts(end));
      set(Charges.CHARGE_CATEGORY, "Usage");
      set(Charges.SKU, "BoxUsage:p5.48xlarge");
      set(Charges.SERVICE, "Amazon Elastic Compute Cloud");
      set(Charges.BILLED_COST, new BigDecimal(billed));
      set(Charges.EFFECTIVE_COST, new BigDecimal(billed));
      set(Charges.CURRENCY, "USD");
      set(Charges.TAGS, new HashMap<String, String>());
      set(Charges.SOURCE_FORMAT, "focus");
      set(Charges.SOURCE_FILE, "billing/focus.csv");
    }

    private ChargeRow set(String column, Object value) {
      v[Table.CHARGES.index(column)] = value;
      return this;
    }

    ChargeRow name(String name) {
      return set(Charges.RESOURCE_NAME, name);
    }

    ChargeRow id(String id) {
      return set(Charges.RESOURCE_ID, id);
    }

    ChargeRow tags(Map<String, String> tags) {
      return set(Charges.TAGS, tags);
    }

    ChargeRow category(String category) {
      return set(Charges.CHARGE_CATEGORY, category);
    }

    ChargeRow effective(String cost) {
      return set(Charges.EFFECTIVE_COST, new BigDecimal(cost));
    }

    ChargeRow provider(String provider) {
      return set(Charges.PROVIDER, provider);
    }

    ChargeRow currency(String currency) {
      return set(Charges.CURRENCY, currency);
    }

    ChargeRow line(long line) {
      return set(Charges.SOURCE_LINE, line);
    }

    Row row() {
      return RowFactory.create(v.clone());
    }
  }
}
