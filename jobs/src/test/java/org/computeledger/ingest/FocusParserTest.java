package org.computeledger.ingest;

import org.computeledger.RealSamples;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.computeledger.ingest.CsvFixtures.lines;
import static org.computeledger.ingest.CsvFixtures.text;
import static org.computeledger.ingest.CsvFixtures.withField;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.computeledger.schema.Charges;
import org.junit.jupiter.api.Test;

@ExtendWith(RealSamples.class)
class FocusParserTest {
  private static final Path SAMPLE = RealSamples.file("billing/focus-1.0-sample.csv");
  private static final List<String> LINES = lines(SAMPLE);
  private static final String HEADER = LINES.get(0);
  /** Line 2 of the sample: an hourly AWS SQS charge of 0.0000008 USD. */
  private static final String SQS_LINE = LINES.get(1);

  private final FocusParser parser = new FocusParser();

  private CollectingSink parse(String text) {
    return CollectingSink.parseText(parser, "focus.csv", "billing", text, IngestParams.defaults());
  }

  private CollectingSink parseSample() {
    return CollectingSink.parse(parser, SAMPLE, IngestParams.defaults());
  }

  private static int indexOfCategory(CollectingSink sink, String category) {
    for (int i = 0; i < sink.rows.size(); i++) {
      if (category.equals(sink.get(i, Charges.CHARGE_CATEGORY))) {
        return i;
      }
    }
    throw new AssertionError("no " + category + " row");
  }

  @Test
  void everyLineOfTheFocusSampleIsAccepted() {
    CollectingSink sink = parseSample();
    assertEquals(1000, sink.accepted);
    assertEquals(1000, sink.rows.size());
    assertEquals(0, sink.rejected.size());
    assertEquals(1, sink.ignored, "the header");
  }

  @Test
  void creditKeepsItsNegativeBilledCostExactly() {
    CollectingSink sink = parseSample();
    int credit = indexOfCategory(sink, "Credit");
    BigDecimal billed = (BigDecimal) sink.get(credit, Charges.BILLED_COST);
    assertEquals(0, billed.compareTo(new BigDecimal("-2.61370000000")), billed.toPlainString());
    assertEquals(0, ((BigDecimal) sink.get(credit, Charges.EFFECTIVE_COST)).compareTo(new BigDecimal("-3")));
  }

  @Test
  void negativeBilledCostsStayNegative() {
    CollectingSink sink = parseSample();
    long negative = sink.rows.stream()
        .filter(r -> ((BigDecimal) r[sink.table.index(Charges.BILLED_COST)]).signum() < 0)
        .count();
    assertEquals(13, negative);
  }

  @Test
  void billedCostTotalEqualsTheSumOfTheColumn() {
    BigDecimal expected = CsvFixtures.sum(SAMPLE, "BilledCost");
    CollectingSink sink = parseSample();
    BigDecimal total = BigDecimal.ZERO;
    for (int i = 0; i < sink.rows.size(); i++) {
      total = total.add((BigDecimal) sink.get(i, Charges.BILLED_COST));
    }
    assertEquals(0, total.compareTo(expected), total + " vs " + expected);
  }

  @Test
  void tagsJsonWithDoubledQuotesBecomesAMap() {
    CollectingSink sink = parseSample();
    assertEquals(
        Map.of("application", "BrightLensMatrix", "environment", "dev", "business_unit", "ViennaAI"),
        sink.get(1, Charges.TAGS));
  }

  @Test
  void nullLiteralTagsGiveNoTags() {
    CollectingSink sink = parseSample();
    assertNull(sink.get(0, Charges.TAGS));
  }

  @Test
  void nonStringTagValuesKeepTheirJsonText() {
    String line = withField(HEADER, SQS_LINE, "Tags", "{\"gpus\": 8, \"spot\": true, \"team\": \"atlas\"}");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(Map.of("gpus", "8", "spot", "true", "team", "atlas"), sink.get(0, Charges.TAGS));
  }

  @Test
  void chargePeriodWithoutZoneIsUtc() {
    CollectingSink sink = parse(text(HEADER, SQS_LINE));
    assertEquals(Timestamp.from(Instant.parse("2024-09-18T22:00:00Z")),
        sink.get(0, Charges.CHARGE_PERIOD_START));
    assertEquals(Timestamp.from(Instant.parse("2024-09-18T23:00:00Z")),
        sink.get(0, Charges.CHARGE_PERIOD_END));
  }

