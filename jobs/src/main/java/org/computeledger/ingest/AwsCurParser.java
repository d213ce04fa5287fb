package org.computeledger.ingest;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.computeledger.schema.Charges;
import org.computeledger.schema.Table;

/**
 * Reads AWS Cost and Usage Reports into {@code charges}: legacy CUR CSV ({@code lineItem/UsageStartDate}
 * headers) and CUR 2.0 from Data Exports ({@code line_item_usage_start_date}) as CSV, gzip CSV or Parquet
 * (read through {@link ParquetText}: timestamps, doubles and the {@code resource_tags} map arrive as the
 * CSV writes them), one row per line item. Column meanings: the CUR 2.0 data dictionary
 * (docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2.html and its line item, savings plan and
 * reservation column pages).
 *
 * <p>Line item types map onto FOCUS charge categories: Usage, DiscountedUsage and
 * SavingsPlanCoveredUsage are Usage; Tax is Tax; Credit and Refund are Credit; Fee, RIFee,
 * SavingsPlanUpfrontFee and SavingsPlanRecurringFee are Purchase; anything else (SavingsPlanNegation,
 * EdpDiscount, BundledDiscount, ...) is Adjustment.
 *
 * <p>Effective cost is AWS's amortized cost: covered usage carries its Savings Plan or reservation
 * effective cost, and the commitment lines carry only what went unused, so that summing effective
 * cost counts each commitment once. SavingsPlanNegation and up-front commitment fees are 0 (their
 * money reaches the covered usage); SavingsPlanRecurringFee is TotalCommitmentToDate − UsedCommitment;
 * RIFee is the unused amortized up-front fee plus the unused recurring fee. Where a column that rule
 * needs is absent or empty, effective cost falls back to the unblended cost.
 */
public final class AwsCurParser extends FormatParserBase {
  public static final String FORMAT = "aws-cur";
  private static final long serialVersionUID = 1L;

  private static final Table TABLE = Table.CHARGES;
  private static final int PROVIDER = TABLE.index(Charges.PROVIDER);
  private static final int START = TABLE.index(Charges.CHARGE_PERIOD_START);
  private static final int END = TABLE.index(Charges.CHARGE_PERIOD_END);
  private static final int CATEGORY = TABLE.index(Charges.CHARGE_CATEGORY);
  private static final int RESOURCE_ID = TABLE.index(Charges.RESOURCE_ID);
  private static final int SKU = TABLE.index(Charges.SKU);
  private static final int SERVICE = TABLE.index(Charges.SERVICE);
  private static final int BILLED = TABLE.index(Charges.BILLED_COST);
  private static final int EFFECTIVE = TABLE.index(Charges.EFFECTIVE_COST);
  private static final int LIST = TABLE.index(Charges.LIST_COST);
  private static final int CURRENCY = TABLE.index(Charges.CURRENCY);
  private static final int QUANTITY = TABLE.index(Charges.USAGE_QUANTITY);
  private static final int UNIT = TABLE.index(Charges.USAGE_UNIT);
  private static final int TAGS = TABLE.index(Charges.TAGS);

  static final String PROVIDER_NAME = "AWS";

