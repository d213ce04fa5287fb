package org.computeledger.attribute;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * After the roll-up: each line item's billed cost in the run's reporting currency, from the dated rates
 * of {@link FxRates}. The original cost, its currency and the per-currency reconciliation are untouched.
 *
 * <p>The rule: each charge's share (a piece of {@link CostAttribution#allocCostPieces}) is converted at
 * the {@code fx.csv} rate from its currency to the reporting currency dated on, or most recently before,
 * the UTC day its charge period starts; a share already in the reporting currency is kept at rate 1. A
 * line item is converted only when every share of it found a rate: {@code cost_billed_converted} is the
 * sum of the converted shares, {@code fx_rate} the cost-weighted rate (converted / billed, 12 decimals;
 * null, with a note, when the shares are in several currencies), {@code fx_date} the latest rate date used. Otherwise the three are null and {@code fx_note} names a
 * missing rate; no rate is guessed or carried back in time.
 */
public final class FxConversion {
  public static final String COST_BILLED_CONVERTED = "cost_billed_converted";
  public static final String REPORT_CURRENCY = "report_currency";
  public static final String FX_RATE = "fx_rate";
  public static final String FX_DATE = "fx_date";
  public static final String FX_NOTE = "fx_note";

  /** No {@code --report-currency}: no conversion, the four columns stay null. */
  public static final String DEFAULT_REPORT_CURRENCY = "";

  public static final String PROJECT = "project";
  public static final String BRANCH = "branch";
  public static final String CURRENCY = "currency";
  public static final String COST_BILLED = "cost_billed";
  public static final String CHARGE_PERIOD_START = "charge_period_start";

  private static final DataType MONEY = DataTypes.createDecimalType(38, 12);
  // cost (14 integer digits) × rate (11, see FxRates) stays within DECIMAL(38,12) with no loss of scale
  private static final DataType COST_OPERAND = DataTypes.createDecimalType(26, 12);
  private static final DataType RATE_OPERAND = DataTypes.createDecimalType(23, 12);
  private static final long DAY_SECONDS = 86_400L;

  private FxConversion() {}

