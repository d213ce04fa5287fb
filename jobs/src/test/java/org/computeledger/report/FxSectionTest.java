package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.computeledger.attribute.FxRates;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;

/** The methodology's currency section names the file, the rule, the rates and each line item's rate and date. */
class FxSectionTest {
  private static final StructType ITEMS = Table.LINE_ITEMS.schema();

  private static Row rate(String date, String from, String to, String rate, String source) {
    return new GenericRowWithSchema(new Object[] {Date.valueOf(date), from, to, new BigDecimal(rate), source},
        FxRates.SCHEMA);
  }

  private static Row item(String id, String billed, String currency, String converted, String rate, String date,
      String note) {
    Object[] v = new Object[ITEMS.size()];
    v[ITEMS.fieldIndex("line_item_id")] = id;
    v[ITEMS.fieldIndex("cost_billed")] = billed == null ? null : new BigDecimal(billed);
    v[ITEMS.fieldIndex("currency")] = currency;
    v[ITEMS.fieldIndex("cost_billed_converted")] = converted == null ? null : new BigDecimal(converted);
    v[ITEMS.fieldIndex("report_currency")] = "USD";
    v[ITEMS.fieldIndex("fx_rate")] = rate == null ? null : new BigDecimal(rate);
    v[ITEMS.fieldIndex("fx_date")] = date == null ? null : Date.valueOf(date);
    v[ITEMS.fieldIndex("fx_note")] = note;
    return new GenericRowWithSchema(v, ITEMS);
  }

  @Test
  void withoutAReportCurrencyItSaysNothingWasConverted() {
    String md = FxSection.markdown(null, "", List.of());
    assertTrue(md.contains("nothing was converted"), md);
    assertFalse(md.contains("| date |"), md);
  }

  @Test
  void withRatesItNamesTheFileTheRuleTheRatesAndEachLineItemsRateAndDate() {
    String md = FxSection.markdown(
        List.of(rate("2026-03-01", "EUR", "USD", "1.080000000000", "ECB reference rate"),
            rate("2026-03-15", "EUR", "USD", "1.100000000000", "ECB reference rate"),
            rate("2026-03-01", "EUR", "GBP", "0.850000000000", "ECB")),
        "USD",
        List.of(item("p/b", "150.00", "EUR", "163.00", "1.086666666667", "2026-03-15", "converted at 2 dated rate(s)"),
            item("q/c", "10.00", "GBP", null, null, null, "not converted: no GBP->USD rate"),
            item("r/d", null, null, null, null, null, null)));
    assertTrue(md.contains("`fx.csv` (3 rate(s))"), md);
    assertTrue(md.contains("dated on, or most recently before, the UTC day its charge period starts"), md);
    assertTrue(md.contains("| 2026-03-01 | EUR | 1.08 | ECB reference rate |"), md);
    assertTrue(md.contains("| 2026-03-15 | EUR | 1.1 | ECB reference rate |"), md);
    assertFalse(md.contains("0.85"), "a rate to another currency is not listed: " + md);
    assertTrue(md.contains("| p/b | 150.00 | EUR | 163.00 | 1.086666666667 | 2026-03-15 |"), md);
    assertTrue(md.contains("| q/c | 10.00 | GBP |  |  |  | not converted: no GBP->USD rate |"), md);
    assertFalse(md.contains("| r/d |"), "a line item without billed cost is left out: " + md);
  }

  @Test
  void effectiveAndMarketCostAreListedWithTheirConvertedAmountRateAndDate() {
    Row li = item("p/b", "150.00", "EUR", "163.00", "1.086666666667", "2026-03-15", "converted at 2 dated rate(s)");
    Object[] v = new Object[ITEMS.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = li.get(i);
    }
    v[ITEMS.fieldIndex("cost_effective")] = new BigDecimal("120.00");
    v[ITEMS.fieldIndex("cost_effective_converted")] = new BigDecimal("130.40");
    v[ITEMS.fieldIndex("cost_market")] = new BigDecimal("6.00");
    v[ITEMS.fieldIndex("market_currency")] = "EUR";
    v[ITEMS.fieldIndex("cost_market_converted")] = new BigDecimal("6.54");
    v[ITEMS.fieldIndex("market_fx_rate")] = new BigDecimal("1.090000000000");
    v[ITEMS.fieldIndex("market_fx_date")] = Date.valueOf("2026-03-03");
    v[ITEMS.fieldIndex("market_fx_note")] = "converted at 2 dated rate(s)";
    String md = FxSection.markdown(List.of(rate("2026-03-01", "EUR", "USD", "1.080000000000", "ECB")), "USD",
        List.of(new GenericRowWithSchema(v, ITEMS)));
    assertTrue(md.contains("effective cost is converted with the same rate as the billed cost of its share"), md);
    assertTrue(md.contains("the UTC day the allocation started"), md);
    assertTrue(md.contains("| p/b | 120.00 | EUR | 130.40 | 1.086666666667 | 2026-03-15 | 6.00 | EUR | 6.54 | 1.09 "
        + "| 2026-03-03 | converted at 2 dated rate(s) |"), md);
  }
}
