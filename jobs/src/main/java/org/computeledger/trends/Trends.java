package org.computeledger.trends;

import static org.apache.spark.sql.functions.*;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.distribution.TDistribution;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.computeledger.common.StageCheckpoint;
import org.computeledger.common.ColumnSteps;

/**
 * {@code ledger trends}: one or more reports of the main job → compute and cost per project and
 * month, growth, the method mix and threshold crossings. Pure {@code Dataset -> Dataset} functions;
 * {@code cli/TrendsCommand} reads the reports and writes what these return.
 *
 * <p>Months come from the ledger, not from line items (which sum a whole run): FLOP, GPU-hours and
 * the method mix from {@code gpu_usage} rows (a telemetry row lies in one hour, hence one month, by
 * its {@code interval_start}; an allocation-method row, which spans its allocation, is split over the
 * months of its {@code [window_start, window_end)} in proportion to wall time), cost from {@code jobs}
 * (each job's billed and market cost split over the months of {@code [start_time, end_time)} the same
 * way). Months are calendar months in UTC.
 */
public final class Trends {
  public static final String MONTH = "month";
  public static final String REPORT = "source_report";
  public static final String PROJECT = "project";
  public static final String BRANCH = "branch";
  public static final String STANDARD_ID = "standard_id";
  public static final String LINE_ITEM_ID = "line_item_id";
  public static final String FLOP = "flop";
  public static final String FLOP_LOW = "flop_low";
  public static final String FLOP_HIGH = "flop_high";
  public static final String GPU_HOURS = "gpu_hours";
  public static final String COST_BILLED = "cost_billed";
  public static final String COST_MARKET = "cost_market";
  public static final String CURRENCY = "currency";
  public static final String CUMULATIVE_FLOP = "cumulative_flop";
  public static final String THRESHOLD = "compute_threshold_flop";
  /** A currency column's value when one sum would add amounts in several currencies (the sum is then empty). */
  public static final String MIXED = "mixed";
  /** How far ahead a threshold crossing is projected; further out, the fitted rate says too little. */
  public static final int HORIZON_MONTHS = 120;
  static final String[] METHOD_FLOP = {"flop_counted", "flop_pipe_activity", "flop_utilization", "flop_allocation"};
  private static final String MONEY = "decimal(38,12)";
  private static final String ALLOCATION_METHOD = "allocation";

  private Trends() {}

  /** The tables of one report that the trends read; {@code index} orders reports as given (later wins a tie). */
  public record Report(int index, Dataset<Row> gpuUsage, Dataset<Row> jobs, Dataset<Row> lineItems,
      Dataset<Row> standardTotals, Dataset<Row> treatment) {}

  /**
   * Each row once per calendar month its {@code [start, end)} touches, with {@code m_part} and
   * {@code m_whole}: the microseconds of the window in that month and in all (both 1 for a row
   * without a positive length, which stays whole in its start month).
   */
  static Dataset<Row> splitByMonth(Dataset<Row> df, Column start, Column end) {
    Column s = unix_micros(start);
    Column e = unix_micros(end);
    Column spans = end.isNotNull().and(e.gt(s));
    Column first = trunc(to_date(start), "month");
    Column last = when(spans, trunc(to_date(timestamp_micros(e.minus(1))), "month")).otherwise(first);
    Dataset<Row> x = df.withColumn(MONTH, explode(sequence(first, last, expr("interval 1 month"))));
    Column monthStart = unix_micros(col(MONTH).cast("timestamp"));
    Column monthEnd = unix_micros(add_months(col(MONTH), 1).cast("timestamp"));
    return x.withColumn("m_part", when(spans, least(e, monthEnd).minus(greatest(s, monthStart))).otherwise(lit(1L)))
        .withColumn("m_whole", when(spans, e.minus(s)).otherwise(lit(1L)));
  }

  private static Column part(String c) {
    return col(c).multiply(col("m_part")).divide(col("m_whole"));
  }

