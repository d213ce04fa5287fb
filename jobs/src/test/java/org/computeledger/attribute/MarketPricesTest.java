package org.computeledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.common.LedgerException;
import org.junit.jupiter.api.Test;

/** prices.csv validation and the market cost of allocations, worked out by hand. */
class MarketPricesTest extends LocalSparkTestBase {
  private static final String HEADER = "gpu_model,price_per_gpu_hour,currency,effective_date,source\n";
  private static final String PRICES = HEADER
      + "h100-sxm,2.50,USD,2026-03-01,Example Cloud on-demand list 2026-03\n"
      + "h100-sxm,2.00,USD,2026-03-15,Example Cloud price cut notice\n"
      + "l40s,0.95,EUR,2026-01-01,Example EU GPU host rate card\n";
  private static final StructType ALLOCS = StructType.fromDDL(
      "alloc_id BIGINT, node STRING, start_time TIMESTAMP, end_time TIMESTAMP, gpu_count INT, gpu_model STRING");

  // --- reading prices.csv

  @Test
  void readsEveryPriceWithItsLine() throws IOException {
    List<MarketPrices.Price> prices = parse(PRICES);
    assertEquals(3, prices.size());
    MarketPrices.Price cut = prices.get(1);
    assertEquals("h100-sxm", cut.gpuModel());
    assertEquals(0, new BigDecimal("2.00").compareTo(cut.pricePerGpuHour()));
    assertEquals("USD", cut.currency());
    assertEquals(LocalDate.of(2026, 3, 15), cut.effectiveDate());
    assertEquals("Example Cloud price cut notice", cut.source());
    assertEquals(3, cut.line());
  }

  @Test
  void columnsMayComeInAnyOrderWithABomAndComments() throws IOException {
    String text = "\uFEFFsource,currency,gpu_model,effective_date,price_per_gpu_hour\n"
        + "# on-demand prices, checked 2026-03-01\n"
        + "\n"
        + "rate card,usd,H100-SXM,2026-03-01,2.5\n";
    MarketPrices.Price p = parse(text).get(0);
    assertEquals("h100-sxm", p.gpuModel());
    assertEquals("USD", p.currency());
    assertEquals(4, p.line());
  }

