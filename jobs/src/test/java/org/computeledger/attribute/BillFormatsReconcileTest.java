package org.computeledger.attribute;

import static org.computeledger.attribute.CloudBillsReconcileTest.alloc;
import static org.computeledger.attribute.CloudBillsReconcileTest.assertMoney;
import static org.computeledger.attribute.CloudBillsReconcileTest.assertParts;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.RealSamples;
import org.computeledger.SparkTestBase;
import org.computeledger.ingest.Ingest;
import org.computeledger.ingest.IngestParams;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every form each provider's bill arrives in, ingested on its own from an input folder and attributed:
 * AWS CUR 2.0 as CSV, gzip CSV and Parquet; Google Cloud as CSV, BigQuery JSON and BigQuery Parquet;
 * Azure actual and amortized cost; FOCUS (the shared real sample). Each reconciles to the cent per
 * provider and currency (allocated + unallocated idle + unallocated other + not attributable = input
 * total), credits and refunds keep their sign, and an instance replaced mid-period bills each host for
 * its side (AWS in every form, Google Cloud, Azure). Amounts are worked out by hand from the fixtures (see
 * {@link CloudBillsReconcileTest} for the derivation of the shared ones), FOCUS's from the sample's
 * columns summed here.
 */
class BillFormatsReconcileTest extends SparkTestBase {
  private static final StructType ALLOCS = StructType.fromDDL(
      "alloc_id BIGINT, node STRING, start_time TIMESTAMP, end_time TIMESTAMP, gpu_count INT, gpu_model STRING");
  private static final StructType NODES = StructType.fromDDL("node STRING, gpu_total INT");
  /** i-0aaa… was node017 until 10:30, then the instance id came back on node019; i-0ddd… is node018. */
  private static final String AWS_MAP = "resource_id,host,valid_from,valid_to\n"
      + "i-0aaa1111bbbb2222c,node017,,2026-03-02T10:30:00Z\n"
      + "i-0aaa1111bbbb2222c,node019,2026-03-02T10:30:00Z,\n"
      + "i-0ddd3333eeee4444f,node018,,\n";

  @TempDir
  Path dir;

  private static Path fixture(String name) throws Exception {
    return Path.of(BillFormatsReconcileTest.class.getResource("/fixtures/billing/" + name).toURI());
  }

  /** Ingests {@code in} (its bills and resources.csv); every record is accepted. */
  private Dataset<Row> charges(Path in) {
    IngestParams params = IngestParams.defaults();
    org.apache.hadoop.conf.Configuration conf = spark().sparkContext().hadoopConfiguration();
    List<Ingest.Source> sources = Ingest.discover(conf, in.toString(), params);
    Path out = dir.resolve("out-" + in.getFileName());
    Ingest.Result result = Ingest.run(spark(), sources, params, out.toString());
    for (Ingest.FileCounts f : result.files()) {
      assertEquals(0, f.quarantined(), f.file());
      assertEquals(f.read(), f.accepted(), f.file());
    }
    return spark().read().schema(Table.CHARGES.schema()).parquet(out.resolve("charges").toString());
  }

  private Path input(String name) throws IOException {
    return Files.createDirectories(dir.resolve(name).resolve("billing"));
  }


  private Dataset<Row> allocs(Row... rows) {
    return spark().createDataFrame(List.of(rows), ALLOCS);
  }

  private Dataset<Row> nodes(String... names) {
    List<Row> n = new ArrayList<>();
    for (String node : names) {
      n.add(RowFactory.create(node, 8));
    }
    return spark().createDataFrame(n, NODES);
  }

  private static Map<String, Row> byProviderAndCurrency(Dataset<Row> reconciliation) {
    Map<String, Row> out = new HashMap<>();
    for (Row r : reconciliation.collectAsList()) {
      out.put(r.getAs("provider") + " " + r.getAs("currency"), r);
    }
    return out;
  }



  // ------------------------------------------------------------------ AWS CUR 2.0

