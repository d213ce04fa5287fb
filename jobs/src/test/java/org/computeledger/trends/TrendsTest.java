package org.computeledger.trends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.computeledger.PlansRun;
import org.computeledger.SparkTestBase;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;

/**
 * The trends tables on hand-made reports; every expected figure is worked out by hand in the
 * comment beside it.
 */
class TrendsTest extends SparkTestBase {
  private static final double E20 = 1e20;

  private Dataset<Row> rows(StructType s, List<Map<String, Object>> maps) {
    List<Row> out = new ArrayList<>();
    for (Map<String, Object> m : maps) {
      Object[] v = new Object[s.size()];
      m.forEach((k, val) -> v[s.fieldIndex(k)] = val);
      out.add(RowFactory.create(v));
    }
    return spark().createDataFrame(out, s);
  }

  private static Timestamp ts(String iso) {
    return Timestamp.from(Instant.parse(iso));
  }

  /** A telemetry ledger row of one hour: {@code flop} with range ±50 %, by utilization. */
  private static Map<String, Object> usage(String project, String branch, String hour, double gpuSeconds, double flop) {
    Map<String, Object> m = new HashMap<>();
    m.put("interval_start", ts(hour));
    m.put("project", project);
    m.put("branch", branch);
    m.put("method", "utilization");
    m.put("gpu_seconds", gpuSeconds);
    m.put("flop", flop);
    m.put("flop_low", flop * 0.5);
    m.put("flop_high", flop * 1.5);
    m.put("flop_counted", 0.0);
    m.put("flop_pipe_activity", 0.0);
    m.put("flop_utilization", flop);
    m.put("flop_allocation", 0.0);
    m.put("unpriced_gpu_seconds", 0.0);
    return m;
  }

  private static Map<String, Object> lineItem(String project, String branch, String activity, double flop) {
    Map<String, Object> m = new HashMap<>();
    m.put("line_item_id", project + "/" + branch);
    m.put("project", project);
    m.put("branch", branch);
    m.put("activity", activity);
    m.put("flop", flop);
    m.put("flop_low", flop * 0.5);
    m.put("flop_high", flop * 1.5);
    return m;
  }

  private static Map<String, Object> job(String project, String branch, String start, String end, String cost) {
    Map<String, Object> m = new HashMap<>();
    m.put("job_key", project + start);
    m.put("project", project);
    m.put("branch", branch);
    m.put("start_time", ts(start));
    m.put("end_time", ts(end));
    m.put("cost_billed", new BigDecimal(cost));
    m.put("currency", "USD");
    return m;
  }

  private Trends.Report report(int index, List<Map<String, Object>> usage, List<Map<String, Object>> jobs,
      List<Map<String, Object>> lineItems) {
    return new Trends.Report(index, rows(Table.GPU_USAGE.schema(), usage), rows(Table.JOBS.schema(), jobs),
        rows(Table.LINE_ITEMS.schema(), lineItems), standardTotals(), rows(Table.TREATMENT.schema(), List.of()));
  }

  private Dataset<Row> standardTotals(Object... idAndThreshold) {
    List<Map<String, Object>> l = new ArrayList<>();
    for (int i = 0; i < idAndThreshold.length; i += 2) {
      l.add(Map.of("standard_id", idAndThreshold[i], "compute_threshold_flop", idAndThreshold[i + 1]));
    }
    return rows(StructType.fromDDL("standard_id STRING, compute_threshold_flop DOUBLE"), l);
  }

  private static Map<String, Row> byKey(Dataset<Row> df, String... keys) {
    Map<String, Row> m = new HashMap<>();
    for (Row r : df.collectAsList()) {
      StringBuilder k = new StringBuilder();
      for (String c : keys) {
        k.append(k.length() == 0 ? "" : "|").append(String.valueOf(r.<Object>getAs(c)));
      }
      m.put(k.toString(), r);
    }
    return m;
  }

