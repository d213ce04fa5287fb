package org.computeledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.computeledger.ingest.Ingest;
import org.computeledger.ingest.IngestParams;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The three clouds' bills ingested together from one input folder (Google Cloud as a BigQuery JSON
 * extract, Azure as an actual-cost CSV billed in EUR, AWS CUR 2.0 as Parquet) with a {@code resources.csv},
 * then attributed: every provider and currency reconciles to the cent, credits and refunds keep their sign,
 * and an instance replaced mid-hour bills the right host on each side. Expected amounts are worked out by
 * hand from the fixtures under {@code fixtures/billing/}.
 */
class CloudBillsReconcileTest extends SparkTestBase {
  private static final StructType ALLOCS = StructType.fromDDL(
      "alloc_id BIGINT, node STRING, start_time TIMESTAMP, end_time TIMESTAMP, gpu_count INT, gpu_model STRING");
  private static final StructType NODES = StructType.fromDDL("node STRING, gpu_total INT");

  @TempDir
  Path dir;
  private Dataset<Row> charges;
  private Dataset<Row> resources;
  private Dataset<Row> allocs;
  private Dataset<Row> nodes;

  @BeforeEach
  void ingestTheBills() throws Exception {
    Path billing = Files.createDirectories(dir.resolve("in/billing/cur2"));
    Files.copy(fixture("gcp-detailed-export.jsonl"), billing.getParent().resolve("gcp-export-000.json"));
    Files.copy(fixture("azure-actual-cost.csv"), billing.getParent().resolve("part_0_0001.csv"));
    org.computeledger.ingest.ParquetBillsTestAccess.writeCur2Parquet(fixture("aws-cur2-export.csv"),
        billing.resolve("cur2-00001.snappy.parquet"));
    // i-0aaa… was node017 until 10:30, then the instance id came back on node019; i-0ddd… is node018
    String map = "resource_id,host,valid_from,valid_to\n"
        + "i-0aaa1111bbbb2222c,node017,,2026-03-02T10:30:00Z\n"
        + "i-0aaa1111bbbb2222c,node019,2026-03-02T10:30:00Z,\n"
        + "i-0ddd3333eeee4444f,node018,,\n";
    Files.writeString(dir.resolve("in/resources.csv"), map);

    IngestParams params = IngestParams.defaults();
    org.apache.hadoop.conf.Configuration conf = spark().sparkContext().hadoopConfiguration();
    List<Ingest.Source> sources = Ingest.discover(conf, dir.resolve("in").toString(), params);
    Ingest.Result result = Ingest.run(spark(), sources, params, dir.resolve("out").toString());
    for (Ingest.FileCounts f : result.files()) {
      assertEquals(0, f.quarantined(), f.file());
    }
    charges = spark().read().schema(Table.CHARGES.schema()).parquet(dir.resolve("out/charges").toString());
    resources = ResourceMap.toDataset(spark(), ResourceMap.parse(new java.io.StringReader(map), "resources.csv"));
    allocs = spark().createDataFrame(List.of(
        alloc(1, "gke-train-pool-1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", 8),
        alloc(2, "gpu-node-01", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", 8),
        alloc(3, "node017", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", 8),
        alloc(4, "node019", "2026-03-02T10:30:00Z", "2026-03-02T11:00:00Z", 4)), ALLOCS);
    List<Row> n = new ArrayList<>();
    for (String node : new String[] {"gke-train-pool-1", "gpu-node-01", "gpu-node-02", "node017", "node018",
        "node019"}) {
      n.add(RowFactory.create(node, 8));
    }
    nodes = spark().createDataFrame(n, NODES);
  }

  private static Path fixture(String name) throws Exception {
    return Path.of(CloudBillsReconcileTest.class.getResource("/fixtures/billing/" + name).toURI());
  }

  static Row alloc(long id, String node, String start, String end, int gpus) {
    return RowFactory.create(id, node, Timestamp.from(Instant.parse(start)), Timestamp.from(Instant.parse(end)), gpus,
        "h100-sxm");
  }

  private Map<String, Row> reconciliation() {
    Map<String, Row> out = new HashMap<>();
    for (Row r : CostAttribution.reconciliation(allocs, charges, nodes, resources).collectAsList()) {
      out.put(r.getAs("provider") + " " + r.getAs("currency"), r);
    }
    return out;
  }

  static void assertParts(Row r, String total, String allocated, String idle, String other, String na) {
    assertMoney(total, r.getAs(CostAttribution.INPUT_TOTAL));
    assertMoney(allocated, r.getAs(CostAttribution.ALLOCATED));
    assertMoney(idle, r.getAs(CostAttribution.UNALLOCATED_IDLE));
    assertMoney(other, r.getAs(CostAttribution.UNALLOCATED_OTHER_RESOURCE));
    assertMoney(na, r.getAs(CostAttribution.NOT_ATTRIBUTABLE_COST));
    BigDecimal parts = ((BigDecimal) r.getAs(CostAttribution.ALLOCATED)).add(r.getAs(CostAttribution.UNALLOCATED_IDLE))
        .add(r.getAs(CostAttribution.UNALLOCATED_OTHER_RESOURCE)).add(r.getAs(CostAttribution.NOT_ATTRIBUTABLE_COST));
    assertEquals(0, parts.compareTo(r.getAs(CostAttribution.INPUT_TOTAL)), "the parts add up exactly");
  }

  static void assertMoney(String expected, BigDecimal actual) {
    assertEquals(0, new BigDecimal(expected).compareTo(actual), "expected " + expected + " but was " + actual);
  }

  @Test
  void eachProviderAndCurrencyReconcilesToTheCent() {
    Map<String, Row> r = reconciliation();
    assertEquals(3, r.size(), r.keySet().toString());
    // node lines 12.345678 - 1.234567 + 88 - 26.4 - 10 = 62.711111, half of it held; TPU and bucket
    // 12.81 other resources; tax 10 and adjustment -5 not attributable
    assertParts(r.get("Google Cloud USD"), "80.521111", "31.3555555", "31.3555555", "12.81", "5");
    // gpu-node-01's day held whole; gpu-node-02's day (1081.0368, refund -90.0864) idle; the disk other;
    // the reservation purchase and the rounding not attributable
    assertParts(r.get("Microsoft EUR"), "18157.124", "2162.0736", "990.9504", "4.09", "15000.01");
    // i-0aaa's hour: 49.16 to node017 before 10:30 (held whole), 49.16 to node019 after (half held);
    // the Savings Plan's covered usage and its negation cancel on node018; the recurring fee is another
    // resource; tax 12.5 and credit -25 are not attributable
    assertParts(r.get("AWS USD"), "155.82", "73.74", "24.58", "70", "-12.5");
  }

  @Test
  void effectiveCostReconcilesTooWithSavingsPlanCostOnItsUsage() {
    Row aws = reconciliation().get("AWS USD");
    // effective: 98.32 + 61.9416 + 0 + (70 - 61.9416) + 12.5 - 25
    assertMoney("155.82", aws.getAs("effective_input_total"));
    assertMoney("61.9416", ((BigDecimal) aws.getAs("effective_unallocated_idle")).subtract(new BigDecimal("24.58")));
  }

  @Test
  void replacedInstanceBillsEachHostForItsSideOfTheChange() {
    Map<Long, BigDecimal> cost = new HashMap<>();
    for (Row r : CostAttribution.allocCosts(allocs, charges, nodes, resources).collectAsList()) {
      cost.put(r.getAs(CostAttribution.ALLOC_ID), r.getAs(CostAttribution.COST_BILLED));
    }
    assertMoney("49.16", cost.get(3L));
    assertMoney("24.58", cost.get(4L));
  }

  @Test
  void matchingSaysWhichRuleFoundEachProvidersCost() {
    Map<String, BigDecimal> byRule = new HashMap<>();
    for (Row r : CostAttribution.matching(charges, nodes, resources).collectAsList()) {
      byRule.put(r.getAs("provider") + " " + r.getAs("rule"), r.getAs("billed_cost"));
    }
    assertMoney("98.32", byRule.get("AWS " + CostAttribution.RULE_RESOURCES));
    assertMoney("62.711111", byRule.get("Google Cloud " + CostAttribution.RULE_NAME));
    assertMoney("2162.0736", byRule.get("Microsoft " + CostAttribution.RULE_HOST_TAG));
    assertMoney("990.9504", byRule.get("Microsoft " + CostAttribution.RULE_NAME));
    assertMoney("4.09", byRule.get("Microsoft " + CostAttribution.UNMATCHED_RESOURCE));
  }
}
