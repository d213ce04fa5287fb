package org.computeledger.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.apache.spark.sql.types.StructType;
import org.computeledger.SparkTestBase;
import org.computeledger.schema.Charges;
import org.computeledger.schema.Table;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bills that arrive as Parquet give the charges their CSV form gives: AWS CUR 2.0 as Data Exports writes
 * it (timestamps, doubles, a {@code resource_tags} map; column types from the CUR 2.0 data dictionary) and
 * a BigQuery export of the Google Cloud billing table (nested structs, repeated labels and credits), here
 * written by Spark from the JSON extract with BigQuery's field types.
 */
class ParquetBillsTest extends SparkTestBase {
  static final Path CUR2 = GcpBillingParserTest.fixture("aws-cur2-export.csv");

  static final String CUR2_SCHEMA = "message cur2 {"
      + " optional binary identity_line_item_id (STRING); optional binary identity_time_interval (STRING);"
      + " optional binary bill_payer_account_id (STRING); optional binary line_item_usage_account_id (STRING);"
      + " optional binary line_item_line_item_type (STRING);"
      + " optional int64 line_item_usage_start_date (TIMESTAMP(MICROS,true));"
      + " optional int64 line_item_usage_end_date (TIMESTAMP(MICROS,true));"
      + " optional binary line_item_product_code (STRING); optional binary line_item_usage_type (STRING);"
      + " optional binary line_item_operation (STRING); optional binary line_item_resource_id (STRING);"
      + " optional double line_item_usage_amount; optional binary line_item_currency_code (STRING);"
      + " optional double line_item_unblended_rate; optional double line_item_unblended_cost;"
      + " optional binary line_item_line_item_description (STRING); optional binary pricing_unit (STRING);"
      + " optional double pricing_public_on_demand_cost; optional binary product_sku (STRING);"
      + " optional double savings_plan_savings_plan_effective_cost;"
      + " optional double savings_plan_total_commitment_to_date; optional double savings_plan_used_commitment;"
      + " optional double reservation_effective_cost;"
      + " optional group resource_tags (MAP) { repeated group key_value { required binary key (STRING);"
      + " optional binary value (STRING); } } }";

  /** Writes the CUR 2.0 CSV fixture's lines as the Parquet file Data Exports would have written. */
  static void writeCur2Parquet(Path csv, Path parquet) throws IOException {
    writeCur2Parquet(csv, parquet, b -> b);
  }

