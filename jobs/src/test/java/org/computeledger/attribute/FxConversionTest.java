package org.computeledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Conversion of line items' and jobs' cost with fx.csv, through the run's own path ({@code prepare} then
 * {@code apply} per table), figures worked out by hand.
 */
class FxConversionTest extends LocalSparkTestBase {
  // billed pieces as MainJob.fxPieces makes them: fx_at is the charge period's start
  private static final StructType PIECES = StructType.fromDDL("project STRING, branch STRING, currency STRING,"
      + " cost_billed DECIMAL(38,12), cost_effective DECIMAL(38,12), fx_at TIMESTAMP");

  // EUR->USD 1.08 from 1 March, 1.10 from 15 March
  private static final List<FxRates.Rate> RATES = List.of(
      new FxRates.Rate(LocalDate.of(2026, 3, 1), "EUR", "USD", new BigDecimal("1.08"), "ECB", 2),
      new FxRates.Rate(LocalDate.of(2026, 3, 15), "EUR", "USD", new BigDecimal("1.10"), "ECB", 3));

  /** Line items, one per (project, branch) of the pieces, converted to USD as the run converts them. */
  private Map<String, Row> convert(Row... pieces) {
    Dataset<Row> p = spark.createDataFrame(List.of(pieces), PIECES);
    Dataset<Row> lineItems = p.select("project", "branch").distinct();
    Map<String, Row> out = new HashMap<>();
    for (Row r : FxConversion.apply(lineItems, List.of("project", "branch"),
        FxConversion.prepare(p, null, FxRates.toDataset(spark, RATES), "USD")).collectAsList()) {
      out.put(r.getAs("project") + "/" + r.getAs("branch"), r);
    }
    return out;
  }

  private static Row piece(String item, String currency, String cost, String start) {
    String[] pb = item.split("/");
    return RowFactory.create(pb[0], pb[1], currency, new BigDecimal(cost), null, Timestamp.from(Instant.parse(start)));
  }

  private static void assertMoney(String expected, Object actual) {
    assertEquals(0, new BigDecimal(expected).compareTo((BigDecimal) actual), expected + " vs " + actual);
  }

  @Test
  void eachChargeTakesTheRateDatedOnOrLatestBeforeItsPeriodStart() {
    // 100 EUR on 10 March at 1.08 = 108.00; 50 EUR on 20 March at 1.10 = 55.00; together 163.00 for 150 EUR
    Row r = convert(piece("p/b", "EUR", "100.00", "2026-03-10T08:00:00Z"),
        piece("p/b", "EUR", "50.00", "2026-03-20T08:00:00Z")).get("p/b");
    assertMoney("163.00", r.getAs(FxConversion.COST_BILLED_CONVERTED));
    assertEquals("USD", r.getAs(FxConversion.REPORT_CURRENCY));
    // cost-weighted rate 163 / 150 = 1.08666..., at 12 decimals
    assertMoney("1.086666666667", r.getAs(FxConversion.FX_RATE));
    assertEquals(Date.valueOf("2026-03-15"), r.getAs(FxConversion.FX_DATE), "the latest rate date used");
  }

  @Test
  void aChargeStartingOnARatesDateTakesThatRate() {
    Row r = convert(piece("p/b", "EUR", "10.00", "2026-03-15T00:00:00Z")).get("p/b");
    assertMoney("11.00", r.getAs(FxConversion.COST_BILLED_CONVERTED));
    assertMoney("1.10", r.getAs(FxConversion.FX_RATE));
    assertEquals(Date.valueOf("2026-03-15"), r.getAs(FxConversion.FX_DATE));
  }

  @Test
  void aCurrencyWithoutARateIsNotConvertedAndSaysWhy() {
    Row r = convert(piece("p/b", "GBP", "10.00", "2026-03-10T08:00:00Z")).get("p/b");
    assertNull(r.getAs(FxConversion.COST_BILLED_CONVERTED));
    assertNull(r.getAs(FxConversion.FX_RATE));
    assertNull(r.getAs(FxConversion.FX_DATE));
    assertEquals("not converted: no GBP->USD rate in fx.csv dated on or before 2026-03-10",
        r.getAs(FxConversion.FX_NOTE));
  }

