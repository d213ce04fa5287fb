package org.computeledger.ingest;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.computeledger.schema.Charges;
import org.computeledger.schema.Table;

/**
 * Reads Azure Cost Management cost and usage exports (actual cost and amortized cost, CSV; the
 * Enterprise Agreement and Microsoft Customer Agreement column sets) into {@code charges}, one row per
 * line. Column meanings follow Microsoft's "Understand the terms in your Azure usage and charges file"
 * (learn.microsoft.com/azure/cost-management-billing/understand/understand-usage):
 * <ul>
 *   <li>{@code CostInBillingCurrency} (older exports: {@code Cost}, {@code PreTaxCost}) in
 *       {@code BillingCurrency} ({@code BillingCurrencyCode}) is the billed cost; {@code
 *       CostInPricingCurrency} in {@code PricingCurrency} is kept beside it ({@code pricing_cost},
 *       {@code pricing_currency}); {@code PaygCostInBillingCurrency} is the list cost. The same column
 *       holds the actual cost in an actual-cost export and the amortized cost (reservation and savings
 *       plan purchases spread over the usage they cover, unused commitment as UnusedReservation or
 *       UnusedSavingsPlan lines) in an amortized export; the ledger takes either as both billed and
 *       effective cost. Give one of the two exports for a period, not both: their lines are different
 *       views of the same money.</li>
 *   <li>{@code Date} (a day, {@code MM/dd/yyyy} or ISO, UTC) is the period: that whole day.</li>
 *   <li>{@code ChargeType}: Usage, UnusedReservation and UnusedSavingsPlan are Usage; Purchase is
 *       Purchase; Refund is Credit (negative, its sign kept); Tax is Tax; RoundingAdjustment and
 *       anything else Adjustment.</li>
 *   <li>{@code MeterCategory} is the service, {@code MeterSubCategory} and {@code MeterName} the
 *       description (a GPU VM size such as "ND96isr H100 v5" marks the line as accelerator time),
 *       {@code MeterId} the SKU; {@code ResourceId} ({@code InstanceId}) the resource, whose last
 *       segment is the VM name; {@code ResourceName} where exported; {@code Tags} (a JSON object, or its
 *       members without the braces, as older exports write them) the tags; {@code Quantity}
 *       ({@code UsageQuantity}) and {@code UnitOfMeasure} the usage; {@code SubscriptionId} the account;
 *       {@code BillingPeriodStartDate} the invoice month (YYYYMM, as Google Cloud writes it).</li>
 * </ul>
 */
public final class AzureCostParser extends FormatParserBase {
  public static final String FORMAT = "azure-cost";
  static final String PROVIDER_NAME = "Microsoft";
  private static final long serialVersionUID = 1L;
  private static final Table TABLE = Table.CHARGES;

  private static final String[] COST = {"CostInBillingCurrency", "Cost", "PreTaxCost"};
  private static final String[] CURRENCY = {"BillingCurrency", "BillingCurrencyCode", "Currency"};
  private static final String[] DATE = {"Date", "UsageDateTime", "UsageDate"};

  public AzureCostParser() {
    super(FORMAT, TABLE);
  }