  @Test
  void chargePeriodWithZOrOffsetIsConvertedToUtc() {
    String line = withField(HEADER, SQS_LINE, "ChargePeriodStart", "2024-09-18T22:00:00Z");
    line = withField(HEADER, line, "ChargePeriodEnd", "2024-09-19T01:00:00+02:00");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(Timestamp.from(Instant.parse("2024-09-18T22:00:00Z")),
        sink.get(0, Charges.CHARGE_PERIOD_START));
    assertEquals(Timestamp.from(Instant.parse("2024-09-18T23:00:00Z")),
        sink.get(0, Charges.CHARGE_PERIOD_END));
  }

  @Test
  void lineFieldsMapOntoCharges() {
    CollectingSink sink = parse(text(HEADER, SQS_LINE));
    assertEquals("AWS", sink.get(0, Charges.PROVIDER));
    assertEquals("Usage", sink.get(0, Charges.CHARGE_CATEGORY));
    assertEquals("arn:ats:sqs:us-test-2:347410479675:mibelllmel-i-032l64f2065481b12",
        sink.get(0, Charges.RESOURCE_ID));
    assertNull(sink.get(0, Charges.RESOURCE_NAME));
    assertEquals("G95FST5FTYV3JSRX", sink.get(0, Charges.SKU));
    assertEquals("Amazon Simple Queue Service", sink.get(0, Charges.SERVICE));
    assertEquals(0, new BigDecimal("0.0000008").compareTo((BigDecimal) sink.get(0, Charges.BILLED_COST)));
    assertEquals(0, BigDecimal.ZERO.compareTo((BigDecimal) sink.get(0, Charges.EFFECTIVE_COST)));
    assertEquals(0, new BigDecimal("0.0000008").compareTo((BigDecimal) sink.get(0, Charges.LIST_COST)));
    assertEquals("USD", sink.get(0, Charges.CURRENCY));
    assertEquals(2.0, sink.get(0, Charges.USAGE_QUANTITY));
    assertEquals("Requests", sink.get(0, Charges.USAGE_UNIT));
  }

  @Test
  void chargeDescriptionSubAccountAndBillingPeriodAreKept() {
    CollectingSink sink = parse(text(HEADER, SQS_LINE));
    // the sample's own fields (ChargeDescription, SubAccountId, BillingPeriodStart 2024-09-01 00:00:00)
    assertEquals("$0.40 per million Amazon SQS standard requests in Tier1 in US West (Oregon)",
        sink.get(0, Charges.DESCRIPTION));
    assertEquals("51738928782", sink.get(0, Charges.ACCOUNT));
    assertEquals("202409", sink.get(0, Charges.INVOICE_MONTH), "written YYYYMM, as the other bills' invoice months");
  }

  @Test
  void aBillingPeriodStartThatIsNoDateLeavesTheInvoiceMonthEmptyAndTheLineAccepted() {
    String line = withField(HEADER, SQS_LINE, "BillingPeriodStart", "soon");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(1, sink.accepted);
    assertNull(sink.get(0, Charges.INVOICE_MONTH));
  }

  @Test
  void everyLineOfTheSampleHasItsInvoiceMonth() {
    CollectingSink sink = parseSample();
    for (int i = 0; i < sink.rows.size(); i++) {
      assertTrue(String.valueOf(sink.get(i, Charges.INVOICE_MONTH)).matches("20[0-9]{2}(0[1-9]|1[0-2])"),
          "row " + i + ": " + sink.get(i, Charges.INVOICE_MONTH));
    }
  }

  @Test
  void moneyIsStoredAtScaleTwelve() {
    CollectingSink sink = parse(text(HEADER, SQS_LINE));
    assertEquals(12, ((BigDecimal) sink.get(0, Charges.BILLED_COST)).scale());
  }

  @Test
  void creditWithoutConsumedQuantityFallsBackToPricingQuantityAndUnit() {
    CollectingSink sink = parseSample();
    int credit = indexOfCategory(sink, "Credit");
    assertEquals(0.0, sink.get(credit, Charges.USAGE_QUANTITY));
    assertEquals("Hours", sink.get(credit, Charges.USAGE_UNIT));
    assertNull(sink.get(credit, Charges.RESOURCE_ID), "NULL literal");
  }

  @Test
  void skuFallsBackToSkuPriceId() {
    String line = withField(HEADER, SQS_LINE, "SkuId", "NULL");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals("G95FST5FTYV3JSRX.JRTCKXETXF.VXGXCWQKTY", sink.get(0, Charges.SKU));
  }