  /**
   * One row per (project, branch) of {@code pieces} ({@code project, branch, currency, cost_billed,
   * charge_period_start}): {@code project, branch, cost_billed_converted, report_currency, fx_rate,
   * fx_date, fx_note}. {@code rates}: {@link FxRates#SCHEMA}.
   */
  public static Dataset<Row> perLineItem(Dataset<Row> pieces, Dataset<Row> rates, String reportCurrency) {
    Dataset<Row> p = pieces.filter(col(COST_BILLED).isNotNull())
        .withColumn("_day", expr("date_from_unix_date(CAST(floor(unix_seconds(" + CHARGE_PERIOD_START + ") / "
            + DAY_SECONDS + ") AS INT))"));
    // each rate holds from its date up to the day before the pair's next rate (the last one up to the
    // latest charge day; none before the earliest), one row per day: the join on (currency, day) is then an equi-join, never
    // charges × rates
    Column next = lead(col("_rdate"), 1).over(Window.partitionBy(col("_from")).orderBy(col("_rdate")));
    Dataset<Row> lastDay = p.agg(min(col("_day")).as("_first"), max(col("_day")).as("_last"));
    Dataset<Row> r = rates.filter(col(FxRates.TO).equalTo(lit(reportCurrency)))
        .select(col(FxRates.FROM).as("_from"), col(FxRates.DATE).as("_rdate"), col(FxRates.RATE).as("_rate"))
        .withColumn("_next", next)
        .crossJoin(lastDay)
        .withColumn("_until", coalesce(date_sub(col("_next"), 1), col("_last")))
        .withColumn("_since", greatest(col("_rdate"), col("_first")))
        .filter(col("_until").geq(col("_since")))
        .withColumn("_rday", explode(sequence(col("_since"), col("_until"))))
        .drop("_next", "_first", "_last", "_since", "_until");
    Dataset<Row> rated = p.join(r, col(CURRENCY).equalTo(col("_from")).and(col("_rday").equalTo(col("_day"))), "left");
    Column sameCurrency = col(CURRENCY).equalTo(lit(reportCurrency));
    Column rate = when(sameCurrency, lit(java.math.BigDecimal.ONE)).otherwise(col("_rate"));
    Column converted = col(COST_BILLED).cast(COST_OPERAND).multiply(rate.cast(RATE_OPERAND));
    Column missing = rate.isNull();
    Column why = when(missing, concat(col(CURRENCY), lit("->" + reportCurrency
        + " rate in " + FxRates.FILE_NAME + " dated on or before "), col("_day").cast("string")));
    Dataset<Row> sums = rated
        .withColumn("_conv", converted)
        .withColumn("_used", when(sameCurrency, lit(null).cast("date")).otherwise(col("_rdate")))
        .withColumn("_why", why)
        .withColumn("_rate_used", when(sameCurrency.or(missing), lit(null)).otherwise(col("_rate")))
        .groupBy(col(PROJECT), col(BRANCH))
        .agg(sum(col("_conv")).as("_conv"), sum(col(COST_BILLED)).as("_billed"), max(col("_used")).as("_used"),
            count(when(missing, lit(1))).as("_missing"), min(col("_why")).as("_why"),
            countDistinct(col("_used"), col("_rate_used")).as("_rates"), countDistinct(col(CURRENCY)).as("_ccys"));
    Column ok = col("_missing").equalTo(0);
    Column weighted = col("_conv").cast(COST_OPERAND).divide(col("_billed").cast(COST_OPERAND)).cast(MONEY);
    Column note = when(col("_missing").gt(0), concat(lit("not converted: no "), col("_why")))
        .when(col("_used").isNull(), lit("already in " + reportCurrency))
        .when(col("_ccys").gt(1), concat(lit("converted at "), col("_rates").cast("string"),
            lit(" dated rate(s) from several currencies; no single rate to show, fx_date the latest date used")))
        .otherwise(concat(lit("converted at "), col("_rates").cast("string"),
            lit(" dated rate(s); fx_rate is the cost-weighted rate, fx_date the latest date used")));
    return sums.select(col(PROJECT), col(BRANCH),
        when(ok, col("_conv").cast(MONEY)).as(COST_BILLED_CONVERTED),
        lit(reportCurrency).as(REPORT_CURRENCY),
        when(ok.and(col("_ccys").equalTo(1)).and(col("_billed").notEqual(0)), weighted).as(FX_RATE),
        when(ok, col("_used")).as(FX_DATE),
        note.as(FX_NOTE));
  }

  /**
   * {@code lineItems} with the five columns: from {@link #perLineItem} when {@code rates} is given and
   * {@code reportCurrency} is not blank, else null (no conversion).
   */
  public static Dataset<Row> apply(Dataset<Row> lineItems, Dataset<Row> pieces, Dataset<Row> rates,
      String reportCurrency) {
    if (rates == null || reportCurrency == null || reportCurrency.isBlank()) {
      return lineItems.withColumn(COST_BILLED_CONVERTED, lit(null).cast(MONEY))
          .withColumn(REPORT_CURRENCY, lit(null).cast("string"))
          .withColumn(FX_RATE, lit(null).cast(MONEY))
          .withColumn(FX_DATE, lit(null).cast("date"))
          .withColumn(FX_NOTE, lit(null).cast("string"));
    }
    Dataset<Row> fx = perLineItem(pieces, rates, reportCurrency)
        .withColumnRenamed(PROJECT, "_fx_project").withColumnRenamed(BRANCH, "_fx_branch");
    return lineItems.join(fx, col(PROJECT).equalTo(col("_fx_project")).and(col(BRANCH).equalTo(col("_fx_branch"))),
            "left")
        .drop("_fx_project", "_fx_branch")
        .withColumn(REPORT_CURRENCY, coalesce(col(REPORT_CURRENCY), lit(reportCurrency)));
  }
}