  @Test
  void flopAndGpuHoursAreSummedPerBranchAndCalendarMonth() {
    Trends.Report r = report(0, List.of(
            usage("atlas", "pretrain", "2026-03-10T05:00:00Z", 3600, 1 * E20),
            usage("atlas", "pretrain", "2026-03-31T23:00:00Z", 1800, 2 * E20),
            usage("atlas", "pretrain", "2026-04-01T00:00:00Z", 7200, 6 * E20),
            usage("atlas", "evals", "2026-03-12T00:00:00Z", 900, 0.5 * E20)),
        List.of(), List.of(lineItem("atlas", "pretrain", "pretraining", 9 * E20),
            lineItem("atlas", "evals", "evaluation", 0.5 * E20)));
    Map<String, Row> m = byKey(Trends.branchMonths(List.of(r)), "branch", "month");
    assertEquals(3, m.size());
    Row march = m.get("pretrain|2026-03-01");
    // 1e20 + 2e20; 3600 s + 1800 s = 1.5 GPU-hours; low = half, high = 1.5 times
    assertRelClose(3 * E20, march.getAs("flop"), 1e-12);
    assertRelClose(1.5 * E20, march.getAs("flop_low"), 1e-12);
    assertRelClose(4.5 * E20, march.getAs("flop_high"), 1e-12);
    assertRelClose(1.5, march.getAs("gpu_hours"), 1e-12);
    assertEquals("pretraining", march.getAs("activity"));
    Row april = m.get("pretrain|2026-04-01");
    assertRelClose(6 * E20, april.getAs("flop"), 1e-12);
    assertRelClose(2.0, april.getAs("gpu_hours"), 1e-12);
    assertRelClose(0.25, m.get("evals|2026-03-01").getAs("gpu_hours"), 1e-12);
  }

  @Test
  void allocationRowSpanningTwoMonthsIsSplitByWallTime() {
    Map<String, Object> a = usage("atlas", "pretrain", "2026-03-31T18:00:00Z", 4 * 86400.0, 8 * E20);
    a.put("method", "allocation");
    a.put("window_start", ts("2026-03-31T18:00:00Z"));
    a.put("window_end", ts("2026-04-01T18:00:00Z"));
    a.put("flop_utilization", 0.0);
    a.put("flop_allocation", 8 * E20);
    Trends.Report r = report(0, List.of(a), List.of(), List.of(lineItem("atlas", "pretrain", "pretraining", 8 * E20)));
    Map<String, Row> m = byKey(Trends.branchMonths(List.of(r)), "month");
    // 6 of the window's 24 hours lie in March: a quarter of 8e20 FLOP and of 96 GPU-hours
    assertRelClose(2 * E20, m.get("2026-03-01").getAs("flop"), 1e-12);
    assertRelClose(24.0, m.get("2026-03-01").getAs("gpu_hours"), 1e-12);
    assertRelClose(6 * E20, m.get("2026-04-01").getAs("flop_allocation"), 1e-12);
  }

  @Test
  void jobCostIsSplitOverTheMonthsItRan() {
    Trends.Report r = report(0, List.of(usage("atlas", "pretrain", "2026-03-31T20:00:00Z", 3600, E20)),
        List.of(job("atlas", "pretrain", "2026-03-31T20:00:00Z", "2026-04-01T08:00:00Z", "120.00"),
            job("atlas", "pretrain", "2026-04-02T00:00:00Z", "2026-04-02T01:00:00Z", "10.50")),
        List.of(lineItem("atlas", "pretrain", "pretraining", E20)));
    Map<String, Row> m = byKey(Trends.branchMonths(List.of(r)), "month");
    // 4 of 12 hours in March: 40.00; April: 80.00 + 10.50
    assertEquals(0, new BigDecimal("40").compareTo(m.get("2026-03-01").getAs("cost_billed")));
    assertEquals(0, new BigDecimal("90.50").compareTo(m.get("2026-04-01").getAs("cost_billed")));
    assertEquals("USD", m.get("2026-04-01").getAs("currency"));
  }

