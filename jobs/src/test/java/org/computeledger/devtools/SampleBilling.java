package org.computeledger.devtools;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.computeledger.devtools.SampleCluster.Node;

/**
 * Writes the sample cloud bill of the Slurm cluster: a FOCUS 1.0 export per month, one daily usage row
 * per GPU instance (the cluster's nodes are EC2 instances), plus the charges that belong to no
 * instance: tax, support and, in March, a credit. Quoting follows the FOCUS sample data: strings
 * quoted, amounts bare, NULL bare. (The rented Kubernetes nodes are billed in CUR 2.0: {@link SampleEks}.)
 */
final class SampleBilling {
  static final String[] COLUMNS = {"AvailabilityZone", "BilledCost", "BillingAccountId",
      "BillingAccountName", "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart",
      "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd",
      "ChargePeriodStart", "CommitmentDiscountCategory", "CommitmentDiscountId",
      "CommitmentDiscountName", "CommitmentDiscountStatus", "CommitmentDiscountType",
      "ConsumedQuantity", "ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost",
      "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity",
      "PricingUnit", "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId",
      "ResourceName", "ResourceType", "ServiceCategory", "Id", "ServiceName", "SkuId", "SkuPriceId",
      "SubAccountId", "SubAccountName", "Tags"};

  /** On-demand p5.48xlarge (8x H100 SXM) list price in us-east, USD per hour. */
  static final BigDecimal P5_48XLARGE = new BigDecimal("98.32");

  private static final String NULL = "NULL";
  private static final String ISSUER = "Amazon Web Services, Inc.";
  private static final String EC2 = "Amazon Elastic Compute Cloud";
  private static final String ACCOUNT_ID = "730281946512";
  private static final String SUB_ACCOUNT_ID = "418273645501";
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

  /** What each node costs per hour and how AWS describes it. */
  private record Offer(Node node, BigDecimal hourly, String description, String skuId, String resourceId) {}

  private SampleBilling() {}

  /** One file per month of the log, {@code focus-YYYY-MM.csv} under {@code billing}. */
  static void write(SampleCluster cluster, long seed, Path billing) throws IOException {
    SplittableRandom r = new SplittableRandom(seed ^ 0xB111L);
    List<Offer> offers = new ArrayList<>();
    for (Node n : cluster.nodes) {
      if (n.telemetry() != SampleCluster.Telemetry.DCGM_K8S) {
        offers.add(offer(n, r));
      }
    }
    String supportSku = skuId(r);
    long id = 310_001;
    for (long month = SampleCluster.LOG_START; month < SampleCluster.LOG_END; ) {
      long from = month;
      long to = Instant.ofEpochSecond(month).atZone(ZoneOffset.UTC).plusMonths(1).toEpochSecond();
      String name = TIME.format(Instant.ofEpochSecond(from)).substring(0, 7);
      long first = id;
      SampleTelemetry.writePlain(billing.resolve("focus-" + name + ".csv"),
          w -> writeMonth(w, offers, from, to, first, supportSku));
      id += (to - from) / 86_400 * offers.size() + 3;
      month = to;
    }
  }

  private static void writeMonth(Writer w, List<Offer> offers, long from, long to, long firstId, String supportSku)
      throws IOException {
    String periodStart = time(from);
    String periodEnd = time(to);
    w.append(quoted(COLUMNS)).append('\n');
    long id = firstId;
    BigDecimal usage = BigDecimal.ZERO;
    for (long d = from; d < to; d += 86_400) {
      for (Offer o : offers) {
        usageRow(w, o, d, id++, periodStart, periodEnd);
        usage = usage.add(o.hourly().multiply(BigDecimal.valueOf(24)));
      }
    }
    String month = Instant.ofEpochSecond(from).atZone(ZoneOffset.UTC).getMonth()
        .getDisplayName(java.time.format.TextStyle.FULL, Locale.ROOT) + " 2026";
    BigDecimal tax = usage.multiply(new BigDecimal("0.0575")).setScale(2, RoundingMode.HALF_UP);
    unattached(w, id++, tax, "Tax", "Tax for product code AmazonEC2", "Usage-Based", from, to, EC2, "Compute", "NULL",
        periodStart, periodEnd);
    if (periodStart.startsWith("2026-03")) {
      unattached(w, id++, new BigDecimal("-2500.00"), "Credit", "AWS Promotional Credit (research grant RG-2291)",
          "One-Time", SampleCluster.epoch("2026-03-03T00:00:00"), SampleCluster.epoch("2026-03-03T01:00:00"), EC2,
          "Compute", NULL, periodStart, periodEnd);
    }
    BigDecimal support = usage.multiply(new BigDecimal("0.10")).setScale(2, RoundingMode.HALF_UP);
    unattached(w, id, support, "Purchase", "AWS Support (Business) fee for " + month, "Recurring", from, to,
        "AWS Support (Business)", "Other", q(supportSku), periodStart, periodEnd);
  }

