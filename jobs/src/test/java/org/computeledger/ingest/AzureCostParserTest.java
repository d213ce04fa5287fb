package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.computeledger.schema.Charges;
import org.junit.jupiter.api.Test;

/**
 * An Azure Cost Management actual-cost export (Microsoft Customer Agreement columns, UTF-8 with a
 * byte-order mark and CRLF as the portal writes it), billed in EUR and priced in USD: a day of an
 * ND96isr H100 v5 VM, its OS disk, half a day of a second VM and a refund on it, a reservation
 * purchase and a rounding adjustment.
 */
class AzureCostParserTest {
  static final Path ACTUAL = GcpBillingParserTest.fixture("azure-actual-cost.csv");

  private final AzureCostParser parser = new AzureCostParser();

  private CollectingSink parse() {
    return CollectingSink.parse(parser, ACTUAL, IngestParams.defaults());
  }

  private static BigDecimal sum(CollectingSink sink, String column) {
    BigDecimal t = BigDecimal.ZERO;
    for (int i = 0; i < sink.rows.size(); i++) {
      t = t.add((BigDecimal) sink.get(i, column));
    }
    return t;
  }

  @Test
  void everyLineIsAcceptedAndBothCurrenciesAddUpToTheCent() {
    CollectingSink sink = parse();
    assertEquals(6, sink.accepted, sink.rejected.toString());
    // 2162.0736 + 4.09 + 1081.0368 - 90.0864 + 15000 + 0.01
    assertEquals(0, new BigDecimal("18157.124").compareTo(sum(sink, Charges.BILLED_COST)));
    // 2350.08 + 4.445652 + 1175.04 - 97.92 + 16304.347826 + 0.01087
    assertEquals(0, new BigDecimal("19736.004348").compareTo(sum(sink, Charges.PRICING_COST)));
    assertEquals("EUR", sink.get(0, Charges.CURRENCY));
    assertEquals("USD", sink.get(0, Charges.PRICING_CURRENCY));
  }

  @Test
  void gpuVmLineBecomesADayOfAcceleratorTimeOnItsResource() {
    CollectingSink sink = parse();
    assertEquals("Microsoft", sink.get(0, Charges.PROVIDER));
    assertEquals(Timestamp.from(Instant.parse("2026-03-02T00:00:00Z")), sink.get(0, Charges.CHARGE_PERIOD_START));
    assertEquals(Timestamp.from(Instant.parse("2026-03-03T00:00:00Z")), sink.get(0, Charges.CHARGE_PERIOD_END));
    assertEquals("Usage", sink.get(0, Charges.CHARGE_CATEGORY));
    assertEquals("Virtual Machines", sink.get(0, Charges.SERVICE));
    assertEquals("NDv5 Series / ND96isr H100 v5", sink.get(0, Charges.DESCRIPTION));
    assertEquals("h100", sink.get(0, Charges.ACCELERATOR));
    assertTrue(((String) sink.get(0, Charges.RESOURCE_ID)).endsWith("/virtualMachines/gpu-node-01"));
    assertEquals("gpu-node-01", sink.get(0, Charges.RESOURCE_NAME));
    assertEquals(24.0, sink.get(0, Charges.USAGE_QUANTITY));
    assertEquals("1 Hour", sink.get(0, Charges.USAGE_UNIT));
    assertEquals("1f7c2d4e-0000-4000-8000-00000000aa01", sink.get(0, Charges.ACCOUNT));
    assertEquals(0, new BigDecimal("2162.0736").compareTo((BigDecimal) sink.get(0, Charges.LIST_COST)));
  }

  @Test
  void invoiceMonthIsTheBillingPeriodStartAsYearAndMonth() {
    // BillingPeriodStartDate 03/01/2026 in every line of the fixture; GCP's invoice.month is written YYYYMM too
    CollectingSink sink = parse();
    for (int i = 0; i < sink.rows.size(); i++) {
      assertEquals("202603", sink.get(i, Charges.INVOICE_MONTH), "line " + i);
    }
  }

  @Test
  void tagsWithoutBracesAreReadAsTheirMembers() {
    @SuppressWarnings("unchecked")
    Map<String, String> tags = (Map<String, String>) parse().get(0, Charges.TAGS);
    assertEquals("gpu-node-01", tags.get("host"));
    assertEquals("ml", tags.get("team"));
  }

  @Test
  void refundIsANegativeCreditAndPurchaseAndRoundingKeepTheirCategories() {
    CollectingSink sink = parse();
    assertEquals("Credit", sink.get(3, Charges.CHARGE_CATEGORY));
    assertEquals(0, new BigDecimal("-90.0864").compareTo((BigDecimal) sink.get(3, Charges.BILLED_COST)));
    assertEquals("Purchase", sink.get(4, Charges.CHARGE_CATEGORY));
    assertNull(sink.get(4, Charges.RESOURCE_ID), "a reservation purchase names no resource");
    assertEquals("Adjustment", sink.get(5, Charges.CHARGE_CATEGORY));
    assertNull(sink.get(1, Charges.ACCELERATOR), "a disk is no accelerator time");
  }

  @Test
  void exportIsDetectedFromContent() throws Exception {
    List<String> head = Files.readAllLines(ACTUAL).subList(0, 2);
    head = List.of(head.get(0).replace("\uFEFF", ""), head.get(1));
    assertEquals(AzureCostParser.FORMAT, FormatDetector.detect("part_0_0001.csv", head, IngestParams.defaults())
        .parser().format());
  }

  @Test
  void dayInAnotherFormIsQuarantinedNamingTheField() {
    List<String> lines = CsvFixtures.lines(ACTUAL);
    String header = lines.get(0);
    String bad = CsvFixtures.withField(header, lines.get(1), "Date", "2.3.2026");
    CollectingSink sink = CollectingSink.parseText(parser, "azure.csv", "billing", CsvFixtures.text(header, bad),
        IngestParams.defaults());
    assertEquals(1, sink.rejected.size());
    assertEquals("field Date: expected a day as MM/dd/yyyy or yyyy-MM-dd, '2.3.2026'", sink.rejected.get(0).reason());
  }
}