  /** As {@link #writeCur2Parquet(Path, Path)}, with the writer's settings (row group and page sizes) tuned. */
  static void writeCur2Parquet(Path csv, Path parquet,
      java.util.function.UnaryOperator<ExampleParquetWriter.Builder> tune) throws IOException {
    MessageType schema = MessageTypeParser.parseMessageType(CUR2_SCHEMA);
    List<String> lines = CsvFixtures.lines(csv);
    List<String> header = CsvFixtures.fields(lines.get(0));
    SimpleGroupFactory groups = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w = tune.apply(ExampleParquetWriter.builder(new org.apache.hadoop.fs.Path(parquet.toString()))
        .withType(schema).withConf(new Configuration())).build()) {
      for (String line : lines.subList(1, lines.size())) {
        List<String> v = CsvFixtures.fields(line);
        Group g = groups.newGroup();
        for (int i = 0; i < header.size(); i++) {
          String name = header.get(i);
          String text = v.get(i);
          if (text.isEmpty()) {
            continue;
          }
          org.apache.parquet.schema.Type type = schema.getType(name);
          switch (!type.isPrimitive() ? "map" : type.asPrimitiveType().getPrimitiveTypeName().name()) {
            case "map": {
              Group tags = g.addGroup(name);
              com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
              json.fields().forEachRemaining(e -> tags.addGroup("key_value").append("key", e.getKey())
                  .append("value", e.getValue().asText()));
              break;
            }
            case "INT64": {
              Instant t = Instant.parse(text);
              g.append(name, t.getEpochSecond() * 1_000_000L + t.getNano() / 1000);
              break;
            }
            case "DOUBLE":
              g.append(name, Double.parseDouble(text));
              break;
            default:
              g.append(name, text);
          }
        }
        w.write(g);
      }
    }
  }

  /**
   * Writes the Google Cloud JSON extract as the Parquet a BigQuery export of the billing table gives
   * (BigQuery's field types: FLOAT64 cost and amounts, TIMESTAMP times, STRUCT and REPEATED fields), with
   * Spark, into {@code dir}; returns the one Parquet file.
   */
  static Path writeGcpParquet(org.apache.spark.sql.SparkSession spark, Path dir) throws IOException {
    StructType bq = StructType.fromDDL("billing_account_id STRING, service STRUCT<id: STRING, description: STRING>,"
        + " sku STRUCT<id: STRING, description: STRING>, usage_start_time TIMESTAMP, usage_end_time TIMESTAMP,"
        + " project STRUCT<id: STRING, name: STRING>, labels ARRAY<STRUCT<key: STRING, value: STRING>>,"
        + " system_labels ARRAY<STRUCT<key: STRING, value: STRING>>,"
        + " location STRUCT<location: STRING, region: STRING, zone: STRING>,"
        + " resource STRUCT<name: STRING, global_name: STRING>, cost DOUBLE, currency STRING,"
        + " currency_conversion_rate DOUBLE, usage STRUCT<amount: DOUBLE, unit: STRING,"
        + " amount_in_pricing_units: DOUBLE, pricing_unit: STRING>,"
        + " credits ARRAY<STRUCT<name: STRING, amount: DOUBLE, full_name: STRING, id: STRING, type: STRING>>,"
        + " invoice STRUCT<month: STRING>, cost_type STRING, cost_at_list DOUBLE");
    String out = dir.toString();
    spark.read().schema(bq).option("timestampFormat", "yyyy-MM-dd HH:mm:ss z")
        .json(GcpBillingParserTest.JSONL.toString()).coalesce(1).write().parquet(out);
    try (var files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
  }

  private static CollectingSink parseParquet(FormatParser parser, Path parquet) throws IOException {
    CollectingSink sink = new CollectingSink(parser.table());
    try (Reader r = ParquetText.csv(new Configuration(), new org.apache.hadoop.fs.Path(parquet.toString()))) {
      parser.parse(new InputFile("billing/" + parquet.getFileName(), "billing", IngestParams.defaults()), r, sink);
    }
    return sink;
  }

  private static void assertSameCharges(CollectingSink expected, CollectingSink actual) {
    assertEquals(0, actual.rejected.size(), actual.rejected.toString());
    assertEquals(expected.rows.size(), actual.rows.size());
    for (int i = 0; i < expected.rows.size(); i++) {
      for (String c : Table.CHARGES.schema().fieldNames()) {
        Object e = expected.get(i, c);
        Object a = actual.get(i, c);
        if (e instanceof BigDecimal be && a instanceof BigDecimal ba) {
          assertEquals(0, be.compareTo(ba), "row " + i + " " + c + ": " + be + " vs " + ba);
        } else if (!c.startsWith("source_")) {
          assertEquals(e, a, "row " + i + " " + c);
        }
      }
      assertEquals(expected.rowLines.get(i), actual.rowLines.get(i), "a Parquet row keeps its CSV line number");
    }
  }

  @Test
  void cur2ParquetGivesTheChargesOfItsCsv(@TempDir Path dir) throws IOException {
    Path parquet = dir.resolve("cur2-00001.snappy.parquet");
    writeCur2Parquet(CUR2, parquet);
    AwsCurParser parser = new AwsCurParser();
    CollectingSink csv = CollectingSink.parse(parser, CUR2, IngestParams.defaults());
    assertEquals(6, csv.accepted, csv.rejected.toString());
    assertSameCharges(csv, parseParquet(parser, parquet));
  }

  @Test
  void parquetIsDetectedByItsMagicBytesAndItsColumns(@TempDir Path dir) throws IOException {
    Path parquet = dir.resolve("part-0.parquet");
    writeCur2Parquet(CUR2, parquet);
    org.apache.hadoop.fs.Path p = new org.apache.hadoop.fs.Path(parquet.toString());
    List<String> head = Ingest.head(p.getFileSystem(new Configuration()), p, "part-0.parquet");
    org.junit.jupiter.api.Assertions.assertTrue(head.get(0).startsWith("identity_line_item_id,identity_time_interval,"), head.get(0));
    assertEquals(AwsCurParser.FORMAT, FormatDetector.detect("part-0.parquet", head, IngestParams.defaults())
        .parser().format());
  }

  @Test
  void bigQueryParquetOfTheGoogleCloudExportGivesTheChargesOfItsCsv(@TempDir Path dir) throws IOException {
    Path parquet = writeGcpParquet(spark(), dir.resolve("bq"));
    GcpBillingParser parser = new GcpBillingParser();
    CollectingSink csv = CollectingSink.parse(parser, GcpBillingParserTest.CSV, IngestParams.defaults());
    CollectingSink fromParquet = parseParquet(parser, parquet);
    assertEquals(csv.rows.size(), fromParquet.rows.size(), fromParquet.rejected.toString());
    for (int i = 0; i < csv.rows.size(); i++) {
      for (String c : new String[] {Charges.CHARGE_PERIOD_START, Charges.CHARGE_PERIOD_END, Charges.CHARGE_CATEGORY,
          Charges.RESOURCE_ID, Charges.SKU, Charges.TAGS, Charges.ACCELERATOR, Charges.INVOICE_MONTH}) {
        assertEquals(csv.get(i, c), fromParquet.get(i, c), "row " + i + " " + c);
      }
      assertEquals(0, ((BigDecimal) csv.get(i, Charges.BILLED_COST))
          .compareTo((BigDecimal) fromParquet.get(i, Charges.BILLED_COST)), "row " + i);
    }
  }
}