  @Test
  void theSamplesG5InstanceHoursAreLabelledA10gAndNothingElseIs() {
    CollectingSink sink = parseSample();
    Map<String, Integer> labelled = new java.util.TreeMap<>();
    for (int i = 0; i < sink.rows.size(); i++) {
      Object label = sink.get(i, Charges.ACCELERATOR);
      if (label != null) {
        labelled.merge(label.toString(), 1, Integer::sum);
        // AWS writes the instance type into ChargeDescription: "$1.624 per On Demand Linux g5.4xlarge Instance Hour"
        assertEquals("4GQWNPC9K2PZAY97", sink.get(i, Charges.SKU), "row " + i);
      }
    }
    // the eight EC2 g5.4xlarge lines (A10G); not the g3, c5, m5 or t2 instance hours, nor Azure's "P4 LRS" disk
    assertEquals(Map.of("a10g", 8), labelled);
  }

  @Test
  void azuresP4ManagedDiskIsNotATeslaP4() {
    String disk = LINES.stream().filter(l -> l.contains("Premium SSD Managed Disks - P4 LRS")).findFirst().orElseThrow();
    CollectingSink sink = parse(text(HEADER, disk));
    assertEquals(1, sink.rows.size());
    assertNull(sink.get(0, Charges.ACCELERATOR));
  }

  /** The sample's SQS line under a header with {@code column} added, holding {@code value}. */
  private CollectingSink withColumn(String column, String value) {
    return parse(text(HEADER + ",\"" + column + "\"", SQS_LINE + "," + CsvFixtures.line(List.of(value))));
  }

  @Test
  void focus11SkuPriceDetailsInstanceTypeLabelsTheLine() {
    // FOCUS 1.1's FOCUS-defined SKU price property F_InstanceType, in the key-value JSON of SkuPriceDetails
    assertEquals("h100", withColumn("SkuPriceDetails", "{\"F_InstanceType\": \"p5.48xlarge\", \"F_GpuCount\": 8}")
        .get(0, Charges.ACCELERATOR));
    assertNull(withColumn("SkuPriceDetails", "{\"F_InstanceType\": \"m5.2xlarge\"}").get(0, Charges.ACCELERATOR));
    // a property other than the instance type is not read as one; a value that is not JSON labels nothing
    assertNull(withColumn("SkuPriceDetails", "{\"PremiumProcessing\": \"p5.48xlarge\"}").get(0, Charges.ACCELERATOR));
    CollectingSink notJson = withColumn("SkuPriceDetails", "p5.48xlarge");
    assertEquals(1, notJson.rows.size(), "the money of a line is never refused for its label");
    assertNull(notJson.get(0, Charges.ACCELERATOR));
  }

  @Test
  void providerColumnsNamingTheMeterOrUsageTypeLabelTheLine() {
    // Microsoft's FOCUS export carries the meter of its cost details; AWS's its usage type (x_ provider columns)
    assertEquals("h100", withColumn("x_SkuMeterName", "NC40ads H100 v5").get(0, Charges.ACCELERATOR));
    assertEquals("mi300x", withColumn("x_SkuMeterSubcategory", "Virtual Machines ND MI300X v5 Series - Linux")
        .get(0, Charges.ACCELERATOR));
    assertEquals("l40s", withColumn("x_UsageType", "USE2-BoxUsage:g6e.12xlarge").get(0, Charges.ACCELERATOR));
    assertNull(withColumn("x_SkuMeterName", "P4 LRS Disk").get(0, Charges.ACCELERATOR));
  }

  @Test
  void focus12ServiceProviderNameIsTheProvider() {
    String header = HEADER.replace("\"ProviderName\"", "\"ServiceProviderName\"");
    CollectingSink sink = parse(text(header, SQS_LINE));
    assertEquals("AWS", sink.get(0, Charges.PROVIDER));
  }

  @Test
  void billedCostThatIsNotANumberIsQuarantinedNamingTheField() {
    String line = withField(HEADER, SQS_LINE, "BilledCost", "abc");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(0, sink.accepted);
    assertEquals(1, sink.rejected.size());
    CollectingSink.Rejected r = sink.rejected.get(0);
    assertEquals(2, r.line());
    assertEquals("field BilledCost: expected a decimal number within DECIMAL(38,12), 'abc'", r.reason());
    assertEquals(line, r.raw());
  }

  @Test
  void billedCostWrittenAsDoubleSpecialIsQuarantined() {
    for (String bad : List.of("NaN", "Infinity", "0x1p3", "1,5", "1e99999999999")) {
      CollectingSink sink = parse(text(HEADER, withField(HEADER, SQS_LINE, "BilledCost", bad)));
      assertEquals(1, sink.rejected.size(), bad);
      assertTrue(sink.rejected.get(0).reason().startsWith("field BilledCost:"), bad);
    }
  }

