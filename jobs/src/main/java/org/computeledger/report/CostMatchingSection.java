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
    md.append("How each bill's columns were read, as the providers document them: AWS CUR — billed cost is "
        + "`lineItem/UnblendedCost`; effective cost is the amortized cost AWS defines: Savings Plan covered usage "
        + "carries `savingsPlan/SavingsPlanEffectiveCost`, reserved usage `reservation/EffectiveCost`, Savings Plan "
        + "negation and up-front fees 0, a recurring fee only its unused commitment (TotalCommitmentToDate − "
        + "UsedCommitment), an RI fee only its unused amortized up-front and recurring fee (AWS CUR 2.0 data "
        + "dictionary). Google Cloud — `cost` is before credits; each element of `credits` is a line of its own "
        + "with its negative `amount` and its `type` (Cloud Billing export schema). Azure — `CostInBillingCurrency` "
        + "is billed and effective cost, `CostInPricingCurrency` kept beside it; an actual-cost export gives actual "
        + "cost, an amortized export amortized cost: give one of them for a period, not both. Credits and refunds "
        + "keep their sign. Every total is per currency; no amount is converted between currencies.\n\n");
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
