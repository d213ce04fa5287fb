package org.computeledger.attribute;

import static org.apache.spark.sql.functions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.computeledger.common.LedgerException;
import org.computeledger.common.UntrustedInput;

/**
 * Market cost: what an allocation's GPU-hours would have cost at the market price of its GPU model,
 * from the optional {@code prices.csv} of the input folder, for clusters that have no bill.
 *
 * <p>{@code prices.csv} has a header naming the columns {@code gpu_model, price_per_gpu_hour,
 * currency, effective_date, source} (any order; other columns are ignored). {@code gpu_model} is a
 * catalog id (e.g. {@code h100-sxm}, compared case-insensitively), the price a non-negative decimal
 * with at most 12 decimals, the currency an ISO 4217 code, the date {@code YYYY-MM-DD}, the source
 * where the price was taken from. Blank lines and lines starting with {@code #} are skipped. A price
 * holds from its date until the model's next dated price. The file is read as plain CSV (no type
 * construction of any kind) and at most {@link UntrustedInput#SIDE_FILE_MAX_BYTES} of it.
 */
public final class MarketPrices {
  public static final String GPU_MODEL = "gpu_model";
  public static final String PRICE_PER_GPU_HOUR = "price_per_gpu_hour";
  public static final String CURRENCY = "currency";
  public static final String EFFECTIVE_DATE = "effective_date";
  public static final String SOURCE = "source";

  public static final String COST_MARKET = "cost_market";
  public static final String MARKET_CURRENCY = "market_currency";
  public static final String PRICE_SOURCE = "price_source";
  /** The allocation's start, whose UTC day chose its price (and chooses its fx.csv rate). */
  public static final String PRICED_AT = "priced_at";

  public static final StructType SCHEMA = StructType.fromDDL(
      "gpu_model STRING, price_per_gpu_hour DECIMAL(38,12), currency STRING, effective_date DATE, source STRING");

  private static final String[] COLUMNS = {GPU_MODEL, PRICE_PER_GPU_HOUR, CURRENCY, EFFECTIVE_DATE, SOURCE};
  private static final int MONEY_SCALE = 12;
  /** Price and GPU-seconds sized so that their product is exact in 38 digits: 19 + 18 + 1. */
  private static final DataType PRICE_OPERAND = DataTypes.createDecimalType(19, MONEY_SCALE);
  private static final DataType GPU_SECONDS_OPERAND = DataTypes.createDecimalType(18, 0);

  /** One validated line of {@code prices.csv}; {@code line} is its line number in the file. */
  public record Price(String gpuModel, BigDecimal pricePerGpuHour, String currency, LocalDate effectiveDate,
      String source, long line) {}

  private MarketPrices() {}

  /** Reads and validates a prices file into a Dataset of {@link #SCHEMA}. */
  public static Dataset<Row> read(SparkSession spark, Path file) {
    return toDataset(spark, parse(file));
  }

  public static List<Price> parse(Path file) {
    try (BufferedReader in = new BufferedReader(new java.io.InputStreamReader(UntrustedInput.bounded(
        Files.newInputStream(file), file.toString(), UntrustedInput.SIDE_FILE_MAX_BYTES), StandardCharsets.UTF_8))) {
      return parse(in, file.toString());
    } catch (IOException e) {
      throw new LedgerException(file + ": cannot read the prices file: " + e.getMessage(), e);
    }
  }

  /**
   * Parses prices CSV text. Any error is a {@link LedgerException} whose one-line message starts with
   * {@code name} and the line number.
   */
  public static List<Price> parse(Reader text, String name) throws IOException {
    return SideCsv.read(text, name, "prices", (parser, header) -> {
      for (String column : COLUMNS) {
        if (!SideCsv.has(header, column)) {
          throw new LedgerException(name + " line 1: header has no column " + column + " (expected "
              + String.join(",", COLUMNS) + ")");
        }
      }
      List<Price> prices = new ArrayList<>();
      Map<String, Long> seen = new HashMap<>();
      for (CSVRecord record : parser) {
        // the parser has just read the record's last line
        long line = parser.getCurrentLineNumber();
        Price price = price(record, name, line);
        String key = price.gpuModel() + " " + price.effectiveDate();
        Long earlier = seen.putIfAbsent(key, line);
        if (earlier != null) {
          throw new LedgerException(name + " line " + line + ": a second price for " + price.gpuModel() + " from "
              + price.effectiveDate() + " (the first is on line " + earlier + ")");
        }
        prices.add(price);
      }
      return prices;
    });
  }