  /** Money split exactly as far as DECIMAL(38,12) goes: amount × part ÷ whole, both whole microseconds. */
  private static Column moneyPart(String c) {
    return col(c).multiply(col("m_part").cast("decimal(20,0)")).divide(col("m_whole").cast("decimal(20,0)"))
        .cast(MONEY);
  }

  /** One report's {@code gpu_usage} as FLOP, its range, GPU-hours and FLOP by method per project × branch × month. */
  static Dataset<Row> usageByMonth(Dataset<Row> gpuUsage) {
    Column alloc = col("method").equalTo(ALLOCATION_METHOD);
    Dataset<Row> split = splitByMonth(gpuUsage, when(alloc, col("window_start")).otherwise(col("interval_start")),
        when(alloc, col("window_end")));
    List<Column> sums = new ArrayList<>();
    sums.add(sum(part("gpu_seconds")).divide(3600.0).as(GPU_HOURS));
    for (String c : new String[] {FLOP, FLOP_LOW, FLOP_HIGH}) {
      sums.add(sum(part(c)).as(c));
    }
    for (String c : METHOD_FLOP) {
      sums.add(sum(part(c)).as(c));
    }
    sums.add(sum(part("unpriced_gpu_seconds")).divide(3600.0).as("unpriced_gpu_hours"));
    return split.groupBy(col(PROJECT), col(BRANCH), col(MONTH))
        .agg(sums.get(0), sums.subList(1, sums.size()).toArray(new Column[0]));
  }

  /** The sum of an amount over rows of one currency; empty (and currency {@link #MIXED}) when the rows mix currencies. */
  private static Column[] moneyByCurrency(String amount, String currency, String as) {
    Column oneCurrency = countDistinct(col(currency)).leq(1);
    return new Column[] {when(oneCurrency, sum(col(amount))).cast(MONEY).as(as),
        when(oneCurrency, min(col(currency))).otherwise(lit(MIXED)).as(as + "_currency")};
  }

  /** One report's {@code jobs} as billed and market cost per project × branch × month. */
  static Dataset<Row> costByMonth(Dataset<Row> jobs) {
    Dataset<Row> split = splitByMonth(jobs, col("start_time"), col("end_time"))
        .withColumn("b", moneyPart(COST_BILLED))
        .withColumn("m", moneyPart(COST_MARKET));
    Column[] billed = moneyByCurrency("b", CURRENCY, COST_BILLED);
    Column[] market = moneyByCurrency("m", "market_currency", COST_MARKET);
    return split.groupBy(col(PROJECT), col(BRANCH), col(MONTH)).agg(billed[0], billed[1], market[0]);
  }

  /** One report per line item and month: its usage and cost, the report's index and the line item's activity. */
  static Dataset<Row> reportMonths(Report r) {
    Dataset<Row> facts = r.lineItems().select(col(PROJECT).as("li_project"), col(BRANCH).as("li_branch"),
        col(LINE_ITEM_ID), col("activity"));
    Dataset<Row> months = usageByMonth(r.gpuUsage()).join(costByMonth(r.jobs()),
        seq(PROJECT, BRANCH, MONTH), "full");
    return months.join(facts, col(PROJECT).eqNullSafe(col("li_project")).and(col(BRANCH).eqNullSafe(col("li_branch"))),
            "left")
        .drop("li_project", "li_branch")
        .withColumn(LINE_ITEM_ID, coalesce(col(LINE_ITEM_ID), concat_ws("/", col(PROJECT), col(BRANCH))))
        .withColumn(REPORT, lit(r.index()));
  }

  /**
   * FLOP (point, low, high), GPU-hours, FLOP by method, unpriced GPU-hours and cost per project ×
   * branch × month over all reports. A line item and month seen in several reports counts once: the
   * report holding the most GPU-hours of it that month wins (the fuller view of an overlap), a tie
   * goes to the report given last. All of a winning row comes from one report, so no month mixes two.
   */
  public static Dataset<Row> branchMonths(List<Report> reports) {
    Dataset<Row> all = null;
    for (Report r : reports) {
      Dataset<Row> m = reportMonths(r);
      all = all == null ? m : all.unionByName(m);
    }
    WindowSpec w = Window.partitionBy(col(LINE_ITEM_ID), col(MONTH))
        .orderBy(coalesce(col(GPU_HOURS), lit(0.0)).desc(), col(REPORT).desc());
    return all.withColumn("rank", row_number().over(w)).filter(col("rank").equalTo(1)).drop("rank")
        .withColumnRenamed(COST_BILLED + "_currency", CURRENCY);
  }