  private static Offer offer(Node n, SplittableRandom r) {
    int gpus = n.gpus().size();
    BigDecimal hourly;
    String description;
    switch (n.model()) {
      case H100_SXM -> {
        // nodes with fewer than eight H100s pay their share of a p5.48xlarge
        hourly = P5_48XLARGE.multiply(BigDecimal.valueOf(gpus))
            .divide(BigDecimal.valueOf(8), 5, RoundingMode.HALF_UP).stripTrailingZeros();
        description = gpus == 8 ? "$98.32 per On Demand Linux p5.48xlarge Instance Hour"
            : "$" + hourly.toPlainString() + " per On Demand Linux GPU Instance Hour ("
                + gpus + "x H100 SXM)";
      }
      case A100_SXM4_80GB -> {
        hourly = new BigDecimal("20.48");
        description = "$20.48 per On Demand Linux GPU Instance Hour (4x A100-SXM4-80GB)";
      }
      case L40S -> {
        hourly = new BigDecimal("10.49264");
        description = "$10.49264 per On Demand Linux g6e.12xlarge Instance Hour";
      }
      default -> throw new IllegalStateException(n.model().name());
    }
    String resourceId = "i-0" + n.name() + String.format(Locale.ROOT, "%08x", r.nextInt());
    return new Offer(n, hourly, description, skuId(r), resourceId);
  }

  /** One day of one instance: 24 hours at its hourly price, the charge period that day. */
  private static void usageRow(Writer w, Offer o, long day, long id, String periodStart, String periodEnd)
      throws IOException {
    String cost = amount(o.hourly().multiply(BigDecimal.valueOf(24)));
    String tags = "{\"cluster\": \"" + SampleCluster.CLUSTER + "\", \"node\": \"" + o.node().name()
        + "\", \"partition\": \"" + o.node().partition() + "\"}";
    w.append(String.join(",",
        q("us-east-2b"), cost, q(ACCOUNT_ID), q("Lumen Lab"), q("USD"), q(periodEnd), q(periodStart),
        q("Usage"), NULL, q(o.description()), q("Usage-Based"), q(time(day + 86_400)), q(time(day)),
        NULL, NULL, NULL, NULL, NULL,
        "24.000000000000000", q("Hours"), cost, amount(o.hourly()), cost,
        q(ISSUER), cost, q(o.hourly().toPlainString()), q("Standard"), "24.00000000000", q("Hours"),
        q("AWS"), q(ISSUER), q("us-east-2"), q("US East (Ohio)"),
        q(o.resourceId()), q(o.node().name()), q("instance"), q("Compute"), Long.toString(id),
        q(EC2), q(o.skuId()), q(o.skuId() + ".JRTCKXETXF.6YS6EN2CT7"), q(SUB_ACCOUNT_ID),
        q("lumen-research"), q(tags))).append('\n');
  }

  /** A charge with no resource behind it: the ledger reports these as not attributable. */
  private static void unattached(Writer w, long id, BigDecimal cost, String category,
      String description, String frequency, long from, long to, String service,
      String serviceCategory, String sku, String periodStart, String periodEnd) throws IOException {
    String c = amount(cost);
    w.append(String.join(",",
        NULL, c, q(ACCOUNT_ID), q("Lumen Lab"), q("USD"), q(periodEnd), q(periodStart),
        q(category), NULL, q(description), q(frequency), q(time(to)), q(time(from)),
        NULL, NULL, NULL, NULL, NULL,
        NULL, NULL, c, NULL, c,
        q(ISSUER), c, NULL, NULL, NULL, NULL,
        q("AWS"), q(ISSUER), q("us-east-2"), q("US East (Ohio)"),
        NULL, NULL, NULL, q(serviceCategory), Long.toString(id),
        q(service), sku, NULL, q(SUB_ACCOUNT_ID),
        q("lumen-research"), NULL)).append('\n');
  }

  /** Amounts as the FOCUS sample prints them: eleven decimals, no quotes. */
  private static String amount(BigDecimal v) {
    return v.setScale(11, RoundingMode.HALF_UP).toPlainString();
  }

  private static String skuId(SplittableRandom r) {
    String alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    StringBuilder sb = new StringBuilder(16);
    for (int i = 0; i < 16; i++) {
      sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
    }
    return sb.toString();
  }

  private static String time(long epochSecond) {
    return TIME.format(Instant.ofEpochSecond(epochSecond));
  }

  private static String q(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private static String quoted(String[] names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      out.add(q(n));
    }
    return String.join(",", out);
  }
}