  @Test
  void missingBilledCostIsQuarantined() {
    CollectingSink sink = parse(text(HEADER, withField(HEADER, SQS_LINE, "BilledCost", "NULL")));
    assertEquals("field BilledCost: expected a decimal number, empty", sink.rejected.get(0).reason());
  }

  @Test
  void impossibleChargePeriodStartIsQuarantined() {
    String line = withField(HEADER, SQS_LINE, "ChargePeriodStart", "2024-13-45 00:00:00");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(1, sink.rejected.size());
    assertEquals("field ChargePeriodStart: expected an ISO time, '2024-13-45 00:00:00'",
        sink.rejected.get(0).reason());
  }

  @Test
  void chargePeriodBefore2000IsQuarantinedAsImplausible() {
    String line = withField(HEADER, SQS_LINE, "ChargePeriodStart", "1900-01-01 00:00:00");
    CollectingSink sink = parse(text(HEADER, line));

    assertEquals(0, sink.accepted);
    assertEquals("field ChargePeriodStart: time '1900-01-01 00:00:00' is before 2000-01-01T00:00:00Z, the earliest"
        + " plausible", sink.rejected.get(0).reason());
  }

  @Test
  void chargePeriodEndBeforeStartIsQuarantined() {
    String line = withField(HEADER, SQS_LINE, "ChargePeriodEnd", "2024-09-18 21:00:00");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("field ChargePeriodEnd:"));
  }

  @Test
  void tagsThatAreNotJsonAreQuarantined() {
    String line = withField(HEADER, SQS_LINE, "Tags", "{application: BrightLensMatrix");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(1, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("field Tags: expected a JSON object"));
  }

  @Test
  void headerWithoutBilledCostQuarantinesEveryLineButIsStillFocus() {
    String header = HEADER.replace("\"BilledCost\"", "\"BilledAmount\"");
    assertTrue(parser.detect("focus.csv", List.of(header), IngestParams.defaults()));
    CollectingSink sink = parse(text(header, LINES.get(1), LINES.get(2), LINES.get(3)));
    assertEquals(0, sink.accepted);
    assertEquals(List.of(2L, 3L, 4L), sink.rejected.stream().map(CollectingSink.Rejected::line).toList());
    for (CollectingSink.Rejected r : sink.rejected) {
      assertEquals("column BilledCost is missing from the header", r.reason());
    }
  }

  @Test
  void lineWithAFieldMissingIsQuarantined() {
    String line = SQS_LINE.substring(0, SQS_LINE.lastIndexOf(','));
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals("expected 44 fields as in the header, got 43", sink.rejected.get(0).reason());
  }

  @Test
  void multiLineDescriptionCountsOnceAtItsFirstLine() {
    String twoLines = withField(HEADER, SQS_LINE, "ChargeDescription", "$0.40 per million\nrequests");
    CollectingSink sink = parse(text(HEADER, twoLines, LINES.get(2)));
    assertEquals(2, sink.accepted);
    assertEquals(List.of(2L, 4L), sink.rowLines);
    assertEquals(2, sink.ignored, "the header and the description's second line");
  }

  @Test
  void byteOrderMarkBeforeTheHeaderIsSkipped() {
    CollectingSink sink = parse("\uFEFF" + text(HEADER, SQS_LINE));
    assertEquals(1, sink.accepted);
    assertEquals("G95FST5FTYV3JSRX", sink.get(0, Charges.SKU));
  }

  @Test
  void detectsTheFocusHeaderQuotedOrNot() {
    IngestParams p = IngestParams.defaults();
    assertTrue(parser.detect("a.csv", List.of(HEADER), p));
    assertTrue(parser.detect("a.csv", List.of(HEADER.replace("\"", "")), p));
    assertTrue(parser.detect("a.csv", List.of("\uFEFF" + HEADER.replace("\"", "")), p));
  }

  @Test
  void doesNotDetectCurOrFlopCounterFiles() {
    IngestParams p = IngestParams.defaults();
    String cur = lines(RealSamples.file("billing/aws-cur-legacy-sample.csv")).get(0);
    assertFalse(parser.detect("a.csv", List.of(cur), p));
    assertFalse(parser.detect("a.csv",
        List.of("interval_start,interval_end,host,gpu_uuid,gpu_index,flop,precision,source"), p));
    assertFalse(parser.detect("a.csv", List.of(), p));
  }
}
