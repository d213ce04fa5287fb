package org.computeledger.standards;

import java.math.BigDecimal;
import org.apache.spark.sql.Row;
import org.computeledger.attribute.Registry.Activity;
import org.computeledger.attribute.Registry.Status;

/**
 * What the standards read of one line item (one row of {@code line_items}, PRODUCT.md §8). Line items
 * are dozens of rows, so the standards stage works on them on the driver, as plain values.
 *
 * @param activity null for line items of no registry branch (unattributed, idle)
 * @param flopAllocation the part of {@code flop} the allocation method made, which a standard's own
 *     assumed utilization rescales
 */
public record LineItem(
    String id,
    String project,
    String branch,
    Activity activity,
    Status status,
    boolean riskOnly,
    String justification,
    double flop,
    double flopLow,
    double flopHigh,
    double flopAllocation,
    BigDecimal costBilled,
    BigDecimal costMarket,
    String currency,
    String marketCurrency) {

  /** A line item whose market cost, if any, is in the currency of its billed cost. */
  public LineItem(String id, String project, String branch, Activity activity, Status status, boolean riskOnly,
      String justification, double flop, double flopLow, double flopHigh, double flopAllocation,
      BigDecimal costBilled, BigDecimal costMarket, String currency) {
    this(id, project, branch, activity, status, riskOnly, justification, flop, flopLow, flopHigh, flopAllocation,
        costBilled, costMarket, currency, currency);
  }

  public boolean hasJustification() {
    return justification != null && !justification.isBlank();
  }

  /** Reads the columns of a {@code line_items} row by name. */
  public static LineItem fromRow(Row r) {
    return new LineItem(r.getAs("line_item_id"), r.getAs("project"), r.getAs("branch"),
        activity(r.getAs("activity")), status(r.getAs("status")),
        Boolean.TRUE.equals(r.getAs("risk_only")), r.getAs("justification"),
        d(r.getAs("flop")), d(r.getAs("flop_low")), d(r.getAs("flop_high")), d(r.getAs("flop_allocation")),
        r.getAs("cost_billed"), r.getAs("cost_market"), r.getAs("currency"), r.getAs("market_currency"));
  }

  private static double d(Object v) {
    return v == null ? 0.0 : ((Number) v).doubleValue();
  }

  static Activity activity(String name) {
    return byName(name, Activity.values(), Activity::yamlName, "activity");
  }

  static Status status(String name) {
    return byName(name, Status.values(), Status::yamlName, "status");
  }

  /** The constant spelled {@code name} in the registry; null for null (no registry branch). */
  private static <E> E byName(String name, E[] values, java.util.function.Function<E, String> spelling, String what) {
    if (name == null) {
      return null;
    }
    for (E v : values) {
      if (spelling.apply(v).equals(name)) {
        return v;
      }
    }
    throw new IllegalArgumentException("line item " + what + " '" + name + "' is not a registry " + what);
  }
}