  @Test
  void lineItemMonthInTwoOverlappingReportsCountsOnce() {
    List<Map<String, Object>> items = List.of(lineItem("atlas", "pretrain", "pretraining", 3 * E20));
    // report 0 covers March; report 1 covers the same March (a rerun over overlapping logs) and April
    Trends.Report first = report(0, List.of(usage("atlas", "pretrain", "2026-03-10T05:00:00Z", 3600, E20)),
        List.of(job("atlas", "pretrain", "2026-03-10T05:00:00Z", "2026-03-10T06:00:00Z", "5.00")), items);
    Trends.Report second = report(1, List.of(usage("atlas", "pretrain", "2026-03-10T05:00:00Z", 3600, E20),
            usage("atlas", "pretrain", "2026-04-10T05:00:00Z", 3600, 2 * E20)),
        List.of(job("atlas", "pretrain", "2026-03-10T05:00:00Z", "2026-03-10T06:00:00Z", "5.00")), items);
    Map<String, Row> m = byKey(Trends.projectMonths(Trends.branchMonths(List.of(first, second))), "month");
    assertRelClose(E20, m.get("2026-03-01").getAs("flop"), 1e-12);
    assertRelClose(1.0, m.get("2026-03-01").getAs("gpu_hours"), 1e-12);
    assertEquals(0, new BigDecimal("5.00").compareTo(m.get("2026-03-01").getAs("cost_billed")));
    assertRelClose(3 * E20, m.get("2026-04-01").getAs("cumulative_flop"), 1e-12);
  }

  @Test
  void overlapKeepsTheReportWithMoreOfTheMonth() {
    List<Map<String, Object>> items = List.of(lineItem("atlas", "pretrain", "pretraining", 3 * E20));
    // report 1 (later) saw only the first hour of March; report 0 saw two hours: report 0 wins March
    Trends.Report full = report(0, List.of(usage("atlas", "pretrain", "2026-03-10T05:00:00Z", 3600, E20),
        usage("atlas", "pretrain", "2026-03-10T06:00:00Z", 3600, E20)), List.of(), items);
    Trends.Report partial = report(1, List.of(usage("atlas", "pretrain", "2026-03-10T05:00:00Z", 3600, E20)),
        List.of(), items);
    Row march = Trends.branchMonths(List.of(full, partial)).first();
    assertRelClose(2 * E20, march.getAs("flop"), 1e-12);
    assertEquals(0, (int) march.getAs("source_report"));
  }

  private Dataset<Row> projectFlop(String project, double... perMonth) {
    List<Map<String, Object>> l = new ArrayList<>();
    for (int i = 0; i < perMonth.length; i++) {
      l.add(Map.of("project", project, "month", Date.valueOf(java.time.LocalDate.of(2026, 1 + i, 1)),
          "flop", perMonth[i]));
    }
    return rows(StructType.fromDDL("project STRING, month DATE, flop DOUBLE"), l);
  }

  @Test
  void monthOverMonthGrowthIsTheRatioToThePreviousMonthLessOne() {
    Dataset<Row> b = projectFlop("atlas", 1 * E20, 3 * E20, 4 * E20)
        .withColumn("branch", org.apache.spark.sql.functions.lit("pretrain"))
        .withColumn("gpu_hours", org.apache.spark.sql.functions.lit(1.0))
        .withColumn("flop_low", org.apache.spark.sql.functions.col("flop"))
        .withColumn("flop_high", org.apache.spark.sql.functions.col("flop"))
        .withColumn("cost_billed", org.apache.spark.sql.functions.lit(null).cast("decimal(38,12)"))
        .withColumn("cost_market", org.apache.spark.sql.functions.lit(null).cast("decimal(38,12)"))
        .withColumn("currency", org.apache.spark.sql.functions.lit(null).cast("string"));
    Map<String, Row> m = byKey(Trends.projectMonths(b), "month");
    assertNull(m.get("2026-01-01").getAs("mom_growth"));
    assertRelClose(2.0, m.get("2026-02-01").getAs("mom_growth"), 1e-12); // 3/1 - 1
    assertRelClose(1.0 / 3, m.get("2026-03-01").getAs("mom_growth"), 1e-12); // 4/3 - 1
    assertRelClose(8 * E20, m.get("2026-03-01").getAs("cumulative_flop"), 1e-12);
  }