  @Test
  void missingColumnIsNamed() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse("gpu_model,price_per_gpu_hour,effective_date,source\nh100-sxm,2.50,2026-03-01,list\n"));
    assertEquals("prices.csv line 1: header has no column currency "
        + "(expected gpu_model,price_per_gpu_hour,currency,effective_date,source)", e.getMessage());
  }

  @Test
  void priceThatIsNoNumberNamesFileLineAndField() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse(PRICES + "a100-sxm,two fifty,USD,2026-03-01,list\n"));
    assertEquals("prices.csv line 5: field price_per_gpu_hour: expected a decimal number, 'two fifty'",
        e.getMessage());
  }

  @Test
  void negativePriceIsRejected() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse(HEADER + "h100-sxm,-2.50,USD,2026-03-01,list\n"));
    assertEquals("prices.csv line 2: field price_per_gpu_hour: expected a price of zero or more, '-2.50'",
        e.getMessage());
  }

  @Test
  void dateThatIsNotIsoIsRejected() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse(HEADER + "h100-sxm,2.50,USD,03/01/2026,list\n"));
    assertEquals("prices.csv line 2: field effective_date: expected a date YYYY-MM-DD, '03/01/2026'",
        e.getMessage());
  }

  @Test
  void currencyMustBeAnIsoCode() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse(HEADER + "h100-sxm,2.50,$,2026-03-01,list\n"));
    assertEquals("prices.csv line 2: field currency: expected a three-letter ISO 4217 code like USD, '$'",
        e.getMessage());
  }

  @Test
  void priceWithoutSourceIsRejected() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse(HEADER + "h100-sxm,2.50,USD,2026-03-01,\n"));
    assertEquals("prices.csv line 2: field source is empty or missing", e.getMessage());
  }

  @Test
  void secondPriceForTheSameModelAndDateIsRejected() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse(PRICES + "H100-SXM,2.40,USD,2026-03-15,reseller quote\n"));
    assertEquals("prices.csv line 5: a second price for h100-sxm from 2026-03-15 (the first is on line 3)",
        e.getMessage());
  }

  // --- market cost of allocations

  @Test
  void twoGpusForThreeHoursAtTwoFiftyCostFifteen() throws IOException {
    Map<Long, Row> cost = marketCost(alloc(1, "2026-03-02T10:00:00Z", "2026-03-02T13:00:00Z", 2, "h100-sxm"));
    assertMoney("15.00", cost.get(1L).getAs(MarketPrices.COST_MARKET));
    assertEquals("USD", cost.get(1L).getAs(MarketPrices.MARKET_CURRENCY));
    assertEquals("Example Cloud on-demand list 2026-03", cost.get(1L).getAs(MarketPrices.PRICE_SOURCE));
  }

  @Test
  void priceInEffectOnTheStartDateApplies() throws IOException {
    Map<Long, Row> cost = marketCost(
        // starts the day before the cut: the whole run at 2.50
        alloc(1, "2026-03-14T23:00:00Z", "2026-03-15T02:00:00Z", 2, "h100-sxm"),
        // starts after the cut: 4 GPUs × 1.5 h × 2.00
        alloc(2, "2026-03-16T00:00:00Z", "2026-03-16T01:30:00Z", 4, "h100-sxm"),
        // the model id is matched whatever its case: 1 GPU × 20 min × 0.95 EUR
        alloc(3, "2026-03-16T00:00:00Z", "2026-03-16T00:20:00Z", 1, "L40S"));
    assertMoney("15.00", cost.get(1L).getAs(MarketPrices.COST_MARKET));
    assertMoney("12.00", cost.get(2L).getAs(MarketPrices.COST_MARKET));
    assertEquals("Example Cloud price cut notice", cost.get(2L).getAs(MarketPrices.PRICE_SOURCE));
    assertMoney("0.316666666667", cost.get(3L).getAs(MarketPrices.COST_MARKET));
    assertEquals("EUR", cost.get(3L).getAs(MarketPrices.MARKET_CURRENCY));
  }

  @Test
  void allocationWithoutAPriceHasNoMarketCostRatherThanZero() throws IOException {
    Map<Long, Row> cost = marketCost(
        alloc(1, "2026-02-28T10:00:00Z", "2026-02-28T11:00:00Z", 8, "h100-sxm"),
        alloc(2, "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8, "a100-sxm4-80gb"),
        alloc(3, "2026-03-02T10:00:00Z", "2026-03-02T11:00:00Z", 8, null));
    assertEquals(3, cost.size());
    for (Row r : cost.values()) {
      assertNull(r.getAs(MarketPrices.COST_MARKET));
      assertNull(r.getAs(MarketPrices.MARKET_CURRENCY));
    }
  }

  @Test
  void priceLookupPlansNeitherACartesianProductNorANestedLoop() throws IOException {
    Dataset<Row> out = MarketPrices.allocMarketCost(
        allocs(alloc(1, "2026-03-02T10:00:00Z", "2026-03-02T13:00:00Z", 2, "h100-sxm")),
        MarketPrices.toDataset(spark, parse(PRICES)));
    String plan = out.queryExecution().executedPlan().toString();
    assertFalse(plan.contains("CartesianProduct"), plan);
    assertFalse(plan.contains("BroadcastNestedLoopJoin"), plan);
  }

  // --- fixtures

  private static List<MarketPrices.Price> parse(String text) throws IOException {
    return MarketPrices.parse(new StringReader(text), "prices.csv");
  }

  private static Map<Long, Row> marketCost(Row... allocs) throws IOException {
    Dataset<Row> prices = MarketPrices.toDataset(spark, parse(PRICES));
    Map<Long, Row> out = new HashMap<>();
    for (Row r : MarketPrices.allocMarketCost(allocs(allocs), prices).collectAsList()) {
      assertNull(out.put(r.getAs(CostAttribution.ALLOC_ID), r), "one row per allocation");
    }
    return out;
  }

  private static Dataset<Row> allocs(Row... rows) {
    return spark.createDataFrame(new ArrayList<>(List.of(rows)), ALLOCS);
  }

  private static Row alloc(long id, String start, String end, int gpus, String model) {
    return RowFactory.create(id, "n1", Timestamp.from(Instant.parse(start)), Timestamp.from(Instant.parse(end)),
        gpus, model);
  }

  private static void assertMoney(String expected, BigDecimal actual) {
    assertEquals(0, new BigDecimal(expected).compareTo(actual), "expected " + expected + " but was " + actual);
  }
}
