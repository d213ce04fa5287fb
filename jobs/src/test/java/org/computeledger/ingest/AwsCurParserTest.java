package org.computeledger.ingest;

import org.computeledger.RealSamples;
import org.junit.jupiter.api.extension.ExtendWith;
import static org.computeledger.ingest.CsvFixtures.fields;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.computeledger.schema.Charges;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@ExtendWith(RealSamples.class)
class AwsCurParserTest {
  private static final Path SAMPLE = RealSamples.file("billing/aws-cur-legacy-sample.csv");
  private static final List<String> LINES = lines(SAMPLE);
  private static final String HEADER = LINES.get(0);
  /** Line 2 of the sample: a month of Canada tax on CloudTrail, 0.0 USD. */
  private static final String TAX_LINE = LINES.get(1);

  private final AwsCurParser parser = new AwsCurParser();

  private CollectingSink parse(String text) {
    return CollectingSink.parseText(parser, "cur.csv", "billing", text, IngestParams.defaults());
  }

  private CollectingSink parseSample() {
    return CollectingSink.parse(parser, SAMPLE, IngestParams.defaults());
  }

  /** The first sample line whose {@code column} holds {@code value}. */
  private static String firstLineWith(String column, String value) {
    int i = fields(HEADER).indexOf(column);
    return LINES.stream().skip(1).filter(l -> fields(l).get(i).equals(value)).findFirst().orElseThrow();
  }

  private static BigDecimal money(CollectingSink sink, String column) {
    return (BigDecimal) sink.get(0, column);
  }

  @Test
  void everyLineItemOfTheLegacySampleIsAccepted() {
    CollectingSink sink = parseSample();
    assertEquals(1281, sink.accepted);
    assertEquals(0, sink.rejected.size());
    assertEquals(1, sink.ignored, "the header");
  }

  @Test
  void theBillingPeriodsStartGivesTheInvoiceMonth() {
    CollectingSink sink = parseSample();
    // every line of the sample is of the billing period that starts 2023-11-01T00:00:00.000Z
    for (int i = 0; i < sink.rows.size(); i++) {
      assertEquals("202311", sink.get(i, Charges.INVOICE_MONTH), "row " + i);
    }
  }

  @Test
  void aCur2LineWithoutTheBillingPeriodHasNoInvoiceMonth() {
    CollectingSink sink = parse(text("line_item_line_item_type,line_item_unblended_cost,line_item_currency_code,"
        + "line_item_usage_start_date,line_item_usage_end_date",
        "Usage,1.5,USD,2026-03-01T00:00:00Z,2026-03-01T01:00:00Z"));
    assertEquals(1, sink.accepted);
    assertNull(sink.get(0, Charges.INVOICE_MONTH));
  }

  @Test
  void aCur2LinesBillingPeriodGivesItsInvoiceMonth() {
    CollectingSink sink = parse(text("line_item_line_item_type,line_item_unblended_cost,line_item_currency_code,"
        + "line_item_usage_start_date,line_item_usage_end_date,bill_billing_period_start_date",
        "Usage,1.5,USD,2026-03-01T00:00:00Z,2026-03-01T01:00:00Z,2026-03-01T00:00:00Z"));
    assertEquals("202603", sink.get(0, Charges.INVOICE_MONTH));
  }

  @Test
  void taxLineItemIsChargeCategoryTax() {
    CollectingSink sink = parse(text(HEADER, TAX_LINE));
    assertEquals("Tax", sink.get(0, Charges.CHARGE_CATEGORY));
    assertEquals("AWS", sink.get(0, Charges.PROVIDER));
    assertEquals("AWS CloudTrail", sink.get(0, Charges.SERVICE));
    assertNull(sink.get(0, Charges.SKU), "tax has neither product/sku nor a usage type");
  }

  @Test
  void sampleHasTwelveTaxLines() {
    CollectingSink sink = parseSample();
    long tax = sink.rows.stream()
        .filter(r -> "Tax".equals(r[sink.table.index(Charges.CHARGE_CATEGORY)])).count();
    assertEquals(12, tax);
  }