  @Test
  void aChargeBeforeTheFirstRateLeavesTheWholeLineItemUnconverted() {
    // the 1 March rate is not used for February: no rate is guessed, and a partial sum is not shown
    Row r = convert(piece("p/b", "EUR", "100.00", "2026-03-10T08:00:00Z"),
        piece("p/b", "EUR", "5.00", "2026-02-28T23:00:00Z")).get("p/b");
    assertNull(r.getAs(FxConversion.COST_BILLED_CONVERTED));
    assertEquals("not converted: no EUR->USD rate in fx.csv dated on or before 2026-02-28",
        r.getAs(FxConversion.FX_NOTE));
  }

  @Test
  void costAlreadyInTheReportCurrencyKeepsItsAmountAtRateOne() {
    Row r = convert(piece("q/c", "USD", "7.25", "2026-03-10T08:00:00Z")).get("q/c");
    assertMoney("7.25", r.getAs(FxConversion.COST_BILLED_CONVERTED));
    assertMoney("1", r.getAs(FxConversion.FX_RATE));
    assertNull(r.getAs(FxConversion.FX_DATE), "no rate from fx.csv was used");
  }

  @Test
  void aLineItemOfSeveralCurrenciesIsConvertedButShowsNoSingleRate() {
    // 100 EUR at 1.08 = 108.00 plus 7.25 USD = 115.25 USD; a rate over EUR and USD together would mean nothing
    Row r = convert(piece("p/b", "EUR", "100.00", "2026-03-10T08:00:00Z"),
        piece("p/b", "USD", "7.25", "2026-03-10T08:00:00Z")).get("p/b");
    assertMoney("115.25", r.getAs(FxConversion.COST_BILLED_CONVERTED));
    assertNull(r.getAs(FxConversion.FX_RATE));
    assertEquals(Date.valueOf("2026-03-01"), r.getAs(FxConversion.FX_DATE));
    assertEquals("converted at 1 dated rate(s) from several currencies; no single rate to show, fx_date the latest"
        + " date used", r.getAs(FxConversion.FX_NOTE));
  }

  @Test
  void lineItemsAreConvertedOnTheirOwn() {
    Map<String, Row> items = convert(piece("p/b", "EUR", "100.00", "2026-03-10T08:00:00Z"),
        piece("q/c", "GBP", "10.00", "2026-03-10T08:00:00Z"));
    assertMoney("108.00", items.get("p/b").getAs(FxConversion.COST_BILLED_CONVERTED));
    assertNull(items.get("q/c").getAs(FxConversion.COST_BILLED_CONVERTED));
  }

  private static final StructType BILLED_PIECES = StructType.fromDDL("job_key STRING, currency STRING,"
      + " cost_billed DECIMAL(38,12), cost_effective DECIMAL(38,12), fx_at TIMESTAMP");
  private static final StructType MARKET_PIECES = StructType.fromDDL(
      "job_key STRING, market_currency STRING, cost_market DECIMAL(38,12), fx_at TIMESTAMP");

  /** Job j1 converted to USD from these pieces as the run converts jobs; {@code market} null without prices. */
  private Row job1(Dataset<Row> billed, Dataset<Row> market) {
    Dataset<Row> jobs = spark.createDataFrame(List.of(RowFactory.create("j1")), StructType.fromDDL("job_key STRING"));
    List<Row> rows = FxConversion.apply(jobs, List.of("job_key"),
        FxConversion.prepare(billed, market, FxRates.toDataset(spark, RATES), "USD")).collectAsList();
    assertEquals(1, rows.size());
    return rows.get(0);
  }

  private Dataset<Row> noBilledPieces() {
    return spark.createDataFrame(List.of(), BILLED_PIECES);
  }

  @Test
  void effectiveCostIsConvertedAtTheSameDatedRatesAsBilledCost() {
    // billed 100 EUR (effective 80, a Savings Plan) on 10 March at 1.08, billed 50 (effective 40) on 20 March at 1.10:
    // effective 80 × 1.08 + 40 × 1.10 = 86.40 + 44.00 = 130.40; billed 108.00 + 55.00 = 163.00
    Dataset<Row> p = spark.createDataFrame(List.of(
        RowFactory.create("j1", "EUR", new BigDecimal("100.00"), new BigDecimal("80.00"),
            Timestamp.from(Instant.parse("2026-03-10T08:00:00Z"))),
        RowFactory.create("j1", "EUR", new BigDecimal("50.00"), new BigDecimal("40.00"),
            Timestamp.from(Instant.parse("2026-03-20T08:00:00Z")))), BILLED_PIECES);
    Row r = job1(p, null);
    assertMoney("163.00", r.getAs(FxConversion.COST_BILLED_CONVERTED));
    assertMoney("130.40", r.getAs(FxConversion.COST_EFFECTIVE_CONVERTED));
    assertMoney("1.086666666667", r.getAs(FxConversion.FX_RATE));
    assertEquals(Date.valueOf("2026-03-15"), r.getAs(FxConversion.FX_DATE));
  }