  /** A header naming MeterCategory, a day column and a cost column (FOCUS and CUR have none of them). */
  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    List<String> names = Csv.headerNames(head);
    return names.contains("metercategory")
        && (names.contains("date") || names.contains("usagedatetime") || names.contains("usagedate"))
        && (names.contains("costinbillingcurrency") || names.contains("cost") || names.contains("pretaxcost"));
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink sink) throws IOException {
    Csv.read(in, sink, new Lines(sink, file.params()));
  }

  private static int at(String column) {
    return TABLE.index(column);
  }

  /** FOCUS ChargeCategory of an Azure ChargeType (see the class comment). */
  static String chargeCategory(String chargeType) {
    if (chargeType == null) {
      return "Usage";
    }
    switch (chargeType.toLowerCase(Locale.ROOT)) {
      case "usage":
      case "unusedreservation":
      case "unusedsavingsplan":
        return "Usage";
      case "purchase":
        return "Purchase";
      case "refund":
        return "Credit";
      case "tax":
        return "Tax";
      default:
        return "Adjustment";
    }
  }

  private static final class Lines extends Csv.HeaderedLines {
    private int date;
    private int cost;
    private int currency;
    private int pricingCost;
    private int pricingCurrency;
    private int paygCost;
    private int chargeType;
    private int meterCategory;
    private int meterSubCategory;
    private int meterName;
    private int meterId;
    private int resourceId;
    private int resourceName;
    private int tags;
    private int quantity;
    private int unit;
    private int subscription;
    private int productName;
    private int billingPeriodStart;
    private String costName;
    private String dateName;

    Lines(RowSink sink, IngestParams params) {
      super(sink, params);
    }

    @Override
    String header(Csv.Cursor c, Map<String, Integer> h) {
      date = Csv.column(h, DATE);
      cost = Csv.column(h, COST);
      currency = Csv.column(h, CURRENCY);
      pricingCost = Csv.column(h, "CostInPricingCurrency");
      pricingCurrency = Csv.column(h, "PricingCurrency", "PricingCurrencyCode");
      paygCost = Csv.column(h, "PaygCostInBillingCurrency");
      chargeType = Csv.column(h, "ChargeType");
      meterCategory = Csv.column(h, "MeterCategory");
      meterSubCategory = Csv.column(h, "MeterSubCategory", "MeterSubcategory");
      meterName = Csv.column(h, "MeterName");
      meterId = Csv.column(h, "MeterId");
      resourceId = Csv.column(h, "ResourceId", "InstanceId", "InstanceName");
      resourceName = Csv.column(h, "ResourceName");
      tags = Csv.column(h, "Tags");
      quantity = Csv.column(h, "Quantity", "UsageQuantity", "ConsumedQuantity");
      unit = Csv.column(h, "UnitOfMeasure");
      subscription = Csv.column(h, "SubscriptionId", "SubscriptionGuid");
      productName = Csv.column(h, "ProductName", "Product");
      billingPeriodStart = Csv.column(h, "BillingPeriodStartDate");
      costName = cost >= 0 ? c.text(cost).strip() : COST[0];
      dateName = date >= 0 ? c.text(date).strip() : DATE[0];
      if (cost < 0) {
        return "column CostInBillingCurrency (or Cost, PreTaxCost) is missing from the header";
      }
      if (currency < 0) {
        return "column BillingCurrency (or BillingCurrencyCode) is missing from the header";
      }
      return date < 0 ? "column Date is missing from the header" : null;
    }

    @Override
    Object[] row(Csv.Cursor c) {
      LocalDate day = day(c.value(date));
      if (day == null) {
        f.fail(dateName, "a day as MM/dd/yyyy or yyyy-MM-dd", c.value(date));
      }
      Instant from = day == null ? null : day.atStartOfDay(ZoneOffset.UTC).toInstant();
      if (from != null) {
        // the same plausibility window as every other input time
        from = f.time(dateName, from.toString(), false);
      }
      BigDecimal billed = f.money(costName, c.value(cost), true);
      String billingCurrency = f.required("BillingCurrency", c.value(currency));
      BigDecimal pricing = f.money("CostInPricingCurrency", c.value(pricingCost), false);
      BigDecimal list = f.money("PaygCostInBillingCurrency", c.value(paygCost), false);
      Double qty = f.number("Quantity", c.value(quantity), false, false);
      Map<String, String> tagMap = tags(c.value(tags));
      String periodStart = c.value(billingPeriodStart);
      LocalDate period = periodStart == null ? null : day(periodStart);
      if (periodStart != null && period == null) {
        f.fail("BillingPeriodStartDate", "a day as MM/dd/yyyy or yyyy-MM-dd", periodStart);
      }
      if (!f.ok()) {
        return null;
      }
      String sub = c.value(meterSubCategory);
      String name = c.value(meterName);
      Object[] row = sink.newRow();
      row[at(Charges.PROVIDER)] = PROVIDER_NAME;
      row[at(Charges.CHARGE_PERIOD_START)] = Timestamp.from(from);
      row[at(Charges.CHARGE_PERIOD_END)] = Timestamp.from(from.plusSeconds(86_400));
      row[at(Charges.CHARGE_CATEGORY)] = chargeCategory(c.value(chargeType));
      row[at(Charges.RESOURCE_ID)] = c.value(resourceId);
      row[at(Charges.RESOURCE_NAME)] = c.value(resourceName);
      row[at(Charges.SKU)] = c.value(meterId);
      row[at(Charges.SERVICE)] = c.value(meterCategory);
      row[at(Charges.DESCRIPTION)] = sub != null && name != null ? sub + " / " + name : name != null ? name : sub;
      row[at(Charges.BILLED_COST)] = billed;
      row[at(Charges.EFFECTIVE_COST)] = billed;
      row[at(Charges.LIST_COST)] = list;
      row[at(Charges.CURRENCY)] = billingCurrency;
      row[at(Charges.PRICING_COST)] = pricing;
      row[at(Charges.PRICING_CURRENCY)] = c.value(pricingCurrency);
      row[at(Charges.USAGE_QUANTITY)] = qty;
      row[at(Charges.USAGE_UNIT)] = c.value(unit);
      row[at(Charges.TAGS)] = tagMap;
      row[at(Charges.ACCOUNT)] = c.value(subscription);
      // the invoice a line belongs to is its billing period's; written YYYYMM like Google Cloud's invoice.month
      row[at(Charges.INVOICE_MONTH)] = InvoiceMonth.of(period);
      row[at(Charges.ACCELERATOR)] = Accelerators.of(name, sub, c.value(productName));
      return row;
    }

    /** Tags as a JSON object, or its members without the braces (older usage files). */
    private Map<String, String> tags(String text) {
      if (text == null || text.isBlank() || text.strip().equals("{}")) {
        return null;
      }
      String t = text.strip();
      String json = t.startsWith("{") ? t : "{" + t + "}";
      Map<String, String> m = f.jsonObject("Tags", json);
      return m == null || m.isEmpty() ? null : m;
    }
  }

  /** A day written {@code MM/dd/yyyy} (Azure's usual), {@code yyyy-MM-dd}, or an ISO time at midnight. */
  static LocalDate day(String text) {
    if (text == null) {
      return null;
    }
    String t = text.strip();
    try {
      if (t.length() == 10 && t.charAt(2) == '/' && t.charAt(5) == '/') {
        return LocalDate.of(Integer.parseInt(t.substring(6)), Integer.parseInt(t.substring(0, 2)),
            Integer.parseInt(t.substring(3, 5)));
      }
      if (t.length() >= 10 && t.charAt(4) == '-') {
        LocalDate d = LocalDate.parse(t.substring(0, 10));
        String rest = t.substring(10);
        return rest.isEmpty() || rest.matches("[T ]00:00(:00(\\.0+)?)?Z?") ? d : null;
      }
    } catch (NumberFormatException | java.time.DateTimeException e) {
      return null;
    }
    return null;
  }
}