  @Test
  void unblendedCostTotalEqualsTheSumOfTheColumn() {
    BigDecimal expected = CsvFixtures.sum(SAMPLE, "lineItem/UnblendedCost");
    CollectingSink sink = parseSample();
    BigDecimal total = BigDecimal.ZERO;
    for (int i = 0; i < sink.rows.size(); i++) {
      total = total.add((BigDecimal) sink.get(i, Charges.BILLED_COST));
    }
    assertEquals(0, total.compareTo(expected), total + " vs " + expected);
  }

  @Test
  void chargePeriodComesFromUsageStartAndEndDates() {
    CollectingSink sink = parse(text(HEADER, TAX_LINE));
    assertEquals(Timestamp.from(Instant.parse("2023-11-01T00:00:00Z")),
        sink.get(0, Charges.CHARGE_PERIOD_START));
    assertEquals(Timestamp.from(Instant.parse("2023-12-01T00:00:00Z")),
        sink.get(0, Charges.CHARGE_PERIOD_END));
  }

  @Test
  void chargePeriodFallsBackToTimeIntervalWhenUsageDatesAreEmpty() {
    String line = withField(HEADER, TAX_LINE, "lineItem/UsageStartDate", "");
    line = withField(HEADER, line, "lineItem/UsageEndDate", "");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(Timestamp.from(Instant.parse("2023-11-01T00:00:00Z")),
        sink.get(0, Charges.CHARGE_PERIOD_START));
    assertEquals(Timestamp.from(Instant.parse("2023-11-02T00:00:00Z")),
        sink.get(0, Charges.CHARGE_PERIOD_END));
  }

  @Test
  void usageLineCarriesSkuUsageListCostAndUnit() {
    // 56GRD...: S3 requests, 2 requests at a public price of 4.0E-7.
    String line = firstLineWith("pricing/publicOnDemandCost", "4.0E-7");
    List<String> f = fields(line);
    List<String> h = fields(HEADER);
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals("Usage", sink.get(0, Charges.CHARGE_CATEGORY));
    assertEquals(0, new BigDecimal("0.0000004").compareTo(money(sink, Charges.LIST_COST)));
    assertEquals(f.get(h.indexOf("product/sku")), sink.get(0, Charges.SKU));
    assertEquals(Double.parseDouble(f.get(h.indexOf("lineItem/UsageAmount"))), sink.get(0, Charges.USAGE_QUANTITY));
    assertEquals(f.get(h.indexOf("pricing/unit")), sink.get(0, Charges.USAGE_UNIT));
    assertEquals("USD", sink.get(0, Charges.CURRENCY));
  }

  @Test
  void usageWithoutCommitmentHasEffectiveCostEqualToUnblended() {
    String line = withField(HEADER, TAX_LINE, "lineItem/UnblendedCost", "0.07");
    line = withField(HEADER, line, "lineItem/LineItemType", "Usage");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(0, new BigDecimal("0.07").compareTo(money(sink, Charges.EFFECTIVE_COST)));
  }

  @ParameterizedTest
  @CsvSource({
    "Usage, Usage", "DiscountedUsage, Usage", "SavingsPlanCoveredUsage, Usage", "Tax, Tax",
    "Credit, Credit", "Refund, Credit", "Fee, Purchase", "RIFee, Purchase",
    "SavingsPlanRecurringFee, Purchase", "SavingsPlanUpfrontFee, Purchase",
    "SavingsPlanNegation, Adjustment", "EdpDiscount, Adjustment", "BundledDiscount, Adjustment"
  })
  void lineItemTypeMapsOntoFocusChargeCategory(String lineItemType, String category) {
    assertEquals(category, AwsCurParser.chargeCategory(lineItemType));
  }

  @Test
  void savingsPlanCoveredUsageHasTheSavingsPlanEffectiveCost() {
    String line = withField(HEADER, TAX_LINE, "lineItem/LineItemType", "SavingsPlanCoveredUsage");
    line = withField(HEADER, line, "lineItem/UnblendedCost", "3.06");
    line = withField(HEADER, line, "savingsPlan/SavingsPlanEffectiveCost", "1.99");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals("Usage", sink.get(0, Charges.CHARGE_CATEGORY));
    assertEquals(0, new BigDecimal("3.06").compareTo(money(sink, Charges.BILLED_COST)));
    assertEquals(0, new BigDecimal("1.99").compareTo(money(sink, Charges.EFFECTIVE_COST)));
  }

