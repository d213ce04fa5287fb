package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The page's line-items table carries what a reader of line_items needs beside the FLOP: how and why. */
class ReportPageTest {
  private static String lineItemsTable() {
    String html = ReportPage.render(ReportPageChromiumTest.page());
    Matcher m = Pattern.compile("<table id=\"line-items\">.*?</table>", Pattern.DOTALL).matcher(html);
    assertTrue(m.find(), "a line-items table");
    return m.group();
  }

  @Test
  void lineItemsShowTheArchitectureCrossCheckBesideTheHardwareEstimate() {
    String t = lineItemsTable();
    assertTrue(t.contains("<th>6·N·D FLOP</th><th>architecture check</th>"), t);
    assertTrue(t.contains("<td class=\"n\">1.200e+21</td><td>agrees</td>"), t);
  }

  @Test
  void lineItemsShowWhyAMethodWasChosenAsText() {
    String t = lineItemsTable();
    assertTrue(t.contains("<th>method reasons</th>"), t);
    assertTrue(t.contains("<td>fp64 pipe: no catalog row &lt;i&gt;for L4&lt;/i&gt;</td>"), t);
  }

  @Test
  void lineItemsShowTheCostConvertedToTheReportCurrency() {
    String t = lineItemsTable();
    assertTrue(t.contains("<th>converted cost</th><th>report currency</th>"), t);
    assertTrue(t.contains("<td class=\"n\">1,111.11</td><td>EUR</td>"), t);
  }

  @Test
  void lineItemsShowTheRateAndItsDateBesideEachConvertedCost() {
    String t = lineItemsTable();
    assertTrue(t.contains("<th>rate</th><th>rate date</th>"), t);
    assertTrue(t.contains("<td class=\"n\">0.9</td><td>2026-03-01</td>"), t);
    assertTrue(t.contains("<td class=\"n\">500.00</td><td>USD</td><td class=\"n\">460.00</td>"
        + "<td class=\"n\">0.92</td><td>2026-03-15</td>"), t);
  }

  @Test
  void lineItemsShowTheGpuHoursLeftOutOfTheMarketCostBesideIt() {
    String t = lineItemsTable();
    assertTrue(t.contains("<th>market rate date</th><th title=\"GPU time no market price covers: the market cost leaves"
        + " these hours out\">GPU-hours not in market cost</th>"), t);
    // 1,800 GPU-seconds with no market price: half an hour, right after the market cost's rate date
    assertTrue(t.contains("<td>2026-03-15</td><td class=\"n\">0.5</td>"), t);
  }
}
