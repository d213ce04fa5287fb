package org.computeledger.schema;

/** Column names of the {@code charges} table: one row per billing line, money as DECIMAL. */
public final class Charges {
  public static final String PROVIDER = "provider";
  public static final String CHARGE_PERIOD_START = "charge_period_start";
  public static final String CHARGE_PERIOD_END = "charge_period_end";
  /** FOCUS ChargeCategory (Usage, Purchase, Tax, Credit, Adjustment); CUR line item type mapped onto it. */
  public static final String CHARGE_CATEGORY = "charge_category";
  public static final String RESOURCE_ID = "resource_id";
  public static final String RESOURCE_NAME = "resource_name";
  public static final String SKU = "sku";
  public static final String SERVICE = "service";
  public static final String BILLED_COST = "billed_cost";
  public static final String EFFECTIVE_COST = "effective_cost";
  public static final String LIST_COST = "list_cost";
  public static final String CURRENCY = "currency";
  public static final String USAGE_QUANTITY = "usage_quantity";
  public static final String USAGE_UNIT = "usage_unit";
  public static final String TAGS = "tags";
  public static final String SOURCE_FORMAT = "source_format";
  public static final String SOURCE_FILE = "source_file";
  public static final String SOURCE_LINE = "source_line";
  /** What the provider says the line is: FOCUS ChargeDescription, Google Cloud sku.description, Azure MeterName. */
  public static final String DESCRIPTION = "description";
  /** The provider's account of the usage: Google Cloud project.id, Azure SubscriptionId, AWS usage account. */
  public static final String ACCOUNT = "account";
  /**
   * The invoice the line belongs to, YYYYMM (e.g. 202603): Google Cloud's invoice.month as written; the month of
   * the billing period's start for FOCUS (BillingPeriodStart), the AWS CUR (bill/BillingPeriodStartDate) and Azure.
   */
  public static final String INVOICE_MONTH = "invoice_month";
  /** The accelerator a line bills time of (e.g. {@code h100}, {@code tpu-v5e}), from its SKU or meter; null if none. */
  public static final String ACCELERATOR = "accelerator";
  /** Azure's cost in the pricing currency, beside the billing-currency cost in billed_cost. */
  public static final String PRICING_COST = "pricing_cost";
  public static final String PRICING_CURRENCY = "pricing_currency";

  private Charges() {}
}
