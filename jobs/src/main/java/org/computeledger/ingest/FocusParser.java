package org.computeledger.ingest;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.computeledger.schema.Charges;
import org.computeledger.schema.Table;

/**
 * Reads FOCUS 1.0–1.2 cost and usage exports into {@code charges}, one row per billing line. Both
 * ResourceId and ResourceName are kept: attribution maps a GPU VM onto a cluster node by either.
 *
 * <p>A line is labelled with the accelerator it bills ({@link Accelerators}, as the AWS CUR, Azure and Google
 * Cloud bills are) from the columns that name what was sold, most specific first: the FOCUS-defined
 * {@code F_InstanceType} property of SkuPriceDetails (FOCUS 1.1: a key-value JSON column of the SKU price's
 * properties, e.g. "p5.48xlarge"); the provider columns a FOCUS export may add (custom columns carry the
 * {@code x_} prefix, FOCUS 1.0 column handling): Microsoft's meter name and subcategory ({@code x_SkuMeterName},
 * {@code x_SkuMeterSubcategory}, the words of its own cost details) and AWS's usage type ({@code x_UsageType},
 * "BoxUsage:p5.48xlarge"); last ChargeDescription (FOCUS 1.0: a self-contained summary of what the charge is for
 * and its price, where AWS writes "$98.32 per On Demand Linux p5.48xlarge Instance Hour"). ResourceType (FOCUS
 * 1.0: the kind of resource, "instance", "Virtual machine") and SkuMeter (FOCUS 1.1: the functionality metered,
 * "Compute Usage") name no model and are not read. The label never changes a line's money, and a SkuPriceDetails
 * that is not JSON labels nothing rather than refuse the line.
 *
 * <p>Like the other bills' lines, a line keeps what it says of itself for a reader of {@code charges}: its
 * ChargeDescription, its SubAccountId as the account and its BillingPeriodStart's month as the invoice month
 * (column definitions: FOCUS 1.0 specification, focus.finops.org; Microsoft's FocusCost metadata,
 * learn.microsoft.com/cloud-computing/finops/focus/metadata).
 */
public final class FocusParser extends FormatParserBase {
  public static final String FORMAT = "focus";
  private static final long serialVersionUID = 1L;

  private static final Table TABLE = Table.CHARGES;
  private static final int PROVIDER = TABLE.index(Charges.PROVIDER);
  private static final int START = TABLE.index(Charges.CHARGE_PERIOD_START);
  private static final int END = TABLE.index(Charges.CHARGE_PERIOD_END);
  private static final int CATEGORY = TABLE.index(Charges.CHARGE_CATEGORY);
  private static final int RESOURCE_ID = TABLE.index(Charges.RESOURCE_ID);
  private static final int RESOURCE_NAME = TABLE.index(Charges.RESOURCE_NAME);
  private static final int SKU = TABLE.index(Charges.SKU);
  private static final int SERVICE = TABLE.index(Charges.SERVICE);
  private static final int BILLED = TABLE.index(Charges.BILLED_COST);
  private static final int EFFECTIVE = TABLE.index(Charges.EFFECTIVE_COST);
  private static final int LIST = TABLE.index(Charges.LIST_COST);
  private static final int CURRENCY = TABLE.index(Charges.CURRENCY);
  private static final int QUANTITY = TABLE.index(Charges.USAGE_QUANTITY);
  private static final int UNIT = TABLE.index(Charges.USAGE_UNIT);
  private static final int TAGS = TABLE.index(Charges.TAGS);
  private static final int ACCELERATOR = TABLE.index(Charges.ACCELERATOR);
  private static final int DESCRIPTION = TABLE.index(Charges.DESCRIPTION);
  private static final int ACCOUNT = TABLE.index(Charges.ACCOUNT);
  private static final int INVOICE_MONTH = TABLE.index(Charges.INVOICE_MONTH);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  /** Without these a line is no charge we can place in time and money. */
  private static final List<String> REQUIRED =
      List.of("BilledCost", "ChargePeriodStart", "ChargePeriodEnd", "BillingCurrency");

  public FocusParser() {
    super(FORMAT, TABLE);
  }