  /**
   * Per project and month: the sums over branches, cumulative FLOP, and month-over-month growth
   * ({@code flop / previous month's flop - 1}, empty when the previous calendar month has no FLOP).
   */
  public static Dataset<Row> projectMonths(Dataset<Row> branchMonths) {
    Column[] billed = moneyByCurrency(COST_BILLED, CURRENCY, COST_BILLED);
    Dataset<Row> p = branchMonths.groupBy(col(PROJECT), col(MONTH))
        .agg(sum(GPU_HOURS).as(GPU_HOURS), sum(FLOP).as(FLOP), sum(FLOP_LOW).as(FLOP_LOW), sum(FLOP_HIGH).as(FLOP_HIGH),
            billed[0], billed[1], sum(COST_MARKET).cast(MONEY).as(COST_MARKET))
        .withColumnRenamed(COST_BILLED + "_currency", CURRENCY);
    WindowSpec byMonth = Window.partitionBy(col(PROJECT)).orderBy(col(MONTH));
    Column prevMonth = lag(col(MONTH), 1).over(byMonth);
    Column prevFlop = lag(col(FLOP), 1).over(byMonth);
    return p.withColumn(CUMULATIVE_FLOP, sum(col(FLOP)).over(byMonth.rowsBetween(Window.unboundedPreceding(), 0)))
        .withColumn("mom_growth", when(add_months(prevMonth, 1).equalTo(col(MONTH)).and(prevFlop.gt(0)),
            col(FLOP).divide(prevFlop).minus(1)));
  }

  /**
   * Per standard, project and month: the FLOP of the line items the standard counts for that
   * project. Each line item's months are scaled by the standard's treatment of it (treatment FLOP ÷
   * line item FLOP, in the report given last that treats it): a standard applies its own assumed
   * utilization to the allocation method, so its totals can differ from the ledger's.
   */
  public static Dataset<Row> standardMonths(List<Report> reports, Dataset<Row> branchMonths) {
    Dataset<Row> factors = null;
    Dataset<Row> thresholds = null;
    for (Report r : reports) {
      Dataset<Row> li = r.lineItems().select(col(LINE_ITEM_ID).as("f_item"), col(FLOP).as("li_flop"),
          col(FLOP_LOW).as("li_low"), col(FLOP_HIGH).as("li_high"));
      Dataset<Row> f = r.treatment().filter(col("treatment").equalTo("counted").and(col(PROJECT).isNotNull()))
          .join(li, col(LINE_ITEM_ID).equalTo(col("f_item")))
          .select(col(STANDARD_ID), col(PROJECT).as("s_project"), col(LINE_ITEM_ID).as("f_item"),
              ratio(FLOP, "li_flop").as("k"), ratio(FLOP_LOW, "li_low").as("k_low"),
              ratio(FLOP_HIGH, "li_high").as("k_high"), lit(r.index()).as(REPORT));
      Dataset<Row> t = r.standardTotals().select(col(STANDARD_ID), col(THRESHOLD), lit(r.index()).as(REPORT));
      factors = factors == null ? f : factors.unionByName(f);
      thresholds = thresholds == null ? t : thresholds.unionByName(t);
    }
    factors = latest(factors, STANDARD_ID, "s_project", "f_item");
    thresholds = latest(thresholds, STANDARD_ID).drop(REPORT);
    WindowSpec byMonth = Window.partitionBy(col(STANDARD_ID), col(PROJECT)).orderBy(col(MONTH))
        .rowsBetween(Window.unboundedPreceding(), 0);
    Dataset<Row> monthly = branchMonths.join(factors, col(LINE_ITEM_ID).equalTo(col("f_item")))
        .groupBy(col(STANDARD_ID), col("s_project").as(PROJECT), col(MONTH))
        .agg(sum(col(FLOP).multiply(col("k"))).as(FLOP), sum(col(FLOP_LOW).multiply(col("k_low"))).as(FLOP_LOW),
            sum(col(FLOP_HIGH).multiply(col("k_high"))).as(FLOP_HIGH));
    return ColumnSteps.steps()
        .set(CUMULATIVE_FLOP, sum(col(FLOP)).over(byMonth))
        .set(CUMULATIVE_FLOP + "_low", sum(col(FLOP_LOW)).over(byMonth))
        .set(CUMULATIVE_FLOP + "_high", sum(col(FLOP_HIGH)).over(byMonth))
        .applyTo(monthly)
        .join(thresholds, STANDARD_ID);
  }