  @Test
  void reservedUsageHasTheReservationEffectiveCost() {
    String line = withField(HEADER, TAX_LINE, "lineItem/LineItemType", "DiscountedUsage");
    line = withField(HEADER, line, "reservation/EffectiveCost", "0.812");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(0, new BigDecimal("0.812").compareTo(money(sink, Charges.EFFECTIVE_COST)));
  }

  @Test
  void savingsPlanNegationHasNoEffectiveCost() {
    String line = withField(HEADER, TAX_LINE, "lineItem/LineItemType", "SavingsPlanNegation");
    line = withField(HEADER, line, "lineItem/UnblendedCost", "-3.06");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(0, new BigDecimal("-3.06").compareTo(money(sink, Charges.BILLED_COST)));
    assertEquals(0, BigDecimal.ZERO.compareTo(money(sink, Charges.EFFECTIVE_COST)));
  }

  @Test
  void savingsPlanRecurringFeeHasOnlyItsUnusedCommitmentAsEffectiveCost() {
    String line = withField(HEADER, TAX_LINE, "lineItem/LineItemType", "SavingsPlanRecurringFee");
    line = withField(HEADER, line, "lineItem/UnblendedCost", "720");
    line = withField(HEADER, line, "savingsPlan/TotalCommitmentToDate", "720");
    line = withField(HEADER, line, "savingsPlan/UsedCommitment", "655.5");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals("Purchase", sink.get(0, Charges.CHARGE_CATEGORY));
    assertEquals(0, new BigDecimal("64.5").compareTo(money(sink, Charges.EFFECTIVE_COST)));
  }

  @Test
  void reservationFeeHasOnlyItsUnusedPartAsEffectiveCost() {
    String line = withField(HEADER, TAX_LINE, "lineItem/LineItemType", "RIFee");
    line = withField(HEADER, line, "lineItem/UnblendedCost", "500");
    line = withField(HEADER, line, "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", "12.5");
    line = withField(HEADER, line, "reservation/UnusedRecurringFee", "30");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals("Purchase", sink.get(0, Charges.CHARGE_CATEGORY));
    assertEquals(0, new BigDecimal("42.5").compareTo(money(sink, Charges.EFFECTIVE_COST)));
  }

  @Test
  void reservationUpFrontFeeIsAmortizedAwayButOtherFeesAreNot() {
    // The sample has no reservations, so its CUR lacks the ARN column a reservation brings.
    String header = HEADER + ",reservation/ReservationARN";
    String fee = withField(HEADER, TAX_LINE, "lineItem/LineItemType", "Fee");
    fee = withField(HEADER, fee, "lineItem/UnblendedCost", "8760");
    String reservation = fee + ",arn:aws:ec2:us-east-1:123412340534:reserved-instances/4f1c7a2e";
    CollectingSink sink = parse(text(header, reservation, fee + ","));
    assertEquals(0, BigDecimal.ZERO.compareTo((BigDecimal) sink.get(0, Charges.EFFECTIVE_COST)));
    assertEquals(0, new BigDecimal("8760").compareTo((BigDecimal) sink.get(1, Charges.EFFECTIVE_COST)));
  }

  @Test
  void userResourceTagsBecomeTagsWithoutTheirPrefix() {
    String header = HEADER + ",resourceTags/user:team,resourceTags/user:Name,resourceTags/aws:createdBy";
    CollectingSink sink = parse(text(header, TAX_LINE + ",atlas,,root", TAX_LINE + ",,,"));
    assertEquals(Map.of("team", "atlas"), sink.get(0, Charges.TAGS));
    assertNull(sink.get(1, Charges.TAGS));
  }

  @Test
  void unblendedCostThatIsNotANumberIsQuarantinedNamingTheField() {
    String line = withField(HEADER, TAX_LINE, "lineItem/UnblendedCost", "0,01");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(1, sink.rejected.size());
    assertEquals(2, sink.rejected.get(0).line());
    assertEquals("field lineItem/UnblendedCost: expected a decimal number within DECIMAL(38,12), '0,01'",
        sink.rejected.get(0).reason());
  }

  @Test
  void badUsageStartDateIsQuarantined() {
    String line = withField(HEADER, TAX_LINE, "lineItem/UsageStartDate", "2023-11-31T00:00:00.000Z");
    CollectingSink sink = parse(text(HEADER, line));
    assertTrue(sink.rejected.get(0).reason().startsWith("field lineItem/UsageStartDate: expected an ISO time"));
  }