  private static Price price(CSVRecord record, String name, long line) {
    String model = SideCsv.required(record, GPU_MODEL, name, line).toLowerCase(Locale.ROOT);
    String priceText = SideCsv.required(record, PRICE_PER_GPU_HOUR, name, line);
    BigDecimal price;
    try {
      price = new BigDecimal(priceText);
    } catch (NumberFormatException e) {
      throw SideCsv.bad(name, line, PRICE_PER_GPU_HOUR, "a decimal number", priceText);
    }
    if (price.signum() < 0) {
      throw SideCsv.bad(name, line, PRICE_PER_GPU_HOUR, "a price of zero or more", priceText);
    }
    if (price.stripTrailingZeros().scale() > MONEY_SCALE) {
      throw SideCsv.bad(name, line, PRICE_PER_GPU_HOUR, "at most " + MONEY_SCALE + " decimals", priceText);
    }
    if (price.precision() - price.scale() > 7) {
      throw SideCsv.bad(name, line, PRICE_PER_GPU_HOUR, "less than 10000000 per GPU-hour", priceText);
    }
    String currencyText = SideCsv.required(record, CURRENCY, name, line);
    String currency = currencyText.toUpperCase(Locale.ROOT);
    if (!isCurrencyCode(currency)) {
      throw SideCsv.bad(name, line, CURRENCY, "a three-letter ISO 4217 code like USD", currencyText);
    }
    String dateText = SideCsv.required(record, EFFECTIVE_DATE, name, line);
    LocalDate date;
    try {
      date = LocalDate.parse(dateText);
    } catch (DateTimeParseException e) {
      throw SideCsv.bad(name, line, EFFECTIVE_DATE, "a date YYYY-MM-DD", dateText);
    }
    String source = SideCsv.required(record, SOURCE, name, line);
    return new Price(model, price.setScale(MONEY_SCALE), currency, date, source, line);
  }

  private static boolean isCurrencyCode(String s) {
    if (s.length() != 3) {
      return false;
    }
    for (int i = 0; i < 3; i++) {
      char c = s.charAt(i);
      if (c < 'A' || c > 'Z') {
        return false;
      }
    }
    return true;
  }

  public static Dataset<Row> toDataset(SparkSession spark, List<Price> prices) {
    List<Row> rows = new ArrayList<>(prices.size());
    for (Price p : prices) {
      rows.add(RowFactory.create(p.gpuModel(), p.pricePerGpuHour(), p.currency(), Date.valueOf(p.effectiveDate()),
          p.source()));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  /**
   * Market cost of each allocation: {@code alloc_id, cost_market, market_currency, price_source, priced_at}.
   * {@code cost_market} is {@code gpu_count × hours × price}, with the price of the allocation's GPU
   * model in effect on its start date (UTC): the one with the latest {@code effective_date} not after
   * it. Without such a price (no model, unknown model, start before the first price) the three are
   * null, never zero. {@code allocs}: alloc_id, start_time, end_time, gpu_count, gpu_model;
   * {@code prices}: {@link #SCHEMA}.
   */
  public static Dataset<Row> allocMarketCost(Dataset<Row> allocs, Dataset<Row> prices) {
    Dataset<Row> a = allocs.select(
        col(CostAttribution.ALLOC_ID).as("a_id"),
        lower(trim(col(GPU_MODEL))).as("a_model"),
        date_from_unix_date(floor(unix_seconds(col(CostAttribution.START_TIME)).divide(86_400L)).cast("int"))
            .as("a_date"),
        col(CostAttribution.GPU_COUNT).cast("long")
            .multiply(unix_seconds(col(CostAttribution.END_TIME)).minus(unix_seconds(col(CostAttribution.START_TIME))))
            .as("a_gpu_s"),
        col(CostAttribution.START_TIME).cast("timestamp").as("a_at"),
        // identifies the input row for picking its one price, even were an alloc_id repeated
        monotonically_increasing_id().as("a_row"));
    Dataset<Row> p = prices.select(lower(trim(col(GPU_MODEL))).as("p_model"), col(PRICE_PER_GPU_HOUR).as("p_price"),
        col(CURRENCY).as("p_currency"), col(EFFECTIVE_DATE).as("p_date"), col(SOURCE).as("p_source"));

    // equality on the model plus a date bound: a hash join, then the latest price per allocation row
    Dataset<Row> candidates = a.join(broadcast(p),
        col("a_model").equalTo(col("p_model")).and(col("p_date").leq(col("a_date"))), "left");
    Column latestFirst = col("p_date").desc_nulls_last();
    Dataset<Row> chosen = candidates
        .withColumn("rank", row_number().over(Window.partitionBy(col("a_row")).orderBy(latestFirst)))
        .filter(col("rank").equalTo(1));

    Column cost = col("p_price").cast(PRICE_OPERAND).multiply(col("a_gpu_s").cast(GPU_SECONDS_OPERAND))
        .divide(lit(3600).cast(DataTypes.createDecimalType(4, 0)))
        .cast(CostAttribution.MONEY);
    return chosen.select(col("a_id").as(CostAttribution.ALLOC_ID),
        when(col("p_price").isNotNull(), cost).as(COST_MARKET),
        col("p_currency").as(MARKET_CURRENCY),
        col("p_source").as(PRICE_SOURCE),
        col("a_at").as(PRICED_AT));
  }
}