  private static scala.collection.immutable.Seq<String> seq(String... names) {
    return scala.collection.JavaConverters.asScalaBuffer(java.util.Arrays.asList(names)).toList();
  }

  private static Column ratio(String num, String den) {
    return when(col(den).gt(0), col(num).divide(col(den))).otherwise(lit(1.0));
  }

  /** Of rows with the same key, those of the highest report index. */
  private static Dataset<Row> latest(Dataset<Row> df, String... keys) {
    Column[] k = java.util.Arrays.stream(keys).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    return df.withColumn("rank", row_number().over(Window.partitionBy(k).orderBy(col(REPORT).desc())))
        .filter(col("rank").equalTo(1)).drop("rank");
  }

  /**
   * Log-linear least squares of monthly FLOP on time, per group: {@code ln F_m = a + b·t_m} with
   * {@code t} in months, over the months with FLOP above zero (a month without compute has no
   * logarithm and is left out). {@code b = Sty / Stt}; its standard error
   * {@code se = sqrt(RSS / (n - 2) / Stt)}; the annual growth factor is {@code exp(12 b)}, its 95 %
   * interval {@code exp(12 (b ± t_{0.975, n-2} · se))} (Student's t), which needs three months or
   * more; two months give the rate without an interval, one month none. Returns the group keys,
   * {@code months_fitted}, {@code first_month}, {@code last_month}, {@code monthly_log_slope},
   * {@code annual_growth} (a factor: 4.0 is ×4 a year), its {@code _low}/{@code _high}, {@code r_squared}
   * and, for projecting, {@code fit_intercept} and {@code fit_t_last}.
   */
  public static Dataset<Row> fitGrowth(Dataset<Row> monthly, String valueColumn, String... keys) {
    Column[] k = java.util.Arrays.stream(keys).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
    // t counts months from the group's first: sums of t² stay small, so the centred sums lose no digits
    Column t = months_between(col(MONTH), min(col(MONTH)).over(Window.partitionBy(k))).cast("double");
    Column y = log(col(valueColumn));
    Dataset<Row> pts = monthly.filter(col(valueColumn).gt(0)).withColumn("t", t).withColumn("y", y);
    Dataset<Row> s = pts.groupBy(k).agg(count(lit(1)).as("months_fitted"), min(col(MONTH)).as("first_month"),
        max(col(MONTH)).as("last_month"), sum("t").as("st"), sum("y").as("sy"), sum(col("t").multiply(col("t"))).as("stt"),
        sum(col("t").multiply(col("y"))).as("sty"), sum(col("y").multiply(col("y"))).as("syy"), max("t").as("fit_t_last"));
    Column n = col("months_fitted").cast("double");
    Column stt = col("stt").minus(col("st").multiply(col("st")).divide(n));
    Column sty = col("sty").minus(col("st").multiply(col("sy")).divide(n));
    Column syy = col("syy").minus(col("sy").multiply(col("sy")).divide(n));
    Column b = when(col("months_fitted").geq(2).and(col("c_tt").gt(0)), col("c_ty").divide(col("c_tt")));
    Column rss = greatest(lit(0.0), col("c_yy").minus(col("b").multiply(col("c_ty"))));
    Column se = when(col("months_fitted").geq(3), sqrt(rss.divide(n.minus(2)).divide(col("c_tt"))));
    Column tq = coalesce(element_at(tQuantiles(), col("months_fitted").minus(2).cast("int")), lit(1.959964));
    return ColumnSteps.steps()
        .set("c_tt", stt).set("c_ty", sty).set("c_yy", syy)
        .set("b", b)
        .set("se", se)
        .set("monthly_log_slope", col("b"))
        .set("annual_growth", exp(col("b").multiply(12)))
        .set("annual_growth_low", exp(col("b").minus(tq.multiply(col("se"))).multiply(12)))
        .set("annual_growth_high", exp(col("b").plus(tq.multiply(col("se"))).multiply(12)))
        .set("r_squared", when(col("b").isNotNull().and(col("c_yy").gt(0)), lit(1.0).minus(rss.divide(col("c_yy")))))
        .set("fit_intercept", col("sy").divide(n).minus(col("b").multiply(col("st").divide(n))))
        .applyTo(s)
        .drop("st", "sy", "stt", "sty", "syy", "c_tt", "c_ty", "c_yy", "b", "se");
  }

