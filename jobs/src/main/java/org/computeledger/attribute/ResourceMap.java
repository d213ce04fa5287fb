package org.computeledger.attribute;

import java.io.IOException;
import java.io.Reader;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVRecord;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.computeledger.common.LedgerException;
import org.computeledger.common.UntrustedInput;

/**
 * The optional {@code resources.csv} of the input folder: which host (cluster node) a billed resource
 * was, and when. Cost attribution reads it first, before any tag or name (see {@link CostAttribution}).
 *
 * <p>A header names the columns {@code resource_id} and {@code host} (or {@code node}), and optionally
 * {@code valid_from} and {@code valid_to} (any order; other columns are ignored). A line says: the bill's
 * resource {@code resource_id} (an EC2 instance id, a Google Cloud resource name or global name, an
 * Azure resource id, compared exactly) was {@code host} from {@code valid_from} (inclusive) to
 * {@code valid_to} (exclusive); an empty bound is open. Times are ISO 8601 with {@code Z} or an offset,
 * or a date {@code YYYY-MM-DD} (midnight UTC). The same id may name different hosts over time (an
 * instance replaced under the same id, a node name reused), but never two hosts at one instant. Blank
 * lines and lines starting with {@code #} are skipped; any error stops the run with the file, line and
 * field. At most {@link UntrustedInput#SIDE_FILE_MAX_BYTES} of it are read.
 */
public final class ResourceMap {
  public static final String FILE_NAME = "resources.csv";
  public static final String RESOURCE_ID = "resource_id";
  public static final String HOST = "host";
  public static final String VALID_FROM = "valid_from";
  public static final String VALID_TO = "valid_to";

  public static final StructType SCHEMA = StructType.fromDDL(
      "resource_id STRING, host STRING, valid_from TIMESTAMP, valid_to TIMESTAMP");

  /** One validated line; {@code from}/{@code to} null when open. */
  public record Entry(String resourceId, String host, Instant from, Instant to, long line) {
    boolean overlaps(Entry o) {
      boolean startsBeforeOtherEnds = o.to == null || from == null || from.isBefore(o.to);
      boolean endsAfterOtherStarts = to == null || o.from == null || to.isAfter(o.from);
      return startsBeforeOtherEnds && endsAfterOtherStarts;
    }
  }

  private ResourceMap() {}

  /** Parses the file's text; any error is a {@link LedgerException} starting with {@code name} and the line. */
  public static List<Entry> parse(Reader text, String name) throws IOException {
    return SideCsv.read(text, name, "resources", (parser, header) -> {
      String hostColumn = SideCsv.has(header, HOST) ? HOST : SideCsv.has(header, "node") ? "node" : null;
      if (!SideCsv.has(header, RESOURCE_ID) || hostColumn == null) {
        throw new LedgerException(name + " line 1: header needs the columns " + RESOURCE_ID + " and " + HOST
            + " (optional: " + VALID_FROM + ", " + VALID_TO + ")");
      }
      List<Entry> entries = new ArrayList<>();
      Map<String, List<Entry>> byId = new HashMap<>();
      for (CSVRecord record : parser) {
        long line = parser.getCurrentLineNumber();
        String id = SideCsv.required(record, RESOURCE_ID, name, line);
        String host = SideCsv.required(record, hostColumn, name, line);
        Instant from = time(record, VALID_FROM, name, line);
        Instant to = time(record, VALID_TO, name, line);
        if (from != null && to != null && !to.isAfter(from)) {
          throw SideCsv.bad(name, line, VALID_TO, "a time after " + VALID_FROM + " " + from, record.get(VALID_TO));
        }
        Entry e = new Entry(id, host, from, to, line);
        for (Entry earlier : byId.getOrDefault(id, List.of())) {
          if (earlier.overlaps(e)) {
            throw new LedgerException(name + " line " + line + ": " + id + " is mapped to " + host
                + " for a time it is already mapped to " + earlier.host() + " (line " + earlier.line() + ")");
          }
        }
        byId.computeIfAbsent(id, k -> new ArrayList<>()).add(e);
        entries.add(e);
      }
      return entries;
    });
  }

  /** The map at {@code file}, or null when there is no such file; read as untrusted input, bounded in size. */
  public static Dataset<Row> readIfPresent(SparkSession spark, org.apache.hadoop.fs.Path file) {
    return UntrustedInput.readIfPresent(spark.sparkContext().hadoopConfiguration(), file, FILE_NAME,
        UntrustedInput.SIDE_FILE_MAX_BYTES, in -> toDataset(spark, parse(in, FILE_NAME)));
  }

  public static Dataset<Row> toDataset(SparkSession spark, List<Entry> entries) {
    List<Row> rows = new ArrayList<>(entries.size());
    for (Entry e : entries) {
      rows.add(RowFactory.create(e.resourceId(), e.host(), e.from() == null ? null : Timestamp.from(e.from()),
          e.to() == null ? null : Timestamp.from(e.to())));
    }
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static Instant time(CSVRecord record, String column, String name, long line) {
    String v = record.isMapped(column) && record.isSet(column) ? record.get(column) : null;
    if (v == null || v.isEmpty()) {
      return null;
    }
    try {
      if (v.length() == 10) {
        return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException e) {
      throw new LedgerException(name + " line " + line + ": field " + column
          + ": expected an ISO time with Z or an offset, or a date YYYY-MM-DD, '" + v + "'");
    }
  }
}
