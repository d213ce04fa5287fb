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

  private Charges() {}
}
