package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.computeledger.schema.Charges;
import org.junit.jupiter.api.Test;

/**
 * The Google Cloud Billing detailed usage cost export, as CSV (BigQuery field paths as column names, the
 * names of ../shared/real-samples/billing/gcp-export-columns-*.csv) and as a BigQuery JSON extract of the
 * same six lines: a VM's cores with a sustained-use credit, its H100 GPUs with a committed-use and a
 * promotion credit, TPU v5e time, a storage bucket, the month's tax and a negative adjustment.
 */
class GcpBillingParserTest {
  static final Path CSV = fixture("gcp-detailed-export.csv");
  static final Path JSONL = fixture("gcp-detailed-export.jsonl");

  private final GcpBillingParser parser = new GcpBillingParser();

  static Path fixture(String name) {
    try {
      return Path.of(GcpBillingParserTest.class.getResource("/fixtures/billing/" + name).toURI());
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private CollectingSink parse(Path file) {
    return CollectingSink.parse(parser, file, IngestParams.defaults());
  }

  private static BigDecimal total(CollectingSink sink) {
    BigDecimal t = BigDecimal.ZERO;
    for (int i = 0; i < sink.rows.size(); i++) {
      t = t.add((BigDecimal) sink.get(i, Charges.BILLED_COST));
    }
    return t;
  }

  private static List<Integer> rowsWith(CollectingSink sink, String column, Object value) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < sink.rows.size(); i++) {
      if (value.equals(sink.get(i, column))) {
        out.add(i);
      }
    }
    return out;
  }

  @Test
  void everyLineIsAcceptedAndEachCreditIsARowOfItsOwn() {
    CollectingSink sink = parse(CSV);
    assertEquals(6, sink.accepted);
    assertEquals(0, sink.rejected.size());
    assertEquals(9, sink.rows.size(), "six lines and three credits");
  }

  @Test
  void netTotalIsCostPlusCreditsToTheLastDecimal() {
    // costs 12.345678 + 88 + 9.6 + 3.21 + 10 - 5 = 118.155678; credits -1.234567 - 26.4 - 10 = -37.634567
    assertEquals(0, new BigDecimal("80.521111").compareTo(total(parse(CSV))));
  }

  @Test
  void creditKeepsItsNegativeSignItsTypeAndItsLinesResource() {
    CollectingSink sink = parse(CSV);
    List<Integer> credits = rowsWith(sink, Charges.CHARGE_CATEGORY, "Credit");
    assertEquals(3, credits.size());
    int promo = rowsWith(sink, Charges.SKU, "PROMOTION").get(0);
    assertEquals(0, new BigDecimal("-10").compareTo((BigDecimal) sink.get(promo, Charges.BILLED_COST)));
    assertEquals("Research credits 2026", sink.get(promo, Charges.DESCRIPTION));
    assertEquals("gke-train-pool-1", sink.get(promo, Charges.RESOURCE_NAME));
    assertEquals(Timestamp.from(Instant.parse("2026-03-02T10:00:00Z")), sink.get(promo, Charges.CHARGE_PERIOD_START));
    assertEquals("h100", sink.get(promo, Charges.ACCELERATOR), "a GPU credit discounts GPU time");
  }

  @Test
  void gpuAndTpuSkusAreAcceleratorTimeAndOthersAreNot() {
    CollectingSink sink = parse(CSV);
    int gpu = rowsWith(sink, Charges.DESCRIPTION, "Nvidia H100 80GB GPU running in Americas").get(0);
    assertEquals("h100", sink.get(gpu, Charges.ACCELERATOR));
    int tpu = rowsWith(sink, Charges.SERVICE, "Cloud TPU").get(0);
    assertEquals("tpu-v5e", sink.get(tpu, Charges.ACCELERATOR));
    assertNull(sink.get(0, Charges.ACCELERATOR), "the VM's cores are not accelerator time");
    int storage = rowsWith(sink, Charges.SERVICE, "Cloud Storage").get(0);
    assertNull(sink.get(storage, Charges.ACCELERATOR));
  }

