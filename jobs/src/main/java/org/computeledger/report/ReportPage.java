package org.computeledger.report;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.computeledger.common.LedgerException;
import org.computeledger.schema.Table;
import org.computeledger.trends.Trends;
import org.computeledger.trends.TrendsCharts;
import org.knowm.xchart.BitmapEncoder;

/**
 * The last step of {@code ledger run}: the report's own charts (the trends of this one report) under
 * {@code charts/}, and {@code report.html}, one self-contained page (charts as data: URIs, no script,
 * no network) with the line items, the standards side by side, the charts and the cost reconciliation.
 * Every text from the input is HTML-escaped.
 */
public final class ReportPage {
  public static final String FILE = "report.html";

  private ReportPage() {}

  /** What the page shows: rows of the report's tables and the charts as PNG bytes, by title. */
  public record Page(String title, List<Row> lineItems, List<Row> standardTotals, List<Row> reconciliation,
      Map<String, byte[]> charts, Map<String, String> chartFiles) {}

  /**
   * Draws the charts of the report in {@code dir} (its line items, jobs, ledger, standards and treatment
   * already written), writes them and {@code report.html}; returns the methodology section that links them.
   */
  public static String write(SparkSession spark, String dir) {
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    Trends.Report r = new Trends.Report(0, read(spark, dir, Table.GPU_USAGE), read(spark, dir, Table.JOBS),
        read(spark, dir, Table.LINE_ITEMS), read(spark, dir, Table.STANDARD_TOTALS), read(spark, dir, Table.TREATMENT));
    Trends.Charted o = Trends.charted(List.of(r));
    // seven small independent queries, run at once (see common/Concurrently)
    List<java.util.concurrent.Callable<List<Row>>> queries = List.of(
        () -> o.projectMonths().collectAsList(), () -> o.standardMonths().collectAsList(),
        () -> o.methodMix().collectAsList(), () -> o.branchMonths().collectAsList(),
        () -> r.lineItems().orderBy("project", "branch").collectAsList(),
        () -> r.standardTotals().orderBy("project", "standard_id").collectAsList(),
        () -> read(spark, dir, Table.COST_RECONCILIATION).orderBy("provider", "currency").collectAsList());
    List<List<Row>> rows = org.computeledger.common.Concurrently.call(queries);
    List<TrendsCharts.Drawn> drawn = TrendsCharts.drawAll(rows.get(0), rows.get(1), rows.get(2), rows.get(3));
    // each chart rasterised and encoded on a thread of its own (each its own image): the run's last
    // seconds are otherwise this one core's work
    List<byte[]> pngs = org.computeledger.common.Concurrently.call(
        drawn.stream().<java.util.concurrent.Callable<byte[]>>map(d -> () -> png(d)).toList());
    Map<String, byte[]> charts = new LinkedHashMap<>();
    Map<String, String> files = new LinkedHashMap<>();
    for (int i = 0; i < drawn.size(); i++) {
      TrendsCharts.Drawn d = drawn.get(i);
      writeBytes(conf, new Path(dir, TrendsCharts.FOLDER + "/" + d.file()), pngs.get(i));
      charts.put(d.title(), pngs.get(i));
      files.put(d.title(), TrendsCharts.FOLDER + "/" + d.file());
    }
    Page page = new Page("Compute Ledger report", rows.get(4), rows.get(5), rows.get(6), charts, files);
    writeBytes(conf, new Path(dir, FILE), render(page).getBytes(StandardCharsets.UTF_8));
    StringBuilder md = new StringBuilder("## Charts\n\nDrawn from this report's ledger by month (UTC), as `ledger trends`"
        + " draws them over several reports; `" + FILE + "` shows them with the tables on one page.\n\n");
    files.forEach((title, file) -> md.append("- [").append(title).append("](").append(file).append(")\n"));
    return md.toString();
  }

  private static Dataset<Row> read(SparkSession spark, String dir, Table t) {
    return spark.read().schema(t.schema()).parquet(dir + "/" + t.tableName());
  }

  static byte[] png(TrendsCharts.Drawn d) {
    try {
      return BitmapEncoder.getBitmapBytes(d.chart(), BitmapEncoder.BitmapFormat.PNG);
    } catch (IOException e) {
      throw new LedgerException("chart " + d.file() + ": cannot be drawn: " + e.getMessage(), e);
    }
  }