  /** The 97.5 % quantile of Student's t for 1 to 200 degrees of freedom (above, 1.96 of the normal). */
  static Column tQuantiles() {
    List<Column> kv = new ArrayList<>();
    for (int df = 1; df <= 200; df++) {
      kv.add(lit(df));
      kv.add(lit(new TDistribution(null, df).inverseCumulativeProbability(0.975)));
    }
    return map(kv.toArray(new Column[0]));
  }

  /** Fitted annual growth per project, over the project's monthly FLOP. */
  public static Dataset<Row> growth(Dataset<Row> projectMonths) {
    return fitGrowth(projectMonths, FLOP, PROJECT).drop("fit_intercept", "fit_t_last");
  }

  /**
   * Per standard and project: cumulative FLOP at the last month, the month it crossed the standard's
   * compute threshold ({@code crossed_in}), or, when not yet, the month it would at the fitted rate.
   * With {@code F} the fitted FLOP of the last month, {@code r = exp(b)} the fitted monthly factor and
   * {@code G = T - C} the FLOP still missing, month {@code k} after the last adds {@code F r^k}, so the
   * crossing is the least {@code k} with {@code F r (r^k - 1) / (r - 1) >= G}:
   * {@code k = ceil(ln(1 + G (r - 1) / (F r)) / ln r)} ({@code ceil(G / F)} when {@code r = 1}).
   * Empty when there is no fit (fewer than two months), when a shrinking rate never gets there, or
   * when the crossing lies beyond {@link #HORIZON_MONTHS}.
   */
  public static Dataset<Row> thresholdCrossings(Dataset<Row> standardMonths) {
    Dataset<Row> last = standardMonths.groupBy(col(STANDARD_ID), col(PROJECT))
        .agg(max(struct(col(MONTH), col(CUMULATIVE_FLOP))).as("l"), first(col(THRESHOLD)).as(THRESHOLD),
            min(when(col(CUMULATIVE_FLOP).geq(col(THRESHOLD)), col(MONTH))).as("crossed_in"))
        .select(col(STANDARD_ID), col(PROJECT), col(THRESHOLD), col("l.cumulative_flop").as(CUMULATIVE_FLOP),
            col("l.month").as("last_month"), col("crossed_in"));
    Dataset<Row> fit = fitGrowth(standardMonths, FLOP, STANDARD_ID, PROJECT)
        .select(col(STANDARD_ID), col(PROJECT), col("months_fitted"), col("monthly_log_slope"), col("annual_growth"),
            col("annual_growth_low"), col("annual_growth_high"), col("fit_intercept"), col("fit_t_last"));
    Dataset<Row> j = last.join(fit, seq(STANDARD_ID, PROJECT), "left");
    Column b = col("monthly_log_slope");
    Column fLast = exp(col("fit_intercept").plus(b.multiply(col("fit_t_last"))));
    Column r = exp(b);
    Column gap = col(THRESHOLD).minus(col(CUMULATIVE_FLOP));
    Column arg = lit(1.0).plus(gap.multiply(r.minus(1)).divide(fLast.multiply(r)));
    Column k = when(abs(b).lt(1e-12), ceil(gap.divide(fLast)))
        .when(arg.gt(0), ceil(log(arg).divide(b)));
    Column projected = when(col("crossed_in").isNull().and(b.isNotNull()).and(k.isNotNull())
        .and(k.between(1, HORIZON_MONTHS)), add_months(col("last_month"), k.cast("int")));
    return j.withColumn("projected_crossing_month", projected)
        .withColumn("months_fitted", coalesce(col("months_fitted"), lit(0L)))
        .drop("monthly_log_slope", "fit_intercept", "fit_t_last");
  }

