package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import org.computeledger.attribute.ReferencePrices;
import org.junit.jupiter.api.Test;

/** The methodology says where market prices came from, and lists the reference prices when they were used. */
class MarketPriceSectionTest {
  private static final String LIST =
      "gpu_model,provider,offer,price_per_gpu_hour,currency,effective_date,source,notes\n"
      + "gh200,Example Cloud,1x GH200,2.29,USD,2026-09-20,https://example.com/pricing,read from a copy\n"
      + "h100-sxm,Example Cloud,8x H100,3.99,USD,2026-09-20,https://example.com/pricing,\n"
      + "h100-sxm,Other Cloud,1x H100,4.29,USD,2026-09-20,https://other.example,\n";

  @Test
  void withPricesCsvTheSectionNamesItAndListsNoReferencePrices() {
    String md = MarketPriceSection.markdown(null);
    assertTrue(md.contains("`prices.csv`"), md);
    assertFalse(md.contains("gh200"), md);
  }

  @Test
  void withoutPricesCsvTheSectionSaysMarketCostIsAtReferenceListPricesAndListsThePriceUsedPerModel()
      throws IOException {
    String md = MarketPriceSection.markdown(
        ReferencePrices.parse(new StringReader(LIST), "reference_prices.csv"));
    assertTrue(md.contains("reference list"), md);
    assertTrue(md.contains("| gh200 | 2.29 USD | Example Cloud, 1x GH200 | 2026-09-20 | https://example.com/pricing |"),
        md);
    // the lowest listed offer is the one used; the dearer one is listed as not used
    assertTrue(md.contains("| h100-sxm | 3.99 USD | Example Cloud, 8x H100 |"), md);
    assertFalse(md.contains("| h100-sxm | 4.29 USD"), md);
  }

  private static org.apache.spark.sql.Row item(String id, double gpuSeconds, Double unpricedSeconds, String models) {
    org.apache.spark.sql.types.StructType schema = org.apache.spark.sql.types.StructType.fromDDL(
        "line_item_id STRING, gpu_seconds DOUBLE, gpu_models STRING, market_unpriced_gpu_seconds DOUBLE");
    return new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(
        new Object[] {id, gpuSeconds, models, unpricedSeconds}, schema);
  }

  @Test
  void aLineItemWithGpuTimeNoPriceCoversIsListedWithTheHoursLeftOutOfItsMarketCost() {
    // 3 GPU-hours, 2 of them on a model without a price: 2.00 left out, 2/3 = 66.7 %
    String md = MarketPriceSection.coverage(java.util.List.of(item("atlas/pretrain", 10_800, 7_200.0,
        "a100-sxm4-80gb,h100-sxm"), item("bio/fold", 3_600, 0.0, "h100-sxm")));
    assertTrue(md.contains("1 line item(s) hold GPU time that no market price covers"), md);
    assertTrue(md.contains("| atlas/pretrain | 3.00 | 2.00 | 66.7 % | a100-sxm4-80gb,h100-sxm |"), md);
    assertFalse(md.contains("bio/fold"), md);
  }

  @Test
  void whenEveryLineItemIsFullyPricedTheSectionSaysSo() {
    String md = MarketPriceSection.coverage(java.util.List.of(item("bio/fold", 3_600, 0.0, "h100-sxm"),
        item("(unattributed)/(idle)", 100, null, "h100-sxm")));
    assertTrue(md.contains("Every line item's GPU time has a market price"), md);
  }

  @Test
  void withoutAnyMarketPricingTheSectionAddsNothing() {
    assertEquals("", MarketPriceSection.coverage(java.util.List.of(item("bio/fold", 3_600, null, "h100-sxm"))));
  }
}