  private static void writeBytes(Configuration conf, Path p, byte[] bytes) {
    try (OutputStream os = p.getFileSystem(conf).create(p, true)) {
      os.write(bytes);
    } catch (IOException e) {
      throw new LedgerException(p + ": cannot be written: " + e.getMessage(), e);
    }
  }

  /** Text for HTML element content and quoted attribute values: the five characters that can change markup. */
  public static String esc(Object o) {
    if (o == null) {
      return "";
    }
    String s = o.toString();
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** The page. No script and a policy that forbids any: the page works, and stays inert, offline. */
  public static String render(Page p) {
    StringBuilder h = new StringBuilder();
    head(h, p);
    lineItems(h, p);
    standards(h, p);
    charts(h, p);
    reconciliation(h, p);
    h.append("</body></html>\n");
    return h.toString();
  }

  /** The document's head (title, policy, style) and the page's heading. */
  private static void head(StringBuilder h, Page p) {
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:;"
            + " style-src 'unsafe-inline'\">\n")
        .append("<title>").append(esc(p.title())).append("</title>\n<style>")
        .append("body{font-family:'DejaVu Sans',sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse;margin:1em 0;font-size:14px}")
        .append("th,td{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}")
        .append("th{background:#eef}td.n{text-align:right;font-variant-numeric:tabular-nums}")
        .append(".yes{color:#b00;font-weight:bold}img{max-width:100%;border:1px solid #ddd;margin:0.5em 0}")
        .append("</style></head><body>\n");
    h.append("<h1>").append(esc(p.title())).append("</h1>\n")
        .append("<p>How every number was made: <a href=\"methodology.md\">methodology.md</a>.</p>\n");
  }

  private static void lineItems(StringBuilder h, Page p) {
    h.append("<h2>Line items</h2>\n<table id=\"line-items\"><tr><th>project</th><th>branch</th><th>activity</th>"
        + "<th>status</th><th>GPU-hours</th><th>FLOP</th><th>FLOP low</th><th>FLOP high</th><th>billed cost</th>"
        + "<th>currency</th><th>effective cost</th><th>converted cost</th><th>report currency</th>"
        + "<th>converted effective cost</th><th>rate</th><th>rate date</th><th>market cost</th><th>market currency</th>"
        + "<th>converted market cost</th><th>market rate</th><th>market rate date</th>"
        + "<th title=\"GPU time no market price covers: the market cost leaves these hours out\">GPU-hours not in"
        + " market cost</th><th>6·N·D FLOP</th>"
        + "<th>architecture check</th><th>method reasons</th><th>description</th></tr>\n");
    for (Row r : p.lineItems()) {
      h.append("<tr>").append(td(r, "project")).append(td(r, "branch")).append(td(r, "activity")).append(td(r, "status"))
          .append(num(hours(r.getAs("gpu_seconds")))).append(flop(r, "flop")).append(flop(r, "flop_low"))
          .append(flop(r, "flop_high")).append(money(r, "cost_billed")).append(td(r, "currency"))
          .append(money(r, "cost_effective")).append(money(r, "cost_billed_converted")).append(td(r, "report_currency"))
          .append(money(r, "cost_effective_converted")).append(rate(r, "fx_rate")).append(td(r, "fx_date"))
          .append(money(r, "cost_market")).append(td(r, "market_currency")).append(money(r, "cost_market_converted"))
          .append(rate(r, "market_fx_rate")).append(td(r, "market_fx_date"))
          .append(num(hours(r.getAs("market_unpriced_gpu_seconds")))).append(flop(r, "flop_architecture")).append(td(r, "architecture_check")).append(td(r, "method_reasons"))
          .append(td(r, "description")).append("</tr>\n");
    }
    h.append("</table>\n");
  }

  /** One row per project, one column per standard (id and version), in the order the totals name them. */
  private static void standards(StringBuilder h, Page p) {
    h.append("<h2>Standards side by side</h2>\n<p>Per project, each standard's FLOP (and cost) against its first"
        + " compute (and cost) threshold; <span class=\"yes\">crosses</span> marks a finding.</p>\n");
    Set<String> standards = new LinkedHashSet<>();
    Map<String, Map<String, Row>> byProject = new LinkedHashMap<>();
    for (Row r : p.standardTotals()) {
      String s = r.getAs("standard_id") + " " + r.getAs("standard_version");
      standards.add(s);
      byProject.computeIfAbsent(r.getAs("project"), k -> new LinkedHashMap<>()).put(s, r);
    }
    h.append("<table id=\"standards\"><tr><th>project</th>");
    for (String s : standards) {
      h.append("<th>").append(esc(s)).append("</th>");
    }
    h.append("</tr>\n");
    byProject.forEach((project, row) -> {
      h.append("<tr><td>").append(esc(project)).append("</td>");
      for (String s : standards) {
        Row r = row.get(s);
        h.append("<td>").append(r == null ? "" : finding(r)).append("</td>");
      }
      h.append("</tr>\n");
    });
    h.append("</table>\n");
  }