  /** Columns read, by their legacy and their CUR 2.0 names. */
  private enum Col {
    TIME_INTERVAL("identity/TimeInterval", "identity_time_interval"),
    USAGE_START("lineItem/UsageStartDate", "line_item_usage_start_date"),
    USAGE_END("lineItem/UsageEndDate", "line_item_usage_end_date"),
    LINE_ITEM_TYPE("lineItem/LineItemType", "line_item_line_item_type"),
    RESOURCE_ID("lineItem/ResourceId", "line_item_resource_id"),
    PRODUCT_SKU("product/sku", "product_sku"),
    USAGE_TYPE("lineItem/UsageType", "line_item_usage_type"),
    // CUR 2.0 keeps the product name in its product map; an export may select it as a column.
    PRODUCT_NAME("product/ProductName", "product_product_name"),
    PRODUCT_CODE("lineItem/ProductCode", "line_item_product_code"),
    UNBLENDED_COST("lineItem/UnblendedCost", "line_item_unblended_cost"),
    CURRENCY("lineItem/CurrencyCode", "line_item_currency_code"),
    USAGE_AMOUNT("lineItem/UsageAmount", "line_item_usage_amount"),
    PRICING_UNIT("pricing/unit", "pricing_unit"),
    PUBLIC_ON_DEMAND_COST("pricing/publicOnDemandCost", "pricing_public_on_demand_cost"),
    SP_EFFECTIVE_COST("savingsPlan/SavingsPlanEffectiveCost", "savings_plan_savings_plan_effective_cost"),
    SP_TOTAL_COMMITMENT("savingsPlan/TotalCommitmentToDate", "savings_plan_total_commitment_to_date"),
    SP_USED_COMMITMENT("savingsPlan/UsedCommitment", "savings_plan_used_commitment"),
    RI_ARN("reservation/ReservationARN", "reservation_reservation_a_r_n"),
    RI_EFFECTIVE_COST("reservation/EffectiveCost", "reservation_effective_cost"),
    RI_UNUSED_UPFRONT("reservation/UnusedAmortizedUpfrontFeeForBillingPeriod",
        "reservation_unused_amortized_upfront_fee_for_billing_period"),
    RI_UNUSED_RECURRING("reservation/UnusedRecurringFee", "reservation_unused_recurring_fee"),
    USAGE_ACCOUNT("lineItem/UsageAccountId", "line_item_usage_account_id"),
    DESCRIPTION("lineItem/LineItemDescription", "line_item_line_item_description"),
    BILLING_PERIOD_START("bill/BillingPeriodStartDate", "bill_billing_period_start_date"),
    /** CUR 2.0: one JSON map of all resource tags, keys like {@code user_team}. */
    RESOURCE_TAGS("", "resource_tags");

    final String legacy;
    final String cur2;

    Col(String legacy, String cur2) {
      this.legacy = legacy;
      this.cur2 = cur2;
    }
  }

  private static final Col[] REQUIRED = {Col.LINE_ITEM_TYPE, Col.UNBLENDED_COST, Col.CURRENCY};
  private static final String LEGACY_USER_TAG = "resourcetags/user:";
  private static final String CUR2_USER_TAG_COLUMN = "resource_tags_user_";
  private static final String CUR2_USER_TAG_KEY = "user_";

  public AwsCurParser() {
    super(FORMAT, TABLE);
  }

  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    for (String name : Csv.headerNames(head)) {
      if (name.startsWith("lineitem/") || name.startsWith("line_item_")) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink sink) throws IOException {
    Csv.read(in, sink, new Lines(sink, file.params()));
  }

  /** FOCUS ChargeCategory of a CUR line item type (see the class comment). */
  static String chargeCategory(String lineItemType) {
    switch (lineItemType) {
      case "Usage":
      case "DiscountedUsage":
      case "SavingsPlanCoveredUsage":
        return "Usage";
      case "Tax":
        return "Tax";
      case "Credit":
      case "Refund":
        return "Credit";
      case "Fee":
      case "RIFee":
      case "SavingsPlanUpfrontFee":
      case "SavingsPlanRecurringFee":
        return "Purchase";
      default:
        return "Adjustment";
    }
  }

  /** The state of one file: its header's column positions and names. */
  private static final class Lines extends Csv.HeaderedLines {
    private final int[] at = new int[Col.values().length];
    private final String[] name = new String[Col.values().length];
    private final List<Integer> tagColumns = new ArrayList<>();
    private final List<String> tagKeys = new ArrayList<>();

    Lines(RowSink sink, IngestParams params) {
      super(sink, params);
    }

