package org.computeledger.report;

import java.util.List;
import org.apache.spark.sql.Row;
import org.computeledger.attribute.FxConversion;
import org.computeledger.attribute.FxRates;

/**
 * The methodology's account of currency conversion: whether line items were converted, from which file,
 * by which rule, and which dated rates of {@code fx.csv} each converted line item used. Appended by
 * {@code ledger run} after the methodology proper, as the standards' section is.
 */
public final class FxSection {
  private FxSection() {}

  /**
   * Markdown. {@code rates}: the rows of {@code fx.csv} ({@link FxRates#SCHEMA}, null without the file);
   * {@code reportCurrency}: blank for none; {@code lineItems}: the report's line items.
   */
  public static String markdown(List<Row> rates, String reportCurrency, List<Row> lineItems) {
    StringBuilder md = new StringBuilder("## Currencies\n\n");
    md.append("Every cost total is kept in its own currency: `cost_billed`, `cost_effective` and `currency`, "
        + "`cost_market` and `market_currency` of the line items and jobs, and every row of `cost_reconciliation` are "
        + "never converted; a line item or job whose costs are in several currencies has no sum across them (the "
        + "amount empty, the currency `mixed`). ");
    if (reportCurrency == null || reportCurrency.isBlank()) {
      md.append("No reporting currency was given (`--report-currency`), so nothing was converted")
          .append(rates == null ? "" : "; the input's `" + FxRates.FILE_NAME + "` was read but not used")
          .append(". The conversion columns of the line items and jobs (`" + FxConversion.COST_BILLED_CONVERTED + "`, `"
              + FxConversion.COST_EFFECTIVE_CONVERTED + "`, `" + FxConversion.COST_MARKET_CONVERTED + "`, `"
              + FxConversion.REPORT_CURRENCY + "`, `" + FxConversion.FX_RATE + "`, `" + FxConversion.FX_DATE + "`, `"
              + FxConversion.FX_NOTE + "` and their `market_` counterparts) are empty.\n");
      return md.toString();
    }
    md.append("Billed, effective and market cost were also converted to **").append(reportCurrency).append("** with the dated rates of the ")
        .append("input's `").append(FxRates.FILE_NAME).append("` (").append(rates.size()).append(" rate(s)). Rule: ")
        .append("each charge's share of a line item is converted at the rate from its currency to ")
        .append(reportCurrency).append(" dated on, or most recently before, the UTC day its charge period starts; ")
        .append("a share already in ").append(reportCurrency).append(" keeps its amount (rate 1). A line item is ")
        .append("converted only when every share found a rate: `").append(FxConversion.FX_RATE)
        .append("` is then the cost-weighted rate (converted ÷ billed, 12 decimals; none when the shares are in several "
            + "currencies) and `")
        .append(FxConversion.FX_DATE).append("` the latest rate date used. A share without a rate leaves the whole ")
        .append("line item unconverted (null) with the missing rate named in `").append(FxConversion.FX_NOTE)
        .append("`: no rate is guessed, and no rate is used for a day before its date. ")
        .append("A share's effective cost is converted with the same rate as the billed cost of its share (`")
        .append(FxConversion.COST_EFFECTIVE_CONVERTED).append("`). Market cost (`prices.csv`) is converted at the rate ")
        .append("dated on, or most recently before, the UTC day the allocation started, the day its price was chosen (`")
        .append(FxConversion.COST_MARKET_CONVERTED).append("`, `").append(FxConversion.MARKET_FX_RATE).append("`, `")
        .append(FxConversion.MARKET_FX_DATE).append("`, `").append(FxConversion.MARKET_FX_NOTE).append("`). ")
        .append("The `jobs` table carries the same columns, converted job by job with each job's own rate and date.\n\n");
    md.append("Rates in `").append(FxRates.FILE_NAME).append("` to ").append(reportCurrency).append(":\n\n")
        .append("| date | from | rate | source |\n|---|---|---:|---|\n");
    for (Row r : rates) {
      if (reportCurrency.equals(r.getAs(FxRates.TO))) {
        md.append("| ").append((Object) r.getAs(FxRates.DATE)).append(" | ").append((String) r.getAs(FxRates.FROM))
            .append(" | ").append(((java.math.BigDecimal) r.getAs(FxRates.RATE)).stripTrailingZeros().toPlainString())
            .append(" | ").append(cell(r.getAs(FxRates.SOURCE))).append(" |\n");
      }
    }
    md.append("\nLine items:\n\n| line item | billed | currency | converted | rate | rate date | note |\n")
        .append("|---|---:|---|---:|---:|---|---|\n");
    for (Row li : lineItems) {
      if (li.getAs("cost_billed") == null) {
        continue;
      }
      md.append("| ").append(cell(li.getAs("line_item_id"))).append(" | ").append(money(li.getAs("cost_billed")))
          .append(" | ").append(cell(li.getAs("currency"))).append(" | ")
          .append(money(li.getAs(FxConversion.COST_BILLED_CONVERTED))).append(" | ")
          .append(rate(li.getAs(FxConversion.FX_RATE))).append(" | ")
          .append(li.getAs(FxConversion.FX_DATE) == null ? "" : li.getAs(FxConversion.FX_DATE).toString())
          .append(" | ").append(cell(li.getAs(FxConversion.FX_NOTE))).append(" |\n");
    }
    md.append("\nEffective and market cost of the line items (effective cost at the billed shares' rates):\n\n")
        .append("| line item | effective | currency | converted | rate | rate date | market | market currency "
            + "| converted | market rate | market rate date | market note |\n")
        .append("|---|---:|---|---:|---:|---|---:|---|---:|---:|---|---|\n");
    for (Row li : lineItems) {
      if (li.getAs("cost_effective") == null && li.getAs("cost_market") == null) {
        continue;
      }
      md.append("| ").append(cell(li.getAs("line_item_id"))).append(" | ").append(money(li.getAs("cost_effective")))
          .append(" | ").append(cell(li.getAs("currency"))).append(" | ")
          .append(money(li.getAs(FxConversion.COST_EFFECTIVE_CONVERTED))).append(" | ")
          .append(rate(li.getAs(FxConversion.FX_RATE))).append(" | ").append(cell(li.getAs(FxConversion.FX_DATE)))
          .append(" | ").append(money(li.getAs("cost_market"))).append(" | ").append(cell(li.getAs("market_currency")))
          .append(" | ").append(money(li.getAs(FxConversion.COST_MARKET_CONVERTED))).append(" | ")
          .append(rate(li.getAs(FxConversion.MARKET_FX_RATE))).append(" | ")
          .append(cell(li.getAs(FxConversion.MARKET_FX_DATE))).append(" | ")
          .append(cell(li.getAs(FxConversion.MARKET_FX_NOTE))).append(" |\n");
    }
    return md.toString();
  }

  private static String money(Object v) {
    return v == null ? "" : ((java.math.BigDecimal) v).setScale(2, java.math.RoundingMode.HALF_UP).toPlainString();
  }

  private static String rate(Object v) {
    return v == null ? "" : ((java.math.BigDecimal) v).stripTrailingZeros().toPlainString();
  }

  private static String cell(Object v) {
    return v == null ? "" : v.toString().replace("|", "\\|").replace("\n", " ");
  }
}
