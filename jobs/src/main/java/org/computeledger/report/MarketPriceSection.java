package org.computeledger.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.computeledger.attribute.MarketPrices;
import org.computeledger.attribute.ReferencePrices;
import org.computeledger.common.UserText;

/**
 * The methodology's account of market prices: whether {@code cost_market} came from the input's
 * {@code prices.csv} or, without one, from the built-in reference list, and then which listed price
 * each model was costed at and where it was read. Appended by {@code ledger run} after the
 * methodology proper, as the currency section is.
 */
public final class MarketPriceSection {
  private MarketPriceSection() {}

  /** Markdown; {@code reference} is the list used for market cost, or null when the input's prices.csv was. */
  public static String markdown(ReferencePrices reference) {
    StringBuilder md = new StringBuilder("## Market prices\n\n");
    if (reference == null) {
      md.append("`cost_market` is priced with the input's `prices.csv`, each allocation at its GPU model's price "
          + "dated on or before its start.\n");
      return md.toString();
    }
    md.append("The input has no `prices.csv`, so `cost_market` is priced at the built-in **reference list** of "
        + "public on-demand list prices per GPU-hour (`catalog/reference_prices.csv`): an estimate of what the "
        + "GPU-hours would have cost to rent, not what was paid. A model listed by several providers is priced at "
        + "its lowest listed offer; the date is when the price was read, and it is applied to allocations of any "
        + "date. A model not listed has no market cost (empty, never zero).\n\n");
    md.append("| GPU model | price per GPU-hour | provider, offer | listed | source |\n|---|---|---|---|---|\n");
    for (MarketPrices.Price p : reference.marketPrices()) {
      ReferencePrices.Offer o = reference.offers().stream().filter(x -> x.line() == p.line()).findFirst().orElseThrow();
      md.append("| ").append(UserText.markdown(o.gpuModel())).append(" | ").append(o.pricePerGpuHour().toPlainString())
          .append(' ').append(o.currency()).append(" | ").append(UserText.markdown(o.provider() + ", " + o.offer()))
          .append(" | ").append(o.listedOn()).append(" | ").append(UserText.markdown(o.source())).append(" |\n");
    }
    return md.toString();
  }

  /** {@link #markdown(ReferencePrices)} and then {@link #coverage} of the report's line items. */
  public static String markdown(ReferencePrices reference, List<Row> lineItems) {
    return markdown(reference) + coverage(lineItems);
  }

  /**
   * Which line items hold GPU time that no market price covers ({@code market_unpriced_gpu_seconds} above
   * zero): their {@code cost_market} is a sum over the priced part only, so it is listed with the GPU-hours
   * left out and their share of the line item's. Empty when no line item carries the column (no prices).
   */
  static String coverage(List<Row> lineItems) {
    List<Row> partial = new ArrayList<>();
    boolean priced = false;
    for (Row r : lineItems) {
      Object unpriced = r.getAs(Rollups.MARKET_UNPRICED_S);
      priced |= unpriced != null;
      if (unpriced != null && ((Number) unpriced).doubleValue() > 0) {
        partial.add(r);
      }
    }
    if (!priced) {
      return "";
    }
    if (partial.isEmpty()) {
      return "\nEvery line item's GPU time has a market price: each `cost_market` covers all of its GPU-hours.\n";
    }
    StringBuilder md = new StringBuilder("\n**Partly priced.** " + partial.size() + " line item(s) hold GPU time "
        + "that no market price covers (a GPU model without a price, a start before its first dated price, or an "
        + "allocation on no known node). Their `cost_market` is the sum over the priced GPU time only, not an "
        + "estimate of the whole; `market_unpriced_gpu_seconds` on `line_items/` and `jobs/` gives the GPU time "
        + "left out.\n\n| line item | GPU-hours | without a market price | share | models |\n|---|---|---|---|---|\n");
    for (Row r : partial) {
      double all = ((Number) r.getAs("gpu_seconds")).doubleValue();
      double unpriced = ((Number) r.getAs(Rollups.MARKET_UNPRICED_S)).doubleValue();
      md.append("| ").append(UserText.markdown(r.getAs("line_item_id"))).append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", all / 3600)).append(" | ")
          .append(String.format(Locale.ROOT, "%.2f", unpriced / 3600)).append(" | ")
          .append(all > 0 ? String.format(Locale.ROOT, "%.1f %%", 100 * unpriced / all) : "").append(" | ")
          .append(UserText.markdown(String.valueOf(r.<String>getAs("gpu_models")))).append(" |\n");
    }
    return md.toString();
  }
}
