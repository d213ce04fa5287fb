package org.computeledger.trends;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.computeledger.common.LedgerException;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The trends as PNG charts (XChart, headless Java2D): drawn on the driver from the monthly tables of
 * {@link Trends}, which hold one row per project or activity and month, never per sample.
 */
public final class TrendsCharts {
  /** The charts' folder inside a report or trends output. */
  public static final String FOLDER = "charts";
  public static final String CUMULATIVE_FLOP = "cumulative-flop.png";
  public static final String MONTHLY_COST = "monthly-cost.png";
  public static final String METHOD_MIX = "method-mix.png";
  public static final String GPU_HOURS_BY_ACTIVITY = "gpu-hours-by-activity.png";
  public static final String TITLE_CUMULATIVE = "Cumulative FLOP per project against compute thresholds";
  public static final String TITLE_COST = "Monthly billed cost per project";
  public static final String TITLE_MIX = "Estimation method mix per month (share of FLOP)";
  public static final String TITLE_ACTIVITY = "GPU-hours per month by activity";
  static final int WIDTH = 1100;
  static final int HEIGHT = 620;
  private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf),
      new Color(0x7f7f7f), new Color(0xbcbd22)};

  private TrendsCharts() {}

  /** A chart to write: its file name, its title and the chart. */
  public record Drawn(String file, String title, Chart<?, ?> chart) {}

  /** Draws every chart of {@code o} and writes it under {@code folder}; returns the file names. */
  public static List<String> writeAll(Trends.Outputs o, Configuration conf, String folder) {
    List<Drawn> charts = drawAll(o.projectMonths().collectAsList(), o.standardMonths().collectAsList(),
        o.methodMix().collectAsList(), o.branchMonths().collectAsList());
    List<String> names = new ArrayList<>();
    for (Drawn d : charts) {
      Path p = new Path(folder, d.file());
      try (OutputStream os = p.getFileSystem(conf).create(p, true)) {
        BitmapEncoder.saveBitmap(d.chart(), os, BitmapEncoder.BitmapFormat.PNG);
      } catch (IOException e) {
        throw new LedgerException(p + ": cannot write the chart: " + e.getMessage(), e);
      }
      names.add(d.file());
    }
    return names;
  }

  /** The four charts from the collected monthly tables. */
  public static List<Drawn> drawAll(List<Row> projectMonths, List<Row> standardMonths, List<Row> methodMix,
      List<Row> branchMonths) {
    return List.of(new Drawn(CUMULATIVE_FLOP, TITLE_CUMULATIVE, cumulativeFlop(projectMonths, standardMonths)),
        new Drawn(MONTHLY_COST, TITLE_COST, monthlyCost(projectMonths)),
        new Drawn(METHOD_MIX, TITLE_MIX, methodMix(methodMix)),
        new Drawn(GPU_HOURS_BY_ACTIVITY, TITLE_ACTIVITY, gpuHoursByActivity(branchMonths)));
  }

  /**
   * Cumulative FLOP at each month's end per project (log scale), the low–high range as a band, and
   * each distinct compute threshold of the standards as a dashed line naming the standards that use it.
   */
  static XYChart cumulativeFlop(List<Row> projectMonths, List<Row> standardMonths) {
    XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(TITLE_CUMULATIVE)
        .xAxisTitle("End of month (UTC)").yAxisTitle("Cumulative FLOP (log scale)").build();
    style(c.getStyler());
    c.getStyler().setYAxisLogarithmic(true);
    c.getStyler().setYAxisLogarithmicDecadeOnly(true);
    c.getStyler().setDatePattern("yyyy-MM-dd");
    // many projects and thresholds: a column of legend entries beside the plot stays whole
    c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    c.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
    c.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
    c.getStyler().setYAxisDecimalPattern("0.#E0");
    Map<String, TreeMap<LocalDate, double[]>> byProject = new TreeMap<>();
    for (Row r : projectMonths) {
      byProject.computeIfAbsent(r.getAs(Trends.PROJECT), k -> new TreeMap<>())
          .put(r.<java.sql.Date>getAs(Trends.MONTH).toLocalDate(), new double[] {num(r, Trends.FLOP),
              num(r, Trends.FLOP_LOW), num(r, Trends.FLOP_HIGH)});
    }
    TreeSet<LocalDate> ends = new TreeSet<>();
    double yMin = Double.MAX_VALUE;
    double yMax = 0;
    int i = 0;
    for (var e : byProject.entrySet()) {
      List<Date> x = new ArrayList<>();
      List<Double> point = new ArrayList<>();
      List<Double> low = new ArrayList<>();
      List<Double> high = new ArrayList<>();
      double[] cum = new double[3];
      for (var m : e.getValue().entrySet()) {
        for (int k = 0; k < 3; k++) {
          cum[k] += m.getValue()[k];
        }
        if (cum[0] <= 0) {
          continue; // nothing yet: a logarithmic axis has no place for zero
        }
        LocalDate end = m.getKey().plusMonths(1);
        ends.add(end);
        // projects dodged by 1.5 days each, so that the ranges of one month do not hide one another
        x.add(new Date(date(end).getTime() + i * 36L * 3600 * 1000));
        point.add(cum[0]);
        low.add(Math.max(cum[1], cum[0] * 1e-3));
        high.add(Math.max(cum[2], cum[0]));
        yMin = Math.min(yMin, low.get(low.size() - 1));
        yMax = Math.max(yMax, high.get(high.size() - 1));
      }
      if (x.isEmpty()) {
        continue;
      }
      Color color = PALETTE[i++ % PALETTE.length];
      List<Date> bx = new ArrayList<>(x);
      List<Double> by = new ArrayList<>(high);
      for (int k = x.size() - 1; k >= 0; k--) {
        bx.add(x.get(k));
        by.add(low.get(k));
      }
      if (x.size() > 1) {
        XYSeries band = c.addSeries(e.getKey() + " low–high", bx, by);
        band.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.PolygonArea);
        band.setFillColor(new Color(color.getRed(), color.getGreen(), color.getBlue(), 50));
        band.setLineColor(new Color(0, 0, 0, 0));
        band.setMarker(SeriesMarkers.NONE);
        band.setShowInLegend(false);
      }
      XYSeries s = c.addSeries(e.getKey(), x, point, null);
      s.setLineColor(color);
      s.setMarkerColor(color);
      s.setMarker(SeriesMarkers.CIRCLE);
      s.setLineStyle(new BasicStroke(2.5f));
      if (x.size() == 1) {
        // one month: the range as a vertical whisker, a polygon of one date has no width
        XYSeries r = c.addSeries(e.getKey() + " low–high", List.of(x.get(0), x.get(0)), List.of(low.get(0), high.get(0)));
        r.setLineColor(color);
        r.setMarker(SeriesMarkers.TRIANGLE_UP);
        r.setMarkerColor(color);
        r.setShowInLegend(false);
      }
    }
    if (ends.isEmpty()) {
      ends.add(LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1));
      yMin = 1;
      yMax = 10;
    }
    // the thresholds across the months shown, a month either side so that a single month has width
    Date from = date(ends.first().minusMonths(1));
    Date to = date(ends.last().plusMonths(1));
    Map<Double, TreeSet<String>> thresholds = new TreeMap<>();
    for (Row r : standardMonths) {
      Object t = r.getAs(Trends.THRESHOLD);
      if (t != null) {
        thresholds.computeIfAbsent(((Number) t).doubleValue(), k -> new TreeSet<>()).add(r.getAs(Trends.STANDARD_ID));
      }
    }
    for (var t : thresholds.entrySet()) {
      XYSeries s = c.addSeries(String.format(Locale.ROOT, "%.0e FLOP: %s", t.getKey(),
          String.join(", ", t.getValue())), List.of(from, to), List.of(t.getKey(), t.getKey()));
      s.setLineColor(Color.DARK_GRAY);
      s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {10f, 6f}, 0f));
      s.setMarker(SeriesMarkers.NONE);
      yMax = Math.max(yMax, t.getKey());
    }
    c.getStyler().setXAxisMin((double) from.getTime());
    c.getStyler().setXAxisMax((double) to.getTime());
    c.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(yMin))));
    c.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(yMax * 1.01))));
    return c;
  }

  /** Billed cost per project and month, grouped bars; the axis names the currency (or says they mix). */
  static CategoryChart monthlyCost(List<Row> projectMonths) {
    TreeSet<String> currencies = new TreeSet<>();
    for (Row r : projectMonths) {
      if (r.getAs(Trends.CURRENCY) != null) {
        currencies.add(r.getAs(Trends.CURRENCY));
      }
    }
    String unit = currencies.size() == 1 ? currencies.first() : currencies.isEmpty() ? "no bills" : "mixed currencies";
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(TITLE_COST + " (" + unit + ")")
        .xAxisTitle("Month (UTC)").yAxisTitle("Billed cost (" + unit + ")").build();
    style(c.getStyler());
    c.getStyler().setYAxisDecimalPattern("#,##0");
    Map<String, Map<String, Double>> series = new TreeMap<>();
    TreeSet<String> months = new TreeSet<>();
    for (Row r : projectMonths) {
      String m = monthLabel(r);
      months.add(m);
      Object cost = r.getAs(Trends.COST_BILLED);
      if (cost != null) {
        series.computeIfAbsent(r.getAs(Trends.PROJECT), k -> new TreeMap<>()).put(m, ((java.math.BigDecimal) cost).doubleValue());
      }
    }
    addCategorySeries(c, months, series);
    return c;
  }

  /** The share of each month's FLOP each estimation method gave, stacked to 100 %. */
  static CategoryChart methodMix(List<Row> mix) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(TITLE_MIX)
        .xAxisTitle("Month (UTC)").yAxisTitle("Share of the month's FLOP (%)").build();
    style(c.getStyler());
    c.getStyler().setStacked(true);
    c.getStyler().setYAxisMin(0.0);
    c.getStyler().setYAxisMax(100.0);
    String[][] methods = {{"share_counted", "counted (FLOP counters)"}, {"share_pipe_activity", "pipe activity (DCGM)"},
        {"share_utilization", "GPU utilization"}, {"share_allocation", "allocation (no telemetry)"}};
    TreeSet<String> months = new TreeSet<>();
    Map<String, Map<String, Double>> series = new java.util.LinkedHashMap<>();
    for (String[] m : methods) {
      series.put(m[1], new TreeMap<>());
    }
    for (Row r : mix) {
      String month = monthLabel(r);
      months.add(month);
      for (String[] m : methods) {
        series.get(m[1]).put(month, 100 * num(r, m[0]));
      }
    }
    addCategorySeries(c, months, series);
    return c;
  }

  /** GPU-hours per month, stacked by the registry's activity of each line item. */
  static CategoryChart gpuHoursByActivity(List<Row> branchMonths) {
    CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(TITLE_ACTIVITY)
        .xAxisTitle("Month (UTC)").yAxisTitle("GPU-hours").build();
    style(c.getStyler());
    c.getStyler().setStacked(true);
    c.getStyler().setYAxisDecimalPattern("#,##0");
    TreeSet<String> months = new TreeSet<>();
    Map<String, Map<String, Double>> series = new TreeMap<>();
    for (Row r : branchMonths) {
      String month = monthLabel(r);
      months.add(month);
      String activity = r.getAs("activity") == null ? "(no activity: unattributed or idle)" : r.getAs("activity");
      series.computeIfAbsent(activity, k -> new TreeMap<>()).merge(month, num(r, Trends.GPU_HOURS), Double::sum);
    }
    addCategorySeries(c, months, series);
    return c;
  }

  private static void addCategorySeries(CategoryChart c, TreeSet<String> months, Map<String, Map<String, Double>> series) {
    List<String> x = new ArrayList<>(months);
    if (x.isEmpty()) {
      x.add("(no data)");
    }
    int i = 0;
    for (var e : series.entrySet()) {
      List<Double> y = new ArrayList<>();
      for (String m : x) {
        y.add(e.getValue().getOrDefault(m, 0.0));
      }
      c.addSeries(e.getKey(), x, y).setFillColor(PALETTE[i++ % PALETTE.length]);
    }
    if (series.isEmpty()) {
      // one zero per month: XChart wants as many values as categories (months without a bill, e.g.)
      c.addSeries("(no data)", x, java.util.Collections.nCopies(x.size(), 0.0));
    }
  }

  /** Large type and a legend beside the plot: the charts are read at a glance, also embedded in a page. */
  private static void style(Styler s) {
    s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
    s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
    s.setLegendPosition(Styler.LegendPosition.OutsideS);
    s.setLegendLayout(Styler.LegendLayout.Horizontal);
    s.setChartBackgroundColor(Color.WHITE);
    s.setPlotBackgroundColor(Color.WHITE);
    s.setAntiAlias(true);
    if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
      a.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 17));
      a.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 15));
      a.setPlotGridLinesColor(new Color(0xdddddd));
    }
  }

  private static String monthLabel(Row r) {
    return r.<java.sql.Date>getAs(Trends.MONTH).toLocalDate().toString().substring(0, 7);
  }

  private static double num(Row r, String c) {
    Object v = r.getAs(c);
    return v == null ? 0.0 : ((Number) v).doubleValue();
  }

  private static Date date(LocalDate d) {
    return Date.from(d.atStartOfDay(ZoneOffset.UTC).toInstant());
  }
}
