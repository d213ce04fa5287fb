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

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * After the roll-up: line items' and jobs' billed, effective and market cost in the run's reporting
 * currency, from the dated rates of {@link FxRates}. The original costs, their currencies and the
 * per-currency reconciliation are untouched.
 *
 * <p>The rule: each piece of money is converted at the {@code fx.csv} rate from its currency to the
 * reporting currency dated on, or most recently before, the UTC day of its instant; a piece already in
 * the reporting currency is kept at rate 1. For billed and effective cost a piece is an allocation's
 * share of one charge (a piece of {@link CostAttribution#allocCostPieces}) and its instant the start of
 * the charge period; both amounts of a share take the same rate. For market cost a piece is an
 * allocation's market cost and its instant the allocation's start, the day {@link MarketPrices} priced it
 * on. A row (line item or job) is converted only when every piece of it found a rate: the converted
 * amount is the sum of the converted pieces, the row's rate the cost-weighted rate (converted ÷ original,
 * 12 decimals, weighted by billed cost for billed and effective cost; null, with a note, when the pieces
 * are in several currencies), its date the latest rate date used. Otherwise they are null and the note
 * names a missing rate; no rate is guessed or carried back in time.
 */
public final class FxConversion {
  public static final String COST_BILLED_CONVERTED = "cost_billed_converted";
  public static final String COST_EFFECTIVE_CONVERTED = "cost_effective_converted";
  public static final String COST_MARKET_CONVERTED = "cost_market_converted";
  public static final String REPORT_CURRENCY = "report_currency";
  public static final String FX_RATE = "fx_rate";
  public static final String FX_DATE = "fx_date";
  public static final String FX_NOTE = "fx_note";
  public static final String MARKET_FX_RATE = "market_fx_rate";
  public static final String MARKET_FX_DATE = "market_fx_date";
  public static final String MARKET_FX_NOTE = "market_fx_note";

  /** No {@code --report-currency}: no conversion, the conversion columns stay null. */
  public static final String DEFAULT_REPORT_CURRENCY = "";

  public static final String CURRENCY = "currency";
  public static final String COST_BILLED = "cost_billed";
  public static final String COST_EFFECTIVE = "cost_effective";
  public static final String COST_MARKET = "cost_market";
  public static final String MARKET_CURRENCY = "market_currency";
  /** A piece's instant: the UTC day it falls on picks its rate. */
  public static final String FX_AT = "fx_at";

  /**
   * One kind of money to convert: the pieces' currency column, the amounts (the first weighs the rate),
   * the names of their converted sums, and the names of the row's rate, rate date and note.
   */
  public record Amounts(String currency, List<String> amounts, List<String> converted, String rate, String date,
      String note) {}

  /** Billed and effective cost of the bills: the two amounts of one charge share take the same rate. */
  public static final Amounts BILLED = new Amounts(CURRENCY, List.of(COST_BILLED, COST_EFFECTIVE),
      List.of(COST_BILLED_CONVERTED, COST_EFFECTIVE_CONVERTED), FX_RATE, FX_DATE, FX_NOTE);
  /** Market cost from {@code prices.csv}, in the prices' currency. */
  public static final Amounts MARKET = new Amounts(MARKET_CURRENCY, List.of(COST_MARKET),
      List.of(COST_MARKET_CONVERTED), MARKET_FX_RATE, MARKET_FX_DATE, MARKET_FX_NOTE);

  private static final DataType MONEY = DataTypes.createDecimalType(38, 12);
  // cost (14 integer digits) × rate (11, see FxRates) stays within DECIMAL(38,12) with no loss of scale
  private static final DataType COST_OPERAND = DataTypes.createDecimalType(26, 12);
  private static final DataType RATE_OPERAND = DataTypes.createDecimalType(23, 12);
  private static final long DAY_SECONDS = 86_400L;

  private FxConversion() {}

  /**
   * Each piece of {@code pieces} (whose first amount is not null) with the rate the rule of the class comment
   * gives it: the work that does not depend on how the pieces are grouped, done once for every table that
   * sums them ({@link #sumUp}).
   */
  private static Dataset<Row> rate(Dataset<Row> pieces, Amounts a, Dataset<Row> rates, String reportCurrency) {
    String first = a.amounts().get(0);
    Dataset<Row> p = pieces.filter(col(first).isNotNull())
        .withColumn("_day", expr("date_from_unix_date(CAST(floor(unix_seconds(" + FX_AT + ") / "
            + DAY_SECONDS + ") AS INT))"));
    // each rate holds from its date up to the day before the pair's next rate (the last one up to the
    // latest piece's day; none before the earliest), one row per day: the join on (currency, day) is then an
    // equi-join, never pieces × rates
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
    Column ccy = col(a.currency());
    Dataset<Row> rated = p.join(r, ccy.equalTo(col("_from")).and(col("_rday").equalTo(col("_day"))), "left");
    Column sameCurrency = ccy.equalTo(lit(reportCurrency));
    Column rate = when(sameCurrency, lit(java.math.BigDecimal.ONE)).otherwise(col("_rate"));
    Column missing = rate.isNull();
    Column why = when(missing, concat(ccy, lit("->" + reportCurrency
        + " rate in " + FxRates.FILE_NAME + " dated on or before "), col("_day").cast("string")));
    return rated
        .withColumn("_used", when(sameCurrency, lit(null).cast("date")).otherwise(col("_rdate")))
        .withColumn("_why", why)
        .withColumn("_rate_used", when(sameCurrency.or(missing), lit(null)).otherwise(col("_rate")))
        .withColumn("_applied", rate)
        .drop("_from", "_rdate", "_rate", "_rday", "_day");
  }

  /**
   * One row per value of {@code keys} of pieces {@link #rate rated}: the keys, {@code a.converted()},
   * {@code a.rate()}, {@code a.date()} and {@code a.note()} by the rule of the class comment.
   */
  private static Dataset<Row> sumUp(Dataset<Row> rated, List<String> keys, Amounts a, String reportCurrency) {
    String first = a.amounts().get(0);
    Column ccy = col(a.currency());
    Column rate = col("_applied");
    Column missing = rate.isNull();
    List<Column> aggs = new ArrayList<>();
    for (int i = 0; i < a.amounts().size(); i++) {
      Column amount = col(a.amounts().get(i)).cast(COST_OPERAND).multiply(rate.cast(RATE_OPERAND));
      aggs.add(sum(amount).as("_conv" + i));
    }
    aggs.add(sum(col(first)).as("_orig"));
    aggs.add(max(col("_used")).as("_used"));
    aggs.add(count(when(missing, lit(1))).as("_missing"));
    aggs.add(min(col("_why")).as("_why"));
    aggs.add(countDistinct(col("_used"), col("_rate_used")).as("_rates"));
    aggs.add(countDistinct(ccy).as("_ccys"));
    Column[] groupKeys = keys.stream().map(k -> col(k)).toArray(Column[]::new);
    Dataset<Row> sums = rated.groupBy(groupKeys).agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
    Column ok = col("_missing").equalTo(0);
    Column weighted = col("_conv0").cast(COST_OPERAND).divide(col("_orig").cast(COST_OPERAND)).cast(MONEY);
    Column note = when(col("_missing").gt(0), concat(lit("not converted: no "), col("_why")))
        .when(col("_used").isNull(), lit("already in " + reportCurrency))
        .when(col("_ccys").gt(1), concat(lit("converted at "), col("_rates").cast("string"),
            lit(" dated rate(s) from several currencies; no single rate to show, " + a.date()
                + " the latest date used")))
        .otherwise(concat(lit("converted at "), col("_rates").cast("string"),
            lit(" dated rate(s); " + a.rate() + " is the cost-weighted rate, " + a.date() + " the latest date used")));
    List<Column> out = new ArrayList<>();
    for (String k : keys) {
      out.add(col(k));
    }
    for (int i = 0; i < a.converted().size(); i++) {
      out.add(when(ok, col("_conv" + i).cast(MONEY)).as(a.converted().get(i)));
    }
    out.add(when(ok.and(col("_ccys").equalTo(1)).and(col("_orig").notEqual(0)), weighted).as(a.rate()));
    out.add(when(ok, col("_used")).as(a.date()));
    out.add(note.as(a.note()));
    return sums.select(out.toArray(new Column[0]));
  }

  /**
   * The billed and market pieces, each with its rate ({@link #rate}), shared by every table converted from
   * the same pieces; {@code market} null without market prices. {@link #NONE} means no conversion.
   */
  public record Prepared(Dataset<Row> billed, Dataset<Row> market, String reportCurrency) {
    /** These pieces with {@code f} (such as a checkpoint) applied to each of their tables. */
    public Prepared map(UnaryOperator<Dataset<Row>> f) {
      return this == NONE ? NONE : new Prepared(f.apply(billed), market == null ? null : f.apply(market),
          reportCurrency);
    }
  }

  /** No rates or no reporting currency: every conversion column is null. */
  public static final Prepared NONE = new Prepared(null, null, null);

  /**
   * {@code billed} pieces (every table's keys, currency, cost_billed, cost_effective, fx_at) and {@code market}
   * pieces (the keys, market_currency, cost_market, fx_at; null without market prices) rated once; {@link #NONE}
   * without {@code rates} or a reporting currency.
   */
  public static Prepared prepare(Dataset<Row> billed, Dataset<Row> market, Dataset<Row> rates,
      String reportCurrency) {
    if (rates == null || reportCurrency == null || reportCurrency.isBlank()) {
      return NONE;
    }
    return new Prepared(rate(billed, BILLED, rates, reportCurrency),
        market == null ? null : rate(market, MARKET, rates, reportCurrency), reportCurrency);
  }

  /**
   * {@code table} (one row per value of {@code keys}: line items, jobs) with {@code report_currency} and the
   * columns of {@link #BILLED} and {@link #MARKET} summed from {@code fx}; null where {@code fx} is {@link #NONE}.
   */
  public static Dataset<Row> apply(Dataset<Row> table, List<String> keys, Prepared fx) {
    if (fx == NONE) {
      Dataset<Row> out = table;
      for (Amounts a : List.of(BILLED, MARKET)) {
        out = withNulls(out, a);
      }
      return out.withColumn(REPORT_CURRENCY, lit(null).cast("string"));
    }
    String reportCurrency = fx.reportCurrency();
    Dataset<Row> out = joinOn(table, keys, sumUp(fx.billed(), keys, BILLED, reportCurrency));
    out = fx.market() != null ? joinOn(out, keys, sumUp(fx.market(), keys, MARKET, reportCurrency))
        : withNulls(out, MARKET);
    return out.withColumn(REPORT_CURRENCY, lit(reportCurrency));
  }

  /** {@code table} with {@code a}'s conversion columns, all null. */
  private static Dataset<Row> withNulls(Dataset<Row> table, Amounts a) {
    Dataset<Row> out = table;
    for (String c : a.converted()) {
      out = out.withColumn(c, lit(null).cast(MONEY));
    }
    return out.withColumn(a.rate(), lit(null).cast(MONEY)).withColumn(a.date(), lit(null).cast("date"))
        .withColumn(a.note(), lit(null).cast("string"));
  }

  /** {@code table} left-joined to {@code fx} on {@code keys}, the keys kept once. */
  private static Dataset<Row> joinOn(Dataset<Row> table, List<String> keys, Dataset<Row> fx) {
    Column on = null;
    Dataset<Row> f = fx;
    for (String k : keys) {
      f = f.withColumnRenamed(k, "_fx_" + k);
      Column eq = col(k).equalTo(col("_fx_" + k));
      on = on == null ? eq : on.and(eq);
    }
    Dataset<Row> out = table.join(f, on, "left");
    for (String k : keys) {
      out = out.drop("_fx_" + k);
    }
    return out;
  }
}