  /**
   * A header naming ChargePeriodStart and a FOCUS cost or currency column. A header that lacks
   * BilledCost is still recognised, so that its lines are quarantined with that reason instead of
   * the file being skipped as unknown.
   */
  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    List<String> names = Csv.headerNames(head);
    return names.contains("chargeperiodstart")
        && (names.contains("billedcost") || names.contains("effectivecost")
            || names.contains("billingcurrency"));
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink sink) throws IOException {
    Csv.read(in, sink, new Lines(sink, file.params()));
  }

  /** The state of one file: its header's column positions. */
  private static final class Lines extends Csv.HeaderedLines {
    private int provider;
    private int start;
    private int end;
    private int category;
    private int resourceId;
    private int resourceName;
    private int skuId;
    private int skuPriceId;
    private int service;
    private int billed;
    private int effective;
    private int list;
    private int currency;
    private int consumedQuantity;
    private int consumedUnit;
    private int pricingQuantity;
    private int pricingUnit;
    private int tags;
    private int skuPriceDetails;
    private int meterName;
    private int meterSubcategory;
    private int usageType;
    private int description;
    private int subAccount;
    private int billingPeriodStart;

    Lines(RowSink sink, IngestParams params) {
      super(sink, params);
    }

    @Override
    String header(Csv.Cursor c, Map<String, Integer> h) {
      // FOCUS 1.2 renamed ProviderName to ServiceProviderName and kept the old column deprecated.
      provider = Csv.column(h, "ServiceProviderName", "ProviderName");
      start = Csv.column(h, "ChargePeriodStart");
      end = Csv.column(h, "ChargePeriodEnd");
      category = Csv.column(h, "ChargeCategory");
      resourceId = Csv.column(h, "ResourceId");
      resourceName = Csv.column(h, "ResourceName");
      skuId = Csv.column(h, "SkuId");
      skuPriceId = Csv.column(h, "SkuPriceId");
      service = Csv.column(h, "ServiceName");
      billed = Csv.column(h, "BilledCost");
      effective = Csv.column(h, "EffectiveCost");
      list = Csv.column(h, "ListCost");
      currency = Csv.column(h, "BillingCurrency");
      consumedQuantity = Csv.column(h, "ConsumedQuantity");
      consumedUnit = Csv.column(h, "ConsumedUnit");
      pricingQuantity = Csv.column(h, "PricingQuantity");
      pricingUnit = Csv.column(h, "PricingUnit");
      tags = Csv.column(h, "Tags");
      skuPriceDetails = Csv.column(h, "SkuPriceDetails");
      meterName = Csv.column(h, "x_SkuMeterName");
      meterSubcategory = Csv.column(h, "x_SkuMeterSubcategory");
      usageType = Csv.column(h, "x_UsageType");
      description = Csv.column(h, "ChargeDescription");
      subAccount = Csv.column(h, "SubAccountId");
      billingPeriodStart = Csv.column(h, "BillingPeriodStart");
      return Csv.missingColumn(h, REQUIRED);
    }

    @Override
    Object[] row(Csv.Cursor c) {
      Instant from = f.time("ChargePeriodStart", c.value(start), false);
      Instant to = f.time("ChargePeriodEnd", c.value(end), false);
      if (from != null && to != null && to.isBefore(from)) {
        f.fail("ChargePeriodEnd", "a time not before ChargePeriodStart " + c.value(start), c.value(end));
      }
      BigDecimal billedCost = f.money("BilledCost", c.value(billed), true);
      BigDecimal effectiveCost = f.money("EffectiveCost", c.value(effective), false);
      BigDecimal listCost = f.money("ListCost", c.value(list), false);
      String billingCurrency = f.required("BillingCurrency", c.value(currency));
      // Quantity and unit come as a pair: consumed when the line measures consumption (not for
      // purchases or credits), else the pricing quantity the price was applied to.
      Double quantity;
      String unit;
      if (c.value(consumedQuantity) != null) {
        quantity = f.number("ConsumedQuantity", c.value(consumedQuantity), false, false);
        unit = c.value(consumedUnit);
      } else {
        quantity = f.number("PricingQuantity", c.value(pricingQuantity), false, false);
        unit = c.value(pricingUnit);
      }
      Map<String, String> tagMap = f.jsonObject("Tags", c.value(tags));
      if (!f.ok()) {
        return null;
      }
      Object[] row = sink.newRow();
      row[PROVIDER] = c.value(provider);
      row[START] = Timestamp.from(from);
      row[END] = Timestamp.from(to);
      row[CATEGORY] = c.value(category);
      row[RESOURCE_ID] = c.value(resourceId);
      row[RESOURCE_NAME] = c.value(resourceName);
      String sku = c.value(skuId);
      row[SKU] = sku != null ? sku : c.value(skuPriceId);
      row[SERVICE] = c.value(service);
      row[BILLED] = billedCost;
      row[EFFECTIVE] = effectiveCost;
      row[LIST] = listCost;
      row[CURRENCY] = billingCurrency;
      row[QUANTITY] = quantity;
      row[UNIT] = unit;
      row[TAGS] = tagMap;
      row[ACCELERATOR] = Accelerators.of(instanceType(c.value(skuPriceDetails)), c.value(meterName),
          c.value(meterSubcategory), c.value(usageType), c.value(description));
      // FOCUS 1.0: ChargeDescription, "a self-contained summary of the charge's purpose and price"; SubAccountId,
      // the grouping of resources the usage belongs to (an AWS member account, an Azure subscription, a Google
      // Cloud project: what the other bills' account column holds); BillingPeriodStart, the inclusive start of
      // the billing period, whose month is the invoice's (written YYYYMM, as Google Cloud's invoice.month).
      // None is required: a line without them is still a charge.
      row[DESCRIPTION] = c.value(description);
      row[ACCOUNT] = c.value(subAccount);
      row[INVOICE_MONTH] = InvoiceMonth.of(c.value(billingPeriodStart));
      return row;
    }
  }

  /** The {@code F_InstanceType} property of a SkuPriceDetails value; null when absent or the value is not JSON. */
  static String instanceType(String skuPriceDetails) {
    if (skuPriceDetails == null) {
      return null;
    }
    try {
      com.fasterxml.jackson.databind.JsonNode v = JSON.readTree(skuPriceDetails).get("F_InstanceType");
      return v != null && v.isTextual() ? v.asText() : null;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return null;
    }
  }
}
