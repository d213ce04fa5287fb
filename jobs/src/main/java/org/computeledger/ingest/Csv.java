package org.computeledger.ingest;

import static org.computeledger.ingest.TextScan.digits;
import static org.computeledger.ingest.TextScan.isDigit;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FilterReader;
import java.io.IOException;
import java.io.PushbackReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Month;
import java.time.Year;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * CSV reading shared by the billing and FLOP-counter parsers: walks a file record by record with
 * Commons CSV, accounts for every physical line, and reads typed fields with errors that name them.
 */
final class Csv {
  /** Scale of every money column, DECIMAL(38,12). */
  static final int MONEY_SCALE = 12;

  private static final int MONEY_INTEGER_DIGITS = 38 - MONEY_SCALE;
  /** Beyond this many decimals a number is not a bill line but garbage (and rounding it is costly). */
  private static final int MAX_INPUT_SCALE = 64;

  private static final CSVFormat FORMAT =
      CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).build();
  private static final ObjectMapper JSON = new ObjectMapper();

  private Csv() {}

  /**
   * Reads {@code in} to the end and hands each record to {@code handler}, which accepts or
   * quarantines it at its first line. Blank lines and the further lines of a multi-line record are
   * ignored here, and a record Commons CSV cannot tokenize (a stray quote) is quarantined here, so
   * that every physical line is reported exactly once.
   */
  static void read(Reader in, RowSink sink, Consumer<Cursor> handler) throws IOException {
    // A byte-order mark would glue itself to the first header name and hide its quotes.
    PushbackReader unmarked = new PushbackReader(in);
    int firstChar = unmarked.read();
    if (firstChar >= 0 && firstChar != '\uFEFF') {
      unmarked.unread(firstChar);
    }
    RawLines raw = new RawLines(unmarked);
    CSVParser parser = CSVParser.parse(raw, FORMAT);
    Iterator<CSVRecord> records = parser.iterator();
    Cursor cursor = new Cursor(raw);
    long done = 0;
    // After a tokenizer error the lexer stands inside the broken line; what it reads next up to the
    // line break is the rest of a record already quarantined.
    boolean midLine = false;
    while (true) {
      CSVRecord record = null;
      String error = null;
      try {
        if (!records.hasNext()) {
          break;
        }
        record = records.next();
      } catch (UncheckedIOException e) {
        error = e.getCause() == null ? e.getMessage() : e.getCause().getMessage();
      }
      long first = done + 1;
      long last = Math.max(parser.getCurrentLineNumber(), done);
      if (midLine) {
        ignore(sink, first, last);
        midLine = record == null;
      } else if (record == null) {
        last = Math.max(last, first);
        sink.quarantine(first, "malformed CSV record: " + error, raw.text(first, last));
        ignore(sink, first + 1, last);
        midLine = true;
      } else if (Plausibility.textDamage(raw.text(first, Math.max(last, first))) != null) {
        last = Math.max(last, first);
        String text = raw.text(first, last);
        sink.quarantine(first, Plausibility.textDamage(text), text);
        ignore(sink, first + 1, last);
      } else if (record.size() == 1 && record.get(0).isEmpty()) {
        ignore(sink, first, last);
      } else {
        last = Math.max(last, first);
        cursor.set(record, first, last);
        handler.accept(cursor);
        ignore(sink, first + 1, last);
      }
      done = last;
      raw.release(done);
    }
  }

  private static void ignore(RowSink sink, long from, long to) {
    for (long line = from; line <= to; line++) {
      sink.ignore(line);
    }
  }

  /** One record as a handler sees it: its values, its first physical line and its raw text. */
  static final class Cursor {
    private final RawLines raw;
    private CSVRecord record;
    private long line;
    private long lastLine;

    private Cursor(RawLines raw) {
      this.raw = raw;
    }

    private void set(CSVRecord record, long line, long lastLine) {
      this.record = record;
      this.line = line;
      this.lastLine = lastLine;
    }

    /** The record's first physical line, where it is accepted or quarantined. */
    long line() {
      return line;
    }

    int size() {
      return record.size();
    }

    /** The field at {@code index} as written (empty string when empty). */
    String text(int index) {
      return record.get(index);
    }

    /** The field at {@code index}, null when the column is absent, empty or the {@code NULL} literal. */
    String value(int index) {
      if (index < 0 || index >= record.size()) {
        return null;
      }
      String v = record.get(index);
      return v.isEmpty() || "NULL".equals(v) ? null : v;
    }

    /** The record's physical lines exactly as read, joined by their own line breaks. */
    String raw() {
      return raw.text(line, lastLine);
    }
  }

  /**
   * A file whose first record is a header naming its columns: the header fixes the column positions,
   * and every later record becomes one accepted row or one rejection naming its first bad field.
   */
  abstract static class HeaderedLines implements Consumer<Cursor> {
    final RowSink sink;
    final Fields f;
    private boolean headerSeen;
    private int width;
    private String missing;

    HeaderedLines(RowSink sink, IngestParams params) {
      this.sink = sink;
      this.f = new Fields(params);
    }

    /** Reads column positions; returns why no line of the file can be read (a missing column), or null. */
    abstract String header(Cursor header, Map<String, Integer> index);

    /** The row of one record, or null after a failure recorded in {@link #f}. */
    abstract Object[] row(Cursor record);

    /** The rows of one record (a bill line with credits makes several); by default its one {@link #row}. */
    List<Object[]> rows(Cursor record) {
      Object[] row = row(record);
      return row == null ? null : List.<Object[]>of(row);
    }

    @Override
    public final void accept(Cursor c) {
      if (!headerSeen) {
        headerSeen = true;
        width = c.size();
        missing = header(c, headerIndex(c));
        sink.ignore(c.line());
        return;
      }
      f.reset();
      List<Object[]> rows = null;
      if (missing != null) {
        f.failRecord(missing);
      } else if (c.size() != width) {
        f.failRecord("expected " + width + " fields as in the header, got " + c.size());
      } else {
        rows = rows(c);
      }
      if (f.ok() && rows != null) {
        for (Object[] row : rows) {
          sink.emit(c.line(), row);
        }
        sink.recordAccepted();
      } else {
        f.failRecord("record could not be read");
        sink.quarantine(c.line(), f.error(), c.raw());
      }
    }
  }

  /** Column positions of a header record, by lower-cased name (byte-order mark and spaces removed). */
  static Map<String, Integer> headerIndex(Cursor header) {
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      index.putIfAbsent(columnKey(header.text(i)), i);
    }
    return index;
  }

  /** Lower-cased column names of a header line in a file's head, for {@code detect}; never throws. */
  static List<String> headerNames(List<String> head) {
    if (head == null) {
      return List.of();
    }
    for (String line : head) {
      if (line != null && !line.isBlank()) {
        String[] parts = line.split(",", -1);
        String[] names = new String[parts.length];
        for (int i = 0; i < parts.length; i++) {
          String p = stripBom(parts[i]);
          if (p.length() >= 2 && p.charAt(0) == '"' && p.charAt(p.length() - 1) == '"') {
            p = p.substring(1, p.length() - 1);
          }
          names[i] = columnKey(p);
        }
        return List.of(names);
      }
    }
    return List.of();
  }

  private static String columnKey(String name) {
    return stripBom(name).toLowerCase(Locale.ROOT);
  }

  private static String stripBom(String name) {
    String n = name.strip();
    return !n.isEmpty() && n.charAt(0) == '\uFEFF' ? n.substring(1).strip() : n;
  }

  /** Why a header cannot be read: the first of {@code required} it lacks; null when it has them all. */
  static String missingColumn(Map<String, Integer> header, List<String> required) {
    for (String name : required) {
      if (column(header, name) < 0) {
        return "column " + name + " is missing from the header";
      }
    }
    return null;
  }

  /** Position of the first of {@code names} present in a header, or -1. */
  static int column(Map<String, Integer> header, String... names) {
    for (String name : names) {
      Integer i = header.get(name.toLowerCase(Locale.ROOT));
      if (i != null) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Typed reads of one record's fields. The first bad field's message is kept; a reader returns null
   * for a bad or absent value, so a record is checked with one test of {@link #ok()} at the end.
   */
  static final class Fields {
    private final IngestParams params;
    private String error;

    /** Times are checked against the plausible window of {@code params}' run (see {@link Plausibility}). */
    Fields(IngestParams params) {
      this.params = params;
    }

    void reset() {
      error = null;
    }

    boolean ok() {
      return error == null;
    }

    String error() {
      return error;
    }

    /** Records a problem with a field unless an earlier one was found. */
    void fail(String field, String expected, String text) {
      if (error == null) {
        error = "field " + field + ": expected " + expected + ", "
            + (text == null ? "empty" : "'" + shorten(text) + "'");
      }
    }

    /** A whole-record problem, e.g. a field count that does not match the header. */
    void failRecord(String reason) {
      if (error == null) {
        error = reason;
      }
    }

    String required(String field, String text) {
      if (text == null) {
        fail(field, "a value", null);
      }
      return text;
    }

    /** A money amount as DECIMAL(38,12); sign kept, never through a double. */
    BigDecimal money(String field, String text, boolean required) {
      if (text == null) {
        if (required) {
          fail(field, "a decimal number", null);
        }
        return null;
      }
      BigDecimal d = isDecimal(text) ? decimal(text) : null;
      if (d == null || d.scale() > MAX_INPUT_SCALE || d.precision() - d.scale() > MONEY_INTEGER_DIGITS) {
        fail(field, "a decimal number within DECIMAL(38,12)", text);
        return null;
      }
      // Rounding below 10^-12 of a currency unit is the only change a stored amount sees.
      return d.setScale(MONEY_SCALE, RoundingMode.HALF_EVEN);
    }

    /** A finite decimal number as a double, optionally not negative. */
    Double number(String field, String text, boolean required, boolean nonNegative) {
      if (text == null) {
        if (required) {
          fail(field, "a number", null);
        }
        return null;
      }
      double v = isDecimal(text) ? Double.parseDouble(text) : Double.NaN;
      if (!Double.isFinite(v) || (nonNegative && v < 0)) {
        fail(field, nonNegative ? "a finite number >= 0" : "a finite number", text);
        return null;
      }
      return v;
    }

    /** A non-negative integer such as a GPU index. */
    Integer index(String field, String text) {
      if (text == null) {
        return null;
      }
      int n = text.length();
      long v = 0;
      for (int i = 0; i < n && v <= Integer.MAX_VALUE; i++) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          v = -1;
          break;
        }
        v = v * 10 + (c - '0');
      }
      if (n == 0 || v < 0 || v > Integer.MAX_VALUE) {
        fail(field, "an integer >= 0", text);
        return null;
      }
      return (int) v;
    }

    /** An ISO-8601 time; see {@link Csv#instant}. */
    Instant time(String field, String text, boolean zoneRequired) {
      Instant t = text == null ? null : instant(text, zoneRequired);
      if (t == null) {
        fail(field, zoneRequired ? "an ISO time with Z or an offset" : "an ISO time", text);
        return null;
      }
      String implausible = Plausibility.implausibleTime(field, t, shorten(text), params);
      if (implausible != null) {
        failRecord(implausible);
        return null;
      }
      return t;
    }

    /** A JSON object as a map; non-string values keep their JSON text. */
    Map<String, String> jsonObject(String field, String text) {
      if (text == null) {
        return null;
      }
      JsonNode node;
      try {
        node = JSON.readTree(text);
      } catch (JsonProcessingException e) {
        node = null;
      }
      if (node == null || !node.isObject()) {
        fail(field, "a JSON object", text);
        return null;
      }
      Map<String, String> map = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        JsonNode v = e.getValue();
        map.put(e.getKey(), v.isTextual() ? v.asText() : v.toString());
      }
      return map;
    }
  }

  private static String shorten(String text) {
    String t = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return t.replace('\r', ' ').replace('\n', ' ');
  }

  private static BigDecimal decimal(String text) {
    try {
      return new BigDecimal(text);
    } catch (NumberFormatException e) {
      return null; // only an exponent beyond int range gets here: isDecimal passed the syntax
    }
  }

  /** Plain decimal syntax: sign, digits with at most one point, optional exponent; no hex, no NaN. */
  static boolean isDecimal(String s) {
    int n = s.length();
    int i = 0;
    if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
      i++;
    }
    int digits = 0;
    while (i < n && isDigit(s.charAt(i))) {
      i++;
      digits++;
    }
    if (i < n && s.charAt(i) == '.') {
      i++;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
        digits++;
      }
    }
    if (digits == 0) {
      return false;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int exponentDigits = 0;
      while (i < n && isDigit(s.charAt(i))) {
        i++;
        exponentDigits++;
      }
      if (exponentDigits == 0) {
        return false;
      }
    }
    return i == n;
  }


  /**
   * Parses {@code yyyy-MM-dd[T| ]HH:mm[:ss[.fraction]]} followed by {@code Z}, an offset
   * ({@code +02:00}, {@code +0200}, {@code +02}) or nothing. No zone means UTC (FOCUS and CUR say so)
   * unless {@code zoneRequired}. Returns null for anything else, including impossible dates, so that
   * bad input costs no exception.
   */
  static Instant instant(String s, boolean zoneRequired) {
    int n = s.length();
    if (n < 16 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(13) != ':') {
      return null;
    }
    char sep = s.charAt(10);
    if (sep != 'T' && sep != 't' && sep != ' ') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = 0;
    int nanos = 0;
    int p = 16;
    if (p < n && s.charAt(p) == ':') {
      second = digits(s, p + 1, p + 3);
      p += 3;
      if (p < n && (s.charAt(p) == '.' || s.charAt(p) == ',')) {
        int start = ++p;
        while (p < n && isDigit(s.charAt(p))) {
          if (p - start < 9) {
            nanos = nanos * 10 + (s.charAt(p) - '0');
          }
          p++;
        }
        if (p == start) {
          return null;
        }
        for (int k = p - start; k < 9; k++) {
          nanos *= 10;
        }
      }
    }
    int offsetSeconds = offsetSeconds(s, p, zoneRequired);
    if (offsetSeconds == NO_OFFSET) {
      return null;
    }
    return utcInstant(year, month, day, hour, minute, second, nanos, offsetSeconds);
  }

  /** What {@link #offsetSeconds} gives for text that is no offset (or none where one is required). */
  private static final int NO_OFFSET = Integer.MIN_VALUE;

  /**
   * The offset in seconds east of UTC written from {@code s[p]} to the end: nothing (UTC unless
   * {@code zoneRequired}), {@code Z}, {@code +02:00}, {@code +0200} or {@code +02}; else {@link #NO_OFFSET}.
   */
  private static int offsetSeconds(String s, int p, boolean zoneRequired) {
    int n = s.length();
    if (p == n) {
      return zoneRequired ? NO_OFFSET : 0;
    }
    if ((s.charAt(p) == 'Z' || s.charAt(p) == 'z') && p + 1 == n) {
      return 0;
    }
    if (s.charAt(p) != '+' && s.charAt(p) != '-') {
      return NO_OFFSET;
    }
    int sign = s.charAt(p) == '-' ? -1 : 1;
    int oh = digits(s, p + 1, p + 3);
    int om;
    if (p + 3 == n) {
      om = 0;
    } else if (p + 6 == n && s.charAt(p + 3) == ':') {
      om = digits(s, p + 4, p + 6);
    } else if (p + 5 == n) {
      om = digits(s, p + 3, p + 5);
    } else {
      return NO_OFFSET;
    }
    if (oh < 0 || oh > 18 || om < 0 || om > 59) {
      return NO_OFFSET;
    }
    return sign * (oh * 3600 + om * 60);
  }

  /** The instant of a wall-clock date and time at an offset; null when a field is out of range or the day does not exist. */
  private static Instant utcInstant(int year, int month, int day, int hour, int minute, int second, int nanos,
      int offsetSeconds) {
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23
        || minute < 0 || minute > 59 || second < 0 || second > 59
        || day > Month.of(month).length(Year.isLeap(year))) {
      return null;
    }
    long epochDay = LocalDate.of(year, month, day).toEpochDay();
    return Instant.ofEpochSecond(
        epochDay * 86_400 + hour * 3600L + minute * 60L + second - offsetSeconds, nanos);
  }

  /**
   * Keeps the text the CSV parser has read but {@link #read} has not yet released, so that a
   * quarantined record carries its lines exactly as written. Line breaks are counted as Commons CSV
   * counts them: LF, CRLF, or a lone CR.
   */
  private static final class RawLines extends FilterReader {
    private final StringBuilder text = new StringBuilder();
    /** Offset in {@code text} where line {@code firstLine} starts. */
    private int base;
    private long firstLine = 1;
    /** The released text ended with a CR whose LF, if any, had not been read yet. */
    private boolean pendingLf;

    RawLines(Reader in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int c = super.read();
      if (c >= 0) {
        text.append((char) c);
      }
      return c;
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        text.append(buf, off, n);
      }
      return n;
    }

    /** Lines {@code from..to} as read, each without the final line break. */
    String text(long from, long to) {
      int start = lineStart(from);
      int end = start;
      for (long l = from; l < to; l++) {
        end = afterLine(end);
      }
      int n = text.length();
      while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
        end++;
      }
      return text.substring(start, end);
    }

    /** Forgets the text of every line up to and including {@code line}. */
    void release(long line) {
      int next = lineStart(line + 1);
      pendingLf = next == text.length() && next > base && text.charAt(next - 1) == '\r';
      base = next;
      firstLine = line + 1;
      if (base > 65_536 && base > text.length() / 2) {
        text.delete(0, base);
        base = 0;
      }
    }

    private int lineStart(long line) {
      if (pendingLf && base < text.length()) {
        if (text.charAt(base) == '\n') {
          base++;
        }
        pendingLf = false;
      }
      int pos = base;
      for (long l = firstLine; l < line; l++) {
        pos = afterLine(pos);
      }
      return pos;
    }

    private int afterLine(int pos) {
      int n = text.length();
      while (pos < n) {
        char c = text.charAt(pos++);
        if (c == '\n') {
          return pos;
        }
        if (c == '\r') {
          return pos < n && text.charAt(pos) == '\n' ? pos + 1 : pos;
        }
      }
      return n;
    }
  }
}