  @Test
  void columnsBecomeTheChargeFields() {
    CollectingSink sink = parse(CSV);
    assertEquals("Google Cloud", sink.get(0, Charges.PROVIDER));
    assertEquals("Usage", sink.get(0, Charges.CHARGE_CATEGORY));
    assertEquals("//compute.googleapis.com/projects/lab-train/zones/us-central1-a/instances/gke-train-pool-1",
        sink.get(0, Charges.RESOURCE_ID));
    assertEquals("9A1C-23F0-11B2", sink.get(0, Charges.SKU));
    assertEquals("Compute Engine", sink.get(0, Charges.SERVICE));
    assertEquals("A3 Instance Core running in Americas", sink.get(0, Charges.DESCRIPTION));
    assertEquals("lab-train", sink.get(0, Charges.ACCOUNT));
    assertEquals("202603", sink.get(0, Charges.INVOICE_MONTH));
    assertEquals("USD", sink.get(0, Charges.CURRENCY));
    assertEquals(748800.0, sink.get(0, Charges.USAGE_QUANTITY));
    assertEquals("seconds", sink.get(0, Charges.USAGE_UNIT));
    assertEquals(0, new BigDecimal("12.345678").compareTo((BigDecimal) sink.get(0, Charges.LIST_COST)));
    @SuppressWarnings("unchecked")
    Map<String, String> tags = (Map<String, String>) sink.get(0, Charges.TAGS);
    assertEquals("train", tags.get("goog-k8s-cluster-name"));
    assertEquals("a3-highgpu-8g", tags.get("compute.googleapis.com/machine_spec"));
  }

  @Test
  void costTypesBecomeFocusCategoriesAndANegativeAdjustmentStaysNegative() {
    CollectingSink sink = parse(CSV);
    assertEquals(1, rowsWith(sink, Charges.CHARGE_CATEGORY, "Tax").size());
    int adj = rowsWith(sink, Charges.CHARGE_CATEGORY, "Adjustment").get(0);
    assertEquals(0, new BigDecimal("-5").compareTo((BigDecimal) sink.get(adj, Charges.BILLED_COST)));
  }

  @Test
  void bigQueryJsonExtractGivesTheSameChargesAsTheCsv() {
    CollectingSink csv = parse(CSV);
    CollectingSink json = parse(JSONL);
    assertEquals(0, json.rejected.size(), json.rejected.toString());
    assertEquals(csv.rows.size(), json.rows.size());
    for (int i = 0; i < csv.rows.size(); i++) {
      for (String c : new String[] {Charges.PROVIDER, Charges.CHARGE_PERIOD_START, Charges.CHARGE_PERIOD_END,
          Charges.CHARGE_CATEGORY, Charges.RESOURCE_ID, Charges.RESOURCE_NAME, Charges.SKU, Charges.SERVICE,
          Charges.CURRENCY, Charges.TAGS, Charges.ACCELERATOR, Charges.ACCOUNT, Charges.INVOICE_MONTH}) {
        assertEquals(csv.get(i, c), json.get(i, c), "row " + i + " " + c);
      }
      for (String c : new String[] {Charges.BILLED_COST, Charges.EFFECTIVE_COST}) {
        assertEquals(0, ((BigDecimal) csv.get(i, c)).compareTo((BigDecimal) json.get(i, c)), "row " + i + " " + c);
      }
    }
  }

  @Test
  void bothFormsAreDetectedFromContentAndTheConverterRuleTableIsNot() throws Exception {
    for (Path p : new Path[] {CSV, JSONL}) {
      List<String> head = Files.readAllLines(p).subList(0, 3);
      assertEquals(GcpBillingParser.FORMAT, FormatDetector.detect("export", head, IngestParams.defaults())
          .parser().format(), p.toString());
    }
    Path rules = CollectingSink.realSample("billing/gcp-export-columns-from-focus-converter-rules.csv");
    if (Files.exists(rules)) {
      FormatDetector.Detection d = FormatDetector.detect("gcp.csv", Files.readAllLines(rules).subList(0, 5),
          IngestParams.defaults());
      assertNull(d.parser());
    }
  }

  @Test
  void lineWithoutCostIsQuarantinedNamingTheField() {
    List<String> lines = CsvFixtures.lines(CSV);
    String header = lines.get(0);
    String noCost = CsvFixtures.withField(header, lines.get(4), "cost", "");
    CollectingSink sink = CollectingSink.parseText(parser, "gcp.csv", "billing", CsvFixtures.text(header, noCost),
        IngestParams.defaults());
    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("field cost: expected a decimal number"),
        sink.rejected.get(0).reason());
  }

  @Test
  void brokenJsonLineIsQuarantinedAndTheOthersRead() throws Exception {
    List<String> lines = Files.readAllLines(JSONL);
    String text = lines.get(0) + "\n{\"cost\": 1,\n" + lines.get(1) + "\n";
    CollectingSink sink = CollectingSink.parseText(parser, "gcp.jsonl", "billing", text, IngestParams.defaults());
    assertEquals(2, sink.accepted);
    assertEquals(1, sink.rejected.size());
    assertEquals(2L, sink.rejected.get(0).line());
  }
}