  @Test
  void marketCostIsConvertedAtTheRateOfTheDayItWasPriced() {
    // 200.00 EUR at market prices for a job starting 16 March: the 15 March rate 1.10 gives 220.00 USD
    Dataset<Row> p = spark.createDataFrame(List.of(RowFactory.create("j1", "EUR", new BigDecimal("200.00"),
        Timestamp.from(Instant.parse("2026-03-16T23:59:59Z")))), MARKET_PIECES);
    Row r = job1(noBilledPieces(), p);
    assertMoney("220.00", r.getAs(FxConversion.COST_MARKET_CONVERTED));
    assertMoney("1.10", r.getAs(FxConversion.MARKET_FX_RATE));
    assertEquals(Date.valueOf("2026-03-15"), r.getAs(FxConversion.MARKET_FX_DATE));
  }

  @Test
  void marketCostWithoutARateSaysWhichRateIsMissing() {
    Dataset<Row> p = spark.createDataFrame(List.of(RowFactory.create("j1", "GBP", new BigDecimal("200.00"),
        Timestamp.from(Instant.parse("2026-03-16T10:00:00Z")))), MARKET_PIECES);
    Row r = job1(noBilledPieces(), p);
    assertNull(r.getAs(FxConversion.COST_MARKET_CONVERTED));
    assertNull(r.getAs(FxConversion.MARKET_FX_RATE));
    assertEquals("not converted: no GBP->USD rate in fx.csv dated on or before 2026-03-16",
        r.getAs(FxConversion.MARKET_FX_NOTE));
  }

  @Test
  void eachJobRowGetsItsOwnRateAndDate() {
    // j1 billed on 10 March (1.08), j2 on 20 March (1.10): each row shows the rate it used
    Dataset<Row> jobs = spark.createDataFrame(List.of(RowFactory.create("j1"), RowFactory.create("j2")),
        StructType.fromDDL("job_key STRING"));
    Dataset<Row> billed = spark.createDataFrame(List.of(
        RowFactory.create("j1", "EUR", new BigDecimal("10.00"), new BigDecimal("9.00"),
            Timestamp.from(Instant.parse("2026-03-10T08:00:00Z"))),
        RowFactory.create("j2", "EUR", new BigDecimal("10.00"), new BigDecimal("9.00"),
            Timestamp.from(Instant.parse("2026-03-20T08:00:00Z")))), BILLED_PIECES);
    Dataset<Row> market = spark.createDataFrame(List.of(), MARKET_PIECES);
    Map<String, Row> out = new HashMap<>();
    for (Row r : FxConversion.apply(jobs, List.of("job_key"),
        FxConversion.prepare(billed, market, FxRates.toDataset(spark, RATES), "USD")).collectAsList()) {
      out.put(r.getAs("job_key"), r);
    }
    assertMoney("10.80", out.get("j1").getAs(FxConversion.COST_BILLED_CONVERTED));
    assertMoney("9.72", out.get("j1").getAs(FxConversion.COST_EFFECTIVE_CONVERTED));
    assertMoney("1.08", out.get("j1").getAs(FxConversion.FX_RATE));
    assertEquals(Date.valueOf("2026-03-01"), out.get("j1").getAs(FxConversion.FX_DATE));
    assertMoney("11.00", out.get("j2").getAs(FxConversion.COST_BILLED_CONVERTED));
    assertMoney("9.90", out.get("j2").getAs(FxConversion.COST_EFFECTIVE_CONVERTED));
    assertMoney("1.10", out.get("j2").getAs(FxConversion.FX_RATE));
    assertEquals(Date.valueOf("2026-03-15"), out.get("j2").getAs(FxConversion.FX_DATE));
    assertEquals("USD", out.get("j2").getAs(FxConversion.REPORT_CURRENCY));
    assertNull(out.get("j2").getAs(FxConversion.COST_MARKET_CONVERTED), "no market price, nothing to convert");
  }
}
