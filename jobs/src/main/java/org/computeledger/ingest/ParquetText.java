package org.computeledger.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Bills exported as Parquet (AWS CUR 2.0 in Data Exports, a BigQuery export of the Google Cloud billing
 * tables) read as the CSV the same export writes, so that one parser serves both: the header is every
 * top-level column, a struct's fields as {@code parent.child} (BigQuery's field paths), and each row one
 * CSV record. Lists, maps and repeated fields are written as JSON text (a BigQuery {@code labels} list of
 * key/value pairs, CUR 2.0's {@code resource_tags} map), timestamps as ISO UTC, decimals exactly, dates as
 * {@code YYYY-MM-DD}. Row N of the file is line N + 1 of that text (the header is line 1), which is the
 * line a quarantine record names.
 */
final class ParquetText {
  private static final byte[] MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);
  private static final long JULIAN_EPOCH_DAY = 2_440_588L;

  private ParquetText() {}

  /** Whether a stored file starts with Parquet's magic bytes (the stream is read up to 4 bytes). */
  static boolean isParquet(InputStream in) throws IOException {
    byte[] b = in.readNBytes(MAGIC.length);
    return java.util.Arrays.equals(b, MAGIC);
  }

  /**
   * The file as CSV text, read row by row as the reader is consumed; a damaged row group's unreadable rows
   * are left out and listed by {@link ParquetRows#damages()}. Throws when the footer cannot be read.
   */
  static ParquetRows csv(Configuration conf, Path path) throws IOException {
    return new ParquetRows(conf, path);
  }

  /** The first {@code n} lines of {@link #csv}, for detection. */
  static List<String> head(Configuration conf, Path path, int n) throws IOException {
    List<String> lines = new ArrayList<>();
    try (java.io.BufferedReader r = new java.io.BufferedReader(csv(conf, path))) {
      String line;
      while (lines.size() < n && (line = r.readLine()) != null) {
        lines.add(line);
      }
    }
    return lines;
  }

  /** A struct (a group that is neither a list nor a map, and not repeated) is flattened. */
  private static boolean flattened(Type t) {
    return !t.isPrimitive() && !t.isRepetition(Type.Repetition.REPEATED)
        && t.getLogicalTypeAnnotation() == null;
  }

  static void columnNames(String prefix, GroupType type, List<String> out) {
    for (Type f : type.getFields()) {
      if (flattened(f)) {
        columnNames(prefix + f.getName() + ".", f.asGroupType(), out);
      } else {
        out.add(prefix + f.getName());
      }
    }
  }

  static void values(Group g, List<String> out) {
    GroupType type = g.getType();
    for (int i = 0; i < type.getFieldCount(); i++) {
      Type f = type.getType(i);
      if (flattened(f)) {
        if (g.getFieldRepetitionCount(i) == 0) {
          List<String> names = new ArrayList<>();
          columnNames("", f.asGroupType(), names);
          for (int k = 0; k < names.size(); k++) {
            out.add("");
          }
        } else {
          values(g.getGroup(i, 0), out);
        }
      } else if (g.getFieldRepetitionCount(i) == 0) {
        out.add("");
      } else if (f.isPrimitive() && !f.isRepetition(Type.Repetition.REPEATED)) {
        out.add(primitive(g, i, 0, f.asPrimitiveType()));
      } else {
        out.add(json(g, i, f).toString());
      }
    }
  }

  /** A list, map or repeated field as JSON. */
  private static JsonNode json(Group g, int i, Type f) {
    JsonNodeFactory nf = JsonNodeFactory.instance;
    LogicalTypeAnnotation a = f.getLogicalTypeAnnotation();
    if (f.isRepetition(Type.Repetition.REPEATED)) {
      ArrayNode arr = nf.arrayNode();
      for (int k = 0; k < g.getFieldRepetitionCount(i); k++) {
        arr.add(element(g, i, k, f));
      }
      return arr;
    }
    Group inner = g.getGroup(i, 0);
    if (a instanceof LogicalTypeAnnotation.MapLogicalTypeAnnotation) {
      ObjectNode obj = nf.objectNode();
      if (inner.getType().getFieldCount() > 0) {
        for (int k = 0; k < inner.getFieldRepetitionCount(0); k++) {
          Group kv = inner.getGroup(0, k);
          String key = kv.getFieldRepetitionCount(0) == 0 ? "" : primitive(kv, 0, 0, kv.getType().getType(0).asPrimitiveType());
          JsonNode v = kv.getType().getFieldCount() < 2 || kv.getFieldRepetitionCount(1) == 0 ? nf.nullNode()
              : element(kv, 1, 0, kv.getType().getType(1));
          obj.set(key, v);
        }
      }
      return obj;
    }
    if (a instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation) {
      ArrayNode arr = nf.arrayNode();
      if (inner.getType().getFieldCount() > 0) {
        Type repeated = inner.getType().getType(0);
        for (int k = 0; k < inner.getFieldRepetitionCount(0); k++) {
          // three-level lists wrap each element in a group of one field; legacy two-level ones do not
          if (!repeated.isPrimitive() && repeated.asGroupType().getFieldCount() == 1
              && !repeated.getName().equals("array") && !repeated.getName().endsWith("_tuple")) {
            Group wrapper = inner.getGroup(0, k);
            arr.add(wrapper.getFieldRepetitionCount(0) == 0 ? nf.nullNode()
                : element(wrapper, 0, 0, wrapper.getType().getType(0)));
          } else {
            arr.add(element(inner, 0, k, repeated));
          }
        }
      }
      return arr;
    }
    return element(g, i, 0, f);
  }

  private static JsonNode element(Group g, int i, int k, Type f) {
    JsonNodeFactory nf = JsonNodeFactory.instance;
    if (f.isPrimitive()) {
      PrimitiveType p = f.asPrimitiveType();
      String text = primitive(g, i, k, p);
      switch (p.getPrimitiveTypeName()) {
        case BOOLEAN:
          return nf.booleanNode(Boolean.parseBoolean(text));
        case INT32:
        case INT64:
        case FLOAT:
        case DOUBLE:
          return p.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation
              || p.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation
              ? nf.textNode(text) : nf.numberNode(new BigDecimal(text));
        default:
          return p.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation
              ? nf.numberNode(new BigDecimal(text)) : nf.textNode(text);
      }
    }
    Group inner = g.getGroup(i, k);
    if (f.getLogicalTypeAnnotation() != null) {
      // a nested list or map: read it through a one-field view
      return json(g, i, f);
    }
    ObjectNode obj = nf.objectNode();
    GroupType t = inner.getType();
    for (int j = 0; j < t.getFieldCount(); j++) {
      Type c = t.getType(j);
      if (inner.getFieldRepetitionCount(j) == 0) {
        obj.set(c.getName(), nf.nullNode());
      } else if (c.isRepetition(Type.Repetition.REPEATED) || c.getLogicalTypeAnnotation() != null && !c.isPrimitive()) {
        obj.set(c.getName(), json(inner, j, c));
      } else {
        obj.set(c.getName(), element(inner, j, 0, c));
      }
    }
    return obj;
  }

  /** One primitive value as text, by its logical type. */
  static String primitive(Group g, int i, int k, PrimitiveType p) {
    LogicalTypeAnnotation a = p.getLogicalTypeAnnotation();
    switch (p.getPrimitiveTypeName()) {
      case BOOLEAN:
        return Boolean.toString(g.getBoolean(i, k));
      case INT32: {
        int v = g.getInteger(i, k);
        if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
          return BigDecimal.valueOf(v, d.getScale()).toPlainString();
        }
        if (a instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
          return LocalDate.ofEpochDay(v).toString();
        }
        return Integer.toString(v);
      }
      case INT64: {
        long v = g.getLong(i, k);
        if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
          return BigDecimal.valueOf(v, d.getScale()).toPlainString();
        }
        if (a instanceof LogicalTypeAnnotation.TimestampLogicalTypeAnnotation t) {
          switch (t.getUnit()) {
            case MILLIS:
              return Instant.ofEpochMilli(v).toString();
            case MICROS:
              return Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000L), Math.floorMod(v, 1_000_000L) * 1000L).toString();
            default:
              return Instant.ofEpochSecond(Math.floorDiv(v, 1_000_000_000L), Math.floorMod(v, 1_000_000_000L)).toString();
          }
        }
        return Long.toString(v);
      }
      case INT96: {
        // legacy Impala/Hive/Spark timestamps: nanoseconds of the day, then the Julian day, little-endian
        ByteBuffer b = ByteBuffer.wrap(g.getInt96(i, k).getBytes()).order(ByteOrder.LITTLE_ENDIAN);
        long nanos = b.getLong();
        long julianDay = b.getInt();
        return Instant.ofEpochSecond((julianDay - JULIAN_EPOCH_DAY) * 86_400L, nanos).toString();
      }
      case FLOAT:
        return plain(Float.toString(g.getFloat(i, k)));
      case DOUBLE:
        return plain(Double.toString(g.getDouble(i, k)));
      default: {
        Binary bin = g.getBinary(i, k);
        if (a instanceof LogicalTypeAnnotation.DecimalLogicalTypeAnnotation d) {
          return new BigDecimal(new BigInteger(bin.getBytes()), d.getScale()).toPlainString();
        }
        return bin.toStringUsingUTF8();
      }
    }
  }

  /** A double's shortest decimal form without an exponent (bills are read as decimals). */
  private static String plain(String shortest) {
    return shortest.equals("NaN") || shortest.contains("Infinity") ? shortest
        : new BigDecimal(shortest).toPlainString();
  }
}
