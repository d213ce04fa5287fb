package org.computeledger.attribute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import org.computeledger.common.LedgerException;
import org.junit.jupiter.api.Test;

class FxRatesTest {
  private static List<FxRates.Rate> parse(String text) throws Exception {
    return FxRates.parse(new StringReader(text), "fx.csv");
  }

  @Test
  void readsDatedRatesWithTheirSource() throws Exception {
    List<FxRates.Rate> rates = parse("date,from_currency,to_currency,rate,source\n"
        + "2026-03-01,EUR,USD,1.0800,ECB reference rate\n# comment\n2026-03-15,eur,usd,1.1000,ECB\n");
    assertEquals(2, rates.size());
    assertEquals(new FxRates.Rate(LocalDate.of(2026, 3, 1), "EUR", "USD", new BigDecimal("1.0800"),
        "ECB reference rate", 2), rates.get(0));
    assertEquals("EUR", rates.get(1).from(), "currency codes are upper-cased");
    assertEquals(4, rates.get(1).line());
  }

  @Test
  void refusesANonPositiveRateNamingFileLineAndField() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse("date,from_currency,to_currency,rate,source\n2026-03-01,EUR,USD,0,ECB\n"));
    assertEquals("fx.csv line 2: field rate: expected a positive decimal number, '0'", e.getMessage());
  }

  @Test
  void refusesABadDate() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse("date,from_currency,to_currency,rate,source\n01/03/2026,EUR,USD,1.08,ECB\n"));
    assertEquals("fx.csv line 2: field date: expected a date YYYY-MM-DD, '01/03/2026'", e.getMessage());
  }

  @Test
  void refusesTwoRatesForOnePairAndDate() {
    LedgerException e = assertThrows(LedgerException.class, () -> parse(
        "date,from_currency,to_currency,rate,source\n2026-03-01,EUR,USD,1.08,ECB\n2026-03-01,EUR,USD,1.09,other\n"));
    assertTrue(e.getMessage().startsWith("fx.csv line 3: "), e.getMessage());
    assertTrue(e.getMessage().contains("line 2"), e.getMessage());
  }

  @Test
  void refusesAHeaderWithoutTheColumns() {
    LedgerException e = assertThrows(LedgerException.class, () -> parse("day,base,quote,rate\n"));
    assertTrue(e.getMessage().startsWith("fx.csv line 1: header needs the columns date, from_currency,"),
        e.getMessage());
  }

  @Test
  void refusesAMissingSource() {
    LedgerException e = assertThrows(LedgerException.class,
        () -> parse("date,from_currency,to_currency,rate,source\n2026-03-01,EUR,USD,1.08,\n"));
    assertEquals("fx.csv line 2: field source is empty or missing", e.getMessage());
  }
}