  @Test
  void fittedAnnualGrowthIsLogLinearLeastSquaresWithStudentInterval() {
    // ln F = 0, ln 3, ln 4 at t = 0, 1, 2: slope = (ln 4 - 0) / 2 = ln 2, so ×2 a month, ×4096 a year;
    // residuals -0.135155, +0.270310, -0.135155: RSS = 0.1096013, se = sqrt(RSS / 1 / 2) = 0.2340954;
    // t(0.975, 1 df) = 12.7062047: interval exp(12 (ln 2 ∓ 12.7062047 × 0.2340954)); R² = 1 - RSS / Syy
    Row g = Trends.growth(projectFlop("atlas", 1 * E20, 3 * E20, 4 * E20)).first();
    assertEquals(3L, (long) g.getAs("months_fitted"));
    assertRelClose(Math.log(2), g.getAs("monthly_log_slope"), 1e-12);
    assertRelClose(4096.0, g.getAs("annual_growth"), 1e-9);
    assertRelClose(1.2907454887930535e-12, g.getAs("annual_growth_low"), 1e-6);
    assertRelClose(1.299808222896674e+19, g.getAs("annual_growth_high"), 1e-6);
    assertRelClose(0.897617419816051, g.getAs("r_squared"), 1e-9);
  }

  @Test
  void twoMonthsGiveARateWithoutAnInterval() {
    Row g = Trends.growth(projectFlop("atlas", 1 * E20, 2 * E20)).first();
    assertRelClose(4096.0, g.getAs("annual_growth"), 1e-9); // ×2 in a month
    assertNull(g.getAs("annual_growth_low"));
  }

  private Dataset<Row> standardMonths(double threshold, double... perMonth) {
    List<Map<String, Object>> l = new ArrayList<>();
    double cum = 0;
    for (int i = 0; i < perMonth.length; i++) {
      cum += perMonth[i];
      Map<String, Object> m = new HashMap<>();
      m.put("standard_id", "eu-ai-act");
      m.put("project", "atlas");
      m.put("month", Date.valueOf(java.time.LocalDate.of(2026, 1 + i, 1)));
      m.put("flop", perMonth[i]);
      m.put("cumulative_flop", cum);
      m.put("compute_threshold_flop", threshold);
      l.add(m);
    }
    return rows(StructType.fromDDL("standard_id STRING, project STRING, month DATE, flop DOUBLE, cumulative_flop DOUBLE,"
        + " compute_threshold_flop DOUBLE"), l);
  }

  @Test
  void thresholdCrossingIsProjectedAtTheFittedRate() {
    // 1, 2, 4 (×1e20): ×2 a month, 7e20 so far; April adds 8e20, May 16e20, June 32e20, July 64e20:
    // cumulative 1.5e21, 3.1e21, 6.3e21, 1.27e22, so 1e21 is crossed in April and 1e22 in July
    Row april = Trends.thresholdCrossings(standardMonths(1e21, E20, 2 * E20, 4 * E20)).first();
    assertEquals(Date.valueOf("2026-04-01"), april.getAs("projected_crossing_month"));
    assertNull(april.getAs("crossed_in"));
    Row july = Trends.thresholdCrossings(standardMonths(1e22, E20, 2 * E20, 4 * E20)).first();
    assertEquals(Date.valueOf("2026-07-01"), july.getAs("projected_crossing_month"));
  }

  @Test
  void thresholdAlreadyCrossedNamesTheMonthAndProjectsNothing() {
    // cumulative 1e20, 3e20, 7e20: 5e20 is passed in March
    Row r = Trends.thresholdCrossings(standardMonths(5e20, E20, 2 * E20, 4 * E20)).first();
    assertEquals(Date.valueOf("2026-03-01"), r.getAs("crossed_in"));
    assertNull(r.getAs("projected_crossing_month"));
  }

  @Test
  void shrinkingComputeThatNeverReachesTheThresholdProjectsNothing() {
    // 4, 2, 1 (×1e20): halving, the months to come add at most 1e20 in all: 7e20 + 1e20 < 1e22
    Row r = Trends.thresholdCrossings(standardMonths(1e22, 4 * E20, 2 * E20, E20)).first();
    assertNull(r.getAs("projected_crossing_month"));
  }

