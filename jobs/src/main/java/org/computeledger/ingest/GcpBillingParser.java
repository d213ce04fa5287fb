package org.computeledger.ingest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.computeledger.schema.Charges;
import org.computeledger.schema.Table;

/**
 * Reads the Google Cloud Billing export (standard usage cost, {@code gcp_billing_export_v1_*}, and
 * detailed usage cost, {@code gcp_billing_export_resource_v1_*}) into {@code charges}: as CSV with the
 * BigQuery field paths as column names ({@code service.description}, {@code usage.amount}, ...), as the
 * newline-delimited JSON a BigQuery extract writes (nested objects), and as Parquet (read through
 * {@link ParquetText}, which writes the same CSV form).
 *
 * <p>Field meanings follow Google's schema reference, "Structure of Standard data export" and "Structure
 * of Detailed data export" (docs.cloud.google.com/billing/docs/how-to/export-data-bigquery-tables/
 * standard-usage and .../detailed-usage):
 * <ul>
 *   <li>{@code cost} is the cost before credits, in {@code currency}; {@code cost_at_list} the same at
 *       list prices. Each element of {@code credits} ({@code name, amount, full_name, id, type}) has a
 *       negative {@code amount} in the same currency; the line's net cost is cost + Σ credits.amount.
 *       Each credit therefore becomes a charge row of its own (category Credit, {@code sku} = the
 *       credit's type, e.g. {@code SUSTAINED_USAGE_DISCOUNT}, {@code COMMITTED_USAGE_DISCOUNT},
 *       {@code FREE_TIER}, {@code PROMOTION}), with the resource, period and labels of its line, so that
 *       it is spread over the same GPU node as the usage it discounts and keeps its sign.</li>
 *   <li>{@code cost_type} ({@code regular, tax, adjustment, rounding_error}) is mapped to FOCUS categories
 *       as the FinOps FOCUS converter does: regular → Usage, tax → Tax, adjustment and rounding_error →
 *       Adjustment.</li>
 *   <li>{@code usage_start_time}/{@code usage_end_time} are the period; {@code usage.amount} and
 *       {@code usage.unit} the quantity (else {@code usage.amount_in_pricing_units}/{@code
 *       usage.pricing_unit}); {@code sku.id}, {@code sku.description}, {@code service.description};
 *       {@code project.id} the account; {@code invoice.month} (YYYYMM) kept as written.</li>
 *   <li>{@code resource.global_name} (detailed export) is the resource id, {@code resource.name} the
 *       resource name (for a VM, the instance name); {@code labels} and {@code system_labels} (key/value
 *       lists) become tags, user labels winning.</li>
 * </ul>
 * TPU and GPU SKUs (by {@code sku.description}) are marked in {@code accelerator}.
 */
public final class GcpBillingParser extends FormatParserBase {
  public static final String FORMAT = "gcp-billing";
  static final String PROVIDER_NAME = "Google Cloud";
  private static final long serialVersionUID = 1L;

  private static final Table TABLE = Table.CHARGES;
  private static final String[] REQUIRED = {"cost", "currency", "usage_start_time", "usage_end_time"};
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  public GcpBillingParser() {
    super(FORMAT, TABLE);
  }

  /**
   * A CSV header or a first JSON object naming {@code usage_start_time}, {@code cost} and a field only
   * this export has ({@code service.description}, {@code sku.description}, {@code invoice.month},
   * {@code billing_account_id}).
   */
  @Override
  public boolean detect(String fileName, List<String> head, IngestParams params) {
    String first = FormatDetector.firstNonBlank(head);
    if (first == null) {
      return false;
    }
    if (first.strip().startsWith("{")) {
      return first.contains("\"usage_start_time\"") && first.contains("\"cost\"")
          && (first.contains("\"billing_account_id\"") || first.contains("\"sku\""));
    }
    List<String> names = Csv.headerNames(head);
    return names.contains("usage_start_time") && names.contains("cost")
        && (names.contains("service.description") || names.contains("sku.description")
            || names.contains("invoice.month") || names.contains("billing_account_id"));
  }

  @Override
  public void parse(InputFile file, Reader in, RowSink sink) throws IOException {
    BufferedReader r = new BufferedReader(in, 1 << 16);
    r.mark(1 << 16);
    int c;
    do {
      c = r.read();
    } while (c == '\uFEFF' || c == ' ' || c == '\t' || c == '\r' || c == '\n');
    r.reset();
    if (c == '{') {
      readJsonLines(r, sink, new Logic(sink, file.params()));
    } else {
      Csv.read(r, sink, new CsvLines(sink, file.params()));
    }
  }

