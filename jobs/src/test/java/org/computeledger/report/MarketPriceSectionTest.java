package org.computeledger.report;

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
}
