package org.computeledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.common.LedgerException;
import org.computeledger.estimate.GpuModels;
import org.junit.jupiter.api.Test;

/** The built-in reference price list: what it ships, how it is read, and the market cost it gives. */
class ReferencePricesTest extends LocalSparkTestBase {
  private static final String HEADER =
      "gpu_model,provider,offer,price_per_gpu_hour,currency,effective_date,source,notes\n";
  private static final String TWO_OFFERS = HEADER
      + "h100-sxm,Example Cloud,8x H100 box,4.00,USD,2026-09-20,https://example.com/pricing,\n"
      + "h100-sxm,Other Cloud,1x H100 VM,3.50,USD,2026-09-25,https://other.example/prices,per GPU\n"
      + "gh200,Example Cloud,1x GH200,2.29,USD,2026-09-20,https://example.com/pricing,\n";

  @Test
  void shippedListPricesGh200AndA10g() {
    ReferencePrices shipped = ReferencePrices.load();
    assertTrue(shipped.marketPrice("gh200").isPresent(), "gh200 has no reference price");
    assertTrue(shipped.marketPrice("a10g").isPresent(), "a10g has no reference price");
  }

  @Test
  void everyShippedRowNamesACatalogModelAProviderASourceAndADate() {
    for (ReferencePrices.Offer o : ReferencePrices.load().offers()) {
      assertTrue(GpuModels.IDS.contains(o.gpuModel()) || GpuModels.UNPRICED_IDS.contains(o.gpuModel()),
          o.gpuModel() + " is not a catalog model id");
      assertFalse(o.provider().isBlank(), o.gpuModel() + ": no provider");
      assertFalse(o.source().isBlank(), o.gpuModel() + ": no source");
      assertTrue(o.pricePerGpuHour().signum() > 0, o.gpuModel() + ": price not above zero");
    }
  }

  @Test
  void marketPriceIsTheLowestListedOfferLabelledAsAReferencePrice() throws IOException {
    ReferencePrices ref = parse(TWO_OFFERS);
    MarketPrices.Price p = ref.marketPrice("h100-sxm").orElseThrow();
    assertEquals(0, new BigDecimal("3.50").compareTo(p.pricePerGpuHour()));
    assertEquals("USD", p.currency());
    assertTrue(p.source().startsWith("reference list price (no prices.csv): Other Cloud, 1x H100 VM, listed "
        + "2026-09-25, https://other.example/prices"), p.source());
  }

  @Test
  void aReferencePriceHoldsForAllocationsBeforeTheDateItWasListed() throws IOException {
    // the list is dated by when a price was read, not by when it started: an older allocation is priced too
    Dataset<Row> prices = MarketPrices.toDataset(spark, parse(TWO_OFFERS).marketPrices());
    Dataset<Row> allocs = spark.createDataFrame(List.of(
        RowFactory.create(1L, "n1", ts("2025-01-10T00:00:00Z"), ts("2025-01-10T01:00:00Z"), 2, "gh200")),
        StructType.fromDDL("alloc_id BIGINT, node STRING, start_time TIMESTAMP, end_time TIMESTAMP, gpu_count INT,"
            + " gpu_model STRING"));
    Row r = MarketPrices.allocMarketCost(allocs, prices).collectAsList().get(0);
    // 2 GPUs x 1 hour x 2.29 USD
    assertEquals(0, new BigDecimal("4.58").compareTo(r.getDecimal(1)));
    assertTrue(r.getString(3).startsWith("reference list price (no prices.csv): Example Cloud"), r.getString(3));
  }

  @Test
  void aRowWithAnUnknownModelIsRefusedNamingFileLineAndField() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse(HEADER + "h100,Example Cloud,x,2.00,USD,2026-09-20,https://example.com,\n"));
    assertEquals("reference_prices.csv line 2: field gpu_model: expected a catalog model id like h100-sxm, 'h100'",
        e.getMessage());
  }

  @Test
  void aRowWithoutASourceIsRefused() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse(HEADER + "gh200,Example Cloud,x,2.00,USD,2026-09-20,,\n"));
    assertEquals("reference_prices.csv line 2: field source is empty or missing", e.getMessage());
  }

  @Test
  void aPriceOfZeroIsRefused() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse(HEADER + "gh200,Example Cloud,x,0,USD,2026-09-20,https://example.com,\n"));
    assertEquals("reference_prices.csv line 2: field price_per_gpu_hour: expected a price above zero, '0'",
        e.getMessage());
  }

  private static ReferencePrices parse(String text) throws IOException {
    return ReferencePrices.parse(new StringReader(text), "reference_prices.csv");
  }

  private static Timestamp ts(String iso) {
    return Timestamp.from(Instant.parse(iso));
  }
}