  @Test
  void standardMonthsCountOnlyCountedLineItemsScaledByTheirTreatment() {
    Map<String, Object> counted = new HashMap<>(Map.of("standard_id", "eu-ai-act", "standard_version", "1",
        "project", "atlas", "line_item_id", "atlas/pretrain", "reached_via", "own", "treatment", "counted",
        "rule", "r", "reason", "r"));
    counted.put("flop", 1.5 * E20); // the standard's allocation utilization makes it half again the ledger's 1e20
    counted.put("flop_low", 0.75 * E20);
    counted.put("flop_high", 2.25 * E20);
    Map<String, Object> excluded = new HashMap<>(counted);
    excluded.put("line_item_id", "atlas/evals");
    excluded.put("treatment", "excluded");
    Trends.Report r = new Trends.Report(0, rows(Table.GPU_USAGE.schema(), List.of(
            usage("atlas", "pretrain", "2026-03-10T05:00:00Z", 3600, E20),
            usage("atlas", "evals", "2026-03-10T05:00:00Z", 3600, E20))),
        rows(Table.JOBS.schema(), List.of()),
        rows(Table.LINE_ITEMS.schema(), List.of(lineItem("atlas", "pretrain", "pretraining", E20),
            lineItem("atlas", "evals", "evaluation", E20))),
        standardTotals("eu-ai-act", 1e25), rows(Table.TREATMENT.schema(), List.of(counted, excluded)));
    Row s = Trends.standardMonths(List.of(r), Trends.branchMonths(List.of(r))).first();
    assertRelClose(1.5 * E20, s.getAs("flop"), 1e-12);
    assertRelClose(2.25 * E20, s.getAs("cumulative_flop_high"), 1e-12);
    assertRelClose(1e25, s.getAs("compute_threshold_flop"), 0);
  }

