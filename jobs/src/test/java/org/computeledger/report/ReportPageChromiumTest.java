package org.computeledger.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructType;
import org.computeledger.schema.Table;
import org.computeledger.trends.TrendsCharts;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html in a real headless Chromium (Debian's {@code chromium}): it renders, its tables are
 * there, and input text that looks like HTML is shown as text. Where chromium is missing the test is
 * skipped with a message, unless {@code LEDGER_REQUIRE_CHROMIUM} is set (as {@code .ci/run} sets it
 * after installing chromium), where it fails.
 */
class ReportPageChromiumTest {
  static final String IMG = "<img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">";
  static final String SCRIPT = "<script>document.body.setAttribute('data-pwned','script')</script>";
  static String chromium;

  @BeforeAll
  static void findChromium() {
    for (String c : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
      if (Files.isExecutable(Path.of(c))) {
        chromium = c;
        return;
      }
    }
    String required = System.getenv("LEDGER_REQUIRE_CHROMIUM");
    if (required != null && !required.isEmpty()) {
      throw new AssertionError("chromium is not installed (/usr/bin/chromium) but LEDGER_REQUIRE_CHROMIUM is set:"
          + " install the Debian package chromium");
    }
    Assumptions.abort("chromium is not installed here (apt-get install chromium); .ci/run installs it and requires"
        + " this test");
  }

  private static Row row(StructType s, Map<String, Object> m) {
    Object[] v = new Object[s.size()];
    m.forEach((k, val) -> v[s.fieldIndex(k)] = val);
    return new GenericRowWithSchema(v, s);
  }

  static ReportPage.Page page() {
    Map<String, Object> li = new HashMap<>();
    li.put("project", "atlas");
    li.put("branch", IMG);
    li.put("activity", "pretraining");
    li.put("status", "kept");
    li.put("description", SCRIPT + " & more");
    li.put("gpu_seconds", 7200.0);
    li.put("flop", 1.5e21);
    li.put("flop_low", 1e21);
    li.put("flop_high", 2e21);
    li.put("cost_billed", new BigDecimal("1234.5678"));
    li.put("currency", "USD");
    li.put("method_reasons", "fp64 pipe: no catalog row <i>for L4</i>");
    li.put("flop_architecture", 1.2e21);
    li.put("architecture_check", "agrees");
    li.put("cost_billed_converted", new BigDecimal("1111.11"));
    li.put("report_currency", "EUR");
    li.put("fx_rate", new BigDecimal("0.900000000000"));
    li.put("fx_date", java.sql.Date.valueOf("2026-03-01"));
    li.put("cost_market", new BigDecimal("500.00"));
    li.put("market_currency", "USD");
    li.put("cost_market_converted", new BigDecimal("460.00"));
    li.put("market_fx_rate", new BigDecimal("0.920000000000"));
    li.put("market_fx_date", java.sql.Date.valueOf("2026-03-15"));
    li.put("market_unpriced_gpu_seconds", 1800.0);
    Map<String, Object> st = new HashMap<>();
    st.put("standard_id", "eu-ai-act");
    st.put("standard_version", "2025-07");
    st.put("project", "<b>bold</b>");
    st.put("flop", 1.5e21);
    st.put("flop_low", 1e21);
    st.put("flop_high", 2e21);
    st.put("compute_threshold_flop", 1e25);
    st.put("crosses_compute", false);
    st.put("may_cross_compute", false);
    st.put("historical", false);
    Map<String, Object> rec = new HashMap<>();
    rec.put("provider", "\"><script>alert(1)</script>");
    rec.put("currency", "USD");
    rec.put("input_total", new BigDecimal("10.00"));
    rec.put("allocated", new BigDecimal("7.00"));
    rec.put("unallocated_idle", new BigDecimal("3.00"));
    rec.put("unallocated_other_resource", BigDecimal.ZERO);
    rec.put("not_attributable", BigDecimal.ZERO);
    Map<String, byte[]> charts = new LinkedHashMap<>();
    BufferedImage img = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
    java.awt.Graphics2D g = img.createGraphics();
    g.setColor(java.awt.Color.BLUE);
    g.fillRect(0, 0, 200, 100);
    g.dispose();
    java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", png);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    charts.put(TrendsCharts.TITLE_COST, png.toByteArray());
    return new ReportPage.Page("Compute Ledger report", List.of(row(Table.LINE_ITEMS.schema(), li)),
        List.of(row(Table.STANDARD_TOTALS.schema(), st)), List.of(row(Table.COST_RECONCILIATION.schema(), rec)), charts,
        Map.of(TrendsCharts.TITLE_COST, "charts/" + TrendsCharts.MONTHLY_COST));
  }

  /** Runs headless Chromium on the page with the flags that work on a closed network; returns stdout. */
  private static String chromium(Path dir, String... what) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--user-data-dir=" + Files.createTempDirectory(dir, "profile"), "--window-size=1280,2000"));
    cmd.addAll(List.of(what));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(dir.resolve("chromium.err").toFile()).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish in 120 s");
    return new String(out, StandardCharsets.UTF_8);
  }

  private static Path writePage(Path dir) throws Exception {
    Path html = dir.resolve(ReportPage.FILE);
    Files.writeString(html, ReportPage.render(page()));
    return html;
  }

  @Test
  void pageRendersNonBlankWithItsTables(@TempDir Path dir) throws Exception {
    Path html = writePage(dir);
    Path shot = dir.resolve("shot.png");
    chromium(dir, "--screenshot=" + shot, html.toUri().toString());
    BufferedImage img = ImageIO.read(shot.toFile());
    int dark = 0;
    int blue = 0;
    for (int y = 0; y < img.getHeight(); y += 2) {
      for (int x = 0; x < img.getWidth(); x += 2) {
        int rgb = img.getRGB(x, y) & 0xffffff;
        if (((rgb >> 16) & 0xff) < 100 && ((rgb >> 8) & 0xff) < 100 && (rgb & 0xff) < 100) {
          dark++;
        }
        if (rgb == 0x0000ff) {
          blue++;
        }
      }
    }
    assertTrue(dark > 500, "the screenshot has text on it (dark pixels sampled: " + dark + ")");
    assertTrue(blue > 1000, "the embedded chart is drawn (blue pixels sampled: " + blue + ")");
    String dom = chromium(dir, "--dump-dom", html.toUri().toString());
    for (String id : List.of("line-items", "standards", "reconciliation")) {
      assertTrue(dom.contains("<table id=\"" + id + "\""), "table " + id + " in the rendered page");
    }
    assertTrue(dom.contains("GPU-hours not in market cost</th>"), "the market cost's unpriced hours are a column");
  }

  @Test
  void inputTextLookingLikeHtmlIsShownAsTextNotInterpreted(@TempDir Path dir) throws Exception {
    String dom = chromium(dir, "--dump-dom", writePage(dir).toUri().toString());
    // the injected code would set an attribute on <body>; its text may appear, escaped, inside the tables
    assertFalse(Pattern.compile("<body[^>]*data-pwned").matcher(dom).find(), "no injected handler or script ran");
    Matcher imgs = Pattern.compile("<img\\b[^>]*>").matcher(dom);
    int images = 0;
    while (imgs.find()) {
      images++;
      assertTrue(imgs.group().contains("src=\"data:image/png;base64,"), "only the page's own charts are images: " + imgs.group());
    }
    assertEquals(1, images);
    assertFalse(dom.contains("<b>bold</b>"), "a project name is not markup");
    assertFalse(dom.contains("<script"), "no script element in the page");
    // shown as text: the serialised DOM escapes it again
    assertTrue(dom.contains("&lt;img src=x onerror="), "the branch name is shown as text");
    assertTrue(dom.contains("&lt;script&gt;document.body"), "the description is shown as text");
    assertTrue(dom.contains("&lt;b&gt;bold&lt;/b&gt;"), "the project name is shown as text");
  }
}