    @Override
    String header(Csv.Cursor c, Map<String, Integer> h) {
      for (Col col : Col.values()) {
        int i = Csv.column(h, col.cur2);
        if (i < 0 && !col.legacy.isEmpty()) {
          i = Csv.column(h, col.legacy);
        }
        at[col.ordinal()] = i;
        name[col.ordinal()] = i >= 0 ? c.text(i).strip() : col.legacy;
      }
      for (int i = 0; i < c.size(); i++) {
        String column = c.text(i).strip();
        String lower = column.toLowerCase(Locale.ROOT);
        for (String prefix : new String[] {LEGACY_USER_TAG, CUR2_USER_TAG_COLUMN}) {
          if (lower.startsWith(prefix) && lower.length() > prefix.length()) {
            tagColumns.add(i);
            tagKeys.add(column.substring(prefix.length()));
          }
        }
      }
      for (Col col : REQUIRED) {
        if (at[col.ordinal()] < 0) {
          return "column " + col.legacy + " (or " + col.cur2 + ") is missing from the header";
        }
      }
      boolean hasPeriod = at[Col.USAGE_START.ordinal()] >= 0 && at[Col.USAGE_END.ordinal()] >= 0;
      if (!hasPeriod && at[Col.TIME_INTERVAL.ordinal()] < 0) {
        return "columns lineItem/UsageStartDate and lineItem/UsageEndDate (or identity/TimeInterval)"
            + " are missing from the header";
      }
      return null;
    }

    private String value(Csv.Cursor c, Col col) {
      return c.value(at[col.ordinal()]);
    }

    private String name(Col col) {
      return name[col.ordinal()];
    }

    @Override
    Object[] row(Csv.Cursor c) {
      Instant[] period = period(c);
      if (period == null) {
        return null;
      }
      Instant from = period[0];
      Instant to = period[1];
      String type = f.required(name(Col.LINE_ITEM_TYPE), value(c, Col.LINE_ITEM_TYPE));
      BigDecimal unblended = f.money(name(Col.UNBLENDED_COST), value(c, Col.UNBLENDED_COST), true);
      BigDecimal list =
          f.money(name(Col.PUBLIC_ON_DEMAND_COST), value(c, Col.PUBLIC_ON_DEMAND_COST), false);
      String currency = f.required(name(Col.CURRENCY), value(c, Col.CURRENCY));
      Double usage = f.number(name(Col.USAGE_AMOUNT), value(c, Col.USAGE_AMOUNT), false, false);
      Map<String, String> tags = tags(c);
      BigDecimal effective = f.ok() ? effectiveCost(c, type, unblended) : null;
      if (!f.ok()) {
        return null;
      }
      Object[] row = sink.newRow();
      row[PROVIDER] = PROVIDER_NAME;
      row[START] = Timestamp.from(from);
      row[END] = Timestamp.from(to);
      row[CATEGORY] = chargeCategory(type);
      row[RESOURCE_ID] = value(c, Col.RESOURCE_ID);
      String sku = value(c, Col.PRODUCT_SKU);
      row[SKU] = sku != null ? sku : value(c, Col.USAGE_TYPE);
      String service = value(c, Col.PRODUCT_NAME);
      row[SERVICE] = service != null ? service : value(c, Col.PRODUCT_CODE);
      row[BILLED] = unblended;
      row[EFFECTIVE] = effective;
      row[LIST] = list;
      row[CURRENCY] = currency;
      row[QUANTITY] = usage;
      row[UNIT] = value(c, Col.PRICING_UNIT);
      row[TAGS] = tags;
      row[TABLE.index(Charges.ACCOUNT)] = value(c, Col.USAGE_ACCOUNT);
      row[TABLE.index(Charges.DESCRIPTION)] = value(c, Col.DESCRIPTION);
      row[TABLE.index(Charges.INVOICE_MONTH)] = InvoiceMonth.of(value(c, Col.BILLING_PERIOD_START));
      // the instance type in the usage type (BoxUsage:p5.48xlarge) names the accelerator
      row[TABLE.index(Charges.ACCELERATOR)] = Accelerators.of(value(c, Col.USAGE_TYPE));
      return row;
    }