  /**
   * Per month over all projects: FLOP, the share of it each method gave, GPU-hours, and the
   * GPU-hours no FLOP could be put on (no dense peak for the GPU model and precision: unpriced).
   */
  public static Dataset<Row> methodMix(Dataset<Row> branchMonths) {
    List<Column> aggs = new ArrayList<>();
    for (String c : METHOD_FLOP) {
      aggs.add(sum(c).as(c));
    }
    aggs.add(sum(GPU_HOURS).as(GPU_HOURS));
    aggs.add(sum("unpriced_gpu_hours").as("unpriced_gpu_hours"));
    Dataset<Row> m = branchMonths.groupBy(col(MONTH)).agg(sum(FLOP).as(FLOP), aggs.toArray(new Column[0]));
    for (String c : METHOD_FLOP) {
      m = m.withColumn(c.replace("flop_", "share_"), when(col(FLOP).gt(0), col(c).divide(col(FLOP))));
    }
    return m.withColumn("unpriced_share", when(col(GPU_HOURS).gt(0), col("unpriced_gpu_hours").divide(col(GPU_HOURS))))
        .drop(METHOD_FLOP);
  }

  /** Every trends table, as the command writes them. */
  public record Outputs(Dataset<Row> branchMonths, Dataset<Row> projectMonths, Dataset<Row> standardMonths,
      Dataset<Row> growth, Dataset<Row> methodMix, Dataset<Row> thresholdCrossings) {}

  /** The monthly tables {@link TrendsCharts#drawAll} draws its charts from, in its argument order. */
  public record Charted(Dataset<Row> projectMonths, Dataset<Row> standardMonths, Dataset<Row> methodMix,
      Dataset<Row> branchMonths) {}

  /**
   * What the charts of {@code reports} draw, and no more (a report's own page, which writes no trends table):
   * {@link #compute} without the growth fit and the threshold crossings, which no chart shows; of the projects'
   * months, without the cumulative and month-over-month columns (the cumulative chart adds up the months
   * itself); of the standards' months, only each standard's threshold (a line on that chart), so neither their
   * running sums nor a kept copy of a table read once. Spark leaves the columns not selected out of the
   * queries, the windows that make them included.
   */
  public static Charted charted(List<Report> reports) {
    Dataset<Row> branch = StageCheckpoint.keep(branchMonths(reports));
    return new Charted(projectMonths(branch).select(PROJECT, MONTH, FLOP, FLOP_LOW, FLOP_HIGH, COST_BILLED, CURRENCY),
        standardMonths(reports, branch).select(STANDARD_ID, THRESHOLD), methodMix(branch), branch);
  }

  /** All trends of {@code reports} (in the order given: a later report wins a tie). */
  public static Outputs compute(List<Report> reports) {
    Dataset<Row> branch = StageCheckpoint.keep(branchMonths(reports));
    Dataset<Row> project = projectMonths(branch);
    Dataset<Row> standard = StageCheckpoint.keep(standardMonths(reports, branch));
    return new Outputs(branch, project, standard, growth(project), methodMix(branch), thresholdCrossings(standard));
  }
}