  @Test
  void aReportsOwnChartsAreDrawnAsFromAllItsTrendsWithoutTheColumnsNoChartShows() throws Exception {
    // two projects over two months, billed, and a standard counting one line item: its threshold is a line
    Map<String, Object> counted = new HashMap<>(Map.of("standard_id", "eu-ai-act", "standard_version", "1",
        "project", "atlas", "line_item_id", "atlas/pretrain", "reached_via", "own", "treatment", "counted",
        "rule", "r", "reason", "r"));
    counted.put("flop", 3 * E20);
    counted.put("flop_low", 1.5 * E20);
    counted.put("flop_high", 4.5 * E20);
    Trends.Report r = new Trends.Report(0, rows(Table.GPU_USAGE.schema(), List.of(
            usage("atlas", "pretrain", "2026-03-10T05:00:00Z", 3600, E20),
            usage("atlas", "pretrain", "2026-04-10T05:00:00Z", 3600, 2 * E20),
            usage("orion", "sft", "2026-04-11T05:00:00Z", 7200, 5 * E20))),
        rows(Table.JOBS.schema(), List.of(job("atlas", "pretrain", "2026-03-10T05:00:00Z", "2026-03-10T06:00:00Z", "5.00"),
            job("orion", "sft", "2026-04-11T05:00:00Z", "2026-04-11T07:00:00Z", "12.00"))),
        rows(Table.LINE_ITEMS.schema(), List.of(lineItem("atlas", "pretrain", "pretraining", 3 * E20),
            lineItem("orion", "sft", "fine-tuning", 5 * E20))),
        standardTotals("eu-ai-act", 1e25, "uk-frontier", 1e26), rows(Table.TREATMENT.schema(), List.of(counted)));
    Trends.Outputs all = Trends.compute(List.of(r));
    List<TrendsCharts.Drawn> expected = TrendsCharts.drawAll(all.projectMonths().collectAsList(),
        all.standardMonths().collectAsList(), all.methodMix().collectAsList(), all.branchMonths().collectAsList());
    // every query the page's path runs (ReportPage): its checkpoint, then the four tables collected
    Trends.Charted[] kept = new Trends.Charted[1];
    List<List<Row>> chartedRows = new ArrayList<>();
    List<String> plans = PlansRun.during(spark(), () -> {
      Trends.Charted c = Trends.charted(List.of(r));
      kept[0] = c;
      for (Dataset<Row> d : List.of(c.projectMonths(), c.standardMonths(), c.methodMix(), c.branchMonths())) {
        chartedRows.add(d.collectAsList());
      }
    });
    Trends.Charted charted = kept[0];
    List<TrendsCharts.Drawn> drawn = TrendsCharts.drawAll(chartedRows.get(0), chartedRows.get(1), chartedRows.get(2),
        chartedRows.get(3));
    assertEquals(expected.size(), drawn.size());
    for (int i = 0; i < expected.size(); i++) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(png(expected.get(i)), png(drawn.get(i)), expected.get(i).file());
    }
    // the running sums and the growth are not in the queries at all
    String project = charted.projectMonths().queryExecution().optimizedPlan().toString();
    String standard = charted.standardMonths().queryExecution().optimizedPlan().toString();
    org.junit.jupiter.api.Assertions.assertFalse(project.contains(Trends.CUMULATIVE_FLOP) || project.contains("mom_growth"),
        project);
    org.junit.jupiter.api.Assertions.assertFalse(standard.contains(Trends.CUMULATIVE_FLOP), standard);
    // nor in any query that ran: no running sum or month-before (lag) window, no growth fit, no crossing; the
    // only windows computed are the ranks that keep one report's row (row_number), which the page needs
    org.junit.jupiter.api.Assertions.assertTrue(String.join("\n", plans).contains("row_number()"),
        "the ranks' windows are among the plans: " + plans);
    for (String plan : plans) {
      for (String column : List.of(Trends.CUMULATIVE_FLOP, "mom_growth", "months_fitted", "annual_growth",
          "projected_crossing_month")) {
        org.junit.jupiter.api.Assertions.assertFalse(plan.contains(column), column + " in\n" + plan);
      }
      for (String window : plan.lines().filter(l -> l.contains("Window [")).toList()) {
        org.junit.jupiter.api.Assertions.assertFalse(window.contains("sum(") || window.contains("lag("), window);
      }
    }
    // one checkpoint (the branch months, read by every chart), no kept copy of the standards' months, and the four collects
    assertEquals(5, plans.size(), String.join("\n\n", plans));
  }

  private static byte[] png(TrendsCharts.Drawn d) throws java.io.IOException {
    return org.knowm.xchart.BitmapEncoder.getBitmapBytes(d.chart(), org.knowm.xchart.BitmapEncoder.BitmapFormat.PNG);
  }

  @Test
  void methodMixIsEachMethodsShareOfTheMonthsFlop() {
    Map<String, Object> pipe = usage("atlas", "pretrain", "2026-03-10T05:00:00Z", 3600, 3 * E20);
    pipe.put("flop_utilization", 0.0);
    pipe.put("flop_pipe_activity", 3 * E20);
    Map<String, Object> unpriced = usage("atlas", "evals", "2026-03-10T05:00:00Z", 3600, 0.0);
    unpriced.put("unpriced_gpu_seconds", 3600.0);
    Trends.Report r = report(0, List.of(pipe, usage("atlas", "pretrain", "2026-03-11T05:00:00Z", 3600, E20), unpriced),
        List.of(), List.of(lineItem("atlas", "pretrain", "pretraining", 4 * E20)));
    Row m = Trends.methodMix(Trends.branchMonths(List.of(r))).first();
    // 3e20 of 4e20 by pipe activity, 1e20 by utilization; 1 of 3 GPU-hours unpriced
    assertRelClose(0.75, m.getAs("share_pipe_activity"), 1e-12);
    assertRelClose(0.25, m.getAs("share_utilization"), 1e-12);
    assertRelClose(1.0, m.getAs("unpriced_gpu_hours"), 1e-12);
    assertRelClose(1.0 / 3, m.getAs("unpriced_share"), 1e-12);
  }

  @Test
  void everyTrendsTableHasItsDeclaredShape() {
    Trends.Report r = report(0, List.of(usage("atlas", "pretrain", "2026-03-10T05:00:00Z", 3600, E20)),
        List.of(job("atlas", "pretrain", "2026-03-10T05:00:00Z", "2026-03-10T06:00:00Z", "5.00")),
        List.of(lineItem("atlas", "pretrain", "pretraining", E20)));
    Trends.Outputs o = Trends.compute(List.of(r));
    Table.TRENDS_BRANCH_MONTH.conform(o.branchMonths());
    Table.TRENDS_PROJECT_MONTH.conform(o.projectMonths());
    Table.TRENDS_STANDARD_MONTH.conform(o.standardMonths());
    Table.TRENDS_GROWTH.conform(o.growth());
    Table.TRENDS_METHOD_MIX.conform(o.methodMix());
    Table.TRENDS_THRESHOLD_CROSSING.conform(o.thresholdCrossings());
  }
}