  @Test
  void usageStartBefore2000IsQuarantinedAsImplausible() {
    String line = withField(HEADER, TAX_LINE, "lineItem/UsageStartDate", "0023-11-01T00:00:00.000Z");
    CollectingSink sink = parse(text(HEADER, line));
    assertEquals(0, sink.accepted);
    assertEquals("field lineItem/UsageStartDate: time '0023-11-01T00:00:00.000Z' is before 2000-01-01T00:00:00Z,"
        + " the earliest plausible", sink.rejected.get(0).reason());
  }

  @Test
  void lineWithAFieldMoreThanTheHeaderIsQuarantined() {
    CollectingSink sink = parse(text(HEADER, TAX_LINE + ",extra"));
    assertEquals(0, sink.accepted);
    assertTrue(sink.rejected.get(0).reason().startsWith("expected "), sink.rejected.get(0).reason());
  }

  @Test
  void usageEndBeforeStartIsQuarantined() {
    String line = withField(HEADER, TAX_LINE, "lineItem/UsageEndDate", "2023-10-31T00:00:00.000Z");
    CollectingSink sink = parse(text(HEADER, line));
    assertTrue(sink.rejected.get(0).reason().startsWith("field lineItem/UsageEndDate:"));
  }

  @Test
  void headerWithoutUnblendedCostQuarantinesEveryLine() {
    String header = HEADER.replace("lineItem/UnblendedCost", "lineItem/Cost");
    CollectingSink sink = parse(text(header, TAX_LINE, LINES.get(2)));
    assertEquals(0, sink.accepted);
    assertEquals(2, sink.rejected.size());
    assertTrue(sink.rejected.get(0).reason().startsWith("column lineItem/UnblendedCost"));
  }

  /** CUR 2.0 names a legacy column {@code group/CamelName} as {@code group_camel_name}. */
  private static String cur2Name(String legacy) {
    StringBuilder sb = new StringBuilder();
    for (char ch : legacy.toCharArray()) {
      if (ch == '/') {
        sb.append('_');
      } else if (Character.isUpperCase(ch)) {
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '_') {
          sb.append('_');
        }
        sb.append(Character.toLowerCase(ch));
      } else {
        sb.append(ch);
      }
    }
    return sb.toString();
  }

  private static String cur2Header() {
    List<String> names = new ArrayList<>();
    for (String legacy : fields(HEADER)) {
      names.add(cur2Name(legacy));
    }
    return String.join(",", names);
  }

  @Test
  void cur2SnakeCaseHeaderReadsLikeLegacy() {
    String header = cur2Header();
    assertTrue(header.contains("line_item_usage_start_date"), header);
    CollectingSink sink = parse(text(header, TAX_LINE));
    assertEquals(1, sink.accepted);
    assertEquals("Tax", sink.get(0, Charges.CHARGE_CATEGORY));
    assertEquals(Timestamp.from(Instant.parse("2023-11-01T00:00:00Z")),
        sink.get(0, Charges.CHARGE_PERIOD_START));
    assertEquals("USD", sink.get(0, Charges.CURRENCY));
  }

  @Test
  void cur2ResourceTagsMapKeepsUserTagsWithoutTheirPrefix() {
    String header = cur2Header() + ",resource_tags";
    String line = TAX_LINE + ",\"{\"\"user_team\"\": \"\"atlas\"\", \"\"aws_created_by\"\": \"\"root\"\"}\"";
    CollectingSink sink = parse(text(header, line));
    assertEquals(Map.of("team", "atlas"), sink.get(0, Charges.TAGS));
  }

  @Test
  void detectsLegacyAndCur2Headers() {
    IngestParams p = IngestParams.defaults();
    assertTrue(parser.detect("cur.csv", List.of(HEADER), p));
    assertTrue(parser.detect("cur.csv", List.of(cur2Header()), p));
  }

  @Test
  void doesNotDetectFocusOrFlopCounterFiles() {
    IngestParams p = IngestParams.defaults();
    String focus = lines(RealSamples.file("billing/focus-1.0-sample.csv")).get(0);
    assertFalse(parser.detect("a.csv", List.of(focus), p));
    assertFalse(parser.detect("a.csv",
        List.of("interval_start,interval_end,host,gpu_uuid,gpu_index,flop,precision,source"), p));
  }
}