  /** One record's fields by their BigQuery path, null when absent, empty or {@code NULL}. */
  private interface Fields {
    String get(String path);
  }

  private static final class CsvLines extends Csv.HeaderedLines {
    private final Logic logic;
    private Map<String, Integer> index;

    CsvLines(RowSink sink, IngestParams params) {
      super(sink, params);
      this.logic = new Logic(sink, f);
    }

    @Override
    String header(Csv.Cursor c, Map<String, Integer> h) {
      index = h;
      for (String name : REQUIRED) {
        if (Csv.column(h, name) < 0) {
          return "column " + name + " is missing from the header";
        }
      }
      return null;
    }

    @Override
    Object[] row(Csv.Cursor c) {
      throw new UnsupportedOperationException("rows() is used");
    }

    @Override
    List<Object[]> rows(Csv.Cursor c) {
      return logic.rows(path -> c.value(Csv.column(index, path)));
    }
  }

  /** Newline-delimited JSON: one object per line, nested objects flattened to dotted paths. */
  private static void readJsonLines(BufferedReader r, RowSink sink, Logic logic) throws IOException {
    String line;
    long n = 0;
    while ((line = r.readLine()) != null) {
      n++;
      if (line.isBlank()) {
        sink.ignore(n);
        continue;
      }
      String damage = Plausibility.textDamage(line);
      if (damage != null) {
        sink.quarantine(n, damage, line);
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (IOException e) {
        node = null;
      }
      if (node == null || !node.isObject()) {
        sink.quarantine(n, "expected one JSON object per line (a BigQuery newline-delimited JSON extract)", line);
        continue;
      }
      Map<String, String> flat = new LinkedHashMap<>();
      flatten("", node, flat);
      logic.f.reset();
      List<Object[]> rows = logic.rows(flat::get);
      if (logic.f.ok() && rows != null) {
        for (Object[] row : rows) {
          sink.emit(n, row);
        }
        sink.recordAccepted();
      } else {
        logic.f.failRecord("record could not be read");
        sink.quarantine(n, logic.f.error(), line);
      }
    }
  }

  private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = (prefix + e.getKey()).toLowerCase(Locale.ROOT);
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(key + ".", v, out);
      } else if (v.isArray()) {
        out.put(key, v.toString());
      } else if (!v.isNull()) {
        String text = v.isBigDecimal() ? v.decimalValue().toPlainString() : v.asText();
        if (!text.isEmpty()) {
          out.put(key, text);
        }
      }
    }
  }

  /** The mapping of one export record to charge rows, shared by the CSV and JSON forms. */
  private static final class Logic {
    private final RowSink sink;
    private final Csv.Fields f;

    Logic(RowSink sink, IngestParams params) {
      this(sink, new Csv.Fields(params));
    }

    Logic(RowSink sink, Csv.Fields f) {
      this.sink = sink;
      this.f = f;
    }

    List<Object[]> rows(Fields in) {
      Instant from = f.time("usage_start_time", bigQueryTime(in.get("usage_start_time")), false);
      Instant to = f.time("usage_end_time", bigQueryTime(in.get("usage_end_time")), false);
      if (from != null && to != null && to.isBefore(from)) {
        f.fail("usage_end_time", "a time not before usage_start_time", in.get("usage_end_time"));
      }
      BigDecimal cost = f.money("cost", in.get("cost"), true);
      BigDecimal atList = f.money("cost_at_list", in.get("cost_at_list"), false);
      String currency = f.required("currency", in.get("currency"));
      Double quantity;
      String unit;
      if (in.get("usage.amount") != null) {
        quantity = f.number("usage.amount", in.get("usage.amount"), false, false);
        unit = in.get("usage.unit");
      } else {
        quantity = f.number("usage.amount_in_pricing_units", in.get("usage.amount_in_pricing_units"), false, false);
        unit = in.get("usage.pricing_unit");
      }
      Map<String, String> tags = new LinkedHashMap<>();
      keyValues("system_labels", in.get("system_labels"), tags);
      keyValues("labels", in.get("labels"), tags);
      List<Credit> credits = credits(in.get("credits"));
      if (!f.ok()) {
        return null;
      }
      String skuDescription = in.get("sku.description");
      Object[] usage = sink.newRow();
      usage[at(Charges.PROVIDER)] = PROVIDER_NAME;
      usage[at(Charges.CHARGE_PERIOD_START)] = Timestamp.from(from);
      usage[at(Charges.CHARGE_PERIOD_END)] = Timestamp.from(to);
      usage[at(Charges.CHARGE_CATEGORY)] = category(in.get("cost_type"));
      String name = in.get("resource.name");
      String global = in.get("resource.global_name");
      usage[at(Charges.RESOURCE_ID)] = global != null ? global : name;
      usage[at(Charges.RESOURCE_NAME)] = name;
      usage[at(Charges.SKU)] = in.get("sku.id");
      usage[at(Charges.SERVICE)] = in.get("service.description");
      usage[at(Charges.DESCRIPTION)] = skuDescription;
      usage[at(Charges.BILLED_COST)] = cost;
      usage[at(Charges.EFFECTIVE_COST)] = cost;
      usage[at(Charges.LIST_COST)] = atList;
      usage[at(Charges.CURRENCY)] = currency;
      usage[at(Charges.USAGE_QUANTITY)] = quantity;
      usage[at(Charges.USAGE_UNIT)] = unit;
      usage[at(Charges.TAGS)] = tags.isEmpty() ? null : tags;
      usage[at(Charges.ACCOUNT)] = in.get("project.id");
      usage[at(Charges.INVOICE_MONTH)] = in.get("invoice.month");
      usage[at(Charges.ACCELERATOR)] = Accelerators.of(skuDescription);
      return withCredits(usage, credits);
    }

    /** The usage row, then one row per credit on it: a copy of the usage row with the credit's amount and names. */
    private static List<Object[]> withCredits(Object[] usage, List<Credit> credits) {
      List<Object[]> rows = new ArrayList<>(1 + credits.size());
      rows.add(usage);
      for (Credit c : credits) {
        Object[] row = usage.clone();
        row[at(Charges.CHARGE_CATEGORY)] = "Credit";
        row[at(Charges.SKU)] = c.type != null ? c.type : c.id;
        row[at(Charges.DESCRIPTION)] = c.name;
        row[at(Charges.BILLED_COST)] = c.amount;
        row[at(Charges.EFFECTIVE_COST)] = c.amount;
        row[at(Charges.LIST_COST)] = null;
        row[at(Charges.USAGE_QUANTITY)] = null;
        row[at(Charges.USAGE_UNIT)] = null;
        rows.add(row);
      }
      return rows;
    }

    private record Credit(String name, String id, String type, BigDecimal amount) {}

    private List<Credit> credits(String json) {
      List<Credit> out = new ArrayList<>();
      if (json == null) {
        return out;
      }
      JsonNode node = parseJson(json);
      if (node == null || !node.isArray()) {
        f.fail("credits", "a JSON list of {name, amount, full_name, id, type}", json);
        return out;
      }
      for (JsonNode c : node) {
        JsonNode amount = c.get("amount");
        String amountText = amount == null || amount.isNull() ? null
            : amount.isBigDecimal() ? amount.decimalValue().toPlainString() : amount.asText();
        BigDecimal a = f.money("credits.amount", amountText, true);
        out.add(new Credit(text(c, "full_name") != null ? text(c, "full_name") : text(c, "name"), text(c, "id"),
            text(c, "type"), a));
      }
      return out;
    }

    /** A BigQuery key/value list ({@code [{"key":..,"value":..}]}) or a JSON object, into {@code tags}. */
    private void keyValues(String field, String json, Map<String, String> tags) {
      if (json == null) {
        return;
      }
      JsonNode node = parseJson(json);
      if (node != null && node.isArray()) {
        for (JsonNode kv : node) {
          String k = text(kv, "key");
          if (k != null) {
            tags.put(k, text(kv, "value"));
          }
        }
      } else if (node != null && node.isObject()) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          tags.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
        }
      } else {
        f.fail(field, "a JSON list of {key, value}", json);
      }
    }
  }

  private static int at(String column) {
    return TABLE.index(column);
  }

  private static String category(String costType) {
    if (costType == null) {
      return "Usage";
    }
    switch (costType.toLowerCase(Locale.ROOT)) {
      case "tax":
        return "Tax";
      case "adjustment":
      case "rounding_error":
        return "Adjustment";
      default:
        return "Usage";
    }
  }

  /** BigQuery writes timestamps in CSV and JSON extracts as {@code 2026-03-02 10:00:00 UTC}. */
  static String bigQueryTime(String text) {
    if (text == null) {
      return null;
    }
    String t = text.strip();
    return t.endsWith(" UTC") ? t.substring(0, t.length() - 4) + "Z" : t;
  }

  private static JsonNode parseJson(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      return null;
    }
  }

  private static String text(JsonNode node, String field) {
    JsonNode v = node.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }
}