  private void assertAws(Path in) throws IOException {
    Files.writeString(in.getParent().resolve("resources.csv"), AWS_MAP);
    Dataset<Row> charges = charges(in.getParent());
    Dataset<Row> resources = ResourceMap.toDataset(spark(), ResourceMap.parse(new StringReader(AWS_MAP), "resources.csv"));
    Dataset<Row> allocs = allocs(alloc(3, "node017", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", 8),
        alloc(4, "node019", "2026-03-02T10:30:00Z", "2026-03-02T11:00:00Z", 4));
    Dataset<Row> nodes = nodes("node017", "node018", "node019");
    Map<String, Row> r = byProviderAndCurrency(CostAttribution.reconciliation(allocs, charges, nodes, resources));
    assertEquals(1, r.size(), r.keySet().toString());
    // 98.32 for i-0aaa's hour: 49.16 to node017 (held whole), 49.16 to node019 (half held, 24.58 idle);
    // the Savings Plan's usage and negation cancel on node018; the recurring fee 70 is another resource;
    // tax 12.5 and the credit -25 (its sign kept) are not attributable
    assertParts(r.get("AWS USD"), "155.82", "73.74", "24.58", "70", "-12.5");
    Map<Long, BigDecimal> cost = new HashMap<>();
    for (Row a : CostAttribution.allocCosts(allocs, charges, nodes, resources).collectAsList()) {
      cost.put(a.getAs(CostAttribution.ALLOC_ID), a.getAs(CostAttribution.COST_BILLED));
    }
    assertMoney("49.16", cost.get(3L));
    assertMoney("24.58", cost.get(4L));
  }

  @Test
  void awsCur2CsvReconcilesAndTheReplacedInstanceBillsEachHost() throws Exception {
    Path in = input("cur2-csv");
    Files.copy(fixture("aws-cur2-export.csv"), in.resolve("cur2-00001.csv"));
    assertAws(in);
  }

  @Test
  void awsCur2GzipCsvReconcilesAndTheReplacedInstanceBillsEachHost() throws Exception {
    Path in = input("cur2-gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(in.resolve("cur2-00001.csv.gz")))) {
      out.write(Files.readAllBytes(fixture("aws-cur2-export.csv")));
    }
    assertAws(in);
  }

  @Test
  void awsCur2ParquetReconcilesAndTheReplacedInstanceBillsEachHost() throws Exception {
    Path in = input("cur2-parquet");
    org.computeledger.ingest.ParquetBillsTestAccess.writeCur2Parquet(fixture("aws-cur2-export.csv"),
        in.resolve("cur2-00001.snappy.parquet"));
    assertAws(in);
  }

  // ------------------------------------------------------------------ Google Cloud

  private void assertGoogle(Path in) {
    Dataset<Row> charges = charges(in.getParent());
    Map<String, Row> r = byProviderAndCurrency(CostAttribution.reconciliation(
        allocs(alloc(1, "gke-train-pool-1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", 8)), charges,
        nodes("gke-train-pool-1")));
    assertEquals(1, r.size(), r.keySet().toString());
    // node lines 12.345678 - 1.234567 (its credit) + 88 - 26.4 - 10 (credits) = 62.711111, half of it held;
    // TPU and bucket 12.81 other resources; tax 10 and the adjustment -5 not attributable
    assertParts(r.get("Google Cloud USD"), "80.521111", "31.3555555", "31.3555555", "12.81", "5");
  }

  @Test
  void googleCloudCsvExportReconciles() throws Exception {
    Path in = input("gcp-csv");
    Files.copy(fixture("gcp-detailed-export.csv"), in.resolve("gcp-export-000.csv"));
    assertGoogle(in);
  }

  @Test
  void googleCloudBigQueryJsonExportReconciles() throws Exception {
    Path in = input("gcp-json");
    Files.copy(fixture("gcp-detailed-export.jsonl"), in.resolve("gcp-export-000.json"));
    assertGoogle(in);
  }

  @Test
  void googleCloudBigQueryParquetExportReconciles() throws Exception {
    Path in = input("gcp-parquet");
    Path written = org.computeledger.ingest.ParquetBillsTestAccess.writeGcpParquet(spark(), dir.resolve("bq"));
    Files.copy(written, in.resolve("gcp-export-000.parquet"));
    assertGoogle(in);
  }

  @Test
  void googleCloudInstanceReplacedMidHourBillsEachHostForItsSide() throws Exception {
    Path in = input("gcp-replaced");
    Files.copy(fixture("gcp-detailed-export.csv"), in.resolve("gcp-export-000.csv"));
    String id = "//compute.googleapis.com/projects/lab-train/zones/us-central1-a/instances/gke-train-pool-1";
    String map = "resource_id,host,valid_from,valid_to\n" + id + ",gke-a,,2026-03-02T10:30:00Z\n"
        + id + ",gke-b,2026-03-02T10:30:00Z,\n";
    Files.writeString(in.getParent().resolve("resources.csv"), map);
    Dataset<Row> charges = charges(in.getParent());
    Dataset<Row> resources = ResourceMap.toDataset(spark(), ResourceMap.parse(new StringReader(map), "resources.csv"));
    Dataset<Row> allocs = allocs(alloc(1, "gke-a", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z", 8),
        alloc(2, "gke-b", "2026-03-02T10:30:00Z", "2026-03-02T11:00:00Z", 4));
    Dataset<Row> nodes = nodes("gke-a", "gke-b");
    Map<Long, BigDecimal> cost = new HashMap<>();
    for (Row a : CostAttribution.allocCosts(allocs, charges, nodes, resources).collectAsList()) {
      cost.put(a.getAs(CostAttribution.ALLOC_ID), a.getAs(CostAttribution.COST_BILLED));
    }
    // the node's hour nets 62.711111 after its credits: 31.3555555 before 10:30 on gke-a (held whole),
    // 31.3555555 after on gke-b, half of it held (4 of 8 GPUs)
    assertMoney("31.3555555", cost.get(1L));
    assertMoney("15.67777775", cost.get(2L));
    Map<String, Row> r = byProviderAndCurrency(CostAttribution.reconciliation(allocs, charges, nodes, resources));
    assertParts(r.get("Google Cloud USD"), "80.521111", "47.03333325", "15.67777775", "12.81", "5");
  }

  @Test
  void azureVmReplacedMidDayBillsEachHostForItsSideWithItsRefund() throws Exception {
    Path in = input("azure-replaced");
    Files.copy(fixture("azure-actual-cost.csv"), in.resolve("part_0_0001.csv"));
    String id = "/subscriptions/1f7c2d4e-0000-4000-8000-00000000aa01/resourceGroups/gpu-rg/providers/"
        + "Microsoft.Compute/virtualMachines/gpu-node-02";
    String map = "resource_id,host,valid_from,valid_to\n" + id + ",az-a,,2026-03-03T12:00:00Z\n"
        + id + ",az-b,2026-03-03T12:00:00Z,\n";
    Files.writeString(in.getParent().resolve("resources.csv"), map);
    Dataset<Row> charges = charges(in.getParent());
    Dataset<Row> resources = ResourceMap.toDataset(spark(), ResourceMap.parse(new StringReader(map), "resources.csv"));
    Dataset<Row> allocs = allocs(alloc(5, "az-a", "2026-03-03T00:00:00Z", "2026-03-03T12:00:00Z", 8),
        alloc(6, "az-b", "2026-03-03T12:00:00Z", "2026-03-04T00:00:00Z", 4));
    Dataset<Row> nodes = nodes("az-a", "az-b");
    Map<Long, BigDecimal> cost = new HashMap<>();
    for (Row a : CostAttribution.allocCosts(allocs, charges, nodes, resources).collectAsList()) {
      cost.put(a.getAs(CostAttribution.ALLOC_ID), a.getAs(CostAttribution.COST_BILLED));
    }
    // the day's 1081.0368 and its refund -90.0864 (sign kept) net 990.9504: 495.4752 on each host,
    // az-b's half held by 4 of 8 GPUs
    assertMoney("495.4752", cost.get(5L));
    assertMoney("247.7376", cost.get(6L));
    Map<String, Row> r = byProviderAndCurrency(CostAttribution.reconciliation(allocs, charges, nodes, resources));
    // gpu-node-01 is no known node here: its 2162.0736 and the disk 4.09 are other resources
    assertParts(r.get("Microsoft EUR"), "18157.124", "743.2128", "247.7376", "2166.1636", "15000.01");
  }

  // ------------------------------------------------------------------ Azure

  @Test
  void azureActualCostReconcilesInItsBillingCurrency() throws Exception {
    Path in = input("azure-actual");
    Files.copy(fixture("azure-actual-cost.csv"), in.resolve("part_0_0001.csv"));
    Map<String, Row> r = byProviderAndCurrency(CostAttribution.reconciliation(
        allocs(alloc(2, "gpu-node-01", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", 8)), charges(in.getParent()),
        nodes("gpu-node-01", "gpu-node-02")));
    assertEquals(1, r.size(), r.keySet().toString());
    // gpu-node-01's day held whole; gpu-node-02's day 1081.0368 and its refund -90.0864 idle; the disk
    // other; the reservation purchase 15000 and the rounding 0.01 not attributable
    assertParts(r.get("Microsoft EUR"), "18157.124", "2162.0736", "990.9504", "4.09", "15000.01");
  }

  @Test
  void azureAmortizedCostReconcilesWithTheReservationSpreadOverItsUsage() throws Exception {
    // amortized view of the same month (learn.microsoft.com, "View amortized reservation costs"): no
    // purchase line; a 15000 EUR one-year reservation is 15000 / 365 = 41.095890 a day, on gpu-node-01's
    // covered day and half on gpu-node-02's covered half day, the other half an UnusedReservation line
    // with no resource
    Path in = input("azure-amortized");
    Files.copy(fixture("azure-amortized-cost.csv"), in.resolve("part_0_0001.csv"));
    Map<String, Row> r = byProviderAndCurrency(CostAttribution.reconciliation(
        allocs(alloc(2, "gpu-node-01", "2026-03-02T00:00:00Z", "2026-03-03T00:00:00Z", 8)), charges(in.getParent()),
        nodes("gpu-node-01", "gpu-node-02")));
    assertEquals(1, r.size(), r.keySet().toString());
    // allocated 41.09589; idle 20.547945 - 90.0864 (the refund keeps its sign) = -69.538455; the disk 4.09;
    // not attributable 20.547945 (unused reservation) + 0.01 (rounding) = 20.557945; total -3.79462
    assertParts(r.get("Microsoft EUR"), "-3.79462", "41.09589", "-69.538455", "4.09", "20.557945");
  }

  // ------------------------------------------------------------------ FOCUS

  @Test
  void focusRealSampleReconcilesPerProviderWithItsCreditNegative() throws Exception {
    Path sample = RealSamples.file("billing/focus-1.0-sample.csv");
    Path in = input("focus");
    Files.copy(sample, in.resolve("focus-1.0-sample.csv"));
    // one EC2 instance of the sample made a known GPU node and held through the month: its three hourly
    // lines are allocated, other named resources are other resources, lines with no resource not attributable
    String instance = "i-037929a54982e113l";
    String map = "resource_id,host,valid_from,valid_to\n" + instance + ",node-f,,\n";
    Files.writeString(in.getParent().resolve("resources.csv"), map);
    Dataset<Row> resources = ResourceMap.toDataset(spark(), ResourceMap.parse(new StringReader(map), "resources.csv"));
    Map<String, Row> r = byProviderAndCurrency(CostAttribution.reconciliation(
        allocs(alloc(1, "node-f", "2024-09-01T00:00:00Z", "2024-10-01T00:00:00Z", 8)), charges(in.getParent()),
        nodes("node-f"), resources));

    // the expected parts, summed here straight from the sample's columns
    Map<String, BigDecimal[]> expected = new HashMap<>();
    BigDecimal credit = null;
    try (var parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).build()
        .parse(Files.newBufferedReader(sample))) {
      for (CSVRecord rec : parser) {
        String key = rec.get("ProviderName") + " " + rec.get("BillingCurrency");
        BigDecimal cost = new BigDecimal(rec.get("BilledCost"));
        String id = rec.get("ResourceId");
        String name = rec.get("ResourceName");
        boolean named = !"NULL".equals(id) && !id.isEmpty() || !"NULL".equals(name) && !name.isEmpty();
        int part = instance.equals(id) ? 1 : named ? 2 : 3;
        BigDecimal[] e = expected.computeIfAbsent(key, k -> new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO,
            BigDecimal.ZERO, BigDecimal.ZERO});
        e[0] = e[0].add(cost);
        e[part] = e[part].add(cost);
        if ("Credit".equals(rec.get("ChargeCategory"))) {
          credit = cost;
        }
      }
    }
    assertEquals(expected.keySet(), r.keySet());
    for (Map.Entry<String, BigDecimal[]> e : expected.entrySet()) {
      BigDecimal[] x = e.getValue();
      assertParts(r.get(e.getKey()), x[0].toPlainString(), x[1].toPlainString(), "0", x[2].toPlainString(),
          x[3].toPlainString());
    }
    assertEquals(-1, credit.signum(), "the sample's credit is negative");
  }
}
