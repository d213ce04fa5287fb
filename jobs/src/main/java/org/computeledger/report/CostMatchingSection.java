package org.computeledger.report;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;
import org.apache.spark.sql.Row;
import org.computeledger.attribute.CostAttribution;
import org.computeledger.common.UserText;
import org.computeledger.schema.Charges;

/**
 * The methodology's account of how bill lines found their GPU nodes: per provider and currency, how much
 * cost each matching rule of {@link CostAttribution} placed and how much no rule did.
 */
final class CostMatchingSection {
  private CostMatchingSection() {}

  /** Markdown for the rows of {@link CostAttribution#matching}; empty when there were no charges. */
  static String markdown(List<Row> matching) {
    if (matching == null || matching.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder();
    md.append("### How bill lines were matched to GPU nodes\n\n");
    md.append("Rules, tried in this order (the first naming a known GPU node wins): ")
        .append(String.join(", ", "`" + CostAttribution.RULE_RESOURCES + "` (the input's `resources.csv`: resource id"
            + " → host, valid from/to)", "`" + CostAttribution.RULE_HOST_TAG + "` (tag `host`, `user:host`, `ledger-node`,"
            + " `node`, `hostname`)", "`" + CostAttribution.RULE_K8S_LABEL + "` (label `kubernetes.io/hostname`)",
            "`" + CostAttribution.RULE_NAME + "` (resource name, or the last segment of the resource name or id)",
            "`" + CostAttribution.RULE_NAME_TAG + "` (tag `Name`)", "`" + CostAttribution.RULE_RESOURCE_ID + "`"))
        .append(". A charge whose period spans a change of host in `resources.csv` is cut at the change, by seconds."
            + "\n\n");
    md.append("| provider | currency | rule | bill lines | billed cost | effective cost |\n|---|---|---|---:|---:|---:|\n");
    for (Row r : matching) {
      md.append("| ").append(UserText.markdown(r.getAs(Charges.PROVIDER))).append(" | ")
          .append(UserText.markdown(r.getAs(Charges.CURRENCY))).append(" | ").append(UserText.markdown(r.getAs("rule")))
          .append(" | ").append(r.<Long>getAs(CostAttribution.CHARGE_COUNT))
          .append(" | ").append(cents(r.getAs(Charges.BILLED_COST)))
          .append(" | ").append(cents(r.getAs(Charges.EFFECTIVE_COST))).append(" |\n");
    }
    md.append('\n');
    return md.toString();
  }

  private static String cents(BigDecimal v) {
    return v == null ? "" : v.setScale(2, RoundingMode.HALF_EVEN).toPlainString();
  }
}