  private static void charts(StringBuilder h, Page p) {
    h.append("<h2>Charts</h2>\n");
    p.charts().forEach((title, png) -> h.append("<figure><img alt=\"").append(esc(title))
        .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(png))
        .append("\"><figcaption>").append(esc(title))
        .append(p.chartFiles().containsKey(title) ? " (" + esc(p.chartFiles().get(title)) + ")" : "")
        .append("</figcaption></figure>\n"));
  }

  private static void reconciliation(StringBuilder h, Page p) {
    h.append("<h2>Cost reconciliation</h2>\n<p>Per provider and currency, input total = allocated + unallocated (idle)"
        + " + unallocated (other resources) + not attributable, to the cent.</p>\n<table id=\"reconciliation\"><tr>"
        + "<th>provider</th><th>currency</th><th>input total</th><th>allocated</th><th>unallocated (idle)</th>"
        + "<th>unallocated (other resources)</th><th>not attributable</th></tr>\n");
    for (Row r : p.reconciliation()) {
      h.append("<tr>").append(td(r, "provider")).append(td(r, "currency")).append(money(r, "input_total"))
          .append(money(r, "allocated")).append(money(r, "unallocated_idle"))
          .append(money(r, "unallocated_other_resource")).append(money(r, "not_attributable")).append("</tr>\n");
    }
    h.append("</table>\n");
  }

  private static String finding(Row r) {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%.3e FLOP (%.2e – %.2e)<br>threshold %.0e: ", (double) r.getAs("flop"),
        (double) r.getAs("flop_low"), (double) r.getAs("flop_high"), (double) r.getAs("compute_threshold_flop")));
    boolean crosses = Boolean.TRUE.equals(r.getAs("crosses_compute"));
    boolean may = Boolean.TRUE.equals(r.getAs("may_cross_compute"));
    b.append(crosses ? "<span class=\"yes\">crosses</span>" : may ? "<span class=\"yes\">may cross</span> (high end)"
        : "below");
    Object cost = r.getAs("cost");
    Object costThreshold = r.getAs("cost_threshold");
    if (costThreshold != null) {
      b.append("<br>cost ").append(cost == null ? "incomplete" : esc(plain((BigDecimal) cost)) + " " + esc(r.getAs("currency")))
          .append(" vs ").append(esc(plain((BigDecimal) costThreshold))).append(": ")
          .append(Boolean.TRUE.equals(r.getAs("crosses_cost")) ? "<span class=\"yes\">crosses</span>"
              : r.getAs("crosses_cost") == null ? "unknown" : "below");
    }
    if (Boolean.TRUE.equals(r.getAs("historical"))) {
      b.append("<br><em>historical</em>");
    }
    return b.toString();
  }

  private static String td(Row r, String c) {
    return "<td>" + esc(r.getAs(c)) + "</td>";
  }

  private static String num(String s) {
    return "<td class=\"n\">" + s + "</td>";
  }

  private static String hours(Object seconds) {
    return seconds == null ? "" : String.format(Locale.ROOT, "%,.1f", ((Number) seconds).doubleValue() / 3600);
  }

  private static String flop(Row r, String c) {
    Object v = r.getAs(c);
    return num(v == null ? "" : String.format(Locale.ROOT, "%.3e", ((Number) v).doubleValue()));
  }

  private static String money(Row r, String c) {
    Object v = r.getAs(c);
    return num(v == null ? "" : esc(plain((BigDecimal) v)));
  }

  /** An exchange rate as fx.csv gives it (up to 12 decimals, no trailing zeros): rounding it would hide the rate used. */
  private static String rate(Row r, String c) {
    Object v = r.getAs(c);
    return num(v == null ? "" : esc(((BigDecimal) v).stripTrailingZeros().toPlainString()));
  }

  private static String plain(BigDecimal d) {
    return String.format(Locale.ROOT, "%,.2f", d.setScale(2, java.math.RoundingMode.HALF_EVEN));
  }
}