    /**
     * The usage period from lineItem/UsageStartDate and UsageEndDate, or from CUR 2.0's
     * identity/TimeInterval ({@code start/end}) when the file has it and neither date is given; an end
     * before the start fails on the end's field. Null when TimeInterval is not two times: the record
     * fails there.
     */
    private Instant[] period(Csv.Cursor c) {
      Instant from;
      Instant to;
      String usageStart = value(c, Col.USAGE_START);
      String usageEnd = value(c, Col.USAGE_END);
      String fromText;
      String toText;
      String endField;
      if (usageStart != null || usageEnd != null || at[Col.TIME_INTERVAL.ordinal()] < 0) {
        fromText = usageStart;
        toText = usageEnd;
        from = f.time(name(Col.USAGE_START), fromText, false);
        to = f.time(name(Col.USAGE_END), toText, false);
        endField = name(Col.USAGE_END);
      } else {
        String interval = value(c, Col.TIME_INTERVAL);
        int slash = interval == null ? -1 : interval.indexOf('/');
        if (slash < 0) {
          f.fail(name(Col.TIME_INTERVAL), "two ISO times as start/end", interval);
          return null;
        }
        fromText = interval.substring(0, slash);
        toText = interval.substring(slash + 1);
        from = f.time(name(Col.TIME_INTERVAL), fromText, false);
        to = f.time(name(Col.TIME_INTERVAL), toText, false);
        endField = name(Col.TIME_INTERVAL);
      }
      if (from != null && to != null && to.isBefore(from)) {
        f.fail(endField, "an end not before the start " + fromText, toText);
      }
      return new Instant[] {from, to};
    }

    private BigDecimal effectiveCost(Csv.Cursor c, String type, BigDecimal unblended) {
      BigDecimal amortized;
      switch (type) {
        case "SavingsPlanCoveredUsage":
          amortized = money(c, Col.SP_EFFECTIVE_COST);
          break;
        case "DiscountedUsage":
          amortized = money(c, Col.RI_EFFECTIVE_COST);
          break;
        case "SavingsPlanNegation":
        case "SavingsPlanUpfrontFee":
          amortized = BigDecimal.ZERO.setScale(Csv.MONEY_SCALE);
          break;
        case "SavingsPlanRecurringFee": {
          BigDecimal total = money(c, Col.SP_TOTAL_COMMITMENT);
          BigDecimal used = money(c, Col.SP_USED_COMMITMENT);
          amortized = total != null && used != null ? total.subtract(used) : null;
          break;
        }
        case "RIFee": {
          BigDecimal upfront = money(c, Col.RI_UNUSED_UPFRONT);
          BigDecimal recurring = money(c, Col.RI_UNUSED_RECURRING);
          amortized = upfront != null && recurring != null ? upfront.add(recurring) : null;
          break;
        }
        case "Fee":
          // A reservation's up-front payment; other fees (support, Marketplace) stay as billed.
          amortized = value(c, Col.RI_ARN) != null ? BigDecimal.ZERO.setScale(Csv.MONEY_SCALE) : null;
          break;
        default:
          amortized = null;
      }
      return amortized != null ? amortized : unblended;
    }

    private BigDecimal money(Csv.Cursor c, Col col) {
      return f.money(name(col), value(c, col), false);
    }

    private Map<String, String> tags(Csv.Cursor c) {
      Map<String, String> tags = new LinkedHashMap<>();
      for (int k = 0; k < tagColumns.size(); k++) {
        String v = c.value(tagColumns.get(k));
        if (v != null) {
          tags.put(tagKeys.get(k), v);
        }
      }
      Map<String, String> nested = f.jsonObject(name(Col.RESOURCE_TAGS), value(c, Col.RESOURCE_TAGS));
      if (nested != null) {
        for (Map.Entry<String, String> e : nested.entrySet()) {
          String key = e.getKey();
          if (key.startsWith(CUR2_USER_TAG_KEY) && key.length() > CUR2_USER_TAG_KEY.length()
              && e.getValue() != null && !e.getValue().isEmpty()) {
            tags.put(key.substring(CUR2_USER_TAG_KEY.length()), e.getValue());
          }
        }
      }
      return tags.isEmpty() ? null : tags;
    }
  }
}
