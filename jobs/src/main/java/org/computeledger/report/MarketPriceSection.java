package org.computeledger.report;

import org.computeledger.common.UserText;

import org.computeledger.attribute.MarketPrices;
import org.computeledger.attribute.ReferencePrices;

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
}
